// SPDX-License-Identifier: MIT
/*
 * `mhse info` and `mhse disasm`: an object described from what the loader
 * made of it.
 *
 * Both read only the loaded object. What a program uses (maps, helpers,
 * kfuncs) is gathered in one pass over its relocated instructions
 * (prog_refs.h). The text form and the JSON form print the same facts
 * through one set of list printers, so they cannot drift apart.
 *
 * The disassembly borrows llvm-objdump -d -S's layout: a label per
 * subprogram and a "; source" line whenever the line changes. Instruction
 * text comes from insn_disasm, which knows indices only; names the object
 * knows are appended in objdump's "<name>" style.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "info.h"
#include "insn.h"
#include "log.h"
#include "prog_refs.h"

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			/* Bytes of unknown encoding stay valid JSON as code points of their value. */
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_string_or_null(FILE *out, const char *s)
{
	if (s)
		json_string(out, s);
	else
		fputs("null", out);
}

/* A list of names: "a, b" in text ("-" when empty), ["a","b"] in JSON,
 * after its label (none when the caller printed its own). */
struct name_list {
	FILE *out;
	bool json;
	size_t cnt;
};

static void list_begin(struct name_list *list, FILE *out, bool json, const char *label)
{
	*list = (struct name_list){ .out = out, .json = json };
	if (!label)
		return;
	if (json)
		fprintf(out, ", \"%s\": [", label);
	else
		fprintf(out, "  %-12s ", label);
}

static void list_add(struct name_list *list, const char *name)
{
	if (list->cnt++)
		fputs(", ", list->out);
	if (list->json)
		json_string(list->out, name);
	else
		fputs(name, list->out);
}

static void list_end(struct name_list *list)
{
	if (list->json)
		fputc(']', list->out);
	else
		fputs(list->cnt ? "\n" : "-\n", list->out);
}

static void print_refs(const struct mhse_object *obj, const struct mhse_prog *prog, const struct prog_refs *refs,
		       FILE *out, bool json)
{
	struct name_list list;
	char unknown[24];

	list_begin(&list, out, json, "subprograms");
	for (size_t i = 1; i < prog->subprog_cnt; i++)
		list_add(&list, prog->subprogs[i].name);
	list_end(&list);
	list_begin(&list, out, json, "maps");
	for (size_t i = 0; i < obj->map_cnt; i++)
		if (refs->maps[i])
			list_add(&list, obj->maps[i].name);
	list_end(&list);
	list_begin(&list, out, json, "helpers");
	for (size_t i = 0; i < refs->helper_cnt; i++) {
		const char *name = helper_name(refs->helpers[i]);

		snprintf(unknown, sizeof(unknown), "#%" PRId32, refs->helpers[i]);
		list_add(&list, name ? name : unknown);
	}
	list_end(&list);
	list_begin(&list, out, json, "kfuncs");
	for (size_t i = 0; i < obj->extern_cnt; i++)
		if (refs->kfuncs[i])
			list_add(&list, obj->externs[i].name);
	list_end(&list);
}

static void print_prog(const struct mhse_object *obj, const struct mhse_prog *prog, FILE *out, bool json)
{
	const char *type = mhse_prog_type__name(prog->type);
	bool retprobe = prog->hook && !strcmp(prog->hook, "kretprobe");
	struct prog_refs refs;

	if (prog_refs__collect(obj, prog, &refs)) {
		prog_refs__free(&refs);
		pr_err("%s: out of memory describing program %s\n", obj->path, prog->name);
		return;
	}
	if (json) {
		fputs("{\"name\": ", out);
		json_string(out, prog->name);
		fputs(", \"section\": ", out);
		json_string(out, prog->section);
		fputs(", \"hook\": ", out);
		json_string_or_null(out, prog->hook);
		fputs(", \"hook_rule\": ", out);
		json_string_or_null(out, mhse_hook_rule__name(prog->hook_rule));
		fputs(", \"hook_why\": ", out);
		json_string_or_null(out, prog->hook_why);
		fputs(", \"type\": ", out);
		json_string_or_null(out, type);
		fprintf(out, ", \"type_id\": %" PRIu32 ", \"attach_type\": %" PRIu32 ", \"retprobe\": %s", prog->type,
			prog->expected_attach_type, retprobe ? "true" : "false");
		fprintf(out, ", \"insn_cnt\": %zu, \"entry_insn_cnt\": %zu", prog->insn_cnt,
			prog->subprog_cnt ? prog->subprogs[0].cnt : prog->insn_cnt);
	} else {
		fprintf(out, "\nprogram %s\n  %-12s %s\n", prog->name, "section", prog->section);
		fprintf(out, "  %-12s %s%s\n", "hook", prog->hook ? prog->hook : "unknown",
			retprobe ? " (return probe)" : "");
		fprintf(out, "  %-12s %s: %s\n", "hook rule", mhse_hook_rule__name(prog->hook_rule) ?: "none",
			prog->hook_why ?: "-");
		if (type)
			fprintf(out, "  %-12s %s\n", "type", type);
		else
			fprintf(out, "  %-12s %" PRIu32 "\n", "type", prog->type);
		fprintf(out, "  %-12s %zu\n", "insns", prog->insn_cnt);
	}
	print_refs(obj, prog, &refs, out, json);
	if (json)
		fputc('}', out);
	prog_refs__free(&refs);
}

static void print_map(const struct mhse_object *obj, const struct mhse_map *map, FILE *out, bool json)
{
	const char *type = mhse_map_type__name(map->type);
	const char *inner = map->inner >= 0 && (size_t)map->inner < obj->map_cnt ? obj->maps[map->inner].name : NULL;

	if (json) {
		fputs("{\"name\": ", out);
		json_string(out, map->name);
		fputs(", \"section\": ", out);
		json_string(out, map->section);
		fputs(", \"type\": ", out);
		json_string_or_null(out, type);
		fprintf(out,
			", \"type_id\": %" PRIu32 ", \"key_size\": %" PRIu32 ", \"value_size\": %" PRIu32
			", \"max_entries\": %" PRIu32 ", \"max_entries_default\": %s, \"flags\": %" PRIu32 ", \"inner\": ",
			map->type, map->key_size, map->value_size, map->max_entries,
			map->max_entries_default ? "true" : "false", map->map_flags);
		json_string_or_null(out, inner);
		fputc('}', out);
		return;
	}
	fprintf(out, "\nmap %s\n", map->name);
	if (type)
		fprintf(out, "  %-12s %s\n", "type", type);
	else
		fprintf(out, "  %-12s %" PRIu32 "\n", "type", map->type);
	fprintf(out, "  %-12s %" PRIu32 " / %" PRIu32 " bytes\n", "key/value", map->key_size, map->value_size);
	fprintf(out, "  %-12s %" PRIu32 "%s\n", "max_entries", map->max_entries,
		map->max_entries_default ? " (0 in the object: default)" : "");
	fprintf(out, "  %-12s 0x%" PRIx32 "\n", "flags", map->map_flags);
	if (inner)
		fprintf(out, "  %-12s %s\n", "inner", inner);
}

static void print_extern_json(const struct mhse_extern *ext, FILE *out)
{
	fputs("{\"name\": ", out);
	json_string(out, ext->name);
	fprintf(out, ", \"kconfig\": %s, \"ksym\": %s, \"func\": %s, \"bound\": %s, \"value\": %" PRIu64 "}",
		ext->kconfig ? "true" : "false", ext->ksym ? "true" : "false", ext->func ? "true" : "false",
		ext->bound ? "true" : "false", ext->value);
}

/* How the object's CO-RE relocations came out, and against which BTF. */
static void print_core(const struct mhse_object *obj, FILE *out, bool json)
{
	size_t resolved = obj->core_relo_cnt - obj->core_poisoned_cnt;

	if (json) {
		fprintf(out, ",\n \"core_relos\": {\"records\": %zu, \"resolved\": %zu, \"poisoned\": %zu, \"target\": ",
			obj->core_relo_cnt, resolved, obj->core_poisoned_cnt);
		json_string_or_null(out, obj->core_target);
		fputc('}', out);
		return;
	}
	if (obj->core_relo_cnt || obj->core_target)
		fprintf(out, "CO-RE relocations: %zu, %zu resolved, %zu poisoned, against %s\n", obj->core_relo_cnt,
			resolved, obj->core_poisoned_cnt, obj->core_target ? obj->core_target : "the object's own BTF");
}

void mhse_object__print_info(const struct mhse_object *obj, FILE *out, bool json)
{
	struct name_list list;

	if (json) {
		fputs("{\"object\": ", out);
		json_string(out, obj->path);
		fputs(", \"license\": ", out);
		json_string(out, obj->license);
		fprintf(out, ", \"kern_version\": %" PRIu32, obj->kern_version);
		print_core(obj, out, true);
		fputs(",\n \"programs\": [", out);
		for (size_t i = 0; i < obj->prog_cnt; i++) {
			fputs(i ? ",\n  " : "\n  ", out);
			print_prog(obj, &obj->progs[i], out, true);
		}
		fputs("],\n \"maps\": [", out);
		for (size_t i = 0; i < obj->map_cnt; i++) {
			fputs(i ? ",\n  " : "\n  ", out);
			print_map(obj, &obj->maps[i], out, true);
		}
		fputs("],\n \"externs\": [", out);
		for (size_t i = 0; i < obj->extern_cnt; i++) {
			fputs(i ? ",\n  " : "\n  ", out);
			print_extern_json(&obj->externs[i], out);
		}
		fputs("]}\n", out);
		return;
	}
	fprintf(out, "object %s: license \"%s\", %zu programs, %zu maps, %zu externs\n", obj->path, obj->license,
		obj->prog_cnt, obj->map_cnt, obj->extern_cnt);
	print_core(obj, out, false);
	for (size_t i = 0; i < obj->prog_cnt; i++)
		print_prog(obj, &obj->progs[i], out, false);
	for (size_t i = 0; i < obj->map_cnt; i++)
		print_map(obj, &obj->maps[i], out, false);
	fputs("\nunbound externs: ", out);
	list_begin(&list, out, false, NULL);
	for (size_t i = 0; i < obj->extern_cnt; i++)
		if (!obj->externs[i].bound)
			list_add(&list, obj->externs[i].name);
	list_end(&list);
}

/* The subprogram starting at instruction idx, or NULL. */
static const struct mhse_subprog *subprog_at(const struct mhse_prog *prog, int64_t idx)
{
	for (size_t i = 0; i < prog->subprog_cnt; i++)
		if ((int64_t)prog->subprogs[i].start == idx)
			return &prog->subprogs[i];
	return NULL;
}

/* The name an instruction refers to by index, or NULL. */
static const char *insn_ref_name(const struct mhse_object *obj, const struct mhse_prog *prog, size_t idx)
{
	const struct bpf_insn *insn = &prog->insns[idx];
	const struct mhse_subprog *target;
	uint32_t imm = (uint32_t)insn->imm;

	if (mhse_prog__poisoned(prog, idx))
		return mhse_prog__poisoned(prog, idx);
	if (insn_is_ld_imm64(insn)) {
		switch (insn->src_reg) {
		case MHSE_PSEUDO_MAP_IDX:
		case MHSE_PSEUDO_MAP_IDX_VALUE:
			return imm < obj->map_cnt ? obj->maps[imm].name : NULL;
		case MHSE_PSEUDO_EXTERN:
			return imm < obj->extern_cnt ? obj->externs[imm].name : NULL;
		case MHSE_PSEUDO_FUNC:
			break;
		default:
			return NULL;
		}
	} else if (!insn_is_call(insn) || (insn->src_reg != BPF_PSEUDO_CALL && insn->src_reg != BPF_PSEUDO_KFUNC_CALL)) {
		return NULL;
	} else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		return imm < obj->extern_cnt ? obj->externs[imm].name : NULL;
	}
	target = subprog_at(prog, (int64_t)idx + insn->imm + 1);
	return target ? target->name : NULL;
}

void mhse_prog__print_disasm(const struct mhse_object *obj, const struct mhse_prog *prog, FILE *out)
{
	const struct mhse_line *shown = NULL;
	char text[128];

	fprintf(out, "Disassembly of program %s (section %s):\n", prog->name, prog->section);
	for (size_t idx = 0; idx < prog->insn_cnt;) {
		const struct mhse_subprog *sub = subprog_at(prog, (int64_t)idx);
		const struct mhse_line *line = mhse_prog__line(obj, prog, idx);
		const char *ref = insn_ref_name(obj, prog, idx);
		size_t slots = insn_disasm(prog->insns, prog->insn_cnt, idx, text, sizeof(text));

		if (sub)
			fprintf(out, "\n%s:\n", sub->name);
		/* Line 0 marks compiler-made code that belongs to no source line. */
		if (line && line->line &&
		    (!shown || shown->line != line->line || strcmp(shown->file, line->file) != 0)) {
			if (line->text[0])
				fprintf(out, "; %s\n", line->text);
			else
				fprintf(out, "; %s:%" PRIu32 "\n", line->file, line->line);
			shown = line;
		}
		fprintf(out, "%7zu:\t%s%s%s%s\n", idx, text, ref ? " <" : "", ref ? ref : "", ref ? ">" : "");
		idx += slots ? slots : 1;
	}
}
