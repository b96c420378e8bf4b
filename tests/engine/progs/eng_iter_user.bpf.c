// SPDX-License-Identifier: GPL-2.0
/*
 * A sleepable task iterator that reads the task's user memory
 * (copy_from_user_task) and checks a weak kfunc's existence first, as
 * programs written for several kernels do: the kernel mhse models has no
 * kfunc, so the check reads 0, as libbpf gives a weak symbol the kernel
 * lacks, and the call is never made.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=95.45
 * expect policy=alloc      paths=4 errors=0 unsupported=0 insn_coverage=95.45
 * expect policy=lookup     paths=4 errors=0 unsupported=0 insn_coverage=95.45
 * expect policy=concrete   paths=4 errors=0 unsupported=0 insn_coverage=95.45
 *
 * Counting: no task (1); the read faults, -EFAULT (1); it does not, and the
 * first byte is 'x' or not (2): 4 paths. The kfunc call is the one
 * instruction never run (21 of 22).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "iter_task.h"

extern void bpf_rcu_read_lock(void) __ksym __weak;

SEC("iter.s/task")
int eng_iter_user(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	char buf[8] = {};

	if (!task)
		return 0;
	if (bpf_rcu_read_lock)
		bpf_rcu_read_lock();
	if (bpf_copy_from_user_task(buf, sizeof(buf), (void *)0x10000, task, 0))
		return 0;
	return buf[0] == 'x';
}

char _license[] SEC("license") = "GPL";
