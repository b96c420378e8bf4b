// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_loop in a tracing (fentry) program: nr_loops is the traced
 * function's first argument & 3, the index to stop at its second; the
 * callback counts its iterations in the caller's stack, and the program
 * returns bpf_loop's result plus 10 times the count the callback kept (the
 * two agree).
 *
 * expect policy=alloc paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=7 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths (n = nr_loops, s = the index to stop at):
 *   n = 0: no iteration                                              0
 *   n > 0, s = 0: iteration 0 stops the loop                        11
 *   n = 1, s != 0                                                   11
 *   n > 1, s = 1: iteration 1 stops it                              22
 *   n = 2, s != 0, 1                                                22
 *   n = 3, s = 2: iteration 2 stops it                              33
 *   n = 3, s != 0, 1, 2                                             33
 * 7 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	__u64 stop;
	__u32 runs;
};

static long iteration(__u32 index, void *data)
{
	struct loop_ctx *c = data;

	c->runs++;
	return index == c->stop;
}

SEC("fentry/bpf_fentry_test2")
int eng_bpf_loop_trace(unsigned long long *ctx)
{
	struct loop_ctx c = { .stop = ctx[1] };
	long n = bpf_loop(ctx[0] & 3, iteration, &c, 0);

	return n + 10 * c.runs;
}

char _license[] SEC("license") = "GPL";
