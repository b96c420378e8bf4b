/* SPDX-License-Identifier: MIT */
/*
 * Replay: written tests run again and held to what they say, by the concrete
 * interpreter and by the running kernel (BPF_PROG_TEST_RUN) as referee.
 * docs/replay.md describes what is compared, the tests the kernel cannot
 * replay and the report.
 *
 * The interpreter is mhse's own model; the kernel is the ground truth it is
 * checked against. A test goes to the kernel only when the interpreter
 * agrees with it: a test the interpreter already contradicts says nothing
 * new about the kernel, and is counted apart.
 *
 * Two ways in:
 *   - mhse_replay: every test-*.json of a directory, after the fact
 *     (mhse replay);
 *   - replay_kernel__test: one test as exploration writes it, on a program
 *     loaded once (mhse --replay-kernel), after the self-check agreed.
 * Both count into a struct replay_report, which prints one line per test,
 * a summary, a JSON form, and the three counts stats.json gains.
 */
#ifndef MHSE_REPLAY_H
#define MHSE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hook.h"
#include "object.h"
#include "path.h"

enum replay_verdict {
	REPLAY_AGREE,
	REPLAY_DISAGREE,
	REPLAY_NOT_REPLAYABLE,
};

enum replay_referee {
	REPLAY_BY_INTERPRETER,
	REPLAY_BY_KERNEL,
};

/* One test's verdict and who gave it. */
struct replay_result {
	enum replay_verdict verdict;
	enum replay_referee by;
	char reason[256];  /* the first difference, or why not replayable; "" on agreement */
	double kernel_ms;  /* time the kernel side took (fill, run, compare); 0 when not run */
};

struct replay_opts {
	bool kernel; /* referee in the kernel too (needs root or CAP_BPF and CAP_NET_ADMIN) */
};

struct replay_test {
	char *name; /* "test-000012" */
	struct replay_result result;
};

/*
 * Counts add up two ways:
 *   tests = interp_agree + interp_disagree + interp_not_replayable
 *   tests = kernel_agree + kernel_disagree + kernel_not_replayable + interp_disagree  (with the kernel)
 * interp_not_replayable counts spurious tests (no real map answers one key
 * two ways); they are not replayable in the kernel either.
 */
struct replay_report {
	char *program, *hook;
	bool kernel;
	struct replay_test *tests;
	size_t test_cnt, test_cap;
	uint64_t interp_agree, interp_disagree, interp_not_replayable;
	uint64_t kernel_agree, kernel_disagree, kernel_not_replayable;
	uint64_t kernel_runs;   /* tests compared with a kernel run (agreeing or not) */
	double kernel_ms;       /* time of the kernel side over those tests */
};

/*
 * Replays every test-*.json of dir, in name order: tests of prog under hook
 * (prog NULL: each test's own program). The interpreter replays each test as
 * the self-check does; with opts->kernel, every test it agrees with is also
 * run in the kernel. Fills report (free it with replay_report__free).
 *
 * Returns 0 whatever the verdicts; -EPERM with one line logged when
 * opts->kernel is set and bpf() is not usable here (the CLI's exit code 4);
 * -EINVAL after logging for a test file that does not read or tests another
 * program than prog; another negative errno when dir cannot be listed;
 * -ENOMEM. On error, report holds the tests replayed before.
 */
int mhse_replay(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		const char *dir, const struct replay_opts *opts, struct replay_report *report);

/*
 * The kernel side on its own, for refereeing tests as they are written. Opens
 * prog and the maps it uses once. A program the kernel cannot take (a hook
 * without test run, a verifier rejection, kfuncs) is not an error here: every
 * test then comes out not replayable, with the reason. Returns 0, -EPERM
 * with one line logged when bpf() is not usable here, or -ENOMEM.
 */
struct replay_kernel;

int replay_kernel__open(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
			struct replay_kernel **rk);
void replay_kernel__close(struct replay_kernel *rk);

/*
 * Referees one test of rk's program in the kernel: classifies it (not
 * replayable, with the reason), or resets the maps, fills the test's initial
 * entries, runs it and compares return value, output packet and maps with
 * what the test expects. Call it for paths the interpreter agreed with
 * (selfcheck__path returned 0), and for spurious paths, which the self-check
 * skips: they come out not replayable, by the interpreter. Sets *res (by
 * REPLAY_BY_KERNEL otherwise). Returns 0, or -ENOMEM.
 */
int replay_kernel__test(struct replay_kernel *rk, const struct path_result *path, struct replay_result *res);

/* Report handling. replay_report__init names the program and hook; add
 * counts one test's result under name (copied); free releases the lot. */
int replay_report__init(struct replay_report *r, const char *program, const char *hook, bool kernel);
int replay_report__add(struct replay_report *r, const char *name, const struct replay_result *res);
void replay_report__free(struct replay_report *r);

/* "test-000012: agree" | "...: disagree: <first difference>" | "...: not
 * replayable: <reason>"; a disagreement of the interpreter in a kernel
 * replay reads "disagree: interpreter: <reason>". */
void replay_print_line(FILE *f, const char *name, const struct replay_result *res);
/* Every test's line, then the summary line. */
void replay_report__print(FILE *f, const struct replay_report *r);
/* The summary line alone. */
void replay_report__print_summary(FILE *f, const struct replay_report *r);
/* The report as one JSON document (docs/replay.md). */
void replay_report__print_json(FILE *f, const struct replay_report *r);

/*
 * Adds kernel_agree, kernel_disagree and kernel_not_replayable (replacing
 * earlier ones) to dir/stats.json, keeping everything else as it was. For a
 * combined stats.json (mhse --all: "programs" and "total"), the entry of
 * r->program gets them and "total" their sums over the programs. Returns 0,
 * -ENOENT (not logged) when dir has no stats.json, or another negative errno
 * after logging.
 */
int replay_stats__update(const char *dir, const struct replay_report *r);

#endif
