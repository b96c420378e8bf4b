/* SPDX-License-Identifier: MIT */
/*
 * Concrete map contents with the kernel's semantics for each map type:
 * lookup/update/delete/next-key results and error codes as the bpf() syscall
 * and the map helpers return them (kernel/bpf/arraymap.c, hashtab.c,
 * lpm_trie.c). Per-CPU maps hold one CPU's values. Every value lives in a
 * memory region of its own, so a pointer a program got from a lookup stays
 * valid and bounds-checked.
 *
 * A program array's value is the u32 index of a program in the object (the
 * kernel's is a program fd), a map-in-map's the u32 id of a map (map_ids.h);
 * device, CPU and socket maps hold their u32 as given.
 */
#ifndef MHSE_MAPS_H
#define MHSE_MAPS_H

#include <stdbool.h>
#include <stdint.h>
#include "mem.h"
#include "object.h"

/* The longest queue a CPU map entry may ask for (the kernel's sanity limit). */
#define CPUMAP_MAX_QSIZE 16384

struct map_entry {
	uint8_t *key;
	uint32_t region;   /* value region in the owning struct mem */
	uint64_t used;     /* LRU clock of the last lookup or update */
	bool live;
};

struct map_state {
	const struct mhse_map *def;
	struct mem *mem;
	struct map_entry *entries; /* insertion order, tombstones left as !live */
	uint32_t entry_cnt, entry_cap, live_cnt;
	uint32_t *index;           /* open-addressing hash of entry indices + 1 */
	uint32_t index_cap;
	uint64_t clock;
	int32_t index_no;          /* the map's index in its object, recorded as region owner */
};

int map_state__init(struct map_state *ms, const struct mhse_map *def, struct mem *mem, int32_t index_no);
void map_state__free(struct map_state *ms);
/* Empties the map (an array map returns to zeroes, global data to its
 * initial bytes). Regions of old values stay in mem until it is truncated. */
int map_state__reset(struct map_state *ms);

/* Appends a map of definition def to an array of *cnt maps whose values
 * live in mem, as index_no *cnt. 0, or -ENOMEM. */
int map_states__add(struct map_state **maps, uint32_t *cnt, const struct mhse_map *def, struct mem *mem);

bool map_is_array_like(uint32_t type);
/* Maps whose values programs read and write as data (not fds, devices or
 * event buffers): what mhse models entry by entry and the kernel lists alike. */
bool map_holds_data(uint32_t type);
bool map_is_percpu(uint32_t type);
/* Whether programs may only read the values of def (.rodata; the device
 * and socket maps, whose lookups the verifier types read-only). */
bool map_values_readonly(const struct mhse_map *def);
/* The maps bpf_redirect_map takes: device, CPU and socket maps, keyed
 * by a u32 (the kernel creates none of them with other keys). */
bool map_is_redirect_target(uint32_t type);
/* Maps indexed like arrays whose slots may be empty: an index past
 * max_entries names nothing. */
bool map_is_slot_array(uint32_t type);

/* The address of key's value (MEM_ADDR), or 0 if absent. Updates LRU use. */
uint64_t map_state__lookup(struct map_state *ms, const void *key);
/* flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST. Returns 0 or -EEXIST, -ENOENT,
 * -E2BIG (full), -EINVAL (bad flags or array delete). */
int map_state__update(struct map_state *ms, const void *key, const void *value, uint64_t flags);
int map_state__delete(struct map_state *ms, const void *key);
/* Host pointer to key's value, for dumps and comparisons; NULL if absent. */
uint8_t *map_state__value(struct map_state *ms, const void *key);
/* Iterates live entries in a stable order: *pos starts at 0. Returns the
 * entry's key and value, or false at the end. For array maps, every index
 * whose value was ever touched (created) is visited. */
bool map_state__next(struct map_state *ms, uint32_t *pos, const uint8_t **key, const uint8_t **value);

#endif
