// SPDX-License-Identifier: MIT
/*
 * What tracing programs (kprobes, tracepoints, raw tracepoints) have alone:
 * reading memory the program cannot reach (probe_read and its kernel, user
 * and string forms), the current task (its comm, its task_struct address)
 * and stack ids. Semantics are kernel/trace/bpf_trace.c's, with x86-64's
 * address space (4-level paging) deciding which addresses a read may take.
 *
 * Memory outside mhse's regions is the kernel memory the test gives by
 * address (zero where it gives none), and whether a read of it faults is a
 * nondeterministic input, taken in call order (0 or -EFAULT), so that a
 * test says what each read saw. An address inside mhse's
 * own regions (the stack, the context, a map value) is kernel memory the
 * program holds: a kernel read copies it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "insn.h"
#include "kprobe.h"
#include "vm_internal.h"

static bool in_region_space(uint64_t addr)
{
	return addr >= MEM_ADDR(0, 0) && addr < REGION_SPACE_END;
}

/* Does the kernel's address check let the read try (and maybe fault)? A
 * kernel read takes canonical kernel addresses (copy_from_kernel_nofault_allowed),
 * a user read user space (access_ok; strncpy_from_user checks the start only). */
static bool address_accepted(enum probe_space space, uint64_t src, uint32_t size, bool str)
{
	if (in_region_space(src))
		return space == PROBE_KERNEL;
	if (space == PROBE_KERNEL)
		return src >= KERNEL_SPACE_START;
	/* sizes are 32 bits: never past the end of user space on their own */
	return str ? src < USER_SPACE_END : src <= USER_SPACE_END - size;
}

/* The nondeterministic bytes of a read outside mhse's regions. */
static void nondet_bytes(struct mhse_vm *vm, uint8_t *out, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8) {
		uint64_t chunk = mhse_vm__nondet(vm);

		mem_store_le(out + i, size - i < 8 ? size - i : 8, chunk);
	}
}

/* strncpy_from_kernel_nofault: byte by byte up to the NUL or count bytes,
 * the last one copied made a NUL; the length copied. */
static int64_t kernel_strncpy(uint8_t *dst, const uint8_t *src, uint32_t count)
{
	uint32_t n = 0;

	do
		dst[n] = src[n];
	while (dst[n++] && n < count);
	dst[n - 1] = 0;
	return n;
}

/* strncpy_from_user_nofault on x86-64: whole words while count allows,
 * the word holding the NUL masked past it, then bytes; the length with the
 * NUL, count when truncated, and 0 for an empty string (6.1's quirk). */
static int64_t user_strncpy(uint8_t *dst, const uint8_t *src, uint32_t count)
{
	uint32_t res = 0;

	for (; count - res >= 8; res += 8) {
		const uint8_t *nul = memchr(src + res, 0, 8);

		if (nul) {
			uint32_t at = (uint32_t)(nul - (src + res));

			memcpy(dst + res, src + res, at);
			memset(dst + res + at, 0, 8 - at);
			return res + at ? res + at + 1 : 0;
		}
		memcpy(dst + res, src + res, 8);
	}
	for (; res < count; res++) {
		dst[res] = src[res];
		if (!src[res])
			return res ? res + 1 : 0;
	}
	dst[count - 1] = 0;
	return count;
}

static int probe_read(struct mhse_vm *vm, uint64_t *regs, enum probe_space space, bool str)
{
	uint32_t size = (uint32_t)regs[2];
	uint64_t src = regs[3];
	uint8_t *dst, *bytes, *buf = NULL;
	bool accepted;
	int64_t ret;

	if (space == PROBE_COMPAT)
		space = src < USER_SPACE_END && !in_region_space(src) ? PROBE_USER : PROBE_KERNEL;
	accepted = address_accepted(space, src, size, str);
	ret = space == PROBE_KERNEL ? -ERANGE : -EFAULT;
	if (!size) {
		/* strings of 0 bytes are not even checked */
		regs[0] = (uint64_t)(str || accepted ? 0 : ret);
		return 0;
	}
	dst = mhse_vm__mem(vm, regs[1], size, true);
	if (!dst)
		return -1;
	if (in_region_space(src)) {
		if (!accepted)
			goto fail;
		bytes = mhse_vm__mem(vm, src, size, false);
		if (!bytes)
			return -1;
	} else {
		uint64_t fault = mhse_vm__nondet(vm);

		buf = malloc(size);
		if (!buf)
			return mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory");
		mhse_vm__kernel_read(vm, src, buf, size);
		bytes = buf;
		if (!accepted)
			goto fail;
		ret = -EFAULT;
		if (fault)
			goto fail;
	}
	ret = 0;
	if (!str)
		memmove(dst, bytes, size);
	else
		ret = space == PROBE_KERNEL ? kernel_strncpy(dst, bytes, size) : user_strncpy(dst, bytes, size);
	free(buf);
	regs[0] = (uint64_t)ret;
	return 0;
fail:
	free(buf);
	memset(dst, 0, size);
	regs[0] = (uint64_t)ret;
	return 0;
}

#define PROBE_READ(name, space, str)                                        \
	static int helper_##name(struct mhse_vm *vm, uint64_t *regs)         \
	{                                                                    \
		return probe_read(vm, regs, space, str);                      \
	}
PROBE_READ_HELPERS(PROBE_READ)

/* bpf_copy_from_user_task: a user read from the task's memory, as
 * probe_read_user's, but 0 for a size of 0 whatever the address, and
 * -EINVAL for any flag. */
static int helper_copy_from_user_task(struct mhse_vm *vm, uint64_t *regs)
{
	if (regs[5] || !(uint32_t)regs[2]) {
		regs[0] = regs[5] ? (uint64_t)-EINVAL : 0;
		return 0;
	}
	return probe_read(vm, regs, PROBE_USER, false);
}

/* bpf_get_current_comm: strscpy of the task's comm (16 bytes, NULs past the
 * name) into size bytes: on x86-64 the same word-at-a-time copy as a user
 * string's, so bytes past the word holding the NUL stay as they were. */
static int helper_get_current_comm(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t size = (uint32_t)regs[2];
	uint8_t comm[TASK_COMM_LEN + 8] = { 0 }, *dst; /* a NUL word ends any copy */

	if (!size)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "get_current_comm of 0 bytes");
	dst = mhse_vm__mem(vm, regs[1], size, true);
	if (!dst)
		return -1;
	nondet_bytes(vm, comm, TASK_COMM_LEN);
	user_strncpy(dst, comm, size);
	regs[0] = 0;
	return 0;
}

/* The task's address: a kernel pointer the program can only pass on. */
static int helper_get_current_task(struct mhse_vm *vm, uint64_t *regs)
{
	regs[0] = mhse_vm__nondet(vm);
	return 0;
}

/* bpf_get_stackid: which id the stack gets, or whether it fails (-EFAULT,
 * -EEXIST, -ENOMEM), is the test's input, taken whatever the flags are so
 * that the engine need not know them; unknown flags fail first. */
static int helper_get_stackid(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms = vm_map(vm, regs[2]);
	uint64_t id;

	if (!ms)
		return -1;
	if (ms->def->type != BPF_MAP_TYPE_STACK_TRACE)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "get_stackid on %s map %s", mhse_map_type__name(ms->def->type),
				     ms->def->name);
	id = mhse_vm__nondet(vm);
	regs[0] = regs[3] & ~(uint64_t)STACKID_FLAGS ? (uint64_t)-EINVAL : id;
	return 0;
}

/* bpf_send_signal(_thread): whether the task may be signalled now (0,
 * -EPERM, or -EBUSY when the irq work is taken) is the test's input; an
 * invalid signal fails after -EPERM is ruled out. */
static int helper_send_signal(struct mhse_vm *vm, uint64_t *regs)
{
	int64_t verdict = (int64_t)mhse_vm__nondet(vm);

	regs[0] = (uint64_t)(verdict != -EPERM && (uint32_t)regs[1] > 64 ? -EINVAL : verdict);
	return 0;
}

#define HELPER(name, contexts, concrete, symbolic) { BPF_FUNC_##name, contexts, concrete },
static const struct helper_impl kprobe_helpers[] = {
#include "kprobe_helper_list.h"
};
#undef HELPER

const struct helper_module helpers_kprobe = { "kprobe", kprobe_helpers,
					      sizeof(kprobe_helpers) / sizeof(kprobe_helpers[0]), NULL };
