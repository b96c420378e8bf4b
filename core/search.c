// SPDX-License-Identifier: MIT
/*
 * The searchers share one pool of states and differ only in which one
 * select() takes out: the newest (dfs), the oldest (bfs), a random one
 * weighted by 2^-depth in the fork tree (random-path: every subtree at a
 * fork gets half the chances, so deep branches cannot starve shallow
 * ones), or one about to run an instruction no path has run yet (covnew,
 * newest first, then like dfs).
 */
#include <stdlib.h>
#include <string.h>
#include "search.h"
#include "state.h"

struct pool {
	struct searcher base;
	enum search_kind kind;
	struct state **states;
	size_t cnt, cap;
	uint64_t rng;
	const bool *covered;
	size_t insn_cnt;
};

static void pool_add(struct searcher *self, struct state *s)
{
	struct pool *p = (struct pool *)self;

	if (p->cnt == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct state **states = realloc(p->states, cap * sizeof(*states));

		if (!states)
			abort();
		p->states = states;
		p->cap = cap;
	}
	p->states[p->cnt++] = s;
}

static uint64_t next_random(struct pool *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return p->rng;
}

static size_t pick(struct pool *p)
{
	switch (p->kind) {
	case SEARCH_BFS:
		return 0;
	case SEARCH_RANDOM_PATH: {
		/* weight 2^-depth, relative to the shallowest state */
		uint64_t min_depth = UINT64_MAX;
		double total = 0, r;

		for (size_t i = 0; i < p->cnt; i++)
			if (p->states[i]->depth_in_tree < min_depth)
				min_depth = p->states[i]->depth_in_tree;
		for (size_t i = 0; i < p->cnt; i++)
			total += 1.0 / (double)(UINT64_C(1) << (p->states[i]->depth_in_tree - min_depth > 62 ? 62 :
							    p->states[i]->depth_in_tree - min_depth));
		r = (double)(next_random(p) >> 11) / (double)(UINT64_C(1) << 53) * total;
		for (size_t i = 0; i < p->cnt; i++) {
			uint64_t d = p->states[i]->depth_in_tree - min_depth;

			r -= 1.0 / (double)(UINT64_C(1) << (d > 62 ? 62 : d));
			if (r <= 0)
				return i;
		}
		return p->cnt - 1;
	}
	case SEARCH_COVNEW:
		for (size_t i = p->cnt; i-- > 0;) {
			const struct state *s = p->states[i];

			if (s->depth == 0 && s->pc < p->insn_cnt && !p->covered[s->pc])
				return i;
		}
		return p->cnt - 1;
	default:
		return p->cnt - 1;
	}
}

/* Removes state i; keep_order keeps the others in arrival order. */
static struct state *take(struct pool *p, size_t i, bool keep_order)
{
	struct state *s = p->states[i];

	if (keep_order)
		memmove(&p->states[i], &p->states[i + 1], (p->cnt - i - 1) * sizeof(*p->states));
	else
		p->states[i] = p->states[p->cnt - 1];
	p->cnt--;
	return s;
}

static struct state *pool_select(struct searcher *self)
{
	struct pool *p = (struct pool *)self;

	/* bfs keeps arrival order; the others may reorder */
	return p->cnt ? take(p, pick(p), p->kind == SEARCH_BFS) : NULL;
}

static struct state *pool_steal(struct searcher *self)
{
	struct pool *p = (struct pool *)self;
	size_t best = 0;

	if (p->cnt < 2)
		return NULL;
	for (size_t i = 1; i < p->cnt; i++)
		if (p->states[i]->depth_in_tree < p->states[best]->depth_in_tree)
			best = i;
	/* the others keep their order: dfs goes on where it was */
	return take(p, best, true);
}

static void pool_free(struct searcher *self)
{
	struct pool *p = (struct pool *)self;

	free(p->states);
	free(p);
}

struct searcher *searcher__new(enum search_kind kind, uint64_t seed, const bool *covered, size_t insn_cnt)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->base = (struct searcher){ pool_add, pool_select, pool_steal, pool_free };
	p->kind = kind;
	p->rng = seed ? seed : 0x2545f4914f6cdd1dull;
	p->covered = covered;
	p->insn_cnt = insn_cnt;
	return &p->base;
}
