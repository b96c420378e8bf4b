/* SPDX-License-Identifier: MIT */
/*
 * Symbolic values: the expression layer of the engine.
 *
 * A value is concrete (e == NULL, the number in c) or a Z3 bit-vector of 64
 * bits. Operations on concrete operands are sem.h's, and never touch Z3;
 * only when an operand is symbolic is the same semantics built as a Z3 term,
 * with the kernel's rules spelled out where Z3's differ (division by zero,
 * shift masking). A value that points into a region keeps the region id in
 * region, so that a pointer whose offset became symbolic (packet + IHL * 4)
 * still knows where it points.
 */
#ifndef MHSE_EXPR_H
#define MHSE_EXPR_H

#include <stdbool.h>
#include <stdint.h>
#include <z3.h>

/* Terms mapped to numbers, or to terms, by Z3's ast id (a term of mhse's
 * context lives as long as the context, so its id is never another
 * term's). */
struct term_map {
	uint32_t *keys; /* ast id + 1, 0 for a free slot */
	uint64_t *vals;
	size_t cap, cnt;
};

/* Whether the term of ast id is mapped, and to what (*v). */
bool term_map__find(const struct term_map *m, uint32_t id, uint64_t *v);
int term_map__add(struct term_map *m, uint32_t id, uint64_t v);
void term_map__free(struct term_map *m);

/* Numerals below this, of 8 and 64 bits, are made once per context. */
#define SYM_SMALL_NUMERALS 256

struct sym_ctx {
	Z3_context z;
	Z3_sort bv1, bv8, bv32, bv64;
	Z3_ast small8[SYM_SMALL_NUMERALS], small64[SYM_SMALL_NUMERALS];
	struct term_map bounds_lo, bounds_hi; /* sym_unsigned_bounds's answers */
};

struct sval {
	Z3_ast e;       /* NULL when concrete */
	uint64_t c;     /* the value when concrete */
	int32_t region; /* region a symbolic pointer points into, -1 otherwise */
};

static inline struct sval sval_conc(uint64_t c) { return (struct sval){ .c = c, .region = -1 }; }
static inline bool sval_is_conc(struct sval v) { return !v.e; }

int sym_ctx__init(struct sym_ctx *ctx);
void sym_ctx__fini(struct sym_ctx *ctx);
/* A Z3 context of its own, reference-counted (a term lives while something
 * holds it), that reports errors as sym_ctx's does; NULL on failure. */
Z3_context sym_ctx__scratch_context(void);

/* A symbolic variable of bits bits named prefix_N, N from *cnt, which it
 * advances. cnt is the path's count of variables made on the way to here:
 * a path never names two alike, and paths that make the same variables at
 * the same point share them, and every term built from them (Z3 keeps one
 * copy of a term, at about a kilobyte each). */
Z3_ast sym_fresh(struct sym_ctx *ctx, uint64_t *cnt, const char *prefix, unsigned bits);
/* A fresh array of bytes (index 64 bits), named likewise. */
Z3_ast sym_fresh_bytes(struct sym_ctx *ctx, uint64_t *cnt, const char *prefix);
/* The value as a 64-bit term (a numeral when concrete). */
Z3_ast sym_ast(struct sym_ctx *ctx, struct sval v);
Z3_ast sym_num(struct sym_ctx *ctx, uint64_t v, unsigned bits);
/* Whether terms a and b of one sort are equal (1) or differ (0) by their
 * form alone: one term, or two numerals (the context keeps one term per
 * number); -1 when only the solver can tell. Asks Z3 to make nothing: a
 * key compared with the records of every earlier key at each lookup would
 * make a term per pair, which the context keeps. */
int sym_known_equal(struct sym_ctx *ctx, Z3_ast a, Z3_ast b);
/* A 64-bit value from a narrower term, zero- or sign-extended. */
struct sval sym_from(struct sym_ctx *ctx, Z3_ast e, bool sign);

/* The symbolic counterparts of sem.h; concrete operands take sem.h's path. */
struct sval sym_alu(struct sym_ctx *ctx, uint8_t code, int16_t off, struct sval dst, struct sval src);
struct sval sym_bswap(struct sym_ctx *ctx, uint8_t code, int32_t width, struct sval dst);
/* The branch condition as a Z3 boolean (at least one operand symbolic). */
Z3_ast sym_cond(struct sym_ctx *ctx, uint8_t code, struct sval a, struct sval b);
/* The register value of a load: raw is a term of size bytes. */
struct sval sym_load_value(struct sym_ctx *ctx, uint8_t code, Z3_ast raw);
struct sval sym_atomic_op(struct sym_ctx *ctx, int32_t imm, struct sval old, struct sval src, unsigned size);

/* Bounds [*lo, *hi] of a bit-vector term of up to 64 bits read as unsigned,
 * from its last operations (constants, remainders, sums and differences
 * that cannot wrap, products and shifts by a constant, extensions, slices,
 * concatenations, masks, choices); the whole range where they say nothing.
 * What a program does to make an index (a hash modulo or masked to a
 * table's size, times an element's size, plus a base, spilled to the
 * stack byte by byte) stays in a small range. Cheap: no solver, a bounded
 * walk, its answers kept (a store chain asks about each index per read). */
void sym_unsigned_bounds(struct sym_ctx *ctx, Z3_ast t, uint64_t *lo, uint64_t *hi);

/* A 64-bit term as base + scale * x (modulo 2^64), x the zero-extended
 * term of width bits it is made from by sums with numbers, products with
 * numbers and shifts left by numbers; x is t itself (width 64) where t has
 * no such form, and NULL for a numeral. An index into an array of 56-byte
 * structures made of a 5-bit field takes 32 values, not 1800. */
struct sym_affine {
	Z3_ast x;
	unsigned width;
	uint64_t base, scale;
};
struct sym_affine sym_affine(struct sym_ctx *ctx, Z3_ast t);

/* The term k maps to, or NULL. */
static inline Z3_ast term_map__get(const struct term_map *m, Z3_context z, Z3_ast k)
{
	uint64_t v;

	return term_map__find(m, Z3_get_ast_id(z, k), &v) ? (Z3_ast)(uintptr_t)v : NULL;
}

static inline int term_map__put(struct term_map *m, Z3_context z, Z3_ast k, Z3_ast v)
{
	return term_map__add(m, Z3_get_ast_id(z, k), (uint64_t)(uintptr_t)v);
}

/* Byte i (little-endian) of a value of size bytes, as an 8-bit term. */
Z3_ast sym_byte(struct sym_ctx *ctx, struct sval v, unsigned i);
/* An offset i bytes past off (a number, or a 64-bit sum). */
struct sval sym_offset(struct sym_ctx *ctx, struct sval off, uint32_t i);
/* The 32-bit offset a 64-bit index zero-extends (a zero extension, or a
 * concatenation under 32 zero bits, as Z3's simplifier writes one), or
 * NULL; *as_concat (unless NULL) says which. */
Z3_ast sym_zext_offset(struct sym_ctx *ctx, Z3_ast index, bool *as_concat);
/* The index of byte i of an access at index (a 64-bit term, in bounds of
 * its region): for a zero-extended 32-bit offset (a packet's), i is folded
 * into the 32-bit sum as Z3's simplifier folds it, so that byte 1 of a read
 * at X + 0x40 and byte 0 of a read at X + 0x41 are one term, the same byte
 * to the solver without proving two indices equal. */
Z3_ast sym_index_add(struct sym_ctx *ctx, Z3_ast index, uint32_t i);
/* The n bytes of a term of n * 8 bits, byte 0 lowest, into out: the parts
 * of a concatenation as they are, in one walk (an extract per byte of a
 * concatenation of kilobytes costs the solver time quadratic in its size). */
int sym_split_bytes(struct sym_ctx *ctx, Z3_ast bytes, uint32_t n, Z3_ast *out);
/* n 8-bit terms, byte 0 lowest, as one term of n * 8 bits, with the bytes
 * of one term rejoined: a value spilled and filled is the term it was, so
 * that comparisons by identity (a spilled packet end) and the solver see it
 * whole, and numbers as one numeral. */
Z3_ast sym_join_bytes(struct sym_ctx *ctx, const Z3_ast *bytes, uint32_t n);

#endif
