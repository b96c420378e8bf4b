// SPDX-License-Identifier: MIT
/*
 * The symbolic executor.
 *
 * A state runs instruction by instruction, like the interpreter, with
 * values that may be symbolic: concrete operands take sem.h's path and never
 * touch Z3 (expr.c decides), so most instructions of most paths cost what
 * they cost in the interpreter. A conditional jump on a symbolic value asks
 * the solver which sides are feasible and forks when both are; a memory
 * access whose bounds depend on the input forks an error path for the
 * inputs that break them. A state that ends (exit, error, something not
 * modelled, a budget) is solved once more for a complete model, and that
 * model is read back into a concrete path_result: the test.
 *
 * With --max-time, exploration ends at nine tenths of it and the states it
 * left are completed in the rest: each runs to its end along its model,
 * taking at every branch the side the model takes and dropping the other
 * (follow_model), so that code slow queries kept exploration from still
 * gets whole paths and tests. The states whose paths took a jump's side no
 * path with a test took go first: code they ran has no test yet, and a
 * completion may not reach them all (one path of slow queries can take
 * the whole share). A jump whose query outruns its share of --max-time
 * waits until nothing else is left to explore, and is asked again with the
 * time left (defer).
 *
 * Inputs are the packet (an array term pkt0 and a length pkt_len0 within
 * the spec's bounds), every scalar context field the spec lists (one
 * variable each, within its range), the values nondeterministic helpers
 * return, and map contents as the map policy makes them. An extern no one
 * bound is not an input: a test could not give its value to a replay (a
 * ksym's is a kernel address), so a path that loads one is unsupported, as
 * the interpreter's run of it is.
 *
 * States share their terms without counting references, so the path
 * context only grows; past --term-memory the engine starts it anew and
 * grows the states left again from the root, following their fork
 * prefixes (renew_terms), as a --jobs worker grows down to the subtree it
 * is handed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <linux/filter.h>
#include "engine_internal.h"
#include "log.h"
#include "map_ids.h"
#include "mem.h"
#include "packet_edit.h"
#include "prog_refs.h"
#include "sem.h"
#include "sock_sym.h"
#include "testwriter.h"
#include "trace_format.h"
#include "vm_internal.h"

#define DEFAULT_MAX_INSNS 1000000
#define DEFAULT_SOLVER_TIMEOUT_MS 10000
#define QUERY_SHARE_OF_BUDGET 8
/* The share of --max-time kept for completing the states the exploration
 * leaves: each gives a whole path for the price of its instructions. */
#define COMPLETION_SHARE 0.1
/* Z3's memory past which the terms start anew (renew_terms): below the
 * size at which Z3's term table next doubles on falco's exec programs,
 * holding both tables for a moment (150 MB of terms became 336 MB of
 * memory), they stay under 190 MB. */
#define DEFAULT_TERM_MEMORY_MB 128

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *const policy_names[] = {
	[POLICY_ALLOC] = "alloc", [POLICY_LOOKUP] = "lookup", [POLICY_CONSISTENT] = "consistent",
	[POLICY_CONCRETE] = "concrete",
};

/* The index of name in a table of names, or -EINVAL. */
static int name_index(const char *const *names, size_t cnt, const char *name)
{
	for (size_t i = 0; i < cnt; i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -EINVAL;
}

const char *map_policy_name(enum map_policy_kind kind)
{
	return policy_names[kind];
}

int map_policy_parse(const char *name, enum map_policy_kind *kind)
{
	int i = name_index(policy_names, sizeof(policy_names) / sizeof(policy_names[0]), name);

	if (i >= 0)
		*kind = (enum map_policy_kind)i;
	return i < 0 ? i : 0;
}

static const char *const search_names[] = {
	[SEARCH_DFS] = "dfs", [SEARCH_BFS] = "bfs", [SEARCH_RANDOM_PATH] = "random-path", [SEARCH_COVNEW] = "covnew",
	[SEARCH_INTERLEAVED] = "interleaved",
};

const char *search_name(enum search_kind kind)
{
	return search_names[kind];
}

int search_parse(const char *name, enum search_kind *kind)
{
	int i = name_index(search_names, sizeof(search_names) / sizeof(search_names[0]), name);

	if (i >= 0)
		*kind = (enum search_kind)i;
	return i < 0 ? i : 0;
}

/* Simplifying a hash over the packet's bytes costs more than the simpler
 * term saves: past this many rewriting steps the term goes as it was built. */
#define SIMPLIFY_MAX_STEPS 20000

/* Paths share their terms (a fresh variable is named by its place on the
 * path): a condition simplified for one path is looked up for the next. */
Z3_ast engine__simplify(struct mhse_engine *e, Z3_ast term)
{
	Z3_ast simple = term_map__get(&e->simplified, e->ctx.z, term);

	if (simple)
		return simple;
	simple = Z3_simplify_ex(e->ctx.z, term, e->simplify_params);
	/* over the step bound: the term as it was, next time too */
	if (Z3_get_error_code(e->ctx.z) != Z3_OK || !simple)
		simple = term;
	term_map__put(&e->simplified, e->ctx.z, term, simple);
	return simple;
}

/* Adds cond to s's path; unchecked: no query decided it (see
 * sync_assertions). */
static int constrain(struct mhse_engine *e, struct state *s, Z3_ast cond, bool unchecked)
{
	struct constraint *c;
	int err;

	if (Z3_get_bool_value(e->ctx.z, cond) == Z3_L_TRUE)
		return 0;
	if (e->arena_cnt == e->arena_cap) {
		size_t cap = e->arena_cap ? e->arena_cap * 2 : 256;
		struct constraint **arena = realloc(e->arena, cap * sizeof(*arena));

		if (!arena)
			return -ENOMEM;
		e->arena = arena;
		e->arena_cap = cap;
	}
	c = malloc(sizeof(*c));
	err = c ? solver__constraint(&e->solver, cond, c) : -ENOMEM;
	if (err) {
		free(c);
		return err;
	}
	c->unchecked = unchecked;
	e->arena[e->arena_cnt++] = c;
	return state__constrain(s, c);
}

int engine__constrain(struct mhse_engine *e, struct state *s, Z3_ast cond)
{
	return constrain(e, s, cond, false);
}

/* What asks a query at s's instruction, for the solver's accounting. */
static const char *query_origin(const struct state *s)
{
	const struct bpf_insn *insn = s->pc < s->prog->insn_cnt ? &s->prog->insns[s->pc] : NULL;

	if (!insn)
		return "other";
	switch (BPF_CLASS(insn->code)) {
	case BPF_JMP:
	case BPF_JMP32:
		if (BPF_OP(insn->code) == BPF_EXIT)
			return "return";
		if (BPF_OP(insn->code) == BPF_CALL)
			return (insn->src_reg == 0 && helper_name(insn->imm)) ? helper_name(insn->imm) : "call";
		return "branch";
	case BPF_LD:
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return "bounds";
	default:
		return "other";
	}
}

enum sat engine__feasible(struct mhse_engine *e, struct state *s, Z3_ast cond, Z3_ast raw)
{
	Z3_lbool known = Z3_get_bool_value(e->ctx.z, cond);

	if (known != Z3_L_UNDEF)
		return known == Z3_L_TRUE ? SAT_YES : SAT_NO;
	solver__set_origin(&e->solver, query_origin(s));
	return solver__check(&e->solver, s->path, s->path_cnt, cond, raw, &s->model);
}

struct state *engine__fork(struct mhse_engine *e, struct state *s, Z3_ast cond)
{
	struct state *c = state__fork(s);

	if (!c)
		return NULL;
	if (engine__constrain(e, c, cond)) {
		state__free(c);
		return NULL;
	}
	if (fork_prefix__push(&c->fork_bits, c->depth_in_tree, true) ||
	    fork_prefix__push(&s->fork_bits, s->depth_in_tree, false)) {
		state__free(c);
		return NULL;
	}
	c->depth_in_tree++;
	s->depth_in_tree++;
	e->stats.forks++;
	return c;
}

/* Whether s is on its way down to the subtrees this process explores
 * (*node its place in their trie): it forks only toward them. */
static bool on_the_way(const struct mhse_engine *e, const struct state *s, uint32_t *node)
{
	return !s->owned && prefix_set__place(&e->targets, s->fork_bits, s->depth_in_tree, node) == PREFIX_ABOVE;
}

/* Whether s follows its model to its end, forking nothing: past the
 * exploration's end, once s is in this process's part of the tree. */
static bool completes(const struct mhse_engine *e, const struct state *s)
{
	uint32_t node;

	return e->completing && !on_the_way(e, s, &node);
}

void engine__queue(struct mhse_engine *e, struct state *s)
{
	if (completes(e, s))
		state__free(s); /* a completion explores no other side */
	else
		e->searcher->add(e->searcher, s);
}

void engine__queue_rerun(struct mhse_engine *e, struct state *copy)
{
	copy->insns--;
	engine__queue(e, copy);
}

/* Past the exploration's end, the query budget is the run's. */
static void start_completing(struct mhse_engine *e)
{
	e->completing = true;
	e->stats.ended_by = "max-time";
	solver__set_deadline(&e->solver, e->start_ns + (uint64_t)(e->opts.max_time_s * 1e9));
}

/* A completed state takes the side of cond its model takes, with no query
 * for the other: a path of its own, its test as sound as any (the model
 * satisfies every constraint on the path, this one included). A constraint
 * added since the model was made (a helper's bounds on a fresh value) may
 * need it solved again. Returns as engine__split. */
static int follow_model(struct mhse_engine *e, struct state *s, Z3_ast cond)
{
	Z3_lbool known = Z3_get_bool_value(e->ctx.z, cond);
	bool holds;
	int err;

	/* a constant says nothing of the path (a lookup's key against the
	 * records of other constant keys: one per record, at every lookup) */
	if (known != Z3_L_UNDEF)
		return known == Z3_L_TRUE;
	solver__set_origin(&e->solver, "completion");
	if (solver__model(&e->solver, s->path, s->path_cnt, &s->model) != SAT_YES) {
		if (now_ns() >= e->solver.deadline_ns)
			e->stop = true; /* the run's time is up: dropped, as the states left are */
		else
			engine__end(e, s, PATH_TIMEOUT, "no model for a completed path at insn %zu", s->pc);
		return -1;
	}
	holds = solver__eval(&e->solver, s->model.a, cond) == 1;
	/* the model's side, which no query decided */
	err = constrain(e, s, holds ? cond : Z3_mk_not(e->ctx.z, cond), true);
	if (err == -E2BIG)
		engine__end(e, s, PATH_TIMEOUT, "a condition too large for the solver at insn %zu", s->pc);
	else if (err)
		engine__end(e, s, PATH_UNSUPPORTED, "out of memory while forking");
	if (err)
		return -1;
	return holds;
}

/* A state at a conditional jump whose query outran its share of the
 * budget waits, and is asked again once nothing else is left to explore,
 * with the time left: the share keeps one query from taking the run, not a
 * query the run has the time for from being answered (a byte read through
 * a copy layer at a symbolic offset takes a second of Z3's time; the share
 * of a 6 s budget is 0.75 s). Only a jump waits: a helper may have changed
 * the state before its query, so it cannot run again. Returns 0, or
 * -ENOMEM. */
static int defer(struct mhse_engine *e, struct state *s)
{
	struct state *copy;

	if (e->deferred_cnt == e->deferred_cap) {
		size_t cap = e->deferred_cap ? e->deferred_cap * 2 : 8;
		struct state **d = realloc(e->deferred, cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		e->deferred = d;
		e->deferred_cap = cap;
	}
	copy = state__fork(s);
	if (!copy)
		return -ENOMEM;
	copy->insns--; /* the jump runs again and counts once */
	e->deferred[e->deferred_cnt++] = copy;
	return 0;
}

/* On the way down to this process's subtrees, s takes the side bit of a
 * fork where only that side leads on to one, and the other is never made
 * (cond_model is the model of cond's side). Returns as engine__split: 1
 * or 0, or -1. */
static int follow_prefix(struct mhse_engine *e, struct state *s, Z3_ast cond, bool bit, struct path_model *cond_model)
{
	struct path_model swap;

	if (engine__constrain(e, s, bit ? cond : Z3_mk_not(e->ctx.z, cond)) ||
	    fork_prefix__push(&s->fork_bits, s->depth_in_tree, bit)) {
		engine__end(e, s, PATH_UNSUPPORTED, "out of memory while forking");
		return -1;
	}
	s->depth_in_tree++;
	if (bit) {
		swap = s->model;
		s->model = *cond_model;
		*cond_model = swap;
	}
	return bit;
}

static int split(struct mhse_engine *e, struct state *s, Z3_ast raw, struct state **other, bool at_jump)
{
	Z3_context z = e->ctx.z;
	struct path_model cond_model = { 0 };
	Z3_ast cond;
	enum sat yes, no;
	uint32_t node;
	int ret = -1;

	/* simplified once here, the term is cheaper in every query and model evaluation after */
	cond = engine__simplify(e, raw);
	*other = NULL;
	if (completes(e, s))
		return follow_model(e, s, cond);
	yes = engine__feasible(e, s, cond, raw);
	if (yes == SAT_UNKNOWN)
		goto timeout;
	/* the model that satisfies cond goes with the copy that takes cond,
	 * so that neither side needs solving anew when its path ends */
	cond_model = s->model;
	assignment__get(cond_model.a);
	no = engine__feasible(e, s, Z3_mk_not(z, cond), Z3_mk_not(z, raw));
	if (no == SAT_UNKNOWN)
		goto timeout;
	ret = yes == SAT_NO ? 0 : no == SAT_NO ? 1 : 2;
	if (ret != 2)
		goto out;
	if (on_the_way(e, s, &node) && prefix_set__sides(&e->targets, node) != 3) {
		ret = follow_prefix(e, s, cond, prefix_set__sides(&e->targets, node) >> 1, &cond_model);
		goto out;
	}
	*other = engine__fork(e, s, cond);
	if (!*other || engine__constrain(e, s, Z3_mk_not(z, cond))) {
		engine__end(e, s, PATH_UNSUPPORTED, "out of memory while forking");
		ret = -1;
		goto out;
	}
	assignment__put((*other)->model.a);
	(*other)->model = cond_model;
	cond_model.a = NULL;
	goto out;
timeout:
	/* a query the exploration's end cut: s is completed from here */
	if (e->explore_end_ns && !e->completing && now_ns() >= e->explore_end_ns) {
		start_completing(e);
		ret = follow_model(e, s, cond);
	} else if (e->solver.deadline_ns && now_ns() >= e->solver.deadline_ns) {
		/* the run's: the path is dropped, as the states left are */
		e->stats.ended_by = "max-time";
		e->stop = true;
	} else if (!at_jump || e->patient || !e->opts.max_time_s || defer(e, s)) {
		engine__end(e, s, PATH_TIMEOUT, "solver query timed out, or its terms are too large, at insn %zu", s->pc);
	}
out:
	assignment__put(cond_model.a);
	return ret;
}

int engine__split(struct mhse_engine *e, struct state *s, Z3_ast raw, struct state **other)
{
	return split(e, s, raw, other, false);
}

bool engine__split_ok(struct mhse_engine *e, struct state *s, Z3_ast ok, uint64_t err, enum step *st)
{
	struct state *failed;

	*st = STEP_CONTINUE;
	switch (engine__split(e, s, Z3_mk_not(e->ctx.z, ok), &failed)) {
	case -1:
		*st = STEP_DONE;
		return false;
	case 1:
		s->regs[BPF_REG_0] = sval_conc(err);
		return false;
	case 2:
		failed->regs[BPF_REG_0] = sval_conc(err);
		failed->pc++;
		engine__queue(e, failed);
		return true;
	default:
		return true;
	}
}

enum step engine__finish_side(struct mhse_engine *e, struct state *side, enum step st)
{
	if (st == STEP_CONTINUE) {
		side->pc++;
		engine__queue(e, side);
		return STEP_CONTINUE;
	}
	state__free(side);
	return st == STEP_FAILED ? STEP_FAILED : STEP_CONTINUE;
}

/* Reports a side path that ends where it forked (an error the input can
 * cause), and drops it. */
static void end_side(struct mhse_engine *e, struct state *side, enum path_kind kind, const char *msg)
{
	engine__end(e, side, kind, "%s", msg);
	state__free(side);
}

int engine__record_nondet(struct state *s, int32_t helper, struct sval v)
{
	struct nondet_value *n = realloc(s->nondet, (s->nondet_cnt + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->nondet = n;
	n[s->nondet_cnt++] = (struct nondet_value){ .helper = helper, .e = v.e };
	return 0;
}

struct sval engine__nondet(struct mhse_engine *e, struct state *s, int32_t helper, unsigned bits)
{
	const char *name = helper_name(helper);
	struct sval v = sym_from(&e->ctx, sym_fresh(&e->ctx, &s->fresh_cnt, name ? name : "helper", bits), false);

	engine__record_nondet(s, helper, v);
	return v;
}

/* ---- memory ---- */

/* The region a pointer value names: from the tag of a symbolic pointer or
 * the address bits of a concrete one. */
static int32_t region_of(const struct state *s, struct sval addr)
{
	uint32_t id;

	if (!sval_is_conc(addr))
		return addr.region;
	id = mem_addr_region(addr.c);
	return addr.c && id < s->region_cnt ? (int32_t)id : -1;
}

/* The packet is an array term, whose reads the array theory tells apart
 * by their index terms: a packet offset is the pointer's low 32 bits,
 * simplified, so that one reached through a pointer and one a helper
 * builds from a number (skb_load_bytes) are one term where they are one
 * value, and the proven windows see its base and number. The pointer less
 * its base is a sum Z3 does not always fold (base + offset rewritten as a
 * concatenation, then less the base): dae's IPv6 headers took 100 ms a
 * query. Other offsets keep their form, which picks a small region's
 * cases (an index times a structure's size). */
static struct sval region_offset(struct mhse_engine *e, struct sval addr, uint32_t region)
{
	if (sval_is_conc(addr))
		return sval_conc(mem_addr_offset(addr.c));
	if (region == SREGION_PKT)
		return sym_from(&e->ctx, engine__simplify(e, Z3_mk_extract(e->ctx.z, 31, 0, addr.e)), false);
	return sym_alu(&e->ctx, BPF_ALU64 | BPF_SUB | BPF_X, 0, (struct sval){ .e = addr.e, .region = -1 },
		       sval_conc(MEM_ADDR(region, 0)));
}

static void describe_region(const struct state *s, uint32_t region, char *buf, size_t len)
{
	static const char *const names[] = { "stack", "ctx", "packet", "map value", "global data", "memory",
					     "helper memory", "freed memory", "kernel memory" };
	const struct sregion *r = s->regions[region];

	snprintf(buf, len, "%s (%u bytes)", r->kind < sizeof(names) / sizeof(names[0]) ? names[r->kind] : "?", r->size);
}

/* The pointer one past the packet's last byte, as the context gives it. */
static Z3_ast packet_end(struct mhse_engine *e, const struct state *s)
{
	return Z3_mk_bvadd(e->ctx.z, sym_num(&e->ctx, MEM_ADDR(SREGION_PKT, 0), 64), s->pkt_hi);
}

/* offsets a window is kept for, far from where base + offset could wrap */
#define WINDOW_MAX_OFFSET (INT64_C(1) << 31)

/* A sum whose first term is a number: the number in *k, and the sum of
 * the rest (the base), or NULL. The rest is summed in the order of its
 * terms' ids: the simplifier leaves a sum's terms in the order it met them,
 * and dae's IPv6 header walk checks the packet's end at B + A + 72 before
 * it loads at A + B + 70, a window the load's offset must find. */
static Z3_ast sum_base(Z3_context z, Z3_ast t, uint64_t *k)
{
	Z3_app app = Z3_get_ast_kind(z, t) == Z3_APP_AST ? Z3_to_app(z, t) : NULL;
	unsigned n = app ? Z3_get_app_num_args(z, app) : 0;
	Z3_ast rest[8];

	if (!app || Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) != Z3_OP_BADD || n < 2 || n > 9 ||
	    !Z3_get_numeral_uint64(z, Z3_get_app_arg(z, app, 0), k))
		return NULL;
	for (unsigned i = 1; i < n; i++) {
		Z3_ast term = Z3_get_app_arg(z, app, i);
		unsigned j = i - 1;

		for (; j > 0 && Z3_get_ast_id(z, rest[j - 1]) > Z3_get_ast_id(z, term); j--)
			rest[j] = rest[j - 1];
		rest[j] = term;
	}
	return n == 2 ? rest[0] : Z3_mk_bvadd(z, rest[0], n == 3 ? rest[1] : Z3_mk_app(z, Z3_get_app_decl(z, app),
										   n - 2, rest + 1));
}

/* An offset as base + a number, base symbolic (simplified, so that
 * base + 2 and base + 6 have the same base). Z3 writes a 32-bit offset
 * zero-extended (a packet offset) as a concatenation over a 32-bit sum:
 * its number comes out too where the sum's bounds show it cannot wrap. */
static Z3_ast window_base(struct mhse_engine *e, struct sval off, int64_t *c)
{
	Z3_context z = e->ctx.z;
	Z3_ast o = engine__simplify(e, sym_ast(&e->ctx, off)), low, base;
	uint64_t k, lo, hi;

	*c = 0;
	if ((low = sym_zext_offset(&e->ctx, o, NULL)) && (base = sum_base(z, low, &k))) {
		int64_t sk = (int32_t)(uint32_t)k;

		sym_unsigned_bounds(&e->ctx, base, &lo, &hi);
		if (sk >= 0 ? hi + (uint64_t)sk <= UINT32_MAX : lo >= (uint64_t)-sk) {
			*c = sk;
			return Z3_mk_zero_ext(z, 32, base);
		}
		return o;
	}
	base = sum_base(z, o, &k);
	if (!base || (int64_t)k <= -WINDOW_MAX_OFFSET || (int64_t)k >= WINDOW_MAX_OFFSET)
		return o;
	*c = (int64_t)k;
	return base;
}

/* Whether a term's value is below 2^48, by its shape: zero-extended, or
 * concatenated under a zero, or a sum of few such terms. An offset of such
 * a base and a number between the region's start and 2^31 cannot wrap. */
static bool small_base(Z3_context z, Z3_ast t, unsigned depth)
{
	Z3_app app;
	Z3_ast lead;
	uint64_t v;
	unsigned n;

	if (Z3_get_ast_kind(z, t) != Z3_APP_AST || depth > 4)
		return false;
	app = Z3_to_app(z, t);
	n = Z3_get_app_num_args(z, app);
	switch (Z3_get_decl_kind(z, Z3_get_app_decl(z, app))) {
	case Z3_OP_ZERO_EXT:
		return Z3_get_bv_sort_size(z, Z3_get_sort(z, Z3_get_app_arg(z, app, 0))) <= 40;
	case Z3_OP_CONCAT:
		lead = Z3_get_app_arg(z, app, 0);
		return Z3_get_numeral_uint64(z, lead, &v) && !v && Z3_get_bv_sort_size(z, Z3_get_sort(z, lead)) >= 24;
	case Z3_OP_BADD:
		for (unsigned i = 0; i < n; i++)
			if (n > 8 || !small_base(z, Z3_get_app_arg(z, app, i), depth + 1))
				return false;
		return true;
	default:
		return false;
	}
}

/* The window of region at base the path has proven, if any. */
static struct proven_window *window_find(struct state *s, uint32_t region, Z3_ast base)
{
	for (size_t i = 0; i < s->window_cnt; i++) {
		struct proven_window *w = &s->windows[i];

		if (w->region == region && w->base == base &&
		    (region != SREGION_PKT || (w->end == s->pkt_hi && w->start == s->pkt_meta)))
			return w;
	}
	return NULL;
}

/* Bytes [base + lo, base + hi) are in bounds on this path: the window
 * grows to hold them (in bounds from its lowest byte to its highest, it is
 * in bounds between, offsets being far from wrapping). */
static void window_add(struct state *s, uint32_t region, Z3_ast base, int64_t lo, int64_t hi)
{
	struct proven_window *w = window_find(s, region, base), *windows;

	if (w) {
		w->lo = lo < w->lo ? lo : w->lo;
		w->hi = hi > w->hi ? hi : w->hi;
		return;
	}
	windows = realloc(s->windows, (s->window_cnt + 1) * sizeof(*windows));
	if (!windows)
		return; /* only a query saved is lost */
	s->windows = windows;
	s->windows[s->window_cnt++] = (struct proven_window){
		.base = base, .end = region == SREGION_PKT ? s->pkt_hi : NULL, .start = s->pkt_meta,
		.lo = lo, .hi = hi, .region = region };
}

/* Whether the window of region at base + c of len bytes is proven: inside
 * the window, or below its end and at least start when base + c cannot wrap. */
static bool window_holds(struct mhse_engine *e, struct state *s, uint32_t region, Z3_ast base, int64_t c, uint32_t len,
			 int64_t start)
{
	struct proven_window *w = window_find(s, region, base);

	return w && c + len <= w->hi && (c >= w->lo || (small_base(e->ctx.z, base, 0) && c >= start));
}

/* A region offset's window: its base and number (window_base), or NULL
 * and 0 for a number. */
static Z3_ast offset_window(struct mhse_engine *e, struct sval off, int64_t *c)
{
	*c = 0;
	return sval_is_conc(off) ? NULL : window_base(e, off, c);
}

/* Whether the path has proven the len bytes at off (a region offset) of
 * region in bounds, from start on: a symbolic offset in a window, a number
 * below the packet's proven length. *base and *c: off's window. */
static bool proven(struct mhse_engine *e, struct state *s, uint32_t region, struct sval off, uint32_t len,
		   int64_t start, Z3_ast *base, int64_t *c)
{
	*base = offset_window(e, off, c);
	if (!*base)
		return region == SREGION_PKT && off.c >= (uint64_t)start && off.c + len <= s->pkt_lo + s->pkt_len_proven;
	return window_holds(e, s, region, *base, *c, len, start);
}

/* The path has proven them (base and c as proven gave them). */
static void prove(struct state *s, uint32_t region, struct sval off, Z3_ast base, int64_t c, uint32_t len)
{
	if (base)
		window_add(s, region, base, c, c + len);
	else if (region == SREGION_PKT && off.c + len > s->pkt_lo + s->pkt_len_proven)
		s->pkt_len_proven = off.c + len - s->pkt_lo;
}

bool engine__packet_proven(struct mhse_engine *e, struct state *s, struct sval at, uint32_t len)
{
	Z3_ast base;
	int64_t c;

	return proven(e, s, SREGION_PKT, region_offset(e, at, SREGION_PKT), len, (int64_t)s->pkt_lo, &base, &c);
}

Z3_ast engine__packet_index(struct mhse_engine *e, Z3_ast at, uint32_t i)
{
	return sym_index_add(&e->ctx, region_offset(e, (struct sval){ .e = at, .region = -1 }, SREGION_PKT).e, i);
}

void engine__packet_proven_add(struct mhse_engine *e, struct state *s, struct sval at, uint32_t len)
{
	struct sval off = region_offset(e, at, SREGION_PKT);
	int64_t c;
	Z3_ast base = offset_window(e, off, &c);

	prove(s, SREGION_PKT, off, base, c, len);
}

/* ---- kernel memory ---- */

#define KOBJ_HALF (KOBJ_SPAN / 2)

/* Whether a pointer is NULL, as one comparison: a pointer read from
 * kernel memory is a concatenation of bytes, and an equality with 0
 * simplifies to one per byte, which the solver's clausal form multiplies
 * by every disjunct beside it (falco's t1_clone_x, its kernel objects
 * apart from each other: a query of 2,692 clauses, 413 this way). */
static Z3_ast is_null(struct mhse_engine *e, Z3_ast pointer)
{
	return Z3_mk_bvult(e->ctx.z, pointer, term_num(e, 1, 64));
}

/* Kernel objects lie in slots of twice their span, each object's window
 * inside its own slot (bits 20 and 19 of its pointer differ: the pointer
 * is 512 KiB to 1.5 MiB into the slot), so that two objects are apart when
 * their slots differ: one disequality of 43 bits, which Z3 settles lazily.
 * Kept apart by their distance, two 64-bit subtractions and comparisons
 * per pair, falco's t1_clone_x held 180 of its 246 MB of heap (10 s)
 * bit-blasting the pairs of its paths' 30-odd objects. The slots leave a
 * pointer's low 19 bits, its order among the others and its range free. */
_Static_assert(!(KOBJ_SPAN & (KOBJ_SPAN - 1)), "a kernel object's span is a power of two");
#define KOBJ_SLOT_SHIFT (__builtin_ctz(KOBJ_SPAN) + 1)

static Z3_ast slot_of(struct mhse_engine *e, Z3_ast address)
{
	return Z3_mk_extract(e->ctx.z, 63, KOBJ_SLOT_SHIFT, address);
}

static Z3_ast slot_num(struct mhse_engine *e, uint64_t address)
{
	return term_num(e, address >> KOBJ_SLOT_SHIFT, 64 - KOBJ_SLOT_SHIFT);
}

/* The pointer base names an object apart from other's (unless NULL): a
 * pointer the program made (a number) has a window that may straddle two
 * slots. */
static Z3_ast apart(struct mhse_engine *e, Z3_ast base, Z3_ast other)
{
	Z3_context z = e->ctx.z;
	uint64_t at;

	if (Z3_get_numeral_uint64(z, other, &at))
		return Z3_mk_and(z, 2, (Z3_ast[]){
			Z3_mk_not(z, Z3_mk_eq(z, slot_of(e, base), slot_num(e, at - KOBJ_HALF))),
			Z3_mk_not(z, Z3_mk_eq(z, slot_of(e, base), slot_num(e, at + KOBJ_HALF - 1))) });
	return term_or(e, is_null(e, other), Z3_mk_not(z, Z3_mk_eq(z, slot_of(e, base), slot_of(e, other))));
}

/* The region of the kernel object a pointer term names, made on first use:
 * fresh bytes, lying apart from mhse's regions, from the first pages and
 * from every other object (unless NULL), so that a test lists its bytes by
 * address and a replay finds them there. Returns the region or -ENOMEM. */
static int kernel_object(struct mhse_engine *e, struct state *s, Z3_ast base)
{
	Z3_context z = e->ctx.z;
	struct kobject *k;
	int id;

	for (size_t i = 0; i < s->kobj_cnt; i++)
		if (s->kobjs[i].base == base)
			return (int)s->kobjs[i].region;
	id = state__add_region(s, MEM_KERNEL, KOBJ_SPAN, false, -1);
	if (id < 0 || sregion__set_fresh(s->regions[id], sym_fresh_bytes(&e->ctx, &s->fresh_cnt, "kmem")))
		return -ENOMEM;
	k = realloc(s->kobjs, (s->kobj_cnt + 1) * sizeof(*k));
	if (!k)
		return -ENOMEM;
	s->kobjs = k;
	if (!Z3_is_numeral_ast(z, base)) {
		Z3_ast placed = term_and(e, Z3_mk_bvuge(z, base, term_num(e, MEM_REGION_SPACE_END + KOBJ_HALF, 64)),
					 Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_extract(z, KOBJ_SLOT_SHIFT - 1, KOBJ_SLOT_SHIFT - 1, base),
							       Z3_mk_extract(z, KOBJ_SLOT_SHIFT - 2, KOBJ_SLOT_SHIFT - 2, base))));

		for (size_t i = 0; i < s->kobj_cnt; i++)
			placed = term_and(e, placed, apart(e, base, s->kobjs[i].base));
		if (engine__constrain(e, s, engine__simplify(e, term_or(e, is_null(e, base), placed))))
			return -ENOMEM;
	}
	s->kobjs[s->kobj_cnt++] = (struct kobject){ .base = base, .region = (uint32_t)id };
	return id;
}

enum step engine__kernel_span(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, uint32_t *region,
			      uint32_t *off, Z3_ast *base)
{
	int64_t c = 0;
	int id;

	*base = sval_is_conc(addr) ? term_num(e, addr.c, 64) : window_base(e, addr, &c);
	if (c < -KOBJ_HALF || c > KOBJ_HALF - (int64_t)len)
		return engine__end(e, s, PATH_UNSUPPORTED, "read of %u bytes at %lld bytes from a kernel pointer, past "
				   "the %u bytes around it mhse models", len, (long long)c, KOBJ_SPAN);
	id = kernel_object(e, s, *base);
	if (id < 0)
		return STEP_FAILED;
	*region = (uint32_t)id;
	*off = (uint32_t)(KOBJ_HALF + c);
	return STEP_CONTINUE;
}

enum step engine__kernel_read(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast *out,
			      Z3_ast *base)
{
	uint32_t region, off;
	enum step st = engine__kernel_span(e, s, addr, len, &region, &off, base);

	return st == STEP_CONTINUE ? engine__region_bytes(e, s, region, sval_conc(off), len, out) : st;
}

/* A load through a kernel pointer (BPF_PROBE_MEM): the object's bytes, or
 * zero when the pointer is NULL or names no kernel memory, as the kernel's
 * fault fixup zeroes the register. */
static enum step kernel_load(struct mhse_engine *e, struct state *s, uint8_t code, struct sval addr, struct sval *val)
{
	Z3_ast bytes[8], base;
	enum step st;

	if (sval_is_conc(addr) && addr.c < MEM_ADDR(0, 0)) {
		*val = sval_conc(0);
		return STEP_CONTINUE;
	}
	st = engine__kernel_read(e, s, addr, sem_size_bytes(code), bytes, &base);
	if (st != STEP_CONTINUE)
		return st;
	*val = sym_load_value(&e->ctx, code, sym_join_bytes(&e->ctx, bytes, sem_size_bytes(code)));
	if (!Z3_is_numeral_ast(e->ctx.z, base))
		*val = sym_from(&e->ctx, Z3_mk_ite(e->ctx.z, term_eq(e, base, 0), term_num(e, 0, 64), sym_ast(&e->ctx, *val)),
				false);
	return STEP_CONTINUE;
}

enum step engine__resolve(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, bool write,
			  uint32_t *region_out, struct sval *off_out)
{
	Z3_context z = e->ctx.z;
	int32_t region = region_of(s, addr);
	const struct sregion *r;
	struct sval off;
	Z3_ast lo, hi, in_bounds, base;
	struct state *bad;
	char where[64];
	int64_t c;

	if (region < 0) {
		/* a helper's memory argument is never kernel memory to the verifier */
		if (e->kernel_pointers && !write)
			return engine__end(e, s, PATH_UNSUPPORTED, "kernel memory (%u bytes) as a helper's memory "
					   "argument", len);
		if (sval_is_conc(addr) && !addr.c)
			return engine__end(e, s, PATH_ERROR, "NULL pointer dereference (%s of %u bytes)",
					   write ? "write" : "read", len);
		if (sval_is_conc(addr) && pkt_ptr_is_stale(addr.c))
			return engine__end(e, s, PATH_ERROR, "packet pointer used after a helper changed the packet");
		return engine__end(e, s, PATH_ERROR, "dereference of a value that is not a pointer");
	}
	r = s->regions[region];
	describe_region(s, (uint32_t)region, where, sizeof(where));
	if (write && !r->writable)
		return engine__end(e, s, PATH_ERROR, "write to read-only %s", where);
	if (r->kind == MEM_DEAD)
		return engine__end(e, s, PATH_ERROR, "access to memory a helper took back (a submitted or discarded "
				   "ring-buffer record, a released socket)");
	off = region_offset(e, addr, (uint32_t)region);
	if (region != SREGION_PKT && sval_is_conc(off)) {
		if (off.c + len > r->size || off.c + len < off.c)
			return engine__end(e, s, PATH_ERROR, "out-of-bounds %s of %u bytes at offset %lld of %s",
					   write ? "write" : "read", len,
					   (long long)(int64_t)off.c - (region < SREGION_CTX ? MHSE_STACK_SIZE : 0), where);
		*region_out = (uint32_t)region;
		*off_out = off;
		return STEP_CONTINUE;
	}
	/* The packet's window [pkt_meta, pkt_hi) holds metadata, then the data,
	 * and moves with the packet length. An offset whose shape keeps it
	 * inside (a masked index), or that the path proved, needs no query. */
	if ((!sval_is_conc(off) && region != SREGION_PKT && len <= r->size &&
	     term_within(&e->ctx, off.e, 0, r->size - len)) ||
	    proven(e, s, (uint32_t)region, off, len, region == SREGION_PKT ? (int64_t)s->pkt_meta : 0, &base, &c)) {
		*region_out = (uint32_t)region;
		*off_out = off;
		return STEP_CONTINUE;
	}
	lo = sym_num(&e->ctx, region == SREGION_PKT ? s->pkt_meta : 0, 64);
	hi = region == SREGION_PKT ? s->pkt_hi : sym_num(&e->ctx, r->size, 64);
	{
		Z3_ast o = sym_ast(&e->ctx, off), n = sym_num(&e->ctx, len, 64);
		Z3_ast args[3] = { Z3_mk_bvuge(z, o, lo), Z3_mk_bvuge(z, hi, n), Z3_mk_bvule(z, o, Z3_mk_bvsub(z, hi, n)) };

		in_bounds = Z3_mk_and(z, 3, args);
	}
	{
		char msg[160];

		snprintf(msg, sizeof(msg), "out-of-bounds %s of %u bytes in %s", write ? "write" : "read", len, where);
		switch (engine__split(e, s, Z3_mk_not(z, in_bounds), &bad)) {
		case -1:
			return STEP_DONE;
		case 1:
			return engine__end(e, s, PATH_ERROR, "%s", msg);
		case 2:
			end_side(e, bad, PATH_ERROR, msg);
			break;
		default:
			break;
		}
	}
	prove(s, (uint32_t)region, off, base, c, len);
	*region_out = (uint32_t)region;
	*off_out = off;
	return STEP_CONTINUE;
}

enum step engine__size_within(struct mhse_engine *e, struct state *s, struct sval addr, struct sval size, bool most,
			      uint32_t *len)
{
	Z3_context z = e->ctx.z;
	struct sval off;
	uint32_t region, region_size;
	struct state *past;
	uint64_t lo, hi, off_lo = 0, off_hi, low, high, guess;
	Z3_ast beyond, term = sym_ast(&e->ctx, size);
	enum step st = engine__resolve(e, s, addr, 0, false, &region, &off);

	if (st != STEP_CONTINUE)
		return st;
	region_size = s->regions[region]->size;
	if (sval_is_conc(off))
		off_lo = off.c;
	else
		sym_unsigned_bounds(&e->ctx, off.e, &off_lo, &off_hi);
	*len = region_size > off_lo ? region_size - (uint32_t)off_lo : 0;
	sym_unsigned_bounds(&e->ctx, term, &lo, &hi);
	if (hi < *len)
		*len = (uint32_t)hi;
	/* past the end at the lowest offset, or at the path's own (a sum that
	 * cannot wrap once the size is within the region) */
	beyond = Z3_mk_bvugt(z, term, term_num(e, *len, 64));
	if (!sval_is_conc(off))
		beyond = Z3_mk_or(z, 2, (Z3_ast[]){ beyond, Z3_mk_bvugt(z, Z3_mk_bvadd(z, off.e, term),
									   term_num(e, region_size, 64)) });
	switch (engine__split(e, s, beyond, &past)) {
	case -1:
		return STEP_DONE;
	case 1:
		return engine__end(e, s, PATH_ERROR, "a size past the end of its memory (%u bytes)", *len);
	case 2:
		engine__end(e, past, PATH_ERROR, "a size past the end of its memory (%u bytes)", *len);
		break;
	default:
		break;
	}
	/* at a number's offset into memory whose size is a number, what is
	 * left of the memory there bounds the size, and the split above kept
	 * the size within it: the size's own value is the model's, read when
	 * the test is written */
	if (!most && sval_is_conc(off) && region != SREGION_PKT)
		return STEP_CONTINUE;
	/* the most the path lets the size be, as the verifier's range of the
	 * register knows it from the branches before. Asked first at the top
	 * (a size nothing on the path bounds further), then at the path
	 * model's value and one past it (a size the path fixes), then by
	 * bisection, each model raising the floor: a bisection alone took 17
	 * queries where one or three do (falco's probe_read_user of up to
	 * 64 KiB) */
	guess = solver__eval(&e->solver, s->model.a, term);
	low = lo;
	high = *len;
	for (size_t i = 0; low < high; i++) {
		const uint64_t probes[] = { *len, guess, guess + 1 };
		uint64_t mid = i < 3 && probes[i] > low && probes[i] <= high ? probes[i] : low + (high - low + 1) / 2;
		uint64_t seen;

		switch (engine__feasible(e, s, Z3_mk_bvuge(e->ctx.z, term, term_num(e, mid, 64)), NULL)) {
		case SAT_YES:
			seen = solver__eval(&e->solver, s->model.a, term);
			low = seen > mid && seen <= high ? seen : mid;
			break;
		case SAT_NO:
			high = mid - 1;
			break;
		default:
			return engine__end(e, s, PATH_TIMEOUT, "solver query timed out at insn %zu", s->pc);
		}
	}
	*len = (uint32_t)high;
	return STEP_CONTINUE;
}

/* Past this many bytes, a read at a symbolic offset is a bulk one
 * (state__read_byte's bulk): a string or a copy, not a value. */
#define BULK_READ_MIN 256

enum step engine__region_bytes(struct mhse_engine *e, struct state *s, uint32_t region, struct sval off, uint32_t len,
			       Z3_ast *out)
{
	bool bulk = len > BULK_READ_MIN && !sval_is_conc(off);
	enum step st;

	for (uint32_t i = 0; i < len; i++) {
		/* bytes cost more the more there are, at a symbolic offset most */
		if (!(i & (sval_is_conc(off) ? 4095 : 63)) && i && engine__out_of_time(e, s, &st))
			return st;
		if (state__read_byte(&e->ctx, s, region, sym_offset(&e->ctx, off, i), bulk, &out[i]))
			return STEP_FAILED;
	}
	return STEP_CONTINUE;
}

enum step engine__read_byte_terms(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast **out)
{
	uint32_t region;
	struct sval off;
	enum step st = engine__resolve(e, s, addr, len, false, &region, &off);

	*out = NULL;
	if (st != STEP_CONTINUE)
		return st;
	*out = calloc(len ? len : 1, sizeof(**out));
	st = *out ? engine__region_bytes(e, s, region, off, len, *out) : STEP_FAILED;
	if (st != STEP_CONTINUE) {
		free(*out);
		*out = NULL;
	}
	return st;
}

enum step engine__read_bytes(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast *out)
{
	Z3_ast *bytes;
	enum step st = engine__read_byte_terms(e, s, addr, len, &bytes);

	*out = st == STEP_CONTINUE && len ? sym_join_bytes(&e->ctx, bytes, len) : NULL;
	free(bytes);
	return st;
}

/* ---- the context ---- */

static enum step ctx_load(struct mhse_engine *e, struct state *s, uint8_t code, struct sval off, struct sval *val)
{
	unsigned size = sem_size_bytes(code);
	const struct ctx_field *f;

	if (!sval_is_conc(off))
		return engine__end(e, s, PATH_UNSUPPORTED, "context access at a symbolic offset");
	f = mhse_hook__field_at(e->hook, (uint32_t)off.c, size);
	if (!f || !f->read)
		return engine__end(e, s, PATH_ERROR, "context read of %u bytes at offset %llu is not allowed", size,
				   (unsigned long long)off.c);
	if (!mhse_hook__access_size_ok(f, (uint32_t)off.c, size, false))
		return engine__end(e, s, PATH_ERROR, "context field %s is %u bytes, read as %u", f->name, f->size, size);
	switch (f->kind) {
	case CTX_PKT_START:
		*val = sval_conc(MEM_ADDR(SREGION_PKT, s->pkt_lo));
		return STEP_CONTINUE;
	case CTX_PKT_META:
		*val = sval_conc(MEM_ADDR(SREGION_PKT, s->pkt_meta));
		return STEP_CONTINUE;
	case CTX_PKT_END:
		*val = (struct sval){ .e = packet_end(e, s), .region = SREGION_PKT };
		return STEP_CONTINUE;
	case CTX_PKT_LEN:
		*val = sym_load_value(&e->ctx, code, Z3_mk_extract(e->ctx.z, size * 8 - 1, 0,
						Z3_mk_bvsub(e->ctx.z, s->pkt_hi, sym_num(&e->ctx, s->pkt_lo, 64))));
		return STEP_CONTINUE;
	case CTX_PTR:
		if (sock_ctx_field(f))
			return sock_sym_ctx_load(e, s, f, val);
		return engine__end(e, s, PATH_UNSUPPORTED, "context field %s (a kernel object) is not modelled", f->name);
	default: {
		struct sval raw = sregion__read(&e->ctx, s->regions[SREGION_CTX], off, size);

		*val = sval_is_conc(raw) ? sval_conc(sem_load_value(code, raw.c)) :
			sym_load_value(&e->ctx, code, Z3_mk_extract(e->ctx.z, size * 8 - 1, 0, raw.e));
		return STEP_CONTINUE;
	}
	}
}

static enum step ctx_store(struct mhse_engine *e, struct state *s, uint8_t code, struct sval off, struct sval v)
{
	unsigned size = sem_size_bytes(code);
	const struct ctx_field *f;
	struct sregion *r;

	if (!sval_is_conc(off))
		return engine__end(e, s, PATH_UNSUPPORTED, "context access at a symbolic offset");
	f = mhse_hook__field_at(e->hook, (uint32_t)off.c, size);
	if (!f || !f->write || f->kind != CTX_SCALAR)
		return engine__end(e, s, PATH_ERROR, "context write of %u bytes at offset %llu is not allowed", size,
				   (unsigned long long)off.c);
	if (!mhse_hook__access_size_ok(f, (uint32_t)off.c, size, true))
		return engine__end(e, s, PATH_ERROR, "context field %s is %u bytes, written as %u", f->name, f->size, size);
	r = state__writable_region(s, SREGION_CTX);
	if (!r)
		return STEP_FAILED;
	sregion__write(&e->ctx, r, off, size, v);
	return STEP_CONTINUE;
}

/* ---- instructions ---- */

static enum step load(struct mhse_engine *e, struct state *s, uint8_t code, struct sval addr, struct sval *val)
{
	unsigned size = sem_size_bytes(code);
	uint32_t region;
	struct sval off, raw;
	enum step st;

	if (region_of(s, addr) == SREGION_CTX)
		return ctx_load(e, s, code, region_offset(e, addr, SREGION_CTX), val);
	if (region_of(s, addr) < 0 && e->kernel_pointers)
		return kernel_load(e, s, code, addr, val);
	st = engine__resolve(e, s, addr, size, false, &region, &off);
	if (st == STEP_CONTINUE)
		st = sock_sym_check_load(e, s, region, off, size);
	if (st != STEP_CONTINUE)
		return st;
	if (state__read(&e->ctx, s, region, off, size, &raw))
		return STEP_FAILED;
	if (sval_is_conc(raw)) {
		*val = sval_conc(sem_load_value(code, raw.c));
	} else if (size == 8) {
		*val = raw; /* keeps the region of a spilled pointer */
	} else {
		*val = sym_load_value(&e->ctx, code, size < 8 ? Z3_mk_extract(e->ctx.z, size * 8 - 1, 0, raw.e) : raw.e);
	}
	return STEP_CONTINUE;
}

static enum step store(struct mhse_engine *e, struct state *s, uint8_t code, struct sval addr, struct sval v)
{
	unsigned size = sem_size_bytes(code);
	uint32_t region;
	struct sval off;
	struct sregion *r;
	enum step st;

	if (region_of(s, addr) == SREGION_CTX)
		return ctx_store(e, s, code, region_offset(e, addr, SREGION_CTX), v);
	st = engine__resolve(e, s, addr, size, true, &region, &off);
	if (st != STEP_CONTINUE)
		return st;
	r = state__writable_region(s, region);
	if (!r)
		return STEP_FAILED;
	sregion__write(&e->ctx, r, off, size, v);
	return STEP_CONTINUE;
}

static enum step atomic(struct mhse_engine *e, struct state *s, const struct bpf_insn *insn)
{
	unsigned size = sem_size_bytes(insn->code);
	struct sval *regs = s->regs, addr, off, old, src = regs[insn->src_reg];
	uint32_t region;
	struct sregion *r;
	enum step st;

	addr = sym_alu(&e->ctx, BPF_ALU64 | BPF_ADD | BPF_K, 0, regs[insn->dst_reg], sval_conc((uint64_t)(int64_t)insn->off));
	if (!sval_is_conc(regs[insn->dst_reg]))
		addr.region = regs[insn->dst_reg].region;
	st = engine__resolve(e, s, addr, size, true, &region, &off);
	if (st != STEP_CONTINUE)
		return st;
	if (state__read(&e->ctx, s, region, off, size, &old))
		return STEP_FAILED;
	r = state__writable_region(s, region);
	if (!r)
		return STEP_FAILED;
	if (insn->imm == BPF_CMPXCHG) {
		struct sval r0 = regs[BPF_REG_0];
		uint64_t mask = size == 8 ? UINT64_MAX : UINT32_MAX;

		if (sval_is_conc(old) && sval_is_conc(r0)) {
			if (old.c == (r0.c & mask))
				sregion__write(&e->ctx, r, off, size, src);
		} else {
			Z3_ast eq = sym_cond(&e->ctx, size == 8 ? BPF_JMP | BPF_JEQ : BPF_JMP32 | BPF_JEQ, old, r0);
			Z3_ast nv = Z3_mk_ite(e->ctx.z, eq, sym_ast(&e->ctx, sym_atomic_op(&e->ctx, BPF_XCHG, old, src, size)),
					      sym_ast(&e->ctx, old));
			sregion__write(&e->ctx, r, off, size, (struct sval){ .e = nv, .region = -1 });
		}
		regs[BPF_REG_0] = old;
		return STEP_CONTINUE;
	}
	sregion__write(&e->ctx, r, off, size, sym_atomic_op(&e->ctx, insn->imm, old, src, size));
	if (insn->imm & BPF_FETCH)
		regs[insn->src_reg] = old;
	return STEP_CONTINUE;
}

static enum step ld_imm64(struct mhse_engine *e, struct state *s, const struct bpf_insn *insn)
{
	struct sval *dst = &s->regs[insn->dst_reg];
	const struct mhse_object *obj = e->obj;

	switch (insn->src_reg) {
	case 0:
		*dst = sval_conc(insn_imm64(insn));
		return STEP_CONTINUE;
	case MHSE_PSEUDO_MAP_IDX:
		*dst = sval_conc(VM_MAP_PTR((uint32_t)insn->imm));
		return STEP_CONTINUE;
	case MHSE_PSEUDO_MAP_IDX_VALUE:
		for (uint32_t i = SREGION_FIXED; i < s->region_cnt; i++)
			if (s->regions[i]->kind == MEM_GLOBAL && s->regions[i]->owner == insn->imm) {
				*dst = sval_conc(MEM_ADDR(i, (uint32_t)insn[1].imm));
				return STEP_CONTINUE;
			}
		return engine__end(e, s, PATH_UNSUPPORTED, "direct value access to map %d", insn->imm);
	case MHSE_PSEUDO_FUNC:
		*dst = sval_conc(VM_FUNC_PTR(s->pc + 1 + (int64_t)insn->imm));
		return STEP_CONTINUE;
	case MHSE_PSEUDO_EXTERN:
		if ((uint32_t)insn->imm >= obj->extern_cnt)
			return engine__end(e, s, PATH_UNSUPPORTED, "bad extern index %d", insn->imm);
		if (!obj->externs[insn->imm].bound)
			return engine__end(e, s, PATH_UNSUPPORTED, "extern %s has no value (bind it with --const)",
					   obj->externs[insn->imm].name);
		*dst = sval_conc(obj->externs[insn->imm].value);
		return STEP_CONTINUE;
	default:
		return engine__end(e, s, PATH_UNSUPPORTED, "ld_imm64 with src_reg %u", insn->src_reg);
	}
}

static void record_branch(struct mhse_engine *e, struct state *s, bool taken)
{
	struct path_branch *b = realloc(s->branches, (s->branch_cnt + 1) * sizeof(*b));

	if (!b)
		return;
	s->branches = b;
	b[s->branch_cnt++] = (struct path_branch){ .prog = (uint32_t)(s->prog - e->obj->progs), .pc = (uint32_t)s->pc,
						   .taken = taken };
}

/* On a path where packet pointer p <= the packet's end, as a program's
 * bounds check leaves it: the bytes below p are in bounds, as the verifier
 * learns from the same comparison (for a symbolic p, when its base and
 * number cannot wrap). */
static void learn_packet_end(struct mhse_engine *e, struct state *s, struct sval p, struct sval end)
{
	Z3_ast end_now = packet_end(e, s), base;
	struct sval off;
	int64_t c;

	if (region_of(s, p) != SREGION_PKT || sval_is_conc(end) || end.e != end_now)
		return;
	off = region_offset(e, p, SREGION_PKT);
	if (sval_is_conc(off)) {
		if (off.c >= s->pkt_lo && off.c - s->pkt_lo > s->pkt_len_proven)
			s->pkt_len_proven = off.c - s->pkt_lo;
		return;
	}
	base = window_base(e, off, &c);
	/* a window whose start is not proven yet never holds a read by its start */
	if (small_base(e->ctx.z, base, 0))
		window_add(s, SREGION_PKT, base, c >= (int64_t)s->pkt_meta ? c : INT64_MAX, c);
}

/* After a 64-bit unsigned comparison of dst and src, which of them is at
 * most the other on the side where the comparison holds. */
static void learn_comparison(struct mhse_engine *e, struct state *s, uint8_t code, bool holds, struct sval dst,
			     struct sval src)
{
	bool dst_at_most_src;

	switch (BPF_CLASS(code) == BPF_JMP ? BPF_OP(code) : 0) {
	case BPF_JGT: case BPF_JGE:
		dst_at_most_src = !holds;
		break;
	case BPF_JLT: case BPF_JLE:
		dst_at_most_src = holds;
		break;
	default:
		return;
	}
	if (dst_at_most_src)
		learn_packet_end(e, s, dst, src);
	else
		learn_packet_end(e, s, src, dst);
}

static enum step cond_jump(struct mhse_engine *e, struct state *s, const struct bpf_insn *insn, struct sval src)
{
	struct sval dst = s->regs[insn->dst_reg];
	struct state *taken;
	int sides;

	if (sval_is_conc(dst) && sval_is_conc(src)) {
		bool t = sem_cond(insn->code, dst.c, src.c);

		record_branch(e, s, t);
		s->pc += 1 + (t ? insn->off : 0);
		return STEP_CONTINUE;
	}
	sides = split(e, s, sym_cond(&e->ctx, insn->code, dst, src), &taken, true);
	if (sides < 0)
		return STEP_DONE;
	if (region_of(s, dst) == SREGION_PKT && region_of(s, src) == SREGION_PKT) {
		learn_comparison(e, s, insn->code, sides == 1, dst, src);
		if (sides == 2)
			learn_comparison(e, taken, insn->code, true, dst, src);
	}
	if (sides == 2) {
		record_branch(e, taken, true);
		taken->pc += 1 + insn->off;
		engine__queue(e, taken);
	}
	record_branch(e, s, sides == 1);
	s->pc += 1 + (sides == 1 ? insn->off : 0);
	return STEP_CONTINUE;
}

static enum step call_local(struct mhse_engine *e, struct state *s, size_t target)
{
	struct sframe *f;

	if (target >= s->prog->insn_cnt)
		return engine__end(e, s, PATH_ERROR, "call target %zu outside the program", target);
	if (s->depth + 1 >= MHSE_MAX_CALL_FRAMES)
		return engine__end(e, s, PATH_ERROR, "call depth over %d frames", MHSE_MAX_CALL_FRAMES);
	if (s->spin_lock_held)
		return engine__end(e, s, PATH_ERROR, "function call while a bpf_spin_lock is held");
	f = &s->frames[s->depth++];
	f->prog = s->prog;
	f->ret_pc = s->pc + 1;
	f->loop = false;
	memcpy(f->saved, &s->regs[BPF_REG_6], sizeof(f->saved));
	s->regs[BPF_REG_10] = sval_conc(MEM_ADDR(SREGION_STACK0 + s->depth, MHSE_STACK_SIZE));
	s->pc = target;
	return STEP_CONTINUE;
}

static enum step call_helper(struct mhse_engine *e, struct state *s, int32_t id)
{
	const char *name = helper_name(id);
	const char *poisoned = id == MHSE_CORE_POISON_CALL ? mhse_prog__poisoned(s->prog, s->pc) : NULL;
	const struct helper_module *mod;
	sym_helper_fn fn = NULL;
	enum step st;
	size_t row;
	int err;

	if (poisoned)
		return engine__end(e, s, PATH_ERROR, "%s", poisoned);
	/* as the interpreter */
	err = helper_resolve(id, e->helper_ctx, &mod, &row);
	if (err == -EACCES)
		return engine__end(e, s, PATH_ERROR, "helper %s (%d) is not allowed in %s programs", name ? name : "?", id,
				   helper_context_name(e->helper_ctx));
	if (!err)
		fn = sym_helper_of(mod, row);
	if (!fn)
		return engine__end(e, s, PATH_UNSUPPORTED, "helper %s (%d) is not modelled in hook %s", name ? name : "?",
				   id, e->hook->name);
	if (s->spin_lock_held && id != BPF_FUNC_spin_unlock)
		return engine__end(e, s, PATH_ERROR, "helper %s called while a bpf_spin_lock is held", name ? name : "?");
	if (helper_changes_packet(id) && (st = engine__packet_invalidate(e, s)) != STEP_CONTINUE)
		return st;
	return fn(e, s);
}

/* Which side of cond s is on, for an instruction that runs again on the
 * other side: when both may hold, a copy where cond holds is queued at the
 * same instruction and s goes on where cond does not. 1 or 0, or -1 when s
 * ended. */
static int split_rerun(struct mhse_engine *e, struct state *s, Z3_ast cond)
{
	struct state *other;

	switch (engine__split(e, s, cond, &other)) {
	case -1:
		return -1;
	case 1:
		return 1;
	case 2:
		engine__queue_rerun(e, other);
		return 0;
	default:
		return 0;
	}
}

/* Sets up iteration f->loop_index of a bpf_loop in f's frame, the top one. */
static void loop_iteration(struct state *s, struct sframe *f)
{
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		s->regs[r] = sval_conc(0);
	s->regs[BPF_REG_1] = sval_conc(f->loop_index);
	s->regs[BPF_REG_2] = f->loop_ctx;
	s->regs[BPF_REG_10] = sval_conc(MEM_ADDR(SREGION_STACK0 + s->depth, MHSE_STACK_SIZE));
	s->pc = f->loop_callback;
}

enum step engine__loop_enter(struct mhse_engine *e, struct state *s, struct sval callback, struct sval nr, struct sval ctx)
{
	struct sframe *f;
	enum step st;

	if (!sval_is_conc(callback) || (callback.c & ~VM_PTR_INDEX_MASK) != VM_FUNC_PTR(0))
		return engine__end(e, s, PATH_ERROR, "bpf_loop callback is not a function");
	st = call_local(e, s, callback.c & VM_PTR_INDEX_MASK);
	if (st != STEP_CONTINUE)
		return st;
	f = &s->frames[s->depth - 1];
	f->loop = true;
	f->loop_index = 0;
	f->loop_nr = nr;
	f->loop_callback = s->pc;
	f->loop_ctx = ctx;
	loop_iteration(s, f);
	return STEP_PC_SET;
}

/* At the exit of a bpf_loop callback's frame f: STEP_PC_SET into the next
 * iteration, or STEP_CONTINUE with the loop's result in r0 (the iterations
 * run, stopping after one whose callback returned non-zero) and f an
 * ordinary frame to return from. A state split here runs the exit again. */
static enum step loop_next(struct mhse_engine *e, struct state *s, struct sframe *f)
{
	Z3_context z = e->ctx.z;
	int side = split_rerun(e, s, Z3_mk_not(z, term_eq(e, sym_ast(&e->ctx, s->regs[BPF_REG_0]), 0)));

	if (side < 0)
		return STEP_DONE;
	if (!side) {
		side = split_rerun(e, s, Z3_mk_bvugt(z, sym_ast(&e->ctx, f->loop_nr), term_num(e, f->loop_index + 1, 64)));
		if (side < 0)
			return STEP_DONE;
		f->loop_index++;
		if (side) {
			loop_iteration(s, f);
			return STEP_PC_SET;
		}
		f->loop_index--;
	}
	s->regs[BPF_REG_0] = sval_conc((uint64_t)f->loop_index + 1);
	f->loop = false;
	return STEP_CONTINUE;
}

static enum step do_exit(struct mhse_engine *e, struct state *s)
{
	if (s->depth && s->frames[s->depth - 1].loop) {
		enum step st = loop_next(e, s, &s->frames[s->depth - 1]);

		if (st != STEP_CONTINUE)
			return st;
	}
	if (s->depth) {
		struct sframe *f = &s->frames[--s->depth];

		memcpy(&s->regs[BPF_REG_6], f->saved, sizeof(f->saved));
		s->regs[BPF_REG_10] = sval_conc(MEM_ADDR(SREGION_STACK0 + s->depth, MHSE_STACK_SIZE));
		s->prog = f->prog;
		s->pc = f->ret_pc;
		return STEP_CONTINUE;
	}
	if (s->spin_lock_held)
		return engine__end(e, s, PATH_ERROR, "exit while a bpf_spin_lock is held");
	/* A return value outside the hook's domain is an error where the
	 * verifier rejects it and a warning where the kernel warns at run
	 * time (mhse_hook__ret_outside says how much of r0 it reads). */
	if (e->hook->ret_cnt && e->hook->ret_outside != HOOK_RET_ALLOWED) {
		Z3_context z = e->ctx.z;
		unsigned bits = e->hook->ret_outside == HOOK_RET_REJECTED ? 64 : 32;
		enum path_kind kind = e->hook->ret_outside == HOOK_RET_REJECTED ? PATH_ERROR : PATH_WARNING;
		Z3_ast r0 = sym_ast(&e->ctx, s->regs[BPF_REG_0]), in_domain;
		Z3_ast *alts = calloc(e->hook->ret_cnt, sizeof(*alts));
		struct state *bad;
		char msg[128];

		if (!alts)
			return STEP_FAILED;
		if (bits < 64)
			r0 = Z3_mk_extract(z, bits - 1, 0, r0);
		for (size_t i = 0; i < e->hook->ret_cnt; i++)
			alts[i] = Z3_mk_eq(z, r0, sym_num(&e->ctx, (uint64_t)e->hook->rets[i].value, bits));
		in_domain = engine__simplify(e, Z3_mk_or(z, (unsigned)e->hook->ret_cnt, alts));
		free(alts);
		mhse_hook__ret_outside_message(e->hook, msg, sizeof(msg));
		switch (engine__split(e, s, Z3_mk_not(z, in_domain), &bad)) {
		case -1:
			return STEP_DONE;
		case 1:
			return engine__end(e, s, kind, "%s", msg);
		case 2:
			end_side(e, bad, kind, msg);
			break;
		default:
			break;
		}
	}
	return engine__end(e, s, PATH_EXIT, NULL);
}

/* A legacy packet load that fails ends the program with r0 = 0, as the
 * interpreter: only the entry frame can do so. */
static enum step legacy_packet_load_fails(struct mhse_engine *e, struct state *s)
{
	if (s->depth)
		return engine__end(e, s, PATH_UNSUPPORTED, "packet load failure inside a subprogram");
	s->regs[BPF_REG_0] = sval_conc(0);
	return do_exit(e, s);
}

/* The byte at offset idx (64 bits, >= -l2_len) from the packet data, at
 * buffer offset at: below the data, the link-layer header the hook's test
 * run strips, as the interpreter's packet_byte. */
static Z3_ast packet_byte(struct mhse_engine *e, struct state *s, Z3_ast idx, Z3_ast at)
{
	Z3_context z = e->ctx.z;
	Z3_ast byte = Z3_mk_select(z, s->regions[SREGION_PKT]->array, at);
	Z3_ast ethertype = e->hook->kernel_l2_ethertype ? engine__ctx_input(e, e->hook->kernel_l2_ethertype) : NULL;
	Z3_ast l2 = Z3_mk_bvadd(z, idx, term_num(e, e->hook->kernel_l2_len, 64)), hdr = term_num(e, 0, 8);

	if (!e->hook->kernel_l2_len)
		return byte;
	for (unsigned i = 0; ethertype && i < 2; i++)
		hdr = Z3_mk_ite(z, term_eq(e, l2, 12 + i), Z3_mk_extract(z, 8 * i + 7, 8 * i, ethertype), hdr);
	return Z3_mk_ite(z, Z3_mk_bvslt(z, idx, term_num(e, 0, 64)), hdr, byte);
}

/* LD_ABS/LD_IND as the interpreter's legacy_packet_load: a big-endian load
 * at imm (or src + imm), a signed 32-bit offset from the packet data, or
 * from the network or link-layer header (SKF_NET_OFF, SKF_LL_OFF). The path
 * splits on the offset's range and on the packet length. */
static enum step legacy_packet_load(struct mhse_engine *e, struct state *s, const struct bpf_insn *insn)
{
	Z3_context z = e->ctx.z;
	unsigned size = sem_size_bytes(insn->code);
	struct sval off = sval_conc((uint64_t)(int64_t)insn->imm);
	Z3_ast off64, start, at, fits, be = NULL;
	struct state *other;
	int side;
	enum step st;

	if (!e->hook->has_packet)
		return legacy_packet_load_fails(e, s);
	if (BPF_MODE(insn->code) == BPF_IND)
		off = sym_alu(&e->ctx, BPF_ALU | BPF_ADD | BPF_K, 0, s->regs[insn->src_reg], off);
	off64 = Z3_mk_sign_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, off)));
	start = off64;
	if ((side = split_rerun(e, s, Z3_mk_bvslt(z, off64, term_num(e, 0, 64)))) < 0)
		return STEP_DONE;
	if (side) {
		if ((side = split_rerun(e, s, Z3_mk_bvsge(z, off64, term_num(e, (uint64_t)(int64_t)SKF_NET_OFF, 64)))) < 0)
			return STEP_DONE;
		if (side) {
			start = Z3_mk_bvadd(z, off64, term_num(e, s->skb_net_off - (int64_t)SKF_NET_OFF, 64));
		} else {
			if ((side = split_rerun(e, s, Z3_mk_bvsge(z, off64, term_num(e, (uint64_t)(int64_t)SKF_LL_OFF, 64)))) < 0)
				return STEP_DONE;
			if (!side)
				return legacy_packet_load_fails(e, s);
			start = Z3_mk_bvadd(z, off64, term_num(e, (uint64_t)(-(int64_t)SKF_LL_OFF - e->hook->kernel_l2_len), 64));
		}
		start = engine__simplify(e, start);
	}
	/* start >= -l2_len: signed comparisons hold where the buffer offset wraps */
	at = Z3_mk_bvadd(z, term_num(e, s->pkt_lo, 64), start);
	fits = Z3_mk_bvsle(z, Z3_mk_bvadd(z, at, term_num(e, size, 64)), s->pkt_hi);
	switch (engine__split(e, s, Z3_mk_not(z, fits), &other)) {
	case -1:
		return STEP_DONE;
	case 1:
		return legacy_packet_load_fails(e, s);
	case 2:
		st = legacy_packet_load_fails(e, other);
		state__free(other);
		if (st == STEP_FAILED)
			return st;
		break;
	default:
		break;
	}
	for (unsigned i = 0; i < size; i++) {
		Z3_ast byte = packet_byte(e, s, Z3_mk_bvadd(z, start, term_num(e, i, 64)),
					  Z3_mk_bvadd(z, at, term_num(e, i, 64)));

		be = be ? Z3_mk_concat(z, be, byte) : byte;
	}
	s->regs[BPF_REG_0] = sym_from(&e->ctx, engine__simplify(e, be), false);
	return STEP_CONTINUE;
}

/* Past the exploration's end, the states left are completed in the time
 * the run has left. */
static void check_exploration_end(struct mhse_engine *e)
{
	if (!e->completing && e->explore_end_ns && now_ns() >= e->explore_end_ns)
		start_completing(e);
}

static bool over_budget(struct mhse_engine *e)
{
	const struct mhse_explore_opts *o = &e->opts;
	struct rusage ru;

	if (o->max_paths && e->stats.paths >= o->max_paths) {
		e->stats.ended_by = "max-paths";
		return true;
	}
	if (o->max_time_s > 0 && (double)(now_ns() - e->start_ns) / 1e9 >= o->max_time_s) {
		e->stats.ended_by = "max-time";
		return true;
	}
	/* memory is checked every 256 states: getrusage is a system call */
	if (o->max_memory_mb && !(++e->budget_checks & 255) && !getrusage(RUSAGE_SELF, &ru) &&
	    (uint64_t)ru.ru_maxrss / 1024 >= o->max_memory_mb) {
		e->stats.ended_by = "max-memory";
		return true;
	}
	check_exploration_end(e);
	return false;
}

/* Runs s until it ends or forks. */
static enum step run_state(struct mhse_engine *e, struct state *s, bool *covered)
{
	for (;;) {
		const struct bpf_insn *insn;
		struct sval src, *regs = s->regs;
		enum step st = STEP_CONTINUE;
		uint64_t forks = e->stats.forks;

		if (s->pc >= s->prog->insn_cnt)
			return engine__end(e, s, PATH_ERROR, "execution fell off the end of the program");
		if (s->insns++ >= e->opts.max_insns)
			return engine__end(e, s, PATH_BUDGET, "instruction budget of %llu exhausted",
					   (unsigned long long)e->opts.max_insns);
		/* a long path must not outlive the run's time budget */
		if (!(s->insns & 4095)) {
			if (engine__out_of_time(e, s, &st))
				return st;
			check_exploration_end(e);
		}
		e->stats.insns++;
		s->nondet_before = s->nondet_cnt;
		if (s->prog == e->prog)
			covered[s->pc] = true;
		insn = &s->prog->insns[s->pc];
		src = BPF_SRC(insn->code) == BPF_X ? regs[insn->src_reg] : sval_conc((uint64_t)(int64_t)insn->imm);

		switch (BPF_CLASS(insn->code)) {
		case BPF_ALU:
		case BPF_ALU64: {
			struct sval dst = regs[insn->dst_reg];

			if (BPF_OP(insn->code) == BPF_END) {
				regs[insn->dst_reg] = sym_bswap(&e->ctx, insn->code, insn->imm, dst);
			} else {
				struct sval r = sym_alu(&e->ctx, insn->code, insn->off, dst, src);

				/* concrete pointer plus symbolic scalar: a symbolic pointer into the same region */
				if (!sval_is_conc(r) && r.region < 0 && BPF_CLASS(insn->code) == BPF_ALU64 &&
				    (BPF_OP(insn->code) == BPF_ADD || BPF_OP(insn->code) == BPF_SUB)) {
					if (sval_is_conc(dst))
						r.region = region_of(s, dst);
					else if (sval_is_conc(src) && BPF_OP(insn->code) == BPF_ADD)
						r.region = region_of(s, src);
				}
				regs[insn->dst_reg] = r;
			}
			s->pc++;
			break;
		}
		case BPF_JMP:
		case BPF_JMP32:
			switch (BPF_OP(insn->code)) {
			case BPF_EXIT:
				st = do_exit(e, s);
				break;
			case BPF_CALL:
				if (BPF_SRC(insn->code) == BPF_X) {
					struct sval t = regs[insn->dst_reg];

					/* as the interpreter: a function address, or a helper number */
					if (sval_is_conc(t) && (t.c & ~VM_PTR_INDEX_MASK) == VM_FUNC_PTR(0)) {
						st = call_local(e, s, t.c & VM_PTR_INDEX_MASK);
					} else if (sval_is_conc(t) && t.c <= INT32_MAX) {
						st = call_helper(e, s, (int32_t)t.c);
						if (st == STEP_CONTINUE)
							s->pc++;
					} else {
						st = engine__end(e, s, PATH_UNSUPPORTED, "callx to a value that is not a function");
					}
				} else if (insn->src_reg == BPF_PSEUDO_CALL) {
					st = call_local(e, s, s->pc + 1 + (int64_t)insn->imm);
				} else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
					st = engine__end(e, s, PATH_UNSUPPORTED, "kfunc %s",
							 (uint32_t)insn->imm < e->obj->extern_cnt ?
								 e->obj->externs[insn->imm].name : "?");
				} else if (insn->imm == BPF_FUNC_tail_call) {
					st = policy__tail_call(e, s);
					if (st == STEP_CONTINUE)
						s->pc++;
				} else {
					st = call_helper(e, s, insn->imm);
					if (st == STEP_CONTINUE)
						s->pc++;
				}
				break;
			case BPF_JA:
				s->pc += 1 + (BPF_CLASS(insn->code) == BPF_JMP32 ? insn->imm : insn->off);
				break;
			default:
				st = cond_jump(e, s, insn, src);
				break;
			}
			break;
		case BPF_LDX: {
			struct sval a = sym_alu(&e->ctx, BPF_ALU64 | BPF_ADD | BPF_K, 0, regs[insn->src_reg],
						sval_conc((uint64_t)(int64_t)insn->off));

			if (!sval_is_conc(regs[insn->src_reg]))
				a.region = regs[insn->src_reg].region;
			st = load(e, s, insn->code, a, &regs[insn->dst_reg]);
			if (st == STEP_CONTINUE)
				s->pc++;
			break;
		}
		case BPF_ST:
		case BPF_STX: {
			struct sval a = sym_alu(&e->ctx, BPF_ALU64 | BPF_ADD | BPF_K, 0, regs[insn->dst_reg],
						sval_conc((uint64_t)(int64_t)insn->off));

			if (!sval_is_conc(regs[insn->dst_reg]))
				a.region = regs[insn->dst_reg].region;
			if (BPF_CLASS(insn->code) == BPF_STX && BPF_MODE(insn->code) == BPF_ATOMIC)
				st = atomic(e, s, insn);
			else
				st = store(e, s, insn->code, a,
					   BPF_CLASS(insn->code) == BPF_ST ? sval_conc((uint64_t)(int64_t)insn->imm) :
									      regs[insn->src_reg]);
			if (st == STEP_CONTINUE)
				s->pc++;
			break;
		}
		case BPF_LD:
			if (insn_is_ld_imm64(insn)) {
				st = ld_imm64(e, s, insn);
				if (st == STEP_CONTINUE)
					s->pc += 2;
			} else {
				st = legacy_packet_load(e, s, insn);
				if (st == STEP_CONTINUE)
					s->pc++;
			}
			break;
		default:
			st = engine__end(e, s, PATH_UNSUPPORTED, "instruction 0x%02x", insn->code);
			break;
		}
		if (st == STEP_PC_SET)
			st = STEP_CONTINUE;
		if (st != STEP_CONTINUE || e->stats.forks != forks)
			return st;
	}
}

/* ---- finished paths ---- */

static void eval_array_bytes(struct mhse_engine *e, struct assignment *m, Z3_ast array, uint64_t start, uint32_t n,
			     uint8_t *out)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = (uint8_t)solver__eval_element(&e->solver, m, array, start + i);
}

struct model_eval {
	struct mhse_engine *e;
	struct assignment *m;
};

static uint64_t model_value(void *arg, Z3_ast term, uint64_t bound)
{
	const struct model_eval *me = arg;
	Z3_context z = me->e->ctx.z;

	if (Z3_get_sort_kind(z, Z3_get_sort(z, term)) == Z3_ARRAY_SORT)
		return solver__eval_element(&me->e->solver, me->m, term, bound);
	return solver__eval_at(&me->e->solver, me->m, term, bound);
}

/* A region's bytes in the model: as they are now, or as the path found them. */
static int eval_region(struct mhse_engine *e, struct assignment *m, const struct sregion *r, bool origin, uint8_t *out)
{
	struct model_eval me = { e, m };

	return origin ? sregion__eval_origin(&e->ctx, r, model_value, &me, out) :
			sregion__eval(&e->ctx, r, model_value, &me, out);
}

/* An event's bytes in the model: as many of its memory's as its length's
 * value keeps, then its tail. */
static int build_event(struct mhse_engine *e, const struct state *s, struct assignment *m, const struct event_record *ev,
		       struct path_event *out)
{
	uint64_t kept = ev->len_term ? solver__eval(&e->solver, m, ev->len_term) : ev->len;
	uint32_t len = kept < ev->len ? (uint32_t)kept : ev->len;
	uint8_t *input = NULL;
	int err;

	*out = (struct path_event){ .helper = ev->helper, .map = ev->map, .len = len + ev->tail_len };
	out->data = malloc(out->len ? out->len : 1);
	if (!out->data)
		return -ENOMEM;
	if (len) {
		const struct sregion *now = s->regions[ev->mem_id];
		uint64_t off = sval_is_conc(ev->mem_off) ? ev->mem_off.c : solver__eval(&e->solver, m, ev->mem_off.e);
		struct model_eval me = { e, m };

		input = malloc(now->size);
		if (!input)
			return -ENOMEM;
		err = eval_region(e, m, now, true, input) ?:
		      sregion__eval_span(&e->ctx, ev->mem, (uint32_t)off, len, input, model_value, &me, out->data);
		free(input);
		if (err)
			return err;
	}
	if (ev->tail_len)
		solver__eval_bytes(&e->solver, m, ev->tail, ev->tail_len, out->data + len);
	return 0;
}

static int add_entry(struct path_map_entry **list, size_t *cnt, uint32_t map, const uint8_t *key, uint32_t ksz,
		     const uint8_t *value, uint32_t vsz)
{
	struct path_map_entry *l = realloc(*list, (*cnt + 1) * sizeof(*l));
	struct path_map_entry *ent;

	if (!l)
		return -ENOMEM;
	*list = l;
	ent = &l[(*cnt)++];
	ent->map = map;
	ent->key = malloc(ksz ? ksz : 1);
	ent->value = value ? malloc(vsz ? vsz : 1) : NULL;
	if (!ent->key || (value && !ent->value))
		return -ENOMEM;
	memcpy(ent->key, key, ksz);
	if (value)
		memcpy(ent->value, value, vsz);
	return 0;
}

/* The ids the path's inner maps have in its test (map_ids.h): in the order
 * of the initial map-in-map entries holding them, where the entries of one
 * key (the lookup policy may find it twice) hold one map. keys holds each
 * record's key in the model. Returns the table, by inner map on the path. */
static uint32_t *test_inner_ids(struct mhse_engine *e, const struct state *s, const uint8_t *keys, uint32_t max_k)
{
	uint32_t *ids = malloc((s->inner_cnt ? s->inner_cnt : 1) * sizeof(*ids)), next = (uint32_t)e->obj->map_cnt;

	if (!ids)
		return NULL;
	for (uint32_t k = 0; k < s->inner_cnt; k++)
		ids[k] = UINT32_MAX;
	for (size_t i = 0; i < s->record_cnt; i++) {
		const struct map_record *r = &s->records[i];
		const struct mhse_map *def = policy__map_def(e, s, r->map);
		uint32_t held;

		if (!map_is_map_in_map(def->type) || !r->present ||
		    (held = (uint32_t)sregion__number(s->regions[r->region], 0, 4)) < e->obj->map_cnt)
			continue;
		held -= (uint32_t)e->obj->map_cnt;
		for (size_t j = 0; j < i && ids[held] == UINT32_MAX; j++) {
			const struct map_record *q = &s->records[j];

			if (q->map == r->map && q->present && !memcmp(keys + j * max_k, keys + i * max_k, def->key_size))
				ids[held] = ids[sregion__number(s->regions[q->region], 0, 4) - e->obj->map_cnt];
		}
		if (ids[held] == UINT32_MAX)
			ids[held] = next++;
	}
	return ids;
}

/* Initial entries the path relied on, and every entry whose final value
 * differs from its initial one. Records are grouped by their map's id in
 * the test and their key's value in the model: a group's first record says
 * what the map held (when it is an initial record), its last what the map
 * holds at the end. A map-in-map's entries are never written (the verifier
 * lets programs only look them up), and hold the inner map's id in the test. */
static int build_map_effects(struct mhse_engine *e, const struct state *s, struct assignment *m, struct path_result *p)
{
	const struct mhse_object *obj = e->obj;
	uint8_t *keys = NULL, *now = NULL, *before = NULL;
	uint32_t max_k = 1, max_v = 4, *inner = NULL;
	bool *grouped = NULL;
	int err = -ENOMEM;

	for (size_t i = 0; i < s->record_cnt; i++) {
		const struct mhse_map *def = policy__map_def(e, s, s->records[i].map);

		max_k = def->key_size > max_k ? def->key_size : max_k;
		max_v = def->value_size > max_v ? def->value_size : max_v;
	}
	for (uint32_t i = SREGION_FIXED; i < s->region_cnt; i++)
		if (s->regions[i]->kind == MEM_GLOBAL && s->regions[i]->size > max_v)
			max_v = s->regions[i]->size;
	keys = calloc(s->record_cnt ? s->record_cnt : 1, max_k);
	grouped = calloc(s->record_cnt ? s->record_cnt : 1, sizeof(*grouped));
	now = malloc(max_v);
	before = calloc(1, max_v);
	if (!keys || !grouped || !now || !before)
		goto out;
	for (size_t i = 0; i < s->record_cnt; i++)
		solver__eval_bytes(&e->solver, m, s->records[i].key, policy__map_def(e, s, s->records[i].map)->key_size,
				   keys + i * max_k);
	inner = test_inner_ids(e, s, keys, max_k);
	if (!inner)
		goto out;
#define TEST_MAP_ID(id) ((id) < obj->map_cnt ? (id) : inner[(id) - obj->map_cnt])
	for (size_t i = 0; i < p->event_cnt; i++)
		p->events[i].map = TEST_MAP_ID(p->events[i].map);
	for (size_t i = 0; i < s->record_cnt; i++) {
		const struct map_record *first = &s->records[i], *last = first;
		const struct mhse_map *def = policy__map_def(e, s, first->map);
		const uint8_t *key = keys + i * max_k;
		uint32_t map = TEST_MAP_ID(first->map);
		bool holds_map = map_is_map_in_map(def->type);

		if (grouped[i])
			continue;
		for (size_t j = i + 1; j < s->record_cnt; j++)
			if (TEST_MAP_ID(s->records[j].map) == map && !memcmp(keys + j * max_k, key, def->key_size)) {
				grouped[j] = true;
				last = &s->records[j];
			}
		if (first->initial) {
			if (first->present && holds_map)
				mem_store_le(before, 4, TEST_MAP_ID((uint32_t)sregion__number(s->regions[first->region], 0, 4)));
			else if (first->present && eval_region(e, m, s->regions[first->region], true, before))
				goto out;
			if (add_entry(&p->map_in, &p->map_in_cnt, map, key, def->key_size, first->present ? before : NULL,
				      def->value_size))
				goto out;
		}
		if (holds_map)
			continue;
		if (last->present && eval_region(e, m, s->regions[last->region], false, now))
			goto out;
		if (first->initial && first->present == last->present &&
		    (!last->present || !memcmp(now, before, def->value_size)))
			continue;
		if (!first->initial && !last->present)
			continue; /* deleting what was never there changes nothing */
		if (add_entry(&p->map_out, &p->map_out_cnt, map, key, def->key_size, last->present ? now : NULL,
			      def->value_size))
			goto out;
	}
#undef TEST_MAP_ID
	/* Global data changes in place. */
	for (uint32_t i = SREGION_FIXED; i < s->region_cnt; i++) {
		const struct sregion *r = s->regions[i];
		const struct mhse_map *def;
		static const uint32_t zero;

		if (r->kind != MEM_GLOBAL)
			continue;
		def = &obj->maps[r->owner];
		if (eval_region(e, m, r, false, now))
			goto out;
		memset(before, 0, max_v);
		if (def->init)
			memcpy(before, def->init, def->value_size);
		if (!memcmp(now, before, def->value_size))
			continue;
		if (add_entry(&p->map_out, &p->map_out_cnt, (uint32_t)r->owner, (const uint8_t *)&zero, sizeof(zero), now,
			      def->value_size))
			goto out;
	}
	err = 0;
out:
	free(keys);
	free(inner);
	free(grouped);
	free(now);
	free(before);
	return err;
}

/* Under the lookup policy a lookup ignores what the path saw of its key
 * before, so a path may need a map that answers one key two ways; each
 * such lookup recorded when its answer agrees with what the map held then
 * (policy.c). The path is realisable when all of them hold: returns their
 * conjunction, or NULL when there is none. */
static Z3_ast realisable_maps(struct mhse_engine *e, const struct state *s)
{
	Z3_ast all = NULL;

	for (size_t i = 0; i < s->record_cnt; i++) {
		Z3_ast c = s->records[i].realisable;

		if (c)
			all = all ? Z3_mk_and(e->ctx.z, 2, (Z3_ast[]){ all, c }) : c;
	}
	return all;
}

/* The kernel memory the path read, by address: each object's non-zero
 * bytes in runs (the rest reads as zero); a NULL object's are never read.
 * The bytes as the object holds them at the end, which the program cannot
 * write: its fresh bytes, and the strings a copy laid over them. */
static int build_kernel_memory(struct mhse_engine *e, const struct state *s, struct assignment *m, struct path_result *p)
{
	uint8_t *bytes = s->kobj_cnt ? malloc(KOBJ_SPAN) : NULL;

	if (s->kobj_cnt && !bytes)
		return -ENOMEM;
	for (size_t i = 0; i < s->kobj_cnt; i++) {
		uint64_t base = solver__eval(&e->solver, m, s->kobjs[i].base);

		if (!base)
			continue;
		if (eval_region(e, m, s->regions[s->kobjs[i].region], false, bytes)) {
			free(bytes);
			return -ENOMEM;
		}
		for (uint32_t k = 0, end; mem_next_run(bytes, KOBJ_SPAN, k, TEST_VALUE_GAP, &k, &end); k = end) {
			struct path_kmem *km = realloc(p->kmem, (p->kmem_cnt + 1) * sizeof(*km));
			if (!km || !(km[p->kmem_cnt].bytes = malloc(end - k))) {
				if (km)
					p->kmem = km;
				free(bytes);
				return -ENOMEM;
			}
			p->kmem = km;
			memcpy(km[p->kmem_cnt].bytes, bytes + k, end - k);
			km[p->kmem_cnt].addr = base - KOBJ_HALF + k;
			km[p->kmem_cnt++].len = end - k;
		}
	}
	free(bytes);
	return 0;
}

struct trace_reader {
	struct mhse_engine *e;
	const struct state *s;
	struct assignment *m;
};

/* A string argument as the path's final memory holds it. */
static int model_read_str(void *arg, uint64_t addr, char *buf, size_t len)
{
	const struct trace_reader *r = arg;
	uint32_t id = mem_addr_region(addr), off = mem_addr_offset(addr);
	const struct sregion *reg;
	size_t i = 0;

	if (!addr || id >= r->s->region_cnt || (reg = r->s->regions[id])->array)
		return -1;
	for (; i + 1 < len && off + i < reg->size; i++) {
		struct sval c = sregion__read(&r->e->ctx, reg, sval_conc(off + i), 1);

		buf[i] = (char)(sval_is_conc(c) ? c.c : solver__eval(&r->e->solver, r->m, c.e));
		if (!buf[i])
			return 0;
	}
	if (i + 1 < len)
		return -1;
	buf[i] = '\0';
	return 0;
}

/* The trace_printk output of the path: each call formatted with its
 * arguments' values in the model, one line each, as the interpreter prints. */
static int format_traces(struct mhse_engine *e, const struct state *s, struct assignment *m, char **trace)
{
	struct trace_reader reader = { e, s, m };
	size_t len = 0;
	char line[512];

	*trace = malloc(s->trace_cnt * sizeof(line) + 1);
	if (!*trace)
		return -ENOMEM;
	for (size_t i = 0; i < s->trace_cnt; i++) {
		const struct trace_call *c = &s->traces[i];
		uint64_t args[3];
		int n;

		for (int a = 0; a < 3; a++)
			args[a] = solver__eval(&e->solver, m, c->args[a]);
		n = trace_format(c->fmt, c->fmt_len, args, model_read_str, &reader, line, sizeof(line));
		if (n < 0)
			continue; /* the program saw -EINVAL and printed nothing */
		memcpy(*trace + len, line, (size_t)n);
		len += (size_t)n;
		(*trace)[len++] = '\n';
	}
	(*trace)[len] = '\0';
	return 0;
}

enum step engine__emit(struct mhse_engine *e, struct state *s, struct event_record ev, struct sval addr)
{
	if (ev.len) {
		enum step st = engine__resolve(e, s, addr, ev.len, false, &ev.mem_id, &ev.mem_off);

		if (st != STEP_CONTINUE)
			return st;
		ev.mem = s->regions[ev.mem_id];
	}
	return state__add_event(s, &ev) ? STEP_FAILED : STEP_CONTINUE;
}

int engine__trace(struct mhse_engine *e, struct state *s, const char *fmt, uint32_t fmt_len, const struct sval *args)
{
	char **strings = realloc(e->strings, (e->string_cnt + 1) * sizeof(*strings));
	struct trace_call *calls = realloc(s->traces, (s->trace_cnt + 1) * sizeof(*calls));
	char *copy = malloc(fmt_len ? fmt_len : 1);

	if (strings)
		e->strings = strings;
	if (calls)
		s->traces = calls;
	if (!strings || !calls || !copy) {
		free(copy);
		return -ENOMEM;
	}
	memcpy(copy, fmt, fmt_len);
	e->strings[e->string_cnt++] = copy;
	calls[s->trace_cnt].fmt = copy;
	calls[s->trace_cnt].fmt_len = fmt_len;
	for (int a = 0; a < 3; a++)
		calls[s->trace_cnt].args[a] = sym_ast(&e->ctx, args[a]);
	s->trace_cnt++;
	return 0;
}

static int build_path(struct mhse_engine *e, const struct state *s, struct assignment *m, struct path_result *p)
{
	const struct mhse_hook *hook = e->hook;
	const struct sregion *pkt = s->regions[SREGION_PKT];

	if (hook->has_packet) {
		uint64_t len = solver__eval(&e->solver, m, e->pkt_len0);
		uint64_t out_len = solver__eval(&e->solver, m, s->pkt_hi) - s->pkt_meta;

		p->packet_in_len = (uint32_t)len;
		p->packet_in = malloc(len ? len : 1);
		p->packet_out_len = (uint32_t)out_len;
		p->packet_out = malloc(out_len ? out_len : 1);
		if (!p->packet_in || !p->packet_out)
			return -ENOMEM;
		eval_array_bytes(e, m, e->pkt0, hook->headroom, (uint32_t)len, p->packet_in);
		eval_array_bytes(e, m, pkt->array, s->pkt_meta, (uint32_t)out_len, p->packet_out);
	}
	if (hook->input == HOOK_INPUT_RAW_MEM) {
		/* for raw-memory hooks the packet fields carry the memory */
		const struct sregion *raw = s->regions[SREGION_RAW];
		uint32_t n = e->opts.raw_len;

		p->packet_in_len = p->packet_out_len = n;
		p->packet_in = malloc(n ? n : 1);
		p->packet_out = malloc(n ? n : 1);
		if (!p->packet_in || !p->packet_out)
			return -ENOMEM;
		for (uint32_t i = 0; i < n; i++)
			p->packet_in[i] = e->raw_vars ? (uint8_t)solver__eval(&e->solver, m, e->raw_vars[i]) : e->opts.raw[i];
		if (eval_region(e, m, raw, false, p->packet_out))
			return -ENOMEM;
	}
	p->ctx_len = hook->ctx_size;
	p->ctx_in = calloc(1, hook->ctx_size ? hook->ctx_size : 1);
	if (!p->ctx_in)
		return -ENOMEM;
	for (size_t i = 0, v = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		for (uint32_t k = 0; k < f->count; k++, v++)
			if (e->ctx_vars[v])
				mem_store_le(p->ctx_in + f->offset + k * f->size, f->size,
					     solver__eval(&e->solver, m, e->ctx_vars[v]));
	}
	p->nondet_cnt = s->nondet_cnt;
	p->nondet = calloc(s->nondet_cnt ? s->nondet_cnt : 1, sizeof(*p->nondet));
	if (!p->nondet)
		return -ENOMEM;
	for (size_t i = 0; i < s->nondet_cnt; i++)
		p->nondet[i] = (struct path_nondet){ .helper = s->nondet[i].helper,
						     .value = solver__eval(&e->solver, m, s->nondet[i].e) };
	p->ret = solver__eval(&e->solver, m, sym_ast(&e->ctx, s->regs[BPF_REG_0]));
	p->redirect_target = solver__eval(&e->solver, m, sym_ast(&e->ctx, s->redirect));
	p->branch_cnt = s->branch_cnt;
	p->branches = s->branch_cnt ? malloc(s->branch_cnt * sizeof(*p->branches)) : NULL;
	if (s->branch_cnt && !p->branches)
		return -ENOMEM;
	if (s->branch_cnt)
		memcpy(p->branches, s->branches, s->branch_cnt * sizeof(*p->branches));
	if (s->trace_cnt && format_traces(e, s, m, &p->trace))
		return -ENOMEM;
	p->events = calloc(s->event_cnt ? s->event_cnt : 1, sizeof(*p->events));
	if (!p->events)
		return -ENOMEM;
	for (size_t i = 0; i < s->event_cnt; i++)
		if (build_event(e, s, m, &s->events[i], &p->events[p->event_cnt++]))
			return -ENOMEM;
	p->insns = s->insns;
	return build_kernel_memory(e, s, m, p) ?: build_map_effects(e, s, m, p);
}

/* Whether the paths under s are this process's (partition.h): its
 * decisions agree with the worker's subtree, and its shard is ours once it
 * is deep enough to have one. A finished path (final) above the worker's
 * subtree is not the worker's, and one that ended above the split depth
 * takes its shard from all its decisions. */
static bool owns(struct mhse_engine *e, struct state *s, bool final)
{
	uint64_t depth = s->depth_in_tree;
	uint32_t node;

	if (s->owned)
		return true;
	switch (prefix_set__place(&e->targets, s->fork_bits, depth, &node)) {
	case PREFIX_OFF:
		return false;
	case PREFIX_ABOVE:
		return !final;
	default:
		break;
	}
	if (e->opts.shard.count > 1) {
		if (depth < e->split_depth && !final)
			return true;
		if (shard__of(&e->opts.shard, s->fork_bits, depth < e->split_depth ? depth : e->split_depth) !=
		    e->opts.shard.index)
			return false;
	}
	s->owned = true;
	return true;
}

bool engine__out_of_time(struct mhse_engine *e, struct state *s, enum step *st)
{
	if (e->opts.max_time_s <= 0 || (double)(now_ns() - e->start_ns) / 1e9 < e->opts.max_time_s)
		return false;
	e->stats.ended_by = "max-time";
	/* a helper stopped halfway: the path ends before its instruction, as
	 * its replay does, without the values the helper drew */
	s->nondet_cnt = s->nondet_before;
	*st = engine__end(e, s, PATH_BUDGET, "time budget of %.1f s exhausted", e->opts.max_time_s);
	return true;
}

static uint32_t entry_index(const struct mhse_engine *e)
{
	return (uint32_t)(e->prog - e->obj->progs);
}

static void mark_tested_sides(struct mhse_engine *e, const struct state *s)
{
	for (size_t i = 0; i < s->branch_cnt; i++)
		if (s->branches[i].prog == entry_index(e))
			e->tested_sides[s->branches[i].pc] |= (uint8_t)(1u << s->branches[i].taken);
}

/* Whether s took a side of an entry program's jump that no path with a
 * test took: it ran code no test covers yet. */
static bool takes_untested_side(const struct mhse_engine *e, const struct state *s)
{
	for (size_t i = s->branch_cnt; i-- > 0;) {
		const struct path_branch *b = &s->branches[i];

		if (b->prog == entry_index(e) && !(e->tested_sides[b->pc] & (1u << b->taken)))
			return true;
	}
	return false;
}

enum step engine__end(struct mhse_engine *e, struct state *s, enum path_kind kind, const char *fmt, ...)
{
	struct path_result p = { .kind = kind, .err_prog = (uint32_t)(s->prog - e->obj->progs), .err_pc = (uint32_t)s->pc,
				 .completed = e->completing && kind != PATH_BUDGET };
	enum sat sat;
	va_list args;

	if (!owns(e, s, true))
		return STEP_DONE;
	if (fmt) {
		va_start(args, fmt);
		vsnprintf(p.message, sizeof(p.message), fmt, args);
		va_end(args);
	}
	e->stats.paths++;
	switch (kind) {
	case PATH_EXIT: e->stats.exits++; break;
	case PATH_ERROR: e->stats.errors++; break;
	case PATH_UNSUPPORTED: e->stats.unsupported++; break;
	case PATH_BUDGET: e->stats.budget++; break;
	case PATH_TIMEOUT: e->stats.timeouts++; break;
	case PATH_WARNING: e->stats.warnings++; break;
	}
	{
		Z3_ast realisable = realisable_maps(e, s);

		if (realisable && engine__constrain(e, s, realisable)) {
			e->stop = true;
			return STEP_FAILED;
		}
		solver__set_origin(&e->solver, "model");
		sat = solver__model(&e->solver, s->path, s->path_cnt, &s->model);
		if (realisable && sat == SAT_NO) {
			/* no map answers this path's lookups: solve it as it is */
			s->path_cnt--;
			p.spurious = true;
			sat = solver__model(&e->solver, s->path, s->path_cnt, &s->model);
		}
	}
	if (sat != SAT_YES && kind != PATH_TIMEOUT) {
		p.kind = PATH_TIMEOUT;
		snprintf(p.message, sizeof(p.message), "no model for the path (%s)", sat == SAT_NO ? "infeasible" : "timeout");
	}
	if (sat == SAT_YES)
		mark_tested_sides(e, s);
	if (build_path(e, s, s->model.a, &p))
		e->stop = true;
	else if (e->on_path && e->on_path(e->on_path_arg, &p))
		e->stop = true;
	path_result__free(&p);
	return STEP_DONE;
}

void path_result__free(struct path_result *p)
{
	for (size_t i = 0; i < p->map_in_cnt; i++) {
		free(p->map_in[i].key);
		free(p->map_in[i].value);
	}
	for (size_t i = 0; i < p->map_out_cnt; i++) {
		free(p->map_out[i].key);
		free(p->map_out[i].value);
	}
	free(p->map_in);
	free(p->map_out);
	free(p->packet_in);
	free(p->packet_out);
	free(p->ctx_in);
	free(p->nondet);
	for (size_t i = 0; i < p->kmem_cnt; i++)
		free(p->kmem[i].bytes);
	free(p->kmem);
	free(p->branches);
	free(p->trace);
	for (size_t i = 0; i < p->event_cnt; i++)
		free(p->events[i].data);
	free(p->events);
}

/* ---- set-up ---- */

/* The index of a field's first element among e->ctx_vars, or -1. */
static int ctx_var_index(const struct mhse_hook *hook, const char *field, const struct ctx_field **f)
{
	int v = 0;

	for (size_t i = 0; i < hook->field_cnt; i++) {
		if (!strcmp(hook->fields[i].name, field)) {
			*f = &hook->fields[i];
			return v;
		}
		v += (int)hook->fields[i].count;
	}
	return -1;
}

Z3_ast engine__ctx_input(struct mhse_engine *e, const char *field)
{
	const struct ctx_field *f;
	int v = ctx_var_index(e->hook, field, &f);

	return v < 0 ? NULL : e->ctx_vars[v];
}

/* Sets a context field of s to term; without keep_input, the field is no
 * input of the test any more. */
static int ctx_set(struct mhse_engine *e, struct state *s, const char *field, Z3_ast term, bool keep_input)
{
	const struct ctx_field *f;
	int v = ctx_var_index(e->hook, field, &f);
	struct sregion *ctx;

	if (v < 0)
		return 0; /* a spec without the field: nothing to derive */
	ctx = state__writable_region(s, SREGION_CTX);
	if (!ctx)
		return -ENOMEM;
	if (!keep_input)
		e->ctx_vars[v] = NULL;
	for (uint32_t b = 0; b < f->size; b++)
		if (sregion__set_byte(ctx, f->offset + b, Z3_mk_extract(e->ctx.z, 8 * b + 7, 8 * b, term)))
			return -ENOMEM;
	return 0;
}

int engine__ctx_derive(struct mhse_engine *e, struct state *s, const char *field, Z3_ast term)
{
	return ctx_set(e, s, field, term, false);
}

int engine__ctx_rewrite(struct mhse_engine *e, struct state *s, const char *field, Z3_ast term)
{
	return ctx_set(e, s, field, term, true);
}

static int init_context(struct mhse_engine *e, struct state *s)
{
	const struct mhse_hook *hook = e->hook;
	Z3_context z = e->ctx.z;
	size_t vars = 0;
	struct sregion *ctx;

	for (size_t i = 0; i < hook->field_cnt; i++)
		vars += hook->fields[i].count;
	e->ctx_vars = calloc(vars ? vars : 1, sizeof(*e->ctx_vars));
	ctx = s->regions[SREGION_CTX];
	if (!e->ctx_vars)
		return -ENOMEM;
	for (size_t i = 0, v = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		for (uint32_t k = 0; k < f->count; k++, v++) {
			char name[80];
			Z3_ast var, range[4], one_of[4];

			if (f->kind != CTX_SCALAR || !f->read)
				continue;
			snprintf(name, sizeof(name), f->count > 1 ? "ctx_%s_%u" : "ctx_%s", f->name, k);
			var = Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, f->size * 8));
			e->ctx_vars[v] = var;
			range[0] = Z3_mk_bvuge(z, var, sym_num(&e->ctx, f->min, f->size * 8));
			range[1] = Z3_mk_bvule(z, var, sym_num(&e->ctx, f->max, f->size * 8));
			range[2] = Z3_mk_eq(z, Z3_mk_bvand(z, var, sym_num(&e->ctx, ~f->bits, f->size * 8)),
					    sym_num(&e->ctx, 0, f->size * 8));
			for (uint32_t n = 0; n < f->value_cnt; n++)
				one_of[n] = Z3_mk_eq(z, var, sym_num(&e->ctx, f->values[n], f->size * 8));
			range[3] = f->value_cnt ? Z3_mk_or(z, f->value_cnt, one_of) : Z3_mk_true(z);
			if (engine__constrain(e, s, engine__simplify(e, Z3_mk_and(z, 4, range))))
				return -ENOMEM;
			for (uint32_t b = 0; b < f->size; b++)
				if (sregion__set_byte(ctx, f->offset + k * f->size + b, Z3_mk_extract(z, 8 * b + 7, 8 * b, var)))
					return -ENOMEM;
		}
	}
	return 0;
}

static int init_packet(struct mhse_engine *e, struct state *s)
{
	const struct mhse_hook *hook = e->hook;
	Z3_context z = e->ctx.z;
	Z3_sort arr = Z3_mk_array_sort(z, e->ctx.bv64, e->ctx.bv8);
	uint32_t cap = hook->frame_size ? hook->frame_size : hook->headroom + hook->pkt_max;
	struct sregion *pkt = s->regions[SREGION_PKT];
	Z3_ast bounds[2];

	e->pkt0 = Z3_mk_const(z, Z3_mk_string_symbol(z, "packet"), arr);
	e->pkt_len0 = Z3_mk_const(z, Z3_mk_string_symbol(z, "packet_len"), e->ctx.bv64);
	pkt->array = e->pkt0;
	pkt->size = cap;
	s->pkt_lo = s->pkt_meta = s->pkt_low_water = hook->headroom;
	s->pkt_hi = Z3_mk_bvadd(z, sym_num(&e->ctx, hook->headroom, 64), e->pkt_len0);
	s->pkt_len_proven = hook->pkt_min;
	bounds[0] = Z3_mk_bvuge(z, e->pkt_len0, sym_num(&e->ctx, hook->pkt_min, 64));
	bounds[1] = Z3_mk_bvule(z, e->pkt_len0, sym_num(&e->ctx, hook->pkt_max, 64));
	return engine__constrain(e, s, Z3_mk_and(z, 2, bounds));
}

/* Raw memory (r1 = buffer, r2 = length): the given bytes, or one fresh
 * variable per byte. */
static int init_raw(struct mhse_engine *e, struct state *s)
{
	struct sregion *r;
	uint32_t n = e->opts.raw_len;

	/* the fixed raw region gets the input's size */
	r = s->regions[SREGION_RAW];
	if (sregion__resize(r, n) || (n && sregion__set_bytes(r, e->opts.raw, false)))
		return -ENOMEM;
	if (!e->opts.raw_symbolic)
		return 0;
	e->raw_vars = calloc(n ? n : 1, sizeof(*e->raw_vars));
	if (!e->raw_vars)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		if (sregion__set_byte(r, i, e->raw_vars[i] = sym_fresh(&e->ctx, &s->fresh_cnt, "mem", 8)))
			return -ENOMEM;
	return 0;
}

static int init_state(struct mhse_engine *e)
{
	const struct mhse_object *obj = e->obj;
	struct state *s = state__new();
	int err = -ENOMEM;

	if (!s)
		return -ENOMEM;
	e->init = s;
	for (int i = 0; i < MHSE_MAX_CALL_FRAMES; i++)
		if (state__add_region(s, MEM_STACK, MHSE_STACK_SIZE, true, i) < 0)
			return err;
	if (state__add_region(s, MEM_CTX, e->hook->ctx_size, true, -1) < 0 ||
	    state__add_region(s, MEM_PACKET, 0, true, -1) < 0 || state__add_region(s, MEM_RAW, 0, true, -1) < 0)
		return err;
	if (init_context(e, s) || (e->hook->has_packet && init_packet(e, s)) ||
	    (e->hook->input == HOOK_INPUT_RAW_MEM && init_raw(e, s)))
		return err;
	if (e->hook->module) {
		const struct sym_helper_module *mod = sym_helper_module_find(e->hook->module);

		if (mod && mod->prepare_ctx && mod->prepare_ctx(e, s))
			return err;
	}
	if (sock_sym_init(e, s))
		return err;
	/* Global data as compiled: concrete, and the same in every test. */
	for (size_t i = 0; i < obj->map_cnt; i++) {
		int id;

		if (obj->maps[i].origin != MHSE_MAP_GLOBAL)
			continue;
		id = state__add_region(s, MEM_GLOBAL, obj->maps[i].value_size, !obj->maps[i].readonly, (int32_t)i);
		if (id < 0)
			return err;
		/* the object's bytes outlive the engine */
		if (obj->maps[i].init && sregion__set_bytes(s->regions[id], obj->maps[i].init, true))
			return err;
	}
	s->prog = e->prog;
	if (e->hook->input == HOOK_INPUT_RAW_MEM) {
		/* as the interpreter: r1 = r2 = 0 when there is no memory */
		s->regs[BPF_REG_1] = sval_conc(e->opts.raw_len ? MEM_ADDR(SREGION_RAW, 0) : 0);
		s->regs[BPF_REG_2] = sval_conc(e->opts.raw_len);
	} else {
		s->regs[BPF_REG_1] = sval_conc(MEM_ADDR(SREGION_CTX, 0));
	}
	s->regs[BPF_REG_10] = sval_conc(MEM_ADDR(SREGION_STACK0, MHSE_STACK_SIZE));
	if ((err = policy__init(e, s)))
		return err;
	/* A model of the initial path, repaired from every input 0 where it
	 * can be: the first branches are answered by it, or by repairing it,
	 * before Z3 is asked (a run's first Z3 check costs milliseconds of
	 * set-up, and a small program asks only a few). */
	s->model.a = assignment__new();
	if (!s->model.a)
		return -ENOMEM;
	solver__set_origin(&e->solver, "model");
	solver__model(&e->solver, s->path, s->path_cnt, &s->model);
	return 0;
}

/* The terms every state builds on: the path context, its solver, and the
 * state every path starts from. */
static int terms__init(struct mhse_engine *e)
{
	if (sym_ctx__init(&e->ctx) || solver__init(&e->solver, &e->ctx, e->opts.solver_timeout_ms))
		return -ENOMEM;
	e->simplify_params = Z3_mk_params(e->ctx.z);
	Z3_params_inc_ref(e->ctx.z, e->simplify_params);
	Z3_params_set_uint(e->ctx.z, e->simplify_params, Z3_mk_string_symbol(e->ctx.z, "max_steps"), SIMPLIFY_MAX_STEPS);
	/* a sum in one order: offsets a program adds up in different orders
	 * (an IPv6 extension header's, as the next one's start and as its own
	 * length field's) index one packet byte with one term, which the
	 * solver then need not prove equal to another */
	Z3_params_set_bool(e->ctx.z, e->simplify_params, Z3_mk_string_symbol(e->ctx.z, "bv_sort_ac"), true);
	return init_state(e);
}

static void terms__fini(struct mhse_engine *e)
{
	state__free(e->init);
	e->init = NULL;
	for (size_t i = 0; i < e->arena_cnt; i++) {
		constraint__free(e->arena[i]);
		free(e->arena[i]);
	}
	free(e->arena);
	e->arena = NULL;
	e->arena_cnt = e->arena_cap = 0;
	if (e->ctx.z)
		solver__fini(&e->solver);
	if (e->simplify_params)
		Z3_params_dec_ref(e->ctx.z, e->simplify_params);
	e->simplify_params = NULL;
	term_map__free(&e->simplified);
	sym_ctx__fini(&e->ctx);
	free(e->ctx_vars);
	free(e->raw_vars);
	e->ctx_vars = e->raw_vars = NULL;
	e->pkt0 = e->pkt_len0 = NULL;
}

int mhse_engine__new(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		     const struct mhse_explore_opts *opts, struct mhse_engine **out)
{
	struct mhse_engine *e = calloc(1, sizeof(*e));
	int err = -ENOMEM;

	if (!e)
		return -ENOMEM;
	/* what the kernel would not load must not reach Z3 */
	if (prog->rejected) {
		free(e);
		return -EINVAL;
	}
	e->obj = obj;
	e->prog = prog;
	e->hook = hook;
	e->helper_ctx = helper_context(hook->prog_type, prog->expected_attach_type);
	e->kernel_pointers = hook->kernel_pointers || prog_refs__btf_pointers(prog);
	e->opts = *opts;
	if (!e->opts.max_insns)
		e->opts.max_insns = DEFAULT_MAX_INSNS;
	if (!e->opts.term_memory_mb)
		e->opts.term_memory_mb = DEFAULT_TERM_MEMORY_MB;
	/* one query gets at most an eighth of the run's time budget: a query
	 * that needs more would leave the rest of the path tree too little
	 * (rakelimit's filter_ipv6, hashing IPv6 addresses into a count-min
	 * sketch, spent 6 s of 10 on one) */
	if (!e->opts.solver_timeout_ms) {
		e->opts.solver_timeout_ms = DEFAULT_SOLVER_TIMEOUT_MS;
		if (e->opts.max_time_s > 0 && e->opts.solver_timeout_ms > e->opts.max_time_s * 1000 / QUERY_SHARE_OF_BUDGET)
			e->opts.solver_timeout_ms = (unsigned)(e->opts.max_time_s * 1000 / QUERY_SHARE_OF_BUDGET) + 1;
	}
	e->policy = calloc(obj->map_cnt ? obj->map_cnt : 1, sizeof(*e->policy));
	e->covered = calloc(prog->insn_cnt ? prog->insn_cnt : 1, sizeof(*e->covered));
	e->tested_sides = calloc(prog->insn_cnt ? prog->insn_cnt : 1, sizeof(*e->tested_sides));
	if (!e->policy || !e->covered || !e->tested_sides)
		goto fail;
	for (size_t i = 0; i < obj->map_cnt; i++)
		e->policy[i] = opts->map_policy ? opts->map_policy[i] : opts->policy;
	if (e->opts.shard.count > 1)
		e->split_depth = shard__split_depth(&e->opts.shard);
	e->searcher = searcher__new(opts->search, opts->seed, e->covered, prog);
	if (!e->searcher)
		goto fail;
	err = terms__init(e);
	if (err)
		goto fail;
	*out = e;
	return 0;
fail:
	mhse_engine__free(e);
	return err;
}

/* Hands the shallowest spare state of this worker's subtree to an idle
 * worker: the largest piece of work, and the shortest prefix to follow.
 * The subtree's own root (or a state above it) stays: handing it on would
 * hand the same work back and forth between idle workers. */
static void give_away(struct mhse_engine *e)
{
	struct state *s = e->searcher->steal(e->searcher);
	uint32_t node;

	if (!s)
		return;
	if (!owns(e, s, false)) {
		state__free(s);
		return;
	}
	if (prefix_set__place(&e->targets, s->fork_bits, s->depth_in_tree, &node) != PREFIX_IN ||
	    workshare__give(e->opts.share, s->fork_bits, s->depth_in_tree)) {
		e->searcher->add(e->searcher, s);
		return;
	}
	state__free(s);
}

/* Takes the searcher's states into to_complete, those that take an
 * untested side first. */
static int order_completion(struct mhse_engine *e)
{
	size_t cnt, rest = 0;
	struct state **all = e->searcher->take_all(e->searcher, &cnt);

	/* a deferred state is completed as the others are */
	while (e->deferred_cnt) {
		struct state **more = realloc(all, (cnt + 1) * sizeof(*all));

		if (!more)
			break;
		all = more;
		all[cnt++] = e->deferred[--e->deferred_cnt];
	}
	e->to_complete = malloc((cnt ? cnt : 1) * sizeof(*e->to_complete));
	if (!e->to_complete) {
		while (cnt)
			state__free(all[--cnt]);
		free(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (takes_untested_side(e, all[i]))
			e->to_complete[e->to_complete_cnt++] = all[i];
		else
			all[rest++] = all[i];
	}
	for (size_t i = 0; i < rest; i++)
		e->to_complete[e->to_complete_cnt++] = all[i];
	free(all);
	return 0;
}

/* The next state to run: the searcher's, then a deferred one (*patient),
 * or past the exploration's end, the next to complete, then those a
 * renewal of the terms grows down to the subtrees it left. */
static struct state *next_state(struct mhse_engine *e, bool *patient)
{
	struct state *s;

	*patient = false;
	if (!e->completing) {
		s = e->searcher->select(e->searcher);
		if (!s && e->deferred_cnt) {
			s = e->deferred[--e->deferred_cnt];
			*patient = true;
		}
		return s;
	}
	if (!e->to_complete && order_completion(e)) {
		e->stop = true;
		return NULL;
	}
	return e->completed_cnt < e->to_complete_cnt ? e->to_complete[e->completed_cnt++] : e->searcher->select(e->searcher);
}

/* Keeps in set the subtrees below s, a state this process explores, and
 * frees s; after a failure (*err), only frees it. */
static void keep_subtrees(struct mhse_engine *e, struct prefix_set *set, struct state *s, int *err)
{
	uint32_t node;

	switch (*err ? PREFIX_OFF : s->owned ? PREFIX_IN :
		prefix_set__place(&e->targets, s->fork_bits, s->depth_in_tree, &node)) {
	case PREFIX_OFF:
		break;
	case PREFIX_ABOVE:
		*err = prefix_set__add_below(set, s->fork_bits, s->depth_in_tree, &e->targets, node);
		break;
	default:
		*err = prefix_set__add(set, s->fork_bits, s->depth_in_tree);
		break;
	}
	state__free(s);
}

/* Z3 keeps every term of a context that does not count references until
 * the context goes, and states share terms without counting them: a run's
 * memory grows with every path explored, not with the states left
 * (falco's t3_execveat_x built 70 MB of terms in its 39th path, its 4 KiB
 * strings at symbolic offsets, and passed 300 MB). Past --term-memory, the
 * states left are dropped and the terms start anew: the subtrees the
 * states stood for become this process's part of the tree, and a state
 * from the root grows down to them again, forking only toward them, as a
 * worker grows down to a subtree it is handed; the searcher then chooses
 * among them as it did, and a completion completes one path in each. */
static int renew_terms(struct mhse_engine *e)
{
	struct solver_stats kept = e->solver.stats;
	uint64_t deadline = e->solver.deadline_ns;
	struct prefix_set left = { 0 };
	struct state **all, *root;
	size_t cnt;
	int err = 0;

	all = e->searcher->take_all(e->searcher, &cnt);
	for (size_t i = 0; i < cnt; i++)
		keep_subtrees(e, &left, all[i], &err);
	free(all);
	while (e->deferred_cnt)
		keep_subtrees(e, &left, e->deferred[--e->deferred_cnt], &err);
	while (e->completed_cnt < e->to_complete_cnt)
		keep_subtrees(e, &left, e->to_complete[e->completed_cnt++], &err);
	prefix_set__free(&e->targets);
	e->targets = left;
	terms__fini(e);
	if (err || (err = terms__init(e)))
		return err;
	e->solver.stats = kept;
	if (deadline)
		solver__set_deadline(&e->solver, deadline);
	e->stats.term_renewals++;
	e->paths_at_renewal = e->stats.paths;
	/* nothing left: an empty set would be the whole tree */
	if (!left.cnt)
		return 0;
	root = state__fork(e->init);
	if (!root)
		return -ENOMEM;
	e->searcher->add(e->searcher, root);
	return 0;
}

/* Whether the terms are due for renewal: past --term-memory of Z3's
 * memory, and a path ended since the last renewal, so that a run whose
 * states alone pass the bound still goes on. */
static bool terms_outgrown(const struct mhse_engine *e)
{
	return e->stats.paths > e->paths_at_renewal && Z3_get_estimated_alloc_size() > e->opts.term_memory_mb << 20;
}

/* Explores from the root what is this process's, until nothing is left or
 * the run stops. Returns 1 when it is all done, 0 when a budget or a
 * failure ended the run, or -ENOMEM. */
static int explore_share(struct mhse_engine *e)
{
	struct state *s = state__fork(e->init);
	bool patient;

	if (!s)
		return -ENOMEM;
	e->searcher->add(e->searcher, s);
	while (!e->stop && (s = next_state(e, &patient))) {
		enum step st;

		if (over_budget(e)) {
			state__free(s);
			return 0;
		}
		/* a completion forks nothing: its path is final now */
		if (!owns(e, s, completes(e, s))) {
			state__free(s);
			continue;
		}
		/* a deferred state's queries are bounded by the exploration's end */
		e->patient = patient;
		e->solver.timeout_ms = patient ? UINT32_MAX : e->opts.solver_timeout_ms;
		st = run_state(e, s, e->covered);
		while (st == STEP_CONTINUE && e->completing)
			st = run_state(e, s, e->covered);
		if (st == STEP_CONTINUE)
			e->searcher->add(e->searcher, s);
		else
			state__free(s);
		if (st == STEP_FAILED || (terms_outgrown(e) && renew_terms(e))) {
			e->stop = true;
			break;
		}
		/* a completion's states are its own: it takes no subtree to follow */
		if (e->opts.share && !e->completing && workshare__hungry(e->opts.share))
			give_away(e);
	}
	return !e->stop;
}

int mhse_engine__run(struct mhse_engine *e, path_fn on_path, void *arg)
{
	struct workshare *share = e->opts.share;
	bool more = !share || e->opts.share_root;
	uint64_t *bits, len;
	int ret = 0;

	e->on_path = on_path;
	e->on_path_arg = arg;
	e->start_ns = e->opts.start_ns ? e->opts.start_ns : now_ns();
	if (e->opts.max_time_s > 0) {
		e->explore_end_ns = e->start_ns + (uint64_t)(e->opts.max_time_s * (1 - COMPLETION_SHARE) * 1e9);
		solver__set_deadline(&e->solver, e->explore_end_ns);
	}
	for (;;) {
		if (more && (ret = explore_share(e)) <= 0)
			break;
		/* the subtree is done: a worker asks for another */
		prefix_set__free(&e->targets);
		if (!share || e->completing || !workshare__take(share, &bits, &len))
			break;
		ret = prefix_set__add(&e->targets, bits, len);
		free(bits);
		if (ret < 0)
			break;
		more = true;
	}
	if (share)
		workshare__leave(share);
	e->stats.time_s = (double)(now_ns() - e->start_ns) / 1e9;
	e->stats.solver = e->solver.stats;
	return ret < 0 ? ret : 0;
}

const struct engine_stats *mhse_engine__stats(const struct mhse_engine *e)
{
	return &e->stats;
}

void mhse_engine__free(struct mhse_engine *e)
{
	if (!e)
		return;
	if (e->searcher)
		e->searcher->free(e->searcher);
	while (e->completed_cnt < e->to_complete_cnt)
		state__free(e->to_complete[e->completed_cnt++]);
	while (e->deferred_cnt)
		state__free(e->deferred[--e->deferred_cnt]);
	free(e->deferred);
	free(e->to_complete);
	free(e->tested_sides);
	terms__fini(e);
	prefix_set__free(&e->targets);
	for (size_t i = 0; i < e->string_cnt; i++)
		free(e->strings[i]);
	free(e->strings);
	free(e->policy);
	free(e->covered);
	free(e);
}
