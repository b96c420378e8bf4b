// SPDX-License-Identifier: MIT
/*
 * The solver layer's shortcuts must never change an answer:
 * - incremental solving (assertions kept between queries) against a fresh
 *   solver per query, on random queries over packet bytes, a packet length
 *   and reads at packet-decided offsets, sharing prefixes as paths do;
 * - a path's model kept by merging, or repaired by the values a condition
 *   names: after every query the path's model must satisfy the constraints
 *   it claims to, and the model of a finished path every constraint;
 * - weakening: "hash % 4 >= 16" is refuted within a timeout Z3 alone could
 *   not meet on the hash (100 ms), and its negation stays satisfiable;
 * - reads at hashed indices: answered with the hash's input pinned to the
 *   path model's value when that leaves a model, and asked whole when the
 *   pinned indices collide where the query needs them apart; refuted with
 *   the reads made free, when the hash is past the gate budget;
 * - the gate budget: a query over two hashes of a hundred 64-bit products
 *   each is UNKNOWN, not asked;
 * - repair without Z3 where the field to move is not the obvious one:
 *   "not (x <= y)" and "x > y" with both 0 (y cannot go below 0, so x goes up).
 * - a constraint no query decided (a completion's) is internalized within
 *   Z3's quick bound before a scope is pushed over it: a preimage of a
 *   hash the bound cannot find makes the query UNKNOWN with no long check,
 *   where the same constraint, decided, gets one.
 */
#include <stdio.h>
#include <stdlib.h>
#include "solver.h"

static struct sym_ctx ctx;
static unsigned passed, failed;
static Z3_ast packet, len;

static void check(bool ok, const char *what, unsigned i)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL: %s (case %u)\n", what, i);
}

static Z3_ast byte(uint64_t off)
{
	return Z3_mk_select(ctx.z, packet, sym_num(&ctx, off, 64));
}

/* A random condition: a byte compared with a number, a length bound, a
 * header's end against the length, or a byte read at an offset another
 * byte decides (as IHL decides the L4 header's). */
static Z3_ast random_cond(void)
{
	Z3_context z = ctx.z;
	Z3_ast b = byte((uint64_t)(rand() % 6)), v = sym_num(&ctx, (uint64_t)(rand() % 4), 8), c;

	switch (rand() % 6) {
	case 0:
		return Z3_mk_eq(z, b, v);
	case 1:
		return Z3_mk_not(z, Z3_mk_eq(z, b, v));
	case 2:
		return Z3_mk_bvule(z, b, v);
	case 3:
		return Z3_mk_bvuge(z, len, sym_num(&ctx, (uint64_t)(rand() % 8), 64));
	case 4:
		/* a header's end against the packet length: two symbolic sides */
		c = Z3_mk_bvule(z, Z3_mk_bvadd(z, Z3_mk_zero_ext(z, 56, b), sym_num(&ctx, 2, 64)), len);
		return rand() % 2 ? c : Z3_mk_not(z, c);
	default:
		return Z3_mk_eq(z, Z3_mk_select(z, packet, Z3_mk_zero_ext(z, 56, Z3_mk_bvand(z, b, sym_num(&ctx, 3, 8)))),
				v);
	}
}

/* Whether e holds in the path's model, as Z3 evaluates it (the solver
 * evaluates models itself: Z3 is the independent judge here). */
static bool holds(struct solver *s, struct assignment *a, Z3_ast e)
{
	Z3_model m;
	Z3_ast v;
	bool ok;

	if (!a)
		return false;
	m = solver__z3_model(s, a);
	ok = Z3_model_eval(ctx.z, m, e, true, &v) && Z3_get_bool_value(ctx.z, v) == Z3_L_TRUE;
	Z3_model_dec_ref(ctx.z, m);
	return ok;
}

/* Random paths: each query extends or cuts back the path before it, so the
 * incremental solver pops and pushes as it does for sibling states. */
static void incremental_against_fresh(void)
{
	enum { QUERIES = 400, DEPTH = 64 };
	static struct constraint made[QUERIES];
	const struct constraint *path[DEPTH];
	struct path_model model = { 0 };
	struct solver inc;
	size_t n = 0;

	solver__init(&inc, &ctx, 10000);
	for (unsigned q = 0; q < QUERIES; q++) {
		Z3_ast cond = random_cond();
		struct solver fresh;
		enum sat want, got;

		if (rand() % 3 == 0 && n) {
			/* back to an ancestor, whose model still holds as far as it did */
			n = (size_t)rand() % n;
			model.valid = model.valid < n ? model.valid : n;
		}
		solver__init(&fresh, &ctx, 10000);
		want = solver__check(&fresh, path, n, cond, NULL, NULL);
		solver__fini(&fresh);
		got = solver__check(&inc, path, n, cond, NULL, &model);
		check(got == want, "incremental answer equals a fresh solver's", q);
		if (got == SAT_YES) {
			check(holds(&inc, model.a, cond), "the path's model satisfies the condition", q);
			for (size_t i = 0; i < model.valid && i < n; i++)
				check(holds(&inc, model.a, path[i]->e), "the path's model satisfies what it claims", q);
			if (n < DEPTH && !solver__constraint(&inc, cond, &made[q])) {
				/* the path goes on with cond, and may end there */
				path[n++] = &made[q];
				check(solver__model(&inc, path, n, &model) == SAT_YES, "a satisfiable path has a model", q);
				for (size_t i = 0; i < n; i++)
					check(holds(&inc, model.a, path[i]->e), "a finished path's model satisfies it", q);
			}
		}
	}
	/* the shortcut must have been taken, for the checks above to test it */
	check(inc.stats.repairs > 0, "some queries are answered by a repaired model", 0);
	check(inc.stats.model_hits > 0, "some queries are answered by a model at hand", 0);
	assignment__put(model.a);
	for (unsigned q = 0; q < QUERIES; q++)
		constraint__free(&made[q]);
	solver__fini(&inc);
}

/* h: four rounds of the multiply-xor-rotate hash load balancers use. */
static Z3_ast hash_of(Z3_ast x)
{
	Z3_context z = ctx.z;
	Z3_ast h = sym_num(&ctx, 0x9e3779b9, 32);

	for (int i = 0; i < 4; i++) {
		h = Z3_mk_bvmul(z, Z3_mk_bvxor(z, h, Z3_mk_bvadd(z, x, sym_num(&ctx, (uint64_t)i, 32))),
				sym_num(&ctx, 0x85ebca6b, 32));
		h = Z3_mk_bvxor(z, h, Z3_mk_bvlshr(z, h, sym_num(&ctx, 13, 32)));
		h = Z3_mk_bvor(z, Z3_mk_bvshl(z, h, sym_num(&ctx, 5, 32)), Z3_mk_bvlshr(z, h, sym_num(&ctx, 27, 32)));
	}
	return h;
}

static void weakening(void)
{
	Z3_context z = ctx.z;
	struct solver s;
	Z3_ast h = Z3_mk_zero_ext(z, 32, hash_of(Z3_mk_zero_ext(z, 24, byte(30))));
	Z3_ast four = sym_num(&ctx, 4, 64);
	/* h % 4 as clang writes it for a divisor held in a variable */
	Z3_ast mod = Z3_mk_bvsub(z, h, Z3_mk_bvmul(z, Z3_mk_bvudiv(z, h, four), four));
	Z3_ast out_of_range = Z3_mk_bvuge(z, mod, sym_num(&ctx, 16, 64));
	struct path_model model = { 0 };

	solver__init(&s, &ctx, 100);
	check(solver__check(&s, NULL, 0, out_of_range, out_of_range, &model) == SAT_NO,
	      "hash % 4 >= 16 is refuted", 0);
	check(solver__check(&s, NULL, 0, Z3_mk_not(z, out_of_range), Z3_mk_not(z, out_of_range), &model) != SAT_NO,
	      "hash % 4 < 16 is not refuted", 0);
	assignment__put(model.a);
	solver__fini(&s);
}

/* Conditions the path's model (every input 0) fails, each answered by a
 * repair of it with no call to Z3, the path's constraint still holding:
 * a comparison of two fields, an if-then-else whose other side names the
 * value (an ethertype test clang made a select of), two slices of one
 * field, and a helper's result that the path confines to a few values,
 * asked to be non-zero (the first suggestion, 1, fails the path; the
 * path's own constraint then names the values that hold). */
static void repairs(void)
{
	Z3_context z = ctx.z;
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "x"), ctx.bv8), y = Z3_mk_const(z, Z3_mk_string_symbol(z, "y"), ctx.bv8);
	Z3_ast w = Z3_mk_const(z, Z3_mk_string_symbol(z, "w"), Z3_mk_bv_sort(z, 16));
	Z3_ast r = Z3_mk_const(z, Z3_mk_string_symbol(z, "r"), ctx.bv8);
	Z3_ast y_small = Z3_mk_bvule(z, y, sym_num(&ctx, 5, 8));
	const struct {
		Z3_ast constraint, cond;
	} cases[] = {
		{ y_small, Z3_mk_not(z, Z3_mk_bvule(z, x, y)) },
		{ y_small, Z3_mk_bvugt(z, x, y) },
		{ y_small, Z3_mk_eq(z, Z3_mk_ite(z, Z3_mk_bvule(z, sym_num(&ctx, 0x10, 8), x), x, sym_num(&ctx, 0, 8)),
				    sym_num(&ctx, 0x86, 8)) },
		{ y_small, Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_eq(z, Z3_mk_extract(z, 15, 8, w), sym_num(&ctx, 0x12, 8)),
						       Z3_mk_eq(z, Z3_mk_extract(z, 7, 0, w), sym_num(&ctx, 0x34, 8)) }) },
		{ Z3_mk_or(z, 3, (Z3_ast[]){ Z3_mk_eq(z, r, sym_num(&ctx, 0, 8)), Z3_mk_eq(z, r, sym_num(&ctx, 0xa1, 8)),
					     Z3_mk_eq(z, r, sym_num(&ctx, 0x9b, 8)) }),
		  Z3_mk_not(z, Z3_mk_eq(z, r, sym_num(&ctx, 0, 8))) },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* as the engine's first path has: every input 0 */
		struct path_model model = { .a = assignment__new() };
		struct constraint on_path;
		const struct constraint *path[] = { &on_path };
		struct solver s;
		uint64_t calls;

		solver__init(&s, &ctx, 10000);
		solver__constraint(&s, cases[i].constraint, &on_path);
		check(solver__model(&s, path, 1, &model) == SAT_YES && solver__eval(&s, model.a, x) == 0 &&
		      solver__eval(&s, model.a, y) == 0 && solver__eval(&s, model.a, r) == 0,
		      "the path has the model x = y = r = 0", i);
		calls = s.stats.z3_calls;
		check(solver__check(&s, path, 1, cases[i].cond, NULL, &model) == SAT_YES, "the condition is satisfiable", i);
		check(s.stats.z3_calls == calls && s.stats.repairs == 1, "a repaired model answers it", i);
		check(holds(&s, model.a, cases[i].cond) && holds(&s, model.a, on_path.e),
		      "the repaired model satisfies the path", i);
		constraint__free(&on_path);
		assignment__put(model.a);
		solver__fini(&s);
	}
}

/* The model of "y <= 5" (x = y = 0) fails "x == 7", added to the path
 * since (as a helper's outcome is): the path's model is repaired, with no
 * call to Z3; "(x + y) * (x + y) == 196", which names no value to set, is
 * solved by Z3. */
static void repaired_path_model(void)
{
	Z3_context z = ctx.z;
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "x"), ctx.bv8), y = Z3_mk_const(z, Z3_mk_string_symbol(z, "y"), ctx.bv8);
	Z3_ast later[] = { Z3_mk_eq(z, x, sym_num(&ctx, 7, 8)),
			   Z3_mk_eq(z, Z3_mk_bvmul(z, Z3_mk_bvadd(z, x, y), Z3_mk_bvadd(z, x, y)), sym_num(&ctx, 196, 8)) };
	const bool by_repair[] = { true, false };

	for (unsigned i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		struct constraint y_small, added;
		const struct constraint *path[] = { &y_small, &added };
		struct path_model model = { 0 };
		struct solver s;
		uint64_t calls;

		solver__init(&s, &ctx, 10000);
		solver__constraint(&s, Z3_mk_bvule(z, y, sym_num(&ctx, 5, 8)), &y_small);
		solver__constraint(&s, later[i], &added);
		check(solver__model(&s, path, 1, &model) == SAT_YES && solver__eval(&s, model.a, x) == 0,
		      "y <= 5 has the model x = 0", i);
		calls = s.stats.z3_calls;
		check(solver__model(&s, path, 2, &model) == SAT_YES, "the path with the added constraint has a model", i);
		check((s.stats.z3_calls == calls) == by_repair[i] && s.stats.repairs == by_repair[i],
		      by_repair[i] ? "a repair gives it" : "Z3 gives it", i);
		check(holds(&s, model.a, y_small.e) && holds(&s, model.a, added.e), "the model satisfies the path", i);
		constraint__free(&y_small);
		constraint__free(&added);
		assignment__put(model.a);
		solver__fini(&s);
	}
}

/* A group of constraints no repair satisfies, (x + y)^2 == 196, ends two
 * paths: Z3 gives the first path's model, and the second path's comes from
 * the counterexample cache (the recent model), with no Z3 call. Past eight
 * models remembered since, the query cache gives it. */
static void group_models_cached(void)
{
	Z3_context z = ctx.z;
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "x"), ctx.bv8), y = Z3_mk_const(z, Z3_mk_string_symbol(z, "y"), ctx.bv8);
	Z3_ast sum = Z3_mk_bvadd(z, x, y);
	struct constraint square;
	const struct constraint *path[] = { &square };
	struct solver s;

	solver__init(&s, &ctx, 10000);
	solver__constraint(&s, Z3_mk_eq(z, Z3_mk_bvmul(z, sum, sum), sym_num(&ctx, 196, 8)), &square);
	for (unsigned i = 0; i < 3; i++) {
		struct path_model model = { 0 };
		uint64_t calls, hits;

		/* before the third path, eight models of other queries */
		for (unsigned k = 0; i == 2 && k < 8; k++) {
			struct constraint other;
			const struct constraint *other_path[] = { &other };
			struct path_model other_model = { 0 };

			solver__constraint(&s, Z3_mk_eq(z, Z3_mk_bvmul(z, x, x), sym_num(&ctx, 4 * k * k, 8)), &other);
			solver__model(&s, other_path, 1, &other_model);
			assignment__put(other_model.a);
			constraint__free(&other);
		}
		calls = s.stats.z3_calls;
		hits = s.stats.model_hits + s.stats.cache_hits;
		check(solver__model(&s, path, 1, &model) == SAT_YES && holds(&s, model.a, square.e),
		      "the path has a model of the group", i);
		check(i == 0 ? s.stats.z3_calls == calls + 1 : s.stats.z3_calls == calls &&
								 s.stats.model_hits + s.stats.cache_hits > hits,
		      i == 0 ? "Z3 gives the first" : "the cache gives the next", i);
		assignment__put(model.a);
	}
	constraint__free(&square);
	solver__fini(&s);
}

/* On the path "x == 0x3c && y <= 5", "x == 0" and "x & 0xf0 != 0x30" are refuted
 * by what the path fixes, and "x + y == 0" by the bounds it gives x + y
 * (0x3c to 0x41), with no call to Z3; "x + y * y == 0x3e" (no square is 2)
 * is not, and Z3 refutes it. */
static void facts_refute(void)
{
	Z3_context z = ctx.z;
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "x"), ctx.bv8), y = Z3_mk_const(z, Z3_mk_string_symbol(z, "y"), ctx.bv8);
	Z3_ast conds[] = { Z3_mk_eq(z, x, sym_num(&ctx, 0, 8)),
			   Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_bvand(z, x, sym_num(&ctx, 0xf0, 8)), sym_num(&ctx, 0x30, 8))),
			   Z3_mk_eq(z, Z3_mk_bvadd(z, x, y), sym_num(&ctx, 0, 8)),
			   Z3_mk_eq(z, Z3_mk_bvadd(z, x, Z3_mk_bvmul(z, y, y)), sym_num(&ctx, 0x3e, 8)) };
	const bool by_facts[] = { true, true, true, false };

	for (unsigned i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		struct path_model model = { 0 };
		struct constraint fixed;
		const struct constraint *path[] = { &fixed };
		struct solver s;
		uint64_t calls;

		solver__init(&s, &ctx, 10000);
		solver__constraint(&s, Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_eq(z, x, sym_num(&ctx, 0x3c, 8)),
								 Z3_mk_bvule(z, y, sym_num(&ctx, 5, 8)) }), &fixed);
		check(solver__model(&s, path, 1, &model) == SAT_YES, "the path has a model", i);
		calls = s.stats.z3_calls;
		check(solver__check(&s, path, 1, conds[i], NULL, &model) == SAT_NO, "the condition is refuted", i);
		check((s.stats.z3_calls == calls) == by_facts[i] && s.stats.refuted_by_facts == by_facts[i],
		      by_facts[i] ? "the path's facts refute it" : "Z3 refutes it", i);
		constraint__free(&fixed);
		assignment__put(model.a);
		solver__fini(&s);
	}
}

/* cond over reads of table at indices made of x, on the path "table[0] <=
 * 100" whose model has x = 0: SAT, by pinning x or not (pinned says which),
 * with a model of the path and cond. */
static void hashed_index(Z3_ast table, Z3_ast cond, uint64_t pinned, const char *why, unsigned i)
{
	Z3_context z = ctx.z;
	struct constraint small;
	const struct constraint *path[] = { &small };
	struct path_model model = { 0 };
	struct solver s;

	solver__init(&s, &ctx, 10000);
	solver__constraint(&s, Z3_mk_bvule(z, Z3_mk_select(z, table, sym_num(&ctx, 0, 64)), sym_num(&ctx, 100, 8)), &small);
	check(solver__model(&s, path, 1, &model) == SAT_YES, "the path has a model", i);
	check(solver__check(&s, path, 1, cond, NULL, &model) == SAT_YES, "reads at hashed indices are satisfiable", i);
	check(s.stats.pinned == pinned, why, i);
	check(holds(&s, model.a, cond) && holds(&s, model.a, small.e), "the model satisfies the path and the reads", i);
	constraint__free(&small);
	assignment__put(model.a);
	solver__fini(&s);
}

static void hashed_indices(void)
{
	Z3_context z = ctx.z;
	Z3_ast table = Z3_mk_const(z, Z3_mk_string_symbol(z, "table"), Z3_mk_array_sort(z, ctx.bv64, ctx.bv8));
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "x"), Z3_mk_bv_sort(z, 32));
	Z3_ast one = sym_num(&ctx, 1, 32), mask = sym_num(&ctx, 0xff, 32);
	Z3_ast at_h = Z3_mk_select(z, table, Z3_mk_zero_ext(z, 32, Z3_mk_bvand(z, hash_of(x), mask)));
	Z3_ast at_h1 = Z3_mk_select(z, table, Z3_mk_zero_ext(z, 32, Z3_mk_bvand(z, hash_of(Z3_mk_bvadd(z, x, one)), mask)));
	Z3_ast bit0 = Z3_mk_select(z, table, Z3_mk_zero_ext(z, 32, Z3_mk_bvand(z, hash_of(x), one)));
	Z3_ast bit1 = Z3_mk_select(z, table, Z3_mk_zero_ext(z, 32, Z3_mk_bvand(z, Z3_mk_bvlshr(z, hash_of(x), one), one)));

	/* two counts of a count-min sketch, at the hashes of x and x + 1 */
	hashed_index(table, Z3_mk_eq(z, Z3_mk_bvadd(z, at_h, at_h1), sym_num(&ctx, 200, 8)), 1,
		     "pinning the hash's input answers", 0);
	/* x = 0 puts both reads at table[0] (its hash ends in two zero bits):
	 * only another x has them apart */
	hashed_index(table, Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_eq(z, bit0, sym_num(&ctx, 3, 8)),
							  Z3_mk_eq(z, bit1, sym_num(&ctx, 4, 8)) }), 0,
		     "pinned indices that collide do not answer", 1);
	/* an index with no multiplier or divider is asked whole */
	hashed_index(table, Z3_mk_eq(z, Z3_mk_bvadd(z, Z3_mk_select(z, table, Z3_mk_zero_ext(z, 32, Z3_mk_bvand(z, x, mask))),
						     Z3_mk_select(z, table, Z3_mk_zero_ext(z, 32, Z3_mk_bvand(z, Z3_mk_bvadd(z, x, one), mask)))),
				     sym_num(&ctx, 200, 8)), 0,
		     "indices with no multiplier or divider are not pinned", 2);
}

/* A hundred rounds of a 64-bit multiply and shift: past the solver's
 * budget of multiplier gates. */
static Z3_ast wide_hash_of(Z3_ast x)
{
	Z3_context z = ctx.z;
	Z3_ast h = x;

	for (int i = 0; i < 100; i++) {
		h = Z3_mk_bvmul(z, h, sym_num(&ctx, 0x9e3779b97f4a7c15ull, 64));
		h = Z3_mk_bvxor(z, h, Z3_mk_bvlshr(z, h, sym_num(&ctx, 29, 64)));
	}
	return h;
}

static void gate_budget(void)
{
	Z3_context z = ctx.z;
	Z3_ast table = Z3_mk_const(z, Z3_mk_string_symbol(z, "wide_table"), Z3_mk_array_sort(z, ctx.bv64, ctx.bv8));
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "wide_x"), ctx.bv64);
	Z3_ast x2 = Z3_mk_const(z, Z3_mk_string_symbol(z, "wide_x2"), ctx.bv64);
	Z3_ast y = Z3_mk_const(z, Z3_mk_string_symbol(z, "wide_y"), ctx.bv8);
	Z3_ast at_h = Z3_mk_select(z, table, Z3_mk_bvand(z, wide_hash_of(x), sym_num(&ctx, 0xff, 64)));
	struct constraint small, at;
	const struct constraint *path[] = { &small, &at };
	struct path_model model = { 0 };
	struct solver s;
	uint64_t z3_calls;

	solver__init(&s, &ctx, 10000);
	solver__constraint(&s, Z3_mk_bvule(z, y, sym_num(&ctx, 5, 8)), &small);
	check(solver__model(&s, path, 1, &model) == SAT_YES, "y <= 5 has a model", 0);
	/* the count at the hash of x is y: the path model's x and table hold it */
	solver__constraint(&s, Z3_mk_eq(z, at_h, y), &at);
	check(solver__check(&s, path, 1, at.e, NULL, &model) == SAT_YES, "table[hash(x)] = y holds", 0);
	check(solver__check(&s, path, 2, Z3_mk_bvugt(z, y, sym_num(&ctx, 5, 8)), NULL, &model) == SAT_NO,
	      "y > 5 is refuted with table[hash(x)] made free", 0);
	z3_calls = s.stats.z3_calls;
	check(solver__check(&s, NULL, 0, Z3_mk_not(z, Z3_mk_eq(z, wide_hash_of(x), wide_hash_of(x2))), NULL,
			    &model) == SAT_UNKNOWN && s.stats.z3_calls == z3_calls,
	      "two wide hashes apart are past the budget, not asked", 0);
	constraint__free(&small);
	constraint__free(&at);
	assignment__put(model.a);
	solver__fini(&s);
}

static void unchecked_bounded(void)
{
	Z3_context z = ctx.z;
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "preimage_x"), Z3_mk_bv_sort(z, 32));
	Z3_ast cond = Z3_mk_not(z, Z3_mk_eq(z, x, sym_num(&ctx, 7, 32)));
	struct constraint preimage;
	const struct constraint *path[] = { &preimage };
	struct path_model model = { 0 };
	struct solver s;
	uint64_t long_checks;

	solver__init(&s, &ctx, 200);
	solver__constraint(&s, Z3_mk_eq(z, hash_of(x), sym_num(&ctx, 0x2545f491, 32)), &preimage);
	preimage.unchecked = true;
	long_checks = s.stats.long_checks;
	check(solver__check(&s, path, 1, cond, NULL, &model) == SAT_UNKNOWN && s.stats.long_checks == long_checks,
	      "an unchecked preimage past the quick bound: UNKNOWN, no long check", 0);
	preimage.unchecked = false;
	solver__check(&s, path, 1, cond, NULL, &model);
	check(s.stats.long_checks == long_checks + 1, "the same preimage, decided: a long check", 0);
	constraint__free(&preimage);
	assignment__put(model.a);
	solver__fini(&s);
}

int main(void)
{
	if (sym_ctx__init(&ctx))
		return 1;
	srand(7);
	packet = Z3_mk_const(ctx.z, Z3_mk_string_symbol(ctx.z, "packet"), Z3_mk_array_sort(ctx.z, ctx.bv64, ctx.bv8));
	len = Z3_mk_const(ctx.z, Z3_mk_string_symbol(ctx.z, "len"), ctx.bv64);
	incremental_against_fresh();
	weakening();
	repairs();
	repaired_path_model();
	group_models_cached();
	facts_refute();
	hashed_indices();
	gate_budget();
	unchecked_bounded();
	sym_ctx__fini(&ctx);
	printf("solver: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
