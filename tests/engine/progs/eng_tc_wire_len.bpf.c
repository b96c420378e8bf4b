// SPDX-License-Identifier: GPL-2.0
/*
 * tc's wire_len: the test's value, or the packet length when the test gives
 * 0 (as the kernel's test run fills it). A value only the test can give (a
 * wire_len above the length of a short packet) must be written into the
 * test, though the field the program reads is computed from it.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: a packet of 100 bytes or more passes (1); a shorter one has a
 * wire_len of 100, which only the test's wire_len can give (1), or not (1).
 * 1 + 2 = 3. No map is used: every policy gives the same count.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_tc_wire_len(struct __sk_buff *skb)
{
	if (skb->len >= 100)
		return TC_ACT_OK;
	return skb->wire_len == 100 ? TC_ACT_SHOT : TC_ACT_PIPE;
}

char _license[] SEC("license") = "GPL";
