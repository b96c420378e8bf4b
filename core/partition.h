/* SPDX-License-Identifier: MIT */
/*
 * Splitting the path tree: between the shards of a run (--shard I/N, one
 * process or machine each) and between the worker processes of one run
 * (--jobs N).
 *
 * Every fork gives the state that takes the condition decision 1 and the
 * one that takes its negation decision 0; a state's fork prefix is its
 * decisions from the root, in order. The prefix names a subtree of the
 * path tree independently of the search order, so any process that loads
 * the same object can find the same subtree again by re-running the program
 * and following the prefix at each fork.
 *
 * Shards are static: a path belongs to shard hash(first D decisions) mod N,
 * D = split_depth, or of all its decisions when it ends above D. The N
 * shards partition the tree, and so their tests together are exactly a
 * whole run's.
 *
 * Workers share work dynamically: a worker with states to spare gives the
 * shallowest one's prefix to an idle worker (through shared memory) and
 * drops it; the idle one explores only the paths under that prefix. Each
 * subtree is explored by exactly one worker, so the workers' tests together
 * are again exactly one worker's.
 */
#ifndef MHSE_PARTITION_H
#define MHSE_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest prefix a worker hands to another (deeper states are kept). */
#define FORK_PREFIX_MAX_BITS 8192

static inline bool fork_prefix__bit(const uint64_t *bits, uint64_t i)
{
	return bits[i / 64] >> (i % 64) & 1;
}

/* Appends decision bit at position len of *bits (realloc'd as it grows).
 * 0 or -ENOMEM. */
int fork_prefix__push(uint64_t **bits, uint64_t len, bool bit);
/* A copy of the first len decisions, or NULL (also when len is 0). */
uint64_t *fork_prefix__dup(const uint64_t *bits, uint64_t len);

/* The subtrees a process explores, each named by its prefix: a binary
 * trie of decisions, node 0 the root. Empty, it is the whole tree. */
struct prefix_set {
	struct prefix_node {
		uint32_t next[2]; /* the node after decision 0 and 1, or 0 */
		bool end;         /* a subtree's prefix ends here */
	} *nodes;
	size_t cnt, cap;
};

/* Where a state of a prefix is against a set: off every subtree, on the
 * way down to one or more (at a trie node), at a subtree's root, or
 * inside one. */
enum prefix_place { PREFIX_OFF, PREFIX_ABOVE, PREFIX_AT, PREFIX_IN };

/* Adds the subtree of the prefix of len decisions. 0 or -ENOMEM. */
int prefix_set__add(struct prefix_set *set, const uint64_t *bits, uint64_t len);
/* Adds, under the prefix of len decisions, the subtrees of src below its
 * node (as prefix_set__place gives it). 0 or -ENOMEM. */
int prefix_set__add_below(struct prefix_set *set, const uint64_t *bits, uint64_t len, const struct prefix_set *src,
			  uint32_t node);
/* Where the prefix of len decisions is; *node is its trie node when
 * PREFIX_ABOVE. */
enum prefix_place prefix_set__place(const struct prefix_set *set, const uint64_t *bits, uint64_t len,
				    uint32_t *node);
/* At a trie node, the decisions that lead on to a subtree: bit 0 for
 * decision 0, bit 1 for decision 1. */
static inline unsigned prefix_set__sides(const struct prefix_set *set, uint32_t node)
{
	return (set->nodes[node].next[0] ? 1u : 0u) | (set->nodes[node].next[1] ? 2u : 0u);
}
void prefix_set__free(struct prefix_set *set);

/* --shard I/N: shard index (0-based) of count. */
struct shard {
	uint32_t index, count;
};

/* Parses "I/N" (1 <= I <= N) into a 0-based shard. 0 or -EINVAL. */
int shard__parse(const char *arg, struct shard *shard);
/* How deep shards split the tree: deep enough that the subtrees outnumber
 * the shards many times over. */
uint32_t shard__split_depth(const struct shard *shard);
/* The shard of a prefix of len decisions, len at most the split depth. */
uint32_t shard__of(const struct shard *shard, const uint64_t *bits, uint64_t len);

/* Work shared between the worker processes of one run; lives in memory
 * shared across fork(). */
struct workshare;

/* For workers processes forked after this call. NULL on failure. */
struct workshare *workshare__new(unsigned workers);
void workshare__free(struct workshare *ws);
/* Whether an idle worker would take a prefix now (cheap: no lock). */
bool workshare__hungry(const struct workshare *ws);
/* Hands a subtree to an idle worker. 0, or -ENOSPC when no slot is free. */
int workshare__give(struct workshare *ws, const uint64_t *bits, uint64_t len);
/* Waits for a subtree: 1 with *bits (malloc'd, NULL when len is 0) and
 * *len set, or 0 when every worker is idle or gone and the run is over. */
int workshare__take(struct workshare *ws, uint64_t **bits, uint64_t *len);
/* A worker that stops exploring for good (done, budget, failure). */
void workshare__leave(struct workshare *ws);
/* The next number of a path the run finished, from 1: --max-paths holds
 * over the workers by it. */
uint64_t workshare__next_path(struct workshare *ws);
/* The next test number of the run, from 1: taken only for a test that is
 * written, so that --tests covering leaves no gaps. */
uint64_t workshare__next_test(struct workshare *ws);
/* Test numbers handed out. */
uint64_t workshare__tests(const struct workshare *ws);

#endif
