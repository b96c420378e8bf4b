// SPDX-License-Identifier: GPL-2.0
/*
 * A packet edited at a place (skb_change_head, then bytes stored over the
 * new head) is an array the engine writes as a term over its index; a read
 * at a symbolic offset into it depends on the input packet through that
 * term's body. The solver groups constraints by the variables they share:
 * a constraint must count what the body reads, or a later branch on a
 * packet byte is solved without it and its test does not take its own path
 * (as Cilium's IPv6 extension-header walk did after a tail call pushed an
 * Ethernet header, in bpf_wireguard.o).
 *
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=97.87
 * expect policy=alloc paths=2 errors=0 unsupported=0 insn_coverage=97.87
 * expect policy=lookup paths=2 errors=0 unsupported=0 insn_coverage=97.87
 * expect policy=concrete paths=2 errors=0 unsupported=0 insn_coverage=97.87
 *
 * Counting: the packet holds at least 14 bytes (tc's minimum), so the loads
 * at offsets 0 and 1 succeed; pushing 4 bytes in front is always possible
 * (at most 1518 bytes, far below the skb's limit), and the store and the
 * load after it fall inside the longer packet: no call fails on any path.
 * After the push, byte 4 + j of the packet is the input's byte j, so b is
 * the input's byte k & 1 (k the input's byte 0, x its byte 1):
 *   b != 7                                    return TC_ACT_OK      1 path
 *   b == 7, k even: b is byte 0, k itself, and k == 7 is odd: infeasible
 *   b == 7, k odd: b is byte 1, x itself, so x == 7
 *           x == 7                            return TC_ACT_SHOT    1 path
 *           x != 7 infeasible (what a solver that loses b's dependence
 *                  on the input finds: a test that takes the first path)
 * 2 paths, each exiting. Coverage: 46 of the 47 instructions, all but the
 * infeasible side's return value (97.87%).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_tc_splice(struct __sk_buff *skb)
{
	__u16 proto = 0x0008;
	__u8 k = 0, x = 0, b = 0;

	bpf_skb_load_bytes(skb, 0, &k, 1);
	bpf_skb_load_bytes(skb, 1, &x, 1);
	bpf_skb_change_head(skb, 4, 0);
	bpf_skb_store_bytes(skb, 0, &proto, sizeof(proto), 0);
	bpf_skb_load_bytes(skb, 4 + (k & 1), &b, 1);
	if (b != 7)
		return TC_ACT_OK;
	return x == 7 ? TC_ACT_SHOT : TC_ACT_RECLASSIFY;
}

char _license[] SEC("license") = "GPL";
