// SPDX-License-Identifier: MIT
/*
 * An object's .BTF and .BTF.ext: what the loader learns from type info.
 *
 * .BTF is parsed by libbpf (btf__new); its messages are passed on to mhse's
 * log at debug level, since the loader reports the failure itself in one
 * line. libbpf checks the section's layout but not what types refer to, so
 * every type id and string offset here is looked up through btf__type_by_id
 * and btf__name_by_offset, which check bounds, and chains of modifiers are
 * followed a bounded number of steps (a corrupted file may loop).
 *
 * .BTF.ext is parsed here, since libbpf does not export its parser: a
 * header, then three subsections (func_info, line_info, core_relo) of the
 * same shape, a record size followed by per-section blocks of records. In an
 * object file a record's insn_off counts bytes from its section's start.
 * Line info becomes obj->lines plus, per executable section, a table from
 * instruction to line; CO-RE records are handed to core_relo.c, which
 * resolves them.
 *
 * Map definitions in SEC(".maps") are BTF variables of anonymous struct
 * types whose members encode each attribute in a pointer type: type,
 * max_entries, ... as int (*name)[N]; key and value as pointers to the
 * types; values as a zero-length array of pointers to the inner map's
 * definition or to a function prototype (program arrays).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "object.h"

#define BTF_EXT_MAGIC 0xeB9F
#define MAX_MODIFIER_CHAIN 32

static int forward_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char msg[512];

	(void)level;
	vsnprintf(msg, sizeof(msg), fmt, args);
	mhse_log(MHSE_LOG_DEBUG, "libbpf: %s", msg);
	return 0;
}

int mhse_btf__load_file(const char *path, struct btf **btf)
{
	libbpf_print_fn_t old_print = libbpf_set_print(forward_libbpf_log);
	int err;

	*btf = btf__parse(path, NULL);
	err = *btf ? 0 : -errno;
	libbpf_set_print(old_print);
	if (err) {
		pr_err("%s: no BTF to read (%s)\n", path, strerror(-err));
		*btf = NULL;
	}
	return err;
}

int mhse_btf__load(struct mhse_object *obj, const char *file, const void *data, size_t size)
{
	libbpf_print_fn_t old_print;
	struct btf *btf;

	if (size > UINT32_MAX) {
		pr_err("%s: .BTF section is larger than 4 GiB\n", file);
		return -EINVAL;
	}
	old_print = libbpf_set_print(forward_libbpf_log);
	btf = btf__new(data, (uint32_t)size);
	libbpf_set_print(old_print);
	if (!btf) {
		pr_err("%s: .BTF section is malformed (%s)\n", file, strerror(errno));
		return -EINVAL;
	}
	obj->btf = btf;
	return 0;
}

/* One subsection of .BTF.ext, walked block by block. */
struct ext_subsec {
	const char *what; /* "func_info", ... for messages */
	const uint8_t *pos, *end;
	uint32_t rec_size;
};

struct ext_block {
	const char *sec_name;
	uint32_t cnt;
	const uint8_t *recs;
};

static int ext_subsec_init(struct ext_subsec *sub, const char *file, const char *what, const uint8_t *base,
			   size_t avail, uint32_t off, uint32_t len, uint32_t min_rec_size)
{
	sub->what = what;
	sub->pos = sub->end = NULL;
	if (!len)
		return 0;
	if ((uint64_t)off + len > avail) {
		pr_err("%s: .BTF.ext %s lies beyond the section\n", file, what);
		return -EINVAL;
	}
	if (len < sizeof(uint32_t)) {
		pr_err("%s: .BTF.ext %s has no record size\n", file, what);
		return -EINVAL;
	}
	sub->rec_size = mhse_le32(base + off);
	if (sub->rec_size < min_rec_size || sub->rec_size % 4) {
		pr_err("%s: .BTF.ext %s record size %u is invalid\n", file, what, sub->rec_size);
		return -EINVAL;
	}
	sub->pos = base + off + sizeof(uint32_t);
	sub->end = base + off + len;
	return 0;
}

/* Returns 1 with the next block, 0 at the end, or -EINVAL. */
static int ext_subsec_next(struct ext_subsec *sub, const struct btf *btf, const char *file, struct ext_block *block)
{
	size_t left;

	if (!sub->pos)
		return 0;
	left = (size_t)(sub->end - sub->pos);
	if (!left)
		return 0;
	if (left < 2 * sizeof(uint32_t)) {
		pr_err("%s: .BTF.ext %s ends in a truncated block header\n", file, sub->what);
		return -EINVAL;
	}
	block->sec_name = btf__name_by_offset(btf, mhse_le32(sub->pos));
	block->cnt = mhse_le32(sub->pos + sizeof(uint32_t));
	block->recs = sub->pos + 2 * sizeof(uint32_t);
	left -= 2 * sizeof(uint32_t);
	if (!block->sec_name || !block->cnt || block->cnt > left / sub->rec_size) {
		pr_err("%s: .BTF.ext %s has a malformed block\n", file, sub->what);
		return -EINVAL;
	}
	sub->pos = block->recs + (size_t)block->cnt * sub->rec_size;
	return 1;
}

static struct mhse_code_sec *code_sec_by_name(struct mhse_code_sec *secs, size_t cnt, const char *name)
{
	for (size_t i = 0; i < cnt; i++)
		if (strcmp(secs[i].name, name) == 0)
			return &secs[i];
	return NULL;
}

static int add_line(struct mhse_object *obj, size_t *cap, const struct mhse_line *line)
{
	if (obj->line_cnt == *cap) {
		size_t new_cap = *cap ? *cap * 2 : 64;
		struct mhse_line *lines = realloc(obj->lines, new_cap * sizeof(*lines));

		if (!lines)
			return -ENOMEM;
		obj->lines = lines;
		*cap = new_cap;
	}
	obj->lines[obj->line_cnt++] = *line;
	return 0;
}

static int parse_line_block(struct mhse_object *obj, const char *file, const struct ext_subsec *sub,
			    const struct ext_block *block, struct mhse_code_sec *sec, size_t *cap)
{
	if (!sec->line_at) {
		sec->line_at = malloc((sec->insn_cnt ? sec->insn_cnt : 1) * sizeof(*sec->line_at));
		if (!sec->line_at)
			return -ENOMEM;
		for (size_t i = 0; i < sec->insn_cnt; i++)
			sec->line_at[i] = -1;
	}
	for (uint32_t i = 0; i < block->cnt; i++) {
		const uint8_t *rec = block->recs + (size_t)i * sub->rec_size;
		uint32_t insn_off = mhse_le32(rec), line_col = mhse_le32(rec + 12);
		struct mhse_line line = {
			.file = btf__name_by_offset(obj->btf, mhse_le32(rec + 4)),
			.text = btf__name_by_offset(obj->btf, mhse_le32(rec + 8)),
			.line = line_col >> 10,
			.col = line_col & 0x3ff,
		};
		int err;

		if (insn_off % sizeof(struct bpf_insn) || insn_off / sizeof(struct bpf_insn) >= sec->insn_cnt) {
			pr_err("%s: .BTF.ext line info for %s names byte %u, not an instruction of the section\n",
			       file, sec->name, insn_off);
			return -EINVAL;
		}
		if (!line.file || !line.text) {
			pr_err("%s: .BTF.ext line info for %s names a string beyond .BTF's strings\n", file,
			       sec->name);
			return -EINVAL;
		}
		if (obj->line_cnt >= INT32_MAX) {
			pr_err("%s: .BTF.ext has more line info than mhse indexes\n", file);
			return -E2BIG;
		}
		err = add_line(obj, cap, &line);
		if (err)
			return err;
		sec->line_at[insn_off / sizeof(struct bpf_insn)] = (int32_t)(obj->line_cnt - 1);
	}
	return 0;
}

static int parse_core_block(struct mhse_object *obj, const struct ext_subsec *sub,
			    const struct ext_block *block, size_t sec, struct mhse_core_rec **core, size_t *core_cnt)
{
	struct mhse_core_rec *recs = realloc(*core, (*core_cnt + block->cnt) * sizeof(*recs));

	if (!recs)
		return -ENOMEM;
	*core = recs;
	for (uint32_t i = 0; i < block->cnt; i++) {
		const uint8_t *rec = block->recs + (size_t)i * sub->rec_size;

		recs[(*core_cnt)++] = (struct mhse_core_rec){
			.sec = sec,
			.relo = { .insn_off = mhse_le32(rec), .type_id = mhse_le32(rec + 4),
				  .access_str_off = mhse_le32(rec + 8), .kind = mhse_le32(rec + 12) },
		};
	}
	obj->core_relo_cnt += block->cnt;
	return 0;
}

int mhse_btf_ext__parse(struct mhse_object *obj, const char *file, const void *data, size_t size,
			struct mhse_code_sec *secs, size_t sec_cnt, struct mhse_core_rec **core, size_t *core_cnt)
{
	/* Offsets of the header's fields (struct btf_ext_header is libbpf's private type). */
	enum { HDR_LEN = 4, FUNC_OFF = 8, FUNC_LEN = 12, LINE_OFF = 16, LINE_LEN = 20, CORE_OFF = 24, CORE_LEN = 28 };
	const uint8_t *raw = data;
	struct ext_subsec func, line, core_sub;
	struct ext_block block;
	uint32_t hdr_len;
	size_t line_cap = 0;
	int err;

	if (!obj->btf) {
		pr_err("%s: .BTF.ext without .BTF\n", file);
		return -EINVAL;
	}
	if (size < CORE_OFF || (raw[0] | raw[1] << 8) != BTF_EXT_MAGIC) {
		pr_err("%s: .BTF.ext has no valid header\n", file);
		return -EINVAL;
	}
	hdr_len = mhse_le32(raw + HDR_LEN);
	if (hdr_len < CORE_OFF || hdr_len > size) {
		pr_err("%s: .BTF.ext header length %u is invalid\n", file, hdr_len);
		return -EINVAL;
	}
	err = ext_subsec_init(&func, file, "func_info", raw + hdr_len, size - hdr_len, mhse_le32(raw + FUNC_OFF),
			      mhse_le32(raw + FUNC_LEN), sizeof(struct bpf_func_info));
	err = err ?: ext_subsec_init(&line, file, "line_info", raw + hdr_len, size - hdr_len,
				     mhse_le32(raw + LINE_OFF), mhse_le32(raw + LINE_LEN),
				     sizeof(struct bpf_line_info));
	/* The core_relo fields are optional: older compilers wrote a 24-byte header. */
	err = err ?: ext_subsec_init(&core_sub, file, "core_relo", raw + hdr_len, size - hdr_len,
				     hdr_len >= CORE_LEN + 4 ? mhse_le32(raw + CORE_OFF) : 0,
				     hdr_len >= CORE_LEN + 4 ? mhse_le32(raw + CORE_LEN) : 0,
				     sizeof(struct bpf_core_relo));
	if (err)
		return err;

	/* func_info is only checked: mhse takes functions from the symbol table. */
	while ((err = ext_subsec_next(&func, obj->btf, file, &block)) > 0)
		;
	while (!err && (err = ext_subsec_next(&line, obj->btf, file, &block)) > 0) {
		struct mhse_code_sec *sec = code_sec_by_name(secs, sec_cnt, block.sec_name);

		/* Line info of a section that holds no code is of no use; skip it. */
		err = sec ? parse_line_block(obj, file, &line, &block, sec, &line_cap) : 0;
	}
	while (!err && (err = ext_subsec_next(&core_sub, obj->btf, file, &block)) > 0) {
		struct mhse_code_sec *sec = code_sec_by_name(secs, sec_cnt, block.sec_name);

		if (!sec) {
			pr_err("%s: .BTF.ext has CO-RE relocations for %s, which holds no code\n", file, block.sec_name);
			return -EINVAL;
		}
		err = parse_core_block(obj, &core_sub, &block, (size_t)(sec - secs), core, core_cnt);
	}
	return err;
}

const struct btf_type *mhse_btf__skip_mods(const struct btf *btf, uint32_t id, uint32_t *res_id)
{
	for (int depth = 0; depth < MAX_MODIFIER_CHAIN; depth++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return NULL;
		if (!btf_is_mod(t) && !btf_is_typedef(t)) {
			if (res_id)
				*res_id = id;
			return t;
		}
		id = t->type;
	}
	return NULL;
}

/* An int attribute: __uint(name, N) is int (*name)[N]. */
static int map_field_int(const struct btf *btf, const struct btf_member *m, uint32_t *val)
{
	const struct btf_type *t = mhse_btf__skip_mods(btf, m->type, NULL);
	const struct btf_type *arr;

	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	arr = btf__type_by_id(btf, t->type);
	if (!arr || !btf_is_array(arr))
		return -EINVAL;
	*val = btf_array(arr)->nelems;
	return 0;
}

/* key or value: __type(key, T) is T *key. */
static int map_field_type(const struct btf *btf, const struct btf_member *m, uint32_t *size, uint32_t *type_id)
{
	const struct btf_type *t = btf__type_by_id(btf, m->type);
	__s64 sz;

	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	sz = btf__resolve_size(btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return -EINVAL;
	if (*size && *size != sz)
		return -EINVAL;
	*size = (uint32_t)sz;
	*type_id = t->type;
	return 0;
}

static int parse_map_def(const struct btf *btf, const struct btf_type *def_t, struct mhse_btf_map *map,
			 struct mhse_btf_map_def *def, bool inner, const char **bad_field);

/* __array(values, T): T *values[], where T is the inner map's definition or
 * a function prototype (a program array). */
static int map_field_values(const struct btf *btf, const struct btf_member *m, struct mhse_btf_map *map,
			    const char **bad_field)
{
	const struct btf_type *t = btf__type_by_id(btf, m->type);

	if (!t || !btf_is_array(t) || btf_array(t)->nelems)
		return -EINVAL;
	t = mhse_btf__skip_mods(btf, btf_array(t)->type, NULL);
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = mhse_btf__skip_mods(btf, t->type, NULL);
	if (!t)
		return -EINVAL;
	if (map->def.type == BPF_MAP_TYPE_PROG_ARRAY)
		return btf_is_func_proto(t) ? 0 : -EINVAL;
	if (!btf_is_struct(t) || (map->def.type != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
				  map->def.type != BPF_MAP_TYPE_HASH_OF_MAPS))
		return -EINVAL;
	map->has_inner = true;
	return parse_map_def(btf, t, map, &map->inner, true, bad_field);
}

static int parse_map_def(const struct btf *btf, const struct btf_type *def_t, struct mhse_btf_map *map,
			 struct mhse_btf_map_def *def, bool inner, const char **bad_field)
{
	const struct btf_member *m = btf_members(def_t);

	for (int i = 0; i < btf_vlen(def_t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		int err = 0;

		*bad_field = name ? name : "?";
		if (!name)
			return -EINVAL;
		if (strcmp(name, "type") == 0)
			err = map_field_int(btf, m, &def->type);
		else if (strcmp(name, "max_entries") == 0)
			err = map_field_int(btf, m, &def->max_entries);
		else if (strcmp(name, "map_flags") == 0)
			err = map_field_int(btf, m, &def->map_flags);
		else if (strcmp(name, "numa_node") == 0)
			err = map_field_int(btf, m, &def->numa_node);
		else if (strcmp(name, "pinning") == 0)
			err = map_field_int(btf, m, &def->pinning);
		else if (strcmp(name, "key_size") == 0 || strcmp(name, "value_size") == 0) {
			uint32_t *size = name[0] == 'k' ? &def->key_size : &def->value_size, val = 0;

			err = map_field_int(btf, m, &val);
			if (!err && *size && *size != val)
				err = -EINVAL;
			*size = val;
		} else if (strcmp(name, "key") == 0)
			err = map_field_type(btf, m, &def->key_size, &def->key_type_id);
		else if (strcmp(name, "value") == 0)
			err = map_field_type(btf, m, &def->value_size, &def->value_type_id);
		else if (strcmp(name, "values") == 0 && !inner) {
			/* Slots hold 4-byte ids of programs or maps. */
			if (def->value_size && def->value_size != 4)
				return -EINVAL;
			def->value_size = 4;
			map->has_values = true;
			map->values_off = btf_member_bit_offset(def_t, i) / 8;
			err = map_field_values(btf, m, map, bad_field);
		}
		/* Other members (map_extra, a future attribute) change nothing mhse models. */
		if (err)
			return err;
	}
	return 0;
}

int mhse_btf__maps(const struct mhse_object *obj, const char *file, struct mhse_btf_map **maps, size_t *cnt)
{
	const struct btf_type *sec;
	const struct btf_var_secinfo *vi;
	struct mhse_btf_map *out;
	__s32 sec_id;

	*maps = NULL;
	*cnt = 0;
	if (!obj->btf) {
		pr_err("%s: .maps section without .BTF to describe it\n", file);
		return -EINVAL;
	}
	sec_id = btf__find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC);
	sec = sec_id > 0 ? btf__type_by_id(obj->btf, sec_id) : NULL;
	if (!sec) {
		pr_err("%s: .maps section has no DATASEC in .BTF\n", file);
		return -EINVAL;
	}
	out = calloc(btf_vlen(sec) ? btf_vlen(sec) : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	vi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *var = btf__type_by_id(obj->btf, vi->type), *def_t;
		struct mhse_btf_map *map = &out[i];
		const char *bad_field = NULL;

		map->name = var && btf_is_var(var) ? btf__name_by_offset(obj->btf, var->name_off) : NULL;
		if (!map->name || !map->name[0]) {
			pr_err("%s: .maps variable #%d has no name in .BTF\n", file, i);
			goto err_out;
		}
		def_t = mhse_btf__skip_mods(obj->btf, var->type, NULL);
		if (!def_t || !btf_is_struct(def_t)) {
			pr_err("%s: map '%s' is not defined by a struct in .BTF\n", file, map->name);
			goto err_out;
		}
		map->size = def_t->size;
		if (parse_map_def(obj->btf, def_t, map, &map->def, false, &bad_field)) {
			pr_err("%s: map '%s' has a malformed '%s' attribute\n", file, map->name, bad_field);
			goto err_out;
		}
	}
	*maps = out;
	*cnt = btf_vlen(sec);
	return 0;
err_out:
	free(out);
	return -EINVAL;
}

/* The alignment of a kconfig value of type id: integers, enums and arrays of
 * them, the types libbpf accepts for kconfig; 0 for anything else. (libbpf's
 * btf__align_of trusts the type ids it follows.) */
static uint32_t kconfig_align(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = mhse_btf__skip_mods(btf, id, NULL);

	for (int depth = 0; t && btf_is_array(t) && depth < MAX_MODIFIER_CHAIN; depth++)
		t = mhse_btf__skip_mods(btf, btf_array(t)->type, NULL);
	if (!t || !(btf_is_int(t) || btf_is_any_enum(t)) || !t->size)
		return 0;
	return t->size < 8 ? t->size : 8;
}

/* A kconfig extern's place in libbpf's layout of the .kconfig map. */
struct kconfig_slot {
	struct mhse_extern *ext;
	uint32_t align;
};

/* libbpf's order: alignment descending, then size ascending, then name. */
static int cmp_kconfig_slot(const void *a, const void *b)
{
	const struct kconfig_slot *x = a, *y = b;

	if (x->align != y->align)
		return x->align > y->align ? -1 : 1;
	if (x->ext->size != y->ext->size)
		return x->ext->size < y->ext->size ? -1 : 1;
	return strcmp(x->ext->name, y->ext->name);
}

static int classify_datasec(struct mhse_object *obj, const char *file, const char *sec_name,
			    struct kconfig_slot *kconfig, size_t *kconfig_cnt)
{
	__s32 sec_id = btf__find_by_name_kind(obj->btf, sec_name, BTF_KIND_DATASEC);
	const struct btf_type *sec = sec_id > 0 ? btf__type_by_id(obj->btf, sec_id) : NULL;
	const struct btf_var_secinfo *vi;

	if (!sec)
		return 0;
	vi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *t = btf__type_by_id(obj->btf, vi->type);
		const char *name = t ? btf__name_by_offset(obj->btf, t->name_off) : NULL;
		int idx = name ? mhse_object__find_extern(obj, name) : -1;
		struct mhse_extern *ext;
		uint32_t align;
		__s64 size;

		/* A DATASEC entry with no symbol behind it: nothing refers to it. */
		if (idx < 0)
			continue;
		ext = &obj->externs[idx];
		if (!kconfig) {
			ext->ksym = true;
			ext->func |= btf_is_func(t);
			/* libbpf gives a weak kernel symbol the kernel lacks 0, and
			 * the kernel mhse models has none (a kfunc's existence check
			 * takes the program's fallback) */
			if (ext->weak && !ext->bound) {
				ext->bound = true;
				ext->value = 0;
			}
			continue;
		}
		size = btf_is_var(t) ? btf__resolve_size(obj->btf, t->type) : -EINVAL;
		align = btf_is_var(t) ? kconfig_align(obj->btf, t->type) : 0;
		if (size <= 0 || size > UINT16_MAX || !align) {
			pr_err("%s: kconfig extern '%s' has no integer, enum or array type in .BTF\n", file, name);
			return -EINVAL;
		}
		/* A name listed twice in .kconfig gets one slot. */
		if (ext->kconfig)
			continue;
		ext->kconfig = true;
		ext->size = (uint32_t)size;
		kconfig[(*kconfig_cnt)++] = (struct kconfig_slot){ .ext = ext, .align = align };
	}
	return 0;
}

int mhse_btf__classify_externs(struct mhse_object *obj, const char *file, uint32_t *kconfig_size)
{
	struct kconfig_slot *kconfig;
	size_t kconfig_cnt = 0;
	uint32_t off = 0;
	int err;

	*kconfig_size = 0;
	if (!obj->btf || !obj->extern_cnt)
		return 0;
	kconfig = calloc(obj->extern_cnt, sizeof(*kconfig));
	if (!kconfig)
		return -ENOMEM;
	err = classify_datasec(obj, file, ".kconfig", kconfig, &kconfig_cnt);
	err = err ?: classify_datasec(obj, file, ".ksyms", NULL, NULL);
	qsort(kconfig, kconfig_cnt, sizeof(*kconfig), cmp_kconfig_slot);
	for (size_t i = 0; !err && i < kconfig_cnt; i++) {
		off = (off + kconfig[i].align - 1) / kconfig[i].align * kconfig[i].align;
		kconfig[i].ext->map_off = off;
		off += kconfig[i].ext->size;
	}
	*kconfig_size = off;
	free(kconfig);
	return err;
}
