// SPDX-License-Identifier: MIT
/*
 * The searchers share one pool of states and differ only in which one
 * select() takes out: the newest (dfs), the oldest (bfs), a random one
 * weighted by 2^-depth in the fork tree (random-path: every subtree at a
 * fork gets half the chances, so deep branches cannot starve shallow
 * ones), the one nearest to code no path has run yet (covnew), or
 * random-path and covnew in turn (interleaved, KLEE's default; its
 * random-path picks among the states in the entry program's own run while
 * there are any, as coverage counts only that program's code: a program
 * that tail-calls into 300 paths of another at its end would spend half the
 * picks there).
 *
 * covnew is KLEE's md2u: the distance, in instructions over the entry
 * program's control flow, from a state's next instruction to the nearest
 * instruction no path has run or conditional jump with a side no path has
 * taken, of the code the verifier keeps (reach.h); the nearest state runs
 * first, the newest among equals. A state past a tail call is at no
 * distance (in_entry_run). Calls go
 * to the subprogram and on after the call, a subprogram's exit to every
 * instruction after a call of it (the distance ignores the call stack, as
 * md2u's does), a function reference (a bpf_loop callback) to the
 * function. Distances are computed again, by one breadth-first walk back
 * from the uncovered instructions, whenever coverage grew.
 */
#include <stdlib.h>
#include <string.h>
#include "insn.h"
#include "reach.h"
#include "search.h"
#include "state.h"

#define DIST_INF UINT32_MAX

/* The entry program's control flow, backwards: preds[pred_start[i] ..
 * pred_start[i + 1]) are the instructions control reaches i from. */
struct cfg {
	uint32_t *pred_start, *preds;
	uint8_t *reach;        /* reach.h: dead code is never to be covered, a jump on constants goes one way */
};

struct pool {
	struct searcher base;
	enum search_kind kind;
	struct state **states;
	size_t cnt, cap;
	uint64_t rng;
	const bool *covered;
	const struct mhse_prog *prog;
	size_t insn_cnt;
	/* covnew */
	struct cfg cfg;
	bool *sides[2];        /* sides of conditional jumps some state took */
	uint32_t *dist;        /* to the nearest uncovered code */
	uint32_t *queue;
	size_t covered_cnt, sides_cnt; /* coverage when dist was computed */
	bool dist_stale;
	uint64_t picks;        /* interleaved: which of the two picks next */
};

/* Calls f(arg, from, to) for each control-flow edge of prog: insn_edges',
 * and a subprogram's exit back to every instruction after a call of it. */
static void for_each_edge(const struct mhse_prog *prog, void (*f)(void *arg, size_t from, size_t to), void *arg)
{
	size_t n = prog->insn_cnt;

	for (size_t i = 0; i < n; i++) {
		const struct bpf_insn *insn = &prog->insns[i];
		struct insn_edge edges[INSN_MAX_EDGES];
		size_t cnt = insn_edges(prog->insns, n, i, edges);

		for (size_t k = 0; k < cnt; k++)
			f(arg, i, edges[k].to);
		if (insn->code == (BPF_JMP | BPF_EXIT)) {
			for (size_t k = 0; k < prog->subprog_cnt; k++) {
				const struct mhse_subprog *sp = &prog->subprogs[k];

				if (i < sp->start || i >= sp->start + sp->cnt)
					continue;
				for (size_t c = 0; c + 1 < n; c++)
					if (insn_is_call(&prog->insns[c]) && prog->insns[c].src_reg == BPF_PSEUDO_CALL &&
					    (int64_t)c + prog->insns[c].imm + 1 == (int64_t)sp->start)
						f(arg, i, c + 1);
			}
		}
		if (insn_is_ld_imm64(insn))
			i++;
	}
}

static void count_pred(void *arg, size_t from, size_t to)
{
	(void)from;
	((uint32_t *)arg)[to + 1]++;
}

static void add_pred(void *arg, size_t from, size_t to)
{
	struct cfg *g = arg;

	g->preds[g->pred_start[to]++] = (uint32_t)from;
}

static int cfg__build(struct cfg *g, const struct mhse_prog *prog)
{
	size_t n = prog->insn_cnt;

	g->pred_start = calloc(n + 2, sizeof(*g->pred_start));
	g->reach = calloc(n + 1, sizeof(*g->reach));
	if (!g->pred_start || !g->reach || prog__reach(prog, g->reach))
		return -1;
	for_each_edge(prog, count_pred, g->pred_start);
	for (size_t i = 0; i < n; i++)
		g->pred_start[i + 1] += g->pred_start[i];
	g->preds = malloc((g->pred_start[n] + 1) * sizeof(*g->preds));
	if (!g->preds)
		return -1;
	for_each_edge(prog, add_pred, g);
	/* add_pred moved each start to the next one's: shift back */
	memmove(g->pred_start + 1, g->pred_start, n * sizeof(*g->pred_start));
	g->pred_start[0] = 0;
	return 0;
}

static void cfg__free(struct cfg *g)
{
	free(g->pred_start);
	free(g->preds);
	free(g->reach);
}

/* Whether coverage grew since the distances were computed. */
static bool coverage_grew(struct pool *p)
{
	size_t covered = 0;

	for (size_t i = 0; i < p->insn_cnt; i++)
		covered += p->covered[i];
	if (covered == p->covered_cnt && !p->dist_stale)
		return false;
	p->covered_cnt = covered;
	p->dist_stale = false;
	return true;
}

/* md2u: a walk back from every uncovered instruction and every
 * conditional jump with a side not taken. */
static void compute_distances(struct pool *p)
{
	const struct cfg *g = &p->cfg;
	size_t head = 0, tail = 0;

	for (size_t i = 0; i < p->insn_cnt; i++) {
		bool open = g->reach[i] && (!p->covered[i] || (reach_is_branch(g->reach[i]) &&
							       (!p->sides[0][i] || !p->sides[1][i])));

		p->dist[i] = open ? 0 : DIST_INF;
		if (open)
			p->queue[tail++] = (uint32_t)i;
	}
	while (head < tail) {
		uint32_t i = p->queue[head++];

		for (uint32_t k = g->pred_start[i]; k < g->pred_start[i + 1]; k++) {
			uint32_t pred = g->preds[k];

			if (p->dist[pred] == DIST_INF) {
				p->dist[pred] = p->dist[i] + 1;
				p->queue[tail++] = pred;
			}
		}
	}
}

/* Whether s runs the entry program, before any tail call: code coverage
 * counts lies ahead of such states only. A tail call does not return, and
 * a path back in the entry by one runs it again: the first run of another
 * state can reach all that, as the maps' initial contents are inputs. A
 * tail call run again to take another program (tail_next) is past it. */
static bool in_entry_run(const struct pool *p, const struct state *s)
{
	return s->prog == p->prog && !s->tail_calls && !s->tail_next;
}

static uint32_t distance(const struct pool *p, const struct state *s)
{
	return in_entry_run(p, s) && s->pc < p->insn_cnt ? p->dist[s->pc] : DIST_INF;
}

/* The state nearest to uncovered code, the newest among equals. */
static size_t pick_covnew(struct pool *p)
{
	size_t best = p->cnt - 1;
	uint32_t best_dist = DIST_INF;

	if (coverage_grew(p))
		compute_distances(p);
	for (size_t i = p->cnt; i-- > 0;) {
		uint32_t d = distance(p, p->states[i]);

		if (d < best_dist) {
			best_dist = d;
			best = i;
			if (!d)
				break;
		}
	}
	return best;
}

static void pool_add(struct searcher *self, struct state *s)
{
	struct pool *p = (struct pool *)self;

	/* the side of the jump a state just took counts as taken: it will run
	 * (a state in the entry program made its last branch there, but after a
	 * tail call into itself) */
	if (p->dist && s->branch_cnt && s->prog == p->prog) {
		const struct path_branch *b = &s->branches[s->branch_cnt - 1];

		if (b->pc < p->insn_cnt && !p->sides[b->taken][b->pc]) {
			p->sides[b->taken][b->pc] = true;
			p->dist_stale = true;
		}
	}

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

/* A state's chance in random-path: 2^-depth, relative to the shallowest. */
static double path_weight(const struct state *s, uint64_t min_depth)
{
	uint64_t d = s->depth_in_tree - min_depth;

	return 1.0 / (double)(UINT64_C(1) << (d > 62 ? 62 : d));
}

/* Random-path; with entry_first, among the states in the entry's run if
 * there are any. */
static size_t pick_random_path(struct pool *p, bool entry_first)
{
	uint64_t min_depth = UINT64_MAX;
	double total = 0, r;
	bool only_entry = false;

	for (size_t i = 0; entry_first && i < p->cnt && !only_entry; i++)
		only_entry = in_entry_run(p, p->states[i]);
	for (size_t i = 0; i < p->cnt; i++)
		if ((!only_entry || in_entry_run(p, p->states[i])) && p->states[i]->depth_in_tree < min_depth)
			min_depth = p->states[i]->depth_in_tree;
	for (size_t i = 0; i < p->cnt; i++)
		if (!only_entry || in_entry_run(p, p->states[i]))
			total += path_weight(p->states[i], min_depth);
	r = (double)(next_random(p) >> 11) / (double)(UINT64_C(1) << 53) * total;
	for (size_t i = 0; i < p->cnt; i++)
		if ((!only_entry || in_entry_run(p, p->states[i])) && (r -= path_weight(p->states[i], min_depth)) <= 0)
			return i;
	return p->cnt - 1;
}

static size_t pick(struct pool *p, enum search_kind kind)
{
	switch (kind) {
	case SEARCH_BFS:
		return 0;
	case SEARCH_RANDOM_PATH:
		return pick_random_path(p, p->kind == SEARCH_INTERLEAVED);
	case SEARCH_COVNEW:
		return pick_covnew(p);
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

	enum search_kind kind = p->kind;

	if (!p->cnt)
		return NULL;
	if (kind == SEARCH_INTERLEAVED)
		kind = p->picks++ & 1 ? SEARCH_COVNEW : SEARCH_RANDOM_PATH;
	/* bfs keeps arrival order; the others may reorder */
	return take(p, pick(p, kind), kind == SEARCH_BFS);
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

static struct state **pool_take_all(struct searcher *self, size_t *cnt)
{
	struct pool *p = (struct pool *)self;
	struct state **states = p->states;

	*cnt = p->cnt;
	p->states = NULL;
	p->cnt = p->cap = 0;
	return states;
}

static void pool_free(struct searcher *self)
{
	struct pool *p = (struct pool *)self;

	for (size_t i = 0; i < p->cnt; i++)
		state__free(p->states[i]);
	free(p->states);
	cfg__free(&p->cfg);
	free(p->sides[0]);
	free(p->sides[1]);
	free(p->dist);
	free(p->queue);
	free(p);
}

struct searcher *searcher__new(enum search_kind kind, uint64_t seed, const bool *covered, const struct mhse_prog *prog)
{
	struct pool *p = calloc(1, sizeof(*p));
	size_t n = prog->insn_cnt + 1;

	if (!p)
		return NULL;
	p->base = (struct searcher){ pool_add, pool_select, pool_steal, pool_take_all, pool_free };
	p->kind = kind;
	p->rng = seed ? seed : 0x2545f4914f6cdd1dull;
	p->covered = covered;
	p->prog = prog;
	p->insn_cnt = prog->insn_cnt;
	if (kind != SEARCH_COVNEW && kind != SEARCH_INTERLEAVED)
		return &p->base;
	p->sides[0] = calloc(n, sizeof(*p->sides[0]));
	p->sides[1] = calloc(n, sizeof(*p->sides[1]));
	p->dist = calloc(n, sizeof(*p->dist));
	p->queue = calloc(n, sizeof(*p->queue));
	p->dist_stale = true;
	if (!p->sides[0] || !p->sides[1] || !p->dist || !p->queue || cfg__build(&p->cfg, prog)) {
		pool_free(&p->base);
		return NULL;
	}
	return &p->base;
}
