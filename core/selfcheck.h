/* SPDX-License-Identifier: MIT */
/*
 * The self-check: every path the engine finishes is replayed on the
 * concrete interpreter from its inputs alone, and must do what the path says
 * it does. A difference is a bug in the engine (or in the interpreter), found
 * before a wrong test is handed to a user.
 *
 * A replay is a concrete run described as a path_result, so that checking is
 * comparing two path_results: the engine's and the interpreter's. The same
 * run turns concrete inputs into a complete path (mhse replay, the tests).
 * Replays feed coverage: what they execute is what the written tests
 * exercise.
 */
#ifndef MHSE_SELFCHECK_H
#define MHSE_SELFCHECK_H

#include <stddef.h>
#include "coverage.h"
#include "interp.h"
#include "path.h"

/*
 * Runs prog on vm with the inputs of in: its packet, context bytes and
 * nondeterministic values in order, and its initial map entries over maps
 * reset to their initial contents (an entry with no value stays absent).
 * Describes the run in *out, inputs copied: kind, error place and message,
 * return value, output packet, every map entry whose final value differs
 * from its initial one (an array slot never written holds zeroes), redirect,
 * trace output, conditional branches in order, and which helper consumed
 * each nondeterministic value.
 *
 * A normal exit with a return value outside the hook's domain is a
 * PATH_ERROR at the exit instruction, as the engine reports it. vm's
 * instruction budget stands for the engine's per-path budget. vm->on_insn is
 * borrowed during the run. cov, if not NULL, receives the run.
 *
 * Returns 0, -EINVAL after logging when a map refuses an initial entry, or
 * -ENOMEM. Free *out with path_result__free.
 */
int selfcheck__run(struct mhse_vm *vm, const struct mhse_prog *prog, const struct path_result *in,
		   struct coverage *cov, struct path_result *out);

/*
 * Compares a run with the path that predicted it: the same branch decisions
 * in order; the same kind, and for non-exits the same program and
 * instruction; the same nondeterministic values consumed; and for exits the
 * same return value, output packet, changed map entries, redirect and trace.
 * A PATH_UNSUPPORTED path is compared up to where the engine stopped (its
 * branches must begin the run's): the interpreter may well run what the
 * engine cannot model. A PATH_TIMEOUT path is not compared: the engine had
 * no model to hold it to.
 *
 * Returns 0 when they agree, else 1 with a one-line reason in reason
 * ("return 2, expected 1", "branch 4 at insn 17 taken, expected not taken").
 */
int selfcheck__compare(const struct mhse_object *obj, const struct path_result *expected,
		       const struct path_result *actual, char *reason, size_t reason_len);

/* The instruction budget a replay of p runs with: a path the engine stopped
 * over a budget (its own instructions, or the run's time) stops where the
 * engine stopped it; any other path runs with budget, the engine's per-path
 * budget. */
uint64_t selfcheck__insn_budget(const struct path_result *p, uint64_t budget);

/* Replays path and compares. Returns 0 when it matches, 1 with a reason
 * when not (a map refusing an initial entry included), or -ENOMEM. */
int selfcheck__path(struct mhse_vm *vm, const struct mhse_prog *prog, const struct path_result *path,
		    struct coverage *cov, char *reason, size_t reason_len);

#endif
