// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include "repair.h"

#define REPAIR_MAX_CANDIDATES 8
#define REPAIR_MAX_FIXES 8
#define REPAIR_MAX_NODES 64 /* of a condition walked for suggestions */

/* One suggested value of a field. */
struct fix {
	enum assign_kind kind;
	Z3_ast term;
	uint32_t id;
	uint64_t index;
	uint64_t value;
};

struct candidate {
	struct fix fixes[REPAIR_MAX_FIXES];
	unsigned cnt;
};

struct repair {
	Z3_context z;
	struct evaluator *ev;
	struct assignment *base;
	unsigned visited;
};

static bool numeral(Z3_context z, Z3_ast e, uint64_t *v)
{
	return Z3_get_ast_kind(z, e) == Z3_NUMERAL_AST && Z3_get_numeral_uint64(z, e, v);
}

static Z3_decl_kind kind_of(Z3_context z, Z3_ast e)
{
	return Z3_get_ast_kind(z, e) == Z3_APP_AST ? Z3_get_decl_kind(z, Z3_get_app_decl(z, Z3_to_app(z, e))) :
						     Z3_OP_UNINTERPRETED;
}

static Z3_ast arg(Z3_context z, Z3_ast e, unsigned i)
{
	return Z3_get_app_arg(z, Z3_to_app(z, e), i);
}

static unsigned width(Z3_context z, Z3_ast e)
{
	return Z3_get_bv_sort_size(z, Z3_get_sort(z, e));
}

static bool is_constant(Z3_context z, Z3_ast e)
{
	return Z3_get_ast_kind(z, e) == Z3_APP_AST && !Z3_get_app_num_args(z, Z3_to_app(z, e)) &&
	       kind_of(z, e) == Z3_OP_UNINTERPRETED;
}

static uint64_t mask(unsigned bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

static bool add_fix(struct candidate *c, enum assign_kind kind, Z3_ast term, uint32_t id, uint64_t index,
		    uint64_t value)
{
	if (c->cnt == REPAIR_MAX_FIXES)
		return false;
	c->fixes[c->cnt++] = (struct fix){ kind, term, id, index, value };
	return true;
}

static bool field_fixes(struct repair *r, Z3_ast x, uint64_t value, struct candidate *c);

/* y's value in the model once c's fixes so far are made: two slices of one
 * constant fixed one after the other both hold. */
static bool fixed_value(struct repair *r, const struct candidate *c, Z3_ast y, uint64_t *v)
{
	if (is_constant(r->z, y)) {
		uint32_t id = Z3_get_ast_id(r->z, y);

		for (unsigned i = c->cnt; i-- > 0;) {
			if (c->fixes[i].kind == ASSIGN_SCALAR && c->fixes[i].id == id) {
				*v = c->fixes[i].value;
				return true;
			}
		}
	}
	return !eval__value(r->ev, r->base, y, v);
}

/* A side of an if-then-else given the value: a number that is it, or a
 * field fixed to it. */
static bool side_fixes(struct repair *r, Z3_ast side, uint64_t value, struct candidate *c)
{
	uint64_t v;

	return numeral(r->z, side, &v) ? v == value : field_fixes(r, side, value, c);
}

/* Adds to c the fixes that give x the value: x a scalar constant, an
 * array constant's element (at the index the model gives a symbolic one),
 * or made of them by extensions, concatenations, extractions, adding a
 * number and choosing by a condition. */
static bool field_fixes(struct repair *r, Z3_ast x, uint64_t value, struct candidate *c)
{
	Z3_context z = r->z;
	unsigned bits = Z3_get_sort_kind(z, Z3_get_sort(z, x)) == Z3_BV_SORT ? width(z, x) : 65, n;
	uint64_t v, index;
	Z3_ast y;

	if (bits > 64 || value >> (bits - 1) >> 1)
		return false;
	if (is_constant(z, x))
		return add_fix(c, ASSIGN_SCALAR, x, Z3_get_ast_id(z, x), 0, value);
	if (Z3_get_ast_kind(z, x) != Z3_APP_AST)
		return false;
	n = Z3_get_app_num_args(z, Z3_to_app(z, x));
	switch (kind_of(z, x)) {
	case Z3_OP_SELECT:
		y = arg(z, x, 0);
		return is_constant(z, y) &&
		       (numeral(z, arg(z, x, 1), &index) || !eval__value(r->ev, r->base, arg(z, x, 1), &index)) &&
		       add_fix(c, ASSIGN_ELEMENT, y, Z3_get_ast_id(z, y), index, value);
	case Z3_OP_ZERO_EXT:
		return field_fixes(r, arg(z, x, 0), value, c);
	case Z3_OP_CONCAT:
		for (unsigned i = n, shift = 0; i-- > 0; shift += width(z, y)) {
			uint64_t part;

			y = arg(z, x, i);
			part = value >> shift & mask(width(z, y));
			if (numeral(z, y, &v) ? v != part : !field_fixes(r, y, part, c))
				return false;
		}
		return true;
	case Z3_OP_EXTRACT: {
		Z3_func_decl d = Z3_get_app_decl(z, Z3_to_app(z, x));
		unsigned lo = (unsigned)Z3_get_decl_int_parameter(z, d, 1);

		y = arg(z, x, 0);
		return width(z, y) <= 64 && fixed_value(r, c, y, &v) &&
		       field_fixes(r, y, (v & ~(mask(bits) << lo)) | value << lo, c);
	}
	case Z3_OP_ITE: {
		/* the side the model takes, else the other: whether the
		 * condition then takes it is the candidate's check */
		const struct candidate before = *c;
		bool taken = !eval__value(r->ev, r->base, arg(z, x, 0), &v) && v;

		if (side_fixes(r, arg(z, x, taken ? 1 : 2), value, c))
			return true;
		*c = before;
		return side_fixes(r, arg(z, x, taken ? 2 : 1), value, c);
	}
	case Z3_OP_BADD:
		if (n != 2)
			return false;
		if (numeral(z, arg(z, x, 0), &v))
			return field_fixes(r, arg(z, x, 1), (value - v) & mask(bits), c);
		return numeral(z, arg(z, x, 1), &v) && field_fixes(r, arg(z, x, 0), (value - v) & mask(bits), c);
	default:
		return false;
	}
}

static Z3_decl_kind mirrored(Z3_decl_kind k)
{
	switch (k) {
	case Z3_OP_ULEQ: return Z3_OP_UGEQ;
	case Z3_OP_UGEQ: return Z3_OP_ULEQ;
	case Z3_OP_ULT: return Z3_OP_UGT;
	case Z3_OP_UGT: return Z3_OP_ULT;
	case Z3_OP_SLEQ: return Z3_OP_SGEQ;
	case Z3_OP_SGEQ: return Z3_OP_SLEQ;
	case Z3_OP_SLT: return Z3_OP_SGT;
	case Z3_OP_SGT: return Z3_OP_SLT;
	default: return k;
	}
}

/* "x op c" made to hold (pol) or fail: the value of x nearest to c that
 * does, unless none does (x < 0 unsigned); "x != c" has a few (try 0, 1, 2
 * of them). */
static bool relation_fixes(struct repair *r, Z3_ast x, Z3_decl_kind k, uint64_t c, bool pol, unsigned try,
			   struct candidate *f)
{
	unsigned bits = width(r->z, x);
	uint64_t m = mask(bits), sign = UINT64_C(1) << (bits - 1);
	bool is_signed = k == Z3_OP_SLEQ || k == Z3_OP_SLT || k == Z3_OP_SGEQ || k == Z3_OP_SGT;
	/* the values past which c + 1 and c - 1 wrap */
	uint64_t top = is_signed ? sign - 1 : m, bottom = is_signed ? sign : 0;

	if (try && (k != Z3_OP_EQ || pol))
		return false;
	c &= m;
	switch (k) {
	case Z3_OP_EQ:
		/* "not c": zero, the value a field nothing else decides has in a
		 * test, else a neighbour of c */
		if (pol)
			return field_fixes(r, x, c, f);
		return field_fixes(r, x, (try == 0 ? (c ? 0 : 1) : try == 1 ? c + 1 : c - 1) & m, f);
	case Z3_OP_ULEQ: case Z3_OP_SLEQ: case Z3_OP_UGT: case Z3_OP_SGT:
		/* at most c, or past it */
		if (pol == (k == Z3_OP_ULEQ || k == Z3_OP_SLEQ))
			return field_fixes(r, x, c, f);
		return c != top && field_fixes(r, x, (c + 1) & m, f);
	case Z3_OP_ULT: case Z3_OP_SLT: case Z3_OP_UGEQ: case Z3_OP_SGEQ:
		/* below c, or at least it */
		if (pol == (k == Z3_OP_UGEQ || k == Z3_OP_SGEQ))
			return field_fixes(r, x, c, f);
		return c != bottom && field_fixes(r, x, (c - 1) & m, f);
	default:
		return false;
	}
}

/* "a op b" made to hold (pol) or fail: a side against a number, or, both
 * sides symbolic, one moved against the other's value in the model (a
 * packet length against the end of a header). */
static bool atom_fixes(struct repair *r, Z3_ast e, Z3_decl_kind k, bool pol, unsigned try, struct candidate *f)
{
	Z3_context z = r->z;
	Z3_ast a = arg(z, e, 0), b = arg(z, e, 1);
	const struct candidate before = *f;
	uint64_t c;

	if (Z3_get_sort_kind(z, Z3_get_sort(z, a)) != Z3_BV_SORT)
		return false;
	if (numeral(z, b, &c))
		return relation_fixes(r, a, k, c, pol, try, f);
	if (numeral(z, a, &c))
		return relation_fixes(r, b, mirrored(k), c, pol, try, f);
	if (!eval__value(r->ev, r->base, a, &c) && relation_fixes(r, b, mirrored(k), c, pol, try, f))
		return true;
	*f = before;
	return !eval__value(r->ev, r->base, b, &c) && relation_fixes(r, a, k, c, pol, try, f);
}

/* Appends to out (at most max) ways of giving e the value pol, each prefix
 * and fixes; returns how many. */
static unsigned ways(struct repair *r, Z3_ast e, bool pol, const struct candidate *prefix, struct candidate *out,
		     unsigned max)
{
	Z3_context z = r->z;
	Z3_decl_kind k = kind_of(z, e);
	unsigned n = 0, args;
	uint64_t now;

	if (!max || ++r->visited > REPAIR_MAX_NODES || Z3_get_sort_kind(z, Z3_get_sort(z, e)) != Z3_BOOL_SORT)
		return 0;
	if (!eval__value(r->ev, r->base, e, &now) && now == pol) {
		out[0] = *prefix;
		return 1;
	}
	args = Z3_get_ast_kind(z, e) == Z3_APP_AST ? Z3_get_app_num_args(z, Z3_to_app(z, e)) : 0;
	switch (k) {
	case Z3_OP_NOT:
		return ways(r, arg(z, e, 0), !pol, prefix, out, max);
	case Z3_OP_AND: case Z3_OP_OR:
		if ((k == Z3_OP_AND) == pol) {
			/* all of them: each child's first way, one after the other */
			struct candidate cur = *prefix;

			for (unsigned i = 0; i < args; i++)
				if (!ways(r, arg(z, e, i), pol, &cur, &cur, 1))
					return 0;
			out[0] = cur;
			return 1;
		}
		for (unsigned i = 0; i < args && n < max; i++)
			n += ways(r, arg(z, e, i), pol, prefix, out + n, max - n);
		return n;
	default:
		/* out may be prefix itself: a failed atom leaves it as it was */
		for (unsigned try = 0; args == 2 && try < 3 && n < max; try++) {
			struct candidate c = *prefix;

			if (atom_fixes(r, e, k, pol, try, &c))
				out[n++] = c;
		}
		return n;
	}
}

/* A copy of base in which target holds, and keep where not NULL, and that
 * check passes: from target's suggestions, and where one fails a
 * constraint and nested is false, from that constraint's on it. */
static struct assignment *repair_at(struct evaluator *ev, struct assignment *base, Z3_ast target, Z3_ast keep,
				    repair_check_fn check, void *arg, bool nested)
{
	struct repair r = { .z = ev->z, .ev = ev, .base = base };
	struct candidate *cands = malloc(REPAIR_MAX_CANDIDATES * sizeof(*cands)), none = { .cnt = 0 };
	unsigned cnt = cands ? ways(&r, target, true, &none, cands, REPAIR_MAX_CANDIDATES) : 0;
	struct assignment *found = NULL;

	for (unsigned i = 0; i < cnt && !found; i++) {
		struct assignment *a = cands[i].cnt ? assignment__copy(base) : NULL;
		uint64_t holds = 0, kept = 1;
		Z3_ast failed;
		int err = a ? 0 : -1;

		for (unsigned j = 0; j < cands[i].cnt && !err; j++) {
			const struct fix *f = &cands[i].fixes[j];

			err = assignment__set(a, f->kind, f->term, f->id, f->index, f->value);
		}
		if (!err && !eval__value(ev, a, target, &holds) && holds && (!keep || !eval__value(ev, a, keep, &kept)) &&
		    kept) {
			failed = check(arg, a);
			if (!failed)
				found = assignment__get(a);
			else if (!nested)
				found = repair_at(ev, a, failed, target, check, arg, true);
		}
		assignment__put(a);
	}
	free(cands);
	return found;
}

struct assignment *repair__try(struct evaluator *ev, struct assignment *base, Z3_ast cond, repair_check_fn check,
			       void *arg)
{
	return repair_at(ev, base, cond, NULL, check, arg, false);
}
