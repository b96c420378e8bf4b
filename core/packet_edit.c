// SPDX-License-Identifier: MIT
/*
 * Packet edits shared by helpers (packet_edit.h). In the interpreter the
 * packet is a buffer whose window [lo, hi) moves and grows; in the engine
 * it is an array term, and an edit at a concrete offset is a new array
 * defined by a lambda over the old one, so that bytes the packet's
 * symbolic length decides stay symbolic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mem.h"
#include "packet_edit.h"
#include "vm_internal.h"

static uint64_t stale(uint64_t ptr, uint32_t pkt_region)
{
	return ptr - MEM_ADDR(pkt_region, 0) + PKT_STALE_BASE;
}

void vm_packet_invalidate(struct mhse_vm *vm)
{
	uint32_t pkt = (uint32_t)(vm_packet(vm) - vm->mem.regions);

	for (int i = BPF_REG_0; i <= BPF_REG_10; i++)
		if ((i < BPF_REG_1 || i > BPF_REG_5) && mem_addr_region(vm->regs[i]) == pkt)
			vm->regs[i] = stale(vm->regs[i], pkt);
	for (unsigned f = 0; f < vm->depth; f++)
		for (int i = 0; i < 4; i++)
			if (mem_addr_region(vm->frames[f].saved[i]) == pkt)
				vm->frames[f].saved[i] = stale(vm->frames[f].saved[i], pkt);
	for (uint32_t id = 0; id < vm->mem.cnt; id++) {
		struct mem_region *r = &vm->mem.regions[id];

		for (uint32_t off = 0; r->kind == MEM_STACK && off + 8 <= r->cap; off += 8) {
			uint64_t v = mem_load_le(r->buf + off, 8);

			if (mem_addr_region(v) == pkt)
				mem_store_le(r->buf + off, 8, stale(v, pkt));
		}
	}
}

/* Makes room for the packet to end at hi. */
static int reserve(struct mem_region *r, uint32_t hi)
{
	uint8_t *buf;

	if (hi <= r->cap)
		return 0;
	buf = realloc(r->buf, hi);
	if (!buf)
		return -ENOMEM;
	memset(buf + r->cap, 0, hi - r->cap);
	r->buf = buf;
	r->cap = hi;
	return 0;
}

int vm_packet_splice(struct mhse_vm *vm, uint32_t at, int32_t delta)
{
	struct mem_region *r = vm_packet(vm);
	uint32_t pos = vm->pkt_data + at;

	if (delta > 0) {
		if (reserve(r, r->hi + (uint32_t)delta))
			return -ENOMEM;
		memmove(r->buf + pos + delta, r->buf + pos, r->hi - pos);
		memset(r->buf + pos, 0, (uint32_t)delta);
	} else {
		memmove(r->buf + pos, r->buf + pos - delta, r->hi - (pos - delta));
	}
	r->hi = (uint32_t)((int64_t)r->hi + delta);
	return 0;
}

int vm_packet_set_len(struct mhse_vm *vm, uint32_t len)
{
	struct mem_region *r = vm_packet(vm);
	uint32_t hi = vm->pkt_data + len;

	if (reserve(r, hi))
		return -ENOMEM;
	if (hi > r->hi)
		memset(r->buf + r->hi, 0, hi - r->hi);
	r->hi = hi;
	return 0;
}

static struct sval stale_sval(struct mhse_engine *e, struct sval v)
{
	if (sval_is_conc(v))
		return mem_addr_region(v.c) == SREGION_PKT ? sval_conc(stale(v.c, SREGION_PKT)) : v;
	if (v.region != SREGION_PKT)
		return v;
	return (struct sval){ .e = Z3_mk_bvadd(e->ctx.z, v.e, sym_num(&e->ctx, stale(0, SREGION_PKT), 64)),
			      .region = -1 };
}

enum step engine__packet_invalidate(struct mhse_engine *e, struct state *s)
{
	for (int i = BPF_REG_0; i <= BPF_REG_10; i++)
		if (i < BPF_REG_1 || i > BPF_REG_5)
			s->regs[i] = stale_sval(e, s->regs[i]);
	for (unsigned f = 0; f < s->depth; f++)
		for (int i = 0; i < 4; i++)
			s->frames[f].saved[i] = stale_sval(e, s->frames[f].saved[i]);
	for (uint32_t id = SREGION_STACK0; id < SREGION_STACK0 + MHSE_MAX_CALL_FRAMES; id++) {
		const struct sregion *r = s->regions[id];

		for (uint32_t off = 0; off + 8 <= r->size; off += 8) {
			struct sval v = sregion__read(&e->ctx, r, sval_conc(off), 8), now = stale_sval(e, v);
			struct sregion *w;

			if (now.e == v.e && now.c == v.c)
				continue;
			w = state__writable_region(s, id);
			if (!w)
				return STEP_FAILED;
			sregion__write(&e->ctx, w, sval_conc(off), 8, now);
			r = w;
		}
	}
	return STEP_CONTINUE;
}

/* The packet array as body says, body a term over the index i. */
static enum step set_array(struct mhse_engine *e, struct state *s, Z3_ast i, Z3_ast body)
{
	struct sregion *pkt = state__writable_region(s, SREGION_PKT);

	if (!pkt)
		return STEP_FAILED;
	pkt->array = Z3_mk_lambda_const(e->ctx.z, 1, (Z3_app[]){ Z3_to_app(e->ctx.z, i) }, body);
	return STEP_CONTINUE;
}

enum step engine__packet_splice(struct mhse_engine *e, struct state *s, uint32_t at, int32_t delta)
{
	Z3_context z = e->ctx.z;
	Z3_ast i = Z3_mk_const(z, Z3_mk_string_symbol(z, "i"), e->ctx.bv64), old = s->regions[SREGION_PKT]->array;
	Z3_ast pos = sym_num(&e->ctx, s->pkt_lo + at, 64), moved, body;
	uint32_t size = delta < 0 ? (uint32_t)-(int64_t)delta : (uint32_t)delta;

	moved = Z3_mk_select(z, old, Z3_mk_bvsub(z, i, sym_num(&e->ctx, (uint64_t)(int64_t)delta, 64)));
	if (delta > 0)
		moved = Z3_mk_ite(z, Z3_mk_bvult(z, i, sym_num(&e->ctx, s->pkt_lo + at + size, 64)), sym_num(&e->ctx, 0, 8),
				  moved);
	body = Z3_mk_ite(z, Z3_mk_bvult(z, i, pos), Z3_mk_select(z, old, i), moved);
	s->pkt_hi = Z3_mk_bvadd(z, s->pkt_hi, sym_num(&e->ctx, (uint64_t)(int64_t)delta, 64));
	if (delta > 0)
		s->pkt_len_proven += size;
	else
		s->pkt_len_proven = s->pkt_len_proven > size ? s->pkt_len_proven - size : 0;
	return set_array(e, s, i, body);
}

enum step engine__packet_set_len(struct mhse_engine *e, struct state *s, struct sval len)
{
	Z3_context z = e->ctx.z;
	Z3_ast i = Z3_mk_const(z, Z3_mk_string_symbol(z, "i"), e->ctx.bv64), old = s->regions[SREGION_PKT]->array;
	Z3_ast body = Z3_mk_ite(z, Z3_mk_bvult(z, i, s->pkt_hi), Z3_mk_select(z, old, i), sym_num(&e->ctx, 0, 8));

	s->pkt_hi = Z3_mk_bvadd(z, sym_num(&e->ctx, s->pkt_lo, 64), sym_ast(&e->ctx, len));
	s->pkt_len_proven = sval_is_conc(len) ? len.c : 0;
	return set_array(e, s, i, body);
}

enum step engine__packet_store(struct mhse_engine *e, struct state *s, Z3_ast at, struct sval src, uint32_t len)
{
	struct sregion *pkt;
	Z3_ast *bytes;
	enum step st;

	if (!len)
		return STEP_CONTINUE;
	st = engine__read_byte_terms(e, s, src, len, &bytes);
	if (st == STEP_CONTINUE && !(pkt = state__writable_region(s, SREGION_PKT)))
		st = STEP_FAILED;
	for (uint32_t i = 0; st == STEP_CONTINUE && i < len; i++)
		pkt->array = Z3_mk_store(e->ctx.z, pkt->array, Z3_mk_bvadd(e->ctx.z, at, sym_num(&e->ctx, i, 64)), bytes[i]);
	free(bytes);
	return st;
}

enum step engine__packet_load(struct mhse_engine *e, struct state *s, Z3_ast at, struct sval dst, uint32_t len)
{
	Z3_ast array = s->regions[SREGION_PKT]->array;
	struct sregion *buf;
	uint32_t region;
	struct sval off;
	enum step st;

	if (!len)
		return STEP_CONTINUE;
	if ((st = engine__resolve(e, s, dst, len, true, &region, &off)) != STEP_CONTINUE)
		return st;
	if (!(buf = state__writable_region(s, region)))
		return STEP_FAILED;
	for (uint32_t i = 0; i < len; i++) {
		Z3_ast byte = Z3_mk_select(e->ctx.z, array, engine__packet_index(e, at, i));

		if (sregion__write(&e->ctx, buf, sym_offset(&e->ctx, off, i), 1, sym_from(&e->ctx, byte, false)))
			return STEP_FAILED;
	}
	return STEP_CONTINUE;
}
