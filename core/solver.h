/* SPDX-License-Identifier: MIT */
/*
 * The solver layer: feasibility queries over a path's constraints.
 *
 * Three things keep Z3 off the hot path, as in KLEE's solver chain: a
 * query carries only the constraints that share variables with it (directly
 * or through other constraints: independence); the model that last satisfied
 * the path is tried first, and a query it already satisfies is answered
 * without Z3 (counterexample cache); and every answer Z3 gives is remembered
 * by the exact set of terms asked (query cache; Z3 hash-conses terms, so a
 * term is its pointer). Every query to Z3 has a timeout; UNKNOWN is an
 * answer the caller must report, never a silent "infeasible".
 */
#ifndef MHSE_SOLVER_H
#define MHSE_SOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <z3.h>
#include "expr.h"

enum sat { SAT_NO, SAT_YES, SAT_UNKNOWN };

/* A path constraint and the variables it mentions (sorted Z3 decl ids). */
struct constraint {
	Z3_ast e;
	uint32_t *vars;
	uint32_t var_cnt;
};

struct solver_stats {
	uint64_t queries;      /* feasibility questions asked of the layer */
	uint64_t z3_calls;     /* of which reached Z3 */
	uint64_t model_hits;   /* answered by the counterexample cache */
	uint64_t cache_hits;   /* answered by the query cache */
	uint64_t timeouts;
	uint64_t ns;           /* time spent in Z3 */
};

struct solver {
	struct sym_ctx *ctx;
	Z3_solver z3;
	unsigned timeout_ms;
	struct solver_stats stats;
	struct query_cache *cache;
};

int solver__init(struct solver *s, struct sym_ctx *ctx, unsigned timeout_ms);
void solver__fini(struct solver *s);

/* Builds the constraint record of e (collects its variables). */
int solver__constraint(struct solver *s, Z3_ast e, struct constraint *out);
void constraint__free(struct constraint *c);

/* Is path ∧ cond satisfiable? *model, if not NULL, is a model of the path
 * (or NULL) on input, tried first; on SAT it is replaced by a model of
 * path ∧ cond (the caller owns one reference, Z3_model_dec_ref to drop it). */
enum sat solver__check(struct solver *s, const struct constraint *const *path, size_t path_cnt, Z3_ast cond,
		       Z3_model *model);

/* A model of the whole path (every constraint, no shortcuts), for the test
 * a finished path becomes. *model is replaced on SAT. */
enum sat solver__model(struct solver *s, const struct constraint *const *path, size_t path_cnt, Z3_model *model);

/* The value of e in model, completed with zeroes for unconstrained variables. */
uint64_t solver__eval(struct solver *s, Z3_model model, Z3_ast e);

#endif
