// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr.h"
#include "sem.h"

/* Z3 reports errors through a handler whose default exits the process;
 * callers check Z3_get_error_code where an error is possible instead. */
static void ignore_z3_error(Z3_context z, Z3_error_code code)
{
	(void)z, (void)code;
}

static Z3_context new_context(bool refcounted)
{
	Z3_config cfg = Z3_mk_config();
	Z3_context z;

	if (!cfg)
		return NULL;
	z = refcounted ? Z3_mk_context_rc(cfg) : Z3_mk_context(cfg);
	Z3_del_config(cfg);
	if (z)
		Z3_set_error_handler(z, ignore_z3_error);
	return z;
}

Z3_context sym_ctx__scratch_context(void)
{
	return new_context(true);
}

int sym_ctx__init(struct sym_ctx *ctx)
{
	ctx->z = new_context(false);
	if (!ctx->z)
		return -ENOMEM;
	ctx->bv1 = Z3_mk_bv_sort(ctx->z, 1);
	ctx->bv8 = Z3_mk_bv_sort(ctx->z, 8);
	ctx->bv32 = Z3_mk_bv_sort(ctx->z, 32);
	ctx->bv64 = Z3_mk_bv_sort(ctx->z, 64);
	for (unsigned v = 0; v < SYM_SMALL_NUMERALS; v++) {
		ctx->small8[v] = Z3_mk_unsigned_int64(ctx->z, v, ctx->bv8);
		ctx->small64[v] = Z3_mk_unsigned_int64(ctx->z, v, ctx->bv64);
	}
	ctx->bounds_lo = ctx->bounds_hi = (struct term_map){ 0 };
	return 0;
}

void sym_ctx__fini(struct sym_ctx *ctx)
{
	term_map__free(&ctx->bounds_lo);
	term_map__free(&ctx->bounds_hi);
	if (ctx->z)
		Z3_del_context(ctx->z);
	ctx->z = NULL;
}

static Z3_sort bv_sort(struct sym_ctx *ctx, unsigned bits)
{
	switch (bits) {
	case 1: return ctx->bv1;
	case 8: return ctx->bv8;
	case 32: return ctx->bv32;
	case 64: return ctx->bv64;
	default: return Z3_mk_bv_sort(ctx->z, bits);
	}
}

Z3_ast sym_fresh(struct sym_ctx *ctx, uint64_t *cnt, const char *prefix, unsigned bits)
{
	char name[96];

	snprintf(name, sizeof(name), "%s_%llu", prefix, (unsigned long long)(*cnt)++);
	return Z3_mk_const(ctx->z, Z3_mk_string_symbol(ctx->z, name), bv_sort(ctx, bits));
}

Z3_ast sym_fresh_bytes(struct sym_ctx *ctx, uint64_t *cnt, const char *prefix)
{
	char name[96];

	snprintf(name, sizeof(name), "%s_%llu", prefix, (unsigned long long)(*cnt)++);
	return Z3_mk_const(ctx->z, Z3_mk_string_symbol(ctx->z, name), Z3_mk_array_sort(ctx->z, ctx->bv64, ctx->bv8));
}

/* A context that does not count references keeps what each call returns,
 * once per call: the bytes and offsets of a copy ask for the same small
 * numbers by the hundred thousand (falco's exec programs), and its sorts
 * with each. */
Z3_ast sym_num(struct sym_ctx *ctx, uint64_t v, unsigned bits)
{
	if (bits < 64)
		v &= (UINT64_C(1) << bits) - 1;
	if (v < SYM_SMALL_NUMERALS && (bits == 8 || bits == 64))
		return bits == 8 ? ctx->small8[v] : ctx->small64[v];
	return Z3_mk_unsigned_int64(ctx->z, v, bv_sort(ctx, bits));
}

Z3_ast sym_ast(struct sym_ctx *ctx, struct sval v)
{
	return v.e ? v.e : sym_num(ctx, v.c, 64);
}

int sym_known_equal(struct sym_ctx *ctx, Z3_ast a, Z3_ast b)
{
	if (a == b)
		return 1;
	return Z3_is_numeral_ast(ctx->z, a) && Z3_is_numeral_ast(ctx->z, b) ? 0 : -1;
}

struct sval sym_from(struct sym_ctx *ctx, Z3_ast e, bool sign)
{
	unsigned bits = Z3_get_bv_sort_size(ctx->z, Z3_get_sort(ctx->z, e));

	if (bits < 64)
		e = sign ? Z3_mk_sign_ext(ctx->z, 64 - bits, e) : Z3_mk_zero_ext(ctx->z, 64 - bits, e);
	return (struct sval){ .e = e, .region = -1 };
}

/* The low bits of a value as a term of that width. */
static Z3_ast low_bits(struct sym_ctx *ctx, struct sval v, unsigned bits)
{
	Z3_ast e = sym_ast(ctx, v);

	return bits < 64 ? Z3_mk_extract(ctx->z, bits - 1, 0, e) : e;
}

static uint64_t width_max(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
}

/* Shift amounts are masked to the operand width; a concrete one in C. */
static Z3_ast shift_amount(struct sym_ctx *ctx, struct sval src, Z3_ast b, unsigned w)
{
	if (sval_is_conc(src))
		return sym_num(ctx, src.c & (w - 1), w);
	return Z3_mk_bvand(ctx->z, b, sym_num(ctx, w - 1, w));
}

struct sval sym_alu(struct sym_ctx *ctx, uint8_t code, int16_t off, struct sval dst, struct sval src)
{
	Z3_context z = ctx->z;
	unsigned w = BPF_CLASS(code) == BPF_ALU64 ? 64 : 32;
	uint8_t op = BPF_OP(code);
	Z3_ast a, b, zero, r;
	struct sval out;

	/* mov reads only its source, neg only its destination */
	if ((sval_is_conc(dst) || op == BPF_MOV) && (sval_is_conc(src) || op == BPF_NEG))
		return sval_conc(sem_alu(code, off, dst.c, src.c));
	if (op == BPF_MOV && !off && w == 64)
		return src;
	a = low_bits(ctx, dst, w);
	b = low_bits(ctx, src, w);
	zero = sym_num(ctx, 0, w);
	switch (op) {
	case BPF_ADD: r = Z3_mk_bvadd(z, a, b); break;
	case BPF_SUB: r = Z3_mk_bvsub(z, a, b); break;
	case BPF_MUL: r = Z3_mk_bvmul(z, a, b); break;
	case BPF_OR: r = Z3_mk_bvor(z, a, b); break;
	case BPF_AND: r = Z3_mk_bvand(z, a, b); break;
	case BPF_XOR: r = Z3_mk_bvxor(z, a, b); break;
	case BPF_LSH: r = Z3_mk_bvshl(z, a, shift_amount(ctx, src, b, w)); break;
	case BPF_RSH: r = Z3_mk_bvlshr(z, a, shift_amount(ctx, src, b, w)); break;
	case BPF_ARSH: r = Z3_mk_bvashr(z, a, shift_amount(ctx, src, b, w)); break;
	case BPF_NEG: r = Z3_mk_bvneg(z, a); break;
	case BPF_MOV:
		r = off ? Z3_mk_sign_ext(z, w - (unsigned)off, Z3_mk_extract(z, (unsigned)off - 1, 0, b)) : b;
		break;
	case BPF_DIV:
	case BPF_MOD:
		/* x / 0 is 0 and x % 0 is x; a divisor known not to be 0 needs
		 * no choice, which would hide a remainder's bounds behind it */
		if (op == BPF_DIV)
			r = off == 1 ? Z3_mk_bvsdiv(z, a, b) : Z3_mk_bvudiv(z, a, b);
		else
			r = off == 1 ? Z3_mk_bvsrem(z, a, b) : Z3_mk_bvurem(z, a, b);
		if (!sval_is_conc(src))
			r = Z3_mk_ite(z, Z3_mk_eq(z, b, zero), op == BPF_DIV ? zero : a, r);
		else if (!(src.c & width_max(w)))
			r = op == BPF_DIV ? zero : a;
		break;
	default: r = a; break;
	}
	out = sym_from(ctx, r, false);
	/* Pointer arithmetic keeps the region; anything else yields a scalar. */
	if (w == 64 && (op == BPF_ADD || op == BPF_SUB || (op == BPF_MOV && !off)))
		out.region = op == BPF_MOV ? src.region : dst.region >= 0 ? dst.region : op == BPF_ADD ? src.region : -1;
	if (op == BPF_SUB && dst.region >= 0 && src.region == dst.region)
		out.region = -1;
	return out;
}

struct sval sym_bswap(struct sym_ctx *ctx, uint8_t code, int32_t width, struct sval dst)
{
	bool swap = BPF_CLASS(code) == BPF_ALU64 || BPF_SRC(code) == BPF_TO_BE;
	unsigned bits = width == 16 || width == 32 ? (unsigned)width : 64;
	Z3_ast r;

	if (sval_is_conc(dst))
		return sval_conc(sem_bswap(code, width, dst.c));
	if (!swap)
		return sym_from(ctx, low_bits(ctx, dst, bits), false);
	r = sym_byte(ctx, dst, 0);
	for (unsigned i = 1; i < bits / 8; i++)
		r = Z3_mk_concat(ctx->z, r, sym_byte(ctx, dst, i));
	return sym_from(ctx, r, false);
}

Z3_ast sym_cond(struct sym_ctx *ctx, uint8_t code, struct sval va, struct sval vb)
{
	Z3_context z = ctx->z;
	unsigned w = BPF_CLASS(code) == BPF_JMP32 ? 32 : 64;
	Z3_ast a = low_bits(ctx, va, w), b = low_bits(ctx, vb, w);

	switch (BPF_OP(code)) {
	case BPF_JEQ: return Z3_mk_eq(z, a, b);
	case BPF_JNE: return Z3_mk_not(z, Z3_mk_eq(z, a, b));
	case BPF_JGT: return Z3_mk_bvugt(z, a, b);
	case BPF_JGE: return Z3_mk_bvuge(z, a, b);
	case BPF_JLT: return Z3_mk_bvult(z, a, b);
	case BPF_JLE: return Z3_mk_bvule(z, a, b);
	case BPF_JSET: return Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_bvand(z, a, b), sym_num(ctx, 0, w)));
	case BPF_JSGT: return Z3_mk_bvsgt(z, a, b);
	case BPF_JSGE: return Z3_mk_bvsge(z, a, b);
	case BPF_JSLT: return Z3_mk_bvslt(z, a, b);
	case BPF_JSLE: return Z3_mk_bvsle(z, a, b);
	default: return Z3_mk_true(z);
	}
}

struct sval sym_load_value(struct sym_ctx *ctx, uint8_t code, Z3_ast raw)
{
	return sym_from(ctx, raw, BPF_MODE(code) == BPF_MEMSX);
}

struct sval sym_atomic_op(struct sym_ctx *ctx, int32_t imm, struct sval old, struct sval src, unsigned size)
{
	Z3_context z = ctx->z;
	unsigned bits = size * 8;
	Z3_ast a, b, r;

	if (sval_is_conc(old) && sval_is_conc(src)) {
		uint64_t mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
		return sval_conc(sem_atomic_op(imm, old.c & mask, src.c & mask) & mask);
	}
	a = low_bits(ctx, old, bits);
	b = low_bits(ctx, src, bits);
	switch (imm & ~BPF_FETCH) {
	case BPF_ADD: r = Z3_mk_bvadd(z, a, b); break;
	case BPF_OR: r = Z3_mk_bvor(z, a, b); break;
	case BPF_AND: r = Z3_mk_bvand(z, a, b); break;
	case BPF_XOR: r = Z3_mk_bvxor(z, a, b); break;
	default: r = b; break;
	}
	return sym_from(ctx, r, false);
}

Z3_ast sym_byte(struct sym_ctx *ctx, struct sval v, unsigned i)
{
	Z3_context z = ctx->z;
	Z3_app app;
	Z3_ast inner;
	unsigned width;

	if (sval_is_conc(v))
		return sym_num(ctx, (v.c >> (8 * i)) & 0xff, 8);
	/* a byte of a narrower value widened (a load's value, a byte about to
	 * be written): taken from the value itself, so that kilobytes copied
	 * byte by byte cost no term per byte for the round trip */
	app = Z3_get_ast_kind(z, v.e) == Z3_APP_AST ? Z3_to_app(z, v.e) : NULL;
	if (app && Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) == Z3_OP_ZERO_EXT) {
		inner = Z3_get_app_arg(z, app, 0);
		width = Z3_get_bv_sort_size(z, Z3_get_sort(z, inner));
		if (8 * i >= width)
			return sym_num(ctx, 0, 8);
		if (width % 8 == 0)
			return width == 8 ? inner : Z3_mk_extract(z, 8 * i + 7, 8 * i, inner);
	}
	return Z3_mk_extract(z, 8 * i + 7, 8 * i, v.e);
}

struct sval sym_offset(struct sym_ctx *ctx, struct sval off, uint32_t i)
{
	return sval_is_conc(off) ? sval_conc(off.c + i) : sym_alu(ctx, BPF_ALU64 | BPF_ADD | BPF_K, 0, off, sval_conc(i));
}

Z3_ast sym_zext_offset(struct sym_ctx *ctx, Z3_ast index, bool *as_concat)
{
	Z3_context z = ctx->z;
	Z3_app app = Z3_get_ast_kind(z, index) == Z3_APP_AST ? Z3_to_app(z, index) : NULL;
	Z3_func_decl decl = app ? Z3_get_app_decl(z, app) : NULL;
	bool concat;
	uint64_t lead;

	if (!app || Z3_get_bv_sort_size(z, Z3_get_sort(z, index)) != 64)
		return NULL;
	concat = Z3_get_decl_kind(z, decl) == Z3_OP_CONCAT;
	if (concat ? Z3_get_app_num_args(z, app) != 2 || !Z3_get_numeral_uint64(z, Z3_get_app_arg(z, app, 0), &lead) ||
		     lead || Z3_get_bv_sort_size(z, Z3_get_sort(z, Z3_get_app_arg(z, app, 0))) != 32 :
		     Z3_get_decl_kind(z, decl) != Z3_OP_ZERO_EXT || Z3_get_decl_int_parameter(z, decl, 0) != 32)
		return NULL;
	if (as_concat)
		*as_concat = concat;
	return Z3_get_app_arg(z, app, concat ? 1 : 0);
}

Z3_ast sym_index_add(struct sym_ctx *ctx, Z3_ast index, uint32_t i)
{
	Z3_context z = ctx->z;
	Z3_ast x, args[16];
	Z3_app sum;
	uint64_t k;
	unsigned n;
	bool as_concat;

	if (!i)
		return index;
	if (!(x = sym_zext_offset(ctx, index, &as_concat)))
		return Z3_mk_bvadd(z, index, sym_num(ctx, i, 64));
	sum = Z3_get_ast_kind(z, x) == Z3_APP_AST ? Z3_to_app(z, x) : NULL;
	n = sum ? Z3_get_app_num_args(z, sum) : 0;
	if (Z3_get_numeral_uint64(z, x, &k)) {
		x = sym_num(ctx, k + i, 32);
	} else if (sum && Z3_get_decl_kind(z, Z3_get_app_decl(z, sum)) == Z3_OP_BADD && n <= 16 &&
		   Z3_get_numeral_uint64(z, Z3_get_app_arg(z, sum, 0), &k)) {
		args[0] = sym_num(ctx, k + i, 32);
		for (unsigned j = 1; j < n; j++)
			args[j] = Z3_get_app_arg(z, sum, j);
		x = n > 2 ? Z3_mk_app(z, Z3_get_app_decl(z, sum), n, args) : Z3_mk_bvadd(z, args[0], args[1]);
	} else {
		x = Z3_mk_bvadd(z, sym_num(ctx, i, 32), x);
	}
	return as_concat ? Z3_mk_concat(z, sym_num(ctx, 0, 32), x) : Z3_mk_zero_ext(z, 32, x);
}

int sym_split_bytes(struct sym_ctx *ctx, Z3_ast bytes, uint32_t n, Z3_ast *out)
{
	Z3_context z = ctx->z;
	/* terms still to split, each with the number of its lowest byte */
	struct part {
		Z3_ast t;
		uint32_t lo;
	} *stack = malloc((2 * (size_t)n + 1) * sizeof(*stack));
	size_t top = 0;

	if (!stack)
		return -ENOMEM;
	stack[top++] = (struct part){ bytes, 0 };
	while (top) {
		struct part p = stack[--top];
		unsigned bits = Z3_get_bv_sort_size(z, Z3_get_sort(z, p.t));
		Z3_app app = Z3_get_ast_kind(z, p.t) == Z3_APP_AST ? Z3_to_app(z, p.t) : NULL;

		if (bits == 8) {
			out[p.lo] = p.t;
		} else if (app && Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) == Z3_OP_CONCAT &&
			   Z3_get_app_num_args(z, app) == 2 &&
			   Z3_get_bv_sort_size(z, Z3_get_sort(z, Z3_get_app_arg(z, app, 1))) % 8 == 0) {
			Z3_ast high = Z3_get_app_arg(z, app, 0), low = Z3_get_app_arg(z, app, 1);

			stack[top++] = (struct part){ high, p.lo + Z3_get_bv_sort_size(z, Z3_get_sort(z, low)) / 8 };
			stack[top++] = (struct part){ low, p.lo };
		} else {
			for (unsigned i = 0; i < bits / 8; i++)
				out[p.lo + i] = Z3_mk_extract(z, 8 * i + 7, 8 * i, p.t);
		}
	}
	free(stack);
	return 0;
}

/* Whether t is bits [8 * k + 7, 8 * k] of a term, which goes to *whole. */
static bool byte_of(Z3_context z, Z3_ast t, Z3_ast *whole, unsigned *k)
{
	Z3_app app = Z3_get_ast_kind(z, t) == Z3_APP_AST ? Z3_to_app(z, t) : NULL;
	Z3_func_decl d = app ? Z3_get_app_decl(z, app) : NULL;
	unsigned lo;

	if (!d || Z3_get_decl_kind(z, d) != Z3_OP_EXTRACT)
		return false;
	lo = (unsigned)Z3_get_decl_int_parameter(z, d, 1);
	if (lo % 8 || (unsigned)Z3_get_decl_int_parameter(z, d, 0) != lo + 7)
		return false;
	*whole = Z3_get_app_arg(z, app, 0);
	*k = lo / 8;
	return true;
}

/* n bytes that are all numerals as one numeral (lowest byte first), or
 * NULL: a key a path wrote concretely is a number to what compares it
 * (sym_known_equal), not a concatenation only the solver can read. */
static Z3_ast join_numerals(struct sym_ctx *ctx, const Z3_ast *bytes, uint32_t n)
{
	Z3_context z = ctx->z;
	uint64_t v = 0, b = 0;
	bool *bits;
	Z3_ast t;

	for (uint32_t i = 0; i < n; i++)
		if (!Z3_is_numeral_ast(z, bytes[i]))
			return NULL;
	if (n <= 8) {
		for (uint32_t i = n; i-- > 0; v = v << 8 | b)
			Z3_get_numeral_uint64(z, bytes[i], &b);
		return sym_num(ctx, v, 8 * n);
	}
	bits = malloc(8 * (size_t)n * sizeof(*bits));
	if (!bits)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		Z3_get_numeral_uint64(z, bytes[i], &b);
		for (unsigned k = 0; k < 8; k++)
			bits[8 * i + k] = b >> k & 1;
	}
	t = Z3_mk_bv_numeral(z, 8 * n, bits);
	free(bits);
	return t;
}

Z3_ast sym_join_bytes(struct sym_ctx *ctx, const Z3_ast *bytes, uint32_t n)
{
	Z3_context z = ctx->z;
	Z3_ast acc = join_numerals(ctx, bytes, n);

	if (acc)
		return acc;

	for (uint32_t i = 0; i < n;) {
		Z3_ast whole, next, part = bytes[i];
		unsigned first, k;
		uint32_t run = 1;

		if (byte_of(z, bytes[i], &whole, &first)) {
			while (i + run < n && byte_of(z, bytes[i + run], &next, &k) && next == whole && k == first + run)
				run++;
			if (run > 1)
				part = !first && Z3_get_bv_sort_size(z, Z3_get_sort(z, whole)) == 8 * run ?
					       whole :
					       Z3_mk_extract(z, 8 * (first + run) - 1, 8 * first, whole);
		}
		acc = acc ? Z3_mk_concat(z, part, acc) : part;
		i += run;
	}
	return acc;
}

static size_t term_map__slot(const uint32_t *keys, size_t cap, uint32_t id)
{
	size_t i = ((id + 1) * 2654435761u) & (cap - 1);

	for (; keys[i] && keys[i] != id + 1; i = (i + 1) & (cap - 1))
		;
	return i;
}

bool term_map__find(const struct term_map *m, uint32_t id, uint64_t *v)
{
	size_t i;

	if (!m->cap)
		return false;
	i = term_map__slot(m->keys, m->cap, id);
	if (!m->keys[i])
		return false;
	*v = m->vals[i];
	return true;
}

int term_map__add(struct term_map *m, uint32_t id, uint64_t v)
{
	size_t i;

	if ((m->cnt + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		uint32_t *keys = calloc(cap, sizeof(*keys));
		uint64_t *vals = malloc(cap * sizeof(*vals));

		if (!keys || !vals) {
			free(keys);
			free(vals);
			return -ENOMEM;
		}
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			i = term_map__slot(keys, cap, m->keys[j] - 1);
			keys[i] = m->keys[j];
			vals[i] = m->vals[j];
		}
		free(m->keys);
		free(m->vals);
		m->keys = keys;
		m->vals = vals;
		m->cap = cap;
	}
	i = term_map__slot(m->keys, m->cap, id);
	m->cnt += !m->keys[i];
	m->keys[i] = id + 1;
	m->vals[i] = v;
	return 0;
}

void term_map__free(struct term_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- unsigned bounds ---- */

/* how many subterms one term's bounds may look at */
#define BOUNDS_MAX_VISITS 256

struct bounds {
	uint64_t lo, hi;
};

struct bounds_walk {
	struct sym_ctx *ctx;
	Z3_context z;
	unsigned visits;
	bool spent; /* the budget ran out: what the walk found since is not kept */
};

static struct bounds bounds_of(struct bounds_walk *w, Z3_ast t);

static struct bounds arg_bounds(struct bounds_walk *w, Z3_app app, unsigned i)
{
	return bounds_of(w, Z3_get_app_arg(w->z, app, i));
}

/* The bounds of an application from its arguments'. */
static struct bounds bounds_step(struct bounds_walk *w, Z3_ast t, unsigned bits)
{
	Z3_context z = w->z;
	struct bounds full = { 0, width_max(bits) }, a, b;
	Z3_func_decl decl;
	unsigned n, i, j;
	Z3_app app;

	app = Z3_to_app(z, t);
	decl = Z3_get_app_decl(z, app);
	n = Z3_get_app_num_args(z, app);
	switch (Z3_get_decl_kind(z, decl)) {
	case Z3_OP_BUREM:
	case Z3_OP_BUREM_I:
		/* below the divisor (x % 0 is x), and never above the dividend */
		b = arg_bounds(w, app, 1);
		a = arg_bounds(w, app, 0);
		return (struct bounds){ 0, b.lo && b.hi - 1 < a.hi ? b.hi - 1 : a.hi };
	case Z3_OP_BADD:
		a = (struct bounds){ 0, 0 };
		for (i = 0; i < n; i++) {
			b = arg_bounds(w, app, i);
			if (b.hi > full.hi - a.hi) /* may wrap */
				return full;
			a = (struct bounds){ a.lo + b.lo, a.hi + b.hi };
		}
		return a;
	case Z3_OP_BSUB:
		if (n != 2)
			return full;
		a = arg_bounds(w, app, 0);
		b = arg_bounds(w, app, 1);
		return a.lo < b.hi ? full : (struct bounds){ a.lo - b.hi, a.hi - b.lo };
	case Z3_OP_BSHL:
	case Z3_OP_BLSHR:
	case Z3_OP_BMUL:
		if (n != 2)
			return full;
		b = arg_bounds(w, app, 1);
		a = arg_bounds(w, app, 0);
		if (b.lo != b.hi) {
			if (Z3_get_decl_kind(z, decl) == Z3_OP_BLSHR)
				return (struct bounds){ 0, a.hi };
			return full;
		}
		switch (Z3_get_decl_kind(z, decl)) {
		case Z3_OP_BLSHR:
			return b.lo >= bits ? (struct bounds){ 0, 0 } : (struct bounds){ a.lo >> b.lo, a.hi >> b.lo };
		case Z3_OP_BSHL:
			if (b.lo >= bits || a.hi > full.hi >> b.lo)
				return full;
			return (struct bounds){ a.lo << b.lo, a.hi << b.lo };
		default:
			if (b.lo && a.hi > full.hi / b.lo)
				return full;
			return (struct bounds){ a.lo * b.lo, a.hi * b.lo };
		}
	case Z3_OP_ZERO_EXT:
		return arg_bounds(w, app, 0);
	case Z3_OP_EXTRACT:
		i = Z3_get_decl_int_parameter(z, decl, 0); /* high bit */
		j = Z3_get_decl_int_parameter(z, decl, 1); /* low bit */
		a = arg_bounds(w, app, 0);
		/* the bits from j to i are monotone in the value when the bits
		 * above i are the same all over the range */
		if (i >= 63 || a.hi >> (i + 1) == a.lo >> (i + 1))
			return (struct bounds){ (a.lo >> j) & full.hi, (a.hi >> j) & full.hi };
		return full;
	case Z3_OP_CONCAT:
		a = (struct bounds){ 0, 0 };
		for (i = 0; i < n; i++) {
			Z3_ast part = Z3_get_app_arg(z, app, i);
			unsigned part_bits = Z3_get_bv_sort_size(z, Z3_get_sort(z, part));

			b = bounds_of(w, part);
			a.lo = (part_bits >= 64 ? 0 : a.lo << part_bits) | b.lo;
			a.hi = (part_bits >= 64 ? 0 : a.hi << part_bits) | b.hi;
		}
		return a;
	case Z3_OP_BOR:
		/* no more bits than the widest part, and no less than any part */
		a = (struct bounds){ 0, 0 };
		for (i = 0; i < n; i++) {
			b = arg_bounds(w, app, i);
			a.lo = b.lo > a.lo ? b.lo : a.lo;
			a.hi |= b.hi;
		}
		for (i = 1; i < 64; i <<= 1)
			a.hi |= a.hi >> i;
		return a;
	case Z3_OP_BAND:
		a = full;
		for (i = 0; i < n; i++) {
			b = arg_bounds(w, app, i);
			a.hi = b.hi < a.hi ? b.hi : a.hi;
		}
		return (struct bounds){ 0, a.hi };
	case Z3_OP_ITE:
		a = arg_bounds(w, app, 1);
		b = arg_bounds(w, app, 2);
		return (struct bounds){ a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi };
	default:
		return full;
	}
}

static struct bounds bounds_of(struct bounds_walk *w, Z3_ast t)
{
	Z3_context z = w->z;
	unsigned bits = Z3_get_bv_sort_size(z, Z3_get_sort(z, t));
	uint32_t id = Z3_get_ast_id(z, t);
	struct bounds full = { 0, width_max(bits) }, r;
	uint64_t v;

	if (bits > 64)
		return full;
	/* a numeral past the budget still counts: a divisor or a base walked
	 * after a hash that spent the budget */
	if (Z3_get_numeral_uint64(z, t, &v))
		return (struct bounds){ v, v };
	if (term_map__find(&w->ctx->bounds_lo, id, &r.lo) && term_map__find(&w->ctx->bounds_hi, id, &r.hi))
		return r;
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST)
		return full;
	if (w->visits++ > BOUNDS_MAX_VISITS) {
		w->spent = true;
		return full;
	}
	r = bounds_step(w, t, bits);
	/* kept only when whole: a part cut short would stay cut for good */
	if (!w->spent && (term_map__add(&w->ctx->bounds_lo, id, r.lo) || term_map__add(&w->ctx->bounds_hi, id, r.hi)))
		w->spent = true;
	return r;
}

void sym_unsigned_bounds(struct sym_ctx *ctx, Z3_ast t, uint64_t *lo, uint64_t *hi)
{
	struct bounds_walk w = { .ctx = ctx, .z = ctx->z };
	struct bounds b = bounds_of(&w, t);

	*lo = b.lo;
	*hi = b.hi;
}

struct sym_affine sym_affine(struct sym_ctx *ctx, Z3_ast t)
{
	Z3_context z = ctx->z;
	struct sym_affine leaf = { .x = t, .width = 64, .scale = 1 }, a, b;
	uint64_t v;
	Z3_app app;
	Z3_ast arg;
	unsigned n;

	if (Z3_get_numeral_uint64(z, t, &v))
		return (struct sym_affine){ .base = v };
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST)
		return leaf;
	app = Z3_to_app(z, t);
	n = Z3_get_app_num_args(z, app);
	switch (Z3_get_decl_kind(z, Z3_get_app_decl(z, app))) {
	case Z3_OP_BADD:
		a = (struct sym_affine){ 0 };
		for (unsigned i = 0; i < n; i++) {
			b = sym_affine(ctx, Z3_get_app_arg(z, app, i));
			if (a.x && b.x)
				return leaf;
			a = (struct sym_affine){ .x = a.x ? a.x : b.x, .width = a.x ? a.width : b.width,
						 .base = a.base + b.base, .scale = a.x ? a.scale : b.scale };
		}
		return a;
	case Z3_OP_BSUB:
		if (n != 2)
			return leaf;
		a = sym_affine(ctx, Z3_get_app_arg(z, app, 0));
		b = sym_affine(ctx, Z3_get_app_arg(z, app, 1));
		if (a.x && b.x)
			return leaf;
		return (struct sym_affine){ .x = a.x ? a.x : b.x, .width = a.x ? a.width : b.width,
					    .base = a.base - b.base, .scale = a.x ? a.scale : -b.scale };
	case Z3_OP_BOR:
		/* or with zeros, as a load of bytes builds it */
		a = (struct sym_affine){ 0 };
		for (unsigned i = 0; i < n; i++) {
			arg = Z3_get_app_arg(z, app, i);
			if (Z3_get_numeral_uint64(z, arg, &v) && !v)
				continue;
			if (a.x || a.base)
				return leaf;
			a = sym_affine(ctx, arg);
		}
		return a;
	case Z3_OP_BMUL:
		/* the factor a numeral: Z3 puts it first */
		if (n != 2)
			return leaf;
		if (Z3_get_numeral_uint64(z, Z3_get_app_arg(z, app, 0), &v))
			a = sym_affine(ctx, Z3_get_app_arg(z, app, 1));
		else if (Z3_get_numeral_uint64(z, Z3_get_app_arg(z, app, 1), &v))
			a = sym_affine(ctx, Z3_get_app_arg(z, app, 0));
		else
			return leaf;
		return (struct sym_affine){ .x = a.x, .width = a.width, .base = a.base * v, .scale = a.scale * v };
	case Z3_OP_BSHL:
		if (n != 2 || !Z3_get_numeral_uint64(z, Z3_get_app_arg(z, app, 1), &v))
			return leaf;
		v = v < 64 ? UINT64_C(1) << v : 0;
		a = sym_affine(ctx, Z3_get_app_arg(z, app, 0));
		return (struct sym_affine){ .x = a.x, .width = a.width, .base = a.base * v, .scale = a.scale * v };
	case Z3_OP_ZERO_EXT:
		arg = Z3_get_app_arg(z, app, 0);
		return (struct sym_affine){ .x = arg, .width = Z3_get_bv_sort_size(z, Z3_get_sort(z, arg)), .scale = 1 };
	case Z3_OP_CONCAT:
		if (n != 2 || !Z3_get_numeral_uint64(z, Z3_get_app_arg(z, app, 0), &v) || v)
			return leaf;
		arg = Z3_get_app_arg(z, app, 1);
		return (struct sym_affine){ .x = arg, .width = Z3_get_bv_sort_size(z, Z3_get_sort(z, arg)), .scale = 1 };
	default:
		return leaf;
	}
}
