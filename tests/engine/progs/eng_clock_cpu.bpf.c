// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's rules for nondeterministic helper results: ktime_get_ns is
 * monotonic, and the CPU is one for the whole run (a program runs with
 * migration disabled), so two readings are related inputs, not free ones.
 * The kernel referee runs every test: the loaded program reads the test's
 * results in place of the calls (kernel_referee.sh --replayable).
 *
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100 branch_coverage=75
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100 branch_coverage=75
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100 branch_coverage=75
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100 branch_coverage=75
 *
 * Paths:
 *   the second reading is earlier than the first          never: monotonic
 *   the second CPU id differs from the first               never: one CPU
 *   more than 1000 ns between the readings                 XDP_DROP
 *   at most 1000 ns, on CPU 1                              XDP_TX
 *   at most 1000 ns, on another CPU                        XDP_PASS
 * 3 paths; the two never-taken branches are a quarter of the branch sides.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_clock_cpu(struct xdp_md *ctx)
{
	__u64 start = bpf_ktime_get_ns();
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 end = bpf_ktime_get_ns();

	if (end < start)
		return XDP_ABORTED;
	if (bpf_get_smp_processor_id() != cpu)
		return XDP_ABORTED;
	if (end - start > 1000)
		return XDP_DROP;
	return cpu == 1 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
