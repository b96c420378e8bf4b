/* SPDX-License-Identifier: MIT */
/*
 * What the executor shares with its helper models and searchers.
 */
#ifndef MHSE_ENGINE_INTERNAL_H
#define MHSE_ENGINE_INTERNAL_H

#include "engine.h"
#include "helpers.h"
#include "search.h"
#include "state.h"

struct mhse_engine {
	const struct mhse_object *obj;
	const struct mhse_prog *prog;
	const struct mhse_hook *hook;
	int helper_ctx;                /* the program's helper context (helpers.h), -1 for none */
	bool kernel_pointers;          /* a load from outside mhse's regions reads kernel memory */
	struct mhse_explore_opts opts;
	enum map_policy_kind *policy;  /* per map */
	struct sym_ctx ctx;
	struct solver solver;
	struct searcher *searcher;
	struct engine_stats stats;
	/* inputs shared by every state */
	Z3_ast pkt0;                   /* the input packet: array from buffer offset to byte */
	Z3_ast pkt_len0;               /* its length, 64 bits */
	Z3_ast *ctx_vars;              /* per context field element, NULL for non-scalar fields */
	Z3_ast *raw_vars;              /* raw-memory input bytes when symbolic */
	char **strings;                /* format strings of trace_printk calls */
	size_t string_cnt;
	/* constraints live as long as the engine: states share them */
	struct constraint **arena;
	size_t arena_cnt, arena_cap;
	struct state *init;            /* the state every path starts from */
	bool *covered;                 /* entry program instructions run by any path (covnew) */
	uint8_t *tested_sides;         /* entry program jumps: the sides a path that ended with a model took
	                                  (bit 0 falls through, bit 1 jumps) */
	path_fn on_path;
	void *on_path_arg;
	uint64_t start_ns;
	uint64_t explore_end_ns;       /* past it, the states left are completed (0: no --max-time) */
	bool completing;               /* a state follows its model, forking nothing */
	struct state **to_complete;    /* the states left, in the order they are completed */
	size_t to_complete_cnt, completed_cnt;
	struct state **deferred;       /* states at a jump whose query outran its share of the budget */
	size_t deferred_cnt, deferred_cap;
	bool patient;                  /* a deferred state runs: its queries get the time left */
	uint64_t budget_checks;
	Z3_params simplify_params;
	struct term_map simplified;    /* terms engine__simplify has simplified */
	bool stop;
	/* this process's part of the path tree (partition.h) */
	struct prefix_set targets;     /* its subtrees: a worker's, or what a renewal of the terms left */
	uint32_t split_depth;          /* where shards split */
	uint64_t paths_at_renewal;     /* e->stats.paths when the terms were last renewed */
};

/* Outcome of executing helpers and instructions on a state. */
enum step {
	STEP_CONTINUE,   /* go on with this state at the next instruction */
	STEP_PC_SET,     /* go on with this state where it now points (a tail call jumped) */
	STEP_DONE,       /* the state ended (its path was reported) */
	STEP_FAILED,     /* engine failure (out of memory) */
};

/* Z3's simplifier with a bound on its work: terms built from thousands of
 * instructions (hashes unrolled by the compiler) must not stall a run. */
Z3_ast engine__simplify(struct mhse_engine *e, Z3_ast term);
/* Adds cond to s's path (cond must be feasible): 0, -ENOMEM, or -E2BIG
 * for a term too large for the solver. */
int engine__constrain(struct mhse_engine *e, struct state *s, Z3_ast cond);
/* Feasibility of cond on s's path (raw: cond before simplification, or
 * NULL); updates s's model on SAT. */
enum sat engine__feasible(struct mhse_engine *e, struct state *s, Z3_ast cond, Z3_ast raw);
/* A copy of s constrained by cond, or NULL. The caller sets what differs
 * in the copy (r0, pc) and then queues or ends it. */
struct state *engine__fork(struct mhse_engine *e, struct state *s, Z3_ast cond);
/* Hands a state to the searcher. */
void engine__queue(struct mhse_engine *e, struct state *s);
/* Hands the searcher a copy that runs its instruction again (a helper's
 * case that takes another argument): the instruction counts once on its
 * path, as its replay counts it. */
void engine__queue_rerun(struct mhse_engine *e, struct state *copy);
/* Splits s on cond: returns 1 if only cond holds, 0 if only !cond holds,
 * and when both may: makes a copy where cond holds (*other, not queued),
 * constrains s by !cond, and returns 2. -1 when a query failed (s was
 * ended as a timeout). A completed state takes the side its model does
 * (1 or 0, the side's condition added to its path). */
int engine__split(struct mhse_engine *e, struct state *s, Z3_ast cond, struct state **other);
/* For helpers that fail on some inputs: s keeps the inputs where ok
 * holds; a copy with the others returns err (in r0) and goes on. Returns
 * false when s itself failed or ended (*st says which). */
bool engine__split_ok(struct mhse_engine *e, struct state *s, Z3_ast ok, uint64_t err, enum step *st);
/* Sets a context field of s to term (of the field's size): a value the hook
 * derives, so the field is no input of its own. */
int engine__ctx_derive(struct mhse_engine *e, struct state *s, const char *field, Z3_ast term);
/* Sets a context field of s to term, a function of the field's own input,
 * which a test still gives (tc's wire_len: the packet length when the test
 * gives 0). */
int engine__ctx_rewrite(struct mhse_engine *e, struct state *s, const char *field, Z3_ast term);
/* The input variable of a context field (element 0), or NULL. */
Z3_ast engine__ctx_input(struct mhse_engine *e, const char *field);
/* Ends s as a budget path when the run's --max-time is spent: for helpers
 * whose work grows with a size (a byte at a time over kilobytes), which
 * the per-instruction check does not see. Returns true when it did. */
bool engine__out_of_time(struct mhse_engine *e, struct state *s, enum step *st);
/* Ends s with a path of kind (errors and unsupported carry a message). */
enum step engine__end(struct mhse_engine *e, struct state *s, enum path_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Resolves a program address of len bytes: region id and offset (term or
 * number). Forks an error path for any way the access could leave its
 * region. Returns STEP_CONTINUE with region and offset set, or STEP_DONE. */
enum step engine__resolve(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, bool write,
			  uint32_t *region, struct sval *off);
/* Whether the path has proven packet bytes [at, at + len) in bounds, at a
 * packet offset (a 64-bit term or a number, the data starting at
 * s->pkt_lo): a helper that checks its own bounds (skb_load_bytes) needs
 * no query for them. engine__packet_proven_add records that it proved
 * them: later accesses within need none either. */
bool engine__packet_proven(struct mhse_engine *e, struct state *s, struct sval at, uint32_t len);
void engine__packet_proven_add(struct mhse_engine *e, struct state *s, struct sval at, uint32_t len);
/* The packet array's index of byte i of [at, ...) (at a 64-bit term), in
 * the form a program's own read of that byte gets (its region offset): the
 * same byte read by a helper and by the program is one term. */
Z3_ast engine__packet_index(struct mhse_engine *e, Z3_ast at, uint32_t i);
/* The len bytes of kernel memory at addr, an address in none of mhse's
 * regions, byte i in out[i]: the bytes of the kernel object whose pointer
 * addr is (plus a number), the same each time they are read; *base is
 * that pointer. */
enum step engine__kernel_read(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast *out,
			      Z3_ast *base);
/* The same without reading: the object's region and the offset there. */
enum step engine__kernel_span(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, uint32_t *region,
			      uint32_t *off, Z3_ast *base);
/* The bytes a helper's symbolic size argument may cover at addr: the
 * verifier proves every size the register may hold within the memory, so
 * a path where one is past it is an error path; *len is the most the size
 * may be on the path, or unless most, a bound of it that [addr, addr +
 * *len) stays within the memory at (solved only where it must be). */
enum step engine__size_within(struct mhse_engine *e, struct state *s, struct sval addr, struct sval size, bool most,
			      uint32_t *len);
/* The len bytes of a region from off (after engine__resolve), byte i in out[i]. */
enum step engine__region_bytes(struct mhse_engine *e, struct state *s, uint32_t region, struct sval off, uint32_t len,
			       Z3_ast *out);
/* The len bytes at a program address, byte i in (*out)[i], an array the
 * caller frees (NULL unless STEP_CONTINUE). */
enum step engine__read_byte_terms(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast **out);
/* The bytes at a program address as one term of len * 8 bits (len may exceed 8). */
enum step engine__read_bytes(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast *out);
/* Writes bytes (len * 8 bits, byte 0 lowest) at a program address, as a
 * helper writes into the program's memory (core/sym_helpers.c). */
enum step sym_write_bytes(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast bytes);
/* A fresh value recorded as a nondeterministic helper result. */
struct sval engine__nondet(struct mhse_engine *e, struct state *s, int32_t helper, unsigned bits);
/* Records v as the helper's next result: a test holds one value per call,
 * in call order, as the interpreter and the kernel referee consume them. */
int engine__record_nondet(struct state *s, int32_t helper, struct sval v);
/* Records a trace_printk call of s (fmt is copied). */
int engine__trace(struct mhse_engine *e, struct state *s, const char *fmt, uint32_t fmt_len, const struct sval *args);
/* Records an event ev (helper, map, len, len_term, tail) whose ev.len bytes
 * of memory are at addr: resolves addr (error paths fork as for a read)
 * and keeps the memory as it is now for the test. */
enum step engine__emit(struct mhse_engine *e, struct state *s, struct event_record ev, struct sval addr);

/* Shorthands for helper models: a number of bits bits; a term equal to a
 * number; a choice; two conditions both, or either. */
static inline Z3_ast term_num(struct mhse_engine *e, uint64_t v, unsigned bits)
{
	return sym_num(&e->ctx, v, bits);
}

static inline Z3_ast term_eq(struct mhse_engine *e, Z3_ast a, uint64_t v)
{
	return Z3_mk_eq(e->ctx.z, a, term_num(e, v, Z3_get_bv_sort_size(e->ctx.z, Z3_get_sort(e->ctx.z, a))));
}

/* if c then a else b, without a term when c is true or false: the path
 * context keeps every term built, for the whole run */
static inline Z3_ast term_ite(struct mhse_engine *e, Z3_ast c, Z3_ast a, Z3_ast b)
{
	switch (Z3_get_bool_value(e->ctx.z, c)) {
	case Z3_L_TRUE:
		return a;
	case Z3_L_FALSE:
		return b;
	default:
		return Z3_mk_ite(e->ctx.z, c, a, b);
	}
}

static inline Z3_ast term_and(struct mhse_engine *e, Z3_ast a, Z3_ast b)
{
	return Z3_mk_and(e->ctx.z, 2, (Z3_ast[]){ a, b });
}

static inline Z3_ast term_or(struct mhse_engine *e, Z3_ast a, Z3_ast b)
{
	return Z3_mk_or(e->ctx.z, 2, (Z3_ast[]){ a, b });
}

/* bpf_loop: runs callback (a function value) for iteration 0 of nr (a
 * 64-bit value below 2^32) in a frame of its own whose exit runs the next;
 * STEP_PC_SET, or the state ended. */
enum step engine__loop_enter(struct mhse_engine *e, struct state *s, struct sval callback, struct sval nr,
			     struct sval ctx);
/* Goes on with a state a helper forked off (side), after the rest of the
 * helper ran on it with outcome st: queued at the next instruction, or
 * dropped. STEP_FAILED only when the engine failed. */
enum step engine__finish_side(struct mhse_engine *e, struct state *side, enum step st);

/* Symbolic helper models: run helper id on s (args in s->regs[1..5], result
 * in s->regs[0]); may fork. */
typedef enum step (*sym_helper_fn)(struct mhse_engine *e, struct state *s);

/* The symbolic halves of a module's rows (core/helpers.h), in its list's order. */
struct sym_helper_module {
	const struct helper_module *conc;
	const sym_helper_fn *run;
	size_t cnt;
	/* Derives context fields from the inputs, as the kernel does when it
	 * builds the context (the symbolic counterpart of helper_module's); optional. */
	int (*prepare_ctx)(struct mhse_engine *e, struct state *s);
};

extern const struct sym_helper_module sym_helpers_core;
extern const struct sym_helper_module sym_helpers_xdp;
extern const struct sym_helper_module sym_helpers_tc;
extern const struct sym_helper_module sym_helpers_sockops;
extern const struct sym_helper_module sym_helpers_kprobe;
extern const struct sym_helper_module sym_helpers_sock;
extern const struct sym_helper_module sym_helpers_sockmap;
extern const struct sym_helper_module sym_helpers_sk_lookup;

/* The symbolic module of that name, or NULL. */
const struct sym_helper_module *sym_helper_module_find(const char *name);
/* The symbolic half of row of a concrete module, or NULL. */
sym_helper_fn sym_helper_of(const struct helper_module *mod, size_t row);

/* The definition of map id (map_ids.h) on s: an object map, or an inner map
 * s found in a map-in-map; NULL for an id s does not have. */
const struct mhse_map *policy__map_def(const struct mhse_engine *e, const struct state *s, uint32_t id);
/* The map a program value names on s (its id in *id), or NULL. */
const struct mhse_map *policy__map(const struct mhse_engine *e, const struct state *s, struct sval ptr, uint32_t *id);
/* Map helpers under the map's policy (core/policy.c). */
enum step policy__lookup(struct mhse_engine *e, struct state *s);
enum step policy__update(struct mhse_engine *e, struct state *s);
enum step policy__delete(struct mhse_engine *e, struct state *s);
enum step policy__tail_call(struct mhse_engine *e, struct state *s);
/* bpf_redirect_map: whether the key names an entry decides the action. */
enum step policy__redirect_map(struct mhse_engine *e, struct state *s);
/* Sets up what a policy knows before the first instruction (concrete contents). */
int policy__init(struct mhse_engine *e, struct state *s);

#endif
