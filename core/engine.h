/* SPDX-License-Identifier: MIT */
/*
 * The symbolic engine's public face: explore every feasible path of one
 * program under a hook model and a map policy, handing each finished path,
 * made concrete, to a callback.
 */
#ifndef MHSE_ENGINE_H
#define MHSE_ENGINE_H

#include <stdint.h>
#include "hook.h"
#include "object.h"
#include "partition.h"
#include "path.h"
#include "solver.h"

enum map_policy_kind {
	POLICY_ALLOC,      /* contents symbolic from allocation */
	POLICY_LOOKUP,     /* every lookup may hit or miss, a hit gives a fresh value */
	POLICY_CONSISTENT, /* lazily symbolic, consistent across lookups, updates and deletes */
	POLICY_CONCRETE,   /* contents given (or empty), nothing symbolic */
};

enum search_kind { SEARCH_DFS, SEARCH_BFS, SEARCH_RANDOM_PATH, SEARCH_COVNEW, SEARCH_INTERLEAVED };

struct mhse_explore_opts {
	enum map_policy_kind policy;
	enum map_policy_kind *map_policy; /* per map (obj->map_cnt entries), or NULL for policy everywhere */
	enum search_kind search;
	double max_time_s;       /* 0: none */
	uint64_t max_paths;      /* 0: none */
	uint64_t max_insns;      /* per path; 0: default */
	uint64_t max_memory_mb;  /* 0: none */
	uint64_t term_memory_mb; /* Z3's memory past which the terms are renewed (engine.c); 0: 128 */
	uint64_t seed;
	unsigned solver_timeout_ms; /* a query's; 0: an eighth of max_time_s, at most 10 s */
	const char *maps_file;   /* initial contents for POLICY_CONCRETE maps */
	/* raw-memory hooks: the memory r1 points to, concrete or made symbolic */
	const uint8_t *raw;
	uint32_t raw_len;
	bool raw_symbolic;
	/* splitting the path tree (partition.h) */
	struct shard shard;       /* count 0 or 1: the whole tree */
	struct workshare *share;  /* a worker of a --jobs run, or NULL */
	bool share_root;          /* that worker starts at the root; the others wait for subtrees */
	uint64_t start_ns;        /* the run's start (CLOCK_MONOTONIC), --max-time counts from it; 0: now */
};

struct engine_stats {
	uint64_t paths, exits, errors, unsupported, budget, timeouts, warnings;
	uint64_t forks, insns;
	uint64_t term_renewals;  /* times the terms started anew (engine.c: renew_terms) */
	double time_s;
	struct solver_stats solver;
	uint64_t peak_rss_kb;
	const char *ended_by;    /* the budget that ended the run ("max-time", ...), NULL if none did */
};

/* Called for each finished path; returning non-zero stops the exploration. */
typedef int (*path_fn)(void *arg, const struct path_result *path);

struct mhse_engine;

int mhse_engine__new(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		     const struct mhse_explore_opts *opts, struct mhse_engine **engine);
/* Explores until every path is done or a budget runs out. Returns 0, or a
 * negative errno when exploration itself failed. */
int mhse_engine__run(struct mhse_engine *engine, path_fn on_path, void *arg);
const struct engine_stats *mhse_engine__stats(const struct mhse_engine *engine);
void mhse_engine__free(struct mhse_engine *engine);

const char *map_policy_name(enum map_policy_kind kind);
int map_policy_parse(const char *name, enum map_policy_kind *kind);
const char *search_name(enum search_kind kind);
int search_parse(const char *name, enum search_kind *kind);

#endif
