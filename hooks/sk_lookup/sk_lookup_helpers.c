// SPDX-License-Identifier: MIT
/*
 * sk_lookup's bpf_sk_assign in the interpreter (rules in sk_lookup.h).
 */
#include <errno.h>
#include <string.h>
#include "helpers.h"
#include "sk_lookup.h"
#include "sock.h"
#include "vm_internal.h"

static int sk_lookup_sk_assign(struct mhse_vm *vm, uint64_t *regs)
{
	if (regs[2])
		return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "sk_assign of a socket in sk_lookup is not modelled");
	if (sock_ctx_socket(vm->obj, vm->hook))
		return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED,
				     "sk_assign in an sk_lookup program that reads the selected socket is not modelled");
	/* no earlier selection: NULL is selected */
	regs[0] = sk_lookup_assign_flags_ok(regs[3]) ? 0 : (uint64_t)-EINVAL;
	return 0;
}

static void sk_lookup_prepare_ctx(struct mhse_vm *vm)
{
	const uint8_t *family = vm_ctx_field(vm, "family");

	for (const char *const *name = sk_lookup_zero_fields(family ? mem_load_le(family, 4) : 0); *name; name++) {
		const struct ctx_field *f = mhse_hook__field(vm->hook, *name);

		if (f)
			memset(vm_ctx_field(vm, f->name), 0, f->size * f->count);
	}
}

#define HELPER(name, contexts, concrete, symbolic) { BPF_FUNC_##name, contexts, concrete },
static const struct helper_impl sk_lookup_helpers[] = {
#include "sk_lookup_helper_list.h"
};
#undef HELPER

const struct helper_module helpers_sk_lookup = { "sk_lookup", sk_lookup_helpers,
						 sizeof(sk_lookup_helpers) / sizeof(sk_lookup_helpers[0]),
						 sk_lookup_prepare_ctx };
