// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mem.h"
#include "partition.h"
#include "state.h"

struct state *state__new(void)
{
	struct state *s = calloc(1, sizeof(*s));

	if (s)
		s->redirect = sval_conc(0);
	return s;
}

/* Room for cnt accesses: the list grows by doubling (a helper copying
 * kilobytes at a symbolic offset appends an access per byte). */
static uint32_t access_room(uint32_t cnt)
{
	uint32_t room = 8;

	while (room < cnt)
		room *= 2;
	return room;
}

static void *dup_array(const void *src, size_t cnt, size_t elem)
{
	void *p;

	if (!cnt)
		return NULL;
	p = malloc(cnt * elem);
	if (p)
		memcpy(p, src, cnt * elem);
	return p;
}

struct state *state__fork(const struct state *s)
{
	struct state *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *s;
	c->regions = dup_array(s->regions, s->region_cnt, sizeof(*s->regions));
	c->region_cap = s->region_cnt;
	c->path = dup_array(s->path, s->path_cnt, sizeof(*s->path));
	c->path_cap = s->path_cnt;
	c->nondet = dup_array(s->nondet, s->nondet_cnt, sizeof(*s->nondet));
	c->records = dup_array(s->records, s->record_cnt, sizeof(*s->records));
	c->inner_outer = dup_array(s->inner_outer, s->inner_cnt, sizeof(*s->inner_outer));
	c->branches = dup_array(s->branches, s->branch_cnt, sizeof(*s->branches));
	c->traces = dup_array(s->traces, s->trace_cnt, sizeof(*s->traces));
	c->events = dup_array(s->events, s->event_cnt, sizeof(*s->events));
	c->windows = dup_array(s->windows, s->window_cnt, sizeof(*s->windows));
	c->fork_bits = fork_prefix__dup(s->fork_bits, s->depth_in_tree);
	c->kobjs = dup_array(s->kobjs, s->kobj_cnt, sizeof(*s->kobjs));
	if ((s->kobj_cnt && !c->kobjs) || (s->region_cnt && !c->regions) || (s->path_cnt && !c->path) ||
	    (s->nondet_cnt && !c->nondet) || (s->record_cnt && !c->records) || (s->inner_cnt && !c->inner_outer) ||
	    (s->branch_cnt && !c->branches) || (s->trace_cnt && !c->traces) || (s->event_cnt && !c->events) ||
	    (s->window_cnt && !c->windows) || (s->depth_in_tree && !c->fork_bits)) {
		c->region_cnt = 0;
		c->event_cnt = 0;
		c->model.a = NULL;
		state__free(c);
		return NULL;
	}
	for (uint32_t i = 0; i < c->region_cnt; i++)
		c->regions[i]->refs++;
	for (size_t i = 0; i < c->event_cnt; i++)
		if (c->events[i].mem)
			c->events[i].mem->refs++;
	assignment__get(c->model.a);
	return c;
}

int state__add_event(struct state *s, const struct event_record *ev)
{
	struct event_record *evs = realloc(s->events, (s->event_cnt + 1) * sizeof(*evs));

	if (!evs)
		return -ENOMEM;
	s->events = evs;
	evs[s->event_cnt++] = *ev;
	if (ev->mem)
		ev->mem->refs++;
	return 0;
}

/* ---- pages and directories ---- */

static uint32_t dir_cnt(uint32_t size)
{
	return (size + SDIR_BYTES - 1) / SDIR_BYTES;
}

static void page_put(struct spage *p)
{
	if (!p || --p->refs)
		return;
	free(p->sym);
	free(p);
}

static void dir_put(struct sdir *d)
{
	if (!d || --d->refs)
		return;
	for (uint32_t i = 0; i < SDIR_PAGES; i++)
		page_put(d->pages[i]);
	free(d);
}

static void origin_put(struct sorigin *o)
{
	if (!o || --o->refs)
		return;
	if (o->owned)
		free((void *)o->bytes);
	free(o);
}

static void sregion_put(struct sregion *r)
{
	if (--r->refs)
		return;
	for (uint32_t i = 0; r->dirs && i < dir_cnt(r->size); i++)
		dir_put(r->dirs[i]);
	free(r->dirs);
	free(r->accesses);
	origin_put(r->origin);
	free(r);
}

void state__free(struct state *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->region_cnt; i++)
		sregion_put(s->regions[i]);
	for (size_t i = 0; i < s->event_cnt; i++)
		if (s->events[i].mem)
			sregion_put(s->events[i].mem);
	assignment__put(s->model.a);
	free(s->regions);
	free(s->path);
	free(s->nondet);
	free(s->records);
	free(s->inner_outer);
	free(s->branches);
	free(s->traces);
	free(s->events);
	free(s->windows);
	free(s->fork_bits);
	free(s->kobjs);
	free(s);
}

/* The page holding byte k, or NULL while no path touched it. */
static const struct spage *page_at(const struct sregion *r, uint32_t k)
{
	const struct sdir *d = r->dirs ? r->dirs[k / SDIR_BYTES] : NULL;

	return d ? d->pages[(k / SPAGE_SIZE) % SDIR_PAGES] : NULL;
}

static bool bit(const uint64_t *words, uint32_t i)
{
	return words[i / 64] >> (i % 64) & 1;
}

static void set_bit(uint64_t *words, uint32_t i, bool on)
{
	if (on)
		words[i / 64] |= UINT64_C(1) << (i % 64);
	else
		words[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

static struct spage *page_copy(const struct spage *p)
{
	struct spage *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *p;
	c->refs = 1;
	c->sym = p->sym ? dup_array(p->sym, SPAGE_SIZE, sizeof(*p->sym)) : NULL;
	if (p->sym && !c->sym) {
		free(c);
		return NULL;
	}
	return c;
}

/* The page holding byte k of a writable region, private to it. */
static struct spage *page_for_write(struct sregion *r, uint32_t k)
{
	uint32_t di = k / SDIR_BYTES, pi = (k / SPAGE_SIZE) % SDIR_PAGES;
	struct sdir *d = r->dirs[di];
	struct spage *p;

	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return NULL;
		d->refs = 1;
		r->dirs[di] = d;
	} else if (d->refs > 1) {
		struct sdir *c = malloc(sizeof(*c));

		if (!c)
			return NULL;
		*c = *d;
		c->refs = 1;
		for (uint32_t i = 0; i < SDIR_PAGES; i++)
			if (c->pages[i])
				c->pages[i]->refs++;
		d->refs--;
		r->dirs[di] = d = c;
	}
	p = d->pages[pi];
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->refs = 1;
		memset(p->ptr_tag, 0xff, sizeof(p->ptr_tag));
		d->pages[pi] = p;
	} else if (p->refs > 1) {
		struct spage *c = page_copy(p);

		if (!c)
			return NULL;
		p->refs--;
		d->pages[pi] = p = c;
	}
	return p;
}

/* Calls fn on every page a path touched, made private to r. */
static int each_page_for_write(struct sregion *r, void (*fn)(struct spage *p, void *arg), void *arg)
{
	for (uint32_t k = 0; r->dirs && k < r->size; k += SPAGE_SIZE) {
		struct spage *p;

		if (!page_at(r, k))
			continue;
		p = page_for_write(r, k);
		if (!p)
			return -ENOMEM;
		fn(p, arg);
	}
	return 0;
}

/* ---- regions ---- */

static int grow_regions(struct state *s)
{
	uint32_t cap;
	struct sregion **regions;

	if (s->region_cnt < s->region_cap)
		return 0;
	cap = s->region_cap ? s->region_cap * 2 : 32;
	regions = realloc(s->regions, cap * sizeof(*regions));
	if (!regions)
		return -ENOMEM;
	s->regions = regions;
	s->region_cap = cap;
	return 0;
}

int state__add_region(struct state *s, uint8_t kind, uint32_t size, bool writable, int32_t owner)
{
	struct sregion *r = calloc(1, sizeof(*r));

	if (!r || !(r->dirs = calloc(dir_cnt(size) ? dir_cnt(size) : 1, sizeof(*r->dirs)))) {
		free(r);
		return -ENOMEM;
	}
	if (grow_regions(s)) {
		free(r->dirs);
		free(r);
		return -ENOMEM;
	}
	r->refs = 1;
	r->kind = kind;
	r->size = size;
	r->writable = writable;
	r->owner = owner;
	s->regions[s->region_cnt] = r;
	return (int)s->region_cnt++;
}

int sregion__resize(struct sregion *r, uint32_t size)
{
	struct sdir **dirs = calloc(dir_cnt(size) ? dir_cnt(size) : 1, sizeof(*dirs));

	if (!dirs)
		return -ENOMEM;
	free(r->dirs);
	r->dirs = dirs;
	r->size = size;
	return 0;
}

static int set_origin(struct sregion *r, uint8_t kind, const uint8_t *bytes, bool owned, Z3_ast array)
{
	struct sorigin *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	*o = (struct sorigin){ .refs = 1, .kind = kind, .owned = owned, .bytes = bytes, .array = array };
	origin_put(r->origin);
	r->origin = o;
	return 0;
}

int sregion__set_bytes(struct sregion *r, const uint8_t *bytes, bool borrowed)
{
	uint8_t *copy;
	int err;

	if (borrowed)
		return set_origin(r, SORIGIN_BYTES, bytes, false, NULL);
	copy = dup_array(bytes, r->size ? r->size : 1, 1);
	if (!copy)
		return -ENOMEM;
	err = set_origin(r, SORIGIN_BYTES, copy, true, NULL);
	if (err)
		free(copy);
	return err;
}

int sregion__set_fresh(struct sregion *r, Z3_ast array)
{
	return set_origin(r, SORIGIN_FRESH, NULL, false, array);
}

int state__share_region(struct state *s, uint32_t id)
{
	if (grow_regions(s))
		return -ENOMEM;
	s->regions[id]->refs++;
	s->regions[s->region_cnt] = s->regions[id];
	return (int)s->region_cnt++;
}

struct sregion *state__writable_region(struct state *s, uint32_t id)
{
	struct sregion *r = s->regions[id], *c;
	uint32_t n = dir_cnt(r->size);

	if (r->refs == 1)
		return r;
	c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *r;
	c->refs = 1;
	c->dirs = r->dirs ? dup_array(r->dirs, n ? n : 1, sizeof(*r->dirs)) : NULL;
	c->accesses = r->access_cnt ? malloc(access_room(r->access_cnt) * sizeof(*r->accesses)) : NULL;
	if (c->accesses)
		memcpy(c->accesses, r->accesses, r->access_cnt * sizeof(*r->accesses));
	if ((r->dirs && !c->dirs) || (r->access_cnt && !c->accesses)) {
		free(c->dirs);
		free(c->accesses);
		free(c);
		return NULL;
	}
	for (uint32_t i = 0; c->dirs && i < n; i++)
		if (c->dirs[i])
			c->dirs[i]->refs++;
	if (c->origin)
		c->origin->refs++;
	r->refs--;
	s->regions[id] = c;
	return c;
}

int state__constrain(struct state *s, const struct constraint *c)
{
	if (s->path_cnt == s->path_cap) {
		size_t cap = s->path_cap ? s->path_cap * 2 : 16;
		const struct constraint **path = realloc(s->path, cap * sizeof(*path));

		if (!path)
			return -ENOMEM;
		s->path = path;
		s->path_cap = cap;
	}
	s->path[s->path_cnt++] = c;
	return 0;
}

/* ---- bytes ---- */

static Z3_ast num64(struct sym_ctx *ctx, uint64_t v)
{
	return sym_num(ctx, v, 64);
}

/* ---- reads over writes ---- */

bool term_within(struct sym_ctx *ctx, Z3_ast t, uint64_t lo, uint64_t hi)
{
	uint64_t t_lo, t_hi;

	sym_unsigned_bounds(ctx, t, &t_lo, &t_hi);
	return t_lo >= lo && t_hi <= hi;
}

static bool is_store(Z3_context z, Z3_ast t, Z3_ast *array, Z3_ast *index, Z3_ast *value)
{
	Z3_app app;

	if (Z3_get_ast_kind(z, t) != Z3_APP_AST)
		return false;
	app = Z3_to_app(z, t);
	if (Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) != Z3_OP_STORE)
		return false;
	*array = Z3_get_app_arg(z, app, 0);
	*index = Z3_get_app_arg(z, app, 1);
	*value = Z3_get_app_arg(z, app, 2);
	return true;
}

/* A copy layer of an update array (sregion__write_layer): lambda j.
 * ite(inside(j), value(j), select(below, j)), with inside and value as
 * the lambda's body holds them (j the bound variable). */
static bool is_layer(Z3_context z, Z3_ast t, Z3_ast *inside, Z3_ast *value, Z3_ast *below)
{
	Z3_app body;

	if (Z3_get_ast_kind(z, t) != Z3_QUANTIFIER_AST || !Z3_is_lambda(z, t))
		return false;
	body = Z3_to_app(z, Z3_get_quantifier_body(z, t));
	*inside = Z3_get_app_arg(z, body, 0);
	*value = Z3_get_app_arg(z, body, 1);
	*below = Z3_get_app_arg(z, Z3_to_app(z, Z3_get_app_arg(z, body, 2)), 0);
	return true;
}

static bool has_layer(Z3_context z, Z3_ast t)
{
	Z3_ast a, b, c;

	while (is_store(z, t, &a, &b, &c))
		t = a;
	return is_layer(z, t, &a, &b, &c);
}

#define SELECT_MAX_CASES 16

/* A byte of an update array at an index, as a term. */
typedef Z3_ast (*select_fn)(struct sym_ctx *ctx, Z3_ast array, Z3_ast index);

static Z3_ast select_cases(struct sym_ctx *ctx, Z3_ast array, Z3_ast index, bool instantiate);

/* A layer's byte at index: its value there when inside, else what is below. */
static Z3_ast select_layer(struct sym_ctx *ctx, Z3_ast inside, Z3_ast value, Z3_ast below, Z3_ast index)
{
	return Z3_mk_ite(ctx->z, Z3_substitute_vars(ctx->z, inside, 1, &index),
			 Z3_substitute_vars(ctx->z, value, 1, &index), select_cases(ctx, below, index, true));
}

/* select(array, index), with the writes the index cannot hit left out: a
 * read at an index whose range misses a write's never asks the solver
 * whether the two collide. Writes it may hit stay, as cases. A copy layer
 * is instantiated at the index, unless instantiate is false: then the
 * layer is read as an array, which the solver instantiates for itself. */
static Z3_ast select_cases(struct sym_ctx *ctx, Z3_ast array, Z3_ast index, bool instantiate)
{
	Z3_context z = ctx->z;
	Z3_ast t = array, below, j, v, inside, result = NULL, *hits = NULL;
	size_t hit_cnt = 0, hit_cap = 0;
	uint64_t at_lo, at_hi, w_lo, w_hi;

	sym_unsigned_bounds(ctx, index, &at_lo, &at_hi);
	for (;;) {
		if (is_layer(z, t, &inside, &v, &below)) {
			if (!instantiate)
				break;
			/* a copy: what is below it is read through it */
			result = select_layer(ctx, inside, v, below, index);
			t = NULL;
			break;
		}
		if (!is_store(z, t, &below, &j, &v))
			break;
		sym_unsigned_bounds(ctx, j, &w_lo, &w_hi);
		if (w_hi < at_lo || w_lo > at_hi) {
			t = below;
			continue;
		}
		if (j == index || (at_lo == at_hi && w_lo == w_hi)) {
			/* a certain hit: nothing below matters */
			t = NULL;
			result = v;
			break;
		}
		/* past a few, the array theory weighs the writes left */
		if (hit_cnt == 2 * SELECT_MAX_CASES)
			break;
		if (hit_cnt + 2 > hit_cap) {
			Z3_ast *h = realloc(hits, (hit_cap = hit_cap ? hit_cap * 2 : 16) * sizeof(*h));

			if (!h) {
				free(hits);
				return Z3_mk_select(z, array, index);
			}
			hits = h;
		}
		hits[hit_cnt++] = j;
		hits[hit_cnt++] = v;
		t = below;
	}
	if (t) {
		Z3_app app = Z3_get_ast_kind(z, t) == Z3_APP_AST ? Z3_to_app(z, t) : NULL;

		if (app && Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) == Z3_OP_CONST_ARRAY)
			result = Z3_get_app_arg(z, app, 0);
		else if (instantiate && has_layer(z, t))
			result = select_cases(ctx, t, index, true); /* the cases left, the layer read through */
		else
			result = Z3_mk_select(z, t, index);
	}
	for (size_t i = hit_cnt; i > 0; i -= 2)
		result = Z3_mk_ite(z, Z3_mk_eq(z, index, hits[i - 2]), hits[i - 1], result);
	free(hits);
	return result;
}

static Z3_ast select_over_writes(struct sym_ctx *ctx, Z3_ast array, Z3_ast index)
{
	return select_cases(ctx, array, index, true);
}

/* For a byte of a bulk read: instantiating a layer is a dozen terms per
 * byte, and a read of kilobytes at a symbolic offset makes them by the
 * hundred thousand, terms the context keeps for the run (falco's exec
 * programs copy 4 KiB path strings between symbolic offsets of their
 * scratch value: t2_sched_p_exec's first 12 paths peak at 450 MiB, 282
 * MiB with the layers left to the solver). A read of a few bytes keeps
 * them instantiated, which the solver weighs faster (process_vm_readv_x:
 * 83% of its instructions at 10 s, 45-69% with every read leaving them). */
static Z3_ast select_over_stores(struct sym_ctx *ctx, Z3_ast array, Z3_ast index)
{
	return select_cases(ctx, array, index, false);
}

/* The origin as an array term (built once for concrete content). */
static Z3_ast origin_array(struct sym_ctx *ctx, const struct sregion *r)
{
	struct sorigin *o = r->origin;
	Z3_ast a;

	if (o && o->array)
		return o->array;
	a = Z3_mk_const_array(ctx->z, ctx->bv64, sym_num(ctx, 0, 8));
	if (!o)
		return a;
	for (uint32_t k = 0; k < r->size; k++)
		if (o->bytes[k])
			a = Z3_mk_store(ctx->z, a, num64(ctx, k), sym_num(ctx, o->bytes[k], 8));
	o->array = a;
	return a;
}

/* The value byte k had before the program ran: a number, or a term. */
static Z3_ast origin_byte(struct sym_ctx *ctx, const struct sregion *r, uint32_t k, uint8_t *conc)
{
	*conc = 0;
	if (!r->origin)
		return NULL;
	if (r->origin->kind == SORIGIN_BYTES) {
		*conc = r->origin->bytes[k];
		return NULL;
	}
	return Z3_mk_select(ctx->z, r->origin->array, num64(ctx, k));
}

/* Byte k now: a number (*conc, term NULL) or a term. */
static Z3_ast byte_now(struct sym_ctx *ctx, const struct sregion *r, uint32_t k, uint8_t *conc)
{
	const struct spage *p = page_at(r, k);
	uint32_t i = k % SPAGE_SIZE;

	*conc = 0;
	if (p && bit(p->set, i)) {
		*conc = p->conc[i];
		return p->sym ? p->sym[i] : NULL;
	}
	if (r->updates) {
		Z3_ast t = select_over_writes(ctx, r->updates, num64(ctx, k));
		uint64_t v;

		if (Z3_is_numeral_ast(ctx->z, t) && Z3_get_numeral_uint64(ctx->z, t, &v)) {
			*conc = (uint8_t)v;
			return NULL;
		}
		return t;
	}
	return origin_byte(ctx, r, k, conc);
}

static Z3_ast byte_term(struct sym_ctx *ctx, const struct sregion *r, uint32_t k)
{
	uint8_t c;
	Z3_ast t = byte_now(ctx, r, k, &c);

	return t ? t : sym_num(ctx, c, 8);
}

static Z3_ast array_index(struct sym_ctx *ctx, struct sval off, uint32_t i)
{
	if (sval_is_conc(off))
		return num64(ctx, off.c + i);
	return sym_index_add(ctx, off.e, i);
}

static Z3_ast select_plain(struct sym_ctx *ctx, Z3_ast array, Z3_ast index)
{
	return Z3_mk_select(ctx->z, array, index);
}

/* size bytes from an array term at off, byte 0 lowest, each through sel,
 * as a term of size * 8 bits. */
static Z3_ast array_read(struct sym_ctx *ctx, Z3_ast array, struct sval off, unsigned size, select_fn sel)
{
	Z3_ast v = sel(ctx, array, array_index(ctx, off, size - 1));

	for (unsigned i = size - 1; i-- > 0;)
		v = Z3_mk_concat(ctx->z, v, sel(ctx, array, array_index(ctx, off, i)));
	return v;
}

/* A symbolic pointer spilled to memory keeps its region through a tag on
 * its 8-byte slot: the term alone does not say where it points. */
static int32_t slot_tag(const struct sregion *r, uint64_t off, unsigned size)
{
	const struct spage *p;

	if (size != 8 || off % 8 || !(p = page_at(r, (uint32_t)off)))
		return -1;
	return p->ptr_tag[(off % SPAGE_SIZE) / 8];
}

/* The value of size bytes at a concrete offset: a number, or a term of
 * size * 8 bits (widened by read_with, so that a byte read alone costs no
 * widening the reader takes apart again). */
static struct sval read_at(struct sym_ctx *ctx, const struct sregion *r, uint64_t off, unsigned size)
{
	Z3_ast t[8], v;
	uint8_t c[8];
	bool concrete = true;

	for (unsigned i = 0; i < size; i++) {
		t[i] = byte_now(ctx, r, (uint32_t)off + i, &c[i]);
		concrete &= !t[i];
	}
	if (concrete)
		return sval_conc(mem_load_le(c, size));
	for (unsigned i = 0; i < size; i++)
		if (!t[i])
			t[i] = sym_num(ctx, c[i], 8);
	v = sym_join_bytes(ctx, t, size);
	return (struct sval){ .e = v, .region = slot_tag(r, off, size) };
}

/* The offsets a symbolic offset into a small region may take, an access
 * of size bytes at a time, each with the condition that it is the one:
 * case v is at base + scale * v when sel == v. The offset's form picks the
 * fewer cases: the values of the few bits it is made of (a 5-bit field
 * times a 56-byte structure: 32 cases), or the offsets within its bounds
 * at its alignment. Offsets past the region's end are left out: the bounds
 * check before the access took them off the path. */
struct offset_cases {
	Z3_ast sel;
	uint64_t base, scale, v, step, left;
	uint32_t last; /* the last offset an access fits at */
};

static struct offset_cases offset_cases(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size)
{
	struct sym_affine a = sym_affine(ctx, off.e);
	uint32_t last = r->size - size;
	uint64_t lo, hi, align = 1, offsets = 0, sel_lo, sel_hi;

	sym_unsigned_bounds(ctx, off.e, &lo, &hi);
	hi = hi < last ? hi : last;
	if (a.x && a.scale)
		for (uint64_t s = a.scale; !(s & 1) && align < SREGION_CASES_MAX; s >>= 1)
			align <<= 1;
	if (lo <= hi) {
		/* the first offset at or above lo that the alignment allows */
		lo += (a.base - lo) & (align - 1);
		offsets = lo <= hi ? (hi - lo) / align + 1 : 0;
	}
	if (a.x) {
		sym_unsigned_bounds(ctx, a.x, &sel_lo, &sel_hi);
		if (sel_hi - sel_lo < offsets)
			return (struct offset_cases){ .sel = a.x, .base = a.base, .scale = a.scale, .v = sel_lo,
						      .step = 1, .left = sel_hi - sel_lo + 1, .last = last };
	}
	return (struct offset_cases){ .sel = off.e, .scale = 1, .v = lo, .step = align, .left = offsets,
				      .last = last };
}

/* The next case: its offset and its condition. */
static bool offset_cases__next(struct sym_ctx *ctx, struct offset_cases *c, uint32_t *off, Z3_ast *cond)
{
	for (; c->left; c->left--, c->v += c->step) {
		uint64_t k = c->base + c->scale * c->v;

		if (k > c->last)
			continue;
		*off = (uint32_t)k;
		*cond = Z3_mk_eq(ctx->z, c->sel, sym_num(ctx, c->v, Z3_get_bv_sort_size(ctx->z, Z3_get_sort(ctx->z, c->sel))));
		c->left--;
		c->v += c->step;
		return true;
	}
	return false;
}

/* A value of size bytes that read_narrow gives, as a term of size * 8
 * bits (a number as a numeral). */
static Z3_ast narrow_term(struct sym_ctx *ctx, struct sval v, unsigned size)
{
	return sval_is_conc(v) ? sym_num(ctx, v.c, 8 * size) : v.e;
}

/* A symbolic offset into a small region: one case per offset it may take,
 * the first the one left when no other holds. A term of size * 8 bits. */
static Z3_ast read_cases(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size)
{
	struct offset_cases c = offset_cases(ctx, r, off, size);
	Z3_ast acc = NULL, cond;
	uint32_t k;

	while (offset_cases__next(ctx, &c, &k, &cond)) {
		Z3_ast v = narrow_term(ctx, read_at(ctx, r, k, size), size);

		acc = acc ? Z3_mk_ite(ctx->z, cond, v, acc) : v;
	}
	if (!acc)
		acc = narrow_term(ctx, read_at(ctx, r, r->size - size, size), size);
	return acc;
}

/* The value of size bytes at off: a number, or a term of size * 8 bits
 * (with the region a spilled pointer's slot keeps). */
static struct sval read_narrow(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size,
			       select_fn over_writes)
{
	Z3_ast t;

	if (r->array)
		t = array_read(ctx, r->array, off, size, select_plain);
	else if (sval_is_conc(off))
		return read_at(ctx, r, off.c, size);
	else if (r->size <= SREGION_CASES_MAX)
		t = read_cases(ctx, r, off, size);
	else
		t = array_read(ctx, r->updates ? r->updates : origin_array(ctx, r), off, size, over_writes);
	return (struct sval){ .e = t, .region = -1 };
}

static struct sval read_with(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size,
			     select_fn over_writes)
{
	struct sval v = read_narrow(ctx, r, off, size, over_writes);

	if (!sval_is_conc(v))
		v.e = sym_from(ctx, v.e, false).e;
	return v;
}

struct sval sregion__read(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size)
{
	return read_with(ctx, r, off, size, select_over_writes);
}

uint64_t sregion__number(const struct sregion *r, uint32_t off, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = size; i-- > 0;) {
		const struct spage *p = page_at(r, off + i);
		uint32_t k = (off + i) % SPAGE_SIZE;
		uint8_t c = 0;

		if (p && bit(p->set, k))
			c = p->sym && p->sym[k] ? 0 : p->conc[k];
		else if (r->origin && r->origin->kind == SORIGIN_BYTES)
			c = r->origin->bytes[off + i];
		v = v << 8 | c;
	}
	return v;
}

Z3_ast sregion__term(struct sym_ctx *ctx, const struct sregion *r)
{
	Z3_ast acc = NULL;

	for (uint32_t i = r->size; i-- > 0;) {
		Z3_ast byte = byte_term(ctx, r, i);

		acc = acc ? Z3_mk_concat(ctx->z, acc, byte) : byte;
	}
	return acc;
}

/* Stores the set bytes the update array lacks over it; with flush, marks
 * them as held there. The result is the region's bytes as an array. */
static Z3_ast store_set_bytes(struct sym_ctx *ctx, struct sregion *r, bool flush)
{
	Z3_ast u = r->updates ? r->updates : origin_array(ctx, r);

	for (uint32_t k = 0; k < r->size; k += SPAGE_SIZE) {
		const struct spage *p = page_at(r, k);
		struct spage *w = NULL;
		bool pending = false;

		for (uint32_t i = 0; p && i < SPAGE_WORDS; i++)
			pending |= (p->set[i] & ~p->flushed[i]) != 0;
		if (!pending)
			continue;
		if (flush && !(w = page_for_write(r, k)))
			return NULL;
		for (uint32_t i = 0; i < SPAGE_SIZE && k + i < r->size; i++) {
			if (!bit(p->set, i) || bit(p->flushed, i))
				continue;
			u = Z3_mk_store(ctx->z, u, num64(ctx, k + i), byte_term(ctx, r, k + i));
			if (w)
				set_bit(w->flushed, i, true);
		}
	}
	return u;
}

static int flush(struct sym_ctx *ctx, struct sregion *r)
{
	Z3_ast u = store_set_bytes(ctx, r, true);

	if (!u)
		return -ENOMEM;
	r->updates = u;
	return 0;
}

Z3_ast sregion__array(struct sym_ctx *ctx, const struct sregion *r)
{
	return store_set_bytes(ctx, (struct sregion *)r, false);
}

static int add_span(struct sregion *r, struct sregion_span span, bool write)
{
	struct sym_access *a = r->accesses;

	if (!a || r->access_cnt == access_room(r->access_cnt)) {
		a = realloc(r->accesses, access_room(r->access_cnt + 1) * sizeof(*a));
		if (!a)
			return -ENOMEM;
	}
	r->accesses = a;
	a[r->access_cnt++] = (struct sym_access){ .off = span.off.e, .len = span.len, .covered = span.covered,
						  .write = write };
	return 0;
}

static int add_access(struct sregion *r, struct sval off, uint32_t len, bool write)
{
	return add_span(r, (struct sregion_span){ .off = off, .len = len }, write);
}

static bool fresh(const struct sregion *r)
{
	return r->origin && r->origin->kind == SORIGIN_FRESH;
}

/* Marks the bytes a concrete read takes from the origin. */
static int mark_read(struct sregion *r, uint64_t off, unsigned size)
{
	for (uint32_t k = (uint32_t)off; k < off + size; k++) {
		const struct spage *p = page_at(r, k);
		struct spage *w;
		uint32_t i = k % SPAGE_SIZE;

		if (p && (bit(p->set, i) || bit(p->read, i)))
			continue;
		w = page_for_write(r, k);
		if (!w)
			return -ENOMEM;
		set_bit(w->read, i, true);
	}
	return 0;
}

/* Region id as a read of size bytes at off finds it, the read recorded:
 * the bytes taken from a fresh origin, and at a symbolic offset into a
 * large region, its bytes flushed to its array. NULL on -ENOMEM. */
static const struct sregion *region_to_read(struct sym_ctx *ctx, struct state *s, uint32_t id, struct sval off,
					    unsigned size)
{
	struct sregion *r = s->regions[id];
	bool large = !r->array && !sval_is_conc(off) && r->size > SREGION_CASES_MAX;

	if (!r->array && (fresh(r) || large)) {
		r = state__writable_region(s, id);
		if (!r)
			return NULL;
		if (large && flush(ctx, r))
			return NULL;
		if (fresh(r) && (sval_is_conc(off) ? mark_read(r, off.c, size) : add_access(r, off, size, false)))
			return NULL;
	}
	return r;
}

int state__read(struct sym_ctx *ctx, struct state *s, uint32_t id, struct sval off, unsigned size, struct sval *out)
{
	const struct sregion *r = region_to_read(ctx, s, id, off, size);

	if (!r)
		return -ENOMEM;
	*out = read_with(ctx, r, off, size, select_over_writes);
	return 0;
}

int state__read_byte(struct sym_ctx *ctx, struct state *s, uint32_t id, struct sval off, bool bulk, Z3_ast *out)
{
	const struct sregion *r = region_to_read(ctx, s, id, off, 1);

	if (!r)
		return -ENOMEM;
	*out = narrow_term(ctx, read_narrow(ctx, r, off, 1, bulk ? select_over_stores : select_over_writes), 1);
	return 0;
}

static void page_set(struct spage *p, uint32_t i, Z3_ast sym, uint8_t conc)
{
	p->conc[i] = conc;
	if (p->sym)
		p->sym[i] = sym;
	set_bit(p->set, i, true);
	set_bit(p->dirty, i, true);
	set_bit(p->flushed, i, false);
}

static int write_byte(struct sregion *r, uint32_t k, Z3_ast sym, uint8_t conc)
{
	struct spage *p = page_for_write(r, k);

	if (!p)
		return -ENOMEM;
	if (sym && !p->sym && !(p->sym = calloc(SPAGE_SIZE, sizeof(*p->sym))))
		return -ENOMEM;
	page_set(p, k % SPAGE_SIZE, sym, conc);
	return 0;
}

int sregion__set_byte(struct sregion *r, uint32_t off, Z3_ast byte)
{
	return write_byte(r, off, byte, 0);
}

static void set_slot_tags(struct sregion *r, uint64_t off, unsigned size, struct sval v)
{
	bool tag = size == 8 && !(off % 8) && !sval_is_conc(v) && v.region >= 0;

	for (uint64_t k = off & ~UINT64_C(7); k < off + size; k += 8) {
		const struct spage *p = page_at(r, (uint32_t)k);
		struct spage *w;

		if (!tag && (!p || p->ptr_tag[(k % SPAGE_SIZE) / 8] < 0))
			continue;
		w = page_for_write(r, (uint32_t)k);
		if (w)
			w->ptr_tag[(k % SPAGE_SIZE) / 8] = tag ? v.region : -1;
	}
}


static void forget_tags(struct spage *p, void *arg)
{
	(void)arg;
	memset(p->ptr_tag, 0xff, sizeof(p->ptr_tag));
}

static void forget_page(struct spage *p, void *arg)
{
	forget_tags(p, arg);
	memset(p->set, 0, sizeof(p->set));
	memset(p->flushed, 0, sizeof(p->flushed));
}

static int write_cases(struct sym_ctx *ctx, struct sregion *r, struct sval off, unsigned size, struct sval v)
{
	struct offset_cases c = offset_cases(ctx, r, off, size);
	Z3_ast here;
	uint32_t k;

	while (offset_cases__next(ctx, &c, &k, &here)) {
		for (unsigned i = 0; i < size; i++)
			if (write_byte(r, k + i, Z3_mk_ite(ctx->z, here, sym_byte(ctx, v, i), byte_term(ctx, r, k + i)), 0))
				return -ENOMEM;
	}
	return each_page_for_write(r, forget_tags, NULL);
}

int sregion__write(struct sym_ctx *ctx, struct sregion *r, struct sval off, unsigned size, struct sval v)
{
	if (r->array) {
		for (unsigned i = 0; i < size; i++)
			r->array = Z3_mk_store(ctx->z, r->array, array_index(ctx, off, i), sym_byte(ctx, v, i));
		return 0;
	}
	if (sval_is_conc(off)) {
		set_slot_tags(r, off.c, size, v);
		for (unsigned i = 0; i < size; i++)
			if (write_byte(r, (uint32_t)off.c + i, sval_is_conc(v) ? NULL : sym_byte(ctx, v, i),
				       (uint8_t)(sval_is_conc(v) ? v.c >> (8 * i) : 0)))
				return -ENOMEM;
		return 0;
	}
	if (r->size <= SREGION_CASES_MAX)
		return write_cases(ctx, r, off, size, v);
	/* any byte may be the one written: the update array holds them all now */
	if (flush(ctx, r))
		return -ENOMEM;
	for (unsigned i = 0; i < size; i++)
		r->updates = Z3_mk_store(ctx->z, r->updates, array_index(ctx, off, i), sym_byte(ctx, v, i));
	return add_access(r, off, size, true) ?: each_page_for_write(r, forget_page, NULL);
}

int sregion__write_bytes(struct sym_ctx *ctx, struct sregion *r, struct sval off, uint32_t n, const struct sval *bytes)
{
	if (r->array || sval_is_conc(off) || r->size <= SREGION_CASES_MAX) {
		for (uint32_t i = 0; i < n; i++) {
			if (sregion__write(ctx, r, sym_offset(ctx, off, i), 1, bytes[i]))
				return -ENOMEM;
		}
		return 0;
	}
	if (flush(ctx, r))
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		r->updates = Z3_mk_store(ctx->z, r->updates, array_index(ctx, off, i), sym_byte(ctx, bytes[i], 0));
	return add_access(r, off, n, true) ?: each_page_for_write(r, forget_page, NULL);
}

/* The span with its offset a term, a number too: an access's offset is one. */
static struct sregion_span span_as_term(struct sym_ctx *ctx, struct sregion_span span)
{
	if (sval_is_conc(span.off))
		span.off.e = num64(ctx, span.off.c);
	return span;
}

int sregion__write_layer(struct sym_ctx *ctx, struct sregion *r, Z3_ast j, Z3_ast value, struct sregion_span span,
			 bool write)
{
	Z3_app bound = Z3_to_app(ctx->z, j);
	Z3_ast inside;

	span = span_as_term(ctx, span);
	inside = Z3_mk_bvult(ctx->z, Z3_mk_bvsub(ctx->z, j, span.off.e), span.covered ?: num64(ctx, span.len));
	if (flush(ctx, r))
		return -ENOMEM;
	r->updates = Z3_mk_lambda_const(ctx->z, 1, &bound,
					Z3_mk_ite(ctx->z, inside, value, Z3_mk_select(ctx->z, r->updates, j)));
	return add_span(r, span, write) ?: each_page_for_write(r, forget_page, NULL);
}

int sregion__mark_span(struct sym_ctx *ctx, struct sregion *r, struct sregion_span span)
{
	return add_span(r, span_as_term(ctx, span), false);
}

bool sregion__untouched(const struct sregion *r)
{
	if (!fresh(r) || r->updates || r->access_cnt)
		return false;
	for (uint32_t i = 0; i < dir_cnt(r->size); i++)
		if (r->dirs[i])
			return false;
	return true;
}

/* ---- values in a model ---- */

/* Where a layer lies: bytes [off, off + covered), as sregion__write_layer
 * makes its inside, bvult(bvsub(j, off), covered). */
static void layer_span(Z3_context z, Z3_ast inside, Z3_ast *off, Z3_ast *covered)
{
	Z3_app below = Z3_to_app(z, inside);

	*off = Z3_get_app_arg(z, Z3_to_app(z, Z3_get_app_arg(z, below, 0)), 1);
	*covered = Z3_get_app_arg(z, below, 1);
}

/* The bytes the stores and layers of an update array give in [off, end),
 * oldest first, over out (indexed from off); hit, unless NULL, marks them.
 * A layer's byte term is evaluated with its index bound, so that the
 * kilobytes a copy laid over a region cost no term per byte. */
static int eval_updates(struct sym_ctx *ctx, Z3_ast updates, uint32_t off, uint32_t end, sregion_eval_fn eval,
			void *arg, uint8_t *out, bool *hit)
{
	Z3_context z = ctx->z;
	Z3_ast *chain = NULL, below, index, value, at, covered;
	size_t cnt = 0, cap = 0;

	for (Z3_ast t = updates; is_store(z, t, &below, &index, &value) || is_layer(z, t, &index, &value, &below);
	     t = below) {
		if (cnt == cap) {
			Z3_ast *c = realloc(chain, (cap = cap ? cap * 2 : 64) * sizeof(*c));

			if (!c) {
				free(chain);
				return -ENOMEM;
			}
			chain = c;
		}
		chain[cnt++] = t;
	}
	while (cnt--) {
		uint64_t k, lo, n;

		if (is_layer(z, chain[cnt], &index, &value, &below)) {
			layer_span(z, index, &at, &covered);
			lo = eval(arg, at, 0);
			n = eval(arg, covered, 0);
			for (k = lo > off ? lo : off; k < end && k - lo < n; k++) {
				out[k - off] = (uint8_t)eval(arg, value, k);
				if (hit)
					hit[k - off] = true;
			}
			continue;
		}
		is_store(z, chain[cnt], &below, &index, &value);
		k = eval(arg, index, 0);
		if (k >= off && k < end) {
			out[k - off] = (uint8_t)eval(arg, value, 0);
			if (hit)
				hit[k - off] = true;
		}
	}
	free(chain);
	return 0;
}

/* Bytes [off, off + len) of every symbolic access (reads only, unless
 * writes too), at their offsets in the model and as many as it covers
 * there, through fn. */
static void each_access(const struct sregion *r, bool writes, sregion_eval_fn eval, void *arg,
			void (*fn)(uint32_t k, void *fn_arg), void *fn_arg)
{
	for (uint32_t a = 0; a < r->access_cnt; a++) {
		uint64_t off, len = r->accesses[a].len, covered;

		if (r->accesses[a].write && !writes)
			continue;
		off = eval(arg, r->accesses[a].off, 0);
		if (r->accesses[a].covered && (covered = eval(arg, r->accesses[a].covered, 0)) < len)
			len = covered;
		for (uint32_t i = 0; i < len && off + i < r->size; i++)
			fn((uint32_t)off + i, fn_arg);
	}
}

struct eval_args {
	struct sym_ctx *ctx;
	const struct sregion *r;
	sregion_eval_fn eval;
	void *arg;
	uint8_t *out;
	bool origin;
	uint8_t *updated; /* the bytes the update array gives, where hit */
	bool *hit;
};

/* Byte k as the origin has it or, unless a->origin, as the region has it now. */
static void eval_at(uint32_t k, void *arg)
{
	struct eval_args *a = arg;
	const struct spage *p = page_at(a->r, k);
	uint32_t i = k % SPAGE_SIZE;
	uint8_t c;
	Z3_ast t;

	if (!a->origin && p && bit(p->set, i)) {
		c = p->conc[i];
		t = p->sym ? p->sym[i] : NULL;
	} else if (!a->origin && a->hit && a->hit[k]) {
		a->out[k] = a->updated[k];
		return;
	} else if (a->r->origin && a->r->origin->kind == SORIGIN_FRESH) {
		/* the element itself: a select term per byte would outlive the test */
		a->out[k] = (uint8_t)a->eval(a->arg, a->r->origin->array, k);
		return;
	} else {
		t = origin_byte(a->ctx, a->r, k, &c);
	}
	a->out[k] = t ? (uint8_t)a->eval(a->arg, t, 0) : c;
}

static int eval_bytes(struct eval_args *a)
{
	const struct sregion *r = a->r;
	int err = 0;

	if (r->origin && r->origin->kind == SORIGIN_BYTES)
		memcpy(a->out, r->origin->bytes, r->size);
	else
		memset(a->out, 0, r->size);
	if (!a->origin && r->updates) {
		a->updated = malloc(r->size ? r->size : 1);
		a->hit = calloc(r->size ? r->size : 1, sizeof(*a->hit));
		err = !a->updated || !a->hit ? -ENOMEM :
		      eval_updates(a->ctx, r->updates, 0, r->size, a->eval, a->arg, a->updated, a->hit);
	}
	for (uint32_t k = 0; !err && k < r->size; k += SPAGE_SIZE) {
		const struct spage *p = page_at(r, k);

		for (uint32_t i = 0; p && i < SPAGE_SIZE && k + i < r->size; i++)
			if (bit(p->read, i) || (!a->origin && bit(p->dirty, i)))
				eval_at(k + i, a);
	}
	if (!err)
		each_access(r, !a->origin, a->eval, a->arg, eval_at, a);
	free(a->updated);
	free(a->hit);
	return err;
}

int sregion__eval(struct sym_ctx *ctx, const struct sregion *r, sregion_eval_fn eval, void *arg, uint8_t *out)
{
	struct eval_args a = { .ctx = ctx, .r = r, .eval = eval, .arg = arg, .out = out };

	return eval_bytes(&a);
}

int sregion__eval_origin(struct sym_ctx *ctx, const struct sregion *r, sregion_eval_fn eval, void *arg, uint8_t *out)
{
	struct eval_args a = { .ctx = ctx, .r = r, .eval = eval, .arg = arg, .out = out, .origin = true };

	return eval_bytes(&a);
}

int sregion__eval_span(struct sym_ctx *ctx, const struct sregion *then, uint32_t off, uint32_t len,
		       const uint8_t *input, sregion_eval_fn eval, void *arg, uint8_t *out)
{
	uint32_t end = off + len < then->size ? off + len : then->size;

	if (off >= end)
		return 0;
	memcpy(out, input + off, end - off);
	/* what the update array holds, then the bytes set in pages over it */
	if (then->updates && eval_updates(ctx, then->updates, off, end, eval, arg, out, NULL))
		return -ENOMEM;
	for (uint32_t k = off; k < end; k++) {
		const struct spage *p = page_at(then, k);
		uint32_t i = k % SPAGE_SIZE;

		if (!p) {
			k |= SPAGE_SIZE - 1;
			continue;
		}
		if (bit(p->set, i))
			out[k - off] = p->sym && p->sym[i] ? (uint8_t)eval(arg, p->sym[i], 0) : p->conc[i];
	}
	return 0;
}
