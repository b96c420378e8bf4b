// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "log.h"
#include "map_ids.h"
#include "mapio.h"
#include "yaml_file.h"

static int load_error(const char *path, const yaml_node_t *node, const char *what, const char *detail)
{
	pr_err("%s:%zu: %s%s%s\n", path, node ? node->start_mark.line + 1 : 0, what, detail ? ": " : "",
	       detail ? detail : "");
	return -EINVAL;
}

/* Hex bytes (spaces ignored) must fill size exactly; an integer is stored
 * little-endian. */
static int parse_bytes(const char *s, uint8_t *out, uint32_t size)
{
	char *end;
	uint32_t n = 0;

	if (!*s)
		return -EINVAL;
	if (isdigit((unsigned char)s[0]) && size <= 8 && strspn(s, "0123456789") == strlen(s)) {
		uint64_t v = strtoull(s, &end, 10);

		if (size < 8 && v >> (8 * size))
			return -ERANGE;
		mem_store_le(out, size, v);
		return 0;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && size <= 8 && !strchr(s, ' ')) {
		uint64_t v = strtoull(s, &end, 16);

		if (*end || (size < 8 && v >> (8 * size)))
			return -ERANGE;
		mem_store_le(out, size, v);
		return 0;
	}
	for (const char *p = s; *p;) {
		unsigned byte;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (n == size || !isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    sscanf(p, "%2x", &byte) != 1)
			return -EINVAL;
		out[n++] = (uint8_t)byte;
		p += 2;
	}
	return n == size ? 0 : -EINVAL;
}

static const char *node_scalar(yaml_document_t *doc, int id)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);

	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int load_entries(struct mhse_vm *vm, const char *path, yaml_document_t *doc, yaml_node_t *list,
			uint32_t map);

/* A map-in-map's value: a map of the object by name, or a list of entries
 * that a new inner map holds. Stores the held map's id in value. */
static int load_held_map(struct mhse_vm *vm, const char *path, yaml_document_t *doc, yaml_node_t *node,
			 uint32_t outer, uint8_t *value)
{
	uint32_t id;
	int idx, err;

	if (node->type == YAML_SCALAR_NODE) {
		idx = mhse_object__find_map(vm->obj, (const char *)node->data.scalar.value);
		if (idx < 0)
			return load_error(path, node, "no such map", (const char *)node->data.scalar.value);
		mem_store_le(value, 4, (uint32_t)idx);
		return 0;
	}
	err = mhse_vm__add_inner(vm, outer, &id);
	if (err == -EINVAL)
		return load_error(path, node, "the map-in-map has no inner map definition", vm->maps[outer].def->name);
	if (err)
		return err;
	mem_store_le(value, 4, id);
	return load_entries(vm, path, doc, node, id);
}

static int load_entry(struct mhse_vm *vm, const char *path, yaml_document_t *doc, yaml_node_t *entry, uint32_t map)
{
	const struct mhse_map *def = vm->maps[map].def;
	const char *key_s = NULL, *value_s = NULL;
	yaml_node_t *value_node = NULL;
	uint8_t *key, *value;
	int err;

	if (entry->type != YAML_MAPPING_NODE)
		return load_error(path, entry, "an entry must be {key, value}", NULL);
	for (yaml_node_pair_t *p = entry->data.mapping.pairs.start; p < entry->data.mapping.pairs.top; p++) {
		const char *k = node_scalar(doc, p->key);

		if (k && !strcmp(k, "key")) {
			key_s = node_scalar(doc, p->value);
		} else if (k && !strcmp(k, "value")) {
			value_s = node_scalar(doc, p->value);
			value_node = yaml_document_get_node(doc, p->value);
		} else {
			return load_error(path, entry, "unknown key in entry", k);
		}
	}
	if (!key_s || !value_node || (!value_s && !map_is_map_in_map(def->type)))
		return load_error(path, entry, "an entry needs a key and a value", def->name);
	key = calloc(1, def->key_size + 1);
	value = calloc(1, def->value_size + 4);
	if (!key || !value) {
		err = -ENOMEM;
		goto out;
	}
	err = parse_bytes(key_s, key, def->key_size);
	if (err) {
		load_error(path, entry, "bad key for the map's key size", key_s);
		goto out;
	}
	if (map_is_map_in_map(def->type)) {
		err = load_held_map(vm, path, doc, value_node, map, value);
		if (err)
			goto out;
	} else if (def->type == BPF_MAP_TYPE_PROG_ARRAY && mhse_object__find_prog(vm->obj, value_s)) {
		uint32_t idx = (uint32_t)(mhse_object__find_prog(vm->obj, value_s) - vm->obj->progs);

		mem_store_le(value, 4, idx);
	} else if (parse_bytes(value_s, value, def->value_size)) {
		err = load_error(path, entry, "bad value for the map's value size", value_s);
		goto out;
	}
	err = map_state__update(&vm->maps[map], key, value, BPF_ANY);
	if (err)
		load_error(path, entry, "the map refused the entry", strerror(-err));
out:
	free(key);
	free(value);
	return err;
}

static int load_entries(struct mhse_vm *vm, const char *path, yaml_document_t *doc, yaml_node_t *list, uint32_t map)
{
	int err = 0;

	if (list->type != YAML_SEQUENCE_NODE)
		return load_error(path, list, "expected a list of entries", vm->maps[map].def->name);
	for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top && !err; it++)
		err = load_entry(vm, path, doc, yaml_document_get_node(doc, *it), map);
	return err;
}

int mhse_mapio__load(struct mhse_vm *vm, const char *path)
{
	yaml_document_t doc;
	yaml_node_t *root;
	int err = yaml_file__load(path, &doc);

	if (err)
		return err;
	root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE)
		err = load_error(path, root, "expected a mapping from map names to entries", NULL);
	for (yaml_node_pair_t *p = root && !err ? root->data.mapping.pairs.start : NULL;
	     p && p < root->data.mapping.pairs.top && !err; p++) {
		const char *name = node_scalar(&doc, p->key);
		yaml_node_t *list = yaml_document_get_node(&doc, p->value);
		int idx = name ? mhse_object__find_map(vm->obj, name) : -1;

		if (idx < 0) {
			err = load_error(path, yaml_document_get_node(&doc, p->key), "no such map", name);
			break;
		}
		err = load_entries(vm, path, &doc, list, (uint32_t)idx);
	}
	yaml_document_delete(&doc);
	return err;
}

struct map_copy {
	uint8_t *bytes; /* entries of key_size + value_size bytes */
	uint32_t cnt;
	char *name;     /* an inner map's is its holder's, "outer[key]" (map_ids.h) */
};

struct map_snapshot {
	size_t map_cnt;
	struct map_copy maps[];
};

/* The name of map id of vm, in a new string. */
static char *map_name(struct mhse_vm *vm, uint32_t id)
{
	char *name;

	for (uint32_t m = 0; id >= vm->obj->map_cnt && m < vm->obj->map_cnt; m++) {
		const uint8_t *key, *value;
		uint32_t pos = 0;

		while (map_is_map_in_map(vm->maps[m].def->type) && map_state__next(&vm->maps[m], &pos, &key, &value)) {
			if (mem_load_le(value, 4) != id)
				continue;
			name = malloc(strlen(vm->maps[m].def->name) + 2 * vm->maps[m].def->key_size + 3);
			if (name) {
				size_t n = (size_t)sprintf(name, "%s[", vm->maps[m].def->name);

				for (uint32_t i = 0; i < vm->maps[m].def->key_size; i++)
					n += (size_t)sprintf(name + n, "%02x", key[i]);
				strcpy(name + n, "]");
			}
			return name;
		}
	}
	return strdup(vm->maps[id].def->name);
}

struct map_snapshot *mhse_mapio__snapshot(struct mhse_vm *vm)
{
	size_t n = vm->map_cnt;
	struct map_snapshot *snap = calloc(1, sizeof(*snap) + n * sizeof(snap->maps[0]));

	if (!snap)
		return NULL;
	snap->map_cnt = n;
	for (size_t i = 0; i < n; i++) {
		struct map_state *ms = &vm->maps[i];
		uint32_t ksz = ms->def->key_size, vsz = ms->def->value_size, pos = 0;
		const uint8_t *key, *value;

		snap->maps[i].bytes = malloc((size_t)(ms->entry_cnt ? ms->entry_cnt : 1) * (ksz + vsz));
		snap->maps[i].name = map_name(vm, (uint32_t)i);
		if (!snap->maps[i].bytes || !snap->maps[i].name) {
			mhse_mapio__snapshot_free(snap);
			return NULL;
		}
		while (map_state__next(ms, &pos, &key, &value)) {
			uint8_t *e = snap->maps[i].bytes + (size_t)snap->maps[i].cnt++ * (ksz + vsz);

			memcpy(e, key, ksz);
			memcpy(e + ksz, value, vsz);
		}
	}
	return snap;
}

void mhse_mapio__snapshot_free(struct map_snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; i < snap->map_cnt; i++) {
		free(snap->maps[i].bytes);
		free(snap->maps[i].name);
	}
	free(snap);
}

static void print_hex(FILE *out, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
}

/* The snapshot's value for key; an array slot never touched holds zeroes. */
static const uint8_t *snapshot_value(const struct map_copy *copy, const struct mhse_map *def, const uint8_t *key,
				     const uint8_t *zeroes)
{
	size_t esz = (size_t)def->key_size + def->value_size;

	for (uint32_t e = 0; e < copy->cnt; e++)
		if (!memcmp(copy->bytes + e * esz, key, def->key_size))
			return copy->bytes + e * esz + def->key_size;
	return map_is_array_like(def->type) ? zeroes : NULL;
}

size_t mhse_mapio__print_changes(struct mhse_vm *vm, const struct map_snapshot *snap, FILE *out)
{
	size_t changes = 0;

	for (size_t i = 0; i < snap->map_cnt; i++) {
		struct map_state *ms = &vm->maps[i];
		const struct mhse_map *def = ms->def;
		const struct map_copy *copy = &snap->maps[i];
		size_t esz = (size_t)def->key_size + def->value_size;
		uint8_t *zeroes = calloc(1, def->value_size ? def->value_size : 1);
		const uint8_t *key, *value, *old;
		uint32_t pos = 0;

		if (!zeroes)
			return changes;
		while (map_state__next(ms, &pos, &key, &value)) {
			old = snapshot_value(copy, def, key, zeroes);
			if (old && !memcmp(old, value, def->value_size))
				continue;
			fprintf(out, "map %s [", copy->name);
			print_hex(out, key, def->key_size);
			fprintf(out, "] ");
			if (old) {
				print_hex(out, old, def->value_size);
				fprintf(out, " -> ");
			} else {
				fprintf(out, "added ");
			}
			print_hex(out, value, def->value_size);
			fprintf(out, "\n");
			changes++;
		}
		for (uint32_t e = 0; e < copy->cnt; e++) {
			const uint8_t *k = copy->bytes + e * esz;

			if (map_is_array_like(def->type) || map_state__value(ms, k))
				continue;
			fprintf(out, "map %s [", copy->name);
			print_hex(out, k, def->key_size);
			fprintf(out, "] deleted\n");
			changes++;
		}
		free(zeroes);
	}
	return changes;
}
