// SPDX-License-Identifier: GPL-2.0
/*
 * A loop that outlasts the run's time budget: the path ends as a budget
 * test where the time ran out, in the middle of the loop, and its replay
 * must stop at the same instruction, though no instruction budget was near.
 *
 * expect policy=consistent max_time=1 max_insns=1000000000000 paths=1 errors=0 unsupported=0 budget=1
 *
 * Counting: nothing is symbolic, so there is one path, and 2^48 rounds of
 * the loop take far longer than a second: it is stopped by the time budget.
 * No map is used: the other policies would give the same.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_time_budget(struct xdp_md *ctx)
{
	volatile __u64 rounds = 0;

	do
		rounds++;
	while (rounds < 1ULL << 48);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
