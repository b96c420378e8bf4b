/* SPDX-License-Identifier: MIT */
/*
 * The solver layer: feasibility queries over a path's constraints.
 *
 * What keeps Z3 off the hot path, as in KLEE's solver chain: a query
 * carries only the constraints that share variables with it (directly or
 * through other constraints: independence; a packet byte read at a fixed
 * offset counts as a variable of its own); the path's model is tried first,
 * then recent ones, and a query one satisfies is answered without Z3
 * (counterexample cache), and so is one the path's model satisfies once
 * changed where the condition names a value (repair.c); models are
 * assignments, checked in C (eval.c); every answer Z3 gives is remembered
 * by the exact set of terms asked (query cache; Z3 hash-conses terms, so a
 * term is its pointer); a condition that what the query's constraints
 * fix (terms they equate with numbers or bound by them, conditions they
 * hold true or false) decides false is refuted in C (eval__decided: KLEE's rewriting by a
 * path's equalities, without rewriting); and a condition whose opaque
 * parts, made free, cannot hold is refuted without the path (weakening).
 *
 * A path's model stays a model of all its constraints: a model found for one
 * independent group (repaired, from the counterexample cache, or from Z3)
 * is merged with the old one for the others, so a finished path rarely
 * needs solving again. Z3 is used incrementally, its
 * assertions following the queries' constraints scope by scope; a query
 * that reads an array at a symbolic index and needs more than a quick check
 * goes to a fresh QF_ABV solver, whose tactics turn such reads into
 * bit-vectors; where its indices are made of inputs found nowhere else in
 * it, by multipliers or dividers (hashed keys), it is first asked with those pinned to the path model's
 * values, which folds the hashes into numbers (within a few hundred
 * milliseconds when it is too large to be asked whole, else within a quick
 * bound); where that leaves no model and it is too large, with those reads
 * made free, which refutes it when even that has none. Every query to Z3 is
 * bounded: by the multiplier and divider gates its terms hold (bit-blasting
 * them is what Z3's memory grows with), by a bound on Z3's work, then, for
 * the few that need more, by a timeout (and, in the array solver, by a bound
 * on the memory it may add), and never past the run's deadline; so is
 * the work Z3 does when a scope is pushed, which no bound covers, for a
 * constraint no query decided (a completion's): a quick check runs first;
 * UNKNOWN is an answer the caller must report, never a silent
 * "infeasible". A cached SAT
 * answer keeps its model, so that the same query on another path adopts it.
 * What asked each query (its origin) is counted, for stats.json.
 */
#ifndef MHSE_SOLVER_H
#define MHSE_SOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <z3.h>
#include "eval.h"
#include "expr.h"

enum sat { SAT_NO, SAT_YES, SAT_UNKNOWN };

/* A set of Z3 terms, sorted by id. */
struct id_set {
	uint32_t *ids;
	Z3_ast *terms;
	uint32_t cnt, cap;
};

/* What a term depends on, for independence. An array read at a constant
 * index (a packet byte at a fixed offset) is a variable of its own, so
 * constraints on different header fields stay apart; a read at a symbolic
 * index, or over stores, depends on the whole array, and so on every
 * element read anywhere. */
struct term_vars {
	struct id_set scalars;   /* constants, and constant-index reads of array constants */
	struct id_set arrays;    /* arrays read at all (element or whole) */
	struct id_set whole;     /* arrays read at symbolic indices */
	uint64_t arith_gates;    /* the multiplier and divider gates it holds (summed over terms merged) */
};

/* A path constraint and what it depends on. */
struct constraint {
	Z3_ast e;
	struct term_vars vars;
	bool unchecked; /* no query decided it (a completion's side of a jump): see sync_assertions */
};

/* Queries by what asked them (the engine names it: a conditional jump, a
 * memory access's bounds, a helper, the return domain, a finished path's
 * model): where the solver's time goes, for stats.json. */
#define SOLVER_MAX_ORIGINS 48
struct solver_origin {
	const char *name;      /* a string that outlives the solver */
	uint64_t queries, z3_calls;
	uint64_t ns;           /* time in Z3 */
	uint64_t max_ns;       /* the longest Z3 call */
	uint64_t layer_ns;     /* time in the layer, Z3 and model checks in C alike */
	uint64_t z3_constraints; /* path constraints sent with the Z3 calls, summed */
};

struct solver_stats {
	uint64_t queries;      /* feasibility questions asked of the layer */
	uint64_t z3_calls;     /* of which reached Z3 */
	uint64_t model_hits;   /* answered by the counterexample cache */
	uint64_t repairs;      /* answered by a repaired model */
	uint64_t pinned;       /* answered with what makes their indices pinned */
	uint64_t cache_hits;   /* answered by the query cache */
	uint64_t refuted_by_facts; /* answered UNSAT by what the path's equalities fix */
	uint64_t undecided;    /* queries left undecided: Z3 stopped (a bound, a timeout), or too large to ask */
	uint64_t long_checks;  /* Z3 calls that needed more than the quick bound on its work */
	uint64_t ns;           /* time spent in Z3 */
	struct solver_origin origins[SOLVER_MAX_ORIGINS];
	unsigned origin_cnt;
};

struct solver {
	struct sym_ctx *ctx;
	Z3_solver z3;
	Z3_solver weak_z3;            /* for weakened conditions, alone */
	Z3_solver array_z3;           /* for queries reading arrays at symbolic indices, alone */
	Z3_context array_ctx;         /* array_z3's, made for the first query that needs it */
	unsigned timeout_ms;
	struct solver_stats stats;
	struct query_cache *cache;
	struct evaluator ev;
	struct assignment none;       /* the model of no constraints: all zeroes */
	unsigned origin;              /* what asks now: an index into stats.origins */
	uint64_t deadline_ns;         /* no Z3 call runs past it (CLOCK_MONOTONIC); 0: none */
	bool modelling;               /* in solver__model: past the deadline, a quick check still runs */
	const struct constraint **asserted; /* what z3 holds, one scope each */
	size_t depth, asserted_cap;
};

int solver__init(struct solver *s, struct sym_ctx *ctx, unsigned timeout_ms);
void solver__fini(struct solver *s);

/* Names what asks the next queries (name must outlive the solver; the
 * same text is the same origin). */
void solver__set_origin(struct solver *s, const char *name);
/* No Z3 call runs past deadline_ns (CLOCK_MONOTONIC; 0: none): a query
 * gets at most the time left of the run's budget, and UNKNOWN after it. */
void solver__set_deadline(struct solver *s, uint64_t deadline_ns);

/* Builds the constraint record of e (collects its variables). */
int solver__constraint(struct solver *s, Z3_ast e, struct constraint *out);
void constraint__free(struct constraint *c);

/* A path's model, and how many of the path's first constraints it is known
 * to satisfy (constraints are appended, so a prefix is what stays true):
 * each constraint is evaluated in a model once, not once a query. */
struct path_model {
	struct assignment *a;
	size_t valid;
};

/* Is path ∧ cond satisfiable? raw, if not NULL, is cond as built, before
 * simplification (it can show that cond never holds, cheaply). model, if
 * not NULL, is the path's model (a may be NULL), tried first; on SAT it is
 * replaced by a model of path ∧ cond as far as what the query depends on
 * (the caller owns one reference to a, assignment__put to drop it). */
enum sat solver__check(struct solver *s, const struct constraint *const *path, size_t path_cnt, Z3_ast cond,
		       Z3_ast raw, struct path_model *model);

/* A model of the whole path, for the test a finished path becomes: *model
 * where it satisfies the constraints, the groups it does not satisfy solved
 * anew. model is replaced on SAT. */
enum sat solver__model(struct solver *s, const struct constraint *const *path, size_t path_cnt,
		       struct path_model *model);

/* The value of e in model (NULL: all zeroes), completed with zeroes for
 * unconstrained variables; e of up to 64 bits. */
uint64_t solver__eval(struct solver *s, struct assignment *model, Z3_ast e);
/* The same for a term of a lambda's body over 64-bit indices (a copy
 * layer's), its variable bound. */
uint64_t solver__eval_at(struct solver *s, struct assignment *model, Z3_ast e, uint64_t bound);
/* A Z3 model that gives model's values (the caller owns a reference): for
 * what the evaluator leaves to Z3. */
Z3_model solver__z3_model(struct solver *s, const struct assignment *model);
/* The n bytes of e (8 * n bits wide) in model, least significant first. */
void solver__eval_bytes(struct solver *s, struct assignment *model, Z3_ast e, uint32_t n, uint8_t *out);
/* The element of array at index in model. */
uint64_t solver__eval_element(struct solver *s, struct assignment *model, Z3_ast array, uint64_t index);

#endif
