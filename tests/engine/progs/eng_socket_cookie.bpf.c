// SPDX-License-Identifier: GPL-2.0
/*
 * get_socket_cookie in tc, which the helper table gives every program type
 * whose func_proto has it:
 * the cookie of the packet's socket is a recorded nondeterministic value;
 * the program compares the two calls' cookies (the same socket's).
 *
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths (each call's value is an input of its own, in call order):
 *   the first cookie is 42                                       TC_ACT_SHOT
 *   it is not, the second differs from it                        TC_ACT_PIPE
 *   it is not, the second is the same                            TC_ACT_OK
 * 3 paths.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_socket_cookie(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);

	if (cookie == 42)
		return TC_ACT_SHOT;
	return bpf_get_socket_cookie(skb) != cookie ? TC_ACT_PIPE : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
