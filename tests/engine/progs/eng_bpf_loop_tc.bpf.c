// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_loop in tc: the callback runs once per iteration with (index, ctx)
 * and stops the loop early by returning 1; nr_loops is symbolic
 * (skb->priority & 3), the index to stop at too (skb->mark). bpf_loop
 * returns the iterations run. A count over BPF_MAX_LOOPS is -E2BIG and
 * flags other than 0 -EINVAL, on every path (no fork).
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

SEC("tc")
int eng_bpf_loop_tc(struct __sk_buff *skb)
{
	struct loop_ctx c = { .stop = skb->mark };
	long n;

	if (bpf_loop((1 << 23) + 1, iteration, &c, 0) != -7 /* -E2BIG */ ||
	    bpf_loop(1, iteration, &c, 1) != -22 /* -EINVAL */ || c.runs)
		return TC_ACT_UNSPEC;
	n = bpf_loop(skb->priority & 3, iteration, &c, 0);
	if (n != c.runs)
		return TC_ACT_UNSPEC;
	return n;
}

char _license[] SEC("license") = "GPL";
