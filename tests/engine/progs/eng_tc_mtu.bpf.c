// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_check_mtu against the test run's device, the loopback (ifindex 0 or
 * 1: MTU 65536, hard header 14 bytes), and against a device of the
 * machine's (ifindex 1000, whose answer is a nondeterministic input; the
 * test run's netns has no such device and answers -ENODEV).
 *
 * expect policy=consistent paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=6 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: (a) the packet's length plus 64550 is within 65536 + 14 for a
 * packet of at most 1000 bytes; a longer one is FRAG_NEEDED with the MTU
 * written back: 1 + (65536 >> 16) = TC_ACT_SHOT (1). (b) An unknown flag
 * (2), checked first, is -EINVAL whatever the rest. BPF_MTU_CHK_SEGS with
 * an L3 length given (mark, not 0) is -EINVAL too, which leaves the length
 * as it was: TC_ACT_QUEUED + (mark - mark) (1); without one (mark 0) the packet fits
 * and the program goes on. (c) With priority as the L3 length (0: the
 * packet's), priority + 14 is compared as an int: FRAG_NEEDED from 65537
 * to 0x7ffffff1 gives TC_ACT_PIPE (1); a success with a priority over
 * 65536 (a sum that wrapped negative) gives TC_ACT_STOLEN (1); else on.
 * (d) ifindex 1000: -ENODEV gives TC_ACT_TRAP (1); SUCCESS or FRAG_NEEDED
 * give TC_ACT_REPEAT + 0 or 1, one path since only the return value
 * differs (1). 1 + 1 + 2 + 2 = 6. No map is used: every policy gives the
 * same count.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define LOOPBACK_FITS_TO 1000
#define ENODEV 19

SEC("tc")
int eng_tc_mtu(struct __sk_buff *skb)
{
	__u32 mtu_len = 0, priority = skb->priority;
	long rc;

	rc = bpf_check_mtu(skb, 0, &mtu_len, 65536 + 14 - LOOPBACK_FITS_TO, 0);
	if (rc)
		return rc + (mtu_len >> 16);
	rc = bpf_check_mtu(skb, 0, &mtu_len, 0, 2) + 22;
	mtu_len = skb->mark;
	rc += bpf_check_mtu(skb, 1, &mtu_len, 0, BPF_MTU_CHK_SEGS);
	if (rc)
		return TC_ACT_QUEUED + (mtu_len - skb->mark);
	mtu_len = priority;
	rc = bpf_check_mtu(skb, 0, &mtu_len, 0, 0);
	if (rc)
		return TC_ACT_PIPE;
	if (priority > 65536)
		return TC_ACT_STOLEN;
	mtu_len = 0;
	rc = bpf_check_mtu(skb, 1000, &mtu_len, 0, 0);
	return rc == -ENODEV ? TC_ACT_TRAP : TC_ACT_REPEAT + rc;
}

char _license[] SEC("license") = "GPL";
