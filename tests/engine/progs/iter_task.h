/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The task iterator's context as vmlinux.h declares it (CO-RE,
 * preserve_access_index), for the engine's iterator test programs.
 */
#ifndef ITER_TASK_H
#define ITER_TASK_H

#include <linux/types.h>

struct bpf_iter_meta {
	void *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

#endif
