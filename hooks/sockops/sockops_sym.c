// SPDX-License-Identifier: MIT
/*
 * Symbolic models of sock_ops's own helpers and context, the counterparts of
 * sockops_helpers.c with the same rules (sockops.h).
 *
 * A helper's result is one term over the context and its recorded values,
 * not a fork per outcome: the program's own branches on it split the path,
 * so a test consumes the same recorded values whatever the result, as the
 * interpreter does. The context's inputs are tied together the way the
 * kernel builds struct bpf_sock_ops (include/net/tcp.h tcp_call_bpf,
 * net/ipv4/tcp_input.c and tcp_output.c for the header-option callbacks).
 */
#include <errno.h>
#include "engine_internal.h"
#include "mem.h"
#include "sockops.h"
#include "vm_internal.h"

/* A 32-bit context field as the program would read it now (0 when the spec lacks it). */
static Z3_ast ctx_u32(struct mhse_engine *e, struct state *s, const char *name)
{
	const struct ctx_field *f = mhse_hook__field(e->hook, name);

	if (!f)
		return term_num(e, 0, 32);
	return Z3_mk_extract(e->ctx.z, 31, 0,
			     sym_ast(&e->ctx, sregion__read(&e->ctx, s->regions[SREGION_CTX], sval_conc(f->offset), 4)));
}

/* The outcome a recorded value picks (sockops_pick), 64 bits. */
static Z3_ast pick(struct mhse_engine *e, const struct sockops_outcomes *o, Z3_ast recorded)
{
	Z3_context z = e->ctx.z;
	Z3_ast known = Z3_mk_false(z);

	for (size_t i = 0; i < o->code_cnt; i++)
		known = term_or(e, known, term_eq(e, recorded, (uint64_t)o->codes[i]));
	if (o->lo <= o->hi)
		known = term_or(e, known, term_and(e, Z3_mk_bvsge(z, recorded, term_num(e, (uint64_t)o->lo, 64)),
					   Z3_mk_bvsle(z, recorded, term_num(e, (uint64_t)o->hi, 64))));
	return Z3_mk_ite(z, known, recorded, term_num(e, (uint64_t)(o->code_cnt ? o->codes[0] : o->lo), 64));
}

static Z3_ast recorded(struct mhse_engine *e, struct state *s, int32_t helper)
{
	return sym_ast(&e->ctx, engine__nondet(e, s, helper, 64));
}

/* len recorded bytes, eight to a value (byte 0 lowest); NULL when len is 0. */
static Z3_ast recorded_bytes(struct mhse_engine *e, struct state *s, int32_t helper, uint32_t len)
{
	Z3_context z = e->ctx.z;
	Z3_ast out = NULL;

	for (uint32_t i = 0; i < len; i += 8) {
		uint32_t n = len - i < 8 ? len - i : 8;
		Z3_ast v = Z3_mk_extract(z, 8 * n - 1, 0, recorded(e, s, helper));

		out = out ? Z3_mk_concat(z, v, out) : v;
	}
	return out;
}

/* Byte i of bytes where i < copied (a 64-bit term), else what fallback's byte i is. */
static Z3_ast bytes_below(struct mhse_engine *e, Z3_ast bytes, Z3_ast fallback, uint32_t len, Z3_ast copied)
{
	Z3_context z = e->ctx.z;
	Z3_ast out = NULL;

	for (uint32_t i = 0; i < len; i++) {
		Z3_ast b = Z3_mk_ite(z, Z3_mk_bvult(z, term_num(e, i, 64), copied), Z3_mk_extract(z, 8 * i + 7, 8 * i, bytes),
				     Z3_mk_extract(z, 8 * i + 7, 8 * i, fallback));

		out = out ? Z3_mk_concat(z, b, out) : b;
	}
	return out;
}

static void set_result(struct mhse_engine *e, struct state *s, Z3_ast result)
{
	result = engine__simplify(e, result);
	if (Z3_is_numeral_ast(e->ctx.z, result)) {
		uint64_t v;

		Z3_get_numeral_uint64(e->ctx.z, result, &v);
		s->regs[BPF_REG_0] = sval_conc(v);
	} else {
		s->regs[BPF_REG_0] = sym_from(&e->ctx, result, false);
	}
}

static Z3_ast code(struct mhse_engine *e, int64_t v)
{
	return term_num(e, (uint64_t)v, 64);
}

/* Bytes of a buffer the kernel reads: its first bytes must be concrete. */
static enum step concrete_bytes(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t n, uint8_t *out,
				const char *helper)
{
	Z3_ast bytes;
	enum step st = engine__read_bytes(e, s, addr, n, &bytes);

	if (st != STEP_CONTINUE)
		return st;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v;

		if (!Z3_get_numeral_uint64(e->ctx.z, engine__simplify(e, Z3_mk_extract(e->ctx.z, 8 * i + 7, 8 * i, bytes)), &v))
			return engine__end(e, s, PATH_UNSUPPORTED, "%s with a symbolic option kind or length", helper);
		out[i] = (uint8_t)v;
	}
	return STEP_CONTINUE;
}

static enum step sockops_setsockopt(struct mhse_engine *e, struct state *s)
{
	Z3_ast optval;
	enum step st;

	if (!sval_is_conc(s->regs[BPF_REG_5]))
		return engine__end(e, s, PATH_UNSUPPORTED, "setsockopt with a symbolic length");
	if ((uint32_t)s->regs[BPF_REG_5].c &&
	    (st = engine__read_bytes(e, s, s->regs[BPF_REG_4], (uint32_t)s->regs[BPF_REG_5].c, &optval)) != STEP_CONTINUE)
		return st;
	s->regs[BPF_REG_0] = engine__nondet(e, s, BPF_FUNC_setsockopt, 64);
	return STEP_CONTINUE;
}

static enum step sockops_getsockopt(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	struct getsockopt_rule rule;
	struct sockops_outcomes o4, o6;
	Z3_ast rec, bytes, family, refused, result, copied;
	uint32_t optlen, max_copied;
	int32_t optname;

	if (!sval_is_conc(r[2]) || !sval_is_conc(r[3]) || !sval_is_conc(r[5]))
		return engine__end(e, s, PATH_UNSUPPORTED, "getsockopt with a symbolic level, option or length");
	optname = (int32_t)r[3].c;
	optlen = (uint32_t)r[5].c;
	if (!optlen)
		return engine__end(e, s, PATH_ERROR, "getsockopt with length 0 (the verifier wants a positive size)");
	rule = sockops_getsockopt_rule((int32_t)r[2].c, optname, optlen);
	if (rule.kind == GETSOCKOPT_REFUSED) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return sym_write_bytes(e, s, r[4], optlen, term_num(e, 0, optlen * 8));
	}
	rec = recorded(e, s, BPF_FUNC_getsockopt);
	max_copied = sockops_getsockopt_max_copied(&rule, optlen);
	bytes = max_copied ? recorded_bytes(e, s, BPF_FUNC_getsockopt, max_copied) : NULL;
	family = ctx_u32(e, s, "family");
	sockops_getsockopt_outcomes(optname, &rule, optlen, false, &o4);
	sockops_getsockopt_outcomes(optname, &rule, optlen, true, &o6);
	refused = Z3_mk_false(z);
	if (rule.kind != GETSOCKOPT_SYN_HEADERS)
		refused = term_eq(e, ctx_u32(e, s, "is_fullsock"), 0);
	if (rule.family == FAMILY_INET)
		refused = term_or(e, refused, Z3_mk_not(z, term_or(e, term_eq(e, family, AF_INET), term_eq(e, family, AF_INET6))));
	if (rule.family == FAMILY_INET6)
		refused = term_or(e, refused, Z3_mk_not(z, term_eq(e, family, AF_INET6)));
	result = Z3_mk_ite(z, refused, code(e, -EINVAL),
			   rule.family == FAMILY_INET ? Z3_mk_ite(z, term_eq(e, family, AF_INET6), pick(e, &o6, rec), pick(e, &o4, rec)) :
							pick(e, &o4, rec));
	result = engine__simplify(e, result);
	/* sockops_getsockopt_copied on the result term */
	if (rule.kind == GETSOCKOPT_SYN_HEADERS)
		copied = Z3_mk_ite(z, Z3_mk_bvsgt(z, result, term_num(e, 0, 64)), result,
				   Z3_mk_ite(z, term_eq(e, result, (uint64_t)-ENOSPC), term_num(e, optlen, 64), term_num(e, 0, 64)));
	else
		copied = Z3_mk_ite(z, term_eq(e, result, 0), term_num(e, max_copied, 64), term_num(e, 0, 64));
	if (optlen > max_copied)
		bytes = bytes ? Z3_mk_concat(z, term_num(e, 0, (optlen - max_copied) * 8), bytes) : term_num(e, 0, optlen * 8);
	set_result(e, s, result);
	return sym_write_bytes(e, s, r[4], optlen, engine__simplify(e, bytes_below(e, bytes, term_num(e, 0, optlen * 8), optlen, copied)));
}

static enum step sockops_cb_flags_set(struct mhse_engine *e, struct state *s)
{
	const struct ctx_field *full = mhse_hook__field(e->hook, "is_fullsock");
	const struct ctx_field *flags = mhse_hook__field(e->hook, "bpf_sock_ops_cb_flags");
	struct sval argval = sym_alu(&e->ctx, BPF_ALU | BPF_MOV | BPF_X, 0, sval_conc(0), s->regs[BPF_REG_2]);
	struct sval fullsock;
	struct sregion *ctx;
	enum step st;

	if (!full || !flags) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	fullsock = sregion__read(&e->ctx, s->regions[SREGION_CTX], sval_conc(full->offset), 4);
	if (sval_is_conc(fullsock) ? !fullsock.c : false) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (!sval_is_conc(fullsock) &&
	    !engine__split_ok(e, s, Z3_mk_not(e->ctx.z, Z3_mk_eq(e->ctx.z, Z3_mk_extract(e->ctx.z, 31, 0, fullsock.e),
								  sym_num(&e->ctx, 0, 32))),
			      (uint64_t)-EINVAL, &st))
		return st;
	ctx = state__writable_region(s, SREGION_CTX);
	if (!ctx)
		return STEP_FAILED;
	sregion__write(&e->ctx, ctx, sval_conc(flags->offset), 4,
		       sym_alu(&e->ctx, BPF_ALU | BPF_AND | BPF_K, 0, argval, sval_conc(BPF_SOCK_OPS_ALL_CB_FLAGS)));
	/* the int result, sign-extended as a 64-bit return value */
	s->regs[BPF_REG_0] = sym_alu(&e->ctx, BPF_ALU64 | BPF_MOV | BPF_X, 32, sval_conc(0),
				     sym_alu(&e->ctx, BPF_ALU | BPF_AND | BPF_K, 0, argval,
					     sval_conc((uint32_t)~BPF_SOCK_OPS_ALL_CB_FLAGS)));
	return STEP_CONTINUE;
}

static enum step sockops_load_hdr_opt(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	struct sockops_outcomes o, long_o;
	Z3_ast rec, rec_len, body = NULL, old, result, eperm, written, copied;
	uint32_t len, magic_len, body_len;
	uint8_t search[2];
	bool load_syn;
	enum step st;

	if (!sval_is_conc(r[3]) || !sval_is_conc(r[4]))
		return engine__end(e, s, PATH_UNSUPPORTED, "load_hdr_opt with a symbolic length or flags");
	len = (uint32_t)r[3].c;
	load_syn = r[4].c & BPF_LOAD_HDR_OPT_TCP_SYN;
	if (!len)
		return engine__end(e, s, PATH_ERROR, "load_hdr_opt with length 0 (the verifier wants a positive size)");
	if (len < 2 || (r[4].c & ~(uint64_t)BPF_LOAD_HDR_OPT_TCP_SYN)) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if ((st = concrete_bytes(e, s, r[2], 2, search, "load_hdr_opt")) != STEP_CONTINUE)
		return st;
	if (sockops_hdr_search(search[0], search[1], len, &magic_len)) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	rec = recorded(e, s, BPF_FUNC_load_hdr_opt);
	rec_len = recorded(e, s, BPF_FUNC_load_hdr_opt);
	body_len = sockops_load_hdr_body_len(len, magic_len);
	if (body_len)
		body = recorded_bytes(e, s, BPF_FUNC_load_hdr_opt, body_len);
	if ((st = engine__read_bytes(e, s, r[2], len, &old)) != STEP_CONTINUE)
		return st;
	sockops_load_hdr_outcomes(len, magic_len, load_syn, &o);
	sockops_long_option_outcomes(len, &long_o);
	eperm = Z3_mk_false(z);
	if (!load_syn)
		eperm = term_or(e, term_eq(e, ctx_u32(e, s, "skb_len"), 0), term_eq(e, ctx_u32(e, s, "op"), BPF_SOCK_OPS_HDR_OPT_LEN_CB));
	result = engine__simplify(e, Z3_mk_ite(z, eperm, code(e, -EPERM), pick(e, &o, rec)));
	/* what the buffer would hold after a copy: kind, length byte, magic, body */
	written = Z3_mk_concat(z, Z3_mk_extract(z, 7, 0, Z3_mk_ite(z, Z3_mk_bvsgt(z, result, term_num(e, 0, 64)), result,
								       pick(e, &long_o, rec_len))),
			       Z3_mk_extract(z, 7, 0, old));
	if (magic_len)
		written = Z3_mk_concat(z, Z3_mk_extract(z, 8 * (2 + magic_len) - 1, 16, old), written);
	if (body)
		written = Z3_mk_concat(z, body, written);
	if (len > 2 + magic_len + body_len)
		written = Z3_mk_concat(z, Z3_mk_extract(z, 8 * len - 1, 8 * (2 + magic_len + body_len), old), written);
	copied = Z3_mk_ite(z, Z3_mk_bvsgt(z, result, term_num(e, 0, 64)), result,
			   Z3_mk_ite(z, term_eq(e, result, (uint64_t)-ENOSPC), term_num(e, len, 64), term_num(e, 0, 64)));
	set_result(e, s, result);
	return sym_write_bytes(e, s, r[2], len, engine__simplify(e, bytes_below(e, written, old, len, copied)));
}

/* The result of a header-option helper: -EPERM outside callback op, else result. */
static void op_gated_result(struct mhse_engine *e, struct state *s, uint32_t op, Z3_ast result)
{
	set_result(e, s, Z3_mk_ite(e->ctx.z, term_eq(e, ctx_u32(e, s, "op"), op), result, code(e, -EPERM)));
}

static enum step sockops_store_hdr_opt(struct mhse_engine *e, struct state *s)
{
	struct sval *r = s->regs;
	struct sockops_outcomes o;
	uint8_t option[2];
	Z3_ast data;
	uint32_t len;
	enum step st;

	if (!sval_is_conc(r[3]) || !sval_is_conc(r[4]))
		return engine__end(e, s, PATH_UNSUPPORTED, "store_hdr_opt with a symbolic length or flags");
	len = (uint32_t)r[3].c;
	if (!len)
		return engine__end(e, s, PATH_ERROR, "store_hdr_opt with length 0 (the verifier wants a positive size)");
	if ((st = engine__read_bytes(e, s, r[2], len, &data)) != STEP_CONTINUE)
		return st;
	if (len < 2 || r[4].c) {
		op_gated_result(e, s, BPF_SOCK_OPS_WRITE_HDR_OPT_CB, code(e, -EINVAL));
		return STEP_CONTINUE;
	}
	if ((st = concrete_bytes(e, s, r[2], 2, option, "store_hdr_opt")) != STEP_CONTINUE)
		return st;
	if (sockops_store_hdr_check(option[0], option[1], len)) {
		op_gated_result(e, s, BPF_SOCK_OPS_WRITE_HDR_OPT_CB, code(e, -EINVAL));
		return STEP_CONTINUE;
	}
	sockops_store_hdr_outcomes(option[0], option[1], &o);
	op_gated_result(e, s, BPF_SOCK_OPS_WRITE_HDR_OPT_CB, pick(e, &o, recorded(e, s, BPF_FUNC_store_hdr_opt)));
	return STEP_CONTINUE;
}

static enum step sockops_reserve_hdr_opt(struct mhse_engine *e, struct state *s)
{
	struct sval *r = s->regs;
	struct sockops_outcomes o;

	if (!sval_is_conc(r[2]) || !sval_is_conc(r[3]))
		return engine__end(e, s, PATH_UNSUPPORTED, "reserve_hdr_opt with a symbolic length or flags");
	if (r[3].c || (uint32_t)r[2].c < 2) {
		op_gated_result(e, s, BPF_SOCK_OPS_HDR_OPT_LEN_CB, code(e, -EINVAL));
		return STEP_CONTINUE;
	}
	sockops_reserve_hdr_outcomes((uint32_t)r[2].c, &o);
	op_gated_result(e, s, BPF_SOCK_OPS_HDR_OPT_LEN_CB, pick(e, &o, recorded(e, s, BPF_FUNC_reserve_hdr_opt)));
	return STEP_CONTINUE;
}

static enum step sock_map_update(struct mhse_engine *e, struct state *s, uint32_t map_type, int32_t helper)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs, ptr = r[2];
	const struct mhse_map *def;
	struct sockops_outcomes o;
	Z3_ast key, result, op, may;
	enum step st;

	if (!sval_is_conc(ptr) || (ptr.c & ~VM_PTR_INDEX_MASK) != VM_MAP_PTR(0) ||
	    (ptr.c & VM_PTR_INDEX_MASK) >= e->obj->map_cnt)
		return engine__end(e, s, PATH_UNSUPPORTED, "%s on a value that is not a map", helper_name(helper));
	def = &e->obj->maps[ptr.c & VM_PTR_INDEX_MASK];
	if (def->type != map_type)
		return engine__end(e, s, PATH_ERROR, "%s on %s map %s", helper_name(helper), mhse_map_type__name(def->type),
				   def->name);
	if (!sval_is_conc(r[4]))
		return engine__end(e, s, PATH_UNSUPPORTED, "%s with symbolic flags", helper_name(helper));
	if ((st = engine__read_bytes(e, s, r[3], def->key_size, &key)) != STEP_CONTINUE)
		return st;
	if (r[4].c > BPF_EXIST) {
		result = code(e, -EINVAL);
	} else {
		sockops_sock_map_outcomes(map_type, r[4].c, &o);
		result = pick(e, &o, recorded(e, s, helper));
		if (map_type == BPF_MAP_TYPE_SOCKMAP)
			result = Z3_mk_ite(z, Z3_mk_bvuge(z, Z3_mk_extract(z, 31, 0, key), term_num(e, def->max_entries, 32)),
					   code(e, -E2BIG), result);
	}
	op = ctx_u32(e, s, "op");
	may = Z3_mk_false(z);
	for (uint32_t v = BPF_SOCK_OPS_VOID; v <= BPF_SOCK_OPS_WRITE_HDR_OPT_CB; v++)
		if (sockops_op_may_update_map(v))
			may = term_or(e, may, term_eq(e, op, v));
	set_result(e, s, Z3_mk_ite(z, may, result, code(e, -EOPNOTSUPP)));
	return STEP_CONTINUE;
}

static enum step sockops_sock_map_update(struct mhse_engine *e, struct state *s)
{
	return sock_map_update(e, s, BPF_MAP_TYPE_SOCKMAP, BPF_FUNC_sock_map_update);
}

static enum step sockops_sock_hash_update(struct mhse_engine *e, struct state *s)
{
	return sock_map_update(e, s, BPF_MAP_TYPE_SOCKHASH, BPF_FUNC_sock_hash_update);
}

/* ---- the context ---- */

/* The ops the kernel runs only on a full socket: all but the ones it may run
 * on a request socket (TIMEOUT_INIT, RWND_INIT and NEEDS_ECN from
 * tcp_conn_request and tcp_openreq_init_rwin, and the header-option
 * callbacks of a SYN-ACK). */
static bool op_needs_fullsock(uint32_t op)
{
	switch (op) {
	case BPF_SOCK_OPS_TIMEOUT_INIT:
	case BPF_SOCK_OPS_RWND_INIT:
	case BPF_SOCK_OPS_NEEDS_ECN:
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		return false;
	default:
		return true;
	}
}

/* The callback flags the kernel tested before it ran op on a full socket. */
static uint32_t op_cb_flags(uint32_t op)
{
	switch (op) {
	case BPF_SOCK_OPS_RTO_CB: return BPF_SOCK_OPS_RTO_CB_FLAG;
	case BPF_SOCK_OPS_RETRANS_CB: return BPF_SOCK_OPS_RETRANS_CB_FLAG;
	case BPF_SOCK_OPS_STATE_CB: return BPF_SOCK_OPS_STATE_CB_FLAG;
	case BPF_SOCK_OPS_RTT_CB: return BPF_SOCK_OPS_RTT_CB_FLAG;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		return BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG | BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB: return BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG;
	default: return 0;
	}
}

/* Whether op runs with a segment: always (a segment is at least a TCP
 * header), maybe (established without one under TCP_REPAIR, the header
 * length asked for by tcp_current_mss), or never. */
enum op_segment { SEGMENT_NEVER, SEGMENT_MAYBE, SEGMENT_ALWAYS };

static enum op_segment op_segment(uint32_t op)
{
	switch (op) {
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		return SEGMENT_ALWAYS;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		return SEGMENT_MAYBE;
	default:
		return SEGMENT_NEVER;
	}
}

static int constrain(struct mhse_engine *e, struct state *s, Z3_ast c)
{
	return engine__constrain(e, s, engine__simplify(e, c));
}

/* Ties the context's inputs together as the kernel fills struct bpf_sock_ops. */
static int sockops_prepare_ctx(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast op = engine__ctx_input(e, "op"), full = engine__ctx_input(e, "is_fullsock");
	Z3_ast family = engine__ctx_input(e, "family"), state = engine__ctx_input(e, "state");
	Z3_ast flags = engine__ctx_input(e, "bpf_sock_ops_cb_flags");
	Z3_ast skb_len = engine__ctx_input(e, "skb_len"), tcp_flags = engine__ctx_input(e, "skb_tcp_flags");
	Z3_ast not_full;

	if (!op || !full)
		return 0;
	not_full = term_eq(e, full, 0);
	/* a TCP socket */
	if (family && constrain(e, s, term_or(e, term_eq(e, family, AF_INET), term_eq(e, family, AF_INET6))))
		return -ENOMEM;
	for (size_t i = 0; i < sockops_fullsock_field_cnt; i++) {
		Z3_ast v = engine__ctx_input(e, sockops_fullsock_fields[i]);

		if (v && constrain(e, s, Z3_mk_implies(z, not_full, term_eq(e, v, 0))))
			return -ENOMEM;
	}
	/* the only sockets that are not full here are request sockets */
	if (state && constrain(e, s, Z3_mk_ite(z, not_full, term_eq(e, state, BPF_TCP_NEW_SYN_RECV),
					      Z3_mk_not(z, term_or(e, term_eq(e, state, BPF_TCP_NEW_SYN_RECV),
							       term_eq(e, state, BPF_TCP_TIME_WAIT))))))
		return -ENOMEM;
	for (uint32_t v = BPF_SOCK_OPS_VOID; v <= BPF_SOCK_OPS_WRITE_HDR_OPT_CB; v++) {
		Z3_ast is_op = term_eq(e, op, v), segment = NULL;

		if (op_needs_fullsock(v) && constrain(e, s, Z3_mk_implies(z, is_op, term_eq(e, full, 1))))
			return -ENOMEM;
		if (flags && op_cb_flags(v) &&
		    constrain(e, s, Z3_mk_implies(z, term_and(e, is_op, term_eq(e, full, 1)),
						  Z3_mk_not(z, term_eq(e, Z3_mk_bvand(z, flags, term_num(e, op_cb_flags(v), 32)), 0)))))
			return -ENOMEM;
		if (!skb_len)
			continue;
		switch (op_segment(v)) {
		case SEGMENT_NEVER: segment = term_eq(e, skb_len, 0); break;
		case SEGMENT_MAYBE:
			segment = term_or(e, term_eq(e, skb_len, 0), Z3_mk_bvuge(z, skb_len, term_num(e, TCP_HEADER_MIN, 32)));
			break;
		case SEGMENT_ALWAYS: segment = Z3_mk_bvuge(z, skb_len, term_num(e, TCP_HEADER_MIN, 32)); break;
		}
		if (constrain(e, s, Z3_mk_implies(z, is_op, segment)))
			return -ENOMEM;
	}
	if (skb_len && tcp_flags && constrain(e, s, Z3_mk_implies(z, term_eq(e, skb_len, 0), term_eq(e, tcp_flags, 0))))
		return -ENOMEM;
	return 0;
}

#define HELPER(name, contexts, concrete, symbolic) symbolic,
static const sym_helper_fn sockops_helpers[] = {
#include "sockops_helper_list.h"
};
#undef HELPER

const struct sym_helper_module sym_helpers_sockops = { &helpers_sockops, sockops_helpers,
						       sizeof(sockops_helpers) / sizeof(sockops_helpers[0]),
						       sockops_prepare_ctx };
