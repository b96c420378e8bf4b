// SPDX-License-Identifier: MIT
/*
 * The engine's symbolic semantics (expr.c) against the concrete ones
 * (sem.h): every ALU, byte-swap, jump, load and atomic opcode on edge values
 * and random ones, with one operand made symbolic and the term evaluated by
 * Z3. Any difference would make a generated test replay differently from how
 * it was explored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expr.h"
#include "sem.h"

static struct sym_ctx ctx;
static unsigned passed, failed;

/* The value of a result: concrete ones (mov from a concrete source) as they are. */
static uint64_t eval(struct sval r)
{
	uint64_t v = 0;
	Z3_ast s;

	if (sval_is_conc(r))
		return r.c;
	s = Z3_simplify(ctx.z, r.e);

	if (!Z3_get_numeral_uint64(ctx.z, s, &v)) {
		fprintf(stderr, "not a numeral: %s\n", Z3_ast_to_string(ctx.z, s));
		exit(1);
	}
	return v;
}

/* The value as a term Z3 must treat as symbolic: a numeral wrapped so that
 * the concrete path cannot be taken. */
static struct sval as_sym(uint64_t v)
{
	return (struct sval){ .e = sym_num(&ctx, v, 64), .region = -1 };
}

static void expect(const char *what, uint8_t code, int32_t extra, uint64_t a, uint64_t b, uint64_t want, uint64_t got)
{
	if (want == got) {
		passed++;
		return;
	}
	failed++;
	if (failed < 20)
		fprintf(stderr, "FAIL %s code 0x%02x (%d) a=0x%llx b=0x%llx: concrete 0x%llx symbolic 0x%llx\n", what,
			code, extra, (unsigned long long)a, (unsigned long long)b, (unsigned long long)want,
			(unsigned long long)got);
}

static uint64_t rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ull;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

static void expect_bounds(const char *what, Z3_ast t, uint64_t lo, uint64_t hi)
{
	uint64_t got_lo, got_hi;

	sym_unsigned_bounds(&ctx, t, &got_lo, &got_hi);
	if (got_lo == lo && got_hi == hi) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: bounds of %s: [%llu, %llu], expected [%llu, %llu]\n", what, (unsigned long long)got_lo,
	       (unsigned long long)got_hi, (unsigned long long)lo, (unsigned long long)hi);
}

/* An array index as katran builds it: a hash modulo 127 plus a base the
 * path fixed at 7 * 127, as Z3's simplifier splits it into bytes. */
static void check_bounds(void)
{
	Z3_context z = ctx.z;
	Z3_ast hash = Z3_mk_bvxor(z, Z3_mk_const(z, Z3_mk_string_symbol(z, "h1"), Z3_mk_bv_sort(z, 32)),
				  Z3_mk_const(z, Z3_mk_string_symbol(z, "h2"), Z3_mk_bv_sort(z, 32)));
	Z3_ast rem = Z3_mk_bvurem(z, Z3_mk_zero_ext(z, 32, hash), sym_num(&ctx, 127, 64));
	Z3_ast idx = Z3_mk_bvadd(z, sym_num(&ctx, 889, 64), rem);
	Z3_ast split = Z3_mk_concat(z, Z3_mk_extract(z, 31, 8, idx),
				    Z3_mk_bvadd(z, sym_num(&ctx, 121, 8), Z3_mk_extract(z, 7, 0, rem)));

	expect_bounds("an opaque hash", hash, 0, UINT32_MAX);
	expect_bounds("hash % 127", rem, 0, 126);
	expect_bounds("889 + hash % 127", idx, 889, 1015);
	expect_bounds("its bits 31..8", Z3_mk_extract(z, 31, 8, idx), 3, 3);
	expect_bounds("its low byte", Z3_mk_extract(z, 7, 0, idx), 121, 247);
	expect_bounds("the index in bytes", split, 889, 1015);
	expect_bounds("a sum that may wrap", Z3_mk_bvadd(z, hash, sym_num(&ctx, 1, 32)), 0, UINT32_MAX);
	expect_bounds("a mask", Z3_mk_bvand(z, hash, sym_num(&ctx, 0xff0, 32)), 0, 0xff0);
	expect_bounds("a shift", Z3_mk_bvlshr(z, hash, sym_num(&ctx, 28, 32)), 0, 15);
}

/* Whether Z3 finds no input where a and b differ. */
static bool always_equal(Z3_ast a, Z3_ast b)
{
	Z3_solver solver = Z3_mk_simple_solver(ctx.z);
	bool equal;

	Z3_solver_inc_ref(ctx.z, solver);
	Z3_solver_assert(ctx.z, solver, Z3_mk_not(ctx.z, Z3_mk_eq(ctx.z, a, b)));
	equal = Z3_solver_check(ctx.z, solver) == Z3_L_FALSE;
	Z3_solver_dec_ref(ctx.z, solver);
	return equal;
}

static void expect_affine(const char *what, Z3_ast t, Z3_ast x, uint64_t base, uint64_t scale)
{
	Z3_context z = ctx.z;
	struct sym_affine a = sym_affine(&ctx, t);
	Z3_ast wide = a.x && a.width < 64 ? Z3_mk_zero_ext(z, 64 - a.width, a.x) : a.x;

	if (a.x == x && a.base == base && a.scale == scale &&
	    (!x || always_equal(t, Z3_mk_bvadd(z, sym_num(&ctx, base, 64), Z3_mk_bvmul(z, sym_num(&ctx, scale, 64), wide))))) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: affine form of %s: %llu + %llu * %s\n", what, (unsigned long long)a.base,
	       (unsigned long long)a.scale, a.x ? Z3_ast_to_string(z, a.x) : "-");
}

/* An element of an array of 56-byte structures, as a program computes its
 * address: region + ((b + 1) & 31) * 56 + 80 with the byte b loaded into a
 * register (zero-extended, or-ed with zeros), less the region's address. */
static void check_affine(void)
{
	Z3_context z = ctx.z;
	Z3_ast b = Z3_mk_const(z, Z3_mk_string_symbol(z, "b"), ctx.bv8);
	Z3_ast field = Z3_mk_extract(z, 7, 0, Z3_mk_bvand(z, Z3_mk_bvadd(z, Z3_mk_zero_ext(z, 56, b), sym_num(&ctx, 1, 64)),
							     sym_num(&ctx, 31, 64)));
	Z3_ast loaded = Z3_mk_bvor(z, sym_num(&ctx, 0, 64), Z3_mk_bvor(z, sym_num(&ctx, 0, 64), Z3_mk_zero_ext(z, 56, field)));
	Z3_ast region = sym_num(&ctx, 0x1000000000, 64);
	Z3_ast addr = Z3_mk_bvadd(z, Z3_mk_bvadd(z, region, Z3_mk_bvmul(z, loaded, sym_num(&ctx, 56, 64))),
				  sym_num(&ctx, 80, 64));
	Z3_ast off = Z3_mk_bvsub(z, addr, region);
	Z3_ast opaque = Z3_mk_bvxor(z, Z3_mk_zero_ext(z, 56, b), sym_num(&ctx, 3, 64));
	Z3_ast sum = Z3_mk_bvadd(z, opaque, Z3_mk_zero_ext(z, 56, b));

	expect_affine("the element's offset", off, field, 80, 56);
	expect_bounds("its field", field, 0, 31);
	expect_bounds("the field or-ed with zeros", loaded, 0, 31);
	expect_affine("a shifted byte", Z3_mk_bvshl(z, Z3_mk_zero_ext(z, 56, b), sym_num(&ctx, 3, 64)), b, 0, 8);
	expect_affine("a difference", Z3_mk_bvsub(z, sym_num(&ctx, 100, 64), Z3_mk_zero_ext(z, 56, b)), b, 100,
		      (uint64_t)-1);
	expect_affine("a term of no such form", opaque, opaque, 0, 1);
	expect_affine("a sum of two inputs", sum, sum, 0, 1);
}

/* sym_split_bytes gives the bytes an extract per byte gives: of a
 * concatenation of bytes and wider parts, either way round, and of a term
 * that is no concatenation. */
static void check_split_bytes(void)
{
	Z3_context z = ctx.z;
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "x"), Z3_mk_bv_sort(z, 32));
	Z3_ast low_first = Z3_mk_concat(z, Z3_mk_concat(z, sym_num(&ctx, 0xab, 8), x), sym_num(&ctx, 0x1234, 16));
	Z3_ast high_first = Z3_mk_concat(z, x, Z3_mk_concat(z, sym_num(&ctx, 0xcd, 8), Z3_mk_bvnot(z, x)));
	Z3_ast terms[] = { low_first, high_first, Z3_mk_bvadd(z, Z3_mk_concat(z, x, x), sym_num(&ctx, 5, 64)) };
	Z3_ast parts[9];

	for (unsigned t = 0; t < 3; t++) {
		unsigned n = Z3_get_bv_sort_size(z, Z3_get_sort(z, terms[t])) / 8, same = 0;

		memset(parts, 0, sizeof(parts));
		if (sym_split_bytes(&ctx, terms[t], n, parts))
			exit(1);
		for (unsigned i = 0; i < n; i++) {
			Z3_ast want = Z3_mk_extract(z, 8 * i + 7, 8 * i, terms[t]);

			same += parts[i] && Z3_get_bool_value(z, Z3_simplify(z, Z3_mk_eq(z, parts[i], want))) == Z3_L_TRUE;
		}
		if (same == n) {
			passed++;
		} else {
			failed++;
			printf("FAIL: split_bytes of term %u: %u of %u bytes right\n", t, same, n);
		}
	}
}

/* sym_index_add: byte 1 of a read at a zero-extended X + 0x40 is the term
 * of byte 0 of a read at X + 0x41, whichever way the index is extended; an
 * index that is not a zero-extended offset gets the number added outside.
 * Each equals index + i wherever the 32-bit sum does not wrap. */
static void check_index_add(void)
{
	Z3_context z = ctx.z;
	Z3_ast b = Z3_mk_const(z, Z3_mk_string_symbol(z, "b"), ctx.bv8);
	Z3_ast x = Z3_mk_concat(z, sym_num(&ctx, 0, 21), Z3_mk_concat(z, b, sym_num(&ctx, 0, 3)));
	Z3_ast at40 = Z3_mk_bvadd(z, sym_num(&ctx, 0x40, 32), x), at41 = Z3_mk_bvadd(z, sym_num(&ctx, 0x41, 32), x);
	Z3_ast y = Z3_mk_const(z, Z3_mk_string_symbol(z, "y"), ctx.bv32);
	Z3_ast wide = Z3_mk_const(z, Z3_mk_string_symbol(z, "wide"), ctx.bv64);
	struct {
		const char *what;
		Z3_ast index, want;
	} cases[] = {
		{ "a concatenation", Z3_mk_concat(z, sym_num(&ctx, 0, 32), at40), Z3_mk_concat(z, sym_num(&ctx, 0, 32), at41) },
		{ "a zero extension", Z3_mk_zero_ext(z, 32, at40), Z3_mk_zero_ext(z, 32, at41) },
		{ "an offset with no number", Z3_mk_zero_ext(z, 32, y),
		  Z3_mk_zero_ext(z, 32, Z3_mk_bvadd(z, sym_num(&ctx, 1, 32), y)) },
		{ "a 64-bit index", wide, Z3_mk_bvadd(z, wide, sym_num(&ctx, 1, 64)) },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		Z3_ast got = sym_index_add(&ctx, cases[i].index, 1);
		Z3_ast plain = Z3_mk_bvadd(z, cases[i].index, sym_num(&ctx, 1, 64));
		/* where the sum cannot wrap (y below 2^32 - 1) the two agree */
		Z3_ast no_wrap = Z3_mk_bvult(z, y, sym_num(&ctx, UINT32_MAX, 32));

		if (got == cases[i].want && always_equal(Z3_mk_ite(z, no_wrap, got, plain), plain)) {
			passed++;
			continue;
		}
		failed++;
		printf("FAIL: index_add of %s: %s\n", cases[i].what, Z3_ast_to_string(z, got));
	}
	if (sym_index_add(&ctx, wide, 0) == wide) {
		passed++;
	} else {
		failed++;
		printf("FAIL: index_add of 0 changes the index\n");
	}
}

/* Bytes that are all numbers join into one numeral, of any width (a
 * 4-byte key, a 12-byte one), that sym_known_equal tells apart from
 * another number without the solver; a symbolic byte leaves a term that
 * only the solver can compare, and one term is equal to itself. */
static void check_join_numerals(void)
{
	Z3_context z = ctx.z;
	Z3_ast bytes[12], x = Z3_mk_const(z, Z3_mk_string_symbol(z, "x"), ctx.bv8);
	Z3_ast key4, key12, other12, with_x;
	uint64_t v = 0;

	for (unsigned i = 0; i < 12; i++)
		bytes[i] = sym_num(&ctx, 0x10 + i, 8);
	key4 = sym_join_bytes(&ctx, bytes, 4);
	key12 = sym_join_bytes(&ctx, bytes, 12);
	bytes[11] = sym_num(&ctx, 0x99, 8);
	other12 = sym_join_bytes(&ctx, bytes, 12);
	bytes[11] = x;
	with_x = sym_join_bytes(&ctx, bytes, 12);
	if (Z3_get_numeral_uint64(z, key4, &v) && v == 0x13121110 && Z3_is_numeral_ast(z, key12) &&
	    always_equal(Z3_mk_extract(z, 95, 64, key12), sym_num(&ctx, 0x1b1a1918, 32)) &&
	    always_equal(Z3_mk_extract(z, 31, 0, key12), sym_num(&ctx, 0x13121110, 32)) &&
	    sym_known_equal(&ctx, key12, other12) == 0 && sym_known_equal(&ctx, key12, key12) == 1 &&
	    sym_known_equal(&ctx, key12, with_x) == -1 &&
	    always_equal(Z3_mk_extract(z, 95, 88, with_x), x)) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: join of numeral bytes: 4 bytes %s,", Z3_ast_to_string(z, key4));
	printf(" 12 bytes %s\n", Z3_ast_to_string(z, key12));
}

int main(void)
{
	static const uint64_t edges[] = { 0, 1, 2, 7, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
					  0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
					  0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe, 0x123456789abcdef0 };
	static const uint8_t alu_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH,
					   BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH };
	static const uint8_t jmp_ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE,
					   BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };
	size_t n_edges = sizeof(edges) / sizeof(edges[0]);
	uint64_t vals[64];

	if (sym_ctx__init(&ctx))
		return 1;
	for (size_t i = 0; i < 64; i++)
		vals[i] = i < n_edges ? edges[i] : rnd() >> (rnd() % 64);

	for (size_t i = 0; i < 64; i++) {
		for (size_t j = 0; j < 64; j += 3) {
			uint64_t a = vals[i], b = vals[j];

			for (int cls = 0; cls < 2; cls++) {
				uint8_t alu_class = cls ? BPF_ALU64 : BPF_ALU, jmp_class = cls ? BPF_JMP : BPF_JMP32;

				for (size_t o = 0; o < sizeof(alu_ops); o++) {
					uint8_t code = alu_class | alu_ops[o] | BPF_X;
					int16_t offs[] = { 0, 1, 8, 16, 32 };

					for (size_t k = 0; k < 5; k++) {
						int16_t off = offs[k];

						if ((off == 1 && alu_ops[o] != BPF_DIV && alu_ops[o] != BPF_MOD) ||
						    (off > 1 && alu_ops[o] != BPF_MOV) || (off == 32 && !cls))
							continue;
						uint64_t want = sem_alu(code, off, a, b);
						expect("alu dst", code, off, a, b, want,
						       eval(sym_alu(&ctx, code, off, as_sym(a), sval_conc(b))));
						expect("alu src", code, off, a, b, want,
						       eval(sym_alu(&ctx, code, off, sval_conc(a), as_sym(b))));
					}
				}
				for (size_t o = 0; o < sizeof(jmp_ops); o++) {
					uint8_t code = jmp_class | jmp_ops[o] | BPF_X;
					Z3_ast c = Z3_simplify(ctx.z, sym_cond(&ctx, code, as_sym(a), sval_conc(b)));

					expect("jmp", code, 0, a, b, sem_cond(code, a, b),
					       Z3_get_bool_value(ctx.z, c) == Z3_L_TRUE);
				}
				for (int w = 16; w <= 64; w *= 2) {
					uint8_t code = alu_class | BPF_END | (cls ? 0 : (b & 1 ? BPF_TO_BE : BPF_TO_LE));
					expect("bswap", code, w, a, 0, sem_bswap(code, w, a),
					       eval(sym_bswap(&ctx, code, w, as_sym(a))));
				}
			}
			for (unsigned size = 1; size <= 8; size *= 2) {
				uint8_t sz = size == 1 ? BPF_B : size == 2 ? BPF_H : size == 4 ? BPF_W : BPF_DW;
				Z3_ast raw = size < 8 ? Z3_mk_extract(ctx.z, size * 8 - 1, 0, sym_num(&ctx, a, 64)) :
							sym_num(&ctx, a, 64);

				for (int sx = 0; sx < 2; sx++) {
					uint8_t code = BPF_LDX | sz | (sx ? BPF_MEMSX : BPF_MEM);
					expect("load", code, (int)size, a, 0, sem_load_value(code, a),
					       eval(sym_load_value(&ctx, code, raw)));
				}
				if (size >= 4) {
					static const int32_t aops[] = { BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_XCHG };
					uint64_t mask = size == 8 ? UINT64_MAX : UINT32_MAX;

					for (size_t k = 0; k < 5; k++)
						expect("atomic", (uint8_t)aops[k], (int)size, a, b,
						       sem_atomic_op(aops[k], a & mask, b & mask) & mask,
						       eval(sym_atomic_op(&ctx, aops[k], as_sym(a), sval_conc(b), size)));
				}
			}
		}
	}
	check_bounds();
	check_affine();
	check_split_bytes();
	check_index_add();
	check_join_numerals();
	sym_ctx__fini(&ctx);
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
