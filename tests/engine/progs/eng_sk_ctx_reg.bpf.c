// SPDX-License-Identifier: GPL-2.0
/*
 * The skb's socket loaded into the register that held the context
 * (r1 = *(u64 *)(r1 + 168)): the path that finds a socket must load it
 * through the context, not through the NULL the other path got.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: no socket (1, TC_ACT_OK); a socket is AF_INET6 or not (2).
 * 1 + 2 = 3, no errors. No map is used: every policy gives the same count.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define AF_INET6 10

SEC("tc")
int eng_sk_ctx_reg(struct __sk_buff *skb)
{
	struct bpf_sock *sk;

	/* the load must overwrite its own address register */
	asm volatile("%0 = *(u64 *)(%0 + %1)" : "=r"(sk) : "i"(__builtin_offsetof(struct __sk_buff, sk)), "0"(skb));
	if (!sk)
		return TC_ACT_OK;
	return sk->family == AF_INET6 ? TC_ACT_SHOT : TC_ACT_PIPE;
}

char _license[] SEC("license") = "GPL";
