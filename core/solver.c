// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "solver.h"

#define RECENT_MODELS 8

/* Query cache: the sorted ids of a query's terms -> its answer. */
struct query_entry {
	uint32_t *ids;
	uint32_t cnt;
	uint64_t hash;
	enum sat result;
};

struct query_cache {
	struct query_entry *slots;
	size_t cap, used;
	Z3_model recent[RECENT_MODELS];
	unsigned next_recent;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int solver__init(struct solver *s, struct sym_ctx *ctx, unsigned timeout_ms)
{
	Z3_params params;

	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->timeout_ms = timeout_ms;
	s->cache = calloc(1, sizeof(*s->cache));
	if (!s->cache)
		return -ENOMEM;
	s->z3 = Z3_mk_simple_solver(ctx->z);
	Z3_solver_inc_ref(ctx->z, s->z3);
	params = Z3_mk_params(ctx->z);
	Z3_params_inc_ref(ctx->z, params);
	Z3_params_set_uint(ctx->z, params, Z3_mk_string_symbol(ctx->z, "timeout"), timeout_ms);
	Z3_solver_set_params(ctx->z, s->z3, params);
	Z3_params_dec_ref(ctx->z, params);
	return 0;
}

void solver__fini(struct solver *s)
{
	if (!s->cache)
		return;
	for (size_t i = 0; i < s->cache->cap; i++)
		free(s->cache->slots[i].ids);
	for (unsigned i = 0; i < RECENT_MODELS; i++)
		if (s->cache->recent[i])
			Z3_model_dec_ref(s->ctx->z, s->cache->recent[i]);
	free(s->cache->slots);
	free(s->cache);
	Z3_solver_dec_ref(s->ctx->z, s->z3);
	memset(s, 0, sizeof(*s));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int push_u32(uint32_t **arr, uint32_t *cnt, uint32_t *cap, uint32_t v)
{
	if (*cnt == *cap) {
		uint32_t n = *cap ? *cap * 2 : 16;
		uint32_t *a = realloc(*arr, n * sizeof(*a));

		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = n;
	}
	(*arr)[(*cnt)++] = v;
	return 0;
}

/* A walk over a term's DAG: the variables found, and the nodes seen (an
 * open-addressing set of ast ids + 1). Terms a program builds by hashing
 * through thousands of instructions are huge: the walk is iterative and
 * gives up past SOLVER_MAX_TERM_NODES, and so does the query. */
#define SOLVER_MAX_TERM_NODES 20000

struct walk {
	uint32_t *vars, var_cnt, var_cap;
	uint32_t *seen, seen_cnt, seen_cap;
	Z3_ast *stack;
	size_t depth, stack_cap;
};

/* Adds id to the seen set; returns 1 if it was there, 0 if added, <0 on error. */
static int seen_add(struct walk *w, uint32_t id)
{
	if ((w->seen_cnt + 1) * 2 > w->seen_cap) {
		uint32_t cap = w->seen_cap ? w->seen_cap * 2 : 256, *set = calloc(cap, sizeof(*set));

		if (!set)
			return -ENOMEM;
		for (uint32_t i = 0; i < w->seen_cap; i++) {
			uint32_t slot;

			if (!w->seen[i])
				continue;
			for (slot = (w->seen[i] * 2654435761u) & (cap - 1); set[slot]; slot = (slot + 1) & (cap - 1))
				;
			set[slot] = w->seen[i];
		}
		free(w->seen);
		w->seen = set;
		w->seen_cap = cap;
	}
	for (uint32_t slot = ((id + 1) * 2654435761u) & (w->seen_cap - 1);; slot = (slot + 1) & (w->seen_cap - 1)) {
		if (w->seen[slot] == id + 1)
			return 1;
		if (!w->seen[slot]) {
			w->seen[slot] = id + 1;
			w->seen_cnt++;
			return 0;
		}
	}
}

static int walk_push(struct walk *w, Z3_ast e)
{
	if (w->depth == w->stack_cap) {
		size_t cap = w->stack_cap ? w->stack_cap * 2 : 64;
		Z3_ast *stack = realloc(w->stack, cap * sizeof(*stack));

		if (!stack)
			return -ENOMEM;
		w->stack = stack;
		w->stack_cap = cap;
	}
	w->stack[w->depth++] = e;
	return 0;
}

static int collect_vars(Z3_context z, Z3_ast root, struct walk *w)
{
	int err = walk_push(w, root);

	while (!err && w->depth) {
		Z3_ast e = w->stack[--w->depth];
		Z3_app app;
		unsigned n;
		int seen;

		if (Z3_get_ast_kind(z, e) != Z3_APP_AST)
			continue;
		seen = seen_add(w, Z3_get_ast_id(z, e));
		if (seen < 0)
			return seen;
		if (seen)
			continue;
		if (w->seen_cnt > SOLVER_MAX_TERM_NODES)
			return -E2BIG;
		app = Z3_to_app(z, e);
		n = Z3_get_app_num_args(z, app);
		if (!n) {
			if (Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) == Z3_OP_UNINTERPRETED)
				err = push_u32(&w->vars, &w->var_cnt, &w->var_cap, Z3_get_ast_id(z, e));
			continue;
		}
		for (unsigned i = 0; i < n && !err; i++)
			err = walk_push(w, Z3_get_app_arg(z, app, i));
	}
	return err;
}

static int vars_of(struct solver *s, Z3_ast e, uint32_t **vars, uint32_t *cnt)
{
	struct walk w = { 0 };
	int err = collect_vars(s->ctx->z, e, &w);

	free(w.seen);
	free(w.stack);
	if (err) {
		free(w.vars);
		return err;
	}
	if (w.var_cnt)
		qsort(w.vars, w.var_cnt, sizeof(*w.vars), cmp_u32);
	*vars = w.vars;
	*cnt = w.var_cnt;
	return 0;
}

int solver__constraint(struct solver *s, Z3_ast e, struct constraint *out)
{
	out->e = e;
	return vars_of(s, e, &out->vars, &out->var_cnt);
}

void constraint__free(struct constraint *c)
{
	free(c->vars);
	c->vars = NULL;
}

static bool intersects(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
	for (uint32_t i = 0, j = 0; i < na && j < nb;) {
		if (a[i] == b[j])
			return true;
		if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return false;
}

/* Merges b into the sorted set a. */
static int merge_vars(uint32_t **a, uint32_t *na, uint32_t *cap, const uint32_t *b, uint32_t nb)
{
	for (uint32_t j = 0; j < nb; j++) {
		bool found = false;

		for (uint32_t i = 0; i < *na && !found; i++)
			found = (*a)[i] == b[j];
		if (!found && push_u32(a, na, cap, b[j]))
			return -ENOMEM;
	}
	qsort(*a, *na, sizeof(**a), cmp_u32);
	return 0;
}

/* Marks the constraints that share variables with cond, transitively. */
static int select_relevant(struct solver *s, const struct constraint *const *path, size_t n, Z3_ast cond, bool *use)
{
	uint32_t *vars, cnt, cap;
	bool changed = true;

	if (vars_of(s, cond, &vars, &cnt))
		return -ENOMEM;
	cap = cnt;
	memset(use, 0, n * sizeof(*use));
	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (use[i] || !intersects(vars, cnt, path[i]->vars, path[i]->var_cnt))
				continue;
			use[i] = changed = true;
			if (merge_vars(&vars, &cnt, &cap, path[i]->vars, path[i]->var_cnt)) {
				free(vars);
				return -ENOMEM;
			}
		}
	}
	free(vars);
	return 0;
}

static bool holds_in(Z3_context z, Z3_model m, Z3_ast e)
{
	Z3_ast v;

	return Z3_model_eval(z, m, e, true, &v) && Z3_get_bool_value(z, v) == Z3_L_TRUE;
}

static bool model_satisfies(Z3_context z, Z3_model m, const struct constraint *const *path, size_t n, const bool *use,
			    Z3_ast cond)
{
	if (!holds_in(z, m, cond))
		return false;
	for (size_t i = 0; i < n; i++)
		if (use[i] && !holds_in(z, m, path[i]->e))
			return false;
	return true;
}

static uint64_t hash_ids(const uint32_t *ids, uint32_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ ids[i]) * 1099511628211ull;
	return h;
}

static struct query_entry *cache_slot(struct query_cache *c, const uint32_t *ids, uint32_t n, uint64_t h)
{
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct query_entry *e = &c->slots[i];

		if (!e->ids || (e->hash == h && e->cnt == n && !memcmp(e->ids, ids, n * sizeof(*ids))))
			return e;
	}
}

static int cache_grow(struct query_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 1024;
	struct query_entry *old = c->slots, *slots = calloc(cap, sizeof(*slots));
	size_t old_cap = c->cap;

	if (!slots)
		return -ENOMEM;
	c->slots = slots;
	c->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].ids)
			*cache_slot(c, old[i].ids, old[i].cnt, old[i].hash) = old[i];
	free(old);
	return 0;
}

static void remember_model(struct solver *s, Z3_model m)
{
	struct query_cache *c = s->cache;
	Z3_model *slot = &c->recent[c->next_recent++ % RECENT_MODELS];

	if (*slot)
		Z3_model_dec_ref(s->ctx->z, *slot);
	Z3_model_inc_ref(s->ctx->z, m);
	*slot = m;
}

enum sat solver__check(struct solver *s, const struct constraint *const *path, size_t n, Z3_ast cond, Z3_model *model)
{
	Z3_context z = s->ctx->z;
	struct query_cache *c = s->cache;
	bool *use = calloc(n ? n : 1, sizeof(*use));
	uint32_t *ids = NULL, id_cnt = 0, id_cap = 0;
	struct query_entry *entry = NULL;
	enum sat result = SAT_UNKNOWN;
	Z3_lbool r;
	uint64_t t0;

	s->stats.queries++;
	if (!use || select_relevant(s, path, n, cond, use))
		goto out;
	/* Counterexample cache: the path's own model first, then recent ones. */
	if (model && *model && model_satisfies(z, *model, path, n, use, cond)) {
		s->stats.model_hits++;
		result = SAT_YES;
		goto out;
	}
	for (unsigned i = 0; i < RECENT_MODELS; i++) {
		Z3_model m = c->recent[i];

		if (m && model_satisfies(z, m, path, n, use, cond)) {
			s->stats.model_hits++;
			if (model) {
				if (*model)
					Z3_model_dec_ref(z, *model);
				Z3_model_inc_ref(z, m);
				*model = m;
			}
			result = SAT_YES;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (use[i] && push_u32(&ids, &id_cnt, &id_cap, Z3_get_ast_id(z, path[i]->e)))
			goto out;
	if (push_u32(&ids, &id_cnt, &id_cap, Z3_get_ast_id(z, cond)))
		goto out;
	qsort(ids, id_cnt, sizeof(*ids), cmp_u32);
	if ((c->used + 1) * 2 > c->cap && cache_grow(c))
		goto out;
	uint64_t h = hash_ids(ids, id_cnt);
	entry = cache_slot(c, ids, id_cnt, h);
	if (entry->ids && (entry->result == SAT_NO || !model)) {
		s->stats.cache_hits++;
		result = entry->result;
		goto out;
	}

	Z3_solver_reset(z, s->z3);
	for (size_t i = 0; i < n; i++)
		if (use[i])
			Z3_solver_assert(z, s->z3, path[i]->e);
	Z3_solver_assert(z, s->z3, cond);
	s->stats.z3_calls++;
	t0 = now_ns();
	r = Z3_solver_check(z, s->z3);
	s->stats.ns += now_ns() - t0;
	result = r == Z3_L_TRUE ? SAT_YES : r == Z3_L_FALSE ? SAT_NO : SAT_UNKNOWN;
	if (result == SAT_UNKNOWN) {
		s->stats.timeouts++;
		goto out;
	}
	if (result == SAT_YES) {
		Z3_model m = Z3_solver_get_model(z, s->z3);

		Z3_model_inc_ref(z, m);
		remember_model(s, m);
		if (model) {
			if (*model)
				Z3_model_dec_ref(z, *model);
			*model = m;
		} else {
			Z3_model_dec_ref(z, m);
		}
	}
	if (!entry->ids) {
		entry->ids = ids;
		entry->cnt = id_cnt;
		entry->hash = h;
		c->used++;
		ids = NULL;
	}
	entry->result = result;
out:
	free(ids);
	free(use);
	return result;
}

enum sat solver__model(struct solver *s, const struct constraint *const *path, size_t n, Z3_model *model)
{
	Z3_context z = s->ctx->z;
	Z3_lbool r;
	uint64_t t0;
	size_t i;

	if (*model) {
		for (i = 0; i < n && holds_in(z, *model, path[i]->e); i++)
			;
		if (i == n) {
			s->stats.model_hits++;
			return SAT_YES;
		}
	}
	Z3_solver_reset(z, s->z3);
	for (i = 0; i < n; i++)
		Z3_solver_assert(z, s->z3, path[i]->e);
	s->stats.queries++;
	s->stats.z3_calls++;
	t0 = now_ns();
	r = Z3_solver_check(z, s->z3);
	s->stats.ns += now_ns() - t0;
	if (r != Z3_L_TRUE) {
		s->stats.timeouts += r == Z3_L_UNDEF;
		return r == Z3_L_FALSE ? SAT_NO : SAT_UNKNOWN;
	}
	if (*model)
		Z3_model_dec_ref(z, *model);
	*model = Z3_solver_get_model(z, s->z3);
	Z3_model_inc_ref(z, *model);
	return SAT_YES;
}

uint64_t solver__eval(struct solver *s, Z3_model model, Z3_ast e)
{
	Z3_ast v;
	uint64_t out = 0;

	if (model && Z3_model_eval(s->ctx->z, model, e, true, &v))
		Z3_get_numeral_uint64(s->ctx->z, v, &out);
	return out;
}
