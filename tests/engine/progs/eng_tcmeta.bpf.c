// SPDX-License-Identifier: GPL-2.0
/*
 * tc helpers that change the skb's metadata: set_hash, skb_change_type,
 * csum_update (refused: the test run's skb carries no full checksum), and
 * skb_pull_data.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: skb_pull_data of 64 bytes fails on a shorter packet (1 path,
 * TC_ACT_OK); then skb_change_type refuses a type above 3 (mark & 7 in 4..7:
 * 1 path, TC_ACT_SHOT) and takes 0..3 (1 path); the packet's own pkt_type is
 * always one of 0..3, csum_update always refuses, and the hash read back is
 * the one set, so nothing else forks.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_tcmeta(struct __sk_buff *skb)
{
	__u32 type = skb->mark & 7;

	if (bpf_skb_pull_data(skb, 64))
		return TC_ACT_OK;
	bpf_set_hash(skb, 0x1234);
	if (bpf_skb_change_type(skb, type))
		return TC_ACT_SHOT;
	if (bpf_csum_update(skb, 1) != -524)
		return TC_ACT_UNSPEC;
	return skb->hash == 0x1234 && skb->pkt_type == type ? TC_ACT_OK : TC_ACT_UNSPEC;
}

char _license[] SEC("license") = "GPL";
