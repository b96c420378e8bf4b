// SPDX-License-Identifier: MIT
/*
 * Fork prefixes, shards and the work queue of worker processes
 * (partition.h says how they split the path tree).
 *
 * The queue is a few slots in an anonymous shared mapping, guarded by a
 * process-shared mutex; idle workers wait on a process-shared condition.
 * The run is over when every worker still exploring is idle and the queue
 * is empty: no one holds a state, so no path is left.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "partition.h"

#define WORKSHARE_SLOTS 16
#define PREFIX_WORDS (FORK_PREFIX_MAX_BITS / 64)

int fork_prefix__push(uint64_t **bits, uint64_t len, bool bit)
{
	if (!(len % 64)) {
		uint64_t *b = realloc(*bits, (len / 64 + 1) * sizeof(*b));

		if (!b)
			return -ENOMEM;
		b[len / 64] = 0;
		*bits = b;
	}
	if (bit)
		(*bits)[len / 64] |= UINT64_C(1) << (len % 64);
	return 0;
}

uint64_t *fork_prefix__dup(const uint64_t *bits, uint64_t len)
{
	size_t words = (len + 63) / 64;
	uint64_t *b;

	if (!len)
		return NULL;
	b = malloc(words * sizeof(*b));
	if (b)
		memcpy(b, bits, words * sizeof(*b));
	return b;
}

/* The child of node after decision bit, made if there is none;
 * UINT32_MAX when out of memory. */
static uint32_t prefix_set__child(struct prefix_set *set, uint32_t node, bool bit)
{
	if (set->nodes[node].next[bit])
		return set->nodes[node].next[bit];
	if (set->cnt == set->cap) {
		size_t cap = set->cap * 2;
		struct prefix_node *more = realloc(set->nodes, cap * sizeof(*more));

		if (!more)
			return UINT32_MAX;
		set->nodes = more;
		set->cap = cap;
	}
	set->nodes[set->cnt] = (struct prefix_node){ 0 };
	set->nodes[node].next[bit] = (uint32_t)set->cnt;
	return (uint32_t)set->cnt++;
}

/* The node of the prefix of len decisions, made as needed; UINT32_MAX
 * when out of memory. */
static uint32_t prefix_set__path(struct prefix_set *set, const uint64_t *bits, uint64_t len)
{
	uint32_t node = 0;

	if (!set->cap) {
		set->nodes = calloc(16, sizeof(*set->nodes));
		if (!set->nodes)
			return UINT32_MAX;
		set->cap = 16;
		set->cnt = 1;
	}
	for (uint64_t i = 0; i < len && node != UINT32_MAX; i++)
		node = prefix_set__child(set, node, fork_prefix__bit(bits, i));
	return node;
}

int prefix_set__add(struct prefix_set *set, const uint64_t *bits, uint64_t len)
{
	uint32_t node = prefix_set__path(set, bits, len);

	if (node == UINT32_MAX)
		return -ENOMEM;
	set->nodes[node].end = true;
	return 0;
}

int prefix_set__add_below(struct prefix_set *set, const uint64_t *bits, uint64_t len, const struct prefix_set *src,
			  uint32_t node)
{
	/* a stack of (src node, set node) pairs whose children are still to copy */
	uint32_t *pending = NULL, at = prefix_set__path(set, bits, len);
	size_t cnt = 0, cap = 0;
	int err = 0;

	if (at == UINT32_MAX)
		return -ENOMEM;
	for (;;) {
		set->nodes[at].end |= src->nodes[node].end;
		for (int bit = 0; bit < 2; bit++) {
			uint32_t from = src->nodes[node].next[bit], to;

			if (!from)
				continue;
			to = prefix_set__child(set, at, bit);
			if (to != UINT32_MAX && cnt + 2 > cap) {
				uint32_t *more = reallocarray(pending, cap * 2 + 16, sizeof(*pending));

				to = more ? to : UINT32_MAX;
				pending = more ? more : pending;
				cap = more ? cap * 2 + 16 : cap;
			}
			if (to == UINT32_MAX) {
				err = -ENOMEM;
				goto out;
			}
			pending[cnt++] = from;
			pending[cnt++] = to;
		}
		if (!cnt)
			break;
		at = pending[--cnt];
		node = pending[--cnt];
	}
out:
	free(pending);
	return err;
}

enum prefix_place prefix_set__place(const struct prefix_set *set, const uint64_t *bits, uint64_t len,
				    uint32_t *node)
{
	uint32_t at = 0;

	if (!set->cnt)
		return len ? PREFIX_IN : PREFIX_AT;
	for (uint64_t i = 0; i < len; i++) {
		if (set->nodes[at].end)
			return PREFIX_IN;
		at = set->nodes[at].next[fork_prefix__bit(bits, i)];
		if (!at)
			return PREFIX_OFF;
	}
	if (set->nodes[at].end)
		return PREFIX_AT;
	*node = at;
	return PREFIX_ABOVE;
}

void prefix_set__free(struct prefix_set *set)
{
	free(set->nodes);
	*set = (struct prefix_set){ 0 };
}

int shard__parse(const char *arg, struct shard *shard)
{
	unsigned long i, n;
	char *end;

	errno = 0;
	i = strtoul(arg, &end, 10);
	if (*end != '/' || end == arg || errno)
		return -EINVAL;
	n = strtoul(end + 1, &end, 10);
	if (*end || errno || !i || i > n || n > 1u << 20)
		return -EINVAL;
	shard->index = (uint32_t)(i - 1);
	shard->count = (uint32_t)n;
	return 0;
}

uint32_t shard__split_depth(const struct shard *shard)
{
	uint32_t log2 = 0;

	while ((UINT32_C(1) << log2) < shard->count)
		log2++;
	return log2 + 8;
}

/* splitmix64's finaliser: neighbouring prefixes land on unrelated shards */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

uint32_t shard__of(const struct shard *shard, const uint64_t *bits, uint64_t len)
{
	/* the length is part of the key: a path that ends at a fork's side is
	 * not the subtree its decisions begin */
	uint64_t key = mix(len);

	for (uint64_t i = 0; i < len; i += 64) {
		uint64_t word = bits[i / 64];

		if (len - i < 64)
			word &= (UINT64_C(1) << (len - i)) - 1;
		key = mix(key ^ word);
	}
	return (uint32_t)(key % shard->count);
}

struct prefix_slot {
	uint64_t len;
	uint64_t bits[PREFIX_WORDS];
};

struct workshare {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned active; /* workers not gone */
	unsigned idle;   /* of them, waiting in take */
	unsigned queued;
	bool over;
	uint64_t tests, paths;
	struct prefix_slot slots[WORKSHARE_SLOTS];
};

struct workshare *workshare__new(unsigned workers)
{
	struct workshare *ws = mmap(NULL, sizeof(*ws), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	if (ws == MAP_FAILED)
		return NULL;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	if (pthread_mutex_init(&ws->lock, &ma) || pthread_cond_init(&ws->cond, &ca)) {
		munmap(ws, sizeof(*ws));
		ws = NULL;
	} else {
		ws->active = workers;
	}
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_destroy(&ca);
	return ws;
}

void workshare__free(struct workshare *ws)
{
	if (!ws)
		return;
	pthread_cond_destroy(&ws->cond);
	pthread_mutex_destroy(&ws->lock);
	munmap(ws, sizeof(*ws));
}

bool workshare__hungry(const struct workshare *ws)
{
	unsigned idle = __atomic_load_n(&ws->idle, __ATOMIC_RELAXED);
	unsigned queued = __atomic_load_n(&ws->queued, __ATOMIC_RELAXED);

	return idle > queued && queued < WORKSHARE_SLOTS;
}

int workshare__give(struct workshare *ws, const uint64_t *bits, uint64_t len)
{
	int err = 0;

	if (len > FORK_PREFIX_MAX_BITS)
		return -ENOSPC;
	pthread_mutex_lock(&ws->lock);
	if (ws->queued == WORKSHARE_SLOTS || ws->over) {
		err = -ENOSPC;
	} else {
		struct prefix_slot *slot = &ws->slots[ws->queued];

		slot->len = len;
		memcpy(slot->bits, bits, (len + 63) / 64 * sizeof(*bits));
		__atomic_store_n(&ws->queued, ws->queued + 1, __ATOMIC_RELAXED);
		pthread_cond_signal(&ws->cond);
	}
	pthread_mutex_unlock(&ws->lock);
	return err;
}

int workshare__take(struct workshare *ws, uint64_t **bits, uint64_t *len)
{
	int got = 0;

	pthread_mutex_lock(&ws->lock);
	__atomic_store_n(&ws->idle, ws->idle + 1, __ATOMIC_RELAXED);
	for (;;) {
		if (ws->queued) {
			const struct prefix_slot *slot = &ws->slots[ws->queued - 1];

			*len = slot->len;
			*bits = fork_prefix__dup(slot->bits, slot->len);
			if (slot->len && !*bits)
				break; /* out of memory: this worker leaves the subtree queued */
			__atomic_store_n(&ws->queued, ws->queued - 1, __ATOMIC_RELAXED);
			got = 1;
			break;
		}
		if (ws->over || ws->idle == ws->active) {
			ws->over = true;
			pthread_cond_broadcast(&ws->cond);
			break;
		}
		pthread_cond_wait(&ws->cond, &ws->lock);
	}
	__atomic_store_n(&ws->idle, ws->idle - 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&ws->lock);
	return got;
}

void workshare__leave(struct workshare *ws)
{
	pthread_mutex_lock(&ws->lock);
	ws->active--;
	pthread_cond_broadcast(&ws->cond);
	pthread_mutex_unlock(&ws->lock);
}

uint64_t workshare__next_test(struct workshare *ws)
{
	return __atomic_add_fetch(&ws->tests, 1, __ATOMIC_RELAXED);
}

uint64_t workshare__next_path(struct workshare *ws)
{
	return __atomic_add_fetch(&ws->paths, 1, __ATOMIC_RELAXED);
}

uint64_t workshare__tests(const struct workshare *ws)
{
	return __atomic_load_n(&ws->tests, __ATOMIC_RELAXED);
}
