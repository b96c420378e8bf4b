// SPDX-License-Identifier: MIT
/*
 * Hook spec files (specs/<name>.yaml, schema in docs/specs.md) into struct
 * mhse_hook.
 *
 * The YAML is loaded as a libyaml document and walked node by node, so that
 * every complaint names the file and line of the node at fault. Unknown keys
 * are errors, not ignored: a misspelt "writable" must not silently make a
 * field read-only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include <bpf/libbpf.h>
#include "yaml_file.h"
#include "helpers.h"
#include "hook.h"
#include "insn.h"
#include "log.h"
#include "object.h"

struct spec_parser {
	const char *path;
	yaml_document_t doc;
	struct mhse_hook *hook;
};

static int spec_error(struct spec_parser *p, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int spec_error(struct spec_parser *p, const yaml_node_t *node, const char *fmt, ...)
{
	char msg[256];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	pr_err("%s:%zu: %s\n", p->path, node ? node->start_mark.line + 1 : 0, msg);
	return -EINVAL;
}

static const char *scalar(const yaml_node_t *node)
{
	return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

static int parse_u64(struct spec_parser *p, const yaml_node_t *node, uint64_t *out)
{
	const char *s = scalar(node);
	char *end;

	if (!s || !*s)
		return spec_error(p, node, "expected a number");
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (*end || errno || *s == '-')
		return spec_error(p, node, "'%s' is not a non-negative number", s);
	return 0;
}

static int parse_u32(struct spec_parser *p, const yaml_node_t *node, uint32_t *out)
{
	uint64_t v = 0;
	int err = parse_u64(p, node, &v);

	if (err)
		return err;
	if (v > UINT32_MAX)
		return spec_error(p, node, "%s is out of range", scalar(node));
	*out = (uint32_t)v;
	return 0;
}

static int parse_bool(struct spec_parser *p, const yaml_node_t *node, bool *out)
{
	const char *s = scalar(node);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
		*out = true;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
		*out = false;
	else
		return spec_error(p, node, "expected true or false");
	return 0;
}

static int parse_string(struct spec_parser *p, const yaml_node_t *node, char **out)
{
	const char *s = scalar(node);

	if (!s)
		return spec_error(p, node, "expected a string");
	free(*out);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static yaml_node_t *node_at(struct spec_parser *p, int id)
{
	return yaml_document_get_node(&p->doc, id);
}

/* attach: [libbpf attach type names] -> a bit per enum bpf_attach_type. */
static int parse_attach(struct spec_parser *p, yaml_node_t *seq, uint64_t *mask)
{
	if (seq->type != YAML_SEQUENCE_NODE || seq->data.sequence.items.top == seq->data.sequence.items.start)
		return spec_error(p, seq, "attach must be a list of attach types");
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *node = node_at(p, *it);
		const char *name = scalar(node);
		uint32_t t = 0;

		for (const char *known; t < 64 && (known = libbpf_bpf_attach_type_str((enum bpf_attach_type)t)); t++)
			if (name && !strcmp(name, known))
				break;
		if (!name || t >= 64 || !libbpf_bpf_attach_type_str((enum bpf_attach_type)t))
			return spec_error(p, node, "unknown attach type '%s'", name ?: "?");
		*mask |= 1ull << t;
	}
	return 0;
}

/* Calls visit(key, value) for each pair of a mapping; keys must be in
 * allowed, unless allowed is NULL and visit checks them itself. */
typedef int (*pair_visitor)(struct spec_parser *p, const char *key, yaml_node_t *value, void *arg);

static int for_each_pair(struct spec_parser *p, yaml_node_t *map, const char *const *allowed, pair_visitor visit,
			 void *arg)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return spec_error(p, map, "expected a mapping");
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key_node = node_at(p, pair->key);
		const char *key = scalar(key_node);
		bool known = false;
		int err;

		for (size_t i = 0; key && allowed && allowed[i]; i++)
			known |= !strcmp(key, allowed[i]);
		known |= key && !allowed;
		if (!known)
			return spec_error(p, key_node, "unknown key '%s'", key ? key : "?");
		err = visit(p, key, node_at(p, pair->value), arg);
		if (err)
			return err;
	}
	return 0;
}

static bool has_key(struct spec_parser *p, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++)
		if (!strcmp(scalar(node_at(p, pair->key)) ?: "", key))
			return true;
	return false;
}

static const struct {
	const char *name;
	enum ctx_kind kind;
} ctx_kinds[] = {
	{ "scalar", CTX_SCALAR },       { "packet_start", CTX_PKT_START }, { "packet_end", CTX_PKT_END },
	{ "packet_meta", CTX_PKT_META }, { "packet_length", CTX_PKT_LEN }, { "pointer", CTX_PTR },
};

static int visit_field(struct spec_parser *p, const char *key, yaml_node_t *v, void *arg)
{
	struct ctx_field *f = arg;

	if (!strcmp(key, "name"))
		return parse_string(p, v, &f->name);
	if (!strcmp(key, "offset"))
		return parse_u32(p, v, &f->offset);
	if (!strcmp(key, "size")) {
		int err = parse_u32(p, v, &f->size);

		if (!err && f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)
			return spec_error(p, v, "size must be 1, 2, 4 or 8");
		return err;
	}
	if (!strcmp(key, "count"))
		return parse_u32(p, v, &f->count);
	if (!strcmp(key, "narrow"))
		return parse_bool(p, v, &f->narrow);
	if (!strcmp(key, "narrow_write"))
		return parse_bool(p, v, &f->narrow_write);
	if (!strcmp(key, "wide"))
		return parse_bool(p, v, &f->wide);
	if (!strcmp(key, "bits"))
		return parse_u64(p, v, &f->bits);
	if (!strcmp(key, "full_socket"))
		return parse_bool(p, v, &f->full_socket);
	if (!strcmp(key, "values")) {
		size_t n = v->type == YAML_SEQUENCE_NODE ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) : 0;

		if (!n || n > sizeof(f->values) / sizeof(f->values[0]))
			return spec_error(p, v, "values must be a list of 1 to %zu numbers", sizeof(f->values) / sizeof(f->values[0]));
		for (f->value_cnt = 0; f->value_cnt < n; f->value_cnt++)
			if (parse_u64(p, node_at(p, v->data.sequence.items.start[f->value_cnt]), &f->values[f->value_cnt]))
				return -EINVAL;
		return 0;
	}
	if (!strcmp(key, "nonnull"))
		return parse_bool(p, v, &f->nonnull);
	if (!strcmp(key, "attach"))
		return parse_attach(p, v, &f->attach_mask);
	if (!strcmp(key, "default"))
		return parse_u64(p, v, &f->dflt);
	if (!strcmp(key, "kernel_settable"))
		return parse_bool(p, v, &f->kernel_settable);
	if (!strcmp(key, "kind")) {
		for (size_t i = 0; i < sizeof(ctx_kinds) / sizeof(ctx_kinds[0]); i++)
			if (scalar(v) && !strcmp(scalar(v), ctx_kinds[i].name)) {
				f->kind = (uint8_t)ctx_kinds[i].kind;
				return 0;
			}
		return spec_error(p, v, "unknown field kind '%s'", scalar(v) ?: "?");
	}
	if (!strcmp(key, "access")) {
		const char *s = scalar(v) ?: "";

		f->read = !strcmp(s, "read") || !strcmp(s, "read-write");
		f->write = !strcmp(s, "write") || !strcmp(s, "read-write");
		if (!f->read && !f->write)
			return spec_error(p, v, "access must be read, write or read-write");
		return 0;
	}
	/* range: [min, max] */
	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top - v->data.sequence.items.start != 2)
		return spec_error(p, v, "range must be [min, max]");
	if (parse_u64(p, node_at(p, v->data.sequence.items.start[0]), &f->min) ||
	    parse_u64(p, node_at(p, v->data.sequence.items.start[1]), &f->max))
		return -EINVAL;
	if (f->min > f->max)
		return spec_error(p, v, "bad range: min %llu is above max %llu", (unsigned long long)f->min,
				  (unsigned long long)f->max);
	return 0;
}

static int parse_fields(struct spec_parser *p, yaml_node_t *seq)
{
	static const char *const keys[] = { "name", "offset", "size", "count", "kind", "access", "narrow",
					    "range", "default", "kernel_settable", "wide", "attach", "nonnull", "bits",
					    "values", "full_socket", "narrow_write", NULL };
	struct mhse_hook *hook = p->hook;
	size_t n;

	if (seq->type != YAML_SEQUENCE_NODE)
		return spec_error(p, seq, "fields must be a list");
	n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	hook->fields = calloc(n ? n : 1, sizeof(*hook->fields));
	if (!hook->fields)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *node = node_at(p, seq->data.sequence.items.start[i]);
		struct ctx_field *f = &hook->fields[hook->field_cnt++];
		static const char *const required[] = { "name", "offset", "size", "access" };
		int err;

		*f = (struct ctx_field){ .count = 1, .max = UINT64_MAX, .bits = UINT64_MAX, .spec_line = (uint32_t)node->start_mark.line + 1 };
		err = for_each_pair(p, node, keys, visit_field, f);
		if (err)
			return err;
		for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++)
			if (!has_key(p, node, required[r]))
				return spec_error(p, node, "field %s: missing '%s'", f->name ?: "?", required[r]);
		if (!f->count)
			return spec_error(p, node, "field %s: count must be at least 1", f->name);
		if ((f->nonnull || f->full_socket) && f->kind != CTX_PTR)
			return spec_error(p, node, "field %s: nonnull and full_socket are for pointer fields", f->name);
		if (f->wide && (f->size != 4 || f->count < 2 || f->offset % 4))
			return spec_error(p, node, "field %s: wide needs 4-byte elements, at least two", f->name);
		if ((uint64_t)f->offset + (uint64_t)f->size * f->count > hook->ctx_size)
			return spec_error(p, node, "field %s ends past the context size %u", f->name, hook->ctx_size);
		for (size_t j = 0; j + 1 < hook->field_cnt; j++) {
			const struct ctx_field *g = &hook->fields[j];

			/* fields of disjoint attach types are one offset's forms for each */
			if (f->attach_mask && g->attach_mask && !(f->attach_mask & g->attach_mask))
				continue;
			if (f->offset < g->offset + g->size * g->count && g->offset < f->offset + f->size * f->count)
				return spec_error(p, node, "field %s overlaps field %s (line %u)", f->name, g->name,
						  g->spec_line);
		}
	}
	return 0;
}

static int visit_context(struct spec_parser *p, const char *key, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "size"))
		return parse_u32(p, v, &p->hook->ctx_size);
	return parse_fields(p, v);
}

static int visit_packet(struct spec_parser *p, const char *key, yaml_node_t *v, void *arg)
{
	struct mhse_hook *hook = p->hook;

	(void)arg;
	hook->has_packet = true;
	if (!strcmp(key, "min"))
		return parse_u32(p, v, &hook->pkt_min);
	if (!strcmp(key, "max"))
		return parse_u32(p, v, &hook->pkt_max);
	if (!strcmp(key, "headroom"))
		return parse_u32(p, v, &hook->headroom);
	return parse_u32(p, v, &hook->frame_size);
}

static int visit_l3_min(struct spec_parser *p, const char *key, yaml_node_t *v, void *arg)
{
	struct hook_l3_min *m = arg;
	uint32_t ethertype = 0;
	int err;

	if (!strcmp(key, "min"))
		return parse_u32(p, v, &m->min_len);
	err = parse_u32(p, v, &ethertype);
	if (!err && ethertype > 0xffff)
		return spec_error(p, v, "ethertype %u does not fit 16 bits", ethertype);
	m->ethertype = (uint16_t)ethertype;
	return err;
}

/* min_packet_by_ethertype: [{ ethertype: 0x0800, min: 34 }, ...] */
static int parse_l3_min(struct spec_parser *p, yaml_node_t *seq)
{
	static const char *const keys[] = { "ethertype", "min", NULL };
	struct mhse_hook *hook = p->hook;
	size_t n;

	if (seq->type != YAML_SEQUENCE_NODE)
		return spec_error(p, seq, "min_packet_by_ethertype must be a list");
	n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	hook->kernel_l3_min = calloc(n ? n : 1, sizeof(*hook->kernel_l3_min));
	if (!hook->kernel_l3_min)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *node = node_at(p, seq->data.sequence.items.start[i]);
		int err = for_each_pair(p, node, keys, visit_l3_min, &hook->kernel_l3_min[hook->kernel_l3_min_cnt++]);

		if (err)
			return err;
		if (!has_key(p, node, "ethertype") || !has_key(p, node, "min"))
			return spec_error(p, node, "an entry needs an ethertype and a min");
	}
	return 0;
}

/* l2_header: { length: 14, ethertype: protocol } */
static int visit_l2_header(struct spec_parser *p, const char *key, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "length"))
		return parse_u32(p, v, &p->hook->kernel_l2_len);
	return parse_string(p, v, &p->hook->kernel_l2_ethertype);
}

static int visit_kernel(struct spec_parser *p, const char *key, yaml_node_t *v, void *arg)
{
	static const char *const l2_keys[] = { "length", "ethertype", NULL };

	(void)arg;
	if (!strcmp(key, "l2_header")) {
		int err = for_each_pair(p, v, l2_keys, visit_l2_header, NULL);

		if (!err && (!has_key(p, v, "length") || !has_key(p, v, "ethertype")))
			return spec_error(p, v, "l2_header needs a length and an ethertype");
		return err;
	}
	if (!strcmp(key, "test_run"))
		return parse_bool(p, v, &p->hook->kernel_test_run);
	if (!strcmp(key, "ctx_packet_end"))
		return parse_bool(p, v, &p->hook->kernel_ctx_packet_end);
	if (!strcmp(key, "sleepable"))
		return parse_bool(p, v, &p->hook->kernel_sleepable);
	if (!strcmp(key, "ctx_in_only"))
		return parse_bool(p, v, &p->hook->kernel_ctx_in_only);
	if (!strcmp(key, "min_packet_by_ethertype"))
		return parse_l3_min(p, v);
	return parse_u32(p, v, &p->hook->kernel_pkt_min);
}

static int visit_return(struct spec_parser *p, const char *key, yaml_node_t *v, void *arg)
{
	struct hook_ret *r = arg;
	uint64_t value = 0;
	int err;

	if (!strcmp(key, "name"))
		return parse_string(p, v, &r->name);
	if (!strcmp(key, "attach"))
		return parse_attach(p, v, &r->attach_mask);
	err = parse_u64(p, v, &value);
	r->value = (int64_t)value;
	return err;
}

static int parse_returns(struct spec_parser *p, yaml_node_t *seq)
{
	static const char *const keys[] = { "value", "name", "attach", NULL };
	struct mhse_hook *hook = p->hook;
	size_t n;

	if (seq->type != YAML_SEQUENCE_NODE)
		return spec_error(p, seq, "return must be a list");
	n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	hook->rets = calloc(n ? n : 1, sizeof(*hook->rets));
	if (!hook->rets)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *node = node_at(p, seq->data.sequence.items.start[i]);
		int err = for_each_pair(p, node, keys, visit_return, &hook->rets[hook->ret_cnt++]);

		if (err)
			return err;
		if (!has_key(p, node, "value"))
			return spec_error(p, node, "return entry without a value");
	}
	return 0;
}

static int parse_ret_outside(struct spec_parser *p, yaml_node_t *v)
{
	static const char *const names[] = { [HOOK_RET_REJECTED] = "rejected", [HOOK_RET_WARNED] = "warned",
					     [HOOK_RET_ALLOWED] = "allowed" };
	const char *s = scalar(v);

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			p->hook->ret_outside = (enum hook_ret_outside)i;
			return 0;
		}
	}
	return spec_error(p, v, "return_outside must be rejected, warned or allowed");
}

bool mhse_hook__ret_outside(const struct mhse_hook *hook, uint64_t ret)
{
	uint64_t mask = hook->ret_outside == HOOK_RET_REJECTED ? UINT64_MAX : UINT32_MAX;

	if (!hook->ret_cnt || hook->ret_outside == HOOK_RET_ALLOWED)
		return false;
	for (size_t i = 0; i < hook->ret_cnt; i++)
		if (((uint64_t)hook->rets[i].value & mask) == (ret & mask))
			return false;
	return true;
}

void mhse_hook__ret_outside_message(const struct mhse_hook *hook, char *buf, size_t len)
{
	snprintf(buf, len, "return value outside hook %s's domain%s", hook->name,
		 hook->ret_outside == HOOK_RET_WARNED ? ", which the kernel warns about at run time" : "");
}


static int visit_top(struct spec_parser *p, const char *key, yaml_node_t *v, void *arg)
{
	static const char *const context_keys[] = { "size", "fields", NULL };
	static const char *const packet_keys[] = { "min", "max", "headroom", "frame_size", NULL };
	static const char *const kernel_keys[] = { "test_run", "min_packet", "ctx_packet_end", "min_packet_by_ethertype",
						   "l2_header", "ctx_in_only", "sleepable", NULL };
	struct mhse_hook *hook = p->hook;

	(void)arg;
	if (!strcmp(key, "name"))
		return parse_string(p, v, &hook->name);
	if (!strcmp(key, "description"))
		return parse_string(p, v, &hook->description);
	if (!strcmp(key, "module")) {
		int err = parse_string(p, v, &hook->module);

		if (!err && !helper_module_find(hook->module))
			return spec_error(p, v, "unknown module '%s'", hook->module);
		return err;
	}
	if (!strcmp(key, "prog_type")) {
		for (uint32_t t = 0; mhse_prog_type__name(t); t++)
			if (scalar(v) && !strcmp(scalar(v), mhse_prog_type__name(t))) {
				hook->prog_type = t;
				return 0;
			}
		return spec_error(p, v, "unknown prog_type '%s'", scalar(v) ?: "?");
	}
	if (!strcmp(key, "kernel_pointers"))
		return parse_bool(p, v, &hook->kernel_pointers);
	if (!strcmp(key, "input")) {
		const char *s = scalar(v) ?: "";

		if (!strcmp(s, "context"))
			hook->input = HOOK_INPUT_CTX;
		else if (!strcmp(s, "raw_memory"))
			hook->input = HOOK_INPUT_RAW_MEM;
		else
			return spec_error(p, v, "input must be context or raw_memory");
		return 0;
	}
	if (!strcmp(key, "context")) {
		/* size first, whatever the order in the file, so fields can be checked against it */
		for (yaml_node_pair_t *pair = v->type == YAML_MAPPING_NODE ? v->data.mapping.pairs.start : NULL;
		     pair && pair < v->data.mapping.pairs.top; pair++)
			if (!strcmp(scalar(node_at(p, pair->key)) ?: "", "size") &&
			    parse_u32(p, node_at(p, pair->value), &hook->ctx_size))
				return -EINVAL;
		return for_each_pair(p, v, context_keys, visit_context, NULL);
	}
	if (!strcmp(key, "packet"))
		return for_each_pair(p, v, packet_keys, visit_packet, NULL);
	if (!strcmp(key, "kernel"))
		return for_each_pair(p, v, kernel_keys, visit_kernel, NULL);
	if (!strcmp(key, "return"))
		return parse_returns(p, v);
	if (!strcmp(key, "return_outside"))
		return parse_ret_outside(p, v);
	return spec_error(p, v, "a spec lists no helpers: its prog_type says which it may call (core/helper_table.c)");
}

static int check_hook(struct spec_parser *p, yaml_node_t *root)
{
	struct mhse_hook *hook = p->hook;

	if (!hook->name)
		return spec_error(p, root, "missing 'name'");
	if (hook->has_packet && hook->pkt_min > hook->pkt_max)
		return spec_error(p, root, "bad range: packet min %u is above max %u", hook->pkt_min, hook->pkt_max);
	if (hook->has_packet && hook->frame_size && hook->frame_size < hook->headroom + hook->pkt_max)
		return spec_error(p, root, "packet frame_size %u cannot hold headroom %u and max %u", hook->frame_size,
				  hook->headroom, hook->pkt_max);
	if (hook->kernel_ctx_in_only && hook->has_packet)
		return spec_error(p, root, "a kernel test run that takes ctx_in only cannot take a packet");
	if (hook->kernel_l2_ethertype) {
		const struct ctx_field *f = NULL;

		for (size_t i = 0; i < hook->field_cnt && !f; i++)
			if (!strcmp(hook->fields[i].name, hook->kernel_l2_ethertype))
				f = &hook->fields[i];
		if (!f || f->kind != CTX_SCALAR || f->size < 2)
			return spec_error(p, root, "l2_header ethertype '%s' is no scalar context field of 2 bytes or more",
					  hook->kernel_l2_ethertype);
		/* the EtherType sits in bytes 12 and 13 of the header */
		if (hook->kernel_l2_len < 14)
			return spec_error(p, root, "l2_header length %u cannot hold an EtherType", hook->kernel_l2_len);
	}
	return 0;
}

static int parse_spec(struct spec_parser *p, FILE *f)
{
	static const char *const keys[] = { "name", "description", "prog_type", "module", "input", "context",
					    "kernel_pointers", "packet", "return", "return_outside", "helpers", "kernel",
					    NULL };
	yaml_node_t *root;
	int err = yaml_file__read(f, p->path, &p->doc);

	if (err)
		return err;
	root = yaml_document_get_root_node(&p->doc);
	err = root ? for_each_pair(p, root, keys, visit_top, NULL) : spec_error(p, NULL, "empty spec");
	if (!err)
		err = check_hook(p, root);
	yaml_document_delete(&p->doc);
	return err;
}

int mhse_hook_map__load(const char *path, struct hook_map *map)
{
	struct spec_parser p = { .path = path };
	yaml_node_t *root;
	int err;

	*map = (struct hook_map){ 0 };
	err = yaml_file__load(path, &p.doc);
	if (err)
		return err;
	root = yaml_document_get_root_node(&p.doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		err = spec_error(&p, root, "expected a mapping from program names to hooks");
		goto out;
	}
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		const char *prog = scalar(node_at(&p, pair->key)), *hook = scalar(node_at(&p, pair->value));
		char **progs, **hooks;

		if (!prog || !hook) {
			err = spec_error(&p, node_at(&p, pair->key), "expected PROGRAM: HOOK");
			goto out;
		}
		progs = realloc(map->progs, (map->cnt + 1) * sizeof(*progs));
		if (progs)
			map->progs = progs;
		hooks = realloc(map->hooks, (map->cnt + 1) * sizeof(*hooks));
		if (hooks)
			map->hooks = hooks;
		if (!progs || !hooks || !(map->progs[map->cnt] = strdup(prog))) {
			err = -ENOMEM;
			goto out;
		}
		if (!(map->hooks[map->cnt] = strdup(hook))) {
			free(map->progs[map->cnt]);
			err = -ENOMEM;
			goto out;
		}
		map->cnt++;
	}
out:
	yaml_document_delete(&p.doc);
	if (err)
		mhse_hook_map__free(map);
	return err;
}

const char *mhse_hook_map__find(const struct hook_map *map, const char *prog)
{
	for (size_t i = 0; map && i < map->cnt; i++)
		if (!strcmp(map->progs[i], prog))
			return map->hooks[i];
	return NULL;
}

void mhse_hook_map__free(struct hook_map *map)
{
	for (size_t i = 0; i < map->cnt; i++) {
		free(map->progs[i]);
		free(map->hooks[i]);
	}
	free(map->progs);
	free(map->hooks);
	*map = (struct hook_map){ 0 };
}

const char *mhse_hook__spec_dir(void)
{
	const char *dir = getenv("MHSE_SPEC_DIR");

	return dir && *dir ? dir : MHSE_SPEC_DIR;
}

int mhse_hook__load(const char *name_or_path, struct mhse_hook **out)
{
	struct spec_parser p = { 0 };
	char path[4096];
	size_t len = strlen(name_or_path);
	bool is_path = strchr(name_or_path, '/') || (len > 5 && !strcmp(name_or_path + len - 5, ".yaml"));
	FILE *f;
	int err;

	if (is_path)
		snprintf(path, sizeof(path), "%s", name_or_path);
	else
		snprintf(path, sizeof(path), "%s/%s.yaml", mhse_hook__spec_dir(), name_or_path);
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		if (is_path)
			pr_err("%s: cannot open spec: %s\n", path, strerror(errno));
		else
			pr_err("unknown hook '%s': no spec %s (mhse specs lists the known hooks)\n", name_or_path, path);
		return err;
	}
	p.path = path;
	p.hook = calloc(1, sizeof(*p.hook));
	err = p.hook ? parse_spec(&p, f) : -ENOMEM;
	fclose(f);
	if (!err && !(p.hook->path = strdup(path)))
		err = -ENOMEM;
	if (err) {
		mhse_hook__free(p.hook);
		return err;
	}
	*out = p.hook;
	return 0;
}

void mhse_hook__free(struct mhse_hook *hook)
{
	if (!hook)
		return;
	for (size_t i = 0; i < hook->field_cnt; i++)
		free(hook->fields[i].name);
	for (size_t i = 0; i < hook->ret_cnt; i++)
		free(hook->rets[i].name);
	free(hook->fields);
	free(hook->rets);
	free(hook->kernel_l3_min);
	free(hook->kernel_l2_ethertype);
	free(hook->name);
	free(hook->path);
	free(hook->description);
	free(hook->module);
	free(hook);
}

void mhse_hook__select_attach(struct mhse_hook *hook, uint32_t attach_type)
{
	bool known = attach_type < 64;
	uint64_t bit = known ? 1ull << attach_type : 0;
	size_t kept = 0;

	for (size_t i = 0; i < hook->field_cnt; i++) {
		struct ctx_field *f = &hook->fields[i], *same = NULL;

		/* without a named attach type, a field's forms merge into one
		 * that holds the values of every form */
		for (size_t j = 0; !known && j < kept; j++)
			if (hook->fields[j].offset == f->offset && !strcmp(hook->fields[j].name, f->name))
				same = &hook->fields[j];
		if (same) {
			same->min = same->min < f->min ? same->min : f->min;
			same->max = same->max > f->max ? same->max : f->max;
			same->bits |= f->bits;
			same->value_cnt = 0; /* the merged ranges hold every form's values */
			free(f->name);
		} else if (f->attach_mask && known && !(f->attach_mask & bit)) {
			free(f->name);
		} else {
			hook->fields[kept++] = *f;
		}
	}
	hook->field_cnt = kept;
	if (!known)
		return;
	kept = 0;
	for (size_t i = 0; i < hook->ret_cnt; i++) {
		struct hook_ret *r = &hook->rets[i];

		if (r->attach_mask && !(r->attach_mask & bit))
			free(r->name);
		else
			hook->rets[kept++] = *r;
	}
	hook->ret_cnt = kept;
}

const struct ctx_field *mhse_hook__field(const struct mhse_hook *hook, const char *name)
{
	for (size_t i = 0; i < hook->field_cnt; i++)
		if (!strcmp(hook->fields[i].name, name))
			return &hook->fields[i];
	return NULL;
}

const struct ctx_field *mhse_hook__field_at(const struct mhse_hook *hook, uint32_t off, uint32_t size)
{
	for (size_t i = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		if (off < f->offset || off >= f->offset + f->size * f->count)
			continue;
		/* An access must stay within one element of an array field,
		 * or be a wide field's aligned 8 bytes. */
		if ((off - f->offset) % f->size + size > f->size &&
		    !(f->wide && size == 8 && off % 8 == 0 && off + 8 <= f->offset + f->size * f->count))
			return NULL;
		return f;
	}
	return NULL;
}

bool mhse_hook__access_size_ok(const struct ctx_field *f, uint32_t off, uint32_t size, bool write)
{
	if (size == f->size)
		return true;
	if (f->wide && size == 8 && off % 8 == 0)
		return true;
	if (size > f->size)
		return false;
	return write ? f->narrow_write && off % size == 0 : f->narrow;
}
