// SPDX-License-Identifier: MIT
/*
 * The evaluator must give every term the value Z3 gives it. Random terms of
 * every operation the engine's terms contain (and those Z3's simplifier
 * turns them into), over variables of several widths, an array with stores
 * and lambdas over it, with values drawn to hit the edges (zero divisors,
 * shifts past the width, the most negative number), are evaluated under
 * random assignments by the evaluator and by Z3's model evaluation; so are
 * the bytes of keys wider than 64 bits, a hash 40,000 operations deep, and
 * terms past the evaluator's bound on its table (which it then empties).
 * What eval__decided gives a term under facts must follow from them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "solver.h"

enum { VARS = 12, TERMS = 3000, MAX_DEPTH = 5 };

static struct sym_ctx ctx;
static Z3_context z;
static Z3_ast vars[VARS], packet;
static unsigned passed, failed, decided;

static uint64_t random_u64(void)
{
	static const uint64_t edges[] = { 0, 1, 2, 3, 7, 8, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x8000, 0x7fffffff,
					  0x80000000, 0xffffffff, 0x8000000000000000ull, ~0ull };

	if (rand() % 2)
		return edges[rand() % (sizeof(edges) / sizeof(edges[0]))];
	return (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand();
}

static unsigned width(Z3_ast e)
{
	return Z3_get_bv_sort_size(z, Z3_get_sort(z, e));
}

/* e resized to bits. */
static Z3_ast fit(Z3_ast e, unsigned bits)
{
	unsigned w = width(e);

	if (w > bits)
		return Z3_mk_extract(z, bits - 1, 0, e);
	if (w < bits)
		return rand() % 2 ? Z3_mk_zero_ext(z, bits - w, e) : Z3_mk_sign_ext(z, bits - w, e);
	return e;
}

static Z3_ast random_bv(unsigned depth);

static Z3_ast random_bool(unsigned depth)
{
	Z3_ast a, b;

	if (!depth) {
		a = random_bv(0);
		return Z3_mk_eq(z, a, fit(random_bv(0), width(a)));
	}
	switch (rand() % 8) {
	case 0:
		return Z3_mk_not(z, random_bool(depth - 1));
	case 1:
		return Z3_mk_and(z, 2, (Z3_ast[]){ random_bool(depth - 1), random_bool(depth - 1) });
	case 2:
		return Z3_mk_or(z, 2, (Z3_ast[]){ random_bool(depth - 1), random_bool(depth - 1) });
	case 3:
		return rand() % 2 ? Z3_mk_xor(z, random_bool(depth - 1), random_bool(depth - 1)) :
				    Z3_mk_implies(z, random_bool(depth - 1), random_bool(depth - 1));
	default:
		a = random_bv(depth - 1);
		b = fit(random_bv(depth - 1), width(a));
		switch (rand() % 10) {
		case 0: return Z3_mk_eq(z, a, b);
		case 1: return Z3_mk_distinct(z, 2, (Z3_ast[]){ a, b });
		case 2: return Z3_mk_bvult(z, a, b);
		case 3: return Z3_mk_bvule(z, a, b);
		case 4: return Z3_mk_bvugt(z, a, b);
		case 5: return Z3_mk_bvuge(z, a, b);
		case 6: return Z3_mk_bvslt(z, a, b);
		case 7: return Z3_mk_bvsle(z, a, b);
		case 8: return Z3_mk_bvsgt(z, a, b);
		default: return Z3_mk_bvsge(z, a, b);
		}
	}
}

/* An array term over the packet: stores, or a lambda that moves it. */
static Z3_ast random_array(unsigned depth)
{
	Z3_ast i, body;

	if (!depth || rand() % 3 == 0)
		return packet;
	if (rand() % 2)
		return Z3_mk_store(z, random_array(depth - 1), fit(random_bv(0), 64), fit(random_bv(0), 8));
	i = Z3_mk_const(z, Z3_mk_string_symbol(z, "i"), ctx.bv64);
	body = Z3_mk_ite(z, Z3_mk_bvult(z, i, fit(random_bv(0), 64)), Z3_mk_select(z, random_array(depth - 1), i),
			 Z3_mk_select(z, packet, Z3_mk_bvsub(z, i, sym_num(&ctx, (uint64_t)(rand() % 5), 64))));
	return Z3_mk_lambda_const(z, 1, (Z3_app[]){ Z3_to_app(z, i) }, body);
}

static Z3_ast random_bv(unsigned depth)
{
	Z3_ast a, b;
	unsigned w;

	if (!depth) {
		switch (rand() % 3) {
		case 0:
			return vars[rand() % VARS];
		case 1:
			return Z3_mk_select(z, packet, sym_num(&ctx, (uint64_t)(rand() % 8), 64));
		default:
			return sym_num(&ctx, random_u64(), (unsigned[]){ 1, 8, 16, 32, 64 }[rand() % 5]);
		}
	}
	a = random_bv(depth - 1);
	w = width(a);
	b = fit(random_bv(depth - 1), w);
	switch (rand() % 30) {
	case 0: return Z3_mk_bvadd(z, a, b);
	case 1: return Z3_mk_bvsub(z, a, b);
	case 2: return Z3_mk_bvmul(z, a, b);
	case 3: return Z3_mk_bvudiv(z, a, b);
	case 4: return Z3_mk_bvurem(z, a, b);
	case 5: return Z3_mk_bvsdiv(z, a, b);
	case 6: return Z3_mk_bvsrem(z, a, b);
	case 7: return Z3_mk_bvsmod(z, a, b);
	case 8: return Z3_mk_bvand(z, a, b);
	case 9: return Z3_mk_bvor(z, a, b);
	case 10: return Z3_mk_bvxor(z, a, b);
	case 11: return Z3_mk_bvnot(z, a);
	case 12: return Z3_mk_bvneg(z, a);
	case 13: return Z3_mk_bvshl(z, a, b);
	case 14: return Z3_mk_bvlshr(z, a, b);
	case 15: return Z3_mk_bvashr(z, a, b);
	case 16: return Z3_mk_rotate_left(z, (unsigned)rand() % 70, a);
	case 17: return Z3_mk_rotate_right(z, (unsigned)rand() % 70, a);
	case 18: return Z3_mk_ext_rotate_left(z, a, b);
	case 19: return Z3_mk_ext_rotate_right(z, a, b);
	case 20: return Z3_mk_ite(z, random_bool(depth - 1), a, b);
	case 21: return w <= 32 ? Z3_mk_concat(z, a, fit(b, 64 - w - (unsigned)rand() % (64 - w))) : a;
	case 22: return Z3_mk_extract(z, w - 1 - (unsigned)rand() % w / 2, (unsigned)rand() % (w / 2 + 1), a);
	case 23: return w < 64 ? Z3_mk_zero_ext(z, (unsigned)rand() % (64 - w + 1), a) : a;
	case 24: return w < 64 ? Z3_mk_sign_ext(z, (unsigned)rand() % (64 - w + 1), a) : a;
	case 25: return w <= 32 ? Z3_mk_repeat(z, 64 / w, a) : a;
	case 26: return Z3_mk_bvnand(z, a, b);
	case 27: return Z3_mk_bvredor(z, a);
	case 28: return Z3_mk_bvredand(z, a);
	default: return Z3_mk_select(z, random_array(depth - 1), fit(a, 64));
	}
}

/* Whether the evaluator gives e Z3's value; a failure names the case and
 * the term (or what, for a term too large to print). */
static void compare_named(struct solver *s, struct assignment *a, Z3_model m, Z3_ast e, unsigned i, const char *what)
{
	Z3_ast v;
	uint64_t want = 0, got = 0;
	int err = eval__value(&s->ev, a, e, &got);

	if (!Z3_model_eval(z, m, e, true, &v) ||
	    (Z3_get_bool_value(z, v) == Z3_L_UNDEF ? !Z3_get_numeral_uint64(z, v, &want) :
	     (want = Z3_get_bool_value(z, v) == Z3_L_TRUE, false))) {
		fprintf(stderr, "FAIL: Z3 cannot evaluate case %u\n", i);
		failed++;
		return;
	}
	if (!err && got == want) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL: case %u: %s: evaluator %s%#llx, Z3 %#llx\n", i, what ? what : Z3_ast_to_string(z, e),
		err ? "failed " : "", (unsigned long long)got, (unsigned long long)want);
}

static void compare(struct solver *s, struct assignment *a, Z3_model m, Z3_ast e, unsigned i)
{
	compare_named(s, a, m, e, i, NULL);
}

/* A key as the engine builds one, wider than a value: the evaluator reads
 * it a part at a time, Z3 eight bytes at a time. */
static void compare_bytes(struct solver *s, struct assignment *a, Z3_model m, unsigned i)
{
	Z3_ast key = fit(random_bv(2), 64);
	uint8_t got[40], want[40];
	uint32_t n = 8;
	Z3_ast v;

	while (n < 33) {
		unsigned bits = (unsigned[]){ 8, 16, 32, 64 }[rand() % 4];

		key = Z3_mk_concat(z, fit(random_bv(2), bits), key);
		n += bits / 8;
	}
	for (uint32_t k = 0; k < n; k += 8) {
		uint32_t chunk = n - k < 8 ? n - k : 8;
		uint64_t x = 0;

		Z3_model_eval(z, m, Z3_mk_extract(z, 8 * (k + chunk) - 1, 8 * k, key), true, &v);
		Z3_get_numeral_uint64(z, v, &x);
		for (uint32_t b = 0; b < chunk; b++)
			want[k + b] = (uint8_t)(x >> 8 * b);
	}
	if (!eval__bytes(&s->ev, a, key, n, got) && !memcmp(got, want, n))
		passed++;
	else {
		failed++;
		fprintf(stderr, "FAIL: case %u: the bytes of %s\n", i, Z3_ast_to_string(z, key));
	}
	/* slices of it, as checksums take them, through extensions and extractions */
	for (unsigned k = 0; k < 4; k++) {
		Z3_ast wide = rand() % 2 ? key : Z3_mk_zero_ext(z, 8 * (unsigned)(rand() % 9), key);
		unsigned w = width(wide), lo = (unsigned)rand() % w, hi = lo + (unsigned)rand() % 64;

		if (rand() % 2)
			wide = Z3_mk_extract(z, w - 1 - (unsigned)rand() % 8, 8 * (unsigned)(rand() % 3), wide);
		w = width(wide);
		lo = lo < w ? lo : w - 1;
		hi = hi < w ? hi : w - 1;
		compare(s, a, m, Z3_mk_extract(z, hi, lo, wide), i);
	}
}

/* A random assignment of the variables and the packet. */
static struct assignment *random_assignment(void)
{
	struct assignment *a = assignment__new();

	for (unsigned k = 0; k < VARS; k++) {
		unsigned w = Z3_get_sort_kind(z, Z3_get_sort(z, vars[k])) == Z3_BOOL_SORT ? 1 : width(vars[k]);

		if (rand() % 8)
			assignment__set(a, ASSIGN_SCALAR, vars[k], Z3_get_ast_id(z, vars[k]), 0,
					random_u64() & (w == 64 ? ~0ull : (1ull << w) - 1));
	}
	for (unsigned k = 0; k < 6; k++)
		assignment__set(a, ASSIGN_ELEMENT, packet, Z3_get_ast_id(z, packet), random_u64() % 8,
				random_u64() & 0xff);
	if (rand() % 2)
		assignment__set(a, ASSIGN_DEFAULT, packet, Z3_get_ast_id(z, packet), 0, random_u64() & 0xff);
	return a;
}

enum { FACTS = 6, LEAF_FACTS = 4 };

/* Facts a's model satisfies (leaves equal to their values, conditions with
 * their truth) and a term: what eval__decided gives the term must follow
 * from the facts (Z3 finds no model of them where the term has another
 * value), and the evaluator's values under a are still Z3's after it. */
static void compare_decided(struct solver *s, struct assignment *a, Z3_model m, Z3_solver z3, unsigned i)
{
	Z3_ast facts[FACTS], e = rand() % 2 ? random_bv(1 + (unsigned)rand() % 3) : random_bool(1 + (unsigned)rand() % 3);
	bool is_bool = Z3_get_sort_kind(z, Z3_get_sort(z, e)) == Z3_BOOL_SORT;
	uint64_t got;

	for (unsigned k = 0; k < FACTS; k++) {
		Z3_ast t = k < LEAF_FACTS ? random_bv(0) : random_bool(1 + (unsigned)rand() % 2);
		uint64_t v = solver__eval(s, a, t);

		facts[k] = k < LEAF_FACTS ? Z3_mk_eq(z, t, sym_num(&ctx, v, width(t))) : v ? t : Z3_mk_not(z, t);
	}
	if (eval__decided(&s->ev, facts, FACTS, e, &got) == 1) {
		decided++;
		Z3_solver_reset(z, z3);
		for (unsigned k = 0; k < FACTS; k++)
			Z3_solver_assert(z, z3, facts[k]);
		Z3_solver_assert(z, z3, is_bool ? (got ? Z3_mk_not(z, e) : e) :
						  Z3_mk_not(z, Z3_mk_eq(z, e, sym_num(&ctx, got, width(e)))));
		if (Z3_solver_check(z, z3) == Z3_L_FALSE) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "FAIL: case %u: the facts do not decide %s as %#llx\n", i, Z3_ast_to_string(z, e),
				(unsigned long long)got);
		}
	}
	compare(s, a, m, e, i);
}

/* A term and what eval__decided must give it: 1 and a value, or 0. */
struct decided_case {
	Z3_ast e;
	int decided;
	uint64_t value;
};

static void check_decided(struct solver *s, Z3_ast const *facts, size_t fact_cnt, const struct decided_case *cases,
			  size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t got = 0;
		int r = eval__decided(&s->ev, facts, fact_cnt, cases[i].e, &got);

		if (r == cases[i].decided && (!r || got == cases[i].value)) {
			passed++;
			continue;
		}
		failed++;
		fprintf(stderr, "FAIL: %s case %zu: %d, %#llx\n", what, i, r, (unsigned long long)got);
	}
}

/* Hand-made cases, each with the answer eval__decided must give: 1 and a
 * value, or 0 for a term the facts leave open. */
static void decided_cases(struct solver *s)
{
	Z3_ast byte5 = Z3_mk_select(z, packet, sym_num(&ctx, 5, 64)), v1 = vars[1], v2 = vars[2];
	Z3_ast at_v1 = Z3_mk_select(z, packet, Z3_mk_zero_ext(z, 56, v1));
	Z3_ast facts[] = { Z3_mk_eq(z, byte5, sym_num(&ctx, 0x3c, 8)),
			   Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_eq(z, sym_num(&ctx, 7, 8), v1),
						       Z3_mk_eq(z, Z3_mk_select(z, packet, sym_num(&ctx, 7, 64)),
								sym_num(&ctx, 9, 8)) }),
			   Z3_mk_not(z, Z3_mk_bvult(z, v2, v1)) };
	const struct decided_case cases[] = {
		{ Z3_mk_eq(z, byte5, sym_num(&ctx, 0, 8)), 1, 0 },
		{ at_v1, 1, 9 },
		{ Z3_mk_bvult(z, v2, v1), 1, 0 },
		{ Z3_mk_ite(z, Z3_mk_eq(z, v2, v1), sym_num(&ctx, 5, 8), Z3_mk_bvadd(z, byte5, sym_num(&ctx, 0xc9, 8))),
		  1, 5 },
		{ Z3_mk_ite(z, Z3_mk_eq(z, v2, v1), sym_num(&ctx, 5, 8), at_v1), 0, 0 },
		{ Z3_mk_bvand(z, v2, Z3_mk_bvsub(z, byte5, sym_num(&ctx, 0x3c, 8))), 1, 0 },
		{ Z3_mk_bvadd(z, v2, byte5), 0, 0 },
		{ Z3_mk_bvule(z, v2, v1), 0, 0 },
	};

	check_decided(s, facts, 3, cases, sizeof(cases) / sizeof(cases[0]), "decided");
}

/* An unsigned comparison of a and b, of a kind drawn at random. */
static Z3_ast random_compare(Z3_ast a, Z3_ast b)
{
	switch (rand() % 5) {
	case 0: return Z3_mk_bvule(z, a, b);
	case 1: return Z3_mk_bvult(z, a, b);
	case 2: return Z3_mk_bvuge(z, a, b);
	case 3: return Z3_mk_bvugt(z, a, b);
	default: return Z3_mk_eq(z, a, b);
	}
}

/* Z3 finds no model of the facts where the comparison e has another value
 * than got. */
static void confirm_decided(Z3_solver z3, Z3_ast const *facts, size_t cnt, Z3_ast e, uint64_t got, const char *what,
			    unsigned i)
{
	Z3_solver_reset(z, z3);
	for (size_t k = 0; k < cnt; k++)
		Z3_solver_assert(z, z3, facts[k]);
	Z3_solver_assert(z, z3, got ? Z3_mk_not(z, e) : e);
	if (Z3_solver_check(z, z3) == Z3_L_FALSE) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL: %s case %u: the facts do not decide %s as %llu\n", what, i, Z3_ast_to_string(z, e),
		(unsigned long long)got);
}

/* Bounds: two facts compare a leaf with numbers near its value under a
 * random assignment (on either side, held or negated), and a third
 * comparison of the leaf with a number near it must be decided as Z3
 * decides it, or left open. Returns how many were decided. */
static unsigned compare_bounds(struct solver *s, Z3_solver z3, unsigned rounds)
{
	unsigned bounded = 0;

	for (unsigned i = 0; i < rounds; i++) {
		struct assignment *a = random_assignment();
		Z3_ast t = random_bv(0), facts[2], e;
		unsigned w = width(t);
		uint64_t v = solver__eval(s, a, t), got;

		for (unsigned k = 0; k < 3; k++) {
			Z3_ast c = sym_num(&ctx, v + (uint64_t)(rand() % 9) - 4, w);

			e = rand() % 2 ? random_compare(t, c) : random_compare(c, t);
			if (k < 2)
				facts[k] = solver__eval(s, a, e) ? e : Z3_mk_not(z, e);
		}
		if (eval__decided(&s->ev, facts, 2, e, &got) == 1) {
			bounded++;
			confirm_decided(z3, facts, 2, e, got, "bounds", i);
		}
		assignment__put(a);
	}
	return bounded;
}

/* Relations: a fact compares x + c with y (x a zero-extended narrower
 * term, y a 64-bit variable, held or negated under a random assignment),
 * and a comparison of x + d with y, d near c, must be decided as Z3 decides
 * it, or left open. Returns how many were decided. */
static unsigned compare_relations(struct solver *s, Z3_solver z3, unsigned rounds)
{
	unsigned related = 0;

	for (unsigned i = 0; i < rounds; i++) {
		struct assignment *a = random_assignment();
		Z3_ast x = vars[1 + rand() % 7], y = vars[8 + rand() % 4], fact, e;
		uint64_t c = (uint64_t)(rand() % 64), got;

		x = Z3_mk_zero_ext(z, 64 - width(x), x);
		fact = random_compare(Z3_mk_bvadd(z, sym_num(&ctx, c, 64), x), y);
		fact = solver__eval(s, a, fact) ? fact : Z3_mk_not(z, fact);
		e = random_compare(Z3_mk_bvadd(z, sym_num(&ctx, c + (uint64_t)(rand() % 9) - 4, 64), x), y);
		if (rand() % 2)
			e = random_compare(y, Z3_mk_bvadd(z, sym_num(&ctx, c + (uint64_t)(rand() % 9) - 4, 64), x));
		if (eval__decided(&s->ev, &fact, 1, e, &got) == 1) {
			related++;
			confirm_decided(z3, &fact, 1, e, got, "relation", i);
		}
		assignment__put(a);
	}
	return related;
}

/* Hand-made relations and shapes: on y >= zext(v5) + 16, zext(v5) + 8 <=
 * y holds and y < zext(v5) + 4 fails, zext(v5) + 20 <= y is open; the sign
 * bit of 0x3e + 8 * packet[0x37] (32 bits) is 0; zext(v5) + 8 <=
 * zext(v5) + 16 holds, v8 + 8 <= v8 + 16 is open (the sums may wrap). */
static void relation_cases(struct solver *s)
{
	Z3_ast x = Z3_mk_zero_ext(z, 32, vars[5]), y = vars[9], v = vars[8];
	Z3_ast fact = Z3_mk_bvule(z, Z3_mk_bvadd(z, sym_num(&ctx, 16, 64), x), y);
	Z3_ast offset = Z3_mk_bvadd(z, sym_num(&ctx, 0x3e, 32),
				    Z3_mk_concat(z, sym_num(&ctx, 0, 21),
						 Z3_mk_concat(z, Z3_mk_select(z, packet, sym_num(&ctx, 0x37, 64)),
							      sym_num(&ctx, 0, 3))));
	const struct decided_case cases[] = {
		{ Z3_mk_bvule(z, Z3_mk_bvadd(z, sym_num(&ctx, 8, 64), x), y), 1, 1 },
		{ Z3_mk_bvult(z, y, Z3_mk_bvadd(z, sym_num(&ctx, 4, 64), x)), 1, 0 },
		{ Z3_mk_bvule(z, Z3_mk_bvadd(z, sym_num(&ctx, 20, 64), x), y), 0, 0 },
		{ Z3_mk_eq(z, Z3_mk_extract(z, 31, 31, offset), sym_num(&ctx, 0, 1)), 1, 1 },
		{ Z3_mk_bvule(z, Z3_mk_bvadd(z, sym_num(&ctx, 8, 64), x), Z3_mk_bvadd(z, sym_num(&ctx, 16, 64), x)), 1, 1 },
		{ Z3_mk_bvule(z, Z3_mk_bvadd(z, sym_num(&ctx, 8, 64), v), Z3_mk_bvadd(z, sym_num(&ctx, 16, 64), v)), 0, 0 },
	};

	check_decided(s, &fact, 1, cases, sizeof(cases) / sizeof(cases[0]), "relation");
}

/* Hand-made bounds: 14 <= v4 <= 1514 and not 128 <= v4 put v4 in
 * [14, 127]; comparisons and equalities with numbers outside decide,
 * inside stay open. */
static void bounds_cases(struct solver *s)
{
	Z3_ast v = vars[4];
	Z3_ast facts[] = { Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_bvuge(z, v, sym_num(&ctx, 14, 16)),
						       Z3_mk_bvule(z, v, sym_num(&ctx, 1514, 16)) }),
			   Z3_mk_not(z, Z3_mk_bvule(z, sym_num(&ctx, 128, 16), v)) };
	const struct decided_case cases[] = {
		{ Z3_mk_bvule(z, sym_num(&ctx, 12, 16), v), 1, 1 },
		{ Z3_mk_bvult(z, v, sym_num(&ctx, 6, 16)), 1, 0 },
		{ Z3_mk_eq(z, v, sym_num(&ctx, 5, 16)), 1, 0 },
		{ Z3_mk_bvugt(z, v, sym_num(&ctx, 127, 16)), 1, 0 },
		{ Z3_mk_bvuge(z, sym_num(&ctx, 127, 16), v), 1, 1 },
		{ Z3_mk_not(z, Z3_mk_bvult(z, v, sym_num(&ctx, 14, 16))), 1, 1 },
		{ Z3_mk_bvule(z, v, sym_num(&ctx, 100, 16)), 0, 0 },
		{ Z3_mk_eq(z, v, sym_num(&ctx, 20, 16)), 0, 0 },
		{ Z3_mk_bvult(z, v, sym_num(&ctx, 127, 16)), 0, 0 },
	};

	check_decided(s, facts, 2, cases, sizeof(cases) / sizeof(cases[0]), "bounds");
}

/* A hash over the packet, a round a byte, thousands of operations deep:
 * evaluated without recursing as deep as the term. */
static void compare_deep(struct solver *s)
{
	struct assignment *a = random_assignment();
	Z3_model m = solver__z3_model(s, a);
	Z3_ast h = vars[9];

	for (unsigned i = 0; i < 20000; i++)
		h = Z3_mk_bvxor(z, Z3_mk_bvmul(z, h, sym_num(&ctx, 31, 64)),
				Z3_mk_zero_ext(z, 56, Z3_mk_select(z, packet, sym_num(&ctx, i % 8, 64))));
	compare_named(s, a, m, h, TERMS, "a hash 40,000 operations deep");
	Z3_model_dec_ref(z, m);
	assignment__put(a);
}

/* Past its bound on nodes, the evaluator's table starts again from none:
 * a term of about 390,000 nodes (a tree of products) takes it past the
 * bound, and the next evaluation gives the hash over the packet Z3's
 * value from a table that is smaller again. */
static void compare_past_bound(struct solver *s)
{
	enum { LEAVES = 1 << 17 };
	static Z3_ast level[LEAVES];
	struct assignment *a = random_assignment();
	Z3_model m = solver__z3_model(s, a);
	size_t past;

	for (unsigned i = 0; i < LEAVES; i++)
		level[i] = Z3_mk_bvmul(z, vars[8 + i % 4], sym_num(&ctx, i + 2, 64));
	for (unsigned n = LEAVES; n > 1; n /= 2)
		for (unsigned i = 0; i < n / 2; i++)
			level[i] = Z3_mk_bvxor(z, level[2 * i], level[2 * i + 1]);
	compare_named(s, a, m, level[0], TERMS + 1, "a term of 390,000 nodes");
	past = s->ev.node_cnt;
	Z3_model_dec_ref(z, m);
	assignment__put(a);
	compare_deep(s);
	if (s->ev.node_cnt < past) {
		passed++;
	} else {
		failed++;
		fprintf(stderr, "FAIL: the table holds %zu nodes after %zu, past its bound\n", s->ev.node_cnt, past);
	}
}

/* What an assignment should give: the packet's elements below SHARED_N
 * (present or not) and its default. */
#define SHARED_N 200
struct expected {
	bool has[SHARED_N], has_default;
	uint8_t val[SHARED_N], default_val;
};

static bool matches(const struct assignment *a, const struct expected *x)
{
	uint32_t id = Z3_get_ast_id(z, packet);
	const struct assign_slot *slot, *d = assignment__find(a, ASSIGN_DEFAULT, id, 0);
	size_t pos = 0, seen = 0, given = 0, want = x->has_default;

	if (!d != !x->has_default || (d && d->value != x->default_val))
		return false;
	for (uint64_t i = 0; i < SHARED_N; i++) {
		slot = assignment__find(a, ASSIGN_ELEMENT, id, i);
		if (!slot != !x->has[i] || (slot && slot->value != x->val[i]))
			return false;
		want += x->has[i];
	}
	/* each value once, by the slot find gives, and no hidden slot */
	while ((slot = assignment__next(a, &pos))) {
		seen += assignment__find(a, slot->kind, slot->id, slot->index) == slot;
		given++;
	}
	return seen == want && given == want;
}

/* Copies share their slots: a chain of copies, each changed at random
 * (elements set, the array forgotten, its default set), gives each copy's
 * values and no one else's, before and after the copies' own slots grow
 * past sharing. */
static void compare_shared(void)
{
	uint32_t id = Z3_get_ast_id(z, packet);
	struct assignment *as[3];
	struct expected x[3] = { 0 };
	unsigned bad = 0;

	as[0] = assignment__new();
	for (uint64_t i = 0; i < SHARED_N; i++) {
		x[0].has[i] = true;
		x[0].val[i] = (uint8_t)i;
		assignment__set(as[0], ASSIGN_ELEMENT, packet, id, i, i);
	}
	as[1] = assignment__copy(as[0]);
	as[2] = assignment__copy(as[1]);
	x[1] = x[2] = x[0];
	for (unsigned step = 0; step < 3000 && !bad; step++) {
		unsigned k = (unsigned)rand() % 3, op = (unsigned)rand() % 100;
		uint64_t i = random_u64() % SHARED_N;
		uint8_t v = (uint8_t)random_u64();

		if (op < 2) {
			assignment__drop_array(as[k], packet, id);
			memset(x[k].has, 0, sizeof(x[k].has));
			x[k].has_default = false;
		} else if (op < 5) {
			assignment__set(as[k], ASSIGN_DEFAULT, packet, id, 0, v);
			x[k].has_default = true;
			x[k].default_val = v;
		} else if (op < 8) {
			/* a fresh copy of another, sharing what that one shares */
			unsigned from = (unsigned)rand() % 3;
			struct assignment *c = assignment__copy(as[from]);

			assignment__put(as[k]);
			as[k] = c;
			x[k] = x[from];
		} else {
			assignment__set(as[k], ASSIGN_ELEMENT, packet, id, i, v);
			x[k].has[i] = true;
			x[k].val[i] = v;
		}
		for (unsigned j = 0; j < 3; j++)
			bad += !matches(as[j], &x[j]);
	}
	for (unsigned j = 0; j < 3; j++)
		assignment__put(as[j]);
	if (bad) {
		failed++;
		fprintf(stderr, "FAIL: copies of an assignment give values they were not given\n");
	} else {
		passed++;
	}
}

int main(void)
{
	static const unsigned widths[VARS] = { 1, 8, 8, 16, 16, 32, 32, 32, 64, 64, 64, 64 };
	struct solver s;
	Z3_solver z3;
	unsigned bounded, related;

	srand(7);
	if (sym_ctx__init(&ctx) || solver__init(&s, &ctx, 10000))
		return 1;
	z = ctx.z;
	for (unsigned k = 0; k < VARS; k++) {
		char name[16];

		snprintf(name, sizeof(name), "v%u", k);
		vars[k] = Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, widths[k]));
	}
	packet = Z3_mk_const(z, Z3_mk_string_symbol(z, "packet"), Z3_mk_array_sort(z, ctx.bv64, ctx.bv8));
	z3 = Z3_mk_simple_solver(z);
	Z3_solver_inc_ref(z, z3);
	for (unsigned i = 0; i < TERMS; i++) {
		struct assignment *a = random_assignment();
		Z3_model m = solver__z3_model(&s, a);
		Z3_ast e = rand() % 3 ? random_bv(1 + (unsigned)rand() % MAX_DEPTH) :
					random_bool(1 + (unsigned)rand() % MAX_DEPTH);

		compare(&s, a, m, e, i);
		/* what the simplifier makes of it: n-ary operations, division
		 * by a known non-zero divisor, concatenations of extracts */
		compare(&s, a, m, Z3_simplify(z, e), i);
		compare_bytes(&s, a, m, i);
		compare_decided(&s, a, m, z3, i);
		Z3_model_dec_ref(z, m);
		assignment__put(a);
	}
	bounded = compare_bounds(&s, z3, TERMS / 3);
	related = compare_relations(&s, z3, TERMS / 3);
	Z3_solver_dec_ref(z, z3);
	decided_cases(&s);
	bounds_cases(&s);
	relation_cases(&s);
	/* and bounds and relations a tenth of their comparisons */
	if (bounded < TERMS / 30 || related < TERMS / 30) {
		failed++;
		fprintf(stderr, "FAIL: bounds decide %u comparisons of %u, relations %u\n", bounded, TERMS / 3, related);
	}
	/* the facts decide a tenth of the terms at least, or the above checks little */
	if (decided < TERMS / 10) {
		failed++;
		fprintf(stderr, "FAIL: the facts decide %u terms of %u\n", decided, TERMS);
	}
	compare_deep(&s);
	compare_past_bound(&s);
	compare_shared();
	solver__fini(&s);
	sym_ctx__fini(&ctx);
	printf("eval: %u passed, %u failed (%u terms decided by facts, %u comparisons by bounds, %u by relations)\n",
	       passed, failed, decided, bounded, related);
	return failed ? 1 : 0;
}
