// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_loop in tc: the callback runs once per iteration with (index, ctx)
 * and stops the loop early by returning 1; nr_loops is symbolic
 * (skb->priority & 3), the index to stop at too (skb->mark). bpf_loop
 * returns the iterations run. Flags other than 0 are -EINVAL and a count
 * over BPF_MAX_LOOPS -E2BIG, on every path (no fork).
 *
 * The helper reads the low 32 bits of nr_loops. Where the verifier inlines
 * the call (flags 0 and one callback wherever it is reached), the loop it
 * writes compares all 64 and sets -E2BIG by a 32-bit move: 0xfffffff9. A
 * global function is verified apart from its callers, so its flags are
 * unknown there and its call stays a call of the helper. bpf_loop64 passes
 * all 64 bits, which the helper's u32 prototype would cut.
 *
 * expect policy=alloc paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=7 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths (n = nr_loops, s = mark; the return value is what bpf_loop returned):
 *   n = 0: no iteration                                             0
 *   n > 0, s = 0: iteration 0 stops the loop                         1
 *   n = 1, s != 0                                                    1
 *   n > 1, s = 1: iteration 1 stops it                               2
 *   n = 2, s != 0, 1                                                 2
 *   n = 3, s = 2: iteration 2 stops it                               3
 *   n = 3, s != 0, 1, 2                                              3
 * 7 paths.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	__u32 stop;
	__u32 runs;
};

static long iteration(__u32 index, void *data)
{
	struct loop_ctx *c = data;

	c->runs++;
	return index == c->stop;
}

static long (*bpf_loop64)(__u64 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags) = (void *)BPF_FUNC_loop;

__noinline long loop_with_flags(__u64 nr_loops, __u64 flags)
{
	struct loop_ctx c = {};

	return bpf_loop64(nr_loops, iteration, &c, flags);
}

SEC("tc")
int eng_bpf_loop_tc(struct __sk_buff *skb)
{
	struct loop_ctx c = { .stop = skb->mark };
	long n;

	if (bpf_loop64((1ull << 32) + 1, iteration, &c, 0) != 0xfffffff9 /* inlined: -E2BIG in 32 bits */ ||
	    loop_with_flags((1 << 23) + 1, 0) != -7 /* -E2BIG */ || loop_with_flags(1ull << 32, 0) != 0 ||
	    bpf_loop(1, iteration, &c, 1) != -22 /* -EINVAL */ || c.runs)
		return TC_ACT_UNSPEC;
	n = bpf_loop(skb->priority & 3, iteration, &c, 0);
	if (n != c.runs)
		return TC_ACT_UNSPEC;
	return n;
}

char _license[] SEC("license") = "GPL";
