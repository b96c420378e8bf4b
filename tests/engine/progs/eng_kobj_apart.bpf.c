// SPDX-License-Identifier: GPL-2.0
/*
 * Two kernel objects a tp_btf program reads (the current task's mm and the
 * file it executes) lie apart: their pointers are equal only when both
 * are NULL, and never within the 1 MiB each object's window spans, while
 * their low bits and their order stay the solver's to choose.
 *
 * expect policy=consistent paths=5 errors=0 unsupported=0
 * expect policy=alloc paths=5 errors=0 unsupported=0
 * expect policy=lookup paths=5 errors=0 unsupported=0
 * expect policy=concrete paths=5 errors=0 unsupported=0
 *
 * Counting: mm is NULL, and exe_file read through it is zero: the two are
 * equal (return 1). mm is not NULL and exe_file is (return 2). Both are
 * objects: never within 1 MiB of each other (never 3); mm's pointer has a
 * low bit set (return 4) or not, and lies below the file's (return 5) or
 * above it (return 0). 5 paths, under every policy (no maps).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct file {
	unsigned int f_flags;
} __attribute__((preserve_access_index));

struct mm_struct {
	struct file *exe_file;
} __attribute__((preserve_access_index));

struct task_struct {
	struct mm_struct *mm;
} __attribute__((preserve_access_index));

SEC("tp_btf/sched_process_exec")
int eng_kobj_apart(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	struct file *exe = mm->exe_file;
	unsigned long a = (unsigned long)mm, b = (unsigned long)exe;
	unsigned int flags = exe->f_flags;

	/* read before the branches: from here on the file is an object too */
	asm volatile("" : : "r"(flags));

	if (a == b)
		return 1;
	if (!a || !b)
		return 2;
	if (a - b < (1ul << 20) || b - a < (1ul << 20))
		return 3;
	if (a & 7)
		return 4;
	return a < b ? 5 : 0;
}

char LICENSE[] SEC("license") = "GPL";
