/* SPDX-License-Identifier: MIT */
/*
 * One cell's result file (DIR/cells/ID.json): everything a study's tables
 * and plots show about the cell, so that merging needs nothing else.
 * docs/study.md lists the keys.
 */
#ifndef MHSE_STUDY_RESULT_H
#define MHSE_STUDY_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "svg_plot.h"

/* Keys one map's entries the tests assume: present and absent, distinct. */
struct map_keys {
	char *map;
	uint64_t present, absent;
};


struct cell_result {
	char *id, *object, *program, *type, *hook_rule, *policy, *search;
	char *status;        /* "ok", "unplaced", "bad input", "failed", "crash", "killed" */
	char *detail;        /* why, for every status but ok */
	double budget_s;
	bool explored;       /* the counts below are from a finished exploration */
	uint64_t paths, tests, errors, unsupported;
	char *top_unsupported; /* the most frequent unsupported reason, or NULL */
	double insn_pct, branch_pct;
	double time_to_cov_s;  /* < 0: unknown (no coverage timeline) */
	double ms_per_test, solver_pct, peak_mb, time_s;
	int64_t kernel_agree, kernel_disagree, kernel_not_replayable; /* < 0: no kernel replay */
	/* map-state assumptions of the tests (docs/study.md) */
	double maps_per_test;   /* distinct maps whose entries a test assumes, on average */
	uint64_t map_states;    /* distinct sets of (map, key, present or absent) */
	uint64_t map_shapes;    /* distinct multisets of (map, present or absent): states without the keys */
	struct map_keys *maps;
	size_t map_cnt;
	/* coverage over time, for the programs the study chose */
	bool timeline_chosen;
	struct svg_point *timeline; /* x: seconds, y: instruction coverage (%) */
	size_t timeline_cnt;
};

/* Tests per map-state combination, and the share of the test count's
 * order of magnitude that map states make: log(map_states) / log(tests). */
double cell_result__tests_per_state(const struct cell_result *r);
double cell_result__map_share(const struct cell_result *r);

/* Writes path atomically (a temporary file renamed). 0 or a negative errno. */
int cell_result__write(const struct cell_result *r, const char *path);
/* Reads a result file. 0, or -EINVAL after a one-line error, or -ENOMEM. */
int cell_result__read(const char *path, struct cell_result *r);
void cell_result__free(struct cell_result *r);

#endif
