/* SPDX-License-Identifier: MIT */
/*
 * What helper modules (core/helpers.c, hooks/<name>/) need of the
 * interpreter beyond its public header.
 */
#ifndef MHSE_VM_INTERNAL_H
#define MHSE_VM_INTERNAL_H

#include "interp.h"

/* Values that name a map or a function rather than memory (see interp.c). */
#define VM_PTR_INDEX_MASK UINT64_C(0xffffffff)
#define VM_MAP_PTR(idx) (UINT64_C(0xfffe000000000000) | (uint64_t)(idx))
#define VM_FUNC_PTR(insn) (UINT64_C(0xfffd000000000000) | (uint64_t)(insn))

/* The map a program value names, or NULL after recording the error. */
struct map_state *vm_map(struct mhse_vm *vm, uint64_t ptr);
/* The packet region (window [lo, hi) is the packet, lo - headroom .. cap the room around it). */
struct mem_region *vm_packet(struct mhse_vm *vm);
/* Host pointer to a context field by its spec name, or NULL. */
uint8_t *vm_ctx_field(struct mhse_vm *vm, const char *name);
/* Records an event of len bytes of data followed by more_len of more. */
int vm__emit(struct mhse_vm *vm, int32_t helper, uint32_t map, const uint8_t *data, uint32_t len,
	     const uint8_t *more, uint32_t more_len);
void vm__clear_events(struct mhse_vm *vm);
/* bpf_loop: runs the callback (a VM_FUNC_PTR) for iteration 0 of nr, in a
 * frame of its own whose exit runs the next. Returns 1, or -1 on error. */
int vm_loop_enter(struct mhse_vm *vm, uint64_t callback, uint32_t nr, uint64_t ctx);
/* Jumps to the program in slot index of a program array: 1 when it did, 0
 * when the slot is empty or the limit is reached (the program goes on), -1 on error. */
int vm_tail_call(struct mhse_vm *vm, uint64_t map_ptr, uint64_t index);

#endif
