// SPDX-License-Identifier: MIT
/*
 * Concrete map contents.
 *
 * All map types share one store: entries in insertion order, each with a key
 * copy and a value region, found through an open-addressing index. The types
 * differ only in which keys exist implicitly (array maps: every index below
 * max_entries, holding zeroes until touched), which update flags and sizes
 * are refused, what happens when the map is full (hash: -E2BIG, LRU: the
 * least recently used entry goes, LPM trie: -ENOSPC) and how a lookup
 * matches (LPM trie: longest prefix). Error codes are the kernel's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "maps.h"

bool map_is_array_like(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

bool map_holds_data(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

bool map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

bool map_values_readonly(const struct mhse_map *def)
{
	return def->readonly || def->type == BPF_MAP_TYPE_DEVMAP || def->type == BPF_MAP_TYPE_DEVMAP_HASH ||
	       def->type == BPF_MAP_TYPE_XSKMAP || def->type == BPF_MAP_TYPE_CPUMAP;
}

bool map_is_redirect_target(uint32_t type)
{
	return type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_DEVMAP_HASH || type == BPF_MAP_TYPE_CPUMAP ||
	       type == BPF_MAP_TYPE_XSKMAP;
}

bool map_is_slot_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_XSKMAP ||
	       type == BPF_MAP_TYPE_CPUMAP;
}

static bool map_is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static uint32_t key_hash(const uint8_t *key, uint32_t size)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < size; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

/* An LPM trie key is {u32 prefixlen; u8 data[]}: two keys name the same
 * entry when their prefix lengths agree and so do the first prefixlen bits. */
static uint32_t lpm_prefixlen(const uint8_t *key)
{
	uint32_t len;

	memcpy(&len, key, sizeof(len));
	return len;
}

static uint32_t lpm_match_bits(const uint8_t *a, const uint8_t *b, uint32_t max_bits)
{
	uint32_t bits = 0;

	while (bits < max_bits) {
		uint8_t diff = a[bits / 8] ^ b[bits / 8];

		if (diff) {
			bits += (uint32_t)__builtin_clz((unsigned)diff) - 24;
			break;
		}
		bits += 8;
	}
	return bits < max_bits ? bits : max_bits;
}

static bool keys_equal(const struct map_state *ms, const uint8_t *a, const uint8_t *b)
{
	uint32_t len;

	if (ms->def->type != BPF_MAP_TYPE_LPM_TRIE)
		return !memcmp(a, b, ms->def->key_size);
	len = lpm_prefixlen(a);
	return len == lpm_prefixlen(b) && lpm_match_bits(a + 4, b + 4, len) == len;
}

/* LPM keys hash by prefix length only, so that keys equal by keys_equal
 * (which ignore bits past the prefix) land in one probe chain. */
static uint32_t map_key_hash(const struct map_state *ms, const uint8_t *key)
{
	if (ms->def->type == BPF_MAP_TYPE_LPM_TRIE)
		return key_hash(key, 4);
	return key_hash(key, ms->def->key_size);
}

static int index_grow(struct map_state *ms)
{
	uint32_t cap = ms->index_cap ? ms->index_cap * 2 : 16;
	uint32_t *index = calloc(cap, sizeof(*index));

	if (!index)
		return -ENOMEM;
	for (uint32_t e = 0; e < ms->entry_cnt; e++) {
		uint32_t slot = map_key_hash(ms, ms->entries[e].key) & (cap - 1);

		while (index[slot])
			slot = (slot + 1) & (cap - 1);
		index[slot] = e + 1;
	}
	free(ms->index);
	ms->index = index;
	ms->index_cap = cap;
	return 0;
}

/* The entry holding key (live or deleted), or NULL. */
static struct map_entry *entry_find(const struct map_state *ms, const uint8_t *key)
{
	if (!ms->index_cap)
		return NULL;
	for (uint32_t slot = map_key_hash(ms, key) & (ms->index_cap - 1);; slot = (slot + 1) & (ms->index_cap - 1)) {
		uint32_t e = ms->index[slot];

		if (!e)
			return NULL;
		if (keys_equal(ms, ms->entries[e - 1].key, key))
			return &ms->entries[e - 1];
	}
}

static uint32_t value_size(const struct map_state *ms)
{
	return ms->def->value_size;
}

/* Gives key a fresh value region holding value (zeroes when NULL), reusing a
 * deleted entry of the same key. A fresh region, not the old one, because a
 * program may still hold a pointer to the deleted value. */
static struct map_entry *entry_insert(struct map_state *ms, const uint8_t *key, const void *value)
{
	struct map_entry *e = entry_find(ms, key);
	int region = mem_add_zeroed(ms->mem, ms->def->origin == MHSE_MAP_GLOBAL ? MEM_GLOBAL : MEM_MAP_VALUE,
				    value_size(ms), !map_values_readonly(ms->def), ms->index_no);

	if (region < 0)
		return NULL;
	if (value)
		memcpy(ms->mem->regions[region].buf, value, value_size(ms));
	if (!e) {
		if ((ms->entry_cnt + 1) * 2 > ms->index_cap && index_grow(ms))
			return NULL;
		if (ms->entry_cnt == ms->entry_cap) {
			uint32_t cap = ms->entry_cap ? ms->entry_cap * 2 : 8;
			struct map_entry *entries = realloc(ms->entries, cap * sizeof(*entries));

			if (!entries)
				return NULL;
			ms->entries = entries;
			ms->entry_cap = cap;
		}
		e = &ms->entries[ms->entry_cnt];
		e->key = malloc(ms->def->key_size);
		if (!e->key)
			return NULL;
		memcpy(e->key, key, ms->def->key_size);
		uint32_t slot = map_key_hash(ms, key) & (ms->index_cap - 1);
		while (ms->index[slot])
			slot = (slot + 1) & (ms->index_cap - 1);
		ms->index[slot] = ++ms->entry_cnt;
	}
	e->region = (uint32_t)region;
	e->live = true;
	e->used = ++ms->clock;
	ms->live_cnt++;
	return e;
}

static void entry_remove(struct map_state *ms, struct map_entry *e)
{
	e->live = false;
	ms->live_cnt--;
}

static bool array_index_ok(const struct map_state *ms, const void *key)
{
	uint32_t idx;

	memcpy(&idx, key, sizeof(idx));
	return idx < ms->def->max_entries;
}

int map_state__init(struct map_state *ms, const struct mhse_map *def, struct mem *mem, int32_t index_no)
{
	*ms = (struct map_state){ .def = def, .mem = mem, .index_no = index_no };
	return map_state__reset(ms);
}

int map_states__add(struct map_state **maps, uint32_t *cnt, const struct mhse_map *def, struct mem *mem)
{
	struct map_state *m = realloc(*maps, (*cnt + 1) * sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	*maps = m;
	err = map_state__init(&m[*cnt], def, mem, (int32_t)*cnt);
	if (!err)
		(*cnt)++;
	return err;
}

void map_state__free(struct map_state *ms)
{
	for (uint32_t e = 0; e < ms->entry_cnt; e++)
		free(ms->entries[e].key);
	free(ms->entries);
	free(ms->index);
	*ms = (struct map_state){0};
}

int map_state__reset(struct map_state *ms)
{
	const struct mhse_map *def = ms->def;
	struct mem *mem = ms->mem;
	int32_t index_no = ms->index_no;

	map_state__free(ms);
	*ms = (struct map_state){ .def = def, .mem = mem, .index_no = index_no };
	if (def->init) {
		static const uint32_t zero;

		return entry_insert(ms, (const uint8_t *)&zero, def->init) ? 0 : -ENOMEM;
	}
	return 0;
}

static struct map_entry *entry_live(struct map_state *ms, const void *key, bool create_array_slot)
{
	struct map_entry *e;

	if (map_is_array_like(ms->def->type) || ms->def->origin == MHSE_MAP_GLOBAL) {
		if (!array_index_ok(ms, key))
			return NULL;
		e = entry_find(ms, key);
		if (!e && create_array_slot)
			e = entry_insert(ms, key, NULL);
		return e;
	}
	e = entry_find(ms, key);
	return e && e->live ? e : NULL;
}

static struct map_entry *lpm_longest_match(struct map_state *ms, const uint8_t *key)
{
	uint32_t max_bits = lpm_prefixlen(key), data_bits = (ms->def->key_size - 4) * 8;
	struct map_entry *best = NULL;

	if (max_bits > data_bits)
		max_bits = data_bits;
	for (uint32_t i = 0; i < ms->entry_cnt; i++) {
		struct map_entry *e = &ms->entries[i];
		uint32_t len = lpm_prefixlen(e->key);

		if (!e->live || len > max_bits || (best && len <= lpm_prefixlen(best->key)))
			continue;
		if (lpm_match_bits(e->key + 4, key + 4, len) == len)
			best = e;
	}
	return best;
}

uint64_t map_state__lookup(struct map_state *ms, const void *key)
{
	struct map_entry *e;

	if (ms->def->type == BPF_MAP_TYPE_LPM_TRIE)
		e = lpm_longest_match(ms, key);
	else
		e = entry_live(ms, key, true);
	if (!e)
		return 0;
	e->used = ++ms->clock;
	return MEM_ADDR(e->region, 0);
}

uint8_t *map_state__value(struct map_state *ms, const void *key)
{
	struct map_entry *e = entry_live(ms, key, false);

	return e ? ms->mem->regions[e->region].buf : NULL;
}

static struct map_entry *lru_victim(struct map_state *ms)
{
	struct map_entry *victim = NULL;

	for (uint32_t i = 0; i < ms->entry_cnt; i++)
		if (ms->entries[i].live && (!victim || ms->entries[i].used < victim->used))
			victim = &ms->entries[i];
	return victim;
}

int map_state__update(struct map_state *ms, const void *key, const void *value, uint64_t flags)
{
	uint32_t type = ms->def->type;
	struct map_entry *e;

	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	if (map_is_array_like(type) || ms->def->origin == MHSE_MAP_GLOBAL) {
		if (!array_index_ok(ms, key))
			return -E2BIG;
		if (flags & BPF_NOEXIST)
			return -EEXIST;
		e = entry_live(ms, key, true);
		if (!e)
			return -ENOMEM;
		memcpy(ms->mem->regions[e->region].buf, value, value_size(ms));
		return 0;
	}
	/* an array of maps has its slots, taken only whole (kernel/bpf/arraymap.c's fd arrays) */
	if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS && flags != BPF_ANY)
		return -EINVAL;
	if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS && !array_index_ok(ms, key))
		return -E2BIG;
	if (type == BPF_MAP_TYPE_LPM_TRIE && lpm_prefixlen(key) > (ms->def->key_size - 4) * 8)
		return -EINVAL;
	if (type == BPF_MAP_TYPE_CPUMAP && mem_load_le(value, 4) > CPUMAP_MAX_QSIZE)
		return -EOVERFLOW;
	/* a device map entry of ifindex 0 holds no device, a CPU map entry of
	 * qsize 0 no queue: the slot is empty */
	if ((type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_DEVMAP_HASH || type == BPF_MAP_TYPE_CPUMAP) &&
	    !mem_load_le(value, 4)) {
		struct map_entry *old = entry_live(ms, key, false);

		if (old)
			entry_remove(ms, old);
		return 0;
	}
	e = entry_live(ms, key, false);
	if (e && (flags & BPF_NOEXIST))
		return -EEXIST;
	if (!e && (flags & BPF_EXIST))
		return -ENOENT;
	if (e) {
		/* The kernel replaces a hash element by a new one: pointers to the old
		 * value keep seeing the old bytes. */
		entry_remove(ms, e);
	} else if (ms->live_cnt >= ms->def->max_entries) {
		if (!map_is_lru(type))
			return type == BPF_MAP_TYPE_LPM_TRIE ? -ENOSPC : -E2BIG;
		entry_remove(ms, lru_victim(ms));
	}
	return entry_insert(ms, key, value) ? 0 : -ENOMEM;
}

int map_state__delete(struct map_state *ms, const void *key)
{
	struct map_entry *e;

	if (map_is_array_like(ms->def->type) || ms->def->origin == MHSE_MAP_GLOBAL)
		return -EINVAL;
	e = entry_live(ms, key, false);
	if (!e)
		return -ENOENT;
	entry_remove(ms, e);
	return 0;
}

bool map_state__next(struct map_state *ms, uint32_t *pos, const uint8_t **key, const uint8_t **value)
{
	while (*pos < ms->entry_cnt) {
		struct map_entry *e = &ms->entries[(*pos)++];

		if (e->live) {
			*key = e->key;
			*value = ms->mem->regions[e->region].buf;
			return true;
		}
	}
	return false;
}
