// SPDX-License-Identifier: MIT
/*
 * Symbolic models of tc's own helpers and context quirks, the counterparts
 * of tc_helpers.c: the same bounds and error codes, on the engine's packet
 * (an array term from pkt_lo to the symbolic pkt_hi). Where a helper's
 * success depends on the input, the path splits (engine__split_ok).
 */
#include <errno.h>
#include <limits.h>
#include <linux/pkt_cls.h>
#include "csum_sym.h"
#include "engine_internal.h"
#include "mem.h"

#define ETH_P_802_3_MIN 0x0600
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3

static Z3_ast num(struct mhse_engine *e, uint64_t v, unsigned bits)
{
	return sym_num(&e->ctx, v, bits);
}

static Z3_ast input_byte(struct mhse_engine *e, uint32_t k)
{
	return Z3_mk_select(e->ctx.z, e->pkt0, num(e, e->hook->headroom + k, 64));
}

/* As tc_prepare_ctx: protocol and pkt_type from eth_type_trans() on the
 * loopback device, wire_len the packet length unless the test sets it. */
static int tc_prepare_ctx(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast h_proto = Z3_mk_concat(z, input_byte(e, 12), input_byte(e, 13)), raw_8023[3], proto, dst_zero[6];
	Z3_ast len32 = Z3_mk_extract(z, 31, 0, e->pkt_len0), wire = engine__ctx_input(e, "wire_len"), pkt_type;

	raw_8023[0] = Z3_mk_bvuge(z, e->pkt_len0, num(e, 16, 64));
	raw_8023[1] = Z3_mk_eq(z, input_byte(e, 14), num(e, 0xff, 8));
	raw_8023[2] = Z3_mk_eq(z, input_byte(e, 15), num(e, 0xff, 8));
	proto = Z3_mk_ite(z, Z3_mk_bvuge(z, h_proto, num(e, ETH_P_802_3_MIN, 16)), h_proto,
			  Z3_mk_ite(z, Z3_mk_and(z, 3, raw_8023), num(e, 0x0001, 16), num(e, 0x0004, 16)));
	/* the field holds the protocol in network byte order */
	proto = Z3_mk_concat(z, num(e, 0, 16), Z3_mk_concat(z, Z3_mk_extract(z, 7, 0, proto), Z3_mk_extract(z, 15, 8, proto)));
	for (uint32_t i = 0; i < 6; i++)
		dst_zero[i] = Z3_mk_eq(z, input_byte(e, i), num(e, 0, 8));
	pkt_type = Z3_mk_ite(z, Z3_mk_and(z, 6, dst_zero), num(e, 0, 32),
			     Z3_mk_ite(z, Z3_mk_eq(z, Z3_mk_extract(z, 0, 0, input_byte(e, 0)), num(e, 1, 1)),
				       num(e, PACKET_MULTICAST, 32), num(e, PACKET_OTHERHOST, 32)));
	if (engine__ctx_derive(e, s, "protocol", proto) || engine__ctx_derive(e, s, "pkt_type", pkt_type))
		return -ENOMEM;
	if (!wire)
		return 0;
	/* the kernel refuses a wire_len below the packet length */
	if (engine__constrain(e, s, Z3_mk_or(z, 2, (Z3_ast[]){ Z3_mk_eq(z, wire, num(e, 0, 32)), Z3_mk_bvuge(z, wire, len32) })))
		return -ENOMEM;
	return engine__ctx_derive(e, s, "wire_len", Z3_mk_ite(z, Z3_mk_eq(z, wire, num(e, 0, 32)), len32, wire));
}

/* offset + len within skb->len (and offset a non-negative int) */
static Z3_ast skb_fits(struct mhse_engine *e, struct state *s, struct sval off, uint64_t len)
{
	Z3_context z = e->ctx.z;
	Z3_ast o = Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, off)));
	Z3_ast end = Z3_mk_bvadd(z, Z3_mk_bvadd(z, num(e, s->pkt_lo, 64), o), num(e, len, 64));

	return Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_bvule(z, o, num(e, INT_MAX, 64)), Z3_mk_bvule(z, end, s->pkt_hi) });
}

static Z3_ast skb_index(struct mhse_engine *e, struct state *s, struct sval off, uint64_t i)
{
	Z3_context z = e->ctx.z;

	return Z3_mk_bvadd(z, num(e, s->pkt_lo + i, 64), Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, off))));
}

/* Writes len bytes (a term, byte 0 lowest) to the program's buffer at addr. */
static enum step write_buffer(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast bytes)
{
	uint32_t region;
	struct sval off;
	struct sregion *r;
	enum step st = engine__resolve(e, s, addr, len, true, &region, &off);

	if (st != STEP_CONTINUE)
		return st;
	r = state__writable_region(s, region);
	if (!r)
		return STEP_FAILED;
	for (uint32_t i = 0; i < len; i++) {
		struct sval at = sval_is_conc(off) ? sval_conc(off.c + i) :
			sym_alu(&e->ctx, BPF_ALU64 | BPF_ADD | BPF_K, 0, off, sval_conc(i));

		sregion__write(&e->ctx, r, at, 1, sym_from(&e->ctx, Z3_mk_extract(e->ctx.z, 8 * i + 7, 8 * i, bytes), false));
	}
	return STEP_CONTINUE;
}

static enum step tc_skb_load_bytes(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	struct state *failed;
	Z3_ast bytes = NULL;
	uint32_t len;
	enum step st;

	if (!sval_is_conc(r[4]))
		return engine__end(e, s, PATH_UNSUPPORTED, "skb_load_bytes with a symbolic length");
	len = (uint32_t)r[4].c;
	switch (engine__split(e, s, Z3_mk_not(z, skb_fits(e, s, r[2], len)), &failed)) {
	case -1:
		return STEP_DONE;
	case 2:
		/* the buffer is cleared and the helper fails */
		failed->regs[BPF_REG_0] = sval_conc((uint64_t)-EFAULT);
		st = write_buffer(e, failed, r[3], len, num(e, 0, len * 8));
		if (st == STEP_CONTINUE) {
			failed->pc++;
			engine__queue(e, failed);
		} else {
			state__free(failed, &e->ctx);
		}
		break;
	case 1:
		r[0] = sval_conc((uint64_t)-EFAULT);
		return write_buffer(e, s, r[3], len, num(e, 0, len * 8));
	default:
		break;
	}
	r[0] = sval_conc(0);
	if (!len)
		return STEP_CONTINUE;
	for (uint32_t i = 0; i < len; i++) {
		Z3_ast byte = Z3_mk_select(z, s->regions[SREGION_PKT]->array, skb_index(e, s, r[2], i));

		bytes = bytes ? Z3_mk_concat(z, byte, bytes) : byte;
	}
	return write_buffer(e, s, r[3], len, bytes);
}

/* A helper's write to a 4-byte context field. */
static enum step write_field(struct mhse_engine *e, struct state *s, const char *name, struct sval v)
{
	const struct ctx_field *f = mhse_hook__field(e->hook, name);
	struct sregion *ctx;

	if (!f)
		return STEP_CONTINUE;
	ctx = state__writable_region(s, SREGION_CTX);
	if (!ctx)
		return STEP_FAILED;
	sregion__write(&e->ctx, ctx, sval_conc(f->offset), 4, v);
	return STEP_CONTINUE;
}

static enum step clear_hash(struct mhse_engine *e, struct state *s)
{
	return write_field(e, s, "hash", sval_conc(0));
}

static enum step tc_skb_store_bytes(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	struct sregion *pkt;
	Z3_ast bytes;
	uint32_t len;
	enum step st;

	if (!sval_is_conc(r[4]) || !sval_is_conc(r[5]))
		return engine__end(e, s, PATH_UNSUPPORTED, "skb_store_bytes with a symbolic length or flags");
	len = (uint32_t)r[4].c;
	if (len && (st = engine__read_bytes(e, s, r[3], len, &bytes)) != STEP_CONTINUE)
		return st;
	if (r[5].c & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (!engine__split_ok(e, s, skb_fits(e, s, r[2], len), (uint64_t)-EFAULT, &st))
		return st;
	pkt = state__writable_region(s, SREGION_PKT);
	if (!pkt)
		return STEP_FAILED;
	for (uint32_t i = 0; i < len; i++)
		pkt->array = Z3_mk_store(z, pkt->array, skb_index(e, s, r[2], i), Z3_mk_extract(z, 8 * i + 7, 8 * i, bytes));
	r[0] = sval_conc(0);
	return r[5].c & BPF_F_INVALIDATE_HASH ? clear_hash(e, s) : STEP_CONTINUE;
}

/* What the checksum helpers check before touching the 16-bit field at
 * offset r[2]: flags (r[5]) within allowed, then the field's bounds.
 * Returns false when s does not go on to the update (*st says how). */
static bool csum_field(struct mhse_engine *e, struct state *s, const char *helper, uint64_t allowed, enum step *st)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	Z3_ast o = Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, r[2]));
	Z3_ast ok[3] = { Z3_mk_bvule(z, o, num(e, 0xffff, 32)), Z3_mk_eq(z, Z3_mk_extract(z, 0, 0, o), num(e, 0, 1)),
			 skb_fits(e, s, r[2], 2) };

	if (!sval_is_conc(r[5])) {
		*st = engine__end(e, s, PATH_UNSUPPORTED, "%s with symbolic flags", helper);
		return false;
	}
	if (r[5].c & ~allowed) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		*st = STEP_CONTINUE;
		return false;
	}
	return engine__split_ok(e, s, Z3_mk_and(z, 3, ok), (uint64_t)-EFAULT, st);
}

static Z3_ast load_sum(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast a = s->regions[SREGION_PKT]->array;

	return Z3_mk_concat(z, Z3_mk_select(z, a, skb_index(e, s, s->regs[BPF_REG_2], 1)),
			    Z3_mk_select(z, a, skb_index(e, s, s->regs[BPF_REG_2], 0)));
}

static enum step store_sum(struct mhse_engine *e, struct state *s, Z3_ast sum)
{
	Z3_context z = e->ctx.z;
	struct sregion *pkt = state__writable_region(s, SREGION_PKT);

	if (!pkt)
		return STEP_FAILED;
	for (uint32_t i = 0; i < 2; i++)
		pkt->array = Z3_mk_store(z, pkt->array, skb_index(e, s, s->regs[BPF_REG_2], i),
					 Z3_mk_extract(z, 8 * i + 7, 8 * i, sum));
	s->regs[BPF_REG_0] = sval_conc(0);
	return STEP_CONTINUE;
}

static Z3_ast low32(struct mhse_engine *e, struct sval v)
{
	return Z3_mk_extract(e->ctx.z, 31, 0, sym_ast(&e->ctx, v));
}

static enum step tc_l3_csum_replace(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	Z3_ast sum, sum32;
	enum step st;

	if (!csum_field(e, s, "l3_csum_replace", BPF_F_HDR_FIELD_MASK, &st))
		return st;
	sum = load_sum(e, s);
	sum32 = Z3_mk_zero_ext(z, 16, sum);
	switch (r[5].c & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (!engine__split_ok(e, s, Z3_mk_eq(z, sym_ast(&e->ctx, r[3]), num(e, 0, 64)), (uint64_t)-EINVAL, &st))
			return st;
		return store_sum(e, s, csum_sym_fold(&e->ctx, csum_sym_add(&e->ctx, low32(e, r[4]), Z3_mk_bvnot(z, sum32))));
	case 2:
		return store_sum(e, s, Z3_mk_bvnot(z, csum_sym16_add(&e->ctx,
			csum_sym16_add(&e->ctx, Z3_mk_bvnot(z, sum), Z3_mk_bvnot(z, Z3_mk_extract(z, 15, 0, low32(e, r[3])))),
			Z3_mk_extract(z, 15, 0, low32(e, r[4])))));
	case 4:
		return store_sum(e, s, csum_sym_fold(&e->ctx, csum_sym_add(&e->ctx,
			csum_sym_sub(&e->ctx, Z3_mk_bvnot(z, sum32), low32(e, r[3])), low32(e, r[4]))));
	default:
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
}

/* As tc_helpers.c: the test run's skb is not CHECKSUM_PARTIAL. */
static enum step tc_l4_csum_replace(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	uint64_t flags;
	Z3_ast sum, sum32, from, to, out;
	enum step st;

	if (!csum_field(e, s, "l4_csum_replace",
			BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6, &st))
		return st;
	flags = r[5].c;
	sum = load_sum(e, s);
	sum32 = Z3_mk_zero_ext(z, 16, sum);
	from = low32(e, r[3]);
	to = low32(e, r[4]);
	if ((flags & BPF_F_MARK_MANGLED_0) && !(flags & BPF_F_MARK_ENFORCE) &&
	    !engine__split_ok(e, s, Z3_mk_not(z, Z3_mk_eq(z, sum, num(e, 0, 16))), 0, &st))
		return st; /* a zero checksum (UDP without one) stays as it is */
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (!engine__split_ok(e, s, Z3_mk_eq(z, sym_ast(&e->ctx, r[3]), num(e, 0, 64)), (uint64_t)-EINVAL, &st))
			return st;
		out = csum_sym_fold(&e->ctx, csum_sym_add(&e->ctx, to, Z3_mk_bvnot(z, sum32)));
		break;
	case 2:
		from = Z3_mk_zero_ext(z, 16, Z3_mk_extract(z, 15, 0, from));
		to = Z3_mk_zero_ext(z, 16, Z3_mk_extract(z, 15, 0, to));
		/* fall through */
	case 4: {
		/* csum_partial over { ~from, to } on top of ~sum: two 32-bit words, folded */
		Z3_ast acc = Z3_mk_bvadd(z, Z3_mk_zero_ext(z, 32, Z3_mk_bvnot(z, sum32)),
					 Z3_mk_bvadd(z, Z3_mk_zero_ext(z, 32, Z3_mk_bvnot(z, from)), Z3_mk_zero_ext(z, 32, to)));

		for (int i = 0; i < 2; i++)
			acc = Z3_mk_bvadd(z, Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, acc)),
					  Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 63, 32, acc)));
		out = csum_sym_fold(&e->ctx, Z3_mk_extract(z, 31, 0, acc));
		break;
	}
	default:
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (flags & BPF_F_MARK_MANGLED_0)
		out = Z3_mk_ite(z, Z3_mk_eq(z, out, num(e, 0, 16)), num(e, 0xffff, 16), out);
	return store_sum(e, s, out);
}

static enum step tc_redirect(struct mhse_engine *e, struct state *s)
{
	struct sval flags = s->regs[BPF_REG_2];
	enum step st;

	if (!sval_is_conc(flags)) {
		Z3_ast ok = Z3_mk_eq(e->ctx.z, Z3_mk_bvand(e->ctx.z, flags.e, num(e, ~(uint64_t)BPF_F_INGRESS, 64)),
				     num(e, 0, 64));

		if (!engine__split_ok(e, s, ok, TC_ACT_SHOT, &st))
			return st;
	} else if (flags.c & ~(uint64_t)BPF_F_INGRESS) {
		s->regs[BPF_REG_0] = sval_conc(TC_ACT_SHOT);
		return STEP_CONTINUE;
	}
	s->redirect = sym_alu(&e->ctx, BPF_ALU | BPF_MOV | BPF_X, 0, sval_conc(0), s->regs[BPF_REG_1]);
	s->regs[BPF_REG_0] = sval_conc(TC_ACT_REDIRECT);
	return STEP_CONTINUE;
}

static enum step tc_set_hash(struct mhse_engine *e, struct state *s)
{
	s->regs[BPF_REG_0] = sval_conc(0);
	return write_field(e, s, "hash", s->regs[BPF_REG_2]);
}

static enum step tc_skb_change_type(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	const struct ctx_field *f = mhse_hook__field(e->hook, "pkt_type");
	Z3_ast cur, next, ok[2];
	enum step st;

	if (!f) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	cur = sym_ast(&e->ctx, sregion__read(&e->ctx, s->regions[SREGION_CTX], sval_conc(f->offset), 4));
	next = sym_ast(&e->ctx, s->regs[BPF_REG_2]);
	ok[0] = Z3_mk_bvule(z, Z3_mk_extract(z, 31, 0, cur), num(e, PACKET_OTHERHOST, 32));
	ok[1] = Z3_mk_bvule(z, Z3_mk_extract(z, 31, 0, next), num(e, PACKET_OTHERHOST, 32));
	if (!engine__split_ok(e, s, Z3_mk_and(z, 2, ok), (uint64_t)-EINVAL, &st))
		return st;
	s->regs[BPF_REG_0] = sval_conc(0);
	return write_field(e, s, "pkt_type", s->regs[BPF_REG_2]);
}

static enum step tc_skb_pull_data(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast len = Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, s->regs[BPF_REG_2])));
	enum step st;

	if (!engine__split_ok(e, s, Z3_mk_bvule(z, Z3_mk_bvadd(z, num(e, s->pkt_lo, 64), len), s->pkt_hi),
			      (uint64_t)-ENOMEM, &st))
		return st;
	s->regs[BPF_REG_0] = sval_conc(0);
	return STEP_CONTINUE;
}

static enum step tc_csum_update(struct mhse_engine *e, struct state *s)
{
	(void)e;
	s->regs[BPF_REG_0] = sval_conc((uint64_t)-ENOTSUPP);
	return STEP_CONTINUE;
}

static const struct sym_helper tc_helpers[] = {
	{ BPF_FUNC_skb_load_bytes, tc_skb_load_bytes },
	{ BPF_FUNC_skb_store_bytes, tc_skb_store_bytes },
	{ BPF_FUNC_l3_csum_replace, tc_l3_csum_replace },
	{ BPF_FUNC_l4_csum_replace, tc_l4_csum_replace },
	{ BPF_FUNC_redirect, tc_redirect },
	{ BPF_FUNC_set_hash, tc_set_hash },
	{ BPF_FUNC_skb_change_type, tc_skb_change_type },
	{ BPF_FUNC_csum_update, tc_csum_update },
	{ BPF_FUNC_skb_pull_data, tc_skb_pull_data },
};

const struct sym_helper_module sym_helpers_tc = { "tc", tc_helpers, sizeof(tc_helpers) / sizeof(tc_helpers[0]),
						  tc_prepare_ctx };
