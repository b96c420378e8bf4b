// SPDX-License-Identifier: GPL-2.0
/*
 * A kprobe that counts calls per process when the second argument is set:
 * the shape of most tracing counters. The hook is the section's (kprobe), the
 * context x86-64 pt_regs, every register an input.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=2 errors=0 unsupported=0
 *
 * Counting: the second argument (rsi, the spec's si) is 0 (1 path), or not, and then the
 * process's counter is present (incremented in place) or absent (created
 * with 1): 3 paths. The map starts empty under concrete: the counter is
 * always absent, so 2 paths, and the increment is never reached.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("kprobe/do_sys_openat2")
int eng_kprobe(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *cnt;

	if (!ctx->rsi)
		return 0;
	cnt = bpf_map_lookup_elem(&calls, &pid);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&calls, &pid, &one, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
