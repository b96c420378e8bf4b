// SPDX-License-Identifier: MIT
/*
 * Reading a test file back into a path_result (test_reader__load in
 * testwriter.h).
 *
 * libyaml reads it, as it reads map files and specs: JSON is YAML, and the
 * writer keeps to the part of JSON that libyaml accepts. A null is the plain
 * scalar "null"; every string the writer emits is quoted, so a quoted "null"
 * stays a string. The reader is strict about what a replay depends on
 * (names must resolve, byte strings must have the map's sizes) and lenient
 * about the rest: message, source and trace may be missing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "yaml_file.h"
#include "insn.h"
#include "log.h"
#include "map_ids.h"
#include "mem.h"
#include "testwriter.h"

struct reader {
	const char *file;
	yaml_document_t doc;
	const struct mhse_object *obj;
	const struct mhse_hook *hook;
};

static int bad(const struct reader *r, const yaml_node_t *node, const char *what, const char *detail)
{
	pr_err("%s:%zu: %s%s%s\n", r->file, node ? node->start_mark.line + 1 : 0, what, detail ? ": " : "",
	       detail ? detail : "");
	return -EINVAL;
}

static yaml_node_t *node(const struct reader *r, int id)
{
	return yaml_document_get_node((yaml_document_t *)&r->doc, id);
}

static bool is_null(const yaml_node_t *n)
{
	return !n || (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		      !strcmp((const char *)n->data.scalar.value, "null"));
}

/* The member key of mapping n, or NULL when n is not a mapping or lacks it. */
static yaml_node_t *member(const struct reader *r, const yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(r, p->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return node(r, p->value);
	}
	return NULL;
}

static int get_string(const struct reader *r, const yaml_node_t *n, const char *what, const char **s)
{
	if (!n || n->type != YAML_SCALAR_NODE || is_null(n))
		return bad(r, n, "expected a string", what);
	*s = (const char *)n->data.scalar.value;
	return 0;
}

/* A JSON integer: signed values are stored two's complement. */
static int get_u64(const struct reader *r, const yaml_node_t *n, const char *what, uint64_t *v)
{
	const char *s;
	char *end;

	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return bad(r, n, "expected an integer", what);
	s = (const char *)n->data.scalar.value;
	errno = 0;
	*v = s[0] == '-' ? (uint64_t)strtoll(s, &end, 10) : strtoull(s, &end, 10);
	if (end == s || *end || errno)
		return bad(r, n, "expected an integer", what);
	return 0;
}

static int get_u32(const struct reader *r, const yaml_node_t *n, const char *what, uint32_t *v)
{
	uint64_t w;
	int err = get_u64(r, n, what, &w);

	if (err)
		return err;
	if (w > UINT32_MAX)
		return bad(r, n, "value out of range", what);
	*v = (uint32_t)w;
	return 0;
}

static int get_bool(const struct reader *r, const yaml_node_t *n, const char *what, bool *v)
{
	const char *s = n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";

	if (strcmp(s, "true") && strcmp(s, "false"))
		return bad(r, n, "expected true or false", what);
	*v = !strcmp(s, "true");
	return 0;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A hex byte string into a new buffer; size, unless 0, is the length it must have. */
static int get_hex(const struct reader *r, const yaml_node_t *n, const char *what, uint32_t size, uint8_t **out,
		   uint32_t *len)
{
	const char *s;
	size_t n_chars;
	int err = get_string(r, n, what, &s);

	if (err)
		return err;
	n_chars = strlen(s);
	if (n_chars % 2 || (size && n_chars != 2 * (size_t)size) || n_chars / 2 > UINT32_MAX)
		return bad(r, n, size ? "byte string of the wrong length" : "odd number of hex digits", what);
	*out = malloc(n_chars / 2 ? n_chars / 2 : 1);
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < n_chars / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(*out);
			*out = NULL;
			return bad(r, n, "not a hex byte string", what);
		}
		(*out)[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint32_t)(n_chars / 2);
	return 0;
}

static int get_seq(const struct reader *r, const yaml_node_t *n, const char *what, size_t *cnt)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return bad(r, n, "expected a list", what);
	*cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	return 0;
}

static yaml_node_t *item(const struct reader *r, const yaml_node_t *seq, size_t i)
{
	return node(r, seq->data.sequence.items.start[i]);
}

static int get_prog(const struct reader *r, const yaml_node_t *n, const char *what, uint32_t *idx)
{
	const char *name;
	const struct mhse_prog *prog;
	int err = get_string(r, n, what, &name);

	if (err)
		return err;
	prog = mhse_object__find_prog(r->obj, name);
	if (!prog)
		return bad(r, n, "no such program in the object", name);
	*idx = (uint32_t)(prog - r->obj->progs);
	return 0;
}

static int read_kind(const struct reader *r, const yaml_node_t *n, enum path_kind *kind)
{
	static const enum path_kind kinds[] = { PATH_EXIT, PATH_ERROR, PATH_UNSUPPORTED, PATH_BUDGET, PATH_TIMEOUT,
						PATH_WARNING };
	const char *s;
	int err = get_string(r, n, "kind", &s);

	if (err)
		return err;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(s, test_kind_name(kinds[i]))) {
			*kind = kinds[i];
			return 0;
		}
	}
	return bad(r, n, "unknown kind", s);
}

/* A map value of size bytes: hex, or its size and runs of bytes over zeroes. */
static int get_value(const struct reader *r, const yaml_node_t *n, uint32_t size, uint8_t **out)
{
	const yaml_node_t *runs;
	uint32_t len, declared;
	size_t cnt;
	int err;

	if (!n || n->type != YAML_MAPPING_NODE)
		return get_hex(r, n, "value", size, out, &len);
	err = get_u32(r, member(r, n, "size"), "value size", &declared);
	if (err)
		return err;
	if (declared != size)
		return bad(r, n, "value of the wrong size", "value");
	runs = member(r, n, "bytes");
	err = get_seq(r, runs, "value bytes", &cnt);
	if (err)
		return err;
	*out = calloc(1, size ? size : 1);
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *run = item(r, runs, i);
		uint8_t *bytes = NULL;
		uint32_t off;
		size_t parts;

		err = get_seq(r, run, "value run", &parts) ?: get_u32(r, item(r, run, 0), "run offset", &off) ?:
		      get_hex(r, item(r, run, 1), "run bytes", 0, &bytes, &len);
		if (!err && parts != 2)
			err = bad(r, run, "expected [offset, bytes]", "value");
		if (err) {
			free(bytes);
			return err;
		}
		if (off > size || len > size - off) {
			free(bytes);
			return bad(r, run, "bytes past the value's end", "value");
		}
		memcpy(*out + off, bytes, len);
		free(bytes);
	}
	return 0;
}

/* A map-in-map entry's value: the name of the map it holds, an object map,
 * or the entry's own inner map ("outer[key]"), which takes the next id. */
static int read_held_map(const struct reader *r, const yaml_node_t *value, const struct path_result *p,
			 struct path_map_entry *e, uint32_t *inner_cnt)
{
	char own[MAP_ID_NAME_MAX];
	const char *name;
	int idx, err = get_string(r, value, "map-in-map value", &name);

	if (err)
		return err;
	e->value = malloc(4);
	if (!e->value)
		return -ENOMEM;
	idx = mhse_object__find_map(r->obj, name);
	if (idx >= 0) {
		mem_store_le(e->value, 4, (uint32_t)idx);
		return 0;
	}
	if (!map_ids__inner_def(r->obj, e->map))
		return bad(r, value, "the map-in-map has no inner map definition", name);
	mem_store_le(e->value, 4, (uint32_t)r->obj->map_cnt + (*inner_cnt)++);
	if (strcmp(map_ids__name(r->obj, p, map_ids__held(e), own, sizeof(own)), name))
		return bad(r, value, "not a map of the object, nor the entry's own inner map", name);
	return 0;
}

/* Entries of a list, their maps named as map_ids.h says: the initial
 * entries (input) hold the inner maps that later entries name. */
static int read_entries(const struct reader *r, const yaml_node_t *list, const char *what, struct path_result *p,
			bool input)
{
	struct path_map_entry **entries = input ? &p->map_in : &p->map_out;
	size_t *cnt = input ? &p->map_in_cnt : &p->map_out_cnt;
	uint32_t inner_cnt = 0;
	size_t n;
	int err = get_seq(r, list, what, &n);

	if (err)
		return err;
	*entries = calloc(n ? n : 1, sizeof(**entries));
	if (!*entries)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = item(r, list, i), *value = member(r, e, "value");
		struct path_map_entry *out = &(*entries)[i];
		const struct mhse_map *def;
		const char *name;
		uint32_t len, id;

		err = get_string(r, member(r, e, "map"), "map", &name);
		if (err)
			return err;
		if (map_ids__find(r->obj, p, name, &id))
			return bad(r, e, "no such map in the object or the test", name);
		def = map_ids__def(r->obj, p, id);
		out->map = id;
		(*cnt)++;
		err = get_hex(r, member(r, e, "key"), "key", def->key_size, &out->key, &len);
		if (!err && !is_null(value) && input && map_is_map_in_map(def->type))
			err = read_held_map(r, value, p, out, &inner_cnt);
		else if (!err && !is_null(value))
			err = get_value(r, value, def->value_size, &out->value);
		if (err)
			return err;
	}
	return 0;
}

/* Context bytes: the spec's defaults, with the fields the test names over them. */
static int read_context(const struct reader *r, const yaml_node_t *ctx, struct path_result *p)
{
	const struct mhse_hook *hook = r->hook;

	p->ctx_len = hook->ctx_size;
	p->ctx_in = calloc(1, hook->ctx_size ? hook->ctx_size : 1);
	if (!p->ctx_in)
		return -ENOMEM;
	for (size_t i = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];
		const yaml_node_t *v = member(r, ctx, f->name);
		size_t cnt = 1;
		int err;

		if (f->kind != CTX_SCALAR)
			continue;
		for (uint32_t e = 0; e < f->count; e++)
			mem_store_le(p->ctx_in + f->offset + e * f->size, f->size, f->dflt);
		if (!v)
			continue;
		if (f->count > 1 && (err = get_seq(r, v, f->name, &cnt)))
			return err;
		if (cnt != f->count)
			return bad(r, v, "wrong number of elements for context field", f->name);
		for (uint32_t e = 0; e < f->count; e++) {
			uint64_t value;

			err = get_u64(r, f->count > 1 ? item(r, v, e) : v, f->name, &value);
			if (err)
				return err;
			mem_store_le(p->ctx_in + f->offset + e * f->size, f->size, value);
		}
	}
	return 0;
}

/* Kernel memory the path read: address and bytes (a test without the key read none). */
static int read_kmem(const struct reader *r, const yaml_node_t *list, struct path_result *p)
{
	size_t n;
	int err;

	if (!list)
		return 0;
	err = get_seq(r, list, "kernel_memory", &n);
	if (err)
		return err;
	p->kmem = calloc(n ? n : 1, sizeof(*p->kmem));
	if (!p->kmem)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = item(r, list, i);
		struct path_kmem *out = &p->kmem[i];

		p->kmem_cnt++;
		err = get_u64(r, member(r, e, "address"), "address", &out->addr) ?:
		      get_hex(r, member(r, e, "bytes"), "bytes", 0, &out->bytes, &out->len);
		if (err)
			return err;
	}
	return 0;
}

static int read_nondet(const struct reader *r, const yaml_node_t *list, struct path_result *p)
{
	size_t n;
	int err = get_seq(r, list, "nondet", &n);

	if (err)
		return err;
	p->nondet = calloc(n ? n : 1, sizeof(*p->nondet));
	if (!p->nondet)
		return -ENOMEM;
	p->nondet_cnt = n;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = item(r, list, i), *helper = member(r, e, "helper");
		struct path_nondet *out = &p->nondet[i];
		uint64_t id;

		if (helper && helper->type == YAML_SCALAR_NODE && helper->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
			out->helper = helper_id((const char *)helper->data.scalar.value);
			if (out->helper < 0)
				return bad(r, helper, "unknown helper", (const char *)helper->data.scalar.value);
		} else {
			err = get_u64(r, helper, "helper", &id);
			if (err)
				return err;
			out->helper = (int32_t)id;
		}
		err = get_u64(r, member(r, e, "value"), "value", &out->value);
		if (err)
			return err;
	}
	return 0;
}

static int read_branches(const struct reader *r, const yaml_node_t *list, uint32_t entry, struct path_result *p)
{
	size_t n;
	int err = get_seq(r, list, "branches", &n);

	if (err)
		return err;
	p->branches = calloc(n ? n : 1, sizeof(*p->branches));
	if (!p->branches)
		return -ENOMEM;
	p->branch_cnt = n;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *b = item(r, list, i);
		struct path_branch *out = &p->branches[i];
		size_t parts;

		if (get_seq(r, b, "branch", &parts) || parts < 2 || parts > 3)
			return bad(r, b, "a branch is [insn, taken] or [insn, taken, program]", NULL);
		out->prog = entry;
		err = get_u32(r, item(r, b, 0), "branch insn", &out->pc);
		if (!err)
			err = get_bool(r, item(r, b, 1), "branch taken", &out->taken);
		if (!err && parts == 3)
			err = get_prog(r, item(r, b, 2), "branch program", &out->prog);
		if (err)
			return err;
	}
	return 0;
}

static int read_events(const struct reader *r, const yaml_node_t *list, struct path_result *p)
{
	size_t n;
	int err = get_seq(r, list, "events", &n);

	if (err)
		return err;
	p->events = calloc(n ? n : 1, sizeof(*p->events));
	if (!p->events)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = item(r, list, i);
		struct path_event *out = &p->events[i];
		const char *helper, *map;

		p->event_cnt++;
		err = get_string(r, member(r, e, "helper"), "event helper", &helper);
		if (!err)
			err = get_string(r, member(r, e, "map"), "event map", &map);
		if (err)
			return err;
		out->helper = helper_id(helper);
		if (out->helper < 0 || map_ids__find(r->obj, p, map, &out->map))
			return bad(r, e, "unknown helper or map in event", helper);
		err = get_hex(r, member(r, e, "data"), "event data", 0, &out->data, &out->len);
		if (err)
			return err;
	}
	return 0;
}

static int read_expected(const struct reader *r, const yaml_node_t *exp, struct path_result *p)
{
	const yaml_node_t *ret = member(r, exp, "return"), *trace = member(r, exp, "trace");
	const yaml_node_t *redirect = member(r, exp, "redirect"), *events = member(r, exp, "events");
	int err = 0;

	if (!exp || exp->type != YAML_MAPPING_NODE)
		return bad(r, exp, "expected an object", "expected");
	if (path_returned(p->kind))
		err = get_u64(r, ret, "return", &p->ret);
	if (!err)
		err = get_hex(r, member(r, exp, "packet"), "expected packet", 0, &p->packet_out, &p->packet_out_len);
	if (!err)
		err = read_entries(r, member(r, exp, "maps"), "expected maps", p, false);
	if (!err && !is_null(redirect))
		err = get_u64(r, redirect, "redirect", &p->redirect_target);
	if (!err && events && !is_null(events))
		err = read_events(r, events, p);
	if (!err && !is_null(trace)) {
		const char *s;

		err = get_string(r, trace, "trace", &s);
		if (!err && *s && !(p->trace = strdup(s)))
			err = -ENOMEM;
	}
	return err;
}

static int read_test(const struct reader *r, const yaml_node_t *root, struct path_result *p, uint32_t *entry)
{
	const yaml_node_t *input = member(r, root, "input"), *ctx;
	const yaml_node_t *msg = member(r, root, "message"), *err_insn = member(r, root, "error_insn");
	const yaml_node_t *err_prog = member(r, root, "error_program"), *insns = member(r, root, "insns");
	const char *hook_name, *s;
	int err;

	if (!root || root->type != YAML_MAPPING_NODE)
		return bad(r, root, "expected a test object", NULL);
	err = read_kind(r, member(r, root, "kind"), &p->kind);
	/* older tests have no "spurious" */
	if (!err && member(r, root, "spurious") && !is_null(member(r, root, "spurious")))
		err = get_bool(r, member(r, root, "spurious"), "spurious", &p->spurious);
	if (!err)
		err = get_prog(r, member(r, root, "program"), "program", entry);
	if (!err)
		err = get_string(r, member(r, root, "hook"), "hook", &hook_name);
	if (err)
		return err;
	if (strcmp(hook_name, r->hook->name))
		return bad(r, member(r, root, "hook"), "the test is for another hook", hook_name);
	if (!is_null(msg)) {
		err = get_string(r, msg, "message", &s);
		if (err)
			return err;
		snprintf(p->message, sizeof(p->message), "%s", s);
	}
	p->err_prog = *entry;
	if (!is_null(err_prog) && (err = get_prog(r, err_prog, "error_program", &p->err_prog)))
		return err;
	if (!is_null(err_insn) && (err = get_u32(r, err_insn, "error_insn", &p->err_pc)))
		return err;
	if (!input || input->type != YAML_MAPPING_NODE)
		return bad(r, input ? input : root, "expected an object", "input");
	err = get_hex(r, member(r, input, "packet"), "packet", 0, &p->packet_in, &p->packet_in_len);
	ctx = member(r, input, "context");
	if (!err && ctx && ctx->type != YAML_MAPPING_NODE)
		err = bad(r, ctx, "expected an object", "context");
	if (!err)
		err = read_context(r, ctx, p);
	if (!err)
		err = read_nondet(r, member(r, input, "nondet"), p);
	if (!err)
		err = read_kmem(r, member(r, input, "kernel_memory"), p);
	if (!err)
		err = read_entries(r, member(r, input, "maps"), "input maps", p, true);
	if (!err)
		err = read_expected(r, member(r, root, "expected"), p);
	if (!err)
		err = read_branches(r, member(r, root, "branches"), *entry, p);
	if (!err && !is_null(insns))
		err = get_u64(r, insns, "insns", &p->insns);
	return err;
}

int test_reader__load(const char *path_json, const struct mhse_object *obj, const struct mhse_hook *hook,
		      struct path_result *path, const struct mhse_prog **prog)
{
	struct reader r = { .file = path_json, .obj = obj, .hook = hook };
	uint32_t entry = 0;
	int err;

	*path = (struct path_result){ 0 };
	err = yaml_file__load(path_json, &r.doc);
	if (err)
		return err;
	err = read_test(&r, yaml_document_get_root_node(&r.doc), path, &entry);
	yaml_document_delete(&r.doc);
	if (err) {
		path_result__free(path);
		*path = (struct path_result){ 0 };
		return err;
	}
	if (prog)
		*prog = &obj->progs[entry];
	return 0;
}
