// SPDX-License-Identifier: GPL-2.0
/*
 * A tp_btf program that follows the current task to its memory map and to
 * the file it executes (task -> mm -> exe_file), with the kernel's types
 * declared here as vmlinux.h declares them (CO-RE, preserve_access_index).
 * Each pointer read from kernel memory names kernel memory of its own,
 * fresh bytes listed in the test by address; the same field read twice
 * gives the same bytes; a NULL pointer may be read through and gives zero.
 *
 * expect policy=consistent paths=5 errors=0 unsupported=0
 * expect policy=alloc paths=5 errors=0 unsupported=0
 * expect policy=lookup paths=5 errors=0 unsupported=0
 * expect policy=concrete paths=5 errors=0 unsupported=0
 *
 * Counting: the current task is never NULL. Its mm is NULL (a kernel
 * thread: 1 path) or not; the mm's exe_file is NULL (1 path) or not; the
 * file's flags have bit 0 set (1 path) or not; the chain read again gives
 * the same file (never 4), whose inode number is 0 (return 5: a NULL
 * inode, read through, gives zero, or an inode numbered 0) or not (return
 * 0): 2 paths. 5 paths, under every policy (no maps).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inode {
	unsigned long i_ino;
} __attribute__((preserve_access_index));

struct file {
	unsigned int f_flags;
	struct inode *f_inode;
} __attribute__((preserve_access_index));

struct mm_struct {
	unsigned long task_size;
	struct file *exe_file;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	struct mm_struct *mm;
} __attribute__((preserve_access_index));

SEC("tp_btf/sched_process_exec")
int eng_task_chain(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	struct file *exe;

	if (!mm)
		return 1;
	exe = mm->exe_file;
	if (!exe)
		return 2;
	if (exe->f_flags & 1)
		return 3;
	if (task->mm->exe_file != exe)
		return 4;
	/* no NULL check: through a NULL inode the kernel's fault fixup reads zero */
	return exe->f_inode->i_ino ? 0 : 5;
}

char LICENSE[] SEC("license") = "GPL";
