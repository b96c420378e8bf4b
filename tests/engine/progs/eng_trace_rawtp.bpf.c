// SPDX-License-Identifier: GPL-2.0
/*
 * A raw tracepoint on sched_switch (args: preempt, prev, next) that keeps,
 * per CPU, the pid of the task switched to, read from the task through
 * probe_read_kernel; a preempting switch signals the current thread
 * instead, and returns what the signal gave; a switch to no task reads
 * nothing. The kernel referees the tests whose path no recorded helper
 * value decides (BPF_PROG_TEST_RUN takes the arguments as ctx_in).
 *
 * expect policy=consistent paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=5 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: a preempting switch (args[0] != 0) returns send_signal_thread's
 * result, whatever it is (1 path); a NULL next returns 3 (1 path, the one
 * the kernel replays: every other path carries a recorded helper value);
 * the read through next fails, for a fault or an address outside kernel
 * space (1 path), or gives the pid; the CPU is at most 3, a slot of the
 * array (1 path, written), or past it (a NULL lookup, 1 path). 1 + 1 + 1 + 2 = 5, under every policy: an array slot
 * in range is always there.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} last_pid SEC(".maps");

#define TASK_PID_OFFSET 1000
#define SIGSTOP 19

SEC("raw_tracepoint/sched_switch")
int eng_trace_rawtp(struct bpf_raw_tracepoint_args *ctx)
{
	char *next = (char *)ctx->args[2];
	__u32 pid, cpu, *slot;

	if (ctx->args[0])
		return bpf_send_signal_thread(SIGSTOP);
	if (!next)
		return 3;
	if (bpf_probe_read_kernel(&pid, sizeof(pid), next + TASK_PID_OFFSET))
		return 1;
	cpu = bpf_get_smp_processor_id();
	slot = bpf_map_lookup_elem(&last_pid, &cpu);
	if (!slot)
		return 2;
	*slot = pid;
	return 0;
}

char _license[] SEC("license") = "GPL";
