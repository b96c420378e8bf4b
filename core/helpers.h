/* SPDX-License-Identifier: MIT */
/*
 * Helper functions, by table. Generic helpers live in core/helpers.c; what
 * only one program type has lives in hooks/<name>/ in a table of its own,
 * the way the kernel keeps per-type func_proto tables outside the verifier.
 * A spec file names, per helper, the module that implements it.
 */
#ifndef MHSE_HELPERS_H
#define MHSE_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's own "operation not supported" (helpers return it; the uapi
 * errno.h does not have it). */
#define ENOTSUPP 524

struct mhse_vm;

/* Runs the helper on regs[1..5] and sets regs[0]. Returns 0, or -1 after
 * recording why the run stops with mhse_vm__fail. */
typedef int (*helper_fn)(struct mhse_vm *vm, uint64_t *regs);

struct helper_impl {
	int32_t id;
	helper_fn run;
};

struct helper_module {
	const char *name;                 /* "core", "xdp", "tc", ... as spec files name it */
	const struct helper_impl *helpers;
	size_t cnt;
	/* Derives context fields from the packet the way the kernel does when it
	 * builds the context (skb->protocol from the Ethernet header); optional. */
	void (*prepare_ctx)(struct mhse_vm *vm);
};

extern const struct helper_module helpers_core;
extern const struct helper_module helpers_xdp;
extern const struct helper_module helpers_tc;
extern const struct helper_module helpers_sockops;
extern const struct helper_module helpers_kprobe;
extern const struct helper_module helpers_sock;
extern const struct helper_module helpers_sockmap;
extern const struct helper_module helpers_sk_lookup;

/* Whether helper id may change the packet, so that the program's packet
 * pointers die with the call: the verifier's bpf_helper_changes_pkt_data
 * list, enforced by the interpreter and the engine before the helper runs. */
bool helper_changes_packet(int32_t id);

/* The module of that name, or NULL. */
const struct helper_module *helper_module_find(const char *name);
/* The implementation of id in module, or NULL. */
const struct helper_impl *helper_module_lookup(const struct helper_module *mod, int32_t id);

#endif
