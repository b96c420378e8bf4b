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
	if ((s->region_cnt && !c->regions) || (s->path_cnt && !c->path) || (s->nondet_cnt && !c->nondet) ||
	    (s->record_cnt && !c->records) || (s->inner_cnt && !c->inner_outer) || (s->branch_cnt && !c->branches) || (s->trace_cnt && !c->traces) || (s->event_cnt && !c->events) ||
	    (s->window_cnt && !c->windows) || (s->depth_in_tree && !c->fork_bits)) {
		c->region_cnt = 0;
		c->model.a = NULL;
		state__free(c);
		return NULL;
	}
	for (uint32_t i = 0; i < c->region_cnt; i++)
		c->regions[i]->refs++;
	assignment__get(c->model.a);
	return c;
}

static void sregion_put(struct sregion *r)
{
	if (--r->refs)
		return;
	free(r->conc);
	free(r->sym);
	free(r->ptr_tag);
	free(r);
}

void state__free(struct state *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->region_cnt; i++)
		sregion_put(s->regions[i]);
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
	free(s);
}

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

	if (!r || !(r->conc = calloc(1, size ? size : 1))) {
		free(r);
		return -ENOMEM;
	}
	if (grow_regions(s)) {
		free(r->conc);
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

	if (r->refs == 1)
		return r;
	c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *r;
	c->refs = 1;
	/* an array-backed region keeps its bytes in the array term */
	c->conc = r->array ? NULL : dup_array(r->conc, r->size ? r->size : 1, 1);
	c->sym = r->sym ? dup_array(r->sym, r->size, sizeof(*r->sym)) : NULL;
	c->ptr_tag = r->ptr_tag ? dup_array(r->ptr_tag, r->size / 8, sizeof(*r->ptr_tag)) : NULL;
	if ((!r->array && !c->conc) || (r->sym && !c->sym) || (r->ptr_tag && !c->ptr_tag)) {
		free(c->conc);
		free(c->sym);
		free(c->ptr_tag);
		free(c);
		return NULL;
	}
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

static Z3_ast array_index(struct sym_ctx *ctx, struct sval off, uint32_t i)
{
	if (sval_is_conc(off))
		return sym_num(ctx, off.c + i, 64);
	return i ? Z3_mk_bvadd(ctx->z, off.e, sym_num(ctx, i, 64)) : off.e;
}

static Z3_ast byte_at(struct sym_ctx *ctx, const struct sregion *r, struct sval off, uint32_t i)
{
	if (r->array)
		return Z3_mk_select(ctx->z, r->array, array_index(ctx, off, i));
	uint32_t k = (uint32_t)off.c + i;
	return r->sym && r->sym[k] ? r->sym[k] : sym_num(ctx, r->conc[k], 8);
}

/* The value of size bytes at a concrete offset (or at any offset, for arrays). */
static struct sval read_at(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size)
{
	Z3_ast v;
	bool concrete = !r->array;

	for (unsigned i = 0; concrete && r->sym && i < size; i++)
		concrete = !r->sym[off.c + i];
	if (concrete)
		return sval_conc(mem_load_le(r->conc + off.c, size));
	v = byte_at(ctx, r, off, size - 1);
	for (unsigned i = size - 1; i-- > 0;)
		v = Z3_mk_concat(ctx->z, v, byte_at(ctx, r, off, i));
	return sym_from(ctx, v, false);
}

/* A symbolic pointer spilled to memory keeps its region through a tag on
 * its 8-byte slot: the term alone does not say where it points. */
static int32_t slot_tag(const struct sregion *r, struct sval off, unsigned size)
{
	if (!r->ptr_tag || size != 8 || !sval_is_conc(off) || off.c % 8)
		return -1;
	return r->ptr_tag[off.c / 8];
}

static void set_slot_tags(struct sregion *r, struct sval off, unsigned size, struct sval v)
{
	bool tag = size == 8 && sval_is_conc(off) && !(off.c % 8) && !sval_is_conc(v) && v.region >= 0;

	if (!r->ptr_tag && !tag)
		return;
	if (!r->ptr_tag) {
		r->ptr_tag = malloc((r->size / 8 ? r->size / 8 : 1) * sizeof(*r->ptr_tag));
		if (!r->ptr_tag)
			return;
		memset(r->ptr_tag, 0xff, (r->size / 8 ? r->size / 8 : 1) * sizeof(*r->ptr_tag));
	}
	if (!sval_is_conc(off)) {
		memset(r->ptr_tag, 0xff, (r->size / 8) * sizeof(*r->ptr_tag));
		return;
	}
	for (uint64_t slot = off.c / 8; slot <= (off.c + size - 1) / 8 && slot < r->size / 8; slot++)
		r->ptr_tag[slot] = -1;
	if (tag)
		r->ptr_tag[off.c / 8] = v.region;
}

struct sval sregion__read(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size)
{
	struct sval v;
	Z3_ast acc;

	if (r->array || sval_is_conc(off)) {
		v = read_at(ctx, r, off, size);
		if (!sval_is_conc(v))
			v.region = slot_tag(r, off, size);
		return v;
	}
	/* A symbolic offset into a small region: one case per possible offset. */
	acc = sym_ast(ctx, read_at(ctx, r, sval_conc(r->size - size), size));
	for (uint32_t k = r->size - size; k-- > 0;) {
		v = read_at(ctx, r, sval_conc(k), size);
		acc = Z3_mk_ite(ctx->z, Z3_mk_eq(ctx->z, off.e, sym_num(ctx, k, 64)), sym_ast(ctx, v), acc);
	}
	return (struct sval){ .e = acc, .region = -1 };
}

Z3_ast sregion__term(struct sym_ctx *ctx, const struct sregion *r)
{
	Z3_ast acc = NULL;

	for (uint32_t i = r->size; i-- > 0;) {
		Z3_ast byte = r->sym && r->sym[i] ? r->sym[i] : sym_num(ctx, r->conc[i], 8);

		acc = acc ? Z3_mk_concat(ctx->z, acc, byte) : byte;
	}
	return acc;
}

static int ensure_sym(struct sregion *r)
{
	if (!r->sym)
		r->sym = calloc(r->size ? r->size : 1, sizeof(*r->sym));
	return r->sym ? 0 : -ENOMEM;
}

void sregion__write(struct sym_ctx *ctx, struct sregion *r, struct sval off, unsigned size, struct sval v)
{
	if (!r->array)
		set_slot_tags(r, off, size, v);
	if (r->array) {
		for (unsigned i = 0; i < size; i++)
			r->array = Z3_mk_store(ctx->z, r->array, array_index(ctx, off, i), sym_byte(ctx, v, i));
		return;
	}
	if (sval_is_conc(off)) {
		if (sval_is_conc(v)) {
			mem_store_le(r->conc + off.c, size, v.c);
			for (unsigned i = 0; r->sym && i < size; i++)
				r->sym[off.c + i] = NULL;
			return;
		}
		if (ensure_sym(r))
			return;
		for (unsigned i = 0; i < size; i++)
			r->sym[off.c + i] = sym_byte(ctx, v, i);
		return;
	}
	if (ensure_sym(r))
		return;
	for (uint32_t k = 0; k + size <= r->size; k++) {
		Z3_ast here = Z3_mk_eq(ctx->z, off.e, sym_num(ctx, k, 64));

		for (unsigned i = 0; i < size; i++) {
			Z3_ast old = r->sym[k + i] ? r->sym[k + i] : sym_num(ctx, r->conc[k + i], 8);
			r->sym[k + i] = Z3_mk_ite(ctx->z, here, sym_byte(ctx, v, i), old);
		}
	}
}
