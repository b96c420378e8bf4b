// SPDX-License-Identifier: GPL-2.0
/*
 * A tracepoint on openat's entry that reports each call: the record's
 * common header gives the pid, the syscall's second argument the user
 * pointer to the file name, the task's address a word read from the task
 * (its parent, say). The event is built in a per-CPU scratch value and
 * sent to a perf buffer, as most tracepoint tools do.
 *
 * expect policy=consistent paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=6 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: pid 0 (the idle task) is skipped (1 path); the scratch slot is
 * index 0 of a one-entry array, present under every policy (no fork); the
 * file name read fails or is empty (n <= 0: 1 path) or is not; the read
 * through the task's address fails (1 path, ppid zeroed) or gives the
 * word (1 path), and both emit the event, which the perf buffer takes or,
 * full, loses (2 paths each). 1 + 1 + 2 * 2 = 6.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* the record of syscalls/sys_enter_openat */
struct sys_enter_openat {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s64 syscall_nr;
	__u64 dfd;
	__u64 filename;
	__u64 flags;
	__u64 mode;
};

struct event {
	__u32 pid;
	__u32 ppid;
	__u64 cgroup;
	__u64 task;
	char name[24];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

#define TASK_PARENT_PID_OFFSET 2000

SEC("tracepoint/syscalls/sys_enter_openat")
int eng_trace_tp(struct sys_enter_openat *ctx)
{
	__u32 zero = 0;
	struct event *ev;
	long n;

	if (!ctx->common_pid)
		return 0;
	ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return 0;
	ev->pid = ctx->common_pid;
	ev->cgroup = bpf_get_current_cgroup_id();
	ev->task = bpf_get_current_task();
	n = bpf_probe_read_user_str(ev->name, sizeof(ev->name), (void *)ctx->filename);
	if (n <= 0)
		return 0;
	if (bpf_probe_read_kernel(&ev->ppid, sizeof(ev->ppid), (void *)(ev->task + TASK_PARENT_PID_OFFSET)))
		ev->ppid = 0;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, ev, sizeof(*ev));
	return 0;
}

char _license[] SEC("license") = "GPL";
