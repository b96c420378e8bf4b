/* SPDX-License-Identifier: MIT */
/*
 * What the tracing helpers' concrete (kprobe_helpers.c) and symbolic
 * (kprobe_sym.c) sides share: the address space their reads check against
 * and the kernel's limits.
 */
#ifndef MHSE_KPROBE_H
#define MHSE_KPROBE_H

#include <linux/bpf.h>
#include "mem.h"

/* x86-64, 4-level paging: user space ends at TASK_SIZE_MAX; a kernel read
 * takes canonical addresses above it only (copy_from_kernel_nofault_allowed). */
#define USER_SPACE_END UINT64_C(0x00007ffffffff000)
#define KERNEL_SPACE_START UINT64_C(0xffff800000000000)
/* Addresses of mhse's regions (mem.h), as far as any run numbers them:
 * the program's own kernel memory, never user memory. */
#define REGION_SPACE_END MEM_REGION_SPACE_END
#define TASK_COMM_LEN 16
#define STACKID_FLAGS (BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID)

enum probe_space { PROBE_KERNEL, PROBE_USER, PROBE_COMPAT };

/* The probe_read family: each helper's address space and whether it reads
 * a string, X(name, space, str) for each. */
#define PROBE_READ_HELPERS(X)                        \
	X(probe_read, PROBE_COMPAT, false)           \
	X(probe_read_str, PROBE_COMPAT, true)        \
	X(probe_read_kernel, PROBE_KERNEL, false)    \
	X(probe_read_kernel_str, PROBE_KERNEL, true) \
	X(probe_read_user, PROBE_USER, false)        \
	X(probe_read_user_str, PROBE_USER, true)

#endif
