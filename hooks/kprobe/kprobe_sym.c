// SPDX-License-Identifier: MIT
/*
 * Symbolic models of the tracing helpers, the counterparts of
 * kprobe_helpers.c, which holds the semantics in the kernel's own steps;
 * here the same outcomes are closed forms over byte terms.
 *
 * A read of memory outside mhse's regions reads the kernel object its
 * address names (engine__kernel_read: the same bytes each time, inputs the
 * test lists by address), and whether it faults is a nondeterministic
 * input (0 or -EFAULT; a NULL object always faults). Whether a read fails
 * is not a path of its own: the kernel decides it from the address (its own
 * check) and from the page tables (the fault input), and the program's
 * branches on the result or the bytes fork as any others do. A string's
 * length is where the first NUL falls among the bytes: a chain of choices
 * over them. Past 256 bytes, one from kernel memory no read touched yet
 * has a fresh length instead, its bytes laid over the object and the
 * destination as one term each (copy_long_string); past 4 KiB, one whose
 * bytes are terms already is read 256 bytes at a time, a path per window
 * its NUL may be in (string_windows). A copy of bytes (not a string) of
 * more than 4 KiB, or of more than 64 to a symbolic offset of a large
 * region, is one layer over the destination too (copy_long).
 *
 * A source address that names no region but is symbolic is kept out of the
 * addresses mhse numbers its regions with (the first 4095 ids), so that the
 * interpreter, given its concrete value, reads outside mhse memory too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"
#include "insn.h"
#include "mem.h"
#include "kprobe.h"
#include "vm_internal.h"

/* A term as a register or memory value: a number when it simplifies to one. */
static struct sval value_of(struct mhse_engine *e, Z3_ast term)
{
	uint64_t v;

	term = engine__simplify(e, term);
	if (Z3_is_numeral_ast(e->ctx.z, term) && Z3_get_numeral_uint64(e->ctx.z, term, &v))
		return sval_conc(v);
	return sym_from(&e->ctx, term, false);
}

static Z3_ast is_zero(struct mhse_engine *e, Z3_ast byte)
{
	return Z3_mk_eq(e->ctx.z, byte, term_num(e, 0, 8));
}

/* size fresh bytes: one recorded 64-bit value per 8. */
static void nondet_bytes(struct mhse_engine *e, struct state *s, int32_t helper, uint32_t size, Z3_ast *out)
{
	for (uint32_t i = 0; i < size; i += 8) {
		Z3_ast chunk = sym_ast(&e->ctx, engine__nondet(e, s, helper, 64));

		for (uint32_t b = i; b < size && b < i + 8; b++)
			out[b] = Z3_mk_extract(e->ctx.z, 8 * (b - i) + 7, 8 * (b - i), chunk);
	}
}

/* Writes n bytes at dst; with simplify, each that simplifies to a number
 * is written as one (bytes of fresh memory seldom do: not worth a call).
 * Byte i of a string copy holds a test per byte before it, so simplifying
 * kilobytes of them keeps an eye on --max-time. */
static enum step write_bytes(struct mhse_engine *e, struct state *s, uint32_t region, struct sval off, uint32_t n,
			     Z3_ast *bytes, bool simplify)
{
	struct sregion *r = state__writable_region(s, region);
	struct sval *values = calloc(n ? n : 1, sizeof(*values));
	int err = !r || !values;
	enum step st = STEP_CONTINUE;

	for (uint32_t i = 0; !err && i < n; i++) {
		if (simplify && !(i & 63) && engine__out_of_time(e, s, &st)) {
			free(values);
			return st;
		}
		values[i] = simplify ? value_of(e, bytes[i]) : sym_from(&e->ctx, bytes[i], false);
	}
	err = err || sregion__write_bytes(&e->ctx, r, off, n, values);
	free(values);
	return err ? STEP_FAILED : STEP_CONTINUE;
}

/* Where the first NUL of src[0..n) falls: L, 1 to n, byte L - 1 the NUL
 * unless L is n (a truncated string), as a chain of choices over the
 * bytes, which costs the solver far less than a fresh L the bytes
 * constrain (a comparison of L per byte). Returns L (64 bits). */
static Z3_ast string_length(struct mhse_engine *e, const Z3_ast *src, uint32_t n)
{
	Z3_ast len = term_num(e, n, 64);

	for (uint32_t i = n - 1; i-- > 0;)
		len = Z3_mk_ite(e->ctx.z, is_zero(e, src[i]), term_num(e, i + 1, 64), len);
	return len;
}

/* A NUL-terminated copy of src[0..n) over old (dst's bytes), in place:
 * byte i is copied while no NUL came before it, and byte n - 1 is the NUL
 * of a truncated string. Byte by byte (strncpy_from_kernel_nofault) or,
 * for user strings and strscpy on x86-64, a word at a time with the word
 * holding the NUL zeroed past it. */
static void copy_string(struct mhse_engine *e, const Z3_ast *src, Z3_ast *old, uint32_t n, bool words)
{
	Z3_context z = e->ctx.z;
	Z3_ast no_nul = Z3_mk_true(z), no_nul_before_word = no_nul;

	for (uint32_t i = 0; i < n; i++) {
		Z3_ast untouched = old[i];
		uint32_t word = (i / 8) * 8;

		if (i == word)
			no_nul_before_word = no_nul;
		if (words && word + 8 <= n)
			untouched = Z3_mk_ite(z, no_nul_before_word, term_num(e, 0, 8), old[i]);
		old[i] = term_ite(e, no_nul, i + 1 < n ? src[i] : term_num(e, 0, 8), untouched);
		no_nul = Z3_mk_and(z, 2, (Z3_ast[]){ no_nul, Z3_mk_not(z, is_zero(e, src[i])) });
	}
}

/* Where a source address points, for the address checks. */
struct probe_src {
	bool mhse_mem;  /* into one of mhse's regions: kernel memory the program holds */
	Z3_ast user;    /* the read is a user one (probe_read's choice by address) */
	Z3_ast accepted; /* the kernel's address check passes */
};

static Z3_ast user_accepts(struct mhse_engine *e, Z3_ast src, uint32_t size, bool str)
{
	Z3_context z = e->ctx.z;

	if (str)
		return Z3_mk_bvult(z, src, term_num(e, USER_SPACE_END, 64));
	return Z3_mk_bvule(z, src, term_num(e, USER_SPACE_END - size, 64));
}

/* Classifies the source; ends s (and returns false) when a symbolic
 * address can only name mhse memory it does not point into. */
static bool classify_src(struct mhse_engine *e, struct state *s, enum probe_space space, uint32_t size, bool str,
			 struct probe_src *out, enum step *st)
{
	Z3_context z = e->ctx.z;
	struct sval src = s->regs[BPF_REG_3];
	Z3_ast addr = sym_ast(&e->ctx, src), kernel;

	out->mhse_mem = sval_is_conc(src) ? src.c >= MEM_ADDR(0, 0) && src.c < REGION_SPACE_END : src.region >= 0;
	if (out->mhse_mem) {
		out->user = space == PROBE_USER ? Z3_mk_true(z) : Z3_mk_false(z);
		out->accepted = Z3_mk_not(z, out->user);
		return true;
	}
	if (!sval_is_conc(src)) {
		Z3_ast outside = Z3_mk_or(z, 2, (Z3_ast[]){ Z3_mk_bvult(z, addr, term_num(e, MEM_ADDR(0, 0), 64)),
							 Z3_mk_bvuge(z, addr, term_num(e, REGION_SPACE_END, 64)) });

		switch (engine__feasible(e, s, outside, NULL)) {
		case SAT_YES:
			break;
		case SAT_NO:
			*st = engine__end(e, s, PATH_UNSUPPORTED, "%s from an address only mhse's own memory has",
					  helper_name(s->prog->insns[s->pc].imm) ?: "probe_read");
			return false;
		default:
			*st = engine__end(e, s, PATH_TIMEOUT, "solver query timed out at insn %zu", s->pc);
			return false;
		}
		if (engine__constrain(e, s, outside)) {
			*st = STEP_FAILED;
			return false;
		}
	}
	kernel = Z3_mk_bvuge(z, addr, term_num(e, KERNEL_SPACE_START, 64));
	out->user = space == PROBE_COMPAT ? Z3_mk_bvult(z, addr, term_num(e, USER_SPACE_END, 64)) :
		space == PROBE_USER ? Z3_mk_true(z) : Z3_mk_false(z);
	out->accepted = Z3_mk_ite(z, out->user, user_accepts(e, addr, size, str), kernel);
	return true;
}

/* Past this many bytes, a string from kernel memory no read has touched
 * gets a fresh length rather than a chain of choices: a chain over 4 KiB
 * (a path name, the common size) outgrows the terms a query may hold. */
#define STRING_CHAIN_MAX 256

/* Past this many bytes, a string whose bytes are terms already is read a
 * window of STRING_CHAIN_MAX bytes at a time (string_windows): up to it,
 * one chain of choices costs less than a query per window. */
#define STRING_WINDOWS_MIN 4096

/* The variable of a copy layer's byte term: the byte's index. */
static Z3_ast layer_index(struct mhse_engine *e)
{
	return Z3_mk_const(e->ctx.z, Z3_mk_string_symbol(e->ctx.z, "copy!j"), e->ctx.bv64);
}

/* A string's byte before its NUL: the object's, or 1 where that is 0. */
static Z3_ast nonzero(struct mhse_engine *e, Z3_ast byte)
{
	return Z3_mk_ite(e->ctx.z, is_zero(e, byte), term_num(e, 1, 8), byte);
}

/* Past this many bytes, a copy from kernel memory to a symbolic offset of
 * a large region is one layer too: a store per byte there would be a case
 * that every later read of the region weighs (falco's 4 KiB argument
 * copies at a payload position the lengths of earlier strings set: its
 * fork_x peaks at 650 MB in 10 s with a store per byte, 170 MB with a
 * layer per copy). */
#define COPY_LAYER_MIN 64

/* Whether a copy of size bytes to region at off is one layer over it: more
 * than COPY_LAYER_MIN to a symbolic offset of a large region. */
static bool lays_over(const struct state *s, uint32_t region, struct sval off, uint32_t size)
{
	return size > COPY_LAYER_MIN && !sval_is_conc(off) && s->regions[region]->size > SREGION_CASES_MAX;
}

/* More than SREGION_CASES_MAX bytes from kernel memory, or more than
 * COPY_LAYER_MIN to a symbolic offset of a large region, up to a size that
 * may be symbolic (size the most it may be, size_term its term or NULL):
 * one layer over the destination, the object's bytes read through its
 * array (itself layered where a string was read from it before), so that a
 * path pays for the bytes it reads, not for the size. */
static enum step copy_long(struct mhse_engine *e, struct state *s, Z3_ast ok, Z3_ast reject, uint32_t kobj,
			   uint32_t koff, uint32_t region, struct sval off, uint32_t size, Z3_ast size_term)
{
	Z3_context z = e->ctx.z;
	struct sregion *object = state__writable_region(s, kobj), *dst = state__writable_region(s, region);
	Z3_ast j = layer_index(e), at = Z3_mk_bvsub(z, j, sym_ast(&e->ctx, off)), byte;

	if (!object || !dst ||
	    sregion__mark_span(&e->ctx, object, (struct sregion_span){ sval_conc(koff), size, size_term }))
		return STEP_FAILED;
	byte = Z3_mk_select(z, sregion__array(&e->ctx, object), Z3_mk_bvadd(z, at, term_num(e, koff, 64)));
	if (sregion__write_layer(&e->ctx, dst, j, Z3_mk_ite(z, ok, byte, term_num(e, 0, 8)),
				 (struct sregion_span){ off, size, size_term }, true))
		return STEP_FAILED;
	s->regs[BPF_REG_0] = value_of(e, Z3_mk_ite(z, ok, term_num(e, 0, 64), reject));
	return STEP_CONTINUE;
}

/* A string of len bytes (its NUL at len - 1), whose bytes are those of the
 * array bytes from src_at on (1 for a 0 before the NUL, which only a fresh
 * length allows), laid over region at off as one layer: when the read
 * succeeds (ok), the bytes before the NUL and the NUL, and past it to the
 * end of the NUL's word for a user string read a word at a time; size
 * zeroes when it fails. Sets what the helper returns. */
static enum step lay_string(struct mhse_engine *e, struct state *s, Z3_ast user, Z3_ast ok, Z3_ast reject,
			    Z3_ast bytes, Z3_ast src_at, uint32_t region, struct sval off, uint32_t size, Z3_ast len)
{
	Z3_context z = e->ctx.z;
	struct sregion *dst = state__writable_region(s, region);
	Z3_ast j = layer_index(e), at = Z3_mk_bvsub(z, j, sym_ast(&e->ctx, off));
	Z3_ast nul = Z3_mk_bvsub(z, len, term_num(e, 1, 64)), word_end, user_end, end, byte;

	byte = Z3_mk_ite(z, Z3_mk_and(z, 2, (Z3_ast[]){ ok, Z3_mk_bvult(z, at, nul) }),
			 nonzero(e, Z3_mk_select(z, bytes, Z3_mk_bvadd(z, at, src_at))), term_num(e, 0, 8));
	word_end = Z3_mk_bvadd(z, Z3_mk_bvand(z, nul, term_num(e, ~UINT64_C(7), 64)), term_num(e, 8, 64));
	user_end = Z3_mk_ite(z, Z3_mk_bvule(z, word_end, term_num(e, size, 64)), word_end, len);
	end = Z3_mk_ite(z, ok, Z3_mk_ite(z, user, user_end, len), term_num(e, size, 64));
	if (!dst || sregion__write_layer(&e->ctx, dst, j, byte, (struct sregion_span){ off, size, end }, true))
		return STEP_FAILED;
	/* the user form gives 0 for an empty string */
	s->regs[BPF_REG_0] = value_of(e, Z3_mk_ite(z, ok, Z3_mk_ite(z, user, Z3_mk_ite(z, term_eq(e, len, 1),
									       term_num(e, 0, 64), len), len),
						      reject));
	return STEP_CONTINUE;
}

/* A string of more than STRING_CHAIN_MAX bytes from kernel memory no read
 * has touched: its length is a fresh L from 1 to size, and its bytes are
 * the object's, with the NUL at L - 1 (and 1 for a 0 before it). Both the
 * object and the destination get the string as one layer over their
 * bytes, so that a path pays for the bytes it reads, not for the size (a
 * 65,000-byte path name: one term, not 65,000 chains of choices), and a
 * test lists the object's bytes up to the NUL. */
static enum step copy_long_string(struct mhse_engine *e, struct state *s, Z3_ast user, Z3_ast ok, Z3_ast reject,
				  uint32_t kobj, uint32_t koff, uint32_t region, struct sval off, uint32_t size)
{
	Z3_context z = e->ctx.z;
	struct sregion *object = state__writable_region(s, kobj);
	Z3_ast j = layer_index(e);
	Z3_ast len = sym_fresh(&e->ctx, &s->fresh_cnt, "strlen", 64), one = term_num(e, 1, 64), bytes, at, byte;

	if (!object || engine__constrain(e, s, Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_bvuge(z, len, one),
									     Z3_mk_bvule(z, len, term_num(e, size, 64)) })))
		return STEP_FAILED;
	bytes = sregion__array(&e->ctx, object);
	/* the object: byte j, at i = j - koff in the string */
	at = Z3_mk_bvsub(z, j, term_num(e, koff, 64));
	byte = Z3_mk_ite(z, Z3_mk_bvult(z, at, Z3_mk_bvsub(z, len, one)), nonzero(e, Z3_mk_select(z, bytes, j)),
			 term_num(e, 0, 8));
	if (sregion__write_layer(&e->ctx, object, j, byte, (struct sregion_span){ sval_conc(koff), size, len }, false))
		return STEP_FAILED;
	return lay_string(e, s, user, ok, reject, bytes, term_num(e, koff, 64), region, off, size, len);
}

/* The string of src[0..n) copied over dst[0..n) (its bytes, in place),
 * after before bytes that were not NUL: what the helper returns, in the
 * user form (a word at a time, 0 for an empty string) where user holds. */
static Z3_ast string_copy(struct mhse_engine *e, const Z3_ast *src, Z3_ast *dst, uint32_t n, Z3_ast user,
			  uint32_t before)
{
	Z3_context z = e->ctx.z;
	Z3_lbool form = Z3_get_bool_value(z, user);
	Z3_ast *as_user = calloc(n, sizeof(*as_user)), len;

	if (!as_user)
		return NULL;
	memcpy(as_user, dst, n * sizeof(*dst));
	len = Z3_mk_bvadd(z, term_num(e, before, 64), string_length(e, src, n));
	/* where the form is known, the other is not built */
	if (form != Z3_L_TRUE)
		copy_string(e, src, dst, n, false);
	if (form != Z3_L_FALSE)
		copy_string(e, src, as_user, n, true);
	for (uint32_t i = 0; i < n; i++)
		dst[i] = term_ite(e, user, as_user[i], dst[i]);
	free(as_user);
	return term_ite(e, user, Z3_mk_ite(z, term_eq(e, len, 1), term_num(e, 0, 64), len), len);
}

/* A string of more than STRING_WINDOWS_MIN bytes whose bytes are terms
 * already (the program's own memory, or kernel memory a read touched):
 * its NUL is looked for STRING_CHAIN_MAX bytes at a time, as the kernel's
 * copy meets the bytes. Where the window may hold it or not, the path
 * splits: this one takes the string's end there (a chain of choices over
 * the window), and a copy runs the call again past it (string_scan, the
 * read's success taken). So a path pays for the bytes up to its NUL, not
 * for the size: a chain over 128 KiB of bytes, each a case over the
 * writes at symbolic offsets before it, is gigabytes of terms. A read that
 * fails (ok false) returns reject and zeroes size bytes, a path of its own. */
static enum step string_windows(struct mhse_engine *e, struct state *s, const struct probe_src *where, Z3_ast ok,
				Z3_ast reject, uint32_t src_region, struct sval src_off, uint32_t region,
				struct sval off, uint32_t size)
{
	Z3_context z = e->ctx.z;
	uint32_t scan = s->string_scan, end;
	Z3_ast *bytes = NULL, *old = NULL, result;
	struct state *failed;
	struct sregion *dst;
	enum step st;

	s->string_scan = 0;
	switch (Z3_get_bool_value(z, ok) == Z3_L_TRUE ? 0 : engine__split(e, s, Z3_mk_not(z, ok), &failed)) {
	case -1:
		return STEP_DONE;
	case 1:
		failed = s;
		/* fall through */
	case 2:
		failed->regs[BPF_REG_0] = value_of(e, reject);
		dst = state__writable_region(failed, region);
		st = dst && !sregion__write_layer(&e->ctx, dst, layer_index(e), term_num(e, 0, 8),
						  (struct sregion_span){ off, size, NULL }, true) ? STEP_CONTINUE : STEP_FAILED;
		if (failed == s)
			return st;
		if ((st = engine__finish_side(e, failed, st)) != STEP_CONTINUE)
			return st;
		break;
	default:
		break;
	}
	bytes = calloc(size, sizeof(*bytes));
	old = calloc(STRING_CHAIN_MAX, sizeof(*old));
	st = bytes && old ? engine__region_bytes(e, s, src_region, src_off, scan, bytes) : STEP_FAILED;
	for (; st == STEP_CONTINUE; scan = end) {
		Z3_ast *window = bytes + scan;
		struct state *rest;

		end = size - scan > STRING_CHAIN_MAX ? scan + STRING_CHAIN_MAX : size;
		st = engine__region_bytes(e, s, src_region, sym_offset(&e->ctx, src_off, scan), end - scan, window);
		if (st != STEP_CONTINUE || end == size)
			break;
		/* old holds the window's NUL tests here, the destination's bytes below */
		for (uint32_t i = 0; i < end - scan; i++)
			old[i] = is_zero(e, window[i]);
		switch (engine__split(e, s, Z3_mk_not(z, Z3_mk_or(z, end - scan, old)), &rest)) {
		case -1:
			st = STEP_DONE;
			goto out;
		case 2:
			rest->string_scan = end;
			engine__queue_rerun(e, rest);
			/* fall through */
		case 0:
			break;
		default:
			continue;
		}
		break;
	}
	if (st != STEP_CONTINUE ||
	    (st = engine__region_bytes(e, s, region, sym_offset(&e->ctx, off, scan), end - scan, old)) != STEP_CONTINUE)
		goto out;
	/* the bytes before the window are copied as they are: none is the NUL */
	result = string_copy(e, bytes + scan, old, end - scan, where->user, scan);
	if (!result) {
		st = STEP_FAILED;
		goto out;
	}
	memcpy(bytes + scan, old, (end - scan) * sizeof(*old));
	s->regs[BPF_REG_0] = value_of(e, result);
	st = write_bytes(e, s, region, off, end, bytes, where->mhse_mem && sval_is_conc(off));
out:
	free(bytes);
	free(old);
	return st;
}

static enum step probe_read(struct mhse_engine *e, struct state *s, enum probe_space space, bool str)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	int32_t helper = s->prog->insns[s->pc].imm;
	Z3_ast reject, ok, result, *src = NULL, *dst = NULL, fault, size_term = NULL, zero;
	struct probe_src where;
	uint32_t size, region, src_region = 0, surely = 0;
	struct sval off, src_off = sval_conc(0);
	enum step st;

	if (sval_is_conc(r[2])) {
		size = (uint32_t)r[2].c;
	} else if (str) {
		return engine__end(e, s, PATH_UNSUPPORTED, "%s with a symbolic size", helper_name(helper));
	} else {
		/* the bytes up to the most the size may be; those past its
		 * value keep what they held */
		uint64_t lo, hi;
		struct state *empty;

		/* a size of 0 reads nothing and so cannot fault (it takes no
		 * nondeterministic value): a path of its own, where the call
		 * runs again with the number, so that the helper that called
		 * probe_read decides (copy_from_user_task: 0 whatever the
		 * address) */
		switch (engine__split(e, s, term_eq(e, sym_ast(&e->ctx, r[2]), 0), &empty)) {
		case -1:
			return STEP_DONE;
		case 1:
			r[2] = sval_conc(0);
			s->insns--; /* the call counts once, as in a copy engine__queue_rerun queues */
			return STEP_PC_SET;
		case 2:
			empty->regs[BPF_REG_2] = sval_conc(0);
			engine__queue_rerun(e, empty);
			break;
		default:
			break;
		}
		st = engine__size_within(e, s, r[1], r[2], true, &size);
		if (st != STEP_CONTINUE)
			return st;
		size_term = sym_ast(&e->ctx, r[2]);
		sym_unsigned_bounds(&e->ctx, size_term, &lo, &hi);
		surely = lo < size ? (uint32_t)lo : size;
	}
	if (!classify_src(e, s, space, size, str, &where, &st))
		return st;
	reject = Z3_mk_ite(z, where.user, term_num(e, (uint64_t)-EFAULT, 64), term_num(e, (uint64_t)-ERANGE, 64));
	if (!size) {
		r[0] = value_of(e, str ? term_num(e, 0, 64) : Z3_mk_ite(z, where.accepted, term_num(e, 0, 64), reject));
		return STEP_CONTINUE;
	}
	st = engine__resolve(e, s, r[1], size, true, &region, &off);
	if (st != STEP_CONTINUE)
		return st;
	src = calloc(size, sizeof(*src));
	dst = calloc(size, sizeof(*dst));
	if (!src || !dst) {
		st = STEP_FAILED;
		goto out;
	}
	if (where.mhse_mem && space == PROBE_USER) {
		for (uint32_t i = 0; i < size; i++)
			src[i] = term_num(e, 0, 8);
		ok = Z3_mk_false(z);
	} else if (where.mhse_mem) {
		st = engine__resolve(e, s, r[3], size, false, &src_region, &src_off);
		if (st != STEP_CONTINUE)
			goto out;
		ok = Z3_mk_true(z);
	} else {
		Z3_ast base;
		uint32_t koff;

		st = engine__kernel_span(e, s, r[3], size, &src_region, &koff, &base);
		if (st != STEP_CONTINUE)
			goto out;
		src_off = sval_conc(koff);
		if (s->string_scan) {
			ok = Z3_mk_true(z); /* a string read again past a window: it succeeded */
		} else {
			fault = sym_ast(&e->ctx, engine__nondet(e, s, helper, 64));
			/* the first pages are never mapped: a read there faults */
			if (engine__constrain(e, s, Z3_mk_or(z, 2, (Z3_ast[]){ term_eq(e, fault, 0),
									       term_eq(e, fault, (uint64_t)-EFAULT) })) ||
			    engine__constrain(e, s, Z3_mk_implies(z, term_eq(e, base, 0), term_eq(e, fault, (uint64_t)-EFAULT)))) {
				st = STEP_FAILED;
				goto out;
			}
			ok = Z3_mk_and(z, 2, (Z3_ast[]){ where.accepted, term_eq(e, fault, 0) });
		}
		reject = Z3_mk_ite(z, where.accepted, term_num(e, (uint64_t)-EFAULT, 64), reject);
		if (!str && (size > SREGION_CASES_MAX || lays_over(s, region, off, size))) {
			st = copy_long(e, s, ok, reject, src_region, koff, region, off, size, size_term);
			goto out;
		}
		if (size > STRING_CHAIN_MAX && str && sregion__untouched(s->regions[src_region])) {
			st = copy_long_string(e, s, where.user, ok, reject, src_region, koff, region, off, size);
			goto out;
		}
	}
	if (str && size > STRING_WINDOWS_MIN) {
		st = string_windows(e, s, &where, ok, reject, src_region, src_off, region, off, size);
		goto out;
	}
	if (!Z3_is_eq_ast(z, ok, Z3_mk_false(z)) &&
	    (st = engine__region_bytes(e, s, src_region, src_off, size, src)) != STEP_CONTINUE)
		goto out;
	if (str && lays_over(s, region, off, size)) {
		/* the destination's old bytes, each a case over the writes at
		 * symbolic offsets before it, are not read (falco's exec programs
		 * copy 4 KiB path strings so: t2_sched_p_exec peaked at 317 MB in
		 * 10 s reading them, 173 MB without); the length is the chain of
		 * choices over the source's bytes */
		Z3_ast bytes = Z3_is_eq_ast(z, ok, Z3_mk_false(z)) ?
			Z3_mk_const_array(z, e->ctx.bv64, term_num(e, 0, 8)) : sregion__array(&e->ctx, s->regions[src_region]);

		st = lay_string(e, s, where.user, ok, reject, bytes, sym_ast(&e->ctx, src_off), region, off, size,
				string_length(e, src, size));
		goto out;
	}
	if (str) {
		if ((st = engine__region_bytes(e, s, region, off, size, dst)) != STEP_CONTINUE ||
		    engine__out_of_time(e, s, &st))
			goto out;
		result = string_copy(e, src, dst, size, where.user, 0);
		if (!result) {
			st = STEP_FAILED;
			goto out;
		}
	} else {
		memcpy(dst, src, size * sizeof(*dst));
		result = term_num(e, 0, 64);
	}
	/* each step over a copy of hundreds of kilobytes takes a good part of
	 * a second: --max-time is kept between them */
	if (engine__out_of_time(e, s, &st))
		goto out;
	zero = term_num(e, 0, 8);
	for (uint32_t i = 0; i < size; i++)
		dst[i] = term_ite(e, ok, dst[i], zero);
	if (engine__out_of_time(e, s, &st))
		goto out;
	if (size_term && size > surely) {
		Z3_ast *old = calloc(size - surely, sizeof(*old));

		st = old ? engine__region_bytes(e, s, region, sym_offset(&e->ctx, off, surely), size - surely, old) : STEP_FAILED;
		if (st != STEP_CONTINUE) {
			free(old);
			goto out;
		}
		for (uint32_t i = surely; i < size; i++)
			dst[i] = Z3_mk_ite(z, Z3_mk_bvult(z, term_num(e, i, 64), size_term), dst[i], old[i - surely]);
		free(old);
		if (engine__out_of_time(e, s, &st))
			goto out;
	}
	r[0] = value_of(e, term_ite(e, ok, result, reject));
	st = write_bytes(e, s, region, off, size, dst, where.mhse_mem && sval_is_conc(off));
out:
	free(src);
	free(dst);
	return st;
}

#define PROBE_READ(name, space, str)                                                 \
	static enum step sym_##name(struct mhse_engine *e, struct state *s)          \
	{                                                                            \
		return probe_read(e, s, space, str);                                   \
	}
PROBE_READ_HELPERS(PROBE_READ)

/* As kprobe_helpers.c's. */
static enum step sym_copy_from_user_task(struct mhse_engine *e, struct state *s)
{
	struct sval *r = s->regs;

	if (!sval_is_conc(r[5]))
		return engine__end(e, s, PATH_UNSUPPORTED, "copy_from_user_task with symbolic flags");
	if (r[5].c || (sval_is_conc(r[2]) && !(uint32_t)r[2].c)) {
		r[0] = sval_conc(r[5].c ? (uint64_t)-EINVAL : 0);
		return STEP_CONTINUE;
	}
	return probe_read(e, s, PROBE_USER, false);
}

/* The comm: 16 fresh bytes, a name of up to 15 and NULs after it. */
static enum step sym_get_current_comm(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval size = s->regs[BPF_REG_2], off;
	Z3_ast comm[TASK_COMM_LEN], *src, *dst;
	uint32_t region;
	enum step st;

	if (!sval_is_conc(size))
		return engine__end(e, s, PATH_UNSUPPORTED, "get_current_comm with a symbolic size");
	if (!(uint32_t)size.c)
		return engine__end(e, s, PATH_ERROR, "get_current_comm of 0 bytes");
	size.c = (uint32_t)size.c;
	st = engine__resolve(e, s, s->regs[BPF_REG_1], (uint32_t)size.c, true, &region, &off);
	if (st != STEP_CONTINUE)
		return st;
	nondet_bytes(e, s, BPF_FUNC_get_current_comm, TASK_COMM_LEN, comm);
	for (uint32_t i = 0; i < TASK_COMM_LEN; i++) {
		Z3_ast padded = i == TASK_COMM_LEN - 1 ? is_zero(e, comm[i]) :
			Z3_mk_implies(z, is_zero(e, comm[i]), is_zero(e, comm[i + 1]));

		if (engine__constrain(e, s, padded))
			return STEP_FAILED;
	}
	src = calloc(size.c, sizeof(*src));
	dst = calloc(size.c, sizeof(*dst));
	if (src && dst) {
		for (uint32_t i = 0; i < size.c; i++)
			src[i] = i < TASK_COMM_LEN ? comm[i] : term_num(e, 0, 8);
		st = engine__region_bytes(e, s, region, off, (uint32_t)size.c, dst);
		if (st != STEP_CONTINUE) {
			free(src);
			free(dst);
			return st;
		}
		copy_string(e, src, dst, (uint32_t)size.c, true);
		st = write_bytes(e, s, region, off, (uint32_t)size.c, dst, sval_is_conc(off));
	} else {
		st = STEP_FAILED;
	}
	free(src);
	free(dst);
	s->regs[BPF_REG_0] = sval_conc(0);
	return st;
}

/* current is a kernel address, never NULL. */
static enum step sym_get_current_task(struct mhse_engine *e, struct state *s)
{
	struct sval task = engine__nondet(e, s, s->prog->insns[s->pc].imm, 64);

	if (engine__constrain(e, s, Z3_mk_bvuge(e->ctx.z, task.e, term_num(e, KERNEL_SPACE_START, 64))))
		return STEP_FAILED;
	s->regs[BPF_REG_0] = task;
	return STEP_CONTINUE;
}

/* An id below the map's bucket count (max_entries rounded up to a power of
 * two), or -EFAULT (no usable stack), -EEXIST (the bucket holds another
 * stack and BPF_F_REUSE_STACKID is not set), -ENOMEM. */
static enum step sym_get_stackid(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval map = s->regs[BPF_REG_2];
	Z3_ast flags = sym_ast(&e->ctx, s->regs[BPF_REG_3]), id, outcomes[4], bad_flags, reuse;
	uint64_t idx = map.c & VM_PTR_INDEX_MASK, buckets = 1;

	if (!sval_is_conc(map) || (map.c & ~VM_PTR_INDEX_MASK) != VM_MAP_PTR(0) || idx >= e->obj->map_cnt ||
	    e->obj->maps[idx].type != BPF_MAP_TYPE_STACK_TRACE)
		return engine__end(e, s, PATH_ERROR, "get_stackid on a map that is not a stack trace map");
	while (buckets < e->obj->maps[idx].max_entries)
		buckets <<= 1;
	bad_flags = Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_bvand(z, flags, term_num(e, ~(uint64_t)STACKID_FLAGS, 64)), term_num(e, 0, 64)));
	reuse = Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_bvand(z, flags, term_num(e, BPF_F_REUSE_STACKID, 64)), term_num(e, 0, 64)));
	id = sym_ast(&e->ctx, engine__nondet(e, s, BPF_FUNC_get_stackid, 64));
	outcomes[0] = Z3_mk_bvult(z, id, term_num(e, buckets, 64));
	outcomes[1] = Z3_mk_eq(z, id, term_num(e, (uint64_t)-EFAULT, 64));
	outcomes[2] = Z3_mk_eq(z, id, term_num(e, (uint64_t)-ENOMEM, 64));
	outcomes[3] = Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_not(z, reuse), Z3_mk_eq(z, id, term_num(e, (uint64_t)-EEXIST, 64)) });
	if (engine__constrain(e, s, engine__simplify(e, Z3_mk_or(z, 4, outcomes))))
		return STEP_FAILED;
	s->regs[BPF_REG_0] = value_of(e, Z3_mk_ite(z, bad_flags, term_num(e, (uint64_t)-EINVAL, 64), id));
	return STEP_CONTINUE;
}

/* As kprobe_helpers.c: the task's state decides 0, -EPERM or -EBUSY; a
 * signal past 64 fails with -EINVAL unless -EPERM came first. */
static enum step sym_send_signal(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast verdict = sym_ast(&e->ctx, engine__nondet(e, s, s->prog->insns[s->pc].imm, 64));
	Z3_ast sig = Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, s->regs[BPF_REG_1])), invalid;
	Z3_ast eperm = Z3_mk_eq(z, verdict, term_num(e, (uint64_t)-EPERM, 64));
	Z3_ast outcomes[3] = { Z3_mk_eq(z, verdict, term_num(e, 0, 64)), eperm,
			       Z3_mk_eq(z, verdict, term_num(e, (uint64_t)-EBUSY, 64)) };

	if (engine__constrain(e, s, Z3_mk_or(z, 3, outcomes)))
		return STEP_FAILED;
	invalid = Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_not(z, eperm), Z3_mk_bvugt(z, sig, term_num(e, 64, 32)) });
	s->regs[BPF_REG_0] = value_of(e, Z3_mk_ite(z, invalid, term_num(e, (uint64_t)-EINVAL, 64), verdict));
	return STEP_CONTINUE;
}

#define HELPER(name, contexts, concrete, symbolic) symbolic,
static const sym_helper_fn kprobe_helpers[] = {
#include "kprobe_helper_list.h"
};
#undef HELPER

const struct sym_helper_module sym_helpers_kprobe = { &helpers_kprobe, kprobe_helpers,
						      sizeof(kprobe_helpers) / sizeof(kprobe_helpers[0]), NULL };
