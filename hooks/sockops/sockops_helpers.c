// SPDX-License-Identifier: MIT
/*
 * sock_ops's own helpers. What the kernel's socket does with an option is
 * outside the program: setsockopt's result is a nondeterministic input,
 * recorded in the test. sock_ops_cb_flags_set changes what the context's
 * bpf_sock_ops_cb_flags reads afterwards, as the kernel's does
 * (net/core/filter.c).
 */
#include <errno.h>
#include "helpers.h"
#include "vm_internal.h"

static int sockops_setsockopt(struct mhse_vm *vm, uint64_t *regs)
{
	if (!mhse_vm__mem(vm, regs[4], (uint32_t)regs[5], false))
		return -1;
	regs[0] = mhse_vm__nondet(vm);
	return 0;
}

static int sockops_cb_flags_set(struct mhse_vm *vm, uint64_t *regs)
{
	uint8_t *fullsock = vm_ctx_field(vm, "is_fullsock"), *flags = vm_ctx_field(vm, "bpf_sock_ops_cb_flags");
	int32_t argval = (int32_t)regs[2];

	if (!fullsock || !flags || !mem_load_le(fullsock, 4)) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	mem_store_le(flags, 4, (uint32_t)(argval & BPF_SOCK_OPS_ALL_CB_FLAGS));
	regs[0] = (uint64_t)(int64_t)(argval & ~BPF_SOCK_OPS_ALL_CB_FLAGS);
	return 0;
}

static const struct helper_impl sockops_helpers[] = {
	{ BPF_FUNC_setsockopt, sockops_setsockopt },
	{ BPF_FUNC_sock_ops_cb_flags_set, sockops_cb_flags_set },
};

const struct helper_module helpers_sockops = { "sockops", sockops_helpers,
					       sizeof(sockops_helpers) / sizeof(sockops_helpers[0]), NULL };
