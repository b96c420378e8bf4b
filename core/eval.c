// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "eval.h"

/* Past this depth a term is left to Z3: the evaluator recurses. */
#define EVAL_MAX_DEPTH 4000

/* Node kinds of the evaluator's own, beside Z3's declaration kinds. */
enum {
	EOP_NUMERAL = 0x100000,
	EOP_CONST,       /* a scalar constant: the assignment's value */
	EOP_ARRAY,       /* an array constant */
	EOP_BOUND,       /* the variable a lambda binds */
	EOP_LAMBDA,      /* an array as a term over its index */
	EOP_UNSUPPORTED,
};

struct enode {
	uint32_t op;     /* a Z3_decl_kind or an EOP_ */
	uint16_t bits;   /* width; 1 for a boolean, 0 for an array */
	uint16_t nargs;
	uint32_t args;   /* first argument in ev->argv */
	uint32_t id;     /* constants: Z3's ast id */
	bool bound;      /* depends on a lambda's variable: never memoised */
	bool undecided;  /* under eval__decided's stamp: the facts leave it open */
	uint64_t imm;    /* numeral; extract: lo | hi << 32; other parameters */
	uint64_t val, stamp;
	uint64_t primed; /* the stamp under which what is below has its values */
};

/* An entry of a bottom-up walk: a term to translate or a node to evaluate,
 * and whether what is below it is on the stack already. */
struct walk_item {
	Z3_ast term;
	uint32_t node;
	bool expanded;
};

/* ---- assignments ---- */

static uint64_t slot_hash(uint32_t kind, uint32_t id, uint64_t index)
{
	uint64_t h = ((uint64_t)id << 2 | kind) * 0x9e3779b97f4a7c15ull;

	return (h ^ index) * 0xff51afd7ed558ccdull >> 17;
}

static struct assign_slot *slot_for(struct assign_slot *slots, size_t cap, uint32_t kind, uint32_t id,
				    uint64_t index)
{
	for (size_t i = slot_hash(kind, id, index) & (cap - 1);; i = (i + 1) & (cap - 1)) {
		struct assign_slot *s = &slots[i];

		if (!s->term || (s->id == id && s->kind == kind && s->index == index))
			return s;
	}
}

/* Below this many slots a copy takes its own: sharing them saves little. */
#define ASSIGN_SHARE_MIN 64

struct assignment *assignment__new(void)
{
	struct assignment *a = calloc(1, sizeof(*a));

	if (a)
		a->refs = 1;
	return a;
}

static int copy_own(struct assignment *c, const struct assignment *a)
{
	if (!a->cap)
		return 0;
	c->slots = malloc(a->cap * sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;
	memcpy(c->slots, a->slots, a->cap * sizeof(*c->slots));
	c->cap = a->cap;
	c->cnt = a->cnt;
	return 0;
}

struct assignment *assignment__copy(struct assignment *a)
{
	struct assignment *c = assignment__new();

	if (!c)
		return NULL;
	if (!a->shared && a->cnt >= ASSIGN_SHARE_MIN) {
		/* a's slots become the table both share; a keeps its values */
		struct assignment *table = assignment__new();

		if (!table) {
			free(c);
			return NULL;
		}
		*table = (struct assignment){ .refs = 1, .slots = a->slots, .cap = a->cap, .cnt = a->cnt };
		a->shared = table;
		a->slots = NULL;
		a->cap = a->cnt = 0;
	}
	c->shared = assignment__get(a->shared);
	if (copy_own(c, a)) {
		assignment__put(c);
		return NULL;
	}
	return c;
}

struct assignment *assignment__get(struct assignment *a)
{
	if (a)
		a->refs++;
	return a;
}

void assignment__put(struct assignment *a)
{
	if (!a || --a->refs)
		return;
	assignment__put(a->shared);
	free(a->slots);
	free(a);
}

static const struct assign_slot *find_own(const struct assignment *a, uint32_t kind, uint32_t id, uint64_t index)
{
	const struct assign_slot *s;

	if (!a->cap)
		return NULL;
	s = slot_for(a->slots, a->cap, kind, id, index);
	return s->term ? s : NULL;
}

/* Whether a's own slots hide the shared slot of (kind, id, index): one of
 * a's own gives it, or a forgot the array. */
static bool hides(const struct assignment *a, uint32_t kind, uint32_t id, uint64_t index)
{
	return find_own(a, kind, id, index) || (kind != ASSIGN_SCALAR && find_own(a, ASSIGN_DROPPED, id, 0));
}

const struct assign_slot *assignment__find(const struct assignment *a, enum assign_kind kind, uint32_t id,
					   uint64_t index)
{
	const struct assign_slot *s = find_own(a, kind, id, index);

	if (s || !a->shared || hides(a, kind, id, index))
		return s;
	return find_own(a->shared, kind, id, index);
}

const struct assign_slot *assignment__next(const struct assignment *a, size_t *pos)
{
	const struct assignment *shared = a->shared;

	for (; *pos < a->cap; ++*pos)
		if (a->slots[*pos].term && a->slots[*pos].kind != ASSIGN_DROPPED)
			return &a->slots[(*pos)++];
	for (; shared && *pos < a->cap + shared->cap; ++*pos) {
		const struct assign_slot *s = &shared->slots[*pos - a->cap];

		if (s->term && !hides(a, s->kind, s->id, s->index))
			return &shared->slots[(*pos)++ - a->cap];
	}
	return NULL;
}

size_t assignment__size(const struct assignment *a)
{
	return a->cnt + (a->shared ? a->shared->cnt : 0);
}

static int assignment__rehash(struct assignment *a, size_t cap, uint32_t drop_id)
{
	struct assign_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	a->cnt = 0;
	for (size_t i = 0; i < a->cap; i++) {
		const struct assign_slot *s = &a->slots[i];

		if (!s->term || (s->id == drop_id && s->kind != ASSIGN_SCALAR))
			continue;
		*slot_for(slots, cap, s->kind, s->id, s->index) = *s;
		a->cnt++;
	}
	free(a->slots);
	a->slots = slots;
	a->cap = cap;
	a->stamp = 0;
	return 0;
}

static int set_own(struct assignment *a, const struct assign_slot *slot)
{
	struct assign_slot *s;
	int err;

	if ((a->cnt + 1) * 2 > a->cap && (err = assignment__rehash(a, a->cap ? a->cap * 2 : 16, 0)))
		return err;
	s = slot_for(a->slots, a->cap, slot->kind, slot->id, slot->index);
	a->cnt += !s->term;
	*s = *slot;
	a->stamp = 0;
	return 0;
}

/* The values a gives, in a table of its own. */
static int unshare(struct assignment *a)
{
	struct assignment flat = { 0 };
	const struct assign_slot *s;
	size_t pos = 0;
	int err = 0;

	while (!err && (s = assignment__next(a, &pos)))
		err = set_own(&flat, s);
	if (err) {
		free(flat.slots);
		return err;
	}
	free(a->slots);
	a->slots = flat.slots;
	a->cap = flat.cap;
	a->cnt = flat.cnt;
	assignment__put(a->shared);
	a->shared = NULL;
	a->stamp = 0;
	return 0;
}

int assignment__set(struct assignment *a, enum assign_kind kind, Z3_ast term, uint32_t id, uint64_t index,
		    uint64_t value)
{
	int err;

	if (a->shared && (a->cnt + 1) * 4 > a->shared->cnt && (err = unshare(a)))
		return err;
	return set_own(a, &(struct assign_slot){ .term = term, .index = index, .value = value, .id = id, .kind = kind });
}

int assignment__drop_array(struct assignment *a, Z3_ast array, uint32_t id)
{
	int err = a->cap ? assignment__rehash(a, a->cap, id) : 0;

	if (err || !a->shared)
		return err;
	return set_own(a, &(struct assign_slot){ .term = array, .id = id, .kind = ASSIGN_DROPPED });
}

/* ---- translation ---- */

void evaluator__init(struct evaluator *ev, Z3_context z)
{
	memset(ev, 0, sizeof(*ev));
	ev->z = z;
	ev->next_stamp = 1;
}

void evaluator__fini(struct evaluator *ev)
{
	free(ev->walk);
	free(ev->nodes);
	free(ev->argv);
	term_map__free(&ev->memo);
	memset(ev, 0, sizeof(*ev));
}

static int memo_add(struct evaluator *ev, uint32_t id, uint32_t node)
{
	return term_map__add(&ev->memo, id, node);
}

static bool memo_find(const struct evaluator *ev, uint32_t id, uint32_t *node)
{
	uint64_t v;

	if (!term_map__find(&ev->memo, id, &v))
		return false;
	*node = (uint32_t)v;
	return true;
}

static int push_node(struct evaluator *ev, const struct enode *n, const uint32_t *args, uint32_t *out)
{
	if (ev->node_cnt == ev->node_cap) {
		size_t cap = ev->node_cap ? ev->node_cap * 2 : 1024;
		struct enode *nodes = realloc(ev->nodes, cap * sizeof(*nodes));

		if (!nodes)
			return -ENOMEM;
		ev->nodes = nodes;
		ev->node_cap = cap;
	}
	if (ev->argv_cnt + n->nargs > ev->argv_cap) {
		size_t cap = ev->argv_cap ? ev->argv_cap * 2 : 2048;
		uint32_t *argv;

		while (cap < ev->argv_cnt + n->nargs)
			cap *= 2;
		if (!(argv = realloc(ev->argv, cap * sizeof(*argv))))
			return -ENOMEM;
		ev->argv = argv;
		ev->argv_cap = cap;
	}
	ev->nodes[ev->node_cnt] = *n;
	ev->nodes[ev->node_cnt].args = (uint32_t)ev->argv_cnt;
	if (n->nargs)
		memcpy(ev->argv + ev->argv_cnt, args, n->nargs * sizeof(*args));
	ev->argv_cnt += n->nargs;
	*out = (uint32_t)ev->node_cnt++;
	return 0;
}

/* The width of a sort: bits of a bit-vector, 1 for a boolean, 0 for an
 * array of bit-vectors; -1 for what the evaluator does not model. */
static int sort_bits(Z3_context z, Z3_sort sort)
{
	unsigned bits;

	switch (Z3_get_sort_kind(z, sort)) {
	case Z3_BOOL_SORT:
		return 1;
	case Z3_BV_SORT:
		bits = Z3_get_bv_sort_size(z, sort);
		return bits <= 64 ? (int)bits : -1;
	case Z3_ARRAY_SORT:
		return sort_bits(z, Z3_get_array_sort_domain(z, sort)) > 1 &&
		       sort_bits(z, Z3_get_array_sort_range(z, sort)) > 1 ? 0 : -1;
	default:
		return -1;
	}
}

static bool supported_op(Z3_decl_kind k)
{
	switch (k) {
	case Z3_OP_TRUE: case Z3_OP_FALSE: case Z3_OP_EQ: case Z3_OP_DISTINCT: case Z3_OP_ITE: case Z3_OP_AND:
	case Z3_OP_OR: case Z3_OP_IFF: case Z3_OP_XOR: case Z3_OP_NOT: case Z3_OP_IMPLIES:
	case Z3_OP_BNEG: case Z3_OP_BADD: case Z3_OP_BSUB: case Z3_OP_BMUL: case Z3_OP_BSDIV: case Z3_OP_BUDIV:
	case Z3_OP_BSREM: case Z3_OP_BUREM: case Z3_OP_BSMOD: case Z3_OP_BSDIV_I: case Z3_OP_BUDIV_I:
	case Z3_OP_BSREM_I: case Z3_OP_BUREM_I: case Z3_OP_BSMOD_I:
	case Z3_OP_ULEQ: case Z3_OP_SLEQ: case Z3_OP_UGEQ: case Z3_OP_SGEQ: case Z3_OP_ULT: case Z3_OP_SLT:
	case Z3_OP_UGT: case Z3_OP_SGT: case Z3_OP_BAND: case Z3_OP_BOR: case Z3_OP_BNOT: case Z3_OP_BXOR:
	case Z3_OP_BNAND: case Z3_OP_BNOR: case Z3_OP_BXNOR: case Z3_OP_CONCAT: case Z3_OP_SIGN_EXT:
	case Z3_OP_ZERO_EXT: case Z3_OP_EXTRACT: case Z3_OP_REPEAT: case Z3_OP_BREDOR: case Z3_OP_BREDAND:
	case Z3_OP_BCOMP: case Z3_OP_BSHL: case Z3_OP_BLSHR: case Z3_OP_BASHR: case Z3_OP_ROTATE_LEFT:
	case Z3_OP_ROTATE_RIGHT: case Z3_OP_EXT_ROTATE_LEFT: case Z3_OP_EXT_ROTATE_RIGHT:
	case Z3_OP_STORE: case Z3_OP_SELECT: case Z3_OP_CONST_ARRAY:
		return true;
	default:
		return false;
	}
}

static int translate(struct evaluator *ev, Z3_ast e, uint32_t *out);

static unsigned bv_width(Z3_context z, Z3_ast e)
{
	return Z3_get_bv_sort_size(z, Z3_get_sort(z, e));
}

/* A node for bits hi..lo of x, a term that may be wider than 64 bits (a
 * checksum's operand of many bytes): the slice is taken through
 * concatenations, zero-extensions and extractions down to parts of at most
 * 64 bits. *out is unsupported when x is something else. */
static int translate_slice(struct evaluator *ev, Z3_ast x, unsigned hi, unsigned lo, uint32_t *out)
{
	Z3_context z = ev->z;
	unsigned w = bv_width(z, x), cnt = 0;
	struct enode n = { .op = EOP_UNSUPPORTED, .bits = (uint16_t)(hi - lo + 1) };
	uint32_t pieces[64], inner;
	Z3_func_decl decl;
	Z3_app app;
	int err;

	if (w <= 64) {
		if ((err = translate(ev, x, &inner)))
			return err;
		if (lo == 0 && hi == w - 1) {
			*out = inner;
			return 0;
		}
		if (ev->nodes[inner].op != EOP_UNSUPPORTED)
			n = (struct enode){ .op = Z3_OP_EXTRACT, .bits = n.bits, .nargs = 1,
					    .bound = ev->nodes[inner].bound, .imm = lo | (uint64_t)hi << 32 };
		return push_node(ev, &n, &inner, out);
	}
	if (Z3_get_ast_kind(z, x) != Z3_APP_AST)
		return push_node(ev, &n, NULL, out);
	app = Z3_to_app(z, x);
	decl = Z3_get_app_decl(z, app);
	switch (Z3_get_decl_kind(z, decl)) {
	case Z3_OP_EXTRACT: {
		unsigned base = (unsigned)Z3_get_decl_int_parameter(z, decl, 1);

		return translate_slice(ev, Z3_get_app_arg(z, app, 0), hi + base, lo + base, out);
	}
	case Z3_OP_ZERO_EXT:
		w = bv_width(z, Z3_get_app_arg(z, app, 0));
		if (hi < w)
			return translate_slice(ev, Z3_get_app_arg(z, app, 0), hi, lo, out);
		if (lo >= w)
			return push_node(ev, &(struct enode){ .op = EOP_NUMERAL, .bits = n.bits }, NULL, out);
		if ((err = push_node(ev, &(struct enode){ .op = EOP_NUMERAL, .bits = (uint16_t)(hi - w + 1) }, NULL,
				     &pieces[0])) ||
		    (err = translate_slice(ev, Z3_get_app_arg(z, app, 0), w - 1, lo, &pieces[1])))
			return err;
		cnt = 2;
		break;
	case Z3_OP_CONCAT:
		/* the arguments run from the most significant part down */
		for (unsigned i = 0, top = w; i < Z3_get_app_num_args(z, app); i++) {
			Z3_ast part = Z3_get_app_arg(z, app, i);
			unsigned pw = bv_width(z, part), bottom = top - pw;

			if (bottom <= hi && top > lo) {
				if (cnt == 64)
					return push_node(ev, &n, NULL, out);
				if ((err = translate_slice(ev, part, (hi < top - 1 ? hi : top - 1) - bottom,
							   (lo > bottom ? lo : bottom) - bottom, &pieces[cnt++])))
					return err;
			}
			top = bottom;
		}
		if (cnt == 1) {
			*out = pieces[0];
			return 0;
		}
		break;
	default:
		return push_node(ev, &n, NULL, out);
	}
	for (unsigned i = 0; i < cnt; i++) {
		if (ev->nodes[pieces[i]].op == EOP_UNSUPPORTED)
			return push_node(ev, &n, NULL, out);
		n.bound |= ev->nodes[pieces[i]].bound;
	}
	n.op = Z3_OP_CONCAT;
	n.nargs = (uint16_t)cnt;
	return push_node(ev, &n, pieces, out);
}

/* Whether e extracts bits hi..lo of inner, a term wider than 64 bits. */
static bool wide_extract(Z3_context z, Z3_ast e, Z3_ast *inner, unsigned *hi, unsigned *lo)
{
	Z3_app app = Z3_to_app(z, e);
	Z3_func_decl decl = Z3_get_app_decl(z, app);

	if (Z3_get_decl_kind(z, decl) != Z3_OP_EXTRACT || bv_width(z, Z3_get_app_arg(z, app, 0)) <= 64)
		return false;
	*inner = Z3_get_app_arg(z, app, 0);
	*hi = (unsigned)Z3_get_decl_int_parameter(z, decl, 0);
	*lo = (unsigned)Z3_get_decl_int_parameter(z, decl, 1);
	return true;
}

/* Fills n from an application; its arguments are translated first. */
static int translate_app(struct evaluator *ev, Z3_ast e, struct enode *n, uint32_t *args)
{
	Z3_context z = ev->z;
	Z3_app app = Z3_to_app(z, e);
	Z3_func_decl decl = Z3_get_app_decl(z, app);
	Z3_decl_kind kind = Z3_get_decl_kind(z, decl);
	unsigned nargs = Z3_get_app_num_args(z, app);
	int err;

	if (!nargs && (kind == Z3_OP_TRUE || kind == Z3_OP_FALSE)) {
		n->op = EOP_NUMERAL;
		n->imm = kind == Z3_OP_TRUE;
		return 0;
	}
	if (!nargs && kind == Z3_OP_UNINTERPRETED) {
		n->op = n->bits ? EOP_CONST : EOP_ARRAY;
		n->id = Z3_get_ast_id(z, e);
		return 0;
	}
	if (!supported_op(kind) || nargs > UINT16_MAX)
		return 0;
	n->nargs = (uint16_t)nargs;
	for (unsigned i = 0; i < nargs; i++) {
		if ((err = translate(ev, Z3_get_app_arg(z, app, i), &args[i])))
			return err;
		if (ev->nodes[args[i]].op == EOP_UNSUPPORTED)
			return 0;
		n->bound |= ev->nodes[args[i]].bound;
	}
	if (kind == Z3_OP_EXTRACT)
		n->imm = (uint64_t)Z3_get_decl_int_parameter(z, decl, 1) |
			 (uint64_t)Z3_get_decl_int_parameter(z, decl, 0) << 32;
	else if (kind == Z3_OP_SIGN_EXT || kind == Z3_OP_ZERO_EXT || kind == Z3_OP_REPEAT ||
		 kind == Z3_OP_ROTATE_LEFT || kind == Z3_OP_ROTATE_RIGHT)
		n->imm = (uint64_t)Z3_get_decl_int_parameter(z, decl, 0);
	n->op = kind;
	return 0;
}

static int translate(struct evaluator *ev, Z3_ast e, uint32_t *out)
{
	Z3_context z = ev->z;
	uint32_t id = Z3_get_ast_id(z, e), *args = NULL;
	struct enode n = { .op = EOP_UNSUPPORTED };
	unsigned hi, lo;
	int bits, err = 0;
	Z3_ast inner;

	if (memo_find(ev, id, out))
		return 0;
	if (ev->depth >= EVAL_MAX_DEPTH)
		goto add;
	ev->depth++;
	switch (Z3_get_ast_kind(z, e)) {
	case Z3_NUMERAL_AST:
		bits = sort_bits(z, Z3_get_sort(z, e));
		if (bits > 0 && Z3_get_numeral_uint64(z, e, &n.imm)) {
			n.op = EOP_NUMERAL;
			n.bits = (uint16_t)bits;
		}
		break;
	case Z3_APP_AST:
		bits = sort_bits(z, Z3_get_sort(z, e));
		if (bits < 0)
			break;
		n.bits = (uint16_t)bits;
		if (wide_extract(z, e, &inner, &hi, &lo)) {
			err = translate_slice(ev, inner, hi, lo, out);
			ev->depth--;
			return err ?: memo_add(ev, id, *out);
		}
		args = malloc((Z3_get_app_num_args(z, Z3_to_app(z, e)) + 1) * sizeof(*args));
		if (!args) {
			err = -ENOMEM;
			break;
		}
		err = translate_app(ev, e, &n, args);
		break;
	case Z3_VAR_AST:
		bits = sort_bits(z, Z3_get_sort(z, e));
		if (bits > 0 && Z3_get_index_value(z, e) == 0) {
			n.op = EOP_BOUND;
			n.bits = (uint16_t)bits;
			n.bound = true;
		}
		break;
	case Z3_QUANTIFIER_AST:
		if (!Z3_is_lambda(z, e) || Z3_get_quantifier_num_bound(z, e) != 1 ||
		    sort_bits(z, Z3_get_sort(z, e)) != 0 || !(args = malloc(sizeof(*args))))
			break;
		if ((err = translate(ev, Z3_get_quantifier_body(z, e), args)))
			break;
		if (ev->nodes[args[0]].op != EOP_UNSUPPORTED) {
			n.op = EOP_LAMBDA;
			n.nargs = 1;
		}
		break;
	default:
		break;
	}
	ev->depth--;
	if (err || n.op == EOP_UNSUPPORTED)
		n = (struct enode){ .op = EOP_UNSUPPORTED };
add:
	if (!err)
		err = push_node(ev, &n, args, out) ?: memo_add(ev, id, *out);
	free(args);
	return err;
}

/* ---- evaluation (SMT-LIB semantics) ---- */

static uint64_t mask(unsigned bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

static int64_t sext(uint64_t v, unsigned bits)
{
	return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static bool negative(uint64_t v, unsigned bits)
{
	return v >> (bits - 1) & 1;
}

/* Signed division, remainder and modulus by their SMT-LIB definitions over
 * unsigned ones, division by zero included. */
static uint64_t bv_sdivrem(uint32_t op, uint64_t s, uint64_t t, unsigned bits)
{
	uint64_t m = mask(bits), u;
	bool ns = negative(s, bits), nt = negative(t, bits);
	uint64_t as = ns ? -s & m : s, at = nt ? -t & m : t;

	switch (op) {
	case Z3_OP_BSDIV: case Z3_OP_BSDIV_I:
		u = at ? as / at : m;
		return (ns != nt ? -u : u) & m;
	case Z3_OP_BSREM: case Z3_OP_BSREM_I:
		u = at ? as % at : as;
		return (ns ? -u : u) & m;
	default: /* smod */
		u = at ? as % at : as;
		if (!u || (!ns && !nt))
			return u;
		if (ns && !nt)
			return (t - u) & m;
		if (!ns && nt)
			return (u + t) & m;
		return -u & m;
	}
}

static uint64_t rotate_left(uint64_t v, uint64_t k, unsigned bits)
{
	k %= bits;
	return k ? ((v << k) | (v >> (bits - k))) & mask(bits) : v;
}

static uint64_t value_of(struct evaluator *ev, struct assignment *a, uint32_t i, uint64_t bound);

static uint64_t element_of(struct evaluator *ev, struct assignment *a, uint32_t arr, uint64_t index, uint64_t bound)
{
	for (;;) {
		const struct enode *n = &ev->nodes[arr];
		const uint32_t *arg = ev->argv + n->args;
		const struct assign_slot *slot;

		switch (n->op) {
		case Z3_OP_STORE:
			if (value_of(ev, a, arg[1], bound) == index)
				return value_of(ev, a, arg[2], bound);
			arr = arg[0];
			break;
		case Z3_OP_CONST_ARRAY:
			return value_of(ev, a, arg[0], bound);
		case Z3_OP_ITE:
			arr = value_of(ev, a, arg[0], bound) ? arg[1] : arg[2];
			break;
		case EOP_LAMBDA:
			return value_of(ev, a, arg[0], index);
		case EOP_ARRAY:
			slot = assignment__find(a, ASSIGN_ELEMENT, n->id, index);
			if (!slot)
				slot = assignment__find(a, ASSIGN_DEFAULT, n->id, 0);
			return slot ? slot->value : 0;
		default:
			ev->failed = true;
			return 0;
		}
		if (ev->failed)
			return 0;
	}
}

/* An operation over all of a node's arguments, left to right. */
static uint64_t fold(struct evaluator *ev, struct assignment *a, const struct enode *n, uint64_t bound)
{
	const uint32_t *arg = ev->argv + n->args;
	uint64_t v = value_of(ev, a, arg[0], bound);

	for (unsigned k = 1; k < n->nargs; k++) {
		uint64_t w = value_of(ev, a, arg[k], bound);

		switch (n->op) {
		case Z3_OP_BADD: v += w; break;
		case Z3_OP_BSUB: v -= w; break;
		case Z3_OP_BMUL: v *= w; break;
		case Z3_OP_BAND: v &= w; break;
		case Z3_OP_BOR: v |= w; break;
		case Z3_OP_BXOR: case Z3_OP_XOR: v ^= w; break;
		case Z3_OP_CONCAT: v = v << ev->nodes[arg[k]].bits | w; break;
		}
	}
	return v;
}

static uint64_t compute(struct evaluator *ev, struct assignment *a, const struct enode *n, uint64_t bound)
{
	const uint32_t *arg = ev->argv + n->args;
	unsigned w = n->nargs ? ev->nodes[arg[0]].bits : n->bits; /* the first operand's width */
	const struct assign_slot *slot;
	uint64_t x, y, m = mask(w);

	if (!n->bits) { /* an array's value is only ever read an element at a time */
		ev->failed = true;
		return 0;
	}
	switch (n->op) {
	case EOP_NUMERAL:
		return n->imm;
	case EOP_CONST:
		slot = assignment__find(a, ASSIGN_SCALAR, n->id, 0);
		return slot ? slot->value : 0;
	case EOP_BOUND:
		return bound;
	case Z3_OP_ITE:
		return value_of(ev, a, arg[value_of(ev, a, arg[0], bound) ? 1 : 2], bound);
	case Z3_OP_AND:
		for (unsigned k = 0; k < n->nargs; k++)
			if (!value_of(ev, a, arg[k], bound))
				return 0;
		return 1;
	case Z3_OP_OR:
		for (unsigned k = 0; k < n->nargs; k++)
			if (value_of(ev, a, arg[k], bound))
				return 1;
		return 0;
	case Z3_OP_NOT: case Z3_OP_BNOT:
		return ~value_of(ev, a, arg[0], bound);
	case Z3_OP_BNEG:
		return -value_of(ev, a, arg[0], bound);
	case Z3_OP_DISTINCT:
		for (unsigned k = 0; k < n->nargs; k++)
			for (unsigned j = k + 1; j < n->nargs; j++)
				if (value_of(ev, a, arg[k], bound) == value_of(ev, a, arg[j], bound))
					return 0;
		return 1;
	case Z3_OP_BADD: case Z3_OP_BSUB: case Z3_OP_BMUL: case Z3_OP_BAND: case Z3_OP_BOR: case Z3_OP_BXOR:
	case Z3_OP_XOR: case Z3_OP_CONCAT:
		return fold(ev, a, n, bound);
	case Z3_OP_EXTRACT:
		return value_of(ev, a, arg[0], bound) >> (n->imm & 0xffffffff);
	case Z3_OP_ZERO_EXT:
		return value_of(ev, a, arg[0], bound);
	case Z3_OP_SIGN_EXT:
		return (uint64_t)sext(value_of(ev, a, arg[0], bound), w);
	case Z3_OP_REPEAT:
		x = value_of(ev, a, arg[0], bound);
		y = 0;
		for (uint64_t k = 0; k < n->imm; k++)
			y = w >= 64 ? x : y << w | x;
		return y;
	case Z3_OP_BREDOR:
		return value_of(ev, a, arg[0], bound) != 0;
	case Z3_OP_BREDAND:
		return value_of(ev, a, arg[0], bound) == m;
	case Z3_OP_ROTATE_LEFT:
		return rotate_left(value_of(ev, a, arg[0], bound), n->imm, w);
	case Z3_OP_ROTATE_RIGHT:
		return rotate_left(value_of(ev, a, arg[0], bound), w - n->imm % w, w);
	case Z3_OP_SELECT:
		return element_of(ev, a, arg[0], value_of(ev, a, arg[1], bound), bound);
	}
	if (n->nargs != 2) {
		ev->failed = true;
		return 0;
	}
	x = value_of(ev, a, arg[0], bound);
	y = value_of(ev, a, arg[1], bound);
	switch (n->op) {
	case Z3_OP_EQ: case Z3_OP_IFF: case Z3_OP_BCOMP:
		return x == y;
	case Z3_OP_IMPLIES: return !x || y;
	case Z3_OP_BNAND: return ~(x & y);
	case Z3_OP_BNOR: return ~(x | y);
	case Z3_OP_BXNOR: return ~(x ^ y);
	case Z3_OP_BUDIV: case Z3_OP_BUDIV_I: return y ? x / y : m;
	case Z3_OP_BUREM: case Z3_OP_BUREM_I: return y ? x % y : x;
	case Z3_OP_BSDIV: case Z3_OP_BSDIV_I: case Z3_OP_BSREM: case Z3_OP_BSREM_I: case Z3_OP_BSMOD:
	case Z3_OP_BSMOD_I:
		return bv_sdivrem(n->op, x, y, w);
	case Z3_OP_BSHL: return y >= w ? 0 : x << y;
	case Z3_OP_BLSHR: return y >= w ? 0 : x >> y;
	case Z3_OP_BASHR: return y >= w ? (negative(x, w) ? m : 0) : (uint64_t)(sext(x, w) >> y);
	case Z3_OP_EXT_ROTATE_LEFT: return rotate_left(x, y % w, w);
	case Z3_OP_EXT_ROTATE_RIGHT: return rotate_left(x, w - y % w, w);
	case Z3_OP_ULEQ: return x <= y;
	case Z3_OP_UGEQ: return x >= y;
	case Z3_OP_ULT: return x < y;
	case Z3_OP_UGT: return x > y;
	case Z3_OP_SLEQ: return sext(x, w) <= sext(y, w);
	case Z3_OP_SGEQ: return sext(x, w) >= sext(y, w);
	case Z3_OP_SLT: return sext(x, w) < sext(y, w);
	case Z3_OP_SGT: return sext(x, w) > sext(y, w);
	}
	ev->failed = true;
	return 0;
}

static uint64_t value_of(struct evaluator *ev, struct assignment *a, uint32_t i, uint64_t bound)
{
	struct enode *n = &ev->nodes[i];
	uint64_t v;

	if (!n->bound && n->stamp == a->stamp)
		return n->val;
	if (ev->failed || ++ev->depth > EVAL_MAX_DEPTH) {
		ev->failed = true;
		return 0;
	}
	v = compute(ev, a, n, bound) & mask(n->bits);
	ev->depth--;
	if (!n->bound) {
		n->val = v;
		n->stamp = a->stamp;
	}
	return v;
}

static int walk_push(struct evaluator *ev, size_t *sp, struct walk_item item)
{
	if (*sp == ev->walk_cap) {
		size_t cap = ev->walk_cap ? ev->walk_cap * 2 : 256;
		struct walk_item *walk = realloc(ev->walk, cap * sizeof(*walk));

		if (!walk)
			return -ENOMEM;
		ev->walk = walk;
		ev->walk_cap = cap;
	}
	ev->walk[(*sp)++] = item;
	return 0;
}

/* Translates what is below e before e, so that translate() recurses one
 * level: a term may be deeper than the C stack allows. */
static int translate_bottom_up(struct evaluator *ev, Z3_ast e, uint32_t *node)
{
	Z3_context z = ev->z;
	size_t sp = 0;
	int err = walk_push(ev, &sp, (struct walk_item){ .term = e });

	while (!err && sp) {
		struct walk_item *it = &ev->walk[sp - 1];
		Z3_ast t = it->term;

		if (memo_find(ev, Z3_get_ast_id(z, t), node)) {
			sp--;
		} else if (!it->expanded) {
			it->expanded = true;
			if (Z3_get_ast_kind(z, t) == Z3_QUANTIFIER_AST)
				err = walk_push(ev, &sp, (struct walk_item){ .term = Z3_get_quantifier_body(z, t) });
			else if (Z3_get_ast_kind(z, t) == Z3_APP_AST)
				for (unsigned i = 0, n = Z3_get_app_num_args(z, Z3_to_app(z, t)); i < n && !err; i++)
					err = walk_push(ev, &sp, (struct walk_item){ .term = Z3_get_app_arg(z, Z3_to_app(z, t), i) });
		} else {
			sp--;
			ev->depth = 0;
			err = translate(ev, t, node);
		}
	}
	return err ?: translate(ev, e, node);
}

/* Evaluates what is below node before node (all of it, both sides of an
 * if-then-else too), so that value_of() recurses one level. */
static int evaluate_bottom_up(struct evaluator *ev, struct assignment *a, uint32_t node)
{
	size_t sp = 0;
	int err = walk_push(ev, &sp, (struct walk_item){ .node = node });

	while (!err && sp && !ev->failed) {
		struct walk_item *it = &ev->walk[sp - 1];
		struct enode *n = &ev->nodes[it->node];
		uint32_t i = it->node;

		if (n->bound || n->primed == a->stamp) {
			sp--;
		} else if (!it->expanded) {
			it->expanded = true;
			for (unsigned k = 0; k < n->nargs && !err; k++)
				err = walk_push(ev, &sp, (struct walk_item){ .node = ev->argv[n->args + k] });
		} else {
			sp--;
			n->primed = a->stamp;
			if (n->bits) {
				ev->depth = 0;
				value_of(ev, a, i, 0);
			}
		}
	}
	ev->depth = 0;
	return err;
}

/* The node table keeps every term it translated, for the run: past this
 * many nodes it starts again from none. Packet programs stay far below
 * (katran, crab, dae: under 15,000 nodes in 10 s); falco's t2_sched_p_exec,
 * whose path strings are chains over kilobytes, held 787,000 nodes in
 * 10 s, about 80 MB. */
#define EVAL_NODES_MAX (1u << 18)

static void forget_nodes(struct evaluator *ev)
{
	ev->node_cnt = 0;
	ev->argv_cnt = 0;
	term_map__free(&ev->memo);
	ev->memo = (struct term_map){ 0 };
}

/* Translates e and readies a's stamp; fails on what is not modelled. */
static int prepare(struct evaluator *ev, struct assignment *a, Z3_ast e, uint32_t *node)
{
	int err;

	if (ev->node_cnt > EVAL_NODES_MAX)
		forget_nodes(ev);
	ev->depth = 0;
	if ((err = translate_bottom_up(ev, e, node)))
		return err;
	if (ev->nodes[*node].op == EOP_UNSUPPORTED)
		return -EOPNOTSUPP;
	if (!a->stamp)
		a->stamp = ++ev->next_stamp;
	ev->failed = false;
	return evaluate_bottom_up(ev, a, *node);
}

/* After a failed evaluation, nodes may hold values computed from it: the
 * assignment's next evaluation starts afresh. */
static int finish(struct evaluator *ev, struct assignment *a)
{
	if (!ev->failed)
		return 0;
	a->stamp = 0;
	return -EOPNOTSUPP;
}

int eval__value_at(struct evaluator *ev, struct assignment *a, Z3_ast e, uint64_t bound, uint64_t *out)
{
	uint32_t node;
	int err = prepare(ev, a, e, &node);

	if (err)
		return err;
	if (!ev->nodes[node].bits)
		return -EOPNOTSUPP;
	*out = value_of(ev, a, node, bound);
	return finish(ev, a);
}

int eval__value(struct evaluator *ev, struct assignment *a, Z3_ast e, uint64_t *out)
{
	return eval__value_at(ev, a, e, 0, out);
}

int eval__element(struct evaluator *ev, struct assignment *a, Z3_ast array, uint64_t index, uint64_t *out)
{
	uint32_t node;
	int err = prepare(ev, a, array, &node);

	if (err)
		return err;
	if (ev->nodes[node].bits)
		return -EOPNOTSUPP;
	*out = element_of(ev, a, node, index, 0);
	return finish(ev, a);
}

/* ---- evaluation under facts ---- */

/* Past this depth of and/or/not, a fact is taken as the term it is. */
#define FACT_MAX_DEPTH 64

/* A fact comparing two terms: x <= y (x < y when strict). */
struct relation {
	uint32_t x, y;
	bool strict;
};

/* What facts fix: terms (by node) equal to a number, unsigned bounds of
 * terms compared with a number, comparisons of two terms, and elements of
 * array constants; the latter's stamp marks the nodes eval__decided
 * valued. Bounds worked out from a term's operations are kept in shaped_lo
 * and shaped_hi. */
struct fixed {
	struct term_map nodes;
	struct term_map lo, hi, shaped_lo, shaped_hi;
	struct relation *relations;
	size_t relation_cnt, relation_cap;
	struct assignment *elements;
};

/* Narrows the bound of node in m (lo: raised, else lowered) to v. */
static int narrow_bound(struct term_map *m, uint32_t node, uint64_t v, bool lo)
{
	uint64_t old;

	if (term_map__find(m, node, &old) && (lo ? old >= v : old <= v))
		return 0;
	return term_map__add(m, node, v);
}

/* What an unsigned comparison node with the value truth gives: a bound on
 * a term it compares with a number, or a relation of the two terms it
 * compares. */
static int add_bound(struct evaluator *ev, struct fixed *f, uint32_t node, bool truth)
{
	const struct enode *n = &ev->nodes[node];
	uint32_t x, y;
	bool strict;

	switch (n->op) {
	case Z3_OP_ULEQ: case Z3_OP_ULT:
		x = ev->argv[n->args];
		y = ev->argv[n->args + 1];
		strict = n->op == Z3_OP_ULT;
		break;
	case Z3_OP_UGEQ: case Z3_OP_UGT:
		x = ev->argv[n->args + 1];
		y = ev->argv[n->args];
		strict = n->op == Z3_OP_UGT;
		break;
	default:
		return 0;
	}
	/* x <= y (x < y when strict); false, it is y < x (y <= x) */
	if (!truth) {
		uint32_t t = x;

		x = y;
		y = t;
		strict = !strict;
	}
	if (ev->nodes[y].op == EOP_NUMERAL && ev->nodes[x].op != EOP_NUMERAL) {
		uint64_t c = ev->nodes[y].imm;

		/* x < 0 holds nowhere: the query is refuted by Z3 */
		return strict && !c ? 0 : narrow_bound(&f->hi, x, c - strict, false);
	}
	if (ev->nodes[x].op == EOP_NUMERAL && ev->nodes[y].op != EOP_NUMERAL) {
		uint64_t c = ev->nodes[x].imm;

		return strict && c == mask(ev->nodes[y].bits) ? 0 : narrow_bound(&f->lo, y, c + strict, true);
	}
	if (ev->nodes[x].op != EOP_NUMERAL && ev->nodes[y].op != EOP_NUMERAL) {
		if (f->relation_cnt == f->relation_cap) {
			size_t cap = f->relation_cap ? f->relation_cap * 2 : 16;
			struct relation *r = realloc(f->relations, cap * sizeof(*r));

			if (!r)
				return -ENOMEM;
			f->relations = r;
			f->relation_cap = cap;
		}
		f->relations[f->relation_cnt++] = (struct relation){ x, y, strict };
	}
	return 0;
}

/* Records that e has the value truth, and what that fixes: the operands of
 * a conjunction that holds (or a disjunction that does not), and the term
 * an equality that holds sets equal to a number. */
static int add_fact(struct evaluator *ev, struct fixed *f, Z3_ast e, bool truth, unsigned depth)
{
	Z3_context z = ev->z;
	const struct enode *n, *x, *v;
	uint32_t node;
	int err;

	if (Z3_get_ast_kind(z, e) == Z3_APP_AST && depth < FACT_MAX_DEPTH) {
		Z3_app app = Z3_to_app(z, e);
		Z3_decl_kind kind = Z3_get_decl_kind(z, Z3_get_app_decl(z, app));

		if (kind == Z3_OP_NOT)
			return add_fact(ev, f, Z3_get_app_arg(z, app, 0), !truth, depth + 1);
		if ((kind == Z3_OP_AND && truth) || (kind == Z3_OP_OR && !truth))
			for (unsigned i = 0, cnt = Z3_get_app_num_args(z, app); i < cnt; i++)
				if ((err = add_fact(ev, f, Z3_get_app_arg(z, app, i), truth, depth + 1)))
					return err;
	}
	if ((err = translate_bottom_up(ev, e, &node)) || (err = term_map__add(&f->nodes, node, truth)) ||
	    (err = add_bound(ev, f, node, truth)))
		return err;
	n = &ev->nodes[node];
	if (!truth || n->op != Z3_OP_EQ || n->nargs != 2)
		return 0;
	x = &ev->nodes[ev->argv[n->args]];
	v = &ev->nodes[ev->argv[n->args + 1]];
	if (x->op == EOP_NUMERAL) {
		const struct enode *t = x;

		x = v;
		v = t;
	}
	if (v->op != EOP_NUMERAL || x->op == EOP_NUMERAL || !x->bits)
		return 0;
	if ((err = term_map__add(&f->nodes, (uint32_t)(x - ev->nodes), v->imm)))
		return err;
	if (x->op == Z3_OP_SELECT && ev->nodes[ev->argv[x->args]].op == EOP_ARRAY &&
	    ev->nodes[ev->argv[x->args + 1]].op == EOP_NUMERAL)
		return assignment__set(f->elements, ASSIGN_ELEMENT, e, ev->nodes[ev->argv[x->args]].id,
				       ev->nodes[ev->argv[x->args + 1]].imm, v->imm);
	return 0;
}

static bool decided_value(struct evaluator *ev, struct fixed *f, uint32_t i, unsigned depth, uint64_t *out);

/* Past this depth of operations, a term's bounds are its width's. */
#define BOUNDS_MAX_DEPTH 24

static void decided_bounds(struct evaluator *ev, struct fixed *f, uint32_t i, unsigned depth, uint64_t *lo,
			   uint64_t *hi);

/* Bounds of node n from its operation and its operands' bounds; its
 * width's where the operation is not one of these or may wrap. */
static void shape_bounds(struct evaluator *ev, struct fixed *f, const struct enode *n, unsigned depth, uint64_t *lo,
			 uint64_t *hi)
{
	const uint32_t *arg = ev->argv + n->args;
	uint64_t m = mask(n->bits), alo, ahi, c;
	unsigned k;

	*lo = 0;
	*hi = m;
	switch (n->op) {
	case Z3_OP_ZERO_EXT:
		decided_bounds(ev, f, arg[0], depth, lo, hi);
		return;
	case Z3_OP_CONCAT:
		/* the parts hold bits apart: the least and the most of each */
		*hi = 0;
		for (k = 0; k < n->nargs; k++) {
			unsigned w = ev->nodes[arg[k]].bits;

			decided_bounds(ev, f, arg[k], depth, &alo, &ahi);
			*lo = (w >= 64 ? 0 : *lo << w) | alo;
			*hi = (w >= 64 ? 0 : *hi << w) | ahi;
		}
		return;
	case Z3_OP_EXTRACT: {
		unsigned low = (unsigned)(n->imm & 0xffffffff), high = (unsigned)(n->imm >> 32);

		decided_bounds(ev, f, arg[0], depth, &alo, &ahi);
		/* where the bits above the slice are the same over the range */
		if (high >= 63 || alo >> (high + 1) == ahi >> (high + 1)) {
			*lo = (alo >> low) & m;
			*hi = (ahi >> low) & m;
			if (*lo > *hi) {
				*lo = 0;
				*hi = m;
			}
		}
		return;
	}
	case Z3_OP_BADD:
		*hi = 0;
		for (k = 0; k < n->nargs; k++) {
			decided_bounds(ev, f, arg[k], depth, &alo, &ahi);
			if (ahi > m - *hi) {
				*lo = 0;
				*hi = m;
				return;
			}
			*lo += alo;
			*hi += ahi;
		}
		return;
	case Z3_OP_BAND:
		for (k = 0; k < n->nargs; k++) {
			decided_bounds(ev, f, arg[k], depth, &alo, &ahi);
			*hi = ahi < *hi ? ahi : *hi;
		}
		return;
	case Z3_OP_BLSHR:
		if (n->nargs == 2 && ev->nodes[arg[1]].op == EOP_NUMERAL && (c = ev->nodes[arg[1]].imm) < 64) {
			decided_bounds(ev, f, arg[0], depth, &alo, &ahi);
			*lo = alo >> c;
			*hi = ahi >> c;
		}
		return;
	case Z3_OP_BSHL: case Z3_OP_BMUL:
		/* a product's number may come first */
		k = n->op == Z3_OP_BMUL && n->nargs == 2 && ev->nodes[arg[0]].op == EOP_NUMERAL;
		if (n->nargs != 2 || ev->nodes[arg[1 - k]].op != EOP_NUMERAL)
			return;
		c = ev->nodes[arg[1 - k]].imm;
		if (n->op == Z3_OP_BSHL)
			c = c < 63 ? UINT64_C(1) << c : 0;
		decided_bounds(ev, f, arg[k], depth, &alo, &ahi);
		if (c && ahi <= m / c) {
			*lo = alo * c;
			*hi = ahi * c;
		}
		return;
	case Z3_OP_BUREM: case Z3_OP_BUREM_I:
		if (n->nargs == 2 && ev->nodes[arg[1]].op == EOP_NUMERAL && (c = ev->nodes[arg[1]].imm)) {
			decided_bounds(ev, f, arg[0], depth, &alo, &ahi);
			*hi = ahi < c - 1 ? ahi : c - 1;
		}
		return;
	case Z3_OP_BUDIV: case Z3_OP_BUDIV_I:
		if (n->nargs == 2 && ev->nodes[arg[1]].op == EOP_NUMERAL && (c = ev->nodes[arg[1]].imm)) {
			decided_bounds(ev, f, arg[0], depth, &alo, &ahi);
			*lo = alo / c;
			*hi = ahi / c;
		}
		return;
	case Z3_OP_ITE:
		decided_bounds(ev, f, arg[1], depth, lo, hi);
		decided_bounds(ev, f, arg[2], depth, &alo, &ahi);
		*lo = alo < *lo ? alo : *lo;
		*hi = ahi > *hi ? ahi : *hi;
		return;
	}
}

/* Unsigned bounds of bit-vector node i under the facts: its value where
 * they decide it, else what comparisons with numbers and its operations
 * give it. */
static void decided_bounds(struct evaluator *ev, struct fixed *f, uint32_t i, unsigned depth, uint64_t *lo,
			   uint64_t *hi)
{
	uint64_t flo = 0, fhi = UINT64_MAX;

	if (decided_value(ev, f, i, depth, lo)) {
		*hi = *lo;
		return;
	}
	if (term_map__find(&f->shaped_lo, i, lo) && term_map__find(&f->shaped_hi, i, hi))
		return;
	*lo = 0;
	*hi = mask(ev->nodes[i].bits);
	if (depth < BOUNDS_MAX_DEPTH)
		shape_bounds(ev, f, &ev->nodes[i], depth + 1, lo, hi);
	term_map__find(&f->lo, i, &flo);
	term_map__find(&f->hi, i, &fhi);
	*lo = flo > *lo ? flo : *lo;
	*hi = fhi < *hi ? fhi : *hi;
	/* without room, they are worked out again */
	if (!term_map__add(&f->shaped_lo, i, *lo))
		term_map__add(&f->shaped_hi, i, *hi);
}

/* A term's value as a sum of terms (its base: nodes in order) plus a
 * number, exactly. */
#define LINEAR_MAX_TERMS 4

struct linear {
	uint32_t terms[LINEAR_MAX_TERMS];
	unsigned cnt;
	uint64_t off;
};

/* Whether the sum node n is its operands' sum without wrapping: their
 * largest values add up within its width. */
static bool sum_cannot_wrap(struct evaluator *ev, struct fixed *f, const struct enode *n, unsigned depth)
{
	uint64_t m = mask(n->bits), sum = 0, lo, hi;

	for (unsigned k = 0; k < n->nargs; k++) {
		decided_bounds(ev, f, ev->argv[n->args + k], depth, &lo, &hi);
		if (hi > m - sum)
			return false;
		sum += hi;
	}
	return true;
}

/* Adds node i to l: a number to its offset; sums that cannot wrap, zero
 * extensions and concatenations under a number taken apart (budget
 * levels deep); anything else as a term. False past LINEAR_MAX_TERMS. */
static bool linear_add(struct evaluator *ev, struct fixed *f, uint32_t i, unsigned depth, struct linear *l,
		       unsigned budget)
{
	const struct enode *n = &ev->nodes[i];
	const uint32_t *arg = ev->argv + n->args;

	switch (budget ? n->op : EOP_UNSUPPORTED) {
	case EOP_NUMERAL:
		l->off += n->imm;
		return true;
	case Z3_OP_ZERO_EXT:
		return linear_add(ev, f, arg[0], depth, l, budget - 1);
	case Z3_OP_CONCAT:
		if (n->nargs != 2 || ev->nodes[arg[0]].op != EOP_NUMERAL)
			break;
		l->off += ev->nodes[arg[0]].imm << ev->nodes[arg[1]].bits;
		return linear_add(ev, f, arg[1], depth, l, budget - 1);
	case Z3_OP_BADD:
		if (!sum_cannot_wrap(ev, f, n, depth))
			break;
		for (unsigned k = 0; k < n->nargs; k++)
			if (!linear_add(ev, f, arg[k], depth, l, budget - 1))
				return false;
		return true;
	}
	if (l->cnt == LINEAR_MAX_TERMS)
		return false;
	l->terms[l->cnt++] = i;
	return true;
}

/* Node i's value as the sum of l's terms and l's offset; the terms in
 * order, so that sums of the same terms written in other orders have one
 * base. */
static void linear_form(struct evaluator *ev, struct fixed *f, uint32_t i, unsigned depth, struct linear *l)
{
	l->cnt = 0;
	l->off = 0;
	if (!linear_add(ev, f, i, depth, l, 8)) {
		l->cnt = 1;
		l->terms[0] = i;
		l->off = 0;
	}
	for (unsigned k = 1; k < l->cnt; k++)
		for (unsigned j = k; j > 0 && l->terms[j - 1] > l->terms[j]; j--) {
			uint32_t t = l->terms[j];

			l->terms[j] = l->terms[j - 1];
			l->terms[j - 1] = t;
		}
}

static bool same_base(const struct linear *a, const struct linear *b)
{
	return a->cnt == b->cnt && !memcmp(a->terms, b->terms, a->cnt * sizeof(*a->terms));
}

/* Whether the facts' comparisons of terms decide x <= y (x < y when
 * strict) true: x and y are sums over one base, the smaller number on x's
 * side; or a fact a <= b (a < b) holds whose sides have x's and y's bases,
 * with numbers that put y at least as far above x. */
static bool related(struct evaluator *ev, struct fixed *f, uint32_t x, uint32_t y, bool strict, unsigned depth)
{
	struct linear lx, ly, la, lb;

	linear_form(ev, f, x, depth, &lx);
	linear_form(ev, f, y, depth, &ly);
	/* offsets past 2^62 are left out: their differences would not fit */
	if ((lx.off | ly.off) >> 62)
		return false;
	if (same_base(&lx, &ly))
		return strict ? lx.off < ly.off : lx.off <= ly.off;
	for (size_t i = 0; i < f->relation_cnt; i++) {
		const struct relation *r = &f->relations[i];

		linear_form(ev, f, r->x, depth, &la);
		if (!same_base(&la, &lx) || la.off >> 62)
			continue;
		linear_form(ev, f, r->y, depth, &lb);
		if (!same_base(&lb, &ly) || lb.off >> 62)
			continue;
		/* the fact gives base(y) - base(x) >= la.off - lb.off (+ 1 when
		 * strict); x <= y needs it >= lx.off - ly.off (+ 1) */
		if ((int64_t)(la.off - lb.off) + r->strict >= (int64_t)(lx.off - ly.off) + strict)
			return true;
	}
	return false;
}

/* An unsigned comparison the facts' comparisons of terms decide: a <= b
 * true where they give it, false where they give b < a. */
static bool decided_by_relations(struct evaluator *ev, struct fixed *f, const struct enode *n, unsigned depth,
				 uint64_t *out)
{
	const uint32_t *arg = ev->argv + n->args;
	uint32_t a = arg[0], b = arg[1];
	bool strict = n->op == Z3_OP_ULT || n->op == Z3_OP_UGT;

	if (n->op == Z3_OP_UGEQ || n->op == Z3_OP_UGT) {
		a = arg[1];
		b = arg[0];
	}
	if (related(ev, f, a, b, strict, depth))
		return *out = 1, true;
	if (related(ev, f, b, a, !strict, depth))
		return *out = 0, true;
	return false;
}

/* A comparison (or equality) of bit-vectors that the operands' bounds
 * decide: a <= b where a's largest value is at most b's least, ... */
static bool decided_by_bounds(struct evaluator *ev, struct fixed *f, const struct enode *n, unsigned depth,
			      uint64_t *out)
{
	const uint32_t *arg = ev->argv + n->args;
	uint64_t a_lo, a_hi, b_lo, b_hi;

	if (n->nargs != 2 || !ev->nodes[arg[0]].bits)
		return false;
	decided_bounds(ev, f, arg[0], depth, &a_lo, &a_hi);
	decided_bounds(ev, f, arg[1], depth, &b_lo, &b_hi);
	switch (n->op) {
	case Z3_OP_EQ:
		if (a_hi < b_lo || b_hi < a_lo)
			return *out = 0, true;
		/* each can have one value only */
		if (a_lo == a_hi && b_lo == b_hi)
			return *out = a_lo == b_lo, true;
		return false;
	case Z3_OP_UGEQ: case Z3_OP_UGT: {
		uint64_t t;

		t = a_lo, a_lo = b_lo, b_lo = t;
		t = a_hi, a_hi = b_hi, b_hi = t;
		break;
	}
	}
	/* a <= b, or a < b */
	if (n->op == Z3_OP_ULEQ || n->op == Z3_OP_UGEQ) {
		if (a_hi <= b_lo)
			return *out = 1, true;
		if (a_lo > b_hi)
			return *out = 0, true;
	} else {
		if (a_hi < b_lo)
			return *out = 1, true;
		if (a_lo >= b_hi)
			return *out = 0, true;
	}
	return decided_by_relations(ev, f, n, depth, out);
}

/* The element of array node arr at index, when the facts decide it. */
static bool decided_element(struct evaluator *ev, struct fixed *f, uint32_t arr, uint64_t index, unsigned depth,
			    uint64_t *out)
{
	const struct assign_slot *slot;
	uint64_t v;

	for (;;) {
		const struct enode *n = &ev->nodes[arr];
		const uint32_t *arg = ev->argv + n->args;

		switch (n->op) {
		case Z3_OP_STORE:
			if (!decided_value(ev, f, arg[1], depth, &v))
				return false;
			if (v == index)
				return decided_value(ev, f, arg[2], depth, out);
			arr = arg[0];
			break;
		case Z3_OP_CONST_ARRAY:
			return decided_value(ev, f, arg[0], depth, out);
		case Z3_OP_ITE:
			if (!decided_value(ev, f, arg[0], depth, &v))
				return false;
			arr = arg[v ? 1 : 2];
			break;
		case EOP_ARRAY:
			slot = assignment__find(f->elements, ASSIGN_ELEMENT, n->id, index);
			if (slot)
				*out = slot->value;
			return slot;
		default:
			return false;
		}
	}
}

/* The value of node i where the facts decide it alone: a variable is open,
 * an operation is decided by its operands, or by one of them where that
 * one settles it (a false conjunct, a product by zero, ...). */
static bool decided_op(struct evaluator *ev, struct fixed *f, uint32_t i, unsigned depth, uint64_t *out)
{
	const struct enode *n = &ev->nodes[i];
	const uint32_t *arg = ev->argv + n->args;
	bool all = true;
	uint64_t v, w;

	switch (n->op) {
	case EOP_NUMERAL:
		*out = n->imm;
		return true;
	case EOP_CONST: case EOP_ARRAY: case EOP_BOUND: case EOP_LAMBDA: case EOP_UNSUPPORTED:
		return false;
	case Z3_OP_SELECT:
		return decided_value(ev, f, arg[1], depth, &v) && decided_element(ev, f, arg[0], v, depth, out);
	case Z3_OP_ITE:
		if (decided_value(ev, f, arg[0], depth, &v))
			return decided_value(ev, f, arg[v ? 1 : 2], depth, out);
		return decided_value(ev, f, arg[1], depth, out) && decided_value(ev, f, arg[2], depth, &w) && *out == w;
	case Z3_OP_EQ:
		if (n->nargs == 2 && arg[0] == arg[1]) {
			*out = 1;
			return true;
		}
		if (decided_by_bounds(ev, f, n, depth, out))
			return true;
		break;
	case Z3_OP_ULEQ: case Z3_OP_ULT: case Z3_OP_UGEQ: case Z3_OP_UGT:
		if (decided_by_bounds(ev, f, n, depth, out))
			return true;
		break;
	}
	for (unsigned k = 0; k < n->nargs; k++) {
		bool known = ev->nodes[arg[k]].bits && decided_value(ev, f, arg[k], depth, &v);

		all &= known;
		if (!known)
			continue;
		/* an operand that settles the result whatever the others are */
		if ((n->op == Z3_OP_AND && !v) || (n->op == Z3_OP_OR && v) ||
		    ((n->op == Z3_OP_BAND || n->op == Z3_OP_BMUL) && !v) ||
		    (n->op == Z3_OP_BOR && v == mask(n->bits))) {
			*out = v;
			return true;
		}
	}
	if (!all)
		return false;
	ev->depth = 0;
	*out = value_of(ev, f->elements, i, 0);
	return !ev->failed;
}

static bool decided_value(struct evaluator *ev, struct fixed *f, uint32_t i, unsigned depth, uint64_t *out)
{
	struct enode *n = &ev->nodes[i];
	bool known;

	if (n->bound || !n->bits || depth >= EVAL_MAX_DEPTH)
		return false;
	if (n->stamp == f->elements->stamp) {
		*out = n->val;
		return !n->undecided;
	}
	known = term_map__find(&f->nodes, i, out) || decided_op(ev, f, i, depth + 1, out);
	ev->failed = false;
	n = &ev->nodes[i];
	n->val = known ? *out : 0;
	n->stamp = f->elements->stamp;
	n->undecided = !known;
	/* its value under an assignment is to be computed again, and what is below it */
	n->primed = 0;
	return known;
}

int eval__decided(struct evaluator *ev, Z3_ast const *facts, size_t cnt, Z3_ast e, uint64_t *out)
{
	struct fixed f = { .elements = assignment__new() };
	uint32_t node;
	int err = f.elements ? 0 : -ENOMEM;

	if (ev->node_cnt > EVAL_NODES_MAX)
		forget_nodes(ev);
	for (size_t i = 0; i < cnt && !err; i++)
		err = add_fact(ev, &f, facts[i], true, 0);
	if (!err)
		err = translate_bottom_up(ev, e, &node);
	if (!err) {
		f.elements->stamp = ++ev->next_stamp;
		err = decided_value(ev, &f, node, 0, out);
	}
	term_map__free(&f.nodes);
	term_map__free(&f.lo);
	term_map__free(&f.hi);
	term_map__free(&f.shaped_lo);
	term_map__free(&f.shaped_hi);
	free(f.relations);
	assignment__put(f.elements);
	return err;
}

int eval__bytes(struct evaluator *ev, struct assignment *a, Z3_ast e, uint32_t n, uint8_t *out)
{
	Z3_context z = ev->z;
	Z3_app app;
	uint64_t v;
	int err;

	if (n <= 8) {
		if ((err = eval__value(ev, a, e, &v)))
			return err;
		for (uint32_t i = 0; i < n; i++)
			out[i] = (uint8_t)(v >> 8 * i);
		return 0;
	}
	/* wider than a value: a concatenation, evaluated a part at a time */
	app = Z3_to_app(z, e);
	if (Z3_get_ast_kind(z, e) != Z3_APP_AST || Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) != Z3_OP_CONCAT)
		return -EOPNOTSUPP;
	for (unsigned i = Z3_get_app_num_args(z, app); i-- > 0;) {
		Z3_ast part = Z3_get_app_arg(z, app, i);
		unsigned bits = Z3_get_bv_sort_size(z, Z3_get_sort(z, part));

		if (bits % 8 || bits / 8 > n)
			return -EOPNOTSUPP;
		if ((err = eval__bytes(ev, a, part, bits / 8, out)))
			return err;
		out += bits / 8;
		n -= bits / 8;
	}
	return n ? -EOPNOTSUPP : 0;
}
