// SPDX-License-Identifier: GPL-2.0
/*
 * The skb's socket in tc: NULL or a sock_common, the same on every read of
 * a path; sk_fullsock and get_listener_sock decided by its state; a read
 * before the check against NULL, and a read of a field a sock_common does
 * not have, are errors (the verifier refuses both).
 *
 * expect policy=consistent paths=10 errors=2 unsupported=0 insn_coverage=96.55
 * expect policy=alloc paths=10 errors=2 unsupported=0 insn_coverage=96.55
 * expect policy=lookup paths=10 errors=2 unsupported=0 insn_coverage=96.55
 * expect policy=concrete paths=10 errors=2 unsupported=0 insn_coverage=96.55
 *
 * Counting: mark 8 reads family with no check: no socket is an error (1),
 * a socket is AF_INET6 or AF_INET (2). Otherwise: no socket (1, TC_ACT_OK);
 * with one, mark 7 reads type, an error (1); any other mark asks for the
 * full socket: a full one is UDP or not (2); one that is not full is a
 * TIME_WAIT socket, which has no listener (1), or a request socket, whose
 * listener still listens or has closed (2). 3 + 1 + 1 + 2 + 3 = 10, of
 * which 2 errors. No map is used, so every policy gives the same count.
 * The jump after the refused read of type never runs: 28 of 29 instructions.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define AF_INET6 10

SEC("tc")
int eng_sk_ctx(struct __sk_buff *skb)
{
	struct bpf_sock *sk, *full;

	if (skb->mark == 8)
		return skb->sk->family == AF_INET6 ? TC_ACT_OK : TC_ACT_SHOT;
	sk = skb->sk;
	if (!sk)
		return TC_ACT_OK;
	if (skb->mark == 7)
		return sk->type;
	full = bpf_sk_fullsock(sk);
	if (!full)
		return bpf_get_listener_sock(sk) ? TC_ACT_STOLEN : TC_ACT_SHOT;
	return full->protocol == IPPROTO_UDP ? TC_ACT_PIPE : TC_ACT_RECLASSIFY;
}

char _license[] SEC("license") = "GPL";
