// SPDX-License-Identifier: GPL-2.0
/*
 * skb->cb[] as the kernel's bpf_skb_is_valid_access allows it: any size at
 * an offset aligned to it, inside cb[0..4], read and written, so 8 bytes
 * across cb[0] and cb[1], and 1 byte of cb[2].
 *
 * expect policy=consistent paths=1 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=1 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=1 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=1 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: cb[1] reads back the mark written into it with cb[0] and the
 * low byte of cb[2] the 9 written there, whatever the test run's cb was, so
 * the one path returns TC_ACT_OK.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_tc_cb(struct __sk_buff *skb)
{
	__u32 mark = skb->mark;

	*(volatile __u64 *)&skb->cb[0] = (__u64)mark << 32 | 7;
	*(volatile __u8 *)&skb->cb[2] = 9;
	if (*(volatile __u32 *)&skb->cb[0] != 7 || *(volatile __u32 *)&skb->cb[1] != mark)
		return TC_ACT_SHOT;
	return (*(volatile __u8 *)&skb->cb[2] == 9) ? TC_ACT_OK : TC_ACT_UNSPEC;
}

char _license[] SEC("license") = "GPL";
