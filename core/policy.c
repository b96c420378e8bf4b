// SPDX-License-Identifier: MIT
/*
 * Map policies: when map contents become symbolic.
 *
 * A path keeps records of what it learned about each key it touched (map,
 * key term, present or absent, value region), newest last: the initial
 * contents it relied on, and its own writes. A lookup first asks which
 * earlier record, if any, names the same key, newest first, forking where
 * the key may or may not alias; what happens to a key no record names is
 * the policy's choice:
 *
 *   consistent  the first lookup decides: present with a fresh value, or absent
 *   alloc       the same choice, made as if the contents were symbolic from
 *               the map's allocation (array slots hold fresh values from the start)
 *   lookup      every lookup decides afresh, ignoring what the path saw before
 *   concrete    the contents loaded from --maps, absent otherwise (array slots zero)
 *
 * Array maps always hold every index below max_entries. Program arrays
 * record which program a path assumed in a slot, so a test says which
 * program sits where, and a tail call follows it.
 *
 * Other maps hold at most max_entries keys. A test lists only the initial
 * entries its path assumed, so its replay holds no others: the map is full
 * when the path knows max_entries distinct keys present, and an initial
 * entry is assumed only if the map would never have overflowed with it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"
#include "interp.h"
#include "log.h"
#include "map_ids.h"
#include "sock_sym.h"
#include "mapio.h"
#include "mem.h"
#include "vm_internal.h"

const struct mhse_map *policy__map_def(const struct mhse_engine *e, const struct state *s, uint32_t id)
{
	if (id < e->obj->map_cnt)
		return &e->obj->maps[id];
	id -= (uint32_t)e->obj->map_cnt;
	return id < s->inner_cnt ? map_ids__inner_def(e->obj, s->inner_outer[id]) : NULL;
}

const struct mhse_map *policy__map(const struct mhse_engine *e, const struct state *s, struct sval ptr, uint32_t *id)
{
	if (!sval_is_conc(ptr) || (ptr.c & ~VM_PTR_INDEX_MASK) != VM_MAP_PTR(0))
		return NULL;
	*id = (uint32_t)(ptr.c & VM_PTR_INDEX_MASK);
	return policy__map_def(e, s, *id);
}

/* An inner map follows the policy of the map-in-map it was found in. */
static enum map_policy_kind policy_of(const struct mhse_engine *e, const struct state *s, uint32_t id)
{
	if (id >= e->obj->map_cnt)
		id = s->inner_outer[id - e->obj->map_cnt];
	return e->policy[id];
}

static const struct mhse_map *map_of(struct mhse_engine *e, struct state *s, uint32_t *idx)
{
	return policy__map(e, s, s->regs[BPF_REG_1], idx);
}

static int add_record(struct state *s, struct map_record r)
{
	struct map_record *rec = realloc(s->records, (s->record_cnt + 1) * sizeof(*rec));

	if (!rec)
		return -ENOMEM;
	s->records = rec;
	s->records[s->record_cnt++] = r;
	return 0;
}

/* A value region of map idx: fresh symbolic bytes, or zeroes. Its bytes
 * become terms only as the path reads them (state.h), whatever its size. */
static int value_region(struct mhse_engine *e, struct state *s, uint32_t idx, bool symbolic)
{
	const struct mhse_map *def = policy__map_def(e, s, idx);
	int id = state__add_region(s, MEM_MAP_VALUE, def->value_size, !map_values_readonly(def), (int32_t)idx);
	char prefix[96];

	if (id < 0 || !symbolic)
		return id;
	snprintf(prefix, sizeof(prefix), "%s_value", def->name);
	if (sregion__set_fresh(s->regions[id], sym_fresh_bytes(&e->ctx, &s->fresh_cnt, prefix)))
		return -ENOMEM;
	return id;
}

/* A value region of map idx holding value (value_size bytes). */
static int value_region_of(struct mhse_engine *e, struct state *s, uint32_t idx, const uint8_t *value)
{
	int id = value_region(e, s, idx, false);

	if (id >= 0 && sregion__set_bytes(s->regions[id], value, false))
		return -ENOMEM;
	return id;
}

/* Whether two value regions hold the same bytes: byte by byte for small
 * values, as arrays for large ones (only the bytes the path touched are
 * stored over their origins). */
static Z3_ast same_value(struct mhse_engine *e, const struct sregion *a, const struct sregion *b)
{
	if (a->size <= SREGION_CASES_MAX)
		return Z3_mk_eq(e->ctx.z, sregion__term(&e->ctx, a), sregion__term(&e->ctx, b));
	return Z3_mk_eq(e->ctx.z, sregion__array(&e->ctx, a), sregion__array(&e->ctx, b));
}

/* A lookup-policy answer agrees with the map as the path left it: for each
 * earlier record of the map, its key differs, or it says the same thing
 * (absent, or present with the value its region holds now). */
static Z3_ast agrees_with_map(struct mhse_engine *e, const struct state *s, const struct map_record *r)
{
	Z3_context z = e->ctx.z;
	Z3_ast all = NULL;

	for (size_t j = 0; j < s->record_cnt; j++) {
		const struct map_record *q = &s->records[j];
		Z3_ast agree, differ;

		if (q->map != r->map || (!q->present && !r->present))
			continue;
		differ = Z3_mk_not(z, Z3_mk_eq(z, q->key, r->key));
		if (q->present != r->present)
			agree = differ;
		else
			agree = Z3_mk_or(z, 2, (Z3_ast[]){ differ, same_value(e, s->regions[q->region], s->regions[r->region]) });
		all = all ? Z3_mk_and(z, 2, (Z3_ast[]){ all, agree }) : agree;
	}
	return all;
}

/* A map-in-map entry present from the start holds an inner map of its own:
 * a new one, empty, whose id its value region (region id) holds. */
static int new_inner_map(struct mhse_engine *e, struct state *s, uint32_t outer, uint32_t id)
{
	uint32_t *inner = realloc(s->inner_outer, (s->inner_cnt + 1) * sizeof(*inner));
	uint8_t value[4];

	if (!inner)
		return -ENOMEM;
	s->inner_outer = inner;
	inner[s->inner_cnt] = outer;
	mem_store_le(value, sizeof(value), e->obj->map_cnt + s->inner_cnt++);
	return sregion__set_bytes(s->regions[id], value, false);
}

/* Records key as initially present (with a value region: id) or absent
 * (id < 0). The test takes the initial value from the region's origin.
 * Returns the record index. */
static int record_initial(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, int id)
{
	struct map_record r = { .map = idx, .key = key, .present = id >= 0, .initial = true,
				.region = id >= 0 ? (uint32_t)id : 0 };

	if (policy_of(e, s, idx) == POLICY_LOOKUP)
		r.realisable = agrees_with_map(e, s, &r);
	if (add_record(s, r))
		return -ENOMEM;
	return (int)s->record_cnt - 1;
}

/* Records key as initially present (with a fresh or zero value; for a
 * map-in-map, a new inner map or nothing) or absent. */
static int initial_record(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, bool present,
			  bool symbolic)
{
	bool holds_map = map_is_map_in_map(policy__map_def(e, s, idx)->type);
	int id = present ? value_region(e, s, idx, symbolic && !holds_map) : -1;

	if (present && id < 0)
		return id;
	if (present && holds_map && symbolic && new_inner_map(e, s, idx, (uint32_t)id))
		return -ENOMEM;
	return record_initial(e, s, idx, key, id);
}

static bool is_array(const struct mhse_map *def)
{
	return map_is_array_like(def->type) || def->type == BPF_MAP_TYPE_PROG_ARRAY;
}

static Z3_ast key_eq(struct mhse_engine *e, Z3_ast a, Z3_ast b)
{
	return Z3_mk_eq(e->ctx.z, a, b);
}

/* What a helper does once it knows which record (or none, -1) its key names. */
typedef enum step (*record_case)(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, int rec, void *arg);

/* Runs a case in a forked copy and queues it, or ends it. */
static void run_forked(struct mhse_engine *e, struct state *c, record_case fn, uint32_t idx, Z3_ast key, int rec,
		       void *arg)
{
	enum step st = fn(e, c, idx, key, rec, arg);

	if (st == STEP_CONTINUE)
		c->pc++;
	if (st == STEP_CONTINUE || st == STEP_PC_SET)
		engine__queue(e, c);
	else
		state__free(c);
}

/* Splits s over which earlier record of map idx its key names, newest
 * first; s itself goes on with the last feasible case. */
static enum step split_records(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, bool use_records,
			       record_case fn, void *arg)
{
	for (size_t j = s->record_cnt; use_records && j-- > 0;) {
		struct state *c;

		if (s->records[j].map != idx)
			continue;
		switch (sym_known_equal(&e->ctx, key, s->records[j].key)) {
		case 1:
			return fn(e, s, idx, key, (int)j, arg);
		case 0:
			continue;
		}
		switch (engine__split(e, s, key_eq(e, key, s->records[j].key), &c)) {
		case -1:
			return STEP_DONE;
		case 1:
			return fn(e, s, idx, key, (int)j, arg);
		case 2:
			run_forked(e, c, fn, idx, key, (int)j, arg);
			break;
		default:
			break;
		}
	}
	return fn(e, s, idx, key, -1, arg);
}

/* Records of one key share its term: a record made for a key the path
 * matched to an earlier record takes that record's term (see write_case), and
 * a key no record names differs from every earlier one. So a term names one
 * entry, and the newest record with it says whether the entry is present.
 * (The lookup policy's lookups may give one key two terms: counting them
 * apart over-counts, which only makes the path assume less.) */
static bool same_key(const struct map_record *a, const struct map_record *b)
{
	return a->map == b->map && a->key == b->key;
}

/* How many entries map idx holds as the path left it (*now), and the most
 * it held at any point (*peak), counting every initial entry the path
 * assumed as there from the start, as a test lists them for its replay. */
static void count_entries(const struct state *s, uint32_t idx, uint32_t *now, uint32_t *peak)
{
	uint32_t live = 0;

	for (size_t j = 0; j < s->record_cnt; j++)
		live += s->records[j].map == idx && s->records[j].initial && s->records[j].present;
	*peak = live;
	for (size_t j = 0; j < s->record_cnt; j++) {
		const struct map_record *r = &s->records[j];
		bool was = r->initial && r->present;

		if (r->map != idx)
			continue;
		for (size_t i = j; i-- > 0;)
			if (same_key(&s->records[i], r)) {
				was = s->records[i].present;
				break;
			}
		if (r->present && !was)
			live++;
		else if (!r->present && was)
			live--;
		if (live > *peak)
			*peak = live;
	}
	*now = live;
}

/* Whether one more initial entry of map idx would overfill it at some point
 * of the path: the map would have held more than max_entries, or refused an
 * insert the path saw succeed. */
static bool initially_full(const struct state *s, const struct mhse_map *def, uint32_t idx)
{
	uint32_t now, peak;

	count_entries(s, idx, &now, &peak);
	return peak >= def->max_entries;
}

/* A device map entry present from the start names a device (ifindex 0 would
 * be an empty slot), a CPU map entry a queue (qsize 0 empties the slot,
 * above 16384 is refused). Returns rec, or -ENOMEM. */
static int holds_target(struct mhse_engine *e, struct state *s, const struct mhse_map *def, int rec)
{
	Z3_ast first, holds;
	struct sval slot;

	if (def->type != BPF_MAP_TYPE_DEVMAP && def->type != BPF_MAP_TYPE_DEVMAP_HASH && def->type != BPF_MAP_TYPE_CPUMAP)
		return rec;
	if (state__read(&e->ctx, s, s->records[rec].region, sval_conc(0), 4, &slot))
		return -ENOMEM;
	first = Z3_mk_extract(e->ctx.z, 31, 0, sym_ast(&e->ctx, slot));
	holds = Z3_mk_not(e->ctx.z, term_eq(e, first, 0));
	if (def->type == BPF_MAP_TYPE_CPUMAP)
		holds = term_and(e, holds, Z3_mk_bvule(e->ctx.z, first, term_num(e, CPUMAP_MAX_QSIZE, 32)));
	return engine__constrain(e, s, holds) ? -ENOMEM : rec;
}

/* For a key no record names: decides presence as the policy says, forking
 * the absent case off when both are possible. Returns the record index in s. */
static int decide_fresh(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, record_case fn, void *arg)
{
	const struct mhse_map *def = policy__map_def(e, s, idx);
	enum map_policy_kind policy = policy_of(e, s, idx);
	int rec;

	if (is_array(def) && def->type != BPF_MAP_TYPE_PROG_ARRAY)
		return initial_record(e, s, idx, key, true, policy != POLICY_CONCRETE);
	/* a map already full of other keys has no room for this one */
	if (policy == POLICY_CONCRETE || initially_full(s, def, idx))
		return initial_record(e, s, idx, key, false, false);
	/* both: the absent case runs in a copy */
	struct state *c = engine__fork(e, s, Z3_mk_true(e->ctx.z));
	if (!c)
		return -ENOMEM;
	rec = initial_record(e, c, idx, key, false, false);
	if (rec < 0) {
		state__free(c);
		return rec;
	}
	run_forked(e, c, fn, idx, key, rec, arg);
	rec = initial_record(e, s, idx, key, true, true);
	return rec < 0 ? rec : holds_target(e, s, def, rec);
}

/* Array maps: an index past max_entries names nothing; forks that case off
 * (with result) and constrains s to valid indices. Returns 1 when s went on. */
static int split_array_range(struct mhse_engine *e, struct state *s, const struct mhse_map *def, Z3_ast key,
			     uint64_t out_of_range_result)
{
	Z3_context z = e->ctx.z;
	Z3_ast idx32 = Z3_mk_extract(z, 31, 0, key);
	uint64_t lo, hi;
	struct state *c;

	/* an index that is a hash modulo the size, plus a base the path fixed,
	 * is in range by its bounds, which Z3 would have to bit-blast the hash for */
	sym_unsigned_bounds(&e->ctx, engine__simplify(e, idx32), &lo, &hi);
	if (hi < def->max_entries)
		return 1;
	switch (engine__split(e, s, Z3_mk_bvuge(z, idx32, sym_num(&e->ctx, def->max_entries, 32)), &c)) {
	case -1:
		return -1;
	case 1:
		s->regs[BPF_REG_0] = sval_conc(out_of_range_result);
		return 0;
	case 2:
		c->regs[BPF_REG_0] = sval_conc(out_of_range_result);
		c->pc++;
		engine__queue(e, c);
		return 1;
	default:
		return 1;
	}
}

/* ---- lookup ---- */

static enum step lookup_case(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, int rec, void *arg)
{
	const struct map_record *r;

	(void)arg;
	if (rec < 0)
		rec = decide_fresh(e, s, idx, key, lookup_case, NULL);
	if (rec < 0)
		return STEP_FAILED;
	r = &s->records[rec];
	if (!r->present)
		s->regs[BPF_REG_0] = sval_conc(0);
	else if (map_is_map_in_map(policy__map_def(e, s, idx)->type))
		/* the program gets the map the entry holds, as the verifier types it (CONST_PTR_TO_MAP) */
		s->regs[BPF_REG_0] = sval_conc(VM_MAP_PTR(sregion__number(s->regions[r->region], 0, 4)));
	else
		s->regs[BPF_REG_0] = sval_conc(MEM_ADDR(r->region, 0));
	return STEP_CONTINUE;
}

static enum step read_key(struct mhse_engine *e, struct state *s, const struct mhse_map *def, Z3_ast *key)
{
	return engine__read_bytes(e, s, s->regs[BPF_REG_2], def->key_size, key);
}

static uint64_t global_value(const struct state *s, uint32_t idx)
{
	for (uint32_t i = SREGION_FIXED; i < s->region_cnt; i++)
		if (s->regions[i]->kind == MEM_GLOBAL && s->regions[i]->owner == (int32_t)idx)
			return MEM_ADDR(i, 0);
	return 0;
}

/* Global data is an array of one: key 0 finds it, any other key nothing. */
static enum step global_lookup(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key)
{
	struct state *c;

	switch (engine__split(e, s, key_eq(e, key, sym_num(&e->ctx, 0, 32)), &c)) {
	case -1:
		return STEP_DONE;
	case 1:
		s->regs[BPF_REG_0] = sval_conc(global_value(s, idx));
		return STEP_CONTINUE;
	case 2:
		c->regs[BPF_REG_0] = sval_conc(global_value(c, idx));
		c->pc++;
		engine__queue(e, c);
		/* s holds the other keys */
		/* fall through */
	default:
		s->regs[BPF_REG_0] = sval_conc(0);
		return STEP_CONTINUE;
	}
}

enum step policy__lookup(struct mhse_engine *e, struct state *s)
{
	uint32_t idx;
	const struct mhse_map *def = map_of(e, s, &idx);
	Z3_ast key;
	enum step st;

	if (!def)
		return engine__end(e, s, PATH_UNSUPPORTED, "map_lookup_elem on a value that is not a map");
	switch (def->type) {
	case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_ARRAY: case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_LRU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE: case BPF_MAP_TYPE_HASH_OF_MAPS: case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP: case BPF_MAP_TYPE_DEVMAP_HASH: case BPF_MAP_TYPE_XSKMAP:
		break;
	case BPF_MAP_TYPE_SOCKMAP: case BPF_MAP_TYPE_SOCKHASH:
		st = read_key(e, s, def, &key);
		return st != STEP_CONTINUE ? st : sock_sym_map_lookup(e, s, policy_of(e, s, idx) != POLICY_CONCRETE);
	default:
		return engine__end(e, s, PATH_UNSUPPORTED, "map_lookup_elem on %s map %s",
				   mhse_map_type__name(def->type), def->name);
	}
	if (map_is_map_in_map(def->type) && !map_ids__inner_def(e->obj, idx))
		return engine__end(e, s, PATH_UNSUPPORTED, "map_lookup_elem on %s map %s, which has no inner map definition",
				   mhse_map_type__name(def->type), def->name);
	st = read_key(e, s, def, &key);
	if (st != STEP_CONTINUE)
		return st;
	if (def->origin == MHSE_MAP_GLOBAL)
		return global_lookup(e, s, idx, key);
	/* slot arrays (of maps, devices, sockets) have slots below max_entries, each holding one or nothing */
	if (is_array(def) || map_is_slot_array(def->type)) {
		int r = split_array_range(e, s, def, key, 0);

		if (r <= 0)
			return r < 0 ? STEP_DONE : STEP_CONTINUE;
	}
	return split_records(e, s, idx, key, policy_of(e, s, idx) != POLICY_LOOKUP, lookup_case, NULL);
}

/* ---- update and delete ---- */

struct write_args {
	uint64_t flags;
	Z3_ast *value; /* value_size bytes, for updates */
	bool delete;
};

static enum step write_value(struct mhse_engine *e, struct sregion *r, const struct mhse_map *def, const Z3_ast *value)
{
	for (uint32_t i = 0; i < def->value_size; i++)
		if (sregion__write(&e->ctx, r, sval_conc(i), 1, sym_from(&e->ctx, value[i], false)))
			return STEP_FAILED;
	return STEP_CONTINUE;
}

/* Whether record j of map idx is the newest of its key, and present. */
static bool is_newest_present(const struct state *s, uint32_t idx, size_t j)
{
	if (s->records[j].map != idx || !s->records[j].present)
		return false;
	for (size_t i = j + 1; i < s->record_cnt; i++)
		if (same_key(&s->records[i], &s->records[j]))
			return false;
	return true;
}

/* Whether all the present keys of map idx differ (they do wherever records
 * are consulted; the lookup policy's lookups may name one key twice). */
static Z3_ast present_keys_differ(struct mhse_engine *e, const struct state *s, uint32_t idx)
{
	Z3_context z = e->ctx.z;
	Z3_ast all = Z3_mk_true(z);

	for (size_t j = 0; j < s->record_cnt; j++) {
		if (!is_newest_present(s, idx, j))
			continue;
		for (size_t i = 0; i < j; i++)
			if (is_newest_present(s, idx, i))
				all = term_and(e, all, Z3_mk_not(z, key_eq(e, s->records[i].key, s->records[j].key)));
	}
	return all;
}

/* A hash map refuses a key it has no room for with -E2BIG, as the kernel's
 * do; an LRU map would evict an entry and an LPM trie match keys by prefix,
 * neither of which the engine models at a full map. */
static enum step refuse_insert(struct mhse_engine *e, struct state *s, const struct mhse_map *def)
{
	if (def->type != BPF_MAP_TYPE_HASH && def->type != BPF_MAP_TYPE_PERCPU_HASH)
		return engine__end(e, s, PATH_UNSUPPORTED, "an insert into full %s map %s, which mhse does not model",
				   mhse_map_type__name(def->type), def->name);
	s->regs[BPF_REG_0] = sval_conc((uint64_t)-E2BIG);
	return STEP_CONTINUE;
}

/* Before map idx takes a key it does not hold: a map the path knows full
 * (max_entries distinct keys present) refuses it; one not known full has
 * room, since a test lists only the initial entries its path assumed and its
 * replay holds no others. Sets *room when the insert goes on in s. */
static enum step insert_room(struct mhse_engine *e, struct state *s, uint32_t idx, bool *room)
{
	const struct mhse_map *def = policy__map_def(e, s, idx);
	uint32_t now, peak;
	struct state *c;
	enum step st;

	*room = false;
	count_entries(s, idx, &now, &peak);
	if (now < def->max_entries) {
		*room = true;
		return STEP_CONTINUE;
	}
	switch (engine__split(e, s, present_keys_differ(e, s, idx), &c)) {
	case -1:
		return STEP_DONE;
	case 1:
		return refuse_insert(e, s, def);
	case 2:
		/* in c the present keys all differ, so the map is full; s names
		 * one key twice */
		st = refuse_insert(e, c, def);
		if (st == STEP_CONTINUE) {
			c->pc++;
			engine__queue(e, c);
		} else {
			state__free(c);
		}
		break;
	default:
		break;
	}
	if (now > def->max_entries)
		return engine__end(e, s, PATH_UNSUPPORTED, "whether map %s is full, with keys the lookup policy named twice",
				   def->name);
	*room = true;
	return STEP_CONTINUE;
}

static enum step write_case(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, int rec, void *arg)
{
	const struct write_args *w = arg;
	const struct mhse_map *def = policy__map_def(e, s, idx);
	bool present;
	int id;

	/* a hash update with BPF_ANY needs no knowledge of what was there */
	if (rec < 0 && (w->delete || w->flags != BPF_ANY || is_array(def))) {
		rec = decide_fresh(e, s, idx, key, write_case, arg);
		if (rec < 0)
			return STEP_FAILED;
	}
	present = rec >= 0 && s->records[rec].present;
	if (rec >= 0)
		key = s->records[rec].key; /* one term per key: see same_key */
	if (w->delete) {
		if (is_array(def)) {
			s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
			return STEP_CONTINUE;
		}
		s->regs[BPF_REG_0] = sval_conc(present ? 0 : (uint64_t)-ENOENT);
		if (present && add_record(s, (struct map_record){ .map = idx, .key = key, .present = false }))
			return STEP_FAILED;
		return STEP_CONTINUE;
	}
	if ((w->flags & BPF_NOEXIST) && (present || is_array(def))) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EEXIST);
		return STEP_CONTINUE;
	}
	if ((w->flags & BPF_EXIST) && !present) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-ENOENT);
		return STEP_CONTINUE;
	}
	if (!present && !is_array(def)) {
		bool room;
		enum step st = insert_room(e, s, idx, &room);

		if (!room)
			return st;
	}
	s->regs[BPF_REG_0] = sval_conc(0);
	if (is_array(def)) {
		/* arrays update in place: pointers the program holds see the new value */
		struct sregion *r = state__writable_region(s, s->records[rec].region);

		if (!r)
			return STEP_FAILED;
		return write_value(e, r, def, w->value);
	}
	id = value_region(e, s, idx, false);
	if (id < 0)
		return STEP_FAILED;
	if (write_value(e, s->regions[id], def, w->value) != STEP_CONTINUE)
		return STEP_FAILED;
	if (add_record(s, (struct map_record){ .map = idx, .key = key, .present = true, .region = (uint32_t)id }))
		return STEP_FAILED;
	return STEP_CONTINUE;
}

static enum step map_write(struct mhse_engine *e, struct state *s, bool delete)
{
	uint32_t idx;
	const struct mhse_map *def = map_of(e, s, &idx);
	struct write_args w = { .delete = delete };
	Z3_ast key;
	enum step st;

	if (!def)
		return engine__end(e, s, PATH_UNSUPPORTED, "map update on a value that is not a map");
	if (def->origin == MHSE_MAP_GLOBAL || def->type == BPF_MAP_TYPE_PROG_ARRAY ||
	    !(is_array(def) || def->type == BPF_MAP_TYPE_HASH || def->type == BPF_MAP_TYPE_PERCPU_HASH ||
	      def->type == BPF_MAP_TYPE_LRU_HASH || def->type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	      def->type == BPF_MAP_TYPE_LPM_TRIE))
		return engine__end(e, s, PATH_UNSUPPORTED, "map_%s_elem on %s map %s", delete ? "delete" : "update",
				   mhse_map_type__name(def->type), def->name);
	st = read_key(e, s, def, &key);
	if (st != STEP_CONTINUE)
		return st;
	if (!delete) {
		struct sval flags = s->regs[BPF_REG_4];

		if (!sval_is_conc(flags))
			return engine__end(e, s, PATH_UNSUPPORTED, "map_update_elem with symbolic flags");
		w.flags = flags.c;
		if ((w.flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST) {
			s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
			return STEP_CONTINUE;
		}
		st = engine__read_byte_terms(e, s, s->regs[BPF_REG_3], def->value_size, &w.value);
		if (st != STEP_CONTINUE)
			return st;
	}
	if (is_array(def)) {
		int r = split_array_range(e, s, def, key, delete ? (uint64_t)-EINVAL : (uint64_t)-E2BIG);

		if (r <= 0) {
			free(w.value);
			return r < 0 ? STEP_DONE : STEP_CONTINUE;
		}
	}
	st = split_records(e, s, idx, key, true, write_case, &w);
	free(w.value);
	return st;
}

enum step policy__update(struct mhse_engine *e, struct state *s)
{
	return map_write(e, s, false);
}

enum step policy__delete(struct mhse_engine *e, struct state *s)
{
	return map_write(e, s, true);
}

/* ---- tail calls ---- */

/* Program array slots: a record's value region holds the u32 index of a
 * program, or the record is absent (empty slot). A slot no record names
 * may hold any program of the entry program's type, or nothing. */
static void jump_to(struct state *s, const struct mhse_object *obj, uint32_t prog)
{
	s->prog = &obj->progs[prog];
	s->pc = 0;
	s->tail_calls++;
}

/* The first program from index from on that the kernel would load and
 * put in a program array the entry program calls through, or prog_cnt. */
static uint32_t tail_candidate(const struct mhse_engine *e, uint32_t from)
{
	const struct mhse_object *obj = e->obj;

	while (from < obj->prog_cnt && mhse_prog__tail_call_target(e->prog, &obj->progs[from], NULL, 0))
		from++;
	return from;
}

static enum step tail_case(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, int rec, void *arg)
{
	const struct mhse_object *obj = e->obj;
	uint32_t take = s->tail_next; /* 0: the slot is empty; p + 1: it holds program p */

	(void)arg;
	s->tail_next = 0;
	/* A slot no record names is empty or holds a candidate: one case at a
	 * time, the call run again for the next, so that an array open to a
	 * hundred programs is not a hundred states at once. */
	if (rec < 0 && e->policy[idx] != POLICY_CONCRETE) {
		uint32_t next = tail_candidate(e, take);

		if (next < obj->prog_cnt) {
			struct state *rest = engine__fork(e, s, Z3_mk_true(e->ctx.z));

			if (!rest)
				return STEP_FAILED;
			rest->tail_next = next + 1;
			engine__queue_rerun(e, rest);
		}
		if (take) {
			uint8_t slot[4];
			int r;

			mem_store_le(slot, sizeof(slot), take - 1);
			r = value_region_of(e, s, idx, slot);
			if (r < 0 || record_initial(e, s, idx, key, r) < 0)
				return STEP_FAILED;
			jump_to(s, obj, take - 1);
			return STEP_PC_SET;
		}
	}
	if (rec < 0 && (rec = initial_record(e, s, idx, key, false, false)) < 0)
		return STEP_FAILED;
	if (!s->records[rec].present) {
		s->pc++; /* an empty slot: the program goes on */
		return STEP_PC_SET;
	}
	struct sval slot = sregion__read(&e->ctx, s->regions[s->records[rec].region], sval_conc(0), 4);
	uint32_t p = (uint32_t)slot.c;
	char why[256];

	if (!sval_is_conc(slot))
		return engine__end(e, s, PATH_UNSUPPORTED, "program array %s holds a symbolic program", obj->maps[idx].name);
	if (p >= obj->prog_cnt)
		return engine__end(e, s, PATH_ERROR, "program array %s holds no program %u", obj->maps[idx].name, p);
	if (mhse_prog__tail_call_target(e->prog, &obj->progs[p], why, sizeof(why)))
		return engine__end(e, s, PATH_ERROR, "program array %s holds %s, %s", obj->maps[idx].name,
				   obj->progs[p].name, why);
	jump_to(s, obj, p);
	return STEP_PC_SET;
}

enum step policy__tail_call(struct mhse_engine *e, struct state *s)
{
	struct sval map = s->regs[BPF_REG_2], index = s->regs[BPF_REG_3];
	Z3_context z = e->ctx.z;
	const struct mhse_map *def;
	struct state *c;
	uint32_t idx;
	Z3_ast key;

	if (!sval_is_conc(map) || (map.c & ~VM_PTR_INDEX_MASK) != VM_MAP_PTR(0) ||
	    (map.c & VM_PTR_INDEX_MASK) >= e->obj->map_cnt)
		return engine__end(e, s, PATH_UNSUPPORTED, "tail call through a value that is not a map");
	idx = (uint32_t)(map.c & VM_PTR_INDEX_MASK);
	def = &e->obj->maps[idx];
	if (def->type != BPF_MAP_TYPE_PROG_ARRAY)
		return engine__end(e, s, PATH_ERROR, "tail call through map %s, not a program array", def->name);
	if (s->tail_calls >= MHSE_MAX_TAIL_CALLS)
		return STEP_CONTINUE;
	key = Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, index));
	switch (engine__split(e, s, Z3_mk_bvuge(z, key, sym_num(&e->ctx, def->max_entries, 32)), &c)) {
	case -1:
		return STEP_DONE;
	case 1:
		return STEP_CONTINUE;
	case 2:
		c->pc++;
		engine__queue(e, c);
		break;
	default:
		break;
	}
	return split_records(e, s, idx, key, true, tail_case, NULL);
}

/* ---- concrete contents ---- */

int policy__init(struct mhse_engine *e, struct state *s)
{
	uint32_t *inner = NULL; /* the file's inner maps by their id in vm: their ids on the path */
	struct mhse_vm *vm;
	int err;

	if (!e->opts.maps_file)
		return 0;
	/* The file is read by the interpreter's loader, then turned into records. */
	err = mhse_vm__new(e->obj, e->hook, &vm);
	if (err)
		return err;
	err = mhse_mapio__load(vm, e->opts.maps_file);
	inner = calloc(vm->map_cnt, sizeof(*inner));
	if (!err && !inner)
		err = -ENOMEM;
	/* the object's maps first: the map-in-map entries that hold the file's
	 * inner maps come before the inner maps' own entries */
	for (uint32_t vm_id = 0; !err && vm_id < vm->map_cnt; vm_id++) {
		const struct mhse_map *def = vm->maps[vm_id].def;
		uint32_t idx = vm_id < e->obj->map_cnt ? vm_id : inner[vm_id];
		const uint8_t *key, *value;
		uint32_t pos = 0;

		if (def->origin == MHSE_MAP_GLOBAL)
			continue;
		while (!err && map_state__next(&vm->maps[vm_id], &pos, &key, &value)) {
			bool holds_map = map_is_map_in_map(def->type);
			uint32_t held = holds_map ? (uint32_t)mem_load_le(value, 4) : 0;
			Z3_ast k = sym_num(&e->ctx, 0, 8);
			int rec;

			for (uint32_t i = def->key_size; i-- > 0;)
				k = i == def->key_size - 1 ? sym_num(&e->ctx, key[i], 8) :
							     Z3_mk_concat(e->ctx.z, k, sym_num(&e->ctx, key[i], 8));
			rec = value_region_of(e, s, idx, value);
			if (rec >= 0)
				rec = record_initial(e, s, idx, k, rec);
			if (rec < 0) {
				err = rec;
				break;
			}
			if (holds_map && held >= e->obj->map_cnt && held < vm->map_cnt &&
			    !(err = new_inner_map(e, s, idx, s->records[rec].region)))
				inner[held] = (uint32_t)sregion__number(s->regions[s->records[rec].region], 0, 4);
		}
	}
	free(inner);
	mhse_vm__free(vm);
	return err;
}

/* ---- redirect_map ---- */

struct redirect_args {
	uint64_t flags;
};

#define XDP_ACTION_MASK 3 /* XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX */

static enum step redirect_case(struct mhse_engine *e, struct state *s, uint32_t idx, Z3_ast key, int rec, void *arg)
{
	const struct redirect_args *r = arg;

	if (rec < 0) {
		rec = decide_fresh(e, s, idx, key, redirect_case, arg);
		if (rec < 0)
			return STEP_FAILED;
	}
	if (!s->records[rec].present && !(r->flags & BPF_F_BROADCAST)) {
		s->regs[BPF_REG_0] = sval_conc(r->flags & XDP_ACTION_MASK);
		return STEP_CONTINUE;
	}
	s->redirect = sym_from(&e->ctx, key, false);
	s->regs[BPF_REG_0] = sval_conc(XDP_REDIRECT);
	return STEP_CONTINUE;
}

enum step policy__redirect_map(struct mhse_engine *e, struct state *s)
{
	uint32_t idx;
	const struct mhse_map *def = map_of(e, s, &idx);
	struct redirect_args r;
	uint64_t flag_mask = 0;

	if (!def || !map_is_redirect_target(def->type))
		return engine__end(e, s, PATH_UNSUPPORTED, "redirect_map on a map that is not a device, CPU or socket map");
	if (!sval_is_conc(s->regs[BPF_REG_3]))
		return engine__end(e, s, PATH_UNSUPPORTED, "redirect_map with symbolic flags");
	r.flags = s->regs[BPF_REG_3].c;
	/* only device maps broadcast */
	if (def->type == BPF_MAP_TYPE_DEVMAP || def->type == BPF_MAP_TYPE_DEVMAP_HASH)
		flag_mask = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
	if (r.flags & ~(XDP_ACTION_MASK | flag_mask)) {
		s->regs[BPF_REG_0] = sval_conc(XDP_ABORTED);
		return STEP_CONTINUE;
	}
	return split_records(e, s, idx, Z3_mk_extract(e->ctx.z, 31, 0, sym_ast(&e->ctx, s->regs[BPF_REG_2])), true,
			     redirect_case, &r);
}
