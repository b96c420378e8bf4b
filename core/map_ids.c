// SPDX-License-Identifier: MIT
/*
 * Map ids (see map_ids.h). An inner map has no name of its own in an
 * object: it is named by the initial entry that holds it, so that a test
 * says which outer key leads to which map without numbering anything.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "map_ids.h"
#include "mem.h"

bool map_is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

const struct mhse_map *map_ids__inner_def(const struct mhse_object *obj, uint32_t outer)
{
	const struct mhse_map *m = outer < obj->map_cnt ? &obj->maps[outer] : NULL;

	if (!m || !map_is_map_in_map(m->type) || m->inner < 0 || (size_t)m->inner >= obj->map_cnt)
		return NULL;
	return &obj->maps[m->inner];
}

uint32_t map_ids__held(const struct path_map_entry *e)
{
	return e->value ? (uint32_t)mem_load_le(e->value, 4) : UINT32_MAX;
}

static bool holds_map(const struct mhse_object *obj, const struct path_map_entry *e)
{
	return e->value && e->map < obj->map_cnt && map_is_map_in_map(obj->maps[e->map].type);
}

bool map_ids__holds_inner(const struct mhse_object *obj, const struct path_result *p, const struct path_map_entry *e)
{
	return holds_map(obj, e) && map_ids__holder(obj, p, map_ids__held(e)) == e;
}

const struct path_map_entry *map_ids__holder(const struct mhse_object *obj, const struct path_result *p, uint32_t id)
{
	if (id < obj->map_cnt)
		return NULL;
	for (size_t i = 0; i < p->map_in_cnt; i++) {
		const struct path_map_entry *e = &p->map_in[i];

		if (holds_map(obj, e) && map_ids__held(e) == id)
			return e;
	}
	return NULL;
}

const struct mhse_map *map_ids__def(const struct mhse_object *obj, const struct path_result *p, uint32_t id)
{
	const struct path_map_entry *holder;

	if (id < obj->map_cnt)
		return &obj->maps[id];
	holder = map_ids__holder(obj, p, id);
	return holder ? map_ids__inner_def(obj, holder->map) : NULL;
}

const char *map_ids__name(const struct mhse_object *obj, const struct path_result *p, uint32_t id, char *buf,
			  size_t size)
{
	const struct path_map_entry *holder;
	const struct mhse_map *outer;
	size_t n;

	if (id < obj->map_cnt || !(holder = map_ids__holder(obj, p, id))) {
		snprintf(buf, size, "%s", id < obj->map_cnt ? obj->maps[id].name : "?");
		return buf;
	}
	outer = &obj->maps[holder->map];
	n = (size_t)snprintf(buf, size, "%s[", outer->name);
	for (uint32_t i = 0; i < outer->key_size && n + 3 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%02x", holder->key[i]);
	if (n + 1 < size)
		snprintf(buf + n, size - n, "]");
	return buf;
}

int map_ids__find(const struct mhse_object *obj, const struct path_result *p, const char *name, uint32_t *id)
{
	int idx = mhse_object__find_map(obj, name);
	char buf[MAP_ID_NAME_MAX];

	if (idx >= 0) {
		*id = (uint32_t)idx;
		return 0;
	}
	for (size_t i = 0; i < p->map_in_cnt; i++) {
		if (map_ids__holds_inner(obj, p, &p->map_in[i]) &&
		    !strcmp(map_ids__name(obj, p, map_ids__held(&p->map_in[i]), buf, sizeof(buf)), name)) {
			*id = map_ids__held(&p->map_in[i]);
			return 0;
		}
	}
	return -ENOENT;
}
