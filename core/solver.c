// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <sys/types.h>
#include "repair.h"
#include "solver.h"

#define RECENT_MODELS 8
/* weakening (see below): bounds on the terms it walks and on its query */
#define WEAKEN_MAX_NODES 4096
#define WEAKEN_MAX_DEPTH 64
#define WEAK_TIMEOUT_MS 100
/* Z3's work on a query before it gets a timer (check_bounded): about
 * 50 ms of this machine's time */
#define QUICK_RLIMIT 100000
/* A pinned query too large to be asked whole gets this much time: enough
 * for the ones rakelimit's rate updates need (filter_ipv4 at 10 s: 97.8%
 * of its instructions with the quick bound, 99-100% with this), where the
 * query's whole timeout (1.25 s at --max-time 10) let Z3's memory reach
 * 355 MB in a 10 s run of filter_ipv6; this held it under 170 MB. */
#define PINNED_TIMEOUT_MS 300
/* What a long check of the array solver may add to Z3's memory before its
 * SAT solver gives up: bit-blasting one of falco's array queries (legacy
 * bpf_sched_prog_exec_5) took 394 MB in 2.1 s and came back undecided;
 * with this bound the run peaks at 299 MB. */
#define ARRAY_CHECK_MEMORY_MB 32

/* Query cache: the sorted ids of a query's terms -> its answer. */
struct query_entry {
	uint32_t *ids;
	uint32_t cnt;
	uint64_t hash;
	enum sat result;
	struct assignment *model; /* on SAT: the model Z3 gave, of what the query depends on */
};

struct query_cache {
	struct query_entry *slots;
	size_t cap, used;
	struct assignment *recent[RECENT_MODELS];
	unsigned next_recent;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A solver of z's with the quick bound on its work: Z3's incremental core,
 * or when logic is not NULL, that logic's tactics. */
static Z3_solver new_z3_solver(Z3_context z, const char *logic)
{
	Z3_solver z3 = logic ? Z3_mk_solver_for_logic(z, Z3_mk_string_symbol(z, logic)) : Z3_mk_simple_solver(z);
	Z3_params params;

	/* an object nothing holds lives until the next call into Z3 */
	Z3_solver_inc_ref(z, z3);
	params = Z3_mk_params(z);
	Z3_params_inc_ref(z, params);
	Z3_params_set_uint(z, params, Z3_mk_string_symbol(z, "rlimit"), QUICK_RLIMIT);
	/* the queries are conjunctions of bit-vector facts: tracking which of
	 * them are relevant costs more than it saves (a sixth of Z3's time on
	 * reads at packet-decided offsets) */
	Z3_params_set_uint(z, params, Z3_mk_string_symbol(z, "relevancy"), 0);
	Z3_solver_set_params(z, z3, params);
	Z3_params_dec_ref(z, params);
	return z3;
}

int solver__init(struct solver *s, struct sym_ctx *ctx, unsigned timeout_ms)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->timeout_ms = timeout_ms;
	s->cache = calloc(1, sizeof(*s->cache));
	if (!s->cache)
		return -ENOMEM;
	evaluator__init(&s->ev, ctx->z);
	s->none.refs = 1;
	s->z3 = new_z3_solver(ctx->z, NULL);
	s->weak_z3 = new_z3_solver(ctx->z, NULL);
	solver__set_origin(s, "other");
	return 0;
}

/* QF_ABV's tactics end in a SAT solver whose set-up takes time in
 * proportion to every term its context holds, not only the query's: in
 * the path context, which keeps every term a run built, a query of 8 ms
 * took 120 ms after a few seconds of a run. In a context of its own, a
 * query holds its terms only while it is asked. The context is made for
 * the first such query: a context costs 17 MB, and most runs ask none
 * (falco's t2_sched_p_exec, t1_open_by_handle_at_x and legacy
 * bpf_sched_prog_exec_2 in 10 s). */
static int array_solver__ready(struct solver *s)
{
	if (s->array_ctx)
		return 0;
	s->array_ctx = sym_ctx__scratch_context();
	if (!s->array_ctx)
		return -ENOMEM;
	s->array_z3 = new_z3_solver(s->array_ctx, "QF_ABV");
	return 0;
}

static void array_solver__drop(struct solver *s)
{
	Z3_solver_dec_ref(s->array_ctx, s->array_z3);
	Z3_del_context(s->array_ctx);
	s->array_ctx = NULL;
}

void solver__set_origin(struct solver *s, const char *name)
{
	struct solver_stats *st = &s->stats;
	unsigned i = 0;

	while (i < st->origin_cnt && strcmp(st->origins[i].name, name))
		i++;
	if (i == st->origin_cnt) {
		/* past the table's size, what asks is counted as the first origin, "other" */
		if (i == SOLVER_MAX_ORIGINS)
			i = 0;
		else
			st->origins[st->origin_cnt++].name = name;
	}
	s->origin = i;
}

void solver__set_deadline(struct solver *s, uint64_t deadline_ns)
{
	s->deadline_ns = deadline_ns;
}

/* Counts ns nanoseconds of Z3's work besides a check: scopes pushed and
 * popped, which internalize and drop what they hold (in dae's
 * tproxy_wan_ingress_l2, a quarter of Z3's time). */
static void count_z3_time(struct solver *s, uint64_t ns)
{
	s->stats.ns += ns;
	s->stats.origins[s->origin].ns += ns;
}

/* Counts a Z3 call of ns nanoseconds, sent with constraints path constraints. */
static void count_z3_call(struct solver *s, uint64_t ns, size_t constraints)
{
	struct solver_origin *o = &s->stats.origins[s->origin];

	count_z3_time(s, ns);
	s->stats.z3_calls++;
	o->z3_calls++;
	o->max_ns = ns > o->max_ns ? ns : o->max_ns;
	o->z3_constraints += constraints;
}

/* The array solver's bound on memory: its SAT solver gives up past
 * max_memory_mb of Z3's memory (all contexts'). */
static void set_max_memory(Z3_context z, Z3_solver z3, unsigned max_memory_mb)
{
	Z3_params params = Z3_mk_params(z);

	Z3_params_inc_ref(z, params);
	Z3_params_set_uint(z, params, Z3_mk_string_symbol(z, "max_memory"), max_memory_mb);
	Z3_solver_set_params(z, z3, params);
	Z3_params_dec_ref(z, params);
}

static void set_limits(struct solver *s, Z3_context z, Z3_solver z3, unsigned timeout_ms, unsigned rlimit)
{
	Z3_params params = Z3_mk_params(z);

	Z3_params_inc_ref(z, params);
	Z3_params_set_uint(z, params, Z3_mk_string_symbol(z, "timeout"), timeout_ms);
	Z3_params_set_uint(z, params, Z3_mk_string_symbol(z, "rlimit"), rlimit);
	Z3_solver_set_params(z, z3, params);
	Z3_params_dec_ref(z, params);
	/* a long check (no bound on work) of the array solver gets a bound on
	 * memory instead, relative to what Z3 holds: Z3's bound is process-wide */
	if (z3 == s->array_z3)
		set_max_memory(z, z3, rlimit ? UINT32_MAX :
				      (unsigned)(Z3_get_estimated_alloc_size() >> 20) + ARRAY_CHECK_MEMORY_MB);
}

/* Z3's check of what z3 holds, within timeout_ms and the deadline. A check
 * with a timeout costs a timer thread, whose start and join take longer
 * than most queries on a loaded machine: a check runs first with a bound
 * on Z3's work instead (QUICK_RLIMIT, some tens of milliseconds), and only
 * a query that needs more runs again with the timeout (none when
 * timeout_ms is 0). */
static Z3_lbool check_bounded(struct solver *s, Z3_context z, Z3_solver z3, unsigned timeout_ms, size_t constraints)
{
	uint64_t t0 = now_ns(), left_ms = UINT64_MAX;
	Z3_lbool r;

	if (s->deadline_ns)
		left_ms = t0 >= s->deadline_ns ? 0 : (s->deadline_ns - t0) / 1000000;
	/* a finished path's model still gets the quick check past the deadline */
	if (!left_ms && !s->modelling)
		return Z3_L_UNDEF;
	r = Z3_solver_check(z, z3);
	if (r == Z3_L_UNDEF && timeout_ms) {
		uint64_t spent_ms = (now_ns() - t0) / 1000000;

		left_ms = left_ms < timeout_ms ? left_ms : timeout_ms;
		if (left_ms > spent_ms) {
			s->stats.long_checks++;
			set_limits(s, z, z3, (unsigned)(left_ms - spent_ms), 0);
			r = Z3_solver_check(z, z3);
			set_limits(s, z, z3, UINT32_MAX, QUICK_RLIMIT);
		}
	}
	count_z3_call(s, now_ns() - t0, constraints);
	return r;
}

static void count_query(struct solver *s)
{
	s->stats.queries++;
	s->stats.origins[s->origin].queries++;
}

void solver__fini(struct solver *s)
{
	if (!s->cache)
		return;
	for (size_t i = 0; i < s->cache->cap; i++) {
		free(s->cache->slots[i].ids);
		assignment__put(s->cache->slots[i].model);
	}
	free(s->asserted);
	for (unsigned i = 0; i < RECENT_MODELS; i++)
		assignment__put(s->cache->recent[i]);
	evaluator__fini(&s->ev);
	free(s->cache->slots);
	free(s->cache);
	Z3_solver_dec_ref(s->ctx->z, s->z3);
	Z3_solver_dec_ref(s->ctx->z, s->weak_z3);
	if (s->array_ctx)
		array_solver__drop(s);
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
/* Bit-blasting is what Z3's memory grows with, and multipliers and
 * dividers are most of it: a query whose terms hold more of their gates
 * (arith_gates) is not asked, and is UNKNOWN, as one past its timeout.
 * The seeds' other queries, measured, hold under 30,000 (falco's syscall
 * arithmetic the largest, answered within a second); rakelimit's counts
 * read at hashed indices, asked whole, hold 73,000 to 575,000, and took
 * Z3 over a second and 35 to 190 MB each, mostly to give up. */
#define SOLVER_MAX_ARITH_GATES 50000


/* Inserts term, keeping the set sorted by id. */
static int id_set__add(struct id_set *set, Z3_context z, Z3_ast term)
{
	uint32_t id = Z3_get_ast_id(z, term), lo = 0, hi = set->cnt;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (set->ids[mid] == id)
			return 0;
		if (set->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (set->cnt == set->cap) {
		uint32_t cap = set->cap ? set->cap * 2 : 8;
		uint32_t *ids = realloc(set->ids, cap * sizeof(*ids));
		Z3_ast *terms = ids ? realloc(set->terms, cap * sizeof(*terms)) : NULL;

		if (ids)
			set->ids = ids;
		if (!terms)
			return -ENOMEM;
		set->terms = terms;
		set->cap = cap;
	}
	memmove(set->ids + lo + 1, set->ids + lo, (set->cnt - lo) * sizeof(*set->ids));
	memmove(set->terms + lo + 1, set->terms + lo, (set->cnt - lo) * sizeof(*set->terms));
	set->ids[lo] = id;
	set->terms[lo] = term;
	set->cnt++;
	return 0;
}

static int id_set__merge(struct id_set *a, Z3_context z, const struct id_set *b)
{
	int err = 0;

	for (uint32_t j = 0; j < b->cnt && !err; j++)
		err = id_set__add(a, z, b->terms[j]);
	return err;
}

struct walk {
	struct term_vars vars;
	struct id_set reads; /* reads at symbolic indices, when their indices are walked apart */
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

static bool seen_has(const struct walk *w, uint32_t id)
{
	if (!w->seen_cap)
		return false;
	for (uint32_t slot = ((id + 1) * 2654435761u) & (w->seen_cap - 1); w->seen[slot];
	     slot = (slot + 1) & (w->seen_cap - 1))
		if (w->seen[slot] == id + 1)
			return true;
	return false;
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

static bool is_constant(Z3_context z, Z3_ast e)
{
	Z3_app app = Z3_to_app(z, e);

	return Z3_get_ast_kind(z, e) == Z3_APP_AST && !Z3_get_app_num_args(z, app) &&
	       Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) == Z3_OP_UNINTERPRETED;
}

/* Adds what app depends on to w: a constant-index read of an array
 * constant is an element; an array constant reached any other way is read
 * whole. Returns 1 when app's arguments need not be walked. */
static int add_leaf(Z3_context z, struct walk *w, Z3_ast e, Z3_app app, Z3_decl_kind kind)
{
	unsigned n = Z3_get_app_num_args(z, app);
	Z3_ast array;

	if (!n) {
		if (kind != Z3_OP_UNINTERPRETED)
			return 1;
		if (Z3_get_sort_kind(z, Z3_get_sort(z, e)) != Z3_ARRAY_SORT)
			return id_set__add(&w->vars.scalars, z, e) ?: 1;
		return id_set__add(&w->vars.whole, z, e) ?: id_set__add(&w->vars.arrays, z, e) ?: 1;
	}
	if (kind != Z3_OP_SELECT || n != 2)
		return 0;
	array = Z3_get_app_arg(z, app, 0);
	if (!is_constant(z, array) || Z3_get_ast_kind(z, Z3_get_app_arg(z, app, 1)) != Z3_NUMERAL_AST)
		return 0;
	return id_set__add(&w->vars.scalars, z, e) ?: id_set__add(&w->vars.arrays, z, array) ?: 1;
}

/* The gates bit-blasting e's own operation builds, roughly, where they
 * grow with the square of its width: a multiplier (a product by a number
 * is an adder per bit set in it, or in its negation), or a divider. */
static uint64_t arith_gates(Z3_context z, Z3_ast e, Z3_app app, Z3_decl_kind kind)
{
	uint64_t width, mask, c;

	switch (kind) {
	case Z3_OP_BMUL:
		width = Z3_get_bv_sort_size(z, Z3_get_sort(z, e));
		mask = width >= 64 ? ~0ull : (1ull << width) - 1;
		for (unsigned i = 0, n = Z3_get_app_num_args(z, app); i < n; i++) {
			Z3_ast arg = Z3_get_app_arg(z, app, i);
			unsigned set, neg_set;

			if (width > 64 || Z3_get_ast_kind(z, arg) != Z3_NUMERAL_AST || !Z3_get_numeral_uint64(z, arg, &c))
				continue;
			set = __builtin_popcountll(c);
			neg_set = __builtin_popcountll(-c & mask);
			return width * (set < neg_set ? set : neg_set);
		}
		return width * width;
	case Z3_OP_BUDIV: case Z3_OP_BUDIV_I:
	case Z3_OP_BUREM: case Z3_OP_BUREM_I:
	case Z3_OP_BSDIV: case Z3_OP_BSDIV_I:
	case Z3_OP_BSREM: case Z3_OP_BSREM_I:
	case Z3_OP_BSMOD: case Z3_OP_BSMOD_I:
		width = Z3_get_bv_sort_size(z, Z3_get_sort(z, e));
		return width * width;
	default:
		return 0;
	}
}

/* With indices, the index of a read at a symbolic index goes onto its
 * stack instead of being walked, and the read into w->reads. */
static int collect_vars(Z3_context z, Z3_ast root, struct walk *w, struct walk *indices)
{
	int err = walk_push(w, root);

	while (!err && w->depth) {
		Z3_ast e = w->stack[--w->depth];
		Z3_ast_kind kind = Z3_get_ast_kind(z, e);
		Z3_decl_kind decl;
		Z3_app app;
		bool apart;
		int seen;

		if (kind != Z3_APP_AST && kind != Z3_QUANTIFIER_AST)
			continue;
		seen = seen_add(w, Z3_get_ast_id(z, e));
		if (seen < 0)
			return seen;
		if (seen)
			continue;
		/* a lambda (a packet edited at a symbolic place) depends on what its body reads */
		if (kind == Z3_QUANTIFIER_AST) {
			err = walk_push(w, Z3_get_quantifier_body(z, e));
			continue;
		}
		if (w->seen_cnt > SOLVER_MAX_TERM_NODES)
			return -E2BIG;
		app = Z3_to_app(z, e);
		decl = Z3_get_decl_kind(z, Z3_get_app_decl(z, app));
		w->vars.arith_gates += arith_gates(z, e, app, decl);
		err = add_leaf(z, w, e, app, decl);
		if (err) {
			err = err < 0 ? err : 0;
			continue;
		}
		apart = indices && decl == Z3_OP_SELECT && Z3_get_ast_kind(z, Z3_get_app_arg(z, app, 1)) != Z3_NUMERAL_AST;
		if (apart)
			err = id_set__add(&w->reads, z, e);
		for (unsigned i = 0, n = Z3_get_app_num_args(z, app); i < n && !err; i++)
			err = walk_push(apart && i == 1 ? indices : w, Z3_get_app_arg(z, app, i));
	}
	return err;
}

static void id_set__free(struct id_set *set)
{
	free(set->ids);
	free(set->terms);
}

static void term_vars__free(struct term_vars *v)
{
	id_set__free(&v->scalars);
	id_set__free(&v->arrays);
	id_set__free(&v->whole);
	memset(v, 0, sizeof(*v));
}

static int vars_of(struct solver *s, Z3_ast e, struct term_vars *vars)
{
	struct walk w = { 0 };
	int err = collect_vars(s->ctx->z, e, &w, NULL);

	free(w.seen);
	free(w.stack);
	id_set__free(&w.reads);
	if (err) {
		term_vars__free(&w.vars);
		return err;
	}
	*vars = w.vars;
	return 0;
}

int solver__constraint(struct solver *s, Z3_ast e, struct constraint *out)
{
	out->e = e;
	out->unchecked = false;
	return vars_of(s, e, &out->vars);
}

void constraint__free(struct constraint *c)
{
	term_vars__free(&c->vars);
}

static bool shares(const struct id_set *a, const struct id_set *b)
{
	for (uint32_t i = 0, j = 0; i < a->cnt && j < b->cnt;) {
		if (a->ids[i] == b->ids[j])
			return true;
		if (a->ids[i] < b->ids[j])
			i++;
		else
			j++;
	}
	return false;
}

static bool depends_together(const struct term_vars *a, const struct term_vars *b)
{
	return shares(&a->scalars, &b->scalars) || shares(&a->whole, &b->arrays) || shares(&a->arrays, &b->whole);
}

static int term_vars__merge(struct term_vars *a, Z3_context z, const struct term_vars *b)
{
	a->arith_gates += b->arith_gates;
	return id_set__merge(&a->scalars, z, &b->scalars) ?: id_set__merge(&a->arrays, z, &b->arrays) ?:
	       id_set__merge(&a->whole, z, &b->whole);
}

/* Marks the constraints that share variables with cond, transitively, and
 * sets *vars to what they and cond depend on. */
static int select_relevant(struct solver *s, const struct constraint *const *path, size_t n, Z3_ast cond, bool *use,
			   struct term_vars *vars_out)
{
	struct term_vars vars;
	bool changed = true;
	int err;

	if ((err = vars_of(s, cond, &vars)))
		return err;
	memset(use, 0, n * sizeof(*use));
	while (changed && !err) {
		changed = false;
		for (size_t i = 0; i < n && !err; i++) {
			if (use[i] || !depends_together(&vars, &path[i]->vars))
				continue;
			use[i] = changed = true;
			err = term_vars__merge(&vars, s->ctx->z, &path[i]->vars);
		}
	}
	*vars_out = vars;
	if (err)
		term_vars__free(vars_out);
	return err;
}

static bool holds_in(struct solver *s, struct assignment *a, Z3_ast e)
{
	return solver__eval(s, a, e) == 1;
}

/* Moves model->valid past the constraints its model satisfies. */
static void path_model__advance(struct solver *s, struct path_model *model, const struct constraint *const *path,
				size_t n)
{
	while (model->a && model->valid < n && holds_in(s, model->a, path[model->valid]->e))
		model->valid++;
}

/* Whether the path's own model satisfies cond and the constraints use marks. */
static bool path_model__satisfies(struct solver *s, struct path_model *model, const struct constraint *const *path,
				  size_t n, const bool *use, Z3_ast cond)
{
	path_model__advance(s, model, path, n);
	if (!model->a || !holds_in(s, model->a, cond))
		return false;
	for (size_t i = model->valid; i < n; i++)
		if (use[i] && !holds_in(s, model->a, path[i]->e))
			return false;
	return true;
}

static bool constraints_hold(struct solver *s, struct assignment *a, const struct constraint *const *path, size_t n,
			     const bool *use)
{
	for (size_t i = 0; i < n; i++)
		if (use[i] && !holds_in(s, a, path[i]->e))
			return false;
	return true;
}

/* Counterexample cache: a recent model that satisfies cond (none when
 * NULL) and the constraints use marks, counted as a model hit; or NULL. */
static struct assignment *recent_model(struct solver *s, const struct constraint *const *path, size_t n,
				       const bool *use, Z3_ast cond)
{
	for (unsigned i = 0; i < RECENT_MODELS; i++) {
		struct assignment *m = s->cache->recent[i];

		if (m && (!cond || holds_in(s, m, cond)) && constraints_hold(s, m, path, n, use)) {
			s->stats.model_hits++;
			return m;
		}
	}
	return NULL;
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

/* A query's key in the cache: the sorted ids of its terms. */
struct query_key {
	uint32_t *ids, cnt, cap;
	uint64_t hash;
};

/* The key of the constraints use marks and of cond (none when NULL): 0 or
 * -ENOMEM. */
static int query_key__make(struct solver *s, struct query_key *k, const struct constraint *const *path, size_t n,
			   const bool *use, Z3_ast cond)
{
	Z3_context z = s->ctx->z;

	for (size_t i = 0; i < n; i++)
		if (use[i] && push_u32(&k->ids, &k->cnt, &k->cap, Z3_get_ast_id(z, path[i]->e)))
			return -ENOMEM;
	if (cond && push_u32(&k->ids, &k->cnt, &k->cap, Z3_get_ast_id(z, cond)))
		return -ENOMEM;
	qsort(k->ids, k->cnt, sizeof(*k->ids), cmp_u32);
	k->hash = hash_ids(k->ids, k->cnt);
	return 0;
}

/* k's entry, or the free one it would take (room made for it); NULL on
 * -ENOMEM. */
static struct query_entry *cache_find(struct query_cache *c, const struct query_key *k)
{
	if ((c->used + 1) * 2 > c->cap && cache_grow(c))
		return NULL;
	return cache_slot(c, k->ids, k->cnt, k->hash);
}

/* Keeps result as k's answer, with model m on SAT (its reference passes
 * to the cache, and k's ids too where the entry is new). */
static void cache_keep(struct query_cache *c, struct query_key *k, enum sat result, struct assignment *m)
{
	/* found again: something asked in between may have moved the slots */
	struct query_entry *entry = cache_slot(c, k->ids, k->cnt, k->hash);

	if (result == SAT_YES) {
		assignment__put(entry->model);
		entry->model = m;
	}
	if (!entry->ids) {
		entry->ids = k->ids;
		entry->cnt = k->cnt;
		entry->hash = k->hash;
		c->used++;
		k->ids = NULL;
	}
	entry->result = result;
}

static void remember_model(struct solver *s, struct assignment *a)
{
	struct query_cache *c = s->cache;
	struct assignment **slot = &c->recent[c->next_recent++ % RECENT_MODELS];

	assignment__put(*slot);
	*slot = assignment__get(a);
}

/* Independent groups of a path's constraints: union-find over the
 * constraints, joined through the variables they share. */
struct groups {
	size_t *parent;
	struct id_map { uint32_t *keys; size_t *vals; size_t cap; } first; /* variable -> a constraint mentioning it */
};

static size_t group_root(struct groups *g, size_t i)
{
	while (g->parent[i] != i)
		i = g->parent[i] = g->parent[g->parent[i]];
	return i;
}

/* Joins constraint i with the first one that mentioned id (key tagged so
 * that scalars, arrays and whole-array reads are kept apart). */
static void group_join(struct groups *g, uint32_t id, uint32_t tag, size_t i)
{
	uint32_t key = id * 4 + tag + 1;
	size_t slot = (key * 2654435761u) & (g->first.cap - 1);

	for (; g->first.keys[slot] && g->first.keys[slot] != key; slot = (slot + 1) & (g->first.cap - 1))
		;
	if (!g->first.keys[slot]) {
		g->first.keys[slot] = key;
		g->first.vals[slot] = i;
		return;
	}
	g->parent[group_root(g, i)] = group_root(g, g->first.vals[slot]);
}

static bool group_lookup(const struct groups *g, uint32_t id, uint32_t tag, size_t *i)
{
	uint32_t key = id * 4 + tag + 1;

	for (size_t slot = (key * 2654435761u) & (g->first.cap - 1); g->first.keys[slot];
	     slot = (slot + 1) & (g->first.cap - 1))
		if (g->first.keys[slot] == key) {
			*i = g->first.vals[slot];
			return true;
		}
	return false;
}

enum { TAG_SCALAR, TAG_ARRAY, TAG_WHOLE };

static int groups__build(struct groups *g, const struct constraint *const *path, size_t n)
{
	size_t ids = 1;

	for (size_t i = 0; i < n; i++)
		ids += path[i]->vars.scalars.cnt + path[i]->vars.arrays.cnt + path[i]->vars.whole.cnt;
	for (g->first.cap = 16; g->first.cap < 2 * ids; g->first.cap *= 2)
		;
	g->parent = malloc(n * sizeof(*g->parent) + 1);
	g->first.keys = calloc(g->first.cap, sizeof(*g->first.keys));
	g->first.vals = malloc(g->first.cap * sizeof(*g->first.vals));
	if (!g->parent || !g->first.keys || !g->first.vals)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct term_vars *v = &path[i]->vars;

		g->parent[i] = i;
		for (uint32_t k = 0; k < v->scalars.cnt; k++)
			group_join(g, v->scalars.ids[k], TAG_SCALAR, i);
		for (uint32_t k = 0; k < v->arrays.cnt; k++)
			group_join(g, v->arrays.ids[k], TAG_ARRAY, i);
		for (uint32_t k = 0; k < v->whole.cnt; k++)
			group_join(g, v->whole.ids[k], TAG_WHOLE, i);
	}
	/* an array read whole joins every constraint reading it at all */
	for (size_t i = 0; i < n; i++) {
		const struct id_set *arrays = &path[i]->vars.arrays;
		size_t j;

		for (uint32_t k = 0; k < arrays->cnt; k++)
			if (group_lookup(g, arrays->ids[k], TAG_WHOLE, &j))
				g->parent[group_root(g, i)] = group_root(g, j);
	}
	return 0;
}

static void groups__free(struct groups *g)
{
	free(g->parent);
	free(g->first.keys);
	free(g->first.vals);
}

/* The assertions of the Z3 solver follow the constraints of the queries,
 * one scope per constraint: a query shares most of its constraints with the
 * one before (the same path, or its sibling), so only the ones that differ
 * are popped and asserted, and Z3 keeps what it learned about the rest. */
static int sync_assertions(struct solver *s, const struct constraint *const *path, size_t n, const bool *use)
{
	Z3_context z = s->ctx->z;
	size_t i = 0, kept = 0;

	for (; i < n && (!use[i] || (kept < s->depth && s->asserted[kept] == path[i])); i++)
		kept += use[i];
	if (s->depth > kept) {
		Z3_solver_pop(z, s->z3, (unsigned)(s->depth - kept));
		s->depth = kept;
	}
	for (; i < n; i++) {
		if (!use[i])
			continue;
		if (s->depth == s->asserted_cap) {
			size_t cap = s->asserted_cap ? s->asserted_cap * 2 : 64;
			const struct constraint **asserted = realloc(s->asserted, cap * sizeof(*asserted));

			if (!asserted)
				return -ENOMEM;
			s->asserted = asserted;
			s->asserted_cap = cap;
		}
		Z3_solver_push(z, s->z3);
		Z3_solver_assert(z, s->z3, path[i]->e);
		s->asserted[s->depth++] = path[i];
		/* Z3 internalizes a scope's assertions when the next scope is
		 * pushed, outside every bound: one no query decided is
		 * internalized by a check first (falco legacy
		 * bpf_proc_startupdate: pushed, a completed path's string window
		 * test took a run of 10 s past 22 s and to 4.7 GB) */
		if (path[i]->unchecked && check_bounded(s, z, s->z3, 0, s->depth) == Z3_L_UNDEF) {
			Z3_solver_reset(z, s->z3);
			s->depth = 0;
			return -EAGAIN;
		}
	}
	return 0;
}

/* The constraints use marks and cond as one term of array_z3's context
 * (one reference; the subterms its facts share cross once): what is built
 * on it is built there, as the path context would keep it for the rest of
 * the run. *sent is how many constraints it holds. NULL on -ENOMEM. */
static Z3_ast query_in_array_ctx(struct solver *s, const struct constraint *const *path, size_t n, const bool *use,
				 Z3_ast cond, size_t *sent)
{
	Z3_context z = s->ctx->z, a = s->array_ctx;
	Z3_ast *facts = malloc((n + 1) * sizeof(*facts)), query;
	unsigned cnt = 0;

	*sent = 0;
	if (!facts)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (use[i]) {
			facts[cnt++] = path[i]->e;
			(*sent)++;
		}
	if (cond)
		facts[cnt++] = cond;
	/* a's terms live while referenced: each is held until asserted */
	query = Z3_translate(z, Z3_mk_and(z, cnt, facts), a);
	Z3_inc_ref(a, query);
	free(facts);
	return query;
}

/* Asserts into the fresh array_z3 the constraints use marks and cond, and
 * when pins is not NULL, each pin equal to its value and replaced by it
 * elsewhere; how many constraints, or -ENOMEM. */
static ssize_t assert_query(struct solver *s, const struct constraint *const *path, size_t n, const bool *use,
			    Z3_ast cond, const struct id_set *pins, const uint64_t *values)
{
	Z3_context z = s->ctx->z, a;
	uint32_t pin_cnt = pins ? pins->cnt : 0;
	Z3_ast *from = malloc((2 * (size_t)pin_cnt + 1) * sizeof(*from)), *to, query;
	size_t sent;

	query = from && !array_solver__ready(s) ? query_in_array_ctx(s, path, n, use, cond, &sent) : NULL;
	a = s->array_ctx;
	if (!query) {
		free(from);
		return -ENOMEM;
	}
	to = from + pin_cnt;
	for (uint32_t k = 0; k < pin_cnt; k++) {
		from[k] = Z3_translate(z, pins->terms[k], a);
		Z3_inc_ref(a, from[k]);
		to[k] = Z3_mk_unsigned_int64(a, values[k], Z3_get_sort(a, from[k]));
		Z3_inc_ref(a, to[k]);
		Z3_solver_assert(a, s->array_z3, Z3_mk_eq(a, from[k], to[k]));
	}
	if (pin_cnt) {
		Z3_ast pinned = Z3_substitute(a, query, pin_cnt, from, to);

		Z3_inc_ref(a, pinned);
		Z3_dec_ref(a, query);
		query = pinned;
	}
	Z3_solver_assert(a, s->array_z3, query);
	Z3_dec_ref(a, query);
	for (uint32_t k = 0; k < pin_cnt; k++) {
		Z3_dec_ref(a, from[k]);
		Z3_dec_ref(a, to[k]);
	}
	free(from);
	return sent;
}

/* array_z3's model, in the path context (one reference), and array_z3
 * fresh again; after a long check (long_checks counted before it), a
 * fresh context too: Z3 keeps the tables and pools a check grew for its
 * context's life (falco legacy bpf_proc_startupdate: a long check of a
 * string's window left 50 MB behind, and the run peaked at 330 MB, 295 MB
 * with the context made again; making one takes 2 ms, a long check 50 ms
 * and more). */
static Z3_model take_array_model(struct solver *s, Z3_lbool r, uint64_t long_checks)
{
	Z3_model m = NULL;

	if (r == Z3_L_TRUE) {
		Z3_model own = Z3_solver_get_model(s->array_ctx, s->array_z3);

		Z3_model_inc_ref(s->array_ctx, own);
		m = Z3_model_translate(s->array_ctx, own, s->ctx->z);
		Z3_model_inc_ref(s->ctx->z, m);
		Z3_model_dec_ref(s->array_ctx, own);
	}
	if (s->array_ctx && s->stats.long_checks != long_checks)
		array_solver__drop(s);
	else if (s->array_ctx)
		Z3_solver_reset(s->array_ctx, s->array_z3);
	return m;
}

/* A query that reads an array at a symbolic index (a header at an offset
 * the packet decides) and is more than Z3's incremental core answers at
 * once goes to a solver of its own, afresh: the core instantiates array
 * axioms lazily and can spend seconds where QF_ABV's tactics, which replace
 * the reads by bit-vectors before bit-blasting, need milliseconds (dae's
 * IPv6 extension headers: 5 s against 35 ms). Not every such query: a
 * fresh solver bit-blasts anew what the incremental one has learned (an
 * array index that is a remainder, as a round robin takes it). */
static Z3_lbool check_array_reads(struct solver *s, const struct constraint *const *path, size_t n, const bool *use,
				  Z3_ast cond, Z3_model *model)
{
	uint64_t long_checks = s->stats.long_checks;
	ssize_t sent = assert_query(s, path, n, use, cond, NULL, NULL);
	Z3_lbool r = sent < 0 ? Z3_L_UNDEF : check_bounded(s, s->array_ctx, s->array_z3, s->timeout_ms, sent);

	*model = take_array_model(s, r, long_checks);
	return r;
}

/* Asks Z3 whether the constraints use marks and cond (unless NULL) hold
 * together; on SAT, *model is a model of them (one reference). */
static enum sat z3_solve(struct solver *s, const struct constraint *const *path, size_t n, const bool *use, Z3_ast cond,
			 bool array_reads, Z3_model *model)
{
	Z3_context z = s->ctx->z;
	uint64_t t0 = now_ns();
	int err;
	Z3_lbool r;

	*model = NULL;
	err = sync_assertions(s, path, n, use);
	if (err) {
		s->stats.undecided += err == -EAGAIN;
		return SAT_UNKNOWN;
	}
	Z3_solver_push(z, s->z3);
	count_z3_time(s, now_ns() - t0);
	if (cond)
		Z3_solver_assert(z, s->z3, cond);
	r = check_bounded(s, z, s->z3, array_reads ? 0 : s->timeout_ms, s->depth);
	if (r == Z3_L_TRUE) {
		*model = Z3_solver_get_model(z, s->z3);
		Z3_model_inc_ref(z, *model);
	}
	t0 = now_ns();
	Z3_solver_pop(z, s->z3, 1);
	count_z3_time(s, now_ns() - t0);
	if (r == Z3_L_UNDEF) {
		/* what a stopped search leaves behind is not worth keeping */
		Z3_solver_reset(z, s->z3);
		s->depth = 0;
		if (array_reads)
			r = check_array_reads(s, path, n, use, cond, model);
		s->stats.undecided += r == Z3_L_UNDEF;
	}
	return r == Z3_L_TRUE ? SAT_YES : r == Z3_L_FALSE ? SAT_NO : SAT_UNKNOWN;
}

static bool numeral_value(Z3_context z, Z3_ast v, uint64_t *out)
{
	switch (Z3_get_bool_value(z, v)) {
	case Z3_L_TRUE: *out = 1; return true;
	case Z3_L_FALSE: *out = 0; return true;
	default: return Z3_get_numeral_uint64(z, v, out);
	}
}

/* Sets what a leaves open of array constant arr (id) from its value v in
 * model m: a store chain (the outermost store of an index wins) over a
 * constant array or a function's table. */
static int read_array(Z3_context z, Z3_model m, Z3_ast arr, uint32_t id, Z3_ast v, struct assignment *a)
{
	Z3_func_interp fi;
	uint64_t index, value;
	int err = 0;

	for (;;) {
		Z3_app app;

		if (Z3_get_ast_kind(z, v) != Z3_APP_AST)
			return -EINVAL;
		if (Z3_is_as_array(z, v))
			break;
		app = Z3_to_app(z, v);
		switch (Z3_get_decl_kind(z, Z3_get_app_decl(z, app))) {
		case Z3_OP_CONST_ARRAY:
			if (!numeral_value(z, Z3_get_app_arg(z, app, 0), &value))
				return -EINVAL;
			return assignment__set(a, ASSIGN_DEFAULT, arr, id, 0, value);
		case Z3_OP_STORE:
			if (!numeral_value(z, Z3_get_app_arg(z, app, 1), &index) ||
			    !numeral_value(z, Z3_get_app_arg(z, app, 2), &value))
				return -EINVAL;
			if (!assignment__find(a, ASSIGN_ELEMENT, id, index) &&
			    (err = assignment__set(a, ASSIGN_ELEMENT, arr, id, index, value)))
				return err;
			v = Z3_get_app_arg(z, app, 0);
			break;
		default:
			return -EINVAL;
		}
	}
	fi = Z3_model_get_func_interp(z, m, Z3_get_as_array_func_decl(z, v));
	if (!fi)
		return -EINVAL;
	Z3_func_interp_inc_ref(z, fi);
	for (unsigned i = 0, cnt = Z3_func_interp_get_num_entries(z, fi); i < cnt && !err; i++) {
		Z3_func_entry fe = Z3_func_interp_get_entry(z, fi, i);

		if (!numeral_value(z, Z3_func_entry_get_arg(z, fe, 0), &index) ||
		    !numeral_value(z, Z3_func_entry_get_value(z, fe), &value))
			err = -EINVAL;
		else if (!assignment__find(a, ASSIGN_ELEMENT, id, index))
			err = assignment__set(a, ASSIGN_ELEMENT, arr, id, index, value);
	}
	if (!err)
		err = numeral_value(z, Z3_func_interp_get_else(z, fi), &value) ?
		      assignment__set(a, ASSIGN_DEFAULT, arr, id, 0, value) : -EINVAL;
	Z3_func_interp_dec_ref(z, fi);
	return err;
}

/* Sets a variable of term_vars (t, with Z3's id) to value in a: a scalar
 * constant, or an array element read at a numeral index. */
static int set_var(Z3_context z, struct assignment *a, Z3_ast t, uint32_t id, uint64_t value)
{
	Z3_app app = Z3_to_app(z, t);
	Z3_ast arr;
	uint64_t index;

	if (!Z3_get_app_num_args(z, app))
		return assignment__set(a, ASSIGN_SCALAR, t, id, 0, value);
	arr = Z3_get_app_arg(z, app, 0);
	return numeral_value(z, Z3_get_app_arg(z, app, 1), &index) ?
	       assignment__set(a, ASSIGN_ELEMENT, arr, Z3_get_ast_id(z, arr), index, value) : -EINVAL;
}

/* Reads the values of what v names out of Z3's model m into a. */
static int read_model(Z3_context z, Z3_model m, const struct term_vars *v, struct assignment *a)
{
	Z3_ast value;
	uint64_t x;
	int err = 0;

	for (uint32_t k = 0; k < v->whole.cnt && !err; k++)
		err = Z3_model_eval(z, m, v->whole.terms[k], true, &value) ?
		      read_array(z, m, v->whole.terms[k], v->whole.ids[k], value, a) : -EINVAL;
	for (uint32_t k = 0; k < v->scalars.cnt && !err; k++)
		err = Z3_model_eval(z, m, v->scalars.terms[k], true, &value) && numeral_value(z, value, &x) ?
		      set_var(z, a, v->scalars.terms[k], v->scalars.ids[k], x) : -EINVAL;
	return err;
}

/* Takes the values of what v names from src into dst: a scalar by value,
 * an array read whole with all its elements. */
static int assignment__take(struct solver *s, struct assignment *dst, struct assignment *src,
			    const struct term_vars *v)
{
	Z3_context z = s->ctx->z;
	int err = 0;

	for (uint32_t k = 0; k < v->whole.cnt && !err; k++) {
		uint32_t id = v->whole.ids[k];
		const struct assign_slot *slot;
		size_t pos = 0;

		if ((err = assignment__drop_array(dst, v->whole.terms[k], id)))
			break;
		while (!err && (slot = assignment__next(src, &pos)))
			if (slot->id == id && slot->kind != ASSIGN_SCALAR)
				err = assignment__set(dst, slot->kind, slot->term, id, slot->index, slot->value);
	}
	for (uint32_t k = 0; k < v->scalars.cnt && !err; k++)
		err = set_var(z, dst, v->scalars.terms[k], v->scalars.ids[k], solver__eval(s, src, v->scalars.terms[k]));
	return err;
}

static void walk__free(struct walk *w)
{
	free(w->seen);
	free(w->stack);
	id_set__free(&w->reads);
	term_vars__free(&w->vars);
}

/* Walks the indices on in's stack: a read at a symbolic index met there
 * that out never met goes to reads, unwalked; the scalars met go to in. */
static int walk_indices(Z3_context z, struct walk *in, const struct walk *out, struct id_set *reads)
{
	int err = 0;

	while (!err && in->depth) {
		Z3_ast e = in->stack[--in->depth];
		uint32_t id = Z3_get_ast_id(z, e);
		Z3_decl_kind decl;
		Z3_app app;
		int seen;

		if (Z3_get_ast_kind(z, e) != Z3_APP_AST)
			continue;
		if ((seen = seen_add(in, id)) < 0)
			return seen;
		if (seen)
			continue;
		app = Z3_to_app(z, e);
		decl = Z3_get_decl_kind(z, Z3_get_app_decl(z, app));
		if (decl == Z3_OP_SELECT && Z3_get_ast_kind(z, Z3_get_app_arg(z, app, 1)) != Z3_NUMERAL_AST &&
		    !seen_has(out, id)) {
			err = id_set__add(reads, z, e);
			continue;
		}
		if ((err = add_leaf(z, in, e, app, decl)))
			err = err < 0 ? err : 0;
		else
			for (unsigned i = 0, n = Z3_get_app_num_args(z, app); i < n && !err; i++)
				err = walk_push(in, Z3_get_app_arg(z, app, i));
	}
	return err;
}

/* What makes a query's indices: the scalars that the constraints use marks
 * and cond read only inside the indices of reads at symbolic indices, and
 * the reads at symbolic indices found only there (the bytes a hashed key is
 * made of, wherever the packet put them), into pins; the outermost reads at
 * symbolic indices into reads. */
static int index_inputs(Z3_context z, const struct constraint *const *path, size_t n, const bool *use, Z3_ast cond,
			struct id_set *pins, struct id_set *reads)
{
	struct walk outside = { 0 }, inside = { 0 };
	const struct id_set *in = &inside.vars.scalars, *out = &outside.vars.scalars;
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		if (use[i])
			err = collect_vars(z, path[i]->e, &outside, &inside);
	if (!err && cond)
		err = collect_vars(z, cond, &outside, &inside);
	if (!err)
		err = walk_indices(z, &inside, &outside, pins);
	for (uint32_t i = 0, j = 0; i < in->cnt && !err; i++) {
		while (j < out->cnt && out->ids[j] < in->ids[i])
			j++;
		if (j == out->cnt || out->ids[j] != in->ids[i])
			err = id_set__add(pins, z, in->terms[i]);
	}
	*reads = outside.reads;
	memset(&outside.reads, 0, sizeof(outside.reads));
	walk__free(&outside);
	walk__free(&inside);
	return err;
}

/* array_z3's answer, within timeout_ms (0: Z3's quick bound), to the query
 * with pins equal to values: substituted, so that every index folds into a
 * number whatever hashing made it, and asserted equal to them, so that its
 * model is one of the query. On SAT, *out holds the model's values of what
 * vars names. */
static Z3_lbool check_pinned(struct solver *s, const struct constraint *const *path, size_t n, const bool *use,
			     Z3_ast cond, const struct term_vars *vars, const struct id_set *pins, const uint64_t *values,
			     unsigned timeout_ms, struct assignment **out)
{
	Z3_context z = s->ctx->z;
	uint64_t long_checks = s->stats.long_checks;
	ssize_t sent = assert_query(s, path, n, use, cond, pins, values);
	Z3_lbool r = sent < 0 ? Z3_L_UNDEF : check_bounded(s, s->array_ctx, s->array_z3, timeout_ms, sent);
	Z3_model m = take_array_model(s, r, long_checks);

	if (!m)
		return r;
	*out = assignment__new();
	if (*out && read_model(z, m, vars, *out)) {
		assignment__put(*out);
		*out = NULL;
	}
	Z3_model_dec_ref(z, m);
	s->stats.pinned += !!*out;
	return *out ? Z3_L_TRUE : Z3_L_UNDEF;
}

/* Whether the query is refuted with each read in reads made a fresh
 * constant: a query with more models, and none of the hashing its indices
 * hold. */
static bool refuted_without_reads(struct solver *s, const struct constraint *const *path, size_t n,
				  const bool *use, Z3_ast cond, const struct id_set *reads)
{
	Z3_context z = s->ctx->z, a;
	Z3_ast *from = malloc((2 * (size_t)reads->cnt + 1) * sizeof(*from)), *to, query, abstract;
	size_t sent;
	Z3_lbool r;

	query = from && !array_solver__ready(s) ? query_in_array_ctx(s, path, n, use, cond, &sent) : NULL;
	a = s->array_ctx;
	if (!query) {
		free(from);
		return false;
	}
	to = from + reads->cnt;
	for (uint32_t k = 0; k < reads->cnt; k++) {
		from[k] = Z3_translate(z, reads->terms[k], a);
		Z3_inc_ref(a, from[k]);
		to[k] = Z3_mk_fresh_const(a, "read", Z3_get_sort(a, from[k]));
		Z3_inc_ref(a, to[k]);
	}
	abstract = Z3_substitute(a, query, reads->cnt, from, to);
	Z3_inc_ref(a, abstract);
	Z3_solver_assert(a, s->array_z3, abstract);
	Z3_dec_ref(a, abstract);
	Z3_dec_ref(a, query);
	for (uint32_t k = 0; k < reads->cnt; k++) {
		Z3_dec_ref(a, from[k]);
		Z3_dec_ref(a, to[k]);
	}
	free(from);
	r = check_bounded(s, a, s->array_z3, 0, sent);
	Z3_solver_reset(a, s->array_z3);
	return r == Z3_L_FALSE;
}

/* The query with what makes its indices pinned to the values pin_model
 * gives them (check_pinned: within Z3's quick bound, or when the query is
 * too_big to be asked whole, PINNED_TIMEOUT_MS), and where it has no model with
 * those and is too_big, with its reads at symbolic indices made free, which
 * refutes it when even that has none. False when undecided: the query is
 * asked whole, where it is not too_big (the values pinned may put two
 * reads at one index where it needs them apart). */
static bool solve_pinned(struct solver *s, const struct constraint *const *path, size_t n, const bool *use,
			 Z3_ast cond, const struct term_vars *vars, struct assignment *pin_model, bool too_big,
			 struct assignment **out, enum sat *result)
{
	Z3_context z = s->ctx->z;
	struct id_set pins = { 0 }, reads = { 0 };
	uint64_t *values = NULL;
	bool decided = false;
	Z3_lbool r;
	uint32_t k;

	if (index_inputs(z, path, n, use, cond, &pins, &reads) || !pins.cnt ||
	    !(values = malloc(pins.cnt * sizeof(*values))))
		goto out;
	for (k = 0; k < pins.cnt; k++) {
		if (Z3_get_sort_kind(z, Z3_get_sort(z, pins.terms[k])) != Z3_BV_SORT)
			goto out;
		values[k] = solver__eval(s, pin_model, pins.terms[k]);
	}
	r = check_pinned(s, path, n, use, cond, vars, &pins, values,
			 too_big ? (s->timeout_ms < PINNED_TIMEOUT_MS ? s->timeout_ms : PINNED_TIMEOUT_MS) : 0, out);
	if (r == Z3_L_TRUE) {
		*result = SAT_YES;
		decided = true;
	} else if (r == Z3_L_FALSE && too_big && refuted_without_reads(s, path, n, use, cond, &reads)) {
		*result = SAT_NO;
		decided = true;
	}
out:
	free(values);
	id_set__free(&pins);
	id_set__free(&reads);
	return decided;
}

/* The multiplier and divider gates of a query: of the terms vars was
 * merged from, or when vars is NULL, of the constraints use marks. */
static uint64_t query_gates(const struct constraint *const *path, size_t n, const bool *use,
			    const struct term_vars *vars)
{
	uint64_t gates = 0;

	if (vars)
		return vars->arith_gates;
	for (size_t i = 0; i < n; i++)
		if (use[i])
			gates += path[i]->vars.arith_gates;
	return gates;
}

/* z3_solve, its model read into an assignment: of what vars names, or
 * when vars is NULL, of what the constraints use marks depend on. */
static enum sat solve(struct solver *s, const struct constraint *const *path, size_t n, const bool *use, Z3_ast cond,
		      const struct term_vars *vars, struct assignment *pin_model, struct assignment **out)
{
	Z3_context z = s->ctx->z;
	bool array_reads = vars && vars->whole.cnt, too_big;
	enum sat result;
	Z3_model m;
	int err;

	*out = NULL;
	for (size_t i = 0; i < n && !vars && !array_reads; i++)
		array_reads = use[i] && path[i]->vars.whole.cnt;
	too_big = query_gates(path, n, use, vars) > SOLVER_MAX_ARITH_GATES;
	/* pinning pays where indices hash (multipliers, dividers): rakelimit's
	 * queries are answered pinned 9 times in 10; dae's IPv6 header chains
	 * (sums and shifts) never were, and the tries took a fifth of Z3's time */
	if (array_reads && vars && vars->arith_gates && pin_model &&
	    solve_pinned(s, path, n, use, cond, vars, pin_model, too_big, out, &result))
		return result;
	if (too_big) {
		s->stats.undecided++;
		return SAT_UNKNOWN;
	}
	if ((result = z3_solve(s, path, n, use, cond, array_reads, &m)) != SAT_YES)
		return result;
	*out = assignment__new();
	err = *out ? 0 : -ENOMEM;
	if (vars && !err)
		err = read_model(z, m, vars, *out);
	for (size_t i = 0; i < n && !vars && !err; i++)
		if (use[i])
			err = read_model(z, m, &path[i]->vars, *out);
	Z3_model_dec_ref(z, m);
	if (!err)
		return SAT_YES;
	assignment__put(*out);
	*out = NULL;
	return SAT_UNKNOWN;
}

/* A model of the group of root alone, from the counterexample cache (a
 * recent model, an answer the query cache holds) or else from Z3: the same
 * group ends many paths (dae's map entries, checked again on each). */
static struct assignment *solve_group(struct solver *s, const struct constraint *const *path, size_t n,
				      struct groups *g, size_t root, bool *use, enum sat *result)
{
	struct query_cache *c = s->cache;
	struct query_key key = { 0 };
	struct query_entry *entry;
	struct assignment *a = NULL;

	for (size_t i = 0; i < n; i++)
		use[i] = group_root(g, i) == root;
	count_query(s);
	*result = SAT_UNKNOWN;
	if ((a = recent_model(s, path, n, use, NULL))) {
		*result = SAT_YES;
		return assignment__get(a);
	}
	if (query_key__make(s, &key, path, n, use, NULL) || !(entry = cache_find(c, &key)))
		goto out;
	if (entry->ids && (entry->result == SAT_NO || entry->model)) {
		s->stats.cache_hits++;
		*result = entry->result;
		a = *result == SAT_YES ? assignment__get(entry->model) : NULL;
		goto out;
	}
	*result = solve(s, path, n, use, NULL, NULL, NULL, &a);
	if (*result == SAT_YES)
		remember_model(s, a);
	if (*result != SAT_UNKNOWN)
		cache_keep(c, &key, *result, *result == SAT_YES ? assignment__get(a) : NULL);
out:
	free(key.ids);
	return a;
}

Z3_model solver__z3_model(struct solver *s, const struct assignment *a)
{
	Z3_context z = s->ctx->z;
	Z3_model m = Z3_mk_model(z);
	struct array_value { Z3_ast array, value; } *arrays = NULL;
	size_t array_cnt = 0;
	const struct assign_slot *slot;
	size_t pos = 0;

	Z3_model_inc_ref(z, m);
	if (!a || !assignment__size(a) || !(arrays = calloc(assignment__size(a), sizeof(*arrays))))
		return m;
	while ((slot = assignment__next(a, &pos))) {
		Z3_sort sort = Z3_get_sort(z, slot->term), range;
		const struct assign_slot *dflt;
		size_t j = 0;

		if (slot->kind == ASSIGN_SCALAR) {
			Z3_add_const_interp(z, m, Z3_get_app_decl(z, Z3_to_app(z, slot->term)),
					    Z3_get_sort_kind(z, sort) == Z3_BOOL_SORT ?
					    (slot->value ? Z3_mk_true(z) : Z3_mk_false(z)) :
					    Z3_mk_unsigned_int64(z, slot->value, sort));
			continue;
		}
		for (; j < array_cnt && arrays[j].array != slot->term; j++)
			;
		range = Z3_get_array_sort_range(z, sort);
		if (j == array_cnt) {
			dflt = assignment__find(a, ASSIGN_DEFAULT, slot->id, 0);
			arrays[array_cnt++] = (struct array_value){
				slot->term, Z3_mk_const_array(z, Z3_get_array_sort_domain(z, sort),
							      Z3_mk_unsigned_int64(z, dflt ? dflt->value : 0, range)) };
		}
		if (slot->kind == ASSIGN_ELEMENT)
			arrays[j].value = Z3_mk_store(z, arrays[j].value,
						      Z3_mk_unsigned_int64(z, slot->index, Z3_get_array_sort_domain(z, sort)),
						      Z3_mk_unsigned_int64(z, slot->value, range));
	}
	for (size_t j = 0; j < array_cnt; j++)
		Z3_add_const_interp(z, m, Z3_get_app_decl(z, Z3_to_app(z, arrays[j].array)), arrays[j].value);
	free(arrays);
	return m;
}

/* Replaces the path's model by one that takes vars (what the constraints
 * use marks and the query's condition depend on) from src and keeps the
 * rest, so that it stays a model of the constraints the old one was known
 * to satisfy and of those use marks. */
static void adopt_model(struct solver *s, size_t n, const bool *use, const struct term_vars *vars,
			struct assignment *src, struct path_model *model)
{
	struct assignment *merged = NULL;

	if (model->a) {
		merged = assignment__copy(model->a);
		if (merged && assignment__take(s, merged, src, vars)) {
			assignment__put(merged);
			merged = NULL;
		}
		assignment__put(model->a);
	}
	if (!merged) {
		merged = assignment__get(src);
		model->valid = 0;
	}
	model->a = merged;
	while (model->valid < n && use[model->valid])
		model->valid++;
}

/* ---- weakening: a cheap proof that a condition cannot hold ----
 *
 * Conditions on hashes ("is hash % n below the map's size?") are hard for
 * Z3: it bit-blasts the whole hash although the answer follows from the
 * last few operations. Replacing each opaque subterm (one that mixes two
 * non-constant terms by a product, an xor, an or...) by a free variable
 * gives a weaker, small formula; when it is unsatisfiable, so is the
 * condition on any path. The condition must be the term as the program
 * built it: simplification spreads a subterm's bits apart and hides that
 * it is used twice. */

struct weaken {
	Z3_context z;
	struct term_map memo;
	size_t visited;
	bool replaced;
};

static bool is_numeral(Z3_context z, Z3_ast e)
{
	return Z3_get_ast_kind(z, e) == Z3_NUMERAL_AST;
}

/* Operations Z3 reasons about without bit-blasting much, or with a
 * constant operand: the weakened formula keeps them. */
static bool keeps_op(Z3_context z, Z3_app app, Z3_decl_kind kind)
{
	unsigned n = Z3_get_app_num_args(z, app), symbolic = 0;

	switch (kind) {
	case Z3_OP_AND: case Z3_OP_OR: case Z3_OP_NOT: case Z3_OP_EQ: case Z3_OP_DISTINCT: case Z3_OP_ITE:
	case Z3_OP_IMPLIES: case Z3_OP_BADD: case Z3_OP_BSUB: case Z3_OP_BNEG: case Z3_OP_BNOT:
	case Z3_OP_ULEQ: case Z3_OP_SLEQ: case Z3_OP_UGEQ: case Z3_OP_SGEQ: case Z3_OP_ULT: case Z3_OP_SLT:
	case Z3_OP_UGT: case Z3_OP_SGT: case Z3_OP_CONCAT: case Z3_OP_EXTRACT: case Z3_OP_ZERO_EXT:
	case Z3_OP_SIGN_EXT: case Z3_OP_ROTATE_LEFT: case Z3_OP_ROTATE_RIGHT:
		return true;
	case Z3_OP_BMUL: case Z3_OP_BUDIV: case Z3_OP_BUDIV_I: case Z3_OP_BUREM: case Z3_OP_BUREM_I:
	case Z3_OP_BSDIV: case Z3_OP_BSDIV_I: case Z3_OP_BSREM: case Z3_OP_BSREM_I: case Z3_OP_BSMOD:
	case Z3_OP_BSMOD_I: case Z3_OP_BSHL: case Z3_OP_BLSHR: case Z3_OP_BASHR: case Z3_OP_BAND: case Z3_OP_BOR:
	case Z3_OP_BXOR:
		for (unsigned i = 0; i < n; i++)
			symbolic += !is_numeral(z, Z3_get_app_arg(z, app, i));
		return symbolic <= 1;
	default:
		return false;
	}
}

static Z3_ast weaken_term(struct weaken *w, Z3_ast t, unsigned depth)
{
	Z3_context z = w->z;
	Z3_app app;
	Z3_ast memo, out = t, args[16];
	unsigned n;
	bool changed = false;

	if (Z3_get_ast_kind(z, t) != Z3_APP_AST)
		return t;
	app = Z3_to_app(z, t);
	n = Z3_get_app_num_args(z, app);
	if (!n)
		return t;
	if ((memo = term_map__get(&w->memo, z, t)))
		return memo;
	if (w->visited++ > WEAKEN_MAX_NODES)
		return NULL;
	if (n <= 16 && depth < WEAKEN_MAX_DEPTH && keeps_op(z, app, Z3_get_decl_kind(z, Z3_get_app_decl(z, app)))) {
		for (unsigned i = 0; i < n; i++) {
			args[i] = weaken_term(w, Z3_get_app_arg(z, app, i), depth + 1);
			if (!args[i])
				return NULL;
			changed |= args[i] != Z3_get_app_arg(z, app, i);
		}
		if (changed)
			out = Z3_mk_app(z, Z3_get_app_decl(z, app), n, args);
	} else if (Z3_get_sort_kind(z, Z3_get_sort(z, t)) == Z3_BV_SORT) {
		char name[32];

		snprintf(name, sizeof(name), "weak!%u", Z3_get_ast_id(z, t));
		out = Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_get_sort(z, t));
		w->replaced = true;
	}
	return term_map__put(&w->memo, z, t, out) ? NULL : out;
}

/* cond weakened, or NULL when nothing was replaced (or the term is too large). */
static Z3_ast weaken(Z3_context z, Z3_ast cond)
{
	struct weaken w = { .z = z };
	Z3_ast out = weaken_term(&w, cond, 0);

	term_map__free(&w.memo);
	return out && w.replaced ? out : NULL;
}

/* Whether the weakened raw condition is unsatisfiable on its own (asked
 * once per term: the answer sits in the query cache under the weakened
 * term alone). */
static bool refuted_by_weakening(struct solver *s, Z3_ast raw)
{
	Z3_context z = s->ctx->z;
	Z3_ast weak = weaken(z, raw);
	struct query_entry *entry;
	uint32_t id;
	uint64_t h;
	Z3_lbool r;

	if (!weak || ((s->cache->used + 1) * 2 > s->cache->cap && cache_grow(s->cache)))
		return false;
	id = Z3_get_ast_id(z, weak);
	h = hash_ids(&id, 1);
	entry = cache_slot(s->cache, &id, 1, h);
	if (entry->ids)
		return entry->result == SAT_NO;
	Z3_solver_reset(z, s->weak_z3);
	Z3_solver_assert(z, s->weak_z3, weak);
	r = check_bounded(s, z, s->weak_z3, s->timeout_ms < WEAK_TIMEOUT_MS ? s->timeout_ms : WEAK_TIMEOUT_MS, 0);
	if (!(entry->ids = malloc(sizeof(id))))
		return false;
	entry->ids[0] = id;
	entry->cnt = 1;
	entry->hash = h;
	entry->result = r == Z3_L_FALSE ? SAT_NO : SAT_UNKNOWN;
	s->cache->used++;
	return r == Z3_L_FALSE;
}

struct repair_check {
	struct solver *s;
	const struct constraint *const *path;
	size_t n;
	const bool *use;
};

/* Whether what the query's constraints fix decides cond false by itself
 * (eval__decided): a branch on a byte an earlier branch equated with a
 * number. Nearly all of Z3's answers on dae's tc programs are UNSAT, and
 * most of those are of this kind. */
static bool refuted_by_facts(struct solver *s, const struct constraint *const *path, size_t n, const bool *use,
			     Z3_ast cond)
{
	Z3_ast *facts = malloc((n ? n : 1) * sizeof(*facts));
	size_t cnt = 0;
	uint64_t v;
	bool refuted;

	if (!facts)
		return false;
	for (size_t i = 0; i < n; i++)
		if (use[i])
			facts[cnt++] = path[i]->e;
	refuted = eval__decided(&s->ev, facts, cnt, cond, &v) > 0 && !v;
	free(facts);
	s->stats.refuted_by_facts += refuted;
	return refuted;
}

static Z3_ast repair_holds(void *arg, struct assignment *a)
{
	const struct repair_check *c = arg;

	for (size_t i = 0; i < c->n; i++)
		if (c->use[i] && !holds_in(c->s, a, c->path[i]->e))
			return c->path[i]->e;
	return NULL;
}

enum sat solver__check(struct solver *s, const struct constraint *const *path, size_t n, Z3_ast cond, Z3_ast raw,
		       struct path_model *model)
{
	struct query_cache *c = s->cache;
	bool *use = calloc(n ? n : 1, sizeof(*use));
	struct query_key key = { 0 };
	struct query_entry *entry;
	struct term_vars vars = { 0 };
	enum sat result = SAT_UNKNOWN;
	struct assignment *m;
	uint64_t t0 = now_ns();

	count_query(s);
	if (!use || select_relevant(s, path, n, cond, use, &vars))
		goto out;
	/* Counterexample cache: the path's own model first, then recent ones. */
	if (model && path_model__satisfies(s, model, path, n, use, cond)) {
		s->stats.model_hits++;
		result = SAT_YES;
		goto out;
	}
	if ((m = recent_model(s, path, n, use, cond))) {
		if (model)
			adopt_model(s, n, use, &vars, m, model);
		result = SAT_YES;
		goto out;
	}
	if (query_key__make(s, &key, path, n, use, cond) || !(entry = cache_find(c, &key)))
		goto out;
	if (entry->ids && (entry->result == SAT_NO || !model || entry->model)) {
		s->stats.cache_hits++;
		result = entry->result;
		if (result == SAT_YES && model)
			adopt_model(s, n, use, &vars, entry->model, model);
		goto out;
	}
	/* the path's model, changed where cond names a value */
	if (model && model->a &&
	    (m = repair__try(&s->ev, model->a, cond, repair_holds,
			     &(struct repair_check){ .s = s, .path = path, .n = n, .use = use }))) {
		s->stats.repairs++;
		assignment__put(model->a);
		model->a = m;
		result = SAT_YES;
		goto out;
	}
	result = refuted_by_facts(s, path, n, use, cond) || (raw && refuted_by_weakening(s, raw)) ? SAT_NO :
		 solve(s, path, n, use, cond, &vars, model ? model->a : NULL, &m);
	if (result == SAT_UNKNOWN)
		goto out;
	if (result == SAT_YES) {
		remember_model(s, m);
		if (model)
			adopt_model(s, n, use, &vars, m, model);
	}
	cache_keep(c, &key, result, result == SAT_YES ? m : NULL);
out:
	term_vars__free(&vars);
	free(key.ids);
	free(use);
	s->stats.origins[s->origin].layer_ns += now_ns() - t0;
	return result;
}

/* A copy of the path's model a, repaired for the group of root: each of
 * the group's constraints a fails (one a helper added since the path's
 * last query, over a value a does not give yet) is made to hold by the
 * values it names, the group's constraints before it still holding
 * (repair.h). NULL when some constraint needs Z3. */
static struct assignment *repair_group(struct solver *s, const struct constraint *const *path, size_t n,
				       struct groups *g, size_t root, bool *use, struct assignment *a)
{
	struct assignment *fixed = assignment__copy(a);

	for (size_t i = 0; i < n; i++)
		use[i] = false;
	for (size_t i = 0; i < n && fixed; i++) {
		struct assignment *next;

		if (group_root(g, i) != root)
			continue;
		use[i] = true;
		if (holds_in(s, fixed, path[i]->e))
			continue;
		next = repair__try(&s->ev, fixed, path[i]->e, repair_holds,
				   &(struct repair_check){ .s = s, .path = path, .n = i + 1, .use = use });
		assignment__put(fixed);
		fixed = next;
	}
	return fixed;
}

/* A model of the path: each independent group of constraints the current
 * model does not satisfy is repaired, or else solved alone; the others
 * keep their values, and one model is put together from the parts. */
enum sat solver__model(struct solver *s, const struct constraint *const *path, size_t n, struct path_model *model)
{
	enum sat result = SAT_UNKNOWN;
	struct groups g = { 0 };
	bool *holds = NULL, *use = NULL;
	struct assignment **models = NULL, *merged = NULL;
	size_t i;
	int err = 0;
	uint64_t t0 = now_ns();

	path_model__advance(s, model, path, n);
	if (model->a && model->valid == n) {
		s->stats.model_hits++;
		s->stats.origins[s->origin].layer_ns += now_ns() - t0;
		return SAT_YES;
	}
	s->modelling = true;
	holds = calloc(n + 1, sizeof(*holds));
	use = calloc(n + 1, sizeof(*use));
	models = calloc(n + 1, sizeof(*models));
	if (!holds || !use || !models || groups__build(&g, path, n))
		goto out;
	for (i = 0; i < n && model->a; i++)
		holds[i] = i < model->valid || holds_in(s, model->a, path[i]->e);
	for (i = 0; i < n; i++) {
		size_t root = group_root(&g, i);

		if (holds[i] || models[root])
			continue;
		if (model->a && (models[root] = repair_group(s, path, n, &g, root, use, model->a))) {
			count_query(s);
			s->stats.repairs++;
			continue;
		}
		if (!(models[root] = solve_group(s, path, n, &g, root, use, &result)))
			goto out;
	}
	merged = model->a ? assignment__copy(model->a) : assignment__new();
	for (i = 0; i < n && merged && !err; i++)
		if (models[group_root(&g, i)])
			err = assignment__take(s, merged, models[group_root(&g, i)], &path[i]->vars);
	if (!merged || err)
		goto out;
	assignment__put(model->a);
	model->a = merged;
	merged = NULL;
	model->valid = n;
	result = SAT_YES;
out:
	for (i = 0; models && i < n; i++)
		assignment__put(models[i]);
	assignment__put(merged);
	groups__free(&g);
	free(models);
	free(use);
	free(holds);
	s->modelling = false;
	s->stats.origins[s->origin].layer_ns += now_ns() - t0;
	return result;
}

/* What the evaluator leaves to Z3 is asked of a model built from the
 * assignment. */
static uint64_t z3_eval(struct solver *s, struct assignment *model, Z3_ast e)
{
	Z3_context z = s->ctx->z;
	Z3_model m = solver__z3_model(s, model);
	uint64_t out = 0;
	Z3_ast v;

	if (!Z3_model_eval(z, m, e, true, &v) || !numeral_value(z, v, &out))
		out = 0;
	Z3_model_dec_ref(z, m);
	return out;
}

uint64_t solver__eval(struct solver *s, struct assignment *model, Z3_ast e)
{
	uint64_t out;

	model = model ?: &s->none;
	return eval__value(&s->ev, model, e, &out) ? z3_eval(s, model, e) : out;
}

uint64_t solver__eval_at(struct solver *s, struct assignment *model, Z3_ast e, uint64_t bound)
{
	Z3_ast at;
	uint64_t out;

	model = model ?: &s->none;
	if (!eval__value_at(&s->ev, model, e, bound, &out))
		return out;
	at = Z3_mk_unsigned_int64(s->ctx->z, bound, s->ctx->bv64);
	return z3_eval(s, model, Z3_substitute_vars(s->ctx->z, e, 1, &at));
}

uint64_t solver__eval_element(struct solver *s, struct assignment *model, Z3_ast array, uint64_t index)
{
	Z3_context z = s->ctx->z;
	Z3_sort domain = Z3_get_array_sort_domain(z, Z3_get_sort(z, array));
	uint64_t out;

	model = model ?: &s->none;
	if (!eval__element(&s->ev, model, array, index, &out))
		return out;
	return z3_eval(s, model, Z3_mk_select(z, array, Z3_mk_unsigned_int64(z, index, domain)));
}

void solver__eval_bytes(struct solver *s, struct assignment *model, Z3_ast e, uint32_t n, uint8_t *out)
{
	Z3_context z = s->ctx->z;

	model = model ?: &s->none;
	if (!eval__bytes(&s->ev, model, e, n, out))
		return;
	for (uint32_t i = 0; i < n; i += 8) {
		uint32_t chunk = n - i < 8 ? n - i : 8;
		uint64_t v = z3_eval(s, model, i == 0 && chunk == n ? e : Z3_mk_extract(z, 8 * (i + chunk) - 1, 8 * i, e));

		for (uint32_t k = 0; k < chunk; k++)
			out[i + k] = (uint8_t)(v >> 8 * k);
	}
}
