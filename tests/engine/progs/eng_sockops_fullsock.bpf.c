// SPDX-License-Identifier: GPL-2.0
/*
 * Reads of struct bpf_sock_ops that the kernel ties together: without a
 * full socket (a request socket, state NEW_SYN_RECV) the tcp_sock fields
 * read 0; RTT_CB runs only on a full socket that asked for it
 * (BPF_SOCK_OPS_RTT_CB_FLAG); only callbacks with a segment see a skb_len.
 *
 * expect policy=consistent paths=8 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=8 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=8 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=8 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: snd_cwnd != 0 needs a full socket, state NEW_SYN_RECV needs
 * one that is not: three ways through the first two tests (not full; full
 * with snd_cwnd 0; full with snd_cwnd set), where independent fields would
 * give four. Without a full socket op cannot be RTT_CB, and the op (one of
 * TIMEOUT_INIT, RWND_INIT, NEEDS_ECN and the header-option callbacks) may
 * run with a segment or without: 2 paths. With one, op is RTT_CB, whose
 * flag is then always set and which has no segment (1 path), or another op,
 * with a segment or without (2 paths): 2 x 3 = 6. 2 + 6 = 8. No map is used,
 * so every policy gives the same count.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sockops")
int eng_sockops_fullsock(struct bpf_sock_ops *skops)
{
	__u32 seen = 0;

	if (skops->snd_cwnd)
		seen |= 1;
	if (skops->state == BPF_TCP_NEW_SYN_RECV)
		seen |= 2;
	if (skops->op == BPF_SOCK_OPS_RTT_CB && (skops->bpf_sock_ops_cb_flags & BPF_SOCK_OPS_RTT_CB_FLAG))
		seen |= 4;
	if (skops->skb_len)
		seen |= 8;
	skops->reply = seen;
	return 1;
}

char _license[] SEC("license") = "GPL";
