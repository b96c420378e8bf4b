/* SPDX-License-Identifier: MIT */
/*
 * Edits of the packet that helpers of several hooks share, in the
 * interpreter and in the engine alike: bytes inserted or removed at an
 * offset, the packet cut or grown at its end, and the invalidation of the
 * packet pointers a program holds.
 *
 * The kernel's verifier forgets every packet pointer (registers and stack
 * spills, in every frame) after a helper that may change the packet
 * (bpf_helper_changes_pkt_data): the program must load data and data_end
 * from the context again. Here a pointer the helper invalidates becomes a
 * value that names no region, PKT_STALE_BASE plus its old offset, so that a
 * program dereferencing it takes an error path, never the old bytes.
 * The interpreter and the engine invalidate before every helper
 * helper_changes_packet names runs, and leave r1-r5 alone: they are the
 * call's arguments (which may point into the packet), and the call
 * clobbers them for the program.
 */
#ifndef MHSE_PACKET_EDIT_H
#define MHSE_PACKET_EDIT_H

#include <stdbool.h>
#include <stdint.h>
#include "engine_internal.h"
#include "interp.h"

#define PKT_STALE_BASE UINT64_C(0xfffc000000000000)

static inline bool pkt_ptr_is_stale(uint64_t v)
{
	return (v & ~UINT64_C(0xffffffff)) == PKT_STALE_BASE;
}

/* Interpreter: every packet pointer in r0 and r6-r10, saved registers and
 * stack slots becomes stale. */
void vm_packet_invalidate(struct mhse_vm *vm);
/* Interpreter: at bytes from the packet data, delta > 0 zero bytes are
 * inserted or -delta bytes removed (the caller checked the bounds).
 * Returns 0 or -ENOMEM. */
int vm_packet_splice(struct mhse_vm *vm, uint32_t at, int32_t delta);
/* Interpreter: the packet becomes len bytes long, zeroes after its old end.
 * Returns 0 or -ENOMEM. */
int vm_packet_set_len(struct mhse_vm *vm, uint32_t len);

/* Engine counterparts, on s's packet array. */
enum step engine__packet_invalidate(struct mhse_engine *e, struct state *s);
enum step engine__packet_splice(struct mhse_engine *e, struct state *s, uint32_t at, int32_t delta);
/* len: a 64-bit term, or a number. */
enum step engine__packet_set_len(struct mhse_engine *e, struct state *s, struct sval len);
/* Engine: the len bytes at program address src into the packet array from
 * index at (a 64-bit term) on, and len packet bytes from at on to program
 * address dst, as load/store_bytes helpers copy once they checked the
 * bounds. */
enum step engine__packet_store(struct mhse_engine *e, struct state *s, Z3_ast at, struct sval src, uint32_t len);
enum step engine__packet_load(struct mhse_engine *e, struct state *s, Z3_ast at, struct sval dst, uint32_t len);

#endif
