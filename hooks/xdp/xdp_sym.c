// SPDX-License-Identifier: MIT
/*
 * Symbolic models of XDP's own helpers, over the engine's packet: an array
 * term, a concrete start (pkt_lo), metadata start (pkt_meta) and a symbolic
 * end (pkt_hi). The bounds are the kernel's, as in xdp_helpers.c; where they
 * depend on the packet length, the path splits into the lengths that pass
 * and those that fail.
 */
#include <errno.h>
#include <stdlib.h>
#include "engine_internal.h"
#include "packet_edit.h"
#include "hooks/tc/fib.h"
#include "hooks/tc/mtu.h"
#include "mem.h"

#define XDP_FRAME_SIZE 40
#define ETH_HLEN 14
#define XDP_METALEN_MAX 32

static Z3_ast num(struct mhse_engine *e, uint64_t v)
{
	return sym_num(&e->ctx, v, 64);
}

/* Headroom the kernel allocated zeroed becomes visible below the packet:
 * the input array says nothing about it, so its zeroes are stored. */
static void expose_headroom(struct mhse_engine *e, struct state *s, struct sregion *pkt, uint32_t from)
{
	for (uint32_t k = from; k < s->pkt_low_water; k++)
		pkt->array = Z3_mk_store(e->ctx.z, pkt->array, num(e, k), sym_num(&e->ctx, 0, 8));
	if (from < s->pkt_low_water)
		s->pkt_low_water = from;
}

static enum step needs_concrete(struct mhse_engine *e, struct state *s, const char *helper)
{
	return engine__end(e, s, PATH_UNSUPPORTED, "%s with a symbolic offset", helper);
}

static enum step sym_xdp_adjust_head(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval off = s->regs[BPF_REG_2];
	int64_t delta, data, metalen = (int64_t)s->pkt_lo - s->pkt_meta;
	struct sregion *pkt;
	enum step st;

	if (!sval_is_conc(off))
		return needs_concrete(e, s, "xdp_adjust_head");
	delta = (int32_t)off.c;
	data = (int64_t)s->pkt_lo + delta;
	if (data < XDP_FRAME_SIZE + metalen) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (!engine__split_ok(e, s, Z3_mk_bvule(z, num(e, (uint64_t)data + ETH_HLEN), s->pkt_hi), (uint64_t)-EINVAL, &st))
		return st;
	pkt = state__writable_region(s, SREGION_PKT);
	if (!pkt)
		return STEP_FAILED;
	expose_headroom(e, s, pkt, (uint32_t)(s->pkt_meta + (delta < 0 ? delta : 0)));
	/* metadata moves with the data start */
	for (int64_t i = delta < 0 ? 0 : metalen - 1; delta < 0 ? i < metalen : i >= 0; i += delta < 0 ? 1 : -1) {
		Z3_ast byte = Z3_mk_select(z, pkt->array, num(e, s->pkt_meta + i));

		pkt->array = Z3_mk_store(z, pkt->array, num(e, s->pkt_meta + delta + i), byte);
	}
	s->pkt_meta = (uint32_t)(s->pkt_meta + delta);
	s->pkt_lo = (uint32_t)data;
	s->pkt_len_proven = (int64_t)s->pkt_len_proven - delta > ETH_HLEN ? s->pkt_len_proven - delta : ETH_HLEN;
	s->regs[BPF_REG_0] = sval_conc(0);
	return STEP_CONTINUE;
}

static enum step sym_xdp_adjust_tail(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval off = s->regs[BPF_REG_2];
	struct sregion *pkt = s->regions[SREGION_PKT];
	Z3_ast end, ok[2];
	int64_t delta;
	enum step st;

	if (!sval_is_conc(off))
		return needs_concrete(e, s, "xdp_adjust_tail");
	delta = (int32_t)off.c;
	end = Z3_mk_bvadd(z, s->pkt_hi, num(e, (uint64_t)delta));
	ok[0] = Z3_mk_bvule(z, end, num(e, pkt->size));
	ok[1] = Z3_mk_bvuge(z, end, num(e, s->pkt_lo + ETH_HLEN));
	if (!engine__split_ok(e, s, Z3_mk_and(z, 2, ok), (uint64_t)-EINVAL, &st))
		return st;
	pkt = state__writable_region(s, SREGION_PKT);
	if (!pkt)
		return STEP_FAILED;
	for (int64_t i = 0; i < delta; i++)
		pkt->array = Z3_mk_store(z, pkt->array, Z3_mk_bvadd(z, s->pkt_hi, num(e, (uint64_t)i)), sym_num(&e->ctx, 0, 8));
	s->pkt_hi = end;
	s->pkt_len_proven = (int64_t)s->pkt_len_proven + delta > ETH_HLEN ? s->pkt_len_proven + delta : ETH_HLEN;
	s->regs[BPF_REG_0] = sval_conc(0);
	return STEP_CONTINUE;
}

static enum step sym_xdp_adjust_meta(struct mhse_engine *e, struct state *s)
{
	struct sval off = s->regs[BPF_REG_2];
	int64_t meta, metalen;

	if (!sval_is_conc(off))
		return needs_concrete(e, s, "xdp_adjust_meta");
	meta = (int64_t)s->pkt_meta + (int32_t)off.c;
	metalen = (int64_t)s->pkt_lo - meta;
	if (meta < XDP_FRAME_SIZE || meta > s->pkt_lo)
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
	else if ((metalen & 3) || metalen > XDP_METALEN_MAX)
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EACCES);
	else {
		struct sregion *pkt = state__writable_region(s, SREGION_PKT);

		if (!pkt)
			return STEP_FAILED;
		expose_headroom(e, s, pkt, (uint32_t)meta);
		s->pkt_meta = (uint32_t)meta;
		s->regs[BPF_REG_0] = sval_conc(0);
	}
	return STEP_CONTINUE;
}

static enum step sym_xdp_redirect(struct mhse_engine *e, struct state *s)
{
	struct sval flags = s->regs[BPF_REG_2];
	enum step st;

	if (!sval_is_conc(flags)) {
		if (!engine__split_ok(e, s, Z3_mk_eq(e->ctx.z, flags.e, num(e, 0)), XDP_ABORTED, &st))
			return st;
	} else if (flags.c) {
		s->regs[BPF_REG_0] = sval_conc(XDP_ABORTED);
		return STEP_CONTINUE;
	}
	s->redirect = sym_alu(&e->ctx, BPF_ALU | BPF_MOV | BPF_X, 0, sval_conc(0), s->regs[BPF_REG_1]);
	s->regs[BPF_REG_0] = sval_conc(XDP_REDIRECT);
	return STEP_CONTINUE;
}

/* xdp_load_bytes / xdp_store_bytes: offset + len within the packet. */
static enum step xdp_bytes(struct mhse_engine *e, struct state *s, bool store)
{
	Z3_context z = e->ctx.z;
	struct sval off = s->regs[BPF_REG_2], len = s->regs[BPF_REG_4];
	Z3_ast start, ok;
	enum step st;

	if (!sval_is_conc(len))
		return engine__end(e, s, PATH_UNSUPPORTED, "xdp_%s_bytes with a symbolic length", store ? "store" : "load");
	len.c = (uint32_t)len.c;
	start = Z3_mk_bvadd(z, num(e, s->pkt_lo), Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, off))));
	ok = Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_bvule(z, Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, off))),
						   num(e, 0xffff)),
					   Z3_mk_bvule(z, Z3_mk_bvadd(z, start, num(e, len.c)), s->pkt_hi) });
	if (len.c > 0xffff) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EFAULT);
		return STEP_CONTINUE;
	}
	if (!engine__split_ok(e, s, ok, (uint64_t)-EINVAL, &st))
		return st;
	s->regs[BPF_REG_0] = sval_conc(0);
	if (!len.c)
		return STEP_CONTINUE;
	return store ? engine__packet_store(e, s, start, s->regs[BPF_REG_3], (uint32_t)len.c) :
		       engine__packet_load(e, s, start, s->regs[BPF_REG_3], (uint32_t)len.c);
}

static enum step sym_xdp_load_bytes(struct mhse_engine *e, struct state *s)
{
	return xdp_bytes(e, s, false);
}

static enum step sym_xdp_get_buff_len(struct mhse_engine *e, struct state *s)
{
	s->regs[BPF_REG_0] = sym_from(&e->ctx, Z3_mk_bvsub(e->ctx.z, s->pkt_hi, num(e, s->pkt_lo)), false);
	return STEP_CONTINUE;
}

static enum step sym_xdp_store_bytes(struct mhse_engine *e, struct state *s)
{
	return xdp_bytes(e, s, true);
}

static enum step sym_xdp_redirect_map(struct mhse_engine *e, struct state *s)
{
	return policy__redirect_map(e, s);
}

static enum step sym_xdp_fib_lookup(struct mhse_engine *e, struct state *s)
{
	return sym_fib_lookup(e, s, false);
}

static enum step sym_xdp_check_mtu(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;

	return sym_check_mtu(e, s, Z3_mk_extract(z, 31, 0, Z3_mk_bvsub(z, s->pkt_hi, num(e, s->pkt_lo))), false);
}

#define HELPER(name, contexts, concrete, symbolic) symbolic,
static const sym_helper_fn xdp_helpers[] = {
#include "xdp_helper_list.h"
};
#undef HELPER

const struct sym_helper_module sym_helpers_xdp = { &helpers_xdp, xdp_helpers, sizeof(xdp_helpers) / sizeof(xdp_helpers[0]), NULL };
