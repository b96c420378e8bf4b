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
#include <stdlib.h>
#include <sys/socket.h>
#include "csum_sym.h"
#include "engine_internal.h"
#include "fib.h"
#include "mem.h"
#include "mtu.h"
#include "packet_edit.h"
#include "skb.h"
#include "vm_internal.h"

#define ETH_P_802_3_MIN 0x0600
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3

static Z3_ast input_byte(struct mhse_engine *e, uint32_t k)
{
	return Z3_mk_select(e->ctx.z, e->pkt0, term_num(e, e->hook->headroom + k, 64));
}

/* As tc_helpers.c: the protocol an EtherType at offset at of the packet
 * array makes, avail_4 saying whether the packet holds 4 bytes from it;
 * as the context field holds it (32 bits, network byte order). */
static Z3_ast ethertype_protocol(struct mhse_engine *e, Z3_ast array, uint64_t at, Z3_ast avail_4)
{
	Z3_context z = e->ctx.z;
	Z3_ast b[4], raw_8023[3], h_proto, proto;

	for (uint32_t i = 0; i < 4; i++)
		b[i] = Z3_mk_select(z, array, term_num(e, at + i, 64));
	h_proto = Z3_mk_concat(z, b[0], b[1]);
	raw_8023[0] = avail_4;
	raw_8023[1] = Z3_mk_eq(z, b[2], term_num(e, 0xff, 8));
	raw_8023[2] = Z3_mk_eq(z, b[3], term_num(e, 0xff, 8));
	proto = Z3_mk_ite(z, Z3_mk_bvuge(z, h_proto, term_num(e, ETH_P_802_3_MIN, 16)), h_proto,
			  Z3_mk_ite(z, Z3_mk_and(z, 3, raw_8023), term_num(e, 0x0001, 16), term_num(e, 0x0004, 16)));
	return Z3_mk_concat(z, term_num(e, 0, 16), Z3_mk_concat(z, Z3_mk_extract(z, 7, 0, proto), Z3_mk_extract(z, 15, 8, proto)));
}

/* As tc_prepare_ctx: protocol and pkt_type from eth_type_trans() on the
 * loopback device, wire_len the packet length unless the test sets it, no
 * VLAN tag outside the data. */
static int tc_prepare_ctx(struct mhse_engine *e, struct state *s)
{
	static const char *const vlan_fields[] = { "vlan_present", "vlan_tci", "vlan_proto" };
	Z3_context z = e->ctx.z;
	Z3_ast proto = ethertype_protocol(e, e->pkt0, e->hook->headroom + 12, Z3_mk_bvuge(z, e->pkt_len0, term_num(e, 16, 64)));
	Z3_ast len32 = Z3_mk_extract(z, 31, 0, e->pkt_len0), wire = engine__ctx_input(e, "wire_len"), pkt_type, dst_zero[6];

	for (size_t i = 0; i < sizeof(vlan_fields) / sizeof(vlan_fields[0]); i++)
		if (engine__ctx_derive(e, s, vlan_fields[i], term_num(e, 0, 32)))
			return -ENOMEM;
	for (uint32_t i = 0; i < 6; i++)
		dst_zero[i] = Z3_mk_eq(z, input_byte(e, i), term_num(e, 0, 8));
	pkt_type = Z3_mk_ite(z, Z3_mk_and(z, 6, dst_zero), term_num(e, 0, 32),
			     Z3_mk_ite(z, Z3_mk_eq(z, Z3_mk_extract(z, 0, 0, input_byte(e, 0)), term_num(e, 1, 1)),
				       term_num(e, PACKET_MULTICAST, 32), term_num(e, PACKET_OTHERHOST, 32)));
	s->skb_net_off = ETH_HLEN;
	if (engine__ctx_derive(e, s, "protocol", proto) || engine__ctx_derive(e, s, "pkt_type", pkt_type))
		return -ENOMEM;
	if (!wire)
		return 0;
	/* the kernel refuses a wire_len below the packet length */
	if (engine__constrain(e, s, Z3_mk_or(z, 2, (Z3_ast[]){ Z3_mk_eq(z, wire, term_num(e, 0, 32)), Z3_mk_bvuge(z, wire, len32) })))
		return -ENOMEM;
	return engine__ctx_rewrite(e, s, "wire_len", Z3_mk_ite(z, Z3_mk_eq(z, wire, term_num(e, 0, 32)), len32, wire));
}

/* start + offset + len within skb->len, offset at most max_off (start:
 * bytes from the data, offset a 32-bit argument) */
static Z3_ast skb_fits_from(struct mhse_engine *e, struct state *s, uint64_t start, uint64_t max_off, struct sval off,
			    uint64_t len)
{
	Z3_context z = e->ctx.z;
	Z3_ast o = Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, off)));
	Z3_ast end = Z3_mk_bvadd(z, Z3_mk_bvadd(z, term_num(e, s->pkt_lo + start, 64), o), term_num(e, len, 64));

	return Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_bvule(z, o, term_num(e, max_off, 64)), Z3_mk_bvule(z, end, s->pkt_hi) });
}

/* offset + len within skb->len (and offset a non-negative int) */
static Z3_ast skb_fits(struct mhse_engine *e, struct state *s, struct sval off, uint64_t len)
{
	return skb_fits_from(e, s, 0, INT_MAX, off, len);
}

static Z3_ast skb_index(struct mhse_engine *e, struct state *s, struct sval off, uint64_t i)
{
	Z3_context z = e->ctx.z;

	return Z3_mk_bvadd(z, term_num(e, s->pkt_lo + i, 64), Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, off))));
}

/* As tc_helpers.c's load_bytes. */
static enum step load_bytes(struct mhse_engine *e, struct state *s, uint64_t start, uint64_t max_off)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs, at;
	struct state *failed;
	uint32_t len;
	enum step st;

	if (!sval_is_conc(r[4]))
		return engine__end(e, s, PATH_UNSUPPORTED, "skb_load_bytes with a symbolic length");
	len = (uint32_t)r[4].c;
	at = sval_is_conc(r[2]) ? sval_conc(s->pkt_lo + start + (uint32_t)r[2].c) :
				  (struct sval){ .e = skb_index(e, s, r[2], start), .region = -1 };
	/* bytes the path proved in bounds (a packet shorter than 2^31 bytes
	 * holds no offset past INT_MAX) */
	if ((sval_is_conc(r[2]) ? (uint32_t)r[2].c <= max_off : max_off == INT_MAX) &&
	    engine__packet_proven(e, s, at, len))
		goto fits;
	switch (engine__split(e, s, Z3_mk_not(z, skb_fits_from(e, s, start, max_off, r[2], len)), &failed)) {
	case -1:
		return STEP_DONE;
	case 2:
		/* the buffer is cleared and the helper fails */
		failed->regs[BPF_REG_0] = sval_conc((uint64_t)-EFAULT);
		st = sym_write_bytes(e, failed, r[3], len, term_num(e, 0, len * 8));
		if (st == STEP_CONTINUE) {
			failed->pc++;
			engine__queue(e, failed);
		} else {
			state__free(failed);
		}
		break;
	case 1:
		r[0] = sval_conc((uint64_t)-EFAULT);
		return sym_write_bytes(e, s, r[3], len, term_num(e, 0, len * 8));
	default:
		break;
	}
	engine__packet_proven_add(e, s, at, len);
fits:
	r[0] = sval_conc(0);
	return engine__packet_load(e, s, sym_ast(&e->ctx, at), r[3], len);
}

static enum step tc_skb_load_bytes(struct mhse_engine *e, struct state *s)
{
	return load_bytes(e, s, 0, INT_MAX);
}

static enum step tc_skb_load_bytes_relative(struct mhse_engine *e, struct state *s)
{
	struct sval header = s->regs[BPF_REG_5];

	if (!sval_is_conc(header))
		return engine__end(e, s, PATH_UNSUPPORTED, "skb_load_bytes_relative with a symbolic header");
	if ((uint32_t)header.c > BPF_HDR_START_NET)
		return load_bytes(e, s, UINT32_MAX, 0);
	return load_bytes(e, s, (uint32_t)header.c == BPF_HDR_START_NET ? s->skb_net_off : 0, LOAD_RELATIVE_MAX);
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
	struct sval *r = s->regs;
	uint32_t len;
	enum step st;

	if (!sval_is_conc(r[4]) || !sval_is_conc(r[5]))
		return engine__end(e, s, PATH_UNSUPPORTED, "skb_store_bytes with a symbolic length or flags");
	len = (uint32_t)r[4].c;
	if (r[5].c & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (!engine__split_ok(e, s, skb_fits(e, s, r[2], len), (uint64_t)-EFAULT, &st))
		return st;
	if ((st = engine__packet_store(e, s, skb_index(e, s, r[2], 0), r[3], len)) != STEP_CONTINUE)
		return st;
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
	Z3_ast ok[3] = { Z3_mk_bvule(z, o, term_num(e, 0xffff, 32)), Z3_mk_eq(z, Z3_mk_extract(z, 0, 0, o), term_num(e, 0, 1)),
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
		if (!engine__split_ok(e, s, Z3_mk_eq(z, sym_ast(&e->ctx, r[3]), term_num(e, 0, 64)), (uint64_t)-EINVAL, &st))
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
	    !engine__split_ok(e, s, Z3_mk_not(z, Z3_mk_eq(z, sum, term_num(e, 0, 16))), 0, &st))
		return st; /* a zero checksum (UDP without one) stays as it is */
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (!engine__split_ok(e, s, Z3_mk_eq(z, sym_ast(&e->ctx, r[3]), term_num(e, 0, 64)), (uint64_t)-EINVAL, &st))
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
		out = Z3_mk_ite(z, Z3_mk_eq(z, out, term_num(e, 0, 16)), term_num(e, 0xffff, 16), out);
	return store_sum(e, s, out);
}

/* As tc_helpers.c: the redirects differ in their argument checks (ok). */
static enum step redirect_if(struct mhse_engine *e, struct state *s, Z3_ast ok)
{
	enum step st;

	if (!engine__split_ok(e, s, ok, TC_ACT_SHOT, &st))
		return st;
	s->redirect = sym_alu(&e->ctx, BPF_ALU | BPF_MOV | BPF_X, 0, sval_conc(0), s->regs[BPF_REG_1]);
	s->regs[BPF_REG_0] = sval_conc(TC_ACT_REDIRECT);
	return STEP_CONTINUE;
}

/* v & mask == 0, for a 64-bit argument */
static Z3_ast bits_clear(struct mhse_engine *e, struct sval v, uint64_t mask)
{
	return Z3_mk_eq(e->ctx.z, Z3_mk_bvand(e->ctx.z, sym_ast(&e->ctx, v), term_num(e, mask, 64)), term_num(e, 0, 64));
}

static enum step tc_redirect(struct mhse_engine *e, struct state *s)
{
	return redirect_if(e, s, bits_clear(e, s->regs[BPF_REG_2], ~(uint64_t)BPF_F_INGRESS));
}

static enum step tc_redirect_peer(struct mhse_engine *e, struct state *s)
{
	return redirect_if(e, s, bits_clear(e, s->regs[BPF_REG_2], ~(uint64_t)0));
}

static enum step tc_redirect_neigh(struct mhse_engine *e, struct state *s)
{
	struct sval plen = s->regs[BPF_REG_3];
	uint32_t region;
	struct sval off;
	enum step st;

	if (!sval_is_conc(plen))
		return engine__end(e, s, PATH_UNSUPPORTED, "redirect_neigh with a symbolic parameter size");
	plen.c = (uint32_t)plen.c;
	if (plen.c && (st = engine__resolve(e, s, s->regs[BPF_REG_2], (uint32_t)plen.c, false, &region, &off)) != STEP_CONTINUE)
		return st;
	if (plen.c && plen.c < REDIR_NEIGH_SIZE) {
		s->regs[BPF_REG_0] = sval_conc(TC_ACT_SHOT);
		return STEP_CONTINUE;
	}
	return redirect_if(e, s, bits_clear(e, s->regs[BPF_REG_4], ~(uint64_t)0));
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
	ok[0] = Z3_mk_bvule(z, Z3_mk_extract(z, 31, 0, cur), term_num(e, PACKET_OTHERHOST, 32));
	ok[1] = Z3_mk_bvule(z, Z3_mk_extract(z, 31, 0, next), term_num(e, PACKET_OTHERHOST, 32));
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

	if (!engine__split_ok(e, s, Z3_mk_bvule(z, Z3_mk_bvadd(z, term_num(e, s->pkt_lo, 64), len), s->pkt_hi),
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

/* The skb's length, 64 bits. */
static Z3_ast skb_len(struct mhse_engine *e, struct state *s)
{
	return Z3_mk_bvsub(e->ctx.z, s->pkt_hi, term_num(e, s->pkt_lo, 64));
}

/* skb->protocol as the context holds it (network byte order), 16 bits. */
static Z3_ast skb_protocol(struct mhse_engine *e, struct state *s)
{
	const struct ctx_field *f = mhse_hook__field(e->hook, "protocol");

	if (!f)
		return term_num(e, 0, 16);
	return Z3_mk_extract(e->ctx.z, 15, 0,
			     sym_ast(&e->ctx, sregion__read(&e->ctx, s->regions[SREGION_CTX], sval_conc(f->offset), 4)));
}

/* For helpers whose arguments mhse needs as numbers: false after ending s. */
static bool concrete_args(struct mhse_engine *e, struct state *s, const char *helper, int from, int to, enum step *st)
{
	for (int i = from; i <= to; i++)
		if (!sval_is_conc(s->regs[i])) {
			*st = engine__end(e, s, PATH_UNSUPPORTED, "%s with a symbolic argument %d", helper, i);
			return false;
		}
	return true;
}

static enum step tc_skb_change_tail(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast len = Z3_mk_zero_ext(z, 32, low32(e, s->regs[BPF_REG_2])), ok[2];
	enum step st;

	if (!concrete_args(e, s, "skb_change_tail", BPF_REG_3, BPF_REG_3, &st))
		return st;
	if (s->regs[BPF_REG_3].c) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	ok[0] = Z3_mk_bvule(z, len, term_num(e, SKB_MAX_LEN, 64));
	ok[1] = Z3_mk_bvuge(z, len, term_num(e, s->skb_net_off, 64));
	if (!engine__split_ok(e, s, Z3_mk_and(z, 2, ok), (uint64_t)-EINVAL, &st))
		return st;
	s->regs[BPF_REG_0] = sval_conc(0);
	return engine__packet_set_len(e, s, sym_from(&e->ctx, len, false));
}

static enum step tc_skb_change_head(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	uint32_t room;
	enum step st;

	if (!concrete_args(e, s, "skb_change_head", BPF_REG_2, BPF_REG_3, &st))
		return st;
	room = (uint32_t)s->regs[BPF_REG_2].c;
	if (s->regs[BPF_REG_3].c || room > SKB_MAX_LEN) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (!engine__split_ok(e, s, Z3_mk_bvule(z, Z3_mk_bvadd(z, skb_len(e, s), term_num(e, room, 64)), term_num(e, SKB_MAX_LEN, 64)),
			      (uint64_t)-EINVAL, &st))
		return st;
	s->skb_net_off += room;
	s->regs[BPF_REG_0] = sval_conc(0);
	return engine__packet_splice(e, s, 0, (int32_t)room);
}

/* As tc_helpers.c: skb->protocol becomes the outer L3 header's. */
static enum step encapsulate(struct mhse_engine *e, struct state *s, uint64_t flags)
{
	Z3_context z = e->ctx.z;
	Z3_ast proto = skb_protocol(e, s), ip = term_num(e, __builtin_bswap16(ETH_P_IP), 16);
	Z3_ast ip6 = term_num(e, __builtin_bswap16(ETH_P_IPV6), 16);

	s->skb_encapsulated = true;
	if (flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)
		proto = Z3_mk_ite(z, Z3_mk_eq(z, proto, ip), ip6, proto);
	else
		proto = Z3_mk_ite(z, Z3_mk_eq(z, proto, ip6), ip, proto);
	return write_field(e, s, "protocol", sym_from(&e->ctx, proto, false));
}

/* skb_adjust_room once the network protocol's header length (base) is known. */
static enum step adjust_room(struct mhse_engine *e, struct state *s, uint32_t base)
{
	Z3_context z = e->ctx.z;
	int32_t diff = (int32_t)s->regs[BPF_REG_2].c;
	uint32_t size = diff < 0 ? -(uint32_t)diff : (uint32_t)diff;
	uint32_t off = s->skb_net_off + ((uint32_t)s->regs[BPF_REG_3].c == BPF_ADJ_ROOM_NET ? base : 0);
	uint64_t flags = s->regs[BPF_REG_4].c;
	Z3_ast len = skb_len(e, s), ok;
	enum step st;

	if (diff < 0) /* what follows the network header keeps base bytes */
		ok = Z3_mk_bvuge(z, len, term_num(e, (uint64_t)s->skb_net_off + size + base, 64));
	else
		ok = Z3_mk_bvule(z, Z3_mk_bvadd(z, len, term_num(e, size, 64)), term_num(e, SKB_MAX_LEN, 64));
	if (!engine__split_ok(e, s, ok, (uint64_t)-ENOTSUPP, &st))
		return st;
	if (diff < 0 && (flags & ~(uint64_t)ADJ_ROOM_SHRINK_FLAGS)) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (diff < 0 && !engine__split_ok(e, s, Z3_mk_bvuge(z, len, term_num(e, (uint64_t)off + size, 64)), (uint64_t)-ENOMEM, &st))
		return st;
	if (diff >= 0 && (flags & ADJ_ROOM_ENCAP)) {
		int err = adjust_room_encap_error(flags, size, s->skb_encapsulated);

		if (err) {
			s->regs[BPF_REG_0] = sval_conc((uint64_t)(int64_t)err);
			return STEP_CONTINUE;
		}
	}
	if (diff >= 0) {
		struct state *short_pkt;

		switch (engine__split(e, s, Z3_mk_bvult(z, len, term_num(e, off, 64)), &short_pkt)) {
		case -1:
			return STEP_DONE;
		case 1:
			return engine__end(e, s, PATH_UNSUPPORTED, "skb_adjust_room past the end of the packet");
		case 2:
			engine__end(e, short_pkt, PATH_UNSUPPORTED, "skb_adjust_room past the end of the packet");
			state__free(short_pkt);
			break;
		default:
			break;
		}
	}
	if (diff >= 0 && (flags & ADJ_ROOM_ENCAP) && (st = encapsulate(e, s, flags)) != STEP_CONTINUE)
		return st;
	s->regs[BPF_REG_0] = sval_conc(0);
	return engine__packet_splice(e, s, off, diff);
}

static enum step tc_skb_adjust_room(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	struct state *ip4;
	Z3_ast proto, is_ip4, is_ip6;
	uint32_t size;
	enum step st;

	if (!concrete_args(e, s, "skb_adjust_room", BPF_REG_2, BPF_REG_4, &st))
		return st;
	size = (int32_t)r[2].c < 0 ? -(uint32_t)r[2].c : (uint32_t)r[2].c;
	r[0] = sval_conc((uint64_t)-ENOTSUPP);
	if (r[4].c & ~(uint64_t)ADJ_ROOM_FLAGS)
		r[0] = sval_conc((uint64_t)-EINVAL);
	else if (size > ADJ_ROOM_MAX)
		r[0] = sval_conc((uint64_t)-EFAULT);
	if (r[0].c != (uint64_t)-ENOTSUPP)
		return STEP_CONTINUE;
	proto = skb_protocol(e, s);
	is_ip4 = Z3_mk_eq(z, proto, term_num(e, __builtin_bswap16(ETH_P_IP), 16));
	is_ip6 = Z3_mk_eq(z, proto, term_num(e, __builtin_bswap16(ETH_P_IPV6), 16));
	if (!engine__split_ok(e, s, Z3_mk_or(z, 2, (Z3_ast[]){ is_ip4, is_ip6 }), (uint64_t)-ENOTSUPP, &st))
		return st;
	if ((uint32_t)r[3].c > BPF_ADJ_ROOM_MAC)
		return STEP_CONTINUE; /* r0 is -ENOTSUPP */
	/* the header length matters to shrinking and to room after the network header */
	if ((int32_t)r[2].c >= 0 && (uint32_t)r[3].c == BPF_ADJ_ROOM_MAC)
		return adjust_room(e, s, 0);
	switch (engine__split(e, s, is_ip4, &ip4)) {
	case -1:
		return STEP_DONE;
	case 1:
		return adjust_room(e, s, 20);
	case 2:
		if (engine__finish_side(e, ip4, adjust_room(e, ip4, 20)) == STEP_FAILED)
			return STEP_FAILED;
		/* fall through */
	default:
		return adjust_room(e, s, 40);
	}
}

static enum step tc_skb_change_proto(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	uint16_t to, from;
	int32_t delta;
	enum step st;

	if (!concrete_args(e, s, "skb_change_proto", BPF_REG_2, BPF_REG_3, &st))
		return st;
	to = __builtin_bswap16((uint16_t)r[2].c);
	if (r[3].c || (to != ETH_P_IP && to != ETH_P_IPV6)) {
		r[0] = sval_conc(r[3].c ? (uint64_t)-EINVAL : (uint64_t)-ENOTSUPP);
		return STEP_CONTINUE;
	}
	from = to == ETH_P_IP ? ETH_P_IPV6 : ETH_P_IP;
	delta = to == ETH_P_IPV6 ? PROTO_XLAT_DELTA : -PROTO_XLAT_DELTA;
	if (!engine__split_ok(e, s, Z3_mk_eq(z, skb_protocol(e, s), term_num(e, __builtin_bswap16(from), 16)),
			      (uint64_t)-ENOTSUPP, &st))
		return st;
	if (delta < 0 && !engine__split_ok(e, s, Z3_mk_bvuge(z, skb_len(e, s), term_num(e, s->skb_net_off + PROTO_XLAT_DELTA, 64)),
					   (uint64_t)-ENOMEM, &st))
		return st;
	if ((st = write_field(e, s, "protocol", sval_conc(__builtin_bswap16(to)))) != STEP_CONTINUE ||
	    (st = clear_hash(e, s)) != STEP_CONTINUE)
		return st;
	r[0] = sval_conc(0);
	return engine__packet_splice(e, s, s->skb_net_off, delta);
}

/* Byte at offset at of the packet data. */
static Z3_ast pkt_byte(struct mhse_engine *e, struct state *s, uint32_t at)
{
	return Z3_mk_select(e->ctx.z, s->regions[SREGION_PKT]->array, term_num(e, s->pkt_lo + at, 64));
}

static enum step store_pkt_byte(struct mhse_engine *e, struct state *s, uint32_t at, Z3_ast byte)
{
	struct sregion *pkt = state__writable_region(s, SREGION_PKT);

	if (!pkt)
		return STEP_FAILED;
	pkt->array = Z3_mk_store(e->ctx.z, pkt->array, term_num(e, s->pkt_lo + at, 64), byte);
	return STEP_CONTINUE;
}

/* As tc_helpers.c, on the IP header at the network offset (base: its length). */
static enum step ecn_set_ce(struct mhse_engine *e, struct state *s, uint32_t base)
{
	Z3_context z = e->ctx.z;
	uint32_t ip = s->skb_net_off;
	Z3_ast tos = pkt_byte(e, s, ip + 1), ecn, marks, check, sum;
	enum step st;

	s->regs[BPF_REG_0] = sval_conc(0);
	if (!engine__split_ok(e, s, Z3_mk_bvuge(z, skb_len(e, s), term_num(e, ip + base, 64)), 0, &st))
		return st;
	if (base == 40) {
		marks = Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_bvand(z, tos, term_num(e, IPV6_ECN_BITS, 8)), term_num(e, 0, 8)));
		s->regs[BPF_REG_0] = sym_from(&e->ctx, Z3_mk_ite(z, marks, term_num(e, 1, 8), term_num(e, 0, 8)), false);
		return store_pkt_byte(e, s, ip + 1, Z3_mk_ite(z, marks, Z3_mk_bvor(z, tos, term_num(e, IPV6_ECN_BITS, 8)), tos));
	}
	ecn = Z3_mk_bvand(z, Z3_mk_bvadd(z, tos, term_num(e, 1, 8)), term_num(e, INET_ECN_MASK, 8));
	marks = Z3_mk_eq(z, Z3_mk_extract(z, 1, 1, ecn), term_num(e, 1, 1));
	check = Z3_mk_concat(z, pkt_byte(e, s, ip + 11), pkt_byte(e, s, ip + 10));
	sum = csum_sym16_add(&e->ctx, check, Z3_mk_ite(z, Z3_mk_eq(z, ecn, term_num(e, 2, 8)), term_num(e, ecn_check_add(2), 16),
						       term_num(e, ecn_check_add(3), 16)));
	sum = Z3_mk_ite(z, marks, sum, check);
	s->regs[BPF_REG_0] = sym_from(&e->ctx, Z3_mk_ite(z, Z3_mk_or(z, 2, (Z3_ast[]){ marks, Z3_mk_eq(z, ecn, term_num(e, 0, 8)) }),
						      term_num(e, 1, 8), term_num(e, 0, 8)), false);
	if ((st = store_pkt_byte(e, s, ip + 10, Z3_mk_extract(z, 7, 0, sum))) != STEP_CONTINUE ||
	    (st = store_pkt_byte(e, s, ip + 11, Z3_mk_extract(z, 15, 8, sum))) != STEP_CONTINUE)
		return st;
	return store_pkt_byte(e, s, ip + 1, Z3_mk_ite(z, marks, Z3_mk_bvor(z, tos, term_num(e, INET_ECN_MASK, 8)), tos));
}

static enum step tc_skb_ecn_set_ce(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast is_ip4 = Z3_mk_eq(z, skb_protocol(e, s), term_num(e, __builtin_bswap16(ETH_P_IP), 16));
	Z3_ast is_ip6 = Z3_mk_eq(z, skb_protocol(e, s), term_num(e, __builtin_bswap16(ETH_P_IPV6), 16));
	struct state *ip4;
	enum step st;

	if (!engine__split_ok(e, s, Z3_mk_or(z, 2, (Z3_ast[]){ is_ip4, is_ip6 }), 0, &st))
		return st;
	switch (engine__split(e, s, is_ip4, &ip4)) {
	case -1:
		return STEP_DONE;
	case 1:
		return ecn_set_ce(e, s, 20);
	case 2:
		if (engine__finish_side(e, ip4, ecn_set_ce(e, ip4, 20)) == STEP_FAILED)
			return STEP_FAILED;
		/* fall through */
	default:
		return ecn_set_ce(e, s, 40);
	}
}

static enum step tc_clone_redirect(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval rc;
	enum step st;

	if (!engine__split_ok(e, s, bits_clear(e, s->regs[BPF_REG_3], ~(uint64_t)BPF_F_INGRESS), (uint64_t)-EINVAL, &st))
		return st;
	rc = engine__nondet(e, s, BPF_FUNC_clone_redirect, 32);
	if (engine__constrain(e, s, Z3_mk_bvsle(z, Z3_mk_extract(z, 31, 0, rc.e), term_num(e, CLONE_REDIRECT_MAX, 32))))
		return STEP_FAILED;
	s->regs[BPF_REG_0] = sym_from(&e->ctx, Z3_mk_extract(z, 31, 0, rc.e), true);
	return STEP_CONTINUE;
}

static enum step tc_skb_set_tunnel_key(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	uint32_t size;
	Z3_ast key, bad[2];
	enum step st;

	if (!concrete_args(e, s, "skb_set_tunnel_key", BPF_REG_3, BPF_REG_4, &st))
		return st;
	size = (uint32_t)r[3].c;
	if (size && (st = engine__read_bytes(e, s, r[2], size, &key)) != STEP_CONTINUE)
		return st;
	r[0] = sval_conc((uint64_t)-EINVAL);
	if ((r[4].c & ~(uint64_t)TUNNEL_KEY_FLAGS) || !tunnel_key_size_ok(size))
		return STEP_CONTINUE;
	bad[0] = size > 24 && !(r[4].c & BPF_F_TUNINFO_IPV6) ?
		Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_extract(z, 223, 192, key), term_num(e, 0, 32))) : Z3_mk_false(z);
	bad[1] = size > 22 ? Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_extract(z, 191, 176, key), term_num(e, 0, 16))) : Z3_mk_false(z);
	if (!engine__split_ok(e, s, Z3_mk_not(z, Z3_mk_or(z, 2, bad)), (uint64_t)-EINVAL, &st))
		return st;
	s->skb_tunnel_key = NULL;
	for (uint32_t at = 0; at < TUNNEL_KEY_SIZE; at++) {
		int from;
		uint8_t v = tunnel_key_byte(at, r[4].c, &from);
		Z3_ast byte = from < 0 ? term_num(e, v, 8) : (uint32_t)from < size ?
			Z3_mk_bvand(z, Z3_mk_extract(z, 8 * from + 7, 8 * from, key), term_num(e, v, 8)) : term_num(e, 0, 8);

		s->skb_tunnel_key = s->skb_tunnel_key ? Z3_mk_concat(z, byte, s->skb_tunnel_key) : byte;
	}
	s->skb_tunnel_key = engine__simplify(e, s->skb_tunnel_key);
	s->skb_tunnel_ipv6 = r[4].c & BPF_F_TUNINFO_IPV6;
	r[0] = sval_conc(0);
	return STEP_CONTINUE;
}

static enum step tc_get_hash_recalc(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	const struct ctx_field *f = mhse_hook__field(e->hook, "hash");
	struct sval hash = f ? sregion__read(&e->ctx, s->regions[SREGION_CTX], sval_conc(f->offset), 4) : sval_conc(0);
	struct state *unset;
	struct sval fresh;

	switch (engine__split(e, s, Z3_mk_eq(z, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, hash)), term_num(e, 0, 32)), &unset)) {
	case -1:
		return STEP_DONE;
	case 1:
		unset = s;
		break;
	case 2:
		break;
	default:
		s->regs[BPF_REG_0] = hash;
		return STEP_CONTINUE;
	}
	fresh = engine__nondet(e, unset, BPF_FUNC_get_hash_recalc, 32);
	if (engine__constrain(e, unset, Z3_mk_not(z, Z3_mk_eq(z, fresh.e, term_num(e, 0, 64)))))
		return STEP_FAILED;
	unset->regs[BPF_REG_0] = fresh;
	if (unset == s)
		return write_field(e, s, "hash", fresh);
	if (engine__finish_side(e, unset, write_field(e, unset, "hash", fresh)) == STEP_FAILED)
		return STEP_FAILED;
	s->regs[BPF_REG_0] = hash;
	return STEP_CONTINUE;
}

static enum step tc_fib_lookup(struct mhse_engine *e, struct state *s)
{
	return sym_fib_lookup(e, s, true);
}

/* Byte i of a term of bytes, byte 0 lowest. */
static Z3_ast byte_of(struct mhse_engine *e, Z3_ast bytes, uint32_t i)
{
	return Z3_mk_extract(e->ctx.z, 8 * i + 7, 8 * i, bytes);
}

/* params[at, at + len) = value's low bytes where cond holds. */
static void set_where(struct mhse_engine *e, Z3_ast *params, Z3_ast cond, uint32_t at, uint32_t len, Z3_ast value)
{
	for (uint32_t i = 0; i < len; i++)
		params[at + i] = Z3_mk_ite(e->ctx.z, cond, byte_of(e, value, i), params[at + i]);
}

/* A lookup that passed its checks, for the family v4 says (fib.h). */
static enum step fib_answer(struct mhse_engine *e, struct state *s, bool v4, bool skb)
{
	Z3_context z = e->ctx.z;
	uint32_t flags = (uint32_t)s->regs[BPF_REG_4].c, tbid = BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID;
	Z3_ast bytes, params[FIB_PARAMS_SIZE], v[FIB_DRAWS], acc = NULL;
	static const unsigned bits[FIB_DRAWS] = { 32, 32, 32, 64, 64, 64, 32, 16 };
	Z3_ast ok, success, frag, frag_after_route, route, tot_len_zero, cond;
	enum step st = engine__read_bytes(e, s, s->regs[BPF_REG_2], FIB_PARAMS_SIZE, &bytes);

	if (st != STEP_CONTINUE)
		return st;
	for (uint32_t i = 0; i < FIB_PARAMS_SIZE; i++)
		params[i] = byte_of(e, bytes, i);
	for (int i = 0; i < FIB_DRAWS; i++)
		v[i] = Z3_mk_extract(z, bits[i] - 1, 0, engine__nondet(e, s, BPF_FUNC_fib_lookup, bits[i]).e);
	ok = Z3_mk_or(z, 2, (Z3_ast[]){ Z3_mk_eq(z, v[0], term_num(e, (uint32_t)-ENODEV, 32)),
				       Z3_mk_bvule(z, v[0], term_num(e, BPF_FIB_LKUP_RET_FRAG_NEEDED, 32)) });
	if (engine__constrain(e, s, ok))
		return STEP_FAILED;
	success = Z3_mk_eq(z, v[0], term_num(e, BPF_FIB_LKUP_RET_SUCCESS, 32));
	frag = Z3_mk_eq(z, v[0], term_num(e, BPF_FIB_LKUP_RET_FRAG_NEEDED, 32));
	tot_len_zero = Z3_mk_eq(z, Z3_mk_concat(z, params[7], params[6]), term_num(e, 0, 16));
	frag_after_route = skb ? Z3_mk_and(z, 2, (Z3_ast[]){ frag, tot_len_zero }) : Z3_mk_false(z);
	route = Z3_mk_or(z, 3, (Z3_ast[]){ success, Z3_mk_eq(z, v[0], term_num(e, BPF_FIB_LKUP_RET_NO_NEIGH, 32)), frag_after_route });
	if ((flags & tbid) == tbid) {
		cond = Z3_mk_not(z, Z3_mk_or(z, 2, (Z3_ast[]){ Z3_mk_eq(z, v[0], term_num(e, (uint32_t)-ENODEV, 32)),
						       Z3_mk_eq(z, v[0], term_num(e, BPF_FIB_LKUP_RET_FWD_DISABLED, 32)) }));
		set_where(e, params, cond, 48, 4, term_num(e, 0, 32));
	}
	set_where(e, params, route, 8, 4, v[1]);
	set_where(e, params, route, 12, 4, v[2]);
	set_where(e, params, route, 32, v4 ? 4 : 8, v[3]);
	if (!v4)
		set_where(e, params, route, 40, 8, v[4]);
	cond = Z3_mk_or(z, 2, (Z3_ast[]){ success, frag_after_route });
	if (!(flags & BPF_FIB_LOOKUP_SKIP_NEIGH)) {
		set_where(e, params, cond, 52, 8, v[5]);
		set_where(e, params, cond, 60, 4, v[6]);
	}
	set_where(e, params, cond, 48, 4, term_num(e, 0, 32));
	set_where(e, params, Z3_mk_or(z, 2, (Z3_ast[]){ success, frag }), 6, 2, v[7]);
	for (uint32_t i = 0; i < FIB_PARAMS_SIZE; i++)
		acc = acc ? Z3_mk_concat(z, params[i], acc) : params[i];
	s->regs[BPF_REG_0] = sym_from(&e->ctx, v[0], true);
	return sym_write_bytes(e, s, s->regs[BPF_REG_2], FIB_PARAMS_SIZE, engine__simplify(e, acc));
}

enum step sym_fib_lookup(struct mhse_engine *e, struct state *s, bool skb)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	struct state *v4;
	Z3_ast family;
	uint32_t plen, region;
	struct sval off;
	enum step st;

	if (!concrete_args(e, s, "fib_lookup", BPF_REG_3, BPF_REG_4, &st))
		return st;
	plen = (uint32_t)r[3].c;
	if (plen && (st = engine__resolve(e, s, r[2], plen, true, &region, &off)) != STEP_CONTINUE)
		return st;
	if ((int32_t)plen < FIB_PARAMS_SIZE || ((uint32_t)r[4].c & ~(uint32_t)FIB_LOOKUP_FLAGS)) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if ((st = engine__read_bytes(e, s, r[2], 1, &family)) != STEP_CONTINUE)
		return st;
	{
		Z3_ast is_inet = Z3_mk_eq(z, family, term_num(e, AF_INET, 8)), is_inet6 = Z3_mk_eq(z, family, term_num(e, AF_INET6, 8));

		if (!engine__split_ok(e, s, Z3_mk_or(z, 2, (Z3_ast[]){ is_inet, is_inet6 }), (uint64_t)-EAFNOSUPPORT, &st))
			return st;
		if ((uint32_t)r[4].c & BPF_FIB_LOOKUP_SRC)
			return engine__end(e, s, PATH_UNSUPPORTED, "fib_lookup with BPF_FIB_LOOKUP_SRC");
		switch (engine__split(e, s, is_inet, &v4)) {
		case -1:
			return STEP_DONE;
		case 1:
			return fib_answer(e, s, true, skb);
		case 2:
			if (engine__finish_side(e, v4, fib_answer(e, v4, true, skb)) == STEP_FAILED)
				return STEP_FAILED;
			/* fall through */
		default:
			return fib_answer(e, s, false, skb);
		}
	}
}

/* As check_mtu_run: the answer of the machine's device ifindex, drawn. */
static int other_device_mtu(struct mhse_engine *e, struct state *s, Z3_ast *rc, Z3_ast *mtu)
{
	Z3_context z = e->ctx.z;
	Z3_ast codes[3];

	*rc = Z3_mk_extract(z, 31, 0, engine__nondet(e, s, BPF_FUNC_check_mtu, 32).e);
	*mtu = Z3_mk_extract(z, 31, 0, engine__nondet(e, s, BPF_FUNC_check_mtu, 32).e);
	codes[0] = term_eq(e, *rc, BPF_MTU_CHK_RET_SUCCESS);
	codes[1] = term_eq(e, *rc, BPF_MTU_CHK_RET_FRAG_NEEDED);
	codes[2] = term_eq(e, *rc, (uint32_t)-ENODEV);
	return engine__constrain(e, s, Z3_mk_or(z, 3, codes));
}

/* As check_mtu_run, once it is known whether ifindex names the loopback. */
static enum step check_mtu(struct mhse_engine *e, struct state *s, Z3_ast pkt_len, bool skb, bool loopback)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	Z3_ast given, len, rc, mtu, len_diff = low32(e, r[4]), einval[2], answered;
	enum step st;

	if ((st = engine__read_bytes(e, s, r[3], 4, &given)) != STEP_CONTINUE)
		return st;
	if (loopback) {
		len = Z3_mk_ite(z, term_eq(e, given, 0), pkt_len, Z3_mk_bvadd(z, given, term_num(e, LOOPBACK_HARD_HEADER, 32)));
		rc = Z3_mk_ite(z, Z3_mk_bvsle(z, Z3_mk_bvadd(z, len, len_diff), term_num(e, LOOPBACK_MTU + LOOPBACK_HARD_HEADER, 32)),
			       term_num(e, BPF_MTU_CHK_RET_SUCCESS, 32), term_num(e, BPF_MTU_CHK_RET_FRAG_NEEDED, 32));
		mtu = term_num(e, LOOPBACK_MTU, 32);
	} else if (other_device_mtu(e, s, &rc, &mtu)) {
		return STEP_FAILED;
	}
	einval[0] = Z3_mk_not(z, bits_clear(e, r[5], ~(uint64_t)(skb ? BPF_MTU_CHK_SEGS : 0)));
	einval[1] = term_and(e, Z3_mk_not(z, bits_clear(e, r[5], BPF_MTU_CHK_SEGS)),
			     Z3_mk_not(z, term_and(e, term_eq(e, len_diff, 0), term_eq(e, given, 0))));
	rc = Z3_mk_ite(z, Z3_mk_or(z, 2, einval), term_num(e, (uint32_t)-EINVAL, 32), rc);
	answered = term_or(e, term_eq(e, rc, BPF_MTU_CHK_RET_SUCCESS), term_eq(e, rc, BPF_MTU_CHK_RET_FRAG_NEEDED));
	r[0] = sym_from(&e->ctx, engine__simplify(e, rc), true);
	return sym_write_bytes(e, s, r[3], 4, engine__simplify(e, Z3_mk_ite(z, answered, mtu, given)));
}

enum step sym_check_mtu(struct mhse_engine *e, struct state *s, Z3_ast pkt_len, bool skb)
{
	Z3_ast ifindex = low32(e, s->regs[BPF_REG_2]);
	struct state *loopback;

	switch (engine__split(e, s, term_or(e, term_eq(e, ifindex, 0), term_eq(e, ifindex, LOOPBACK_IFINDEX)), &loopback)) {
	case -1:
		return STEP_DONE;
	case 1:
		return check_mtu(e, s, pkt_len, skb, true);
	case 2:
		if (engine__finish_side(e, loopback, check_mtu(e, loopback, pkt_len, skb, true)) == STEP_FAILED)
			return STEP_FAILED;
		/* fall through */
	default:
		return check_mtu(e, s, pkt_len, skb, false);
	}
}

static enum step tc_check_mtu(struct mhse_engine *e, struct state *s)
{
	return sym_check_mtu(e, s, Z3_mk_extract(e->ctx.z, 31, 0, skb_len(e, s)), true);
}

/* A 4-byte context field's value, 32 bits (0 when the spec has no such field). */
static Z3_ast field_term(struct mhse_engine *e, struct state *s, const char *name)
{
	const struct ctx_field *f = mhse_hook__field(e->hook, name);

	if (!f)
		return term_num(e, 0, 32);
	return Z3_mk_extract(e->ctx.z, 31, 0, sym_ast(&e->ctx, sregion__read(&e->ctx, s->regions[SREGION_CTX],
									     sval_conc(f->offset), 4)));
}

/* Whether the skb has a tag outside its data. */
static Z3_ast vlan_tagged(struct mhse_engine *e, struct state *s)
{
	return Z3_mk_not(e->ctx.z, Z3_mk_eq(e->ctx.z, field_term(e, s, "vlan_present"), term_num(e, 0, 32)));
}

/* As tc_helpers.c: proto (16 bits, network byte order; 0 for none) and tci
 * (16 bits). */
static enum step set_vlan_tag(struct mhse_engine *e, struct state *s, Z3_ast proto, Z3_ast tci)
{
	Z3_context z = e->ctx.z;
	Z3_ast present = Z3_mk_ite(z, Z3_mk_eq(z, proto, term_num(e, 0, 16)), term_num(e, 0, 32), term_num(e, 1, 32));
	enum step st;

	if ((st = write_field(e, s, "vlan_present", sym_from(&e->ctx, present, false))) != STEP_CONTINUE ||
	    (st = write_field(e, s, "vlan_proto", sym_from(&e->ctx, proto, false))) != STEP_CONTINUE)
		return st;
	return write_field(e, s, "vlan_tci", sym_from(&e->ctx, tci, false));
}

/* skb_vlan_push when a tag is outside the data: that one goes in. */
static enum step vlan_push_tagged(struct mhse_engine *e, struct state *s, Z3_ast proto, Z3_ast tci)
{
	Z3_context z = e->ctx.z;
	Z3_ast old_proto = Z3_mk_extract(z, 15, 0, field_term(e, s, "vlan_proto"));
	Z3_ast old_tci = Z3_mk_extract(z, 15, 0, field_term(e, s, "vlan_tci"));
	enum step st = engine__packet_splice(e, s, VLAN_TAG_AT, VLAN_HLEN);

	if (st != STEP_CONTINUE ||
	    (st = store_pkt_byte(e, s, VLAN_TAG_AT, Z3_mk_extract(z, 7, 0, old_proto))) != STEP_CONTINUE ||
	    (st = store_pkt_byte(e, s, VLAN_TAG_AT + 1, Z3_mk_extract(z, 15, 8, old_proto))) != STEP_CONTINUE ||
	    (st = store_pkt_byte(e, s, VLAN_TAG_AT + 2, Z3_mk_extract(z, 15, 8, old_tci))) != STEP_CONTINUE ||
	    (st = store_pkt_byte(e, s, VLAN_TAG_AT + 3, Z3_mk_extract(z, 7, 0, old_tci))) != STEP_CONTINUE ||
	    (st = write_field(e, s, "protocol", sym_from(&e->ctx, old_proto, false))) != STEP_CONTINUE)
		return st;
	s->skb_net_off += VLAN_HLEN;
	return set_vlan_tag(e, s, proto, tci);
}

static enum step tc_skb_vlan_push(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast arg = Z3_mk_extract(z, 15, 0, sym_ast(&e->ctx, s->regs[BPF_REG_2]));
	Z3_ast tci = Z3_mk_extract(z, 15, 0, sym_ast(&e->ctx, s->regs[BPF_REG_3])), proto, vlan[2];
	struct state *tagged;

	vlan[0] = Z3_mk_eq(z, arg, term_num(e, __builtin_bswap16(ETH_P_8021Q), 16));
	vlan[1] = Z3_mk_eq(z, arg, term_num(e, __builtin_bswap16(ETH_P_8021AD), 16));
	proto = Z3_mk_ite(z, Z3_mk_or(z, 2, vlan), arg, term_num(e, __builtin_bswap16(ETH_P_8021Q), 16));
	s->regs[BPF_REG_0] = sval_conc(0);
	switch (engine__split(e, s, vlan_tagged(e, s), &tagged)) {
	case -1:
		return STEP_DONE;
	case 1:
		return vlan_push_tagged(e, s, proto, tci);
	case 2:
		if (engine__finish_side(e, tagged, vlan_push_tagged(e, tagged, proto, tci)) == STEP_FAILED)
			return STEP_FAILED;
		/* fall through */
	default:
		return set_vlan_tag(e, s, proto, tci);
	}
}

/* As tc_helpers.c, on a packet the caller found long enough: the tag's TCI
 * in *tci (16 bits). */
static enum step pop_inband_tag(struct mhse_engine *e, struct state *s, Z3_ast *tci)
{
	Z3_context z = e->ctx.z;
	Z3_ast proto = ethertype_protocol(e, s->regions[SREGION_PKT]->array, s->pkt_lo + VLAN_ETH_HLEN - 2,
					  Z3_mk_bvuge(z, skb_len(e, s), term_num(e, VLAN_ETH_HLEN + 2, 64)));
	enum step st;

	*tci = Z3_mk_concat(z, pkt_byte(e, s, VLAN_TAG_AT + 2), pkt_byte(e, s, VLAN_TAG_AT + 3));
	if ((st = write_field(e, s, "protocol", sym_from(&e->ctx, proto, false))) != STEP_CONTINUE)
		return st;
	s->skb_net_off = s->skb_net_off < ETH_HLEN + VLAN_HLEN ? ETH_HLEN : s->skb_net_off - VLAN_HLEN;
	return engine__packet_splice(e, s, VLAN_TAG_AT, -VLAN_HLEN);
}

/* Whether skb->protocol names a VLAN tag, and the packet is long enough
 * for one (else -ENOMEM): false when s does not go on to pop it. */
static bool vlan_inband(struct mhse_engine *e, struct state *s, enum step *st)
{
	Z3_context z = e->ctx.z;
	Z3_ast proto = skb_protocol(e, s), vlan[2];

	vlan[0] = Z3_mk_eq(z, proto, term_num(e, __builtin_bswap16(ETH_P_8021Q), 16));
	vlan[1] = Z3_mk_eq(z, proto, term_num(e, __builtin_bswap16(ETH_P_8021AD), 16));
	return engine__split_ok(e, s, Z3_mk_or(z, 2, vlan), 0, st) &&
	       engine__split_ok(e, s, Z3_mk_bvuge(z, skb_len(e, s), term_num(e, VLAN_ETH_HLEN, 64)), (uint64_t)-ENOMEM, st);
}

/* skb_vlan_pop once no tag is outside the data: an in-band one moves out. */
static enum step vlan_pop_inner(struct mhse_engine *e, struct state *s)
{
	Z3_ast proto = skb_protocol(e, s), tci;
	enum step st;

	if (!vlan_inband(e, s, &st) || (st = pop_inband_tag(e, s, &tci)) != STEP_CONTINUE)
		return st;
	return set_vlan_tag(e, s, proto, tci);
}

static enum step vlan_pop_tagged(struct mhse_engine *e, struct state *s)
{
	enum step st = set_vlan_tag(e, s, term_num(e, 0, 16), term_num(e, 0, 16));

	return st == STEP_CONTINUE ? vlan_pop_inner(e, s) : st;
}

static enum step vlan_pop_untagged(struct mhse_engine *e, struct state *s)
{
	Z3_ast tci;
	enum step st;

	if (!vlan_inband(e, s, &st) || (st = pop_inband_tag(e, s, &tci)) != STEP_CONTINUE)
		return st;
	return vlan_pop_inner(e, s);
}

static enum step tc_skb_vlan_pop(struct mhse_engine *e, struct state *s)
{
	struct state *tagged;

	s->regs[BPF_REG_0] = sval_conc(0);
	switch (engine__split(e, s, vlan_tagged(e, s), &tagged)) {
	case -1:
		return STEP_DONE;
	case 1:
		return vlan_pop_tagged(e, s);
	case 2:
		if (engine__finish_side(e, tagged, vlan_pop_tagged(e, tagged)) == STEP_FAILED)
			return STEP_FAILED;
		/* fall through */
	default:
		return vlan_pop_untagged(e, s);
	}
}

/* As tc_helpers.c: the getters' buffer (r2, r3 bytes), cleared when err. */
static enum step tunnel_buffer(struct mhse_engine *e, struct state *s, const char *helper, int err)
{
	struct sval *r = s->regs, off;
	uint32_t size, region;
	enum step st;

	if (!concrete_args(e, s, helper, BPF_REG_3, BPF_REG_3, &st))
		return st;
	size = (uint32_t)r[3].c;
	if (size && (st = engine__resolve(e, s, r[2], size, true, &region, &off)) != STEP_CONTINUE)
		return st;
	r[0] = sval_conc((uint64_t)(int64_t)err);
	return err && size ? sym_write_bytes(e, s, r[2], size, term_num(e, 0, size * 8)) : STEP_CONTINUE;
}

static enum step tc_skb_get_tunnel_key(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	uint32_t size = (uint32_t)r[3].c;
	Z3_ast bytes = NULL;
	enum step st;
	int err;

	if (!concrete_args(e, s, "skb_get_tunnel_key", BPF_REG_3, BPF_REG_4, &st))
		return st;
	err = s->skb_tunnel_key ? tunnel_key_get_error(s->skb_tunnel_ipv6, size, r[4].c) : -EINVAL;
	if ((st = tunnel_buffer(e, s, "skb_get_tunnel_key", err)) != STEP_CONTINUE || err)
		return st;
	for (uint32_t at = 0; at < size; at++) {
		bool flags_byte = at == TUNNEL_FLAGS_AT || at == TUNNEL_FLAGS_AT + 1;
		Z3_ast byte = flags_byte && !(r[4].c & BPF_F_TUNINFO_FLAGS) ? term_num(e, 0, 8) :
			Z3_mk_extract(z, 8 * at + 7, 8 * at, s->skb_tunnel_key);

		bytes = bytes ? Z3_mk_concat(z, byte, bytes) : byte;
	}
	return sym_write_bytes(e, s, r[2], size, engine__simplify(e, bytes));
}

static enum step tc_skb_get_tunnel_opt(struct mhse_engine *e, struct state *s)
{
	return tunnel_buffer(e, s, "skb_get_tunnel_opt", -ENOENT);
}

static enum step tc_skb_set_tunnel_opt(struct mhse_engine *e, struct state *s)
{
	struct sval *r = s->regs, off;
	uint32_t size, region;
	enum step st;

	if (!concrete_args(e, s, "skb_set_tunnel_opt", BPF_REG_3, BPF_REG_3, &st))
		return st;
	size = (uint32_t)r[3].c;
	if (size && (st = engine__resolve(e, s, r[2], size, false, &region, &off)) != STEP_CONTINUE)
		return st;
	if (!s->skb_tunnel_key || (size & 3))
		r[0] = sval_conc((uint64_t)-EINVAL);
	else if (size > TUNNEL_OPTS_MAX)
		r[0] = sval_conc((uint64_t)-ENOMEM);
	else
		return engine__end(e, s, PATH_UNSUPPORTED, "skb_set_tunnel_opt: tunnel options are not kept");
	return STEP_CONTINUE;
}

/* As tc_helpers.c: the index is checked, the rest is the machine's. */
static enum step tc_skb_under_cgroup(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval map = s->regs[BPF_REG_2];
	uint32_t idx = (uint32_t)(map.c & VM_PTR_INDEX_MASK);
	Z3_ast answer, ok[3];
	enum step st;

	if (!sval_is_conc(map) || (map.c & ~VM_PTR_INDEX_MASK) != VM_MAP_PTR(0) || idx >= e->obj->map_cnt ||
	    e->obj->maps[idx].type != BPF_MAP_TYPE_CGROUP_ARRAY)
		return engine__end(e, s, PATH_ERROR, "skb_under_cgroup on a map that is not a cgroup array");
	if (!engine__split_ok(e, s, Z3_mk_bvult(z, low32(e, s->regs[BPF_REG_3]), term_num(e, e->obj->maps[idx].max_entries, 32)),
			      (uint64_t)-E2BIG, &st))
		return st;
	answer = Z3_mk_extract(z, 31, 0, engine__nondet(e, s, BPF_FUNC_skb_under_cgroup, 32).e);
	ok[0] = Z3_mk_eq(z, answer, term_num(e, (uint32_t)-EAGAIN, 32));
	ok[1] = Z3_mk_eq(z, answer, term_num(e, 0, 32));
	ok[2] = Z3_mk_eq(z, answer, term_num(e, 1, 32));
	if (engine__constrain(e, s, Z3_mk_or(z, 3, ok)))
		return STEP_FAILED;
	s->regs[BPF_REG_0] = sym_from(&e->ctx, answer, true);
	return STEP_CONTINUE;
}

#define HELPER(name, contexts, concrete, symbolic) symbolic,
static const sym_helper_fn tc_helpers[] = {
#include "tc_helper_list.h"
};
#undef HELPER

const struct sym_helper_module sym_helpers_tc = { &helpers_tc, tc_helpers, sizeof(tc_helpers) / sizeof(tc_helpers[0]),
						  tc_prepare_ctx };
