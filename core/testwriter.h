/* SPDX-License-Identifier: MIT */
/*
 * Generated tests on disk: one JSON file per finished path, the input
 * packets as a pcap for other tools, and the run's statistics. The formats
 * are for scripts and stay stable; docs/output.md describes them.
 *
 * A test holds everything needed to run it again without mhse's engine:
 * the inputs (packet, context fields by name, nondeterministic helper values,
 * initial map entries) and what the program does with them. The reader turns
 * a test back into the path_result it came from, for mhse replay and the
 * self-check.
 */
#ifndef MHSE_TESTWRITER_H
#define MHSE_TESTWRITER_H

#include <stddef.h>
#include <stdint.h>
#include "hook.h"
#include "object.h"
#include "path.h"

/* Map values up to this size are hex; larger ones list their runs of
 * non-zero bytes, a run ending at TEST_VALUE_GAP zeroes (docs/output.md). */
#define TEST_VALUE_HEX_MAX 4096
#define TEST_VALUE_GAP 8

/* "exit", "error", "unsupported", "budget", "timeout". */
const char *test_kind_name(enum path_kind kind);
/* The name the hook's return domain gives r0, or NULL when r0 is outside
 * it. Compared on the low 32 bits, as the kernel reads a program's return
 * and as the engine checks the domain. */
const char *test_return_name(const struct mhse_hook *hook, uint64_t ret);

struct test_writer;

/* Creates dir (and its parents) for test-NNNNNN.json files and tests.pcap.
 * Returns 0 or a negative errno after logging. */
int test_writer__open(const char *dir, struct test_writer **tw);
/* Writes the next test, numbered from 1, for path of program prog (the
 * entry program) under hook, and appends its input packet to tests.pcap
 * when the hook has packets. Returns 0 or a negative errno after logging. */
int test_writer__add(struct test_writer *tw, const struct mhse_object *obj, const struct mhse_prog *prog,
		     const struct mhse_hook *hook, const struct path_result *path);
/* The same, numbered number instead of the next: the workers of a --jobs
 * run share one numbering. */
int test_writer__add_numbered(struct test_writer *tw, size_t number, const struct mhse_object *obj,
			      const struct mhse_prog *prog, const struct mhse_hook *hook, const struct path_result *path);
/* Writes the packets to path instead of dir/tests.pcap (a worker's part). */
int test_writer__set_pcap(struct test_writer *tw, const char *path);
/* Merges pcap files whose records are each in test order into one, out, in
 * test order; missing parts have no packets. 0 or a negative errno. */
int test_pcap__merge(const char *out, char *const *parts, size_t cnt);
/* Tests written so far. */
size_t test_writer__count(const struct test_writer *tw);
/* Returns 0, or a negative errno when finishing tests.pcap failed. */
int test_writer__close(struct test_writer *tw);

/* Parses a test file back into *path (free it with path_result__free) and,
 * when prog is not NULL, the program it tests. Map, program and helper names
 * are looked up in obj; context fields in hook, which must be the hook the
 * test was written for. Returns 0, or -EINVAL after logging "file:line:
 * problem", or -ENOMEM. */
int test_reader__load(const char *path_json, const struct mhse_object *obj, const struct mhse_hook *hook,
		      struct path_result *path, const struct mhse_prog **prog);

struct stats_reason {
	char *reason;
	uint64_t count;
};

/* The queries one origin asked of the solver (docs/output.md). */
struct stats_origin {
	const char *name;
	uint64_t queries, z3_calls, z3_constraints;
	double z3_time_s, max_z3_ms, layer_time_s;
};

/* One exploration's statistics, as stats.json holds them. */
struct run_stats {
	const char *program, *hook, *policy, *search;
	const char *hook_rule, *hook_why; /* how the hook was chosen ("btf", "--hook"), and why */
	uint64_t paths, tests;
	uint64_t errors, unsupported, budget, timeouts, warnings; /* paths by kind other than exit */
	uint64_t completed;          /* paths of states the exploration left, run along their models */
	struct stats_reason *unsupported_reasons;       /* distinct messages of unsupported paths */
	size_t unsupported_reason_cnt;
	double time_s, solver_time_s;
	uint64_t queries;
	uint64_t z3_calls;
	uint64_t undecided_queries;  /* of the queries, those the solver left undecided (a timeout, a bound) */
	uint64_t term_renewals;      /* times the engine's terms started anew, its states parked (engine.c) */
	double ms_per_test;
	double insn_coverage_pct, branch_coverage_pct;
	double time_to_coverage_s;   /* when the last coverage was added, into the run */
	double peak_rss_mb;
	uint64_t self_check_mismatches;
	uint64_t spurious; /* tests of paths no real map takes (lookup policy), not self-checked */
	uint64_t tests_not_covering; /* paths whose test was not written: it added no coverage */
	const char *ended_by;        /* "max-time", "max-memory", "max-paths", or NULL: nothing left to explore */
	struct stats_origin *origins;
	size_t origin_cnt;
};

/* Counts one more unsupported path with this message. 0 or -ENOMEM. */
int run_stats__add_unsupported(struct run_stats *stats, const char *reason);
/* Frees the reasons. */
void run_stats__free(struct run_stats *stats);
/* Writes dir/stats.json, creating dir if needed. 0 or a negative errno after logging. */
int stats_write(const char *dir, const struct run_stats *stats);
/* DIR/stats.json for several programs: a "programs" array and their "total". */
int stats_write_combined(const char *dir, const struct run_stats *runs, size_t cnt);

#endif
