// SPDX-License-Identifier: GPL-2.0
/*
 * A task iterator on the iter spec: the context's pointers are inputs (the
 * task NULL on the iterator's last call), the context is read-only, and the
 * return domain is 0..1.
 *
 * expect policy=consistent paths=4 errors=2 unsupported=0
 * expect policy=alloc paths=4 errors=2 unsupported=0
 * expect policy=lookup paths=4 errors=2 unsupported=0
 * expect policy=concrete paths=4 errors=2 unsupported=0
 *
 * Counting: no task (1); a task pointer that is not 8-aligned returns 2,
 * outside the domain (1 error); task 8 writes the context (1 error); any
 * other returns a random bit, 0 or 1, in the domain either way (1).
 * 4 paths, 2 errors. No map is used.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "iter_task.h"

SEC("iter/task")
int eng_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	if ((unsigned long)task & 7)
		return 2;
	if ((unsigned long)task == 8) {
		ctx->task = 0;
		return 0;
	}
	return bpf_get_prandom_u32() & 1;
}

char _license[] SEC("license") = "GPL";
