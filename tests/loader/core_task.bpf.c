// SPDX-License-Identifier: GPL-2.0
/*
 * task_struct fields read the CO-RE way, for the running kernel's
 * /sys/kernel/btf/vmlinux: core_libbpf.c checks that mhse patches them as
 * libbpf does (offsets from the kernel's BTF, a nested read through
 * real_parent, a field size, an existence check of the field kernels before
 * 5.14 had instead of __state, with its flavour type).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

struct task_struct___pre_5_14 {
	long state;
} __attribute__((preserve_access_index));

SEC("kprobe/do_nanosleep")
int task_fields(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	long state;

	if (bpf_core_field_exists(((struct task_struct___pre_5_14 *)task)->state))
		state = BPF_CORE_READ((struct task_struct___pre_5_14 *)task, state);
	else
		state = BPF_CORE_READ(task, __state);
	return BPF_CORE_READ(task, pid) + BPF_CORE_READ(task, real_parent, tgid) + BPF_CORE_READ(task, flags) +
	       bpf_core_field_size(task->comm) + state;
}

char _license[] SEC("license") = "GPL";
