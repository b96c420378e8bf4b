/* SPDX-License-Identifier: MIT */
/*
 * Searchers: which state runs next. A small interface, as KLEE's: add a
 * state, select one (removing it), and say whether any is left.
 */
#ifndef MHSE_SEARCH_H
#define MHSE_SEARCH_H

#include <stdbool.h>
#include <stdint.h>
#include "engine.h"

struct state;

struct searcher {
	void (*add)(struct searcher *self, struct state *s);
	struct state *(*select)(struct searcher *self); /* NULL when empty */
	/* Takes out the shallowest state in the fork tree for another worker,
	 * when at least one other is left; NULL otherwise. */
	struct state *(*steal)(struct searcher *self);
	/* Takes out every state, in no particular order: *cnt of them, in an
	 * array the caller frees (NULL when there are none). */
	struct state **(*take_all)(struct searcher *self, size_t *cnt);
	/* Frees the searcher and the states it still holds: what a budget
	 * left unexplored is dropped, not reported (draining it through
	 * select would cost a pick per state). */
	void (*free)(struct searcher *self);
};

/* covered[i] says whether instruction i of prog, the entry program, ran yet
 * (for covnew); it must live as long as the searcher. */
struct searcher *searcher__new(enum search_kind kind, uint64_t seed, const bool *covered, const struct mhse_prog *prog);

#endif
