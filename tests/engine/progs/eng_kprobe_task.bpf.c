// SPDX-License-Identifier: GPL-2.0
/*
 * A kprobe program, whose context holds no kernel pointers, reading
 * through the one get_current_task_btf gives it (a BPF_PROBE_MEM load, as
 * the verifier makes of it in any program type): the task's fields are
 * kernel memory, fresh bytes listed in the test by address.
 *
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=2 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: the task's pid is 1 (return 1) or not (return 2 when its flags
 * have bit 21, PF_KTHREAD, set, else 0, which clang computes without a
 * branch): 2 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct {
	unsigned int flags;
	int pid;
} __attribute__((preserve_access_index));

SEC("kprobe/do_sys_openat2")
int eng_kprobe_task(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (task->pid == 1)
		return 1;
	return task->flags & 0x00200000 ? 2 : 0;
}

char _license[] SEC("license") = "GPL";
