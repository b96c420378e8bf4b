/* SPDX-License-Identifier: MIT */
/*
 * One exploration run, end to end: the engine explores, every finished path
 * is written as a test as soon as it finishes (so a budget or an interrupt
 * loses none), replayed by the concrete interpreter (the self-check, which
 * also measures coverage), and counted; at the end coverage and stats.json
 * are written.
 */
#ifndef MHSE_EXPLORE_H
#define MHSE_EXPLORE_H

#include <stdbool.h>
#include "engine.h"
#include "testwriter.h"

struct explore_opts {
	struct mhse_explore_opts engine;
	const char *out_dir;
	bool progress; /* a live progress line on stderr */
	bool replay_kernel; /* referee every test in the kernel as it is written */
	bool tests_covering; /* write only tests that add coverage (and errors, warnings) */
	unsigned jobs;      /* worker processes sharing the path tree; 0 or 1: this one */
};

/* Explores prog into opts->out_dir and fills stats (free with run_stats__free).
 * Returns 0, or a negative errno when the run could not be set up (-EPERM:
 * the kernel replay asked for cannot run BPF programs here). */
int mhse_explore(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		 const struct explore_opts *opts, struct run_stats *stats);

/* Prints the summary table of one or more runs. */
void mhse_explore__print_summary(FILE *out, const struct run_stats *stats, size_t cnt);

#endif
