// SPDX-License-Identifier: MIT
/*
 * The socket-map verdict helpers in the interpreter (rules in sockmap.h).
 */
#include "helpers.h"
#include "maps.h"
#include "mem.h"
#include "object.h"
#include "sockmap.h"
#include "vm_internal.h"

static int redirect(struct mhse_vm *vm, uint64_t *regs, int32_t helper)
{
	struct map_state *ms = vm_map(vm, regs[2]);
	uint32_t type = sockmap_redirect_map_type(helper);
	bool held;

	if (!ms)
		return -1;
	if (ms->def->type != type)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "%s on %s map %s", helper_name(helper),
				     mhse_map_type__name(ms->def->type), ms->def->name);
	if (type == BPF_MAP_TYPE_SOCKHASH && !mhse_vm__mem(vm, regs[3], ms->def->key_size, false))
		return -1;
	held = mhse_vm__nondet(vm) == 1;
	if (!sockmap_flags_ok(regs[4]) || (type == BPF_MAP_TYPE_SOCKMAP && (uint32_t)regs[3] >= ms->def->max_entries))
		held = false;
	regs[0] = held ? SK_PASS : SK_DROP;
	return 0;
}

static int sockmap_msg_redirect_map(struct mhse_vm *vm, uint64_t *regs)
{
	return redirect(vm, regs, BPF_FUNC_msg_redirect_map);
}

static int sockmap_msg_redirect_hash(struct mhse_vm *vm, uint64_t *regs)
{
	return redirect(vm, regs, BPF_FUNC_msg_redirect_hash);
}

static int sockmap_sk_redirect_map(struct mhse_vm *vm, uint64_t *regs)
{
	return redirect(vm, regs, BPF_FUNC_sk_redirect_map);
}

static int sockmap_sk_redirect_hash(struct mhse_vm *vm, uint64_t *regs)
{
	return redirect(vm, regs, BPF_FUNC_sk_redirect_hash);
}

static int sockmap_msg_bytes(struct mhse_vm *vm, uint64_t *regs)
{
	(void)vm;
	regs[0] = 0;
	return 0;
}

#define HELPER(name, contexts, concrete, symbolic) { BPF_FUNC_##name, contexts, concrete },
static const struct helper_impl sockmap_helpers[] = {
#include "sockmap_helper_list.h"
};
#undef HELPER

const struct helper_module helpers_sockmap = { "sockmap", sockmap_helpers,
					       sizeof(sockmap_helpers) / sizeof(sockmap_helpers[0]), NULL };
