// SPDX-License-Identifier: GPL-2.0
/*
 * A kprobe in the shape of most tracing tools: who calls, with what, from
 * which stack. It reads its own context through probe_read_kernel (as
 * libbpf's CO-RE register macros do), the task's comm, a word and a string
 * at addresses the probed function was passed, and a stack id it counts.
 *
 * expect policy=consistent paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=6 errors=0 unsupported=0
 *
 * Counting: the first argument copied from the context (di) is 0 (1 path)
 * or not; the comm starts with something else than 'b' (1 path) or with 'b';
 * the word at dx reads (0) or fails (-EFAULT for a fault, -ERANGE for an
 * address the kernel refuses: one branch side, 1 path); the string at si
 * is at most its NUL long, or failed (1 path: n <= 1), or longer; the stack
 * id is an error (1 path) or an id, which the counts map holds (incremented
 * in place) or not (created): 2 paths. 1 + 1 + 1 + 1 + 1 + 2 = 7. Under
 * concrete the map starts empty: the id is never there, 6 paths, and the
 * increment is never reached.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("kprobe/do_sys_openat2")
int eng_trace_kprobe(struct pt_regs *ctx)
{
	char comm[16], path[16];
	__u64 dfd, word, one = 1, *cnt;
	__u32 key;
	long n, id;

	bpf_probe_read_kernel(&dfd, sizeof(dfd), &ctx->rdi);
	if (!dfd)
		return 5;
	bpf_get_current_comm(comm, sizeof(comm));
	if (comm[0] != 'b')
		return 0;
	if (bpf_probe_read(&word, sizeof(word), (void *)ctx->rdx) < 0)
		return 1;
	n = bpf_probe_read_str(path, sizeof(path), (void *)ctx->rsi);
	if (n <= 1)
		return 2;
	id = bpf_get_stackid(ctx, &stacks, 0);
	if (id < 0)
		return 3;
	key = (__u32)id;
	cnt = bpf_map_lookup_elem(&counts, &key);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
	return 4;
}

char _license[] SEC("license") = "GPL";
