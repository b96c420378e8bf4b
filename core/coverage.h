/* SPDX-License-Identifier: MIT */
/*
 * Instruction and branch coverage of the runs that replay generated tests.
 *
 * Coverage is fed by the self-check's replays (selfcheck.h), not by the
 * engine's exploration, so it measures exactly what the written tests
 * exercise. The measure is against what can run at all: reachable
 * instructions are found from the control flow alone, so code no path can
 * enter (dead code the compiler left, a subprogram nothing calls) does not
 * count as missed.
 *
 * One coverage covers an entry program; tail calls can reach any program of
 * the object, so every program has its counters. A program counts in the
 * totals when it is the entry, when a program array starts with it in a
 * slot, or when a replay reached it.
 *
 * Output: coverage.json (docs/output.md) and an lcov tracefile per source
 * line from BTF line info, which genhtml renders.
 */
#ifndef MHSE_COVERAGE_H
#define MHSE_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "object.h"

struct coverage;

struct coverage_counts {
	uint64_t insns_reachable, insns_hit;
	uint64_t branch_sides, branch_sides_hit; /* two sides per reachable conditional jump */
};

int coverage__new(const struct mhse_object *obj, const struct mhse_prog *entry, struct coverage **cov);
void coverage__free(struct coverage *cov);

/* Records that instruction pc of program prog (an index in obj->progs) ran.
 * Returns 0, or -ENOMEM when the program's first run finds no memory for
 * its counters. */
int coverage__hit(struct coverage *cov, size_t prog, size_t pc);
/* Records the side a conditional jump took (returns as coverage__hit). */
int coverage__branch(struct coverage *cov, size_t prog, size_t pc, bool taken);

/* The counters as raw bytes, for another process with the same object
 * (the workers of a --jobs run): coverage__add_saved adds them to cov.
 * 0 or a negative errno after logging. */
int coverage__save(const struct coverage *cov, const char *path);
int coverage__add_saved(struct coverage *cov, const char *path);
/* Instructions and branch sides that ran for the first time so far: a
 * replay that leaves it unchanged added no coverage. */
uint64_t coverage__firsts(const struct coverage *cov);
/* Adds a point to the coverage timeline (coverage.json's "timeline") when
 * coverage grew since the last one: time_s into the run, paths finished.
 * 0 or -ENOMEM. */
int coverage__mark(struct coverage *cov, double time_s, uint64_t paths);
/* The time of the timeline's last point: when the run reached its final
 * coverage (0 without points). */
double coverage__time_to_final(const struct coverage *cov);
/* Makes the timeline anew from when each instruction and branch side was
 * first covered: after coverage__add_saved merged the workers' coverage
 * (the earlier first hit of each), coverage as the merged run had it at
 * each time. 0 or -ENOMEM. */
int coverage__rebuild_timeline(struct coverage *cov);

/* Totals over the programs that count. */
void coverage__counts(const struct coverage *cov, struct coverage_counts *counts);
double coverage__insn_pct(const struct coverage *cov);
double coverage__branch_pct(const struct coverage *cov);

/* Writes coverage.json. Returns 0 or a negative errno after logging. */
int coverage__write_json(const struct coverage *cov, const char *path);
/* Writes an lcov tracefile: functions, lines and branches per source file.
 * Instructions without BTF line info are left out. */
int coverage__write_lcov(const struct coverage *cov, const char *path);

#endif
