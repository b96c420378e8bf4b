/* SPDX-License-Identifier: MIT */
/*
 * Map ids: how runs, paths and tests name a map.
 *
 * Ids below the object's map count are the object's maps. A map-in-map
 * (array or hash of maps) holds maps: each of its entries holds an object
 * map, or an inner map made for one run from the outer map's inner
 * definition. Inner maps take the ids after the object's maps, in the order
 * of the initial entries that hold them (obj->map_cnt, then one more each).
 * A map-in-map's value is the 4-byte id of the map it holds (the kernel's
 * is a map fd), as a program array's is the index of a program.
 *
 * A test names an inner map by the entry holding it: "outer[key]", the key
 * in hex ("lru_mapping[00000000]").
 */
#ifndef MHSE_MAP_IDS_H
#define MHSE_MAP_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "object.h"
#include "path.h"

/* Room for any map name: an object map's, or an inner map's by its outer
 * map's name and a key of up to 240 bytes. */
#define MAP_ID_NAME_MAX 768

bool map_is_map_in_map(uint32_t type);
/* The definition an inner map held by map-in-map outer has, or NULL when
 * outer is no map-in-map with an inner definition. */
const struct mhse_map *map_ids__inner_def(const struct mhse_object *obj, uint32_t outer);
/* The id a map-in-map entry's value holds. */
uint32_t map_ids__held(const struct path_map_entry *e);
/* Whether e, an initial entry of p, is a map-in-map entry holding an inner map. */
bool map_ids__holds_inner(const struct mhse_object *obj, const struct path_result *p, const struct path_map_entry *e);
/* The initial entry of p that holds inner map id, or NULL. */
const struct path_map_entry *map_ids__holder(const struct mhse_object *obj, const struct path_result *p, uint32_t id);
/* The definition of map id as p knows it, or NULL for an id p does not name. */
const struct mhse_map *map_ids__def(const struct mhse_object *obj, const struct path_result *p, uint32_t id);
/* The name of map id in p ("?" when p does not name it), written into buf. */
const char *map_ids__name(const struct mhse_object *obj, const struct path_result *p, uint32_t id, char *buf,
			  size_t size);
/* The id name stands for in p: an object map, or an inner map p's initial
 * entries hold. 0, or -ENOENT. */
int map_ids__find(const struct mhse_object *obj, const struct path_result *p, const char *name, uint32_t *id);

#endif
