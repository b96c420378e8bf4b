/* SPDX-License-Identifier: MIT */
/*
 * Model repair: answering "can the branch go the other way?" without Z3.
 *
 * At a branch the path's model satisfies one side; the other side's
 * condition is usually a comparison of a header field with a number
 * ("proto == 17", "not (ethertype == 0x86dd)", "ihl <= 5"). Setting the
 * field to the value the comparison names or the nearest that fails it
 * (17, 0, 5) in a copy of the model, and checking the condition and the
 * path's constraints on it in C,
 * answers most satisfiable queries in microseconds, where Z3 takes a
 * millisecond. A repair only ever proves satisfiability: when no suggested
 * value works, the query goes to Z3 as before. A finished path's model is
 * repaired the same way when what it fails are constraints added since the
 * path's last query (a helper's outcome, a value it returned).
 *
 * Suggestions come from the condition's atoms under their polarity: both
 * sides of a conjunction at once, each side of a disjunction alone. A field
 * is a scalar constant, a packet byte at a fixed offset, or one read at a
 * symbolic offset (the byte the model's offset points at), or made of them
 * by extensions, concatenations, extractions (two slices of one field both
 * kept), adding a number and if-then-else (the side the model takes, else
 * the other). A suggestion that makes the condition hold but breaks one of
 * the path's constraints gets that constraint's suggestions, once.
 */
#ifndef MHSE_REPAIR_H
#define MHSE_REPAIR_H

#include <stdbool.h>
#include "eval.h"

/* The first of what the caller needs beside cond that a fails (a
 * constraint), or NULL when a satisfies it all. */
typedef Z3_ast (*repair_check_fn)(void *arg, struct assignment *a);

/* A copy of base in which cond holds and check passes, or NULL. Where a
 * suggestion makes cond hold but fails a constraint, that constraint's own
 * suggestions are tried on it, once (a helper's result that the path
 * confines to a few values, asked to be non-zero). */
struct assignment *repair__try(struct evaluator *ev, struct assignment *base, Z3_ast cond, repair_check_fn check,
			       void *arg);

#endif
