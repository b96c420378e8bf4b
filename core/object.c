// SPDX-License-Identifier: MIT
/*
 * The ELF loader: a clang-built BPF object in, self-contained programs with
 * resolved maps, global data and externs out (see object.h for the result).
 *
 * The input is untrusted. libelf parses the ELF and section headers; every
 * offset, size and index it hands over (section ranges, string offsets,
 * symbol and section indices, relocation offsets) is checked against the
 * image before use, and contents are read from a private copy of the image
 * with memcpy, so neither a truncated file nor an unaligned table can make
 * the loader read out of bounds. Anything inconsistent is reported as one
 * line "FILE: what is wrong" and fails with -EINVAL.
 *
 * Loading goes in passes over tables built once, so that the cost grows with
 * the object's size, not with products of its symbols, relocations and
 * instructions:
 *  1. sections: classified by name and type;
 *  2. symbols: read into an array; undefined globals become externs;
 *  3. BTF: .BTF parsed, externs classified (.kconfig, .ksyms);
 *  4. maps: SEC(".maps") from BTF, SEC("maps") in libbpf's or iproute2's
 *     layout, global data sections, and a ".kconfig" map holding kconfig
 *     externs the way libbpf lays them out; a table of (section, offset) ->
 *     map serves symbol lookups;
 *  5. functions: every executable section is cut into functions at its
 *     function symbols; entry functions (all but those of .text, unless
 *     nothing else holds code) are the programs;
 *  6. relocations: applied in place to each section's copy of its
 *     instructions; calls and function references only record the target
 *     function, since their offsets depend on where each program places it;
 *  7. .BTF.ext: line info per section instruction, and CO-RE relocations
 *     resolved and patched into each section's instructions (core_relo.c)
 *     against the object's .BTF or the --btf target;
 *  8. programs: the entry function, then every function it reaches through
 *     calls or function references, appended in discovery order (libbpf's
 *     layout), with pc-relative offsets set for that layout;
 *  9. initial slots: map-in-map and program array initialisers of .maps
 *     (relocations of .maps), and iproute2's conventions (inner maps by id,
 *     tail-called programs in sections named "ID/KEY").
 *
 * An object file's .BTF leaves the offsets of DATASEC variables 0 (libbpf
 * fixes them up from the symbol table before use); maps in .maps are placed
 * by their symbols here likewise.
 *
 * Maps whose max_entries is 0 in the object (sized by a user-space loader)
 * get a default: opts->default_max_entries if given, else 1 for perf event
 * arrays (mhse models one CPU, so index BPF_F_CURRENT_CPU is slot 0), 256 KiB
 * for ring buffers and DEFAULT_MAX_ENTRIES for anything else. Local storage
 * maps keep 0, which is what the kernel requires of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "core_relo.h"
#include "insn.h"
#include "log.h"
#include "maps.h"
#include "object.h"
#include "reach.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#define R_BPF_NONE 0

#define DEFAULT_MAX_ENTRIES 1024
#define DEFAULT_RINGBUF_BYTES (4096 * 64)
#define PERF_EVENT_ARRAY_CPUS 1
/* NOBITS sections have no bytes in the file to bound their size; a larger
 * one is taken for corruption rather than allocated. */
#define MAX_BSS_BYTES (256u << 20)
/* A legacy map-in-map's slot index is a plain number in the definition; the
 * bound keeps a corrupted one from sizing a huge slot table. */
#define MAX_LEGACY_SLOT (1u << 16)
#define BPF_MAP_DEF_MIN_SIZE 20 /* libbpf's struct bpf_map_def without inner_map_idx and numa_node */
#define BPF_ELF_MAP_SIZE 36     /* iproute2's struct bpf_elf_map */
#define LEGACY_NO_SLOT 0xffffffffu /* iproute2's inner_idx for "do not insert" */

enum sec_kind {
	SEC_OTHER,       /* debug info, loader metadata: nothing to load */
	SEC_CODE,        /* executable instructions */
	SEC_MAPS_BTF,    /* .maps */
	SEC_MAPS_LEGACY, /* maps */
	SEC_DATA,        /* .data*, .rodata*, .bss* */
	SEC_RELO,        /* SHT_REL or SHT_RELA */
};

struct elf_sec {
	const char *name;
	GElf_Shdr shdr;
	const uint8_t *data; /* NULL for SHT_NOBITS */
	size_t size;
	enum sec_kind kind;
	int map;             /* SEC_DATA: the map of its bytes, -1 if empty */
	/* SEC_CODE */
	struct bpf_insn *insns; /* relocated in place */
	size_t insn_cnt;
	int32_t *call_target;   /* insn -> function it calls or references, -1 */
	uint8_t *relocated;     /* insn had a relocation applied */
	int32_t *line_at;       /* insn -> index into obj->lines, -1; NULL without line info */
	struct mhse_poison *poisons; /* instructions CO-RE relocations poisoned */
	size_t poison_cnt;
	size_t first_func, func_cnt;
};

struct elf_sym {
	const char *name;
	uint64_t value, size;
	uint16_t shndx;
	uint8_t type, bind;
	int ext; /* index into obj->externs, or -1 */
};

struct func {
	const char *name;
	size_t sec;
	size_t off, cnt; /* instructions within the section */
	int prog;        /* program index for entry functions, else -1 */
};

/* A map's bytes in a maps section, for symbol and relocation lookups. */
struct map_loc {
	size_t sec;
	uint64_t off, size;
	int map;
	const struct mhse_btf_map *btf; /* SEC(".maps") maps: their BTF definition */
};

/* iproute2's numbering of legacy maps, kept until slots are filled. */
struct legacy_ids {
	int map;
	uint32_t id, inner_id, inner_idx;
};

struct loader {
	const char *file;
	const struct mhse_open_opts *opts; /* NULL for the defaults */
	struct mhse_object *obj;
	uint8_t *image;
	size_t size;
	Elf *elf;
	struct elf_sec *secs;
	size_t sec_cnt;
	size_t symtab;   /* 0 without one */
	struct elf_sym *syms;
	size_t sym_cnt;
	struct func *funcs;
	size_t func_cnt;
	struct map_loc *locs;
	size_t loc_cnt;
	struct mhse_btf_map *btf_maps;
	size_t btf_map_cnt;
	struct legacy_ids *legacy;
	size_t legacy_cnt;
	uint32_t kconfig_size; /* bytes of the .kconfig map, 0 without kconfig externs */
};

/* ".data" or ".data.anything" */
static bool is_sec_family(const char *name, const char *base)
{
	size_t len = strlen(base);

	return strncmp(name, base, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

/* A NUL-terminated string at off in a string table section, or NULL. */
static const char *strtab_str(const struct elf_sec *strtab, uint64_t off)
{
	const char *s;

	if (!strtab->data || off >= strtab->size)
		return NULL;
	s = (const char *)strtab->data + off;
	return memchr(s, '\0', strtab->size - off) ? s : NULL;
}

static int check_ehdr(struct loader *ld)
{
	Elf64_Ehdr ehdr;

	if (ld->size < EI_NIDENT || memcmp(ld->image, ELFMAG, SELFMAG) != 0) {
		pr_err("%s: not an ELF file\n", ld->file);
		return -EINVAL;
	}
	if (ld->image[EI_CLASS] != ELFCLASS64) {
		pr_err("%s: not a 64-bit ELF file\n", ld->file);
		return -EINVAL;
	}
	if (ld->image[EI_DATA] != ELFDATA2LSB) {
		pr_err("%s: not a little-endian ELF file\n", ld->file);
		return -EINVAL;
	}
	if (ld->size < sizeof(ehdr)) {
		pr_err("%s: ELF header is truncated\n", ld->file);
		return -EINVAL;
	}
	memcpy(&ehdr, ld->image, sizeof(ehdr));
	if (ehdr.e_type != ET_REL) {
		pr_err("%s: ELF type %u is not a relocatable object\n", ld->file, ehdr.e_type);
		return -EINVAL;
	}
	/* clang has written EM_NONE for BPF in some versions, and libbpf accepts it. */
	if (ehdr.e_machine != EM_BPF && ehdr.e_machine != EM_NONE) {
		pr_err("%s: ELF machine %u is not BPF\n", ld->file, ehdr.e_machine);
		return -EINVAL;
	}
	if (ehdr.e_shentsize != sizeof(Elf64_Shdr)) {
		pr_err("%s: section header size %u is not %zu\n", ld->file, ehdr.e_shentsize, sizeof(Elf64_Shdr));
		return -EINVAL;
	}
	return 0;
}

static enum sec_kind classify_sec(const struct elf_sec *sec)
{
	uint32_t type = sec->shdr.sh_type;

	if (type == SHT_REL || type == SHT_RELA)
		return SEC_RELO;
	if (type == SHT_PROGBITS && (sec->shdr.sh_flags & SHF_EXECINSTR))
		return SEC_CODE;
	if (strcmp(sec->name, ".maps") == 0)
		return SEC_MAPS_BTF;
	if (strcmp(sec->name, "maps") == 0)
		return SEC_MAPS_LEGACY;
	if (is_sec_family(sec->name, ".data") || is_sec_family(sec->name, ".rodata") ||
	    is_sec_family(sec->name, ".bss"))
		return SEC_DATA;
	return SEC_OTHER;
}

static int read_sections(struct loader *ld)
{
	size_t shnum, shstrndx;
	Elf64_Ehdr ehdr;

	memcpy(&ehdr, ld->image, sizeof(ehdr));
	if (elf_getshdrnum(ld->elf, &shnum) || elf_getshdrstrndx(ld->elf, &shstrndx)) {
		pr_err("%s: section header table is malformed: %s\n", ld->file, elf_errmsg(-1));
		return -EINVAL;
	}
	if (!shnum || ehdr.e_shoff > ld->size || shnum > (ld->size - ehdr.e_shoff) / sizeof(Elf64_Shdr)) {
		pr_err("%s: section header table lies beyond the file\n", ld->file);
		return -EINVAL;
	}
	if (shstrndx >= shnum) {
		pr_err("%s: e_shstrndx %zu names no section\n", ld->file, shstrndx);
		return -EINVAL;
	}
	ld->secs = calloc(shnum, sizeof(*ld->secs));
	if (!ld->secs)
		return -ENOMEM;
	ld->sec_cnt = shnum;
	for (size_t i = 0; i < shnum; i++) {
		struct elf_sec *sec = &ld->secs[i];
		Elf_Scn *scn = elf_getscn(ld->elf, i);

		sec->map = -1;
		if (!scn || !gelf_getshdr(scn, &sec->shdr)) {
			pr_err("%s: section %zu has no readable header\n", ld->file, i);
			return -EINVAL;
		}
		if (sec->shdr.sh_type == SHT_NOBITS || sec->shdr.sh_type == SHT_NULL) {
			sec->size = sec->shdr.sh_type == SHT_NOBITS ? sec->shdr.sh_size : 0;
			continue;
		}
		if (sec->shdr.sh_offset > ld->size || sec->shdr.sh_size > ld->size - sec->shdr.sh_offset) {
			pr_err("%s: section %zu (offset %llu, size %llu) lies beyond the file\n", ld->file, i,
			       (unsigned long long)sec->shdr.sh_offset, (unsigned long long)sec->shdr.sh_size);
			return -EINVAL;
		}
		sec->data = ld->image + sec->shdr.sh_offset;
		sec->size = sec->shdr.sh_size;
	}
	if (ld->secs[shstrndx].shdr.sh_type != SHT_STRTAB) {
		pr_err("%s: e_shstrndx %zu is not a string table\n", ld->file, shstrndx);
		return -EINVAL;
	}
	for (size_t i = 0; i < shnum; i++) {
		struct elf_sec *sec = &ld->secs[i];

		sec->name = strtab_str(&ld->secs[shstrndx], sec->shdr.sh_name);
		if (!sec->name) {
			pr_err("%s: section %zu has a name beyond the section name table\n", ld->file, i);
			return -EINVAL;
		}
		sec->kind = i ? classify_sec(sec) : SEC_OTHER;
		if (sec->shdr.sh_type != SHT_SYMTAB)
			continue;
		if (ld->symtab) {
			pr_err("%s: more than one symbol table\n", ld->file);
			return -EINVAL;
		}
		ld->symtab = i;
	}
	return 0;
}

static int read_symbols(struct loader *ld)
{
	const struct elf_sec *symtab = &ld->secs[ld->symtab], *strtab;

	if (!ld->symtab) {
		pr_err("%s: no symbol table\n", ld->file);
		return -EINVAL;
	}
	if (symtab->shdr.sh_entsize != sizeof(Elf64_Sym) || symtab->size % sizeof(Elf64_Sym)) {
		pr_err("%s: symbol table entries are not %zu bytes\n", ld->file, sizeof(Elf64_Sym));
		return -EINVAL;
	}
	if (symtab->shdr.sh_link >= ld->sec_cnt || ld->secs[symtab->shdr.sh_link].shdr.sh_type != SHT_STRTAB) {
		pr_err("%s: symbol table links to no string table\n", ld->file);
		return -EINVAL;
	}
	strtab = &ld->secs[symtab->shdr.sh_link];
	ld->sym_cnt = symtab->size / sizeof(Elf64_Sym);
	ld->syms = calloc(ld->sym_cnt ? ld->sym_cnt : 1, sizeof(*ld->syms));
	if (!ld->syms)
		return -ENOMEM;
	for (size_t i = 0; i < ld->sym_cnt; i++) {
		struct elf_sym *sym = &ld->syms[i];
		Elf64_Sym raw;

		memcpy(&raw, symtab->data + i * sizeof(raw), sizeof(raw));
		sym->name = strtab_str(strtab, raw.st_name);
		if (!sym->name) {
			pr_err("%s: symbol %zu has a name beyond its string table\n", ld->file, i);
			return -EINVAL;
		}
		sym->value = raw.st_value;
		sym->size = raw.st_size;
		sym->shndx = raw.st_shndx;
		sym->type = ELF64_ST_TYPE(raw.st_info);
		sym->bind = ELF64_ST_BIND(raw.st_info);
		sym->ext = -1;
	}
	return 0;
}

/* The section a symbol is defined in, or NULL (undefined, absolute, common, out of range). */
static struct elf_sec *sym_sec(const struct loader *ld, const struct elf_sym *sym)
{
	if (sym->shndx == SHN_UNDEF || sym->shndx >= ld->sec_cnt)
		return NULL;
	return &ld->secs[sym->shndx];
}

static int collect_externs(struct loader *ld)
{
	struct mhse_object *obj = ld->obj;
	size_t cnt = 0;

	for (size_t i = 1; i < ld->sym_cnt; i++) {
		const struct elf_sym *sym = &ld->syms[i];

		cnt += sym->shndx == SHN_UNDEF && (sym->bind == STB_GLOBAL || sym->bind == STB_WEAK) && sym->name[0];
	}
	if (!cnt)
		return 0;
	obj->externs = calloc(cnt, sizeof(*obj->externs));
	if (!obj->externs)
		return -ENOMEM;
	for (size_t i = 1; i < ld->sym_cnt; i++) {
		struct elf_sym *sym = &ld->syms[i];
		struct mhse_extern *ext;

		if (sym->shndx != SHN_UNDEF || (sym->bind != STB_GLOBAL && sym->bind != STB_WEAK) || !sym->name[0])
			continue;
		ext = &obj->externs[obj->extern_cnt];
		ext->name = strdup(sym->name);
		if (!ext->name)
			return -ENOMEM;
		ext->func = sym->type == STT_FUNC;
		ext->weak = sym->bind == STB_WEAK;
		ext->map = -1;
		sym->ext = (int)obj->extern_cnt++;
	}
	return 0;
}

static int read_license_and_version(struct loader *ld)
{
	for (size_t i = 1; i < ld->sec_cnt; i++) {
		const struct elf_sec *sec = &ld->secs[i];

		if (!sec->data)
			continue;
		if (strcmp(sec->name, "license") == 0) {
			size_t len = sec->size < sizeof(ld->obj->license) - 1 ? sec->size : sizeof(ld->obj->license) - 1;

			memcpy(ld->obj->license, sec->data, len);
			ld->obj->license[len] = '\0';
		} else if (strcmp(sec->name, "version") == 0) {
			if (sec->size != sizeof(uint32_t)) {
				pr_err("%s: version section is %zu bytes, not 4\n", ld->file, sec->size);
				return -EINVAL;
			}
			ld->obj->kern_version = mhse_le32(sec->data);
		}
	}
	return 0;
}

static struct elf_sec *find_sec(const struct loader *ld, const char *name)
{
	for (size_t i = 1; i < ld->sec_cnt; i++)
		if (strcmp(ld->secs[i].name, name) == 0)
			return &ld->secs[i];
	return NULL;
}

static int load_btf(struct loader *ld)
{
	const struct elf_sec *btf = find_sec(ld, ".BTF");
	int err;

	if (!btf)
		return 0;
	if (!btf->data) {
		pr_err("%s: .BTF section has no contents\n", ld->file);
		return -EINVAL;
	}
	err = mhse_btf__load(ld->obj, ld->file, btf->data, btf->size);
	return err ?: mhse_btf__classify_externs(ld->obj, ld->file, &ld->kconfig_size);
}

/* Appends a zeroed map and returns its index, or -ENOMEM. */
static int add_map(struct mhse_object *obj, const char *name, const char *section, enum mhse_map_origin origin)
{
	struct mhse_map *maps = realloc(obj->maps, (obj->map_cnt + 1) * sizeof(*maps));
	struct mhse_map *map;

	if (!maps)
		return -ENOMEM;
	obj->maps = maps;
	map = &maps[obj->map_cnt];
	*map = (struct mhse_map){ .inner = -1, .origin = origin };
	obj->map_cnt++;
	map->name = strdup(name);
	map->section = strdup(section);
	if (!map->name || !map->section)
		return -ENOMEM;
	return (int)obj->map_cnt - 1;
}

static int add_loc(struct loader *ld, size_t sec, uint64_t off, uint64_t size, int map, const struct mhse_btf_map *btf)
{
	struct map_loc *locs = realloc(ld->locs, (ld->loc_cnt + 1) * sizeof(*locs));

	if (!locs)
		return -ENOMEM;
	ld->locs = locs;
	locs[ld->loc_cnt++] = (struct map_loc){ .sec = sec, .off = off, .size = size, .map = map, .btf = btf };
	return 0;
}

static int set_slot(struct mhse_map *map, uint32_t slot, int value)
{
	if (slot >= map->init_slot_cnt) {
		int *slots = realloc(map->init_slots, ((size_t)slot + 1) * sizeof(*slots));

		if (!slots)
			return -ENOMEM;
		for (size_t i = map->init_slot_cnt; i <= slot; i++)
			slots[i] = -1;
		map->init_slots = slots;
		map->init_slot_cnt = slot + 1;
	}
	map->init_slots[slot] = value;
	return 0;
}

static void fill_btf_map(struct mhse_map *map, const struct mhse_btf_map_def *def)
{
	map->type = def->type;
	map->key_size = def->key_size;
	map->value_size = def->value_size;
	map->max_entries = def->max_entries;
	map->map_flags = def->map_flags;
	map->numa_node = def->numa_node;
	map->pinning = def->pinning;
	map->btf_key_type_id = def->key_type_id;
	map->btf_value_type_id = def->value_type_id;
}

/* libbpf's name for the inner definition of a map-in-map: "<outer>.inner" */
static int add_inner_map(struct loader *ld, size_t s, int outer, const struct mhse_btf_map *def)
{
	size_t len = strlen(def->name) + sizeof(".inner");
	char *name = malloc(len);
	int inner;

	if (!name)
		return -ENOMEM;
	snprintf(name, len, "%s.inner", def->name);
	inner = add_map(ld->obj, name, ld->secs[s].name, MHSE_MAP_INNER);
	free(name);
	if (inner < 0)
		return inner;
	fill_btf_map(&ld->obj->maps[inner], &def->inner);
	ld->obj->maps[outer].inner = inner;
	return 0;
}

static int cmp_sym_value(const void *a, const void *b, void *syms_arg)
{
	const struct elf_sym *syms = syms_arg;
	uint64_t va = syms[*(const size_t *)a].value, vb = syms[*(const size_t *)b].value;

	return va < vb ? -1 : va > vb;
}

static int cmp_sym_name(const void *a, const void *b, void *syms_arg)
{
	const struct elf_sym *syms = syms_arg;

	return strcmp(syms[*(const size_t *)a].name, syms[*(const size_t *)b].name);
}

/* Indices of the named symbols defined in section s, sorted by cmp. */
static size_t *syms_in_sec(const struct loader *ld, size_t s, int (*cmp)(const void *, const void *, void *),
			   size_t *cnt)
{
	size_t *idx = malloc((ld->sym_cnt ? ld->sym_cnt : 1) * sizeof(*idx));

	*cnt = 0;
	if (!idx)
		return NULL;
	for (size_t i = 1; i < ld->sym_cnt; i++) {
		const struct elf_sym *sym = &ld->syms[i];

		if (sym->shndx == s && sym->type != STT_SECTION && sym->type != STT_FILE && sym->name[0])
			idx[(*cnt)++] = i;
	}
	qsort_r(idx, *cnt, sizeof(*idx), cmp, ld->syms);
	return idx;
}

/* The symbol of section s named name, from syms_in_sec's list sorted by name. */
static const struct elf_sym *sym_by_name(const struct loader *ld, const size_t *idx, size_t cnt, const char *name)
{
	size_t lo = 0, hi = cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ld->syms[idx[mid]].name, name);

		if (!c)
			return &ld->syms[idx[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int load_btf_maps(struct loader *ld, size_t s)
{
	struct mhse_object *obj = ld->obj;
	const struct elf_sec *sec = &ld->secs[s];
	size_t sym_cnt, *idx;
	int err = mhse_btf__maps(obj, ld->file, &ld->btf_maps, &ld->btf_map_cnt);

	if (err)
		return err;
	idx = syms_in_sec(ld, s, cmp_sym_name, &sym_cnt);
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; !err && i < ld->btf_map_cnt; i++) {
		struct mhse_btf_map *def = &ld->btf_maps[i];
		const struct elf_sym *sym = sym_by_name(ld, idx, sym_cnt, def->name);
		/* An initialised __array(values, ...) makes the variable larger than its type. */
		uint64_t size = sym && sym->size > def->size ? sym->size : def->size;
		int m;

		if (!sym || sym->value > sec->size || size > sec->size - sym->value) {
			pr_err("%s: map '%s' has no symbol placing it in .maps\n", ld->file, def->name);
			err = -EINVAL;
			break;
		}
		def->offset = sym->value;
		m = add_map(obj, def->name, sec->name, MHSE_MAP_BTF);
		if (m < 0) {
			err = m;
			break;
		}
		fill_btf_map(&obj->maps[m], &def->def);
		err = add_loc(ld, s, def->offset, size, m, def);
		if (!err && def->has_inner)
			err = add_inner_map(ld, s, m, def);
	}
	free(idx);
	return err;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* Fills iproute2's map-in-map links: an outer map names its inner map's id,
 * and an inner map with a slot index is inserted into every outer map that
 * names it. */
static int link_legacy_ids(struct loader *ld)
{
	struct mhse_object *obj = ld->obj;

	for (size_t o = 0; o < ld->legacy_cnt; o++) {
		struct mhse_map *outer = &obj->maps[ld->legacy[o].map];

		if (!ld->legacy[o].inner_id || !is_map_in_map(outer->type))
			continue;
		for (size_t i = 0; i < ld->legacy_cnt; i++) {
			const struct legacy_ids *inner = &ld->legacy[i];
			int err;

			if (inner->id != ld->legacy[o].inner_id)
				continue;
			if (outer->inner < 0)
				outer->inner = inner->map;
			if (inner->inner_id || inner->inner_idx == LEGACY_NO_SLOT)
				continue;
			if (inner->inner_idx >= MAX_LEGACY_SLOT) {
				pr_err("%s: map '%s' asks for slot %u of '%s', beyond mhse's %u\n", ld->file,
				       obj->maps[inner->map].name, inner->inner_idx, outer->name, MAX_LEGACY_SLOT);
				return -EINVAL;
			}
			err = set_slot(outer, inner->inner_idx, inner->map);
			if (err)
				return err;
		}
		if (outer->inner < 0) {
			pr_err("%s: map '%s' names inner map id %u, which no map has\n", ld->file, outer->name,
			       ld->legacy[o].inner_id);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_legacy_maps(struct loader *ld, size_t s)
{
	const struct elf_sec *sec = &ld->secs[s];
	struct mhse_object *obj = ld->obj;
	size_t *idx, cnt, first = obj->map_cnt;
	int err = 0;

	if (!sec->data)
		return 0;
	idx = syms_in_sec(ld, s, cmp_sym_value, &cnt);
	if (!idx)
		return -ENOMEM;
	if (!cnt && sec->size) {
		pr_err("%s: maps section has no symbols naming its maps\n", ld->file);
		err = -EINVAL;
	}
	for (size_t i = 0; !err && i < cnt; i++) {
		const struct elf_sym *sym = &ld->syms[idx[i]];
		/* Old compilers left the size 0; libbpf then divides the section evenly. */
		uint64_t def_size = sym->size ? sym->size : sec->size / cnt;
		const uint8_t *def;
		struct mhse_map *map;
		int m;

		if (def_size < BPF_MAP_DEF_MIN_SIZE || sym->value > sec->size || def_size > sec->size - sym->value ||
		    (!sym->size && sec->size % cnt)) {
			pr_err("%s: map '%s' (offset %llu, %llu bytes) is not a whole definition in maps\n", ld->file,
			       sym->name, (unsigned long long)sym->value, (unsigned long long)def_size);
			err = -EINVAL;
			break;
		}
		def = sec->data + sym->value;
		m = add_map(obj, sym->name, sec->name, def_size == BPF_ELF_MAP_SIZE ? MHSE_MAP_LEGACY_ELF :
								MHSE_MAP_LEGACY);
		err = m < 0 ? m : add_loc(ld, s, sym->value, def_size, m, NULL);
		if (err)
			break;
		map = &obj->maps[m];
		map->type = mhse_le32(def);
		map->key_size = mhse_le32(def + 4);
		map->value_size = mhse_le32(def + 8);
		map->max_entries = mhse_le32(def + 12);
		map->map_flags = mhse_le32(def + 16);
		if (map->origin == MHSE_MAP_LEGACY_ELF) {
			struct legacy_ids *ids = realloc(ld->legacy, (ld->legacy_cnt + 1) * sizeof(*ids));

			if (!ids) {
				err = -ENOMEM;
				break;
			}
			ld->legacy = ids;
			ids[ld->legacy_cnt++] = (struct legacy_ids){ .map = m, .id = mhse_le32(def + 20),
								     .inner_id = mhse_le32(def + 28),
								     .inner_idx = mhse_le32(def + 32) };
			map->pinning = mhse_le32(def + 24);
			continue;
		}
		if (def_size >= 28)
			map->numa_node = mhse_le32(def + 24);
		if (def_size >= 24 && is_map_in_map(map->type)) {
			/* inner_map_idx counts definitions in the section, in order */
			uint32_t inner = mhse_le32(def + 20);

			if (inner >= cnt) {
				pr_err("%s: map '%s' names inner map #%u of %zu\n", ld->file, sym->name, inner, cnt);
				err = -EINVAL;
				break;
			}
			map->inner = (int)(first + inner);
		}
	}
	free(idx);
	return err ?: link_legacy_ids(ld);
}

/* A global-data map as libbpf makes one: a one-entry array whose value is
 * the section's bytes (zeroes when bytes is NULL). Returns its index. */
static int add_global_map(struct mhse_object *obj, const char *name, uint32_t size, bool readonly,
			  const uint8_t *bytes)
{
	int m = add_map(obj, name, name, MHSE_MAP_GLOBAL);
	struct mhse_map *map;

	if (m < 0)
		return m;
	map = &obj->maps[m];
	map->type = BPF_MAP_TYPE_ARRAY;
	map->key_size = sizeof(uint32_t);
	map->value_size = size;
	map->max_entries = 1;
	map->map_flags = (readonly ? BPF_F_RDONLY_PROG : 0) | BPF_F_MMAPABLE;
	map->readonly = readonly;
	map->init = calloc(1, size);
	if (!map->init)
		return -ENOMEM;
	if (bytes)
		memcpy(map->init, bytes, size);
	if (obj->btf) {
		__s32 id = btf__find_by_name_kind(obj->btf, name, BTF_KIND_DATASEC);

		map->btf_value_type_id = id > 0 ? (uint32_t)id : 0;
	}
	return m;
}

static int load_data_map(struct loader *ld, size_t s)
{
	struct elf_sec *sec = &ld->secs[s];

	/* libbpf makes no map of an empty section; nothing can point into it. */
	if (!sec->size)
		return 0;
	if (sec->size > (sec->data ? UINT32_MAX : MAX_BSS_BYTES)) {
		pr_err("%s: data section %s is %zu bytes, too large for a map value\n", ld->file, sec->name,
		       sec->size);
		return -EINVAL;
	}
	sec->map = add_global_map(ld->obj, sec->name, (uint32_t)sec->size, is_sec_family(sec->name, ".rodata"),
				  sec->data);
	return sec->map < 0 ? sec->map : 0;
}

/* Kconfig externs live in one read-only map, as libbpf keeps them. */
static int load_kconfig_map(struct loader *ld)
{
	struct mhse_object *obj = ld->obj;
	int m;

	if (!ld->kconfig_size)
		return 0;
	m = add_global_map(obj, ".kconfig", ld->kconfig_size, true, NULL);
	for (size_t i = 0; m >= 0 && i < obj->extern_cnt; i++)
		if (obj->externs[i].kconfig)
			obj->externs[i].map = m;
	return m < 0 ? m : 0;
}

static int cmp_loc(const void *a, const void *b)
{
	const struct map_loc *la = a, *lb = b;

	if (la->sec != lb->sec)
		return la->sec < lb->sec ? -1 : 1;
	return la->off < lb->off ? -1 : la->off > lb->off;
}

/* The map whose definition contains byte off of section sec, or NULL. */
static const struct map_loc *find_loc(const struct loader *ld, size_t sec, uint64_t off)
{
	size_t lo = 0, hi = ld->loc_cnt;

	/* the last location starting at or before (sec, off) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct map_loc *l = &ld->locs[mid];

		if (l->sec < sec || (l->sec == sec && l->off <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || ld->locs[lo - 1].sec != sec)
		return NULL;
	/* a definition of size 0 still owns its first byte */
	if (off - ld->locs[lo - 1].off >= (ld->locs[lo - 1].size ? ld->locs[lo - 1].size : 1))
		return NULL;
	return &ld->locs[lo - 1];
}

/* Key and value sizes the kernel refuses at map creation (the map types'
 * map_alloc_check): arrays and maps of maps indexed by a u32 take 4-byte
 * keys, and maps of data keys and values of at least a byte. mhse refuses
 * them too, before its index and key arithmetic meets such a map. */
static int check_map_sizes(const struct loader *ld)
{
	for (size_t i = 0; i < ld->obj->map_cnt; i++) {
		const struct mhse_map *map = &ld->obj->maps[i];
		bool u32_keys = map->type == BPF_MAP_TYPE_ARRAY || map->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
				map->type == BPF_MAP_TYPE_PROG_ARRAY || map->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
				map_is_redirect_target(map->type);

		if (map->origin == MHSE_MAP_GLOBAL)
			continue;
		if (u32_keys && map->key_size != sizeof(uint32_t)) {
			pr_err("%s: map '%s' is keyed by a u32 but has %u-byte keys\n", ld->file, map->name,
			       map->key_size);
			return -EINVAL;
		}
		if (map_holds_data(map->type) && (!map->key_size || !map->value_size)) {
			pr_err("%s: map '%s' has %u-byte keys and %u-byte values: the kernel takes neither empty\n",
			       ld->file, map->name, map->key_size, map->value_size);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_maps(struct loader *ld)
{
	int err = 0;

	for (size_t i = 1; !err && i < ld->sec_cnt; i++) {
		switch (ld->secs[i].kind) {
		case SEC_MAPS_BTF:
			err = ld->btf_maps ? 0 : load_btf_maps(ld, i);
			break;
		case SEC_MAPS_LEGACY:
			err = load_legacy_maps(ld, i);
			break;
		case SEC_DATA:
			err = load_data_map(ld, i);
			break;
		default:
			break;
		}
	}
	err = err ?: load_kconfig_map(ld);
	err = err ?: check_map_sizes(ld);
	if (!err && ld->loc_cnt)
		qsort(ld->locs, ld->loc_cnt, sizeof(*ld->locs), cmp_loc);
	return err;
}

/* A symbol that starts a function: functions of any binding, and untyped
 * global symbols (what old compilers emitted for functions); local untyped
 * symbols are branch labels (LBB0_2). */
static bool is_func_sym(const struct loader *ld, const struct elf_sym *sym)
{
	const struct elf_sec *sec = sym_sec(ld, sym);

	if (!sec || sec->kind != SEC_CODE || !sym->name[0])
		return false;
	return sym->type == STT_FUNC || (sym->type == STT_NOTYPE && (sym->bind == STB_GLOBAL || sym->bind == STB_WEAK));
}

/* Orders function symbols by place, the preferred name first among symbols at one offset. */
static int cmp_func_sym(const void *a, const void *b, void *syms_arg)
{
	const struct elf_sym *syms = syms_arg;
	const struct elf_sym *sa = &syms[*(const size_t *)a], *sb = &syms[*(const size_t *)b];

	if (sa->shndx != sb->shndx)
		return sa->shndx < sb->shndx ? -1 : 1;
	if (sa->value != sb->value)
		return sa->value < sb->value ? -1 : 1;
	if ((sa->type == STT_FUNC) != (sb->type == STT_FUNC))
		return sa->type == STT_FUNC ? -1 : 1;
	if ((sa->bind == STB_LOCAL) != (sb->bind == STB_LOCAL))
		return sa->bind == STB_LOCAL ? 1 : -1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int add_func(struct loader *ld, size_t *cap, const char *name, size_t sec, size_t off)
{
	if (ld->func_cnt == *cap) {
		size_t new_cap = *cap ? *cap * 2 : 16;
		struct func *funcs = realloc(ld->funcs, new_cap * sizeof(*funcs));

		if (!funcs)
			return -ENOMEM;
		ld->funcs = funcs;
		*cap = new_cap;
	}
	ld->funcs[ld->func_cnt++] = (struct func){ .name = name, .sec = sec, .off = off, .prog = -1 };
	return 0;
}

static int copy_code(struct loader *ld, struct elf_sec *sec)
{
	if (sec->size % sizeof(struct bpf_insn)) {
		pr_err("%s: code section %s is %zu bytes, not whole instructions\n", ld->file, sec->name, sec->size);
		return -EINVAL;
	}
	sec->insn_cnt = sec->size / sizeof(struct bpf_insn);
	sec->insns = malloc(sec->size ? sec->size : 1);
	sec->call_target = malloc((sec->insn_cnt ? sec->insn_cnt : 1) * sizeof(*sec->call_target));
	sec->relocated = calloc(sec->insn_cnt ? sec->insn_cnt : 1, 1);
	if (!sec->insns || !sec->call_target || !sec->relocated)
		return -ENOMEM;
	if (sec->size)
		memcpy(sec->insns, sec->data, sec->size);
	for (size_t i = 0; i < sec->insn_cnt; i++)
		sec->call_target[i] = -1;
	return 0;
}

/* Cuts every code section into functions at its function symbols (a section
 * that does not start with one gets a function named after it). */
static int collect_funcs(struct loader *ld)
{
	size_t *idx, cnt = 0, cap = 0, next = 0;
	int err = 0;

	idx = malloc((ld->sym_cnt ? ld->sym_cnt : 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 1; i < ld->sym_cnt; i++)
		if (is_func_sym(ld, &ld->syms[i]))
			idx[cnt++] = i;
	qsort_r(idx, cnt, sizeof(*idx), cmp_func_sym, ld->syms);

	for (size_t s = 1; !err && s < ld->sec_cnt; s++) {
		struct elf_sec *sec = &ld->secs[s];

		if (sec->kind != SEC_CODE)
			continue;
		err = copy_code(ld, sec);
		sec->first_func = ld->func_cnt;
		for (; !err && next < cnt && ld->syms[idx[next]].shndx == s; next++) {
			const struct elf_sym *sym = &ld->syms[idx[next]];
			size_t off = sym->value / sizeof(struct bpf_insn);

			if (sym->value % sizeof(struct bpf_insn) || off >= sec->insn_cnt) {
				pr_err("%s: function '%s' at byte %llu is not an instruction of %s\n", ld->file,
				       sym->name, (unsigned long long)sym->value, sec->name);
				err = -EINVAL;
			} else if (ld->func_cnt == sec->first_func && off) {
				err = add_func(ld, &cap, sec->name, s, 0);
			}
			/* An alias of the function just added names nothing new. */
			if (!err && (ld->func_cnt == sec->first_func || ld->funcs[ld->func_cnt - 1].off != off))
				err = add_func(ld, &cap, sym->name, s, off);
		}
		if (!err && ld->func_cnt == sec->first_func && sec->insn_cnt)
			err = add_func(ld, &cap, sec->name, s, 0);
		sec->func_cnt = ld->func_cnt - sec->first_func;
		for (size_t f = sec->first_func; f < ld->func_cnt; f++)
			ld->funcs[f].cnt = (f + 1 < ld->func_cnt ? ld->funcs[f + 1].off : sec->insn_cnt) - ld->funcs[f].off;
	}
	free(idx);
	return err;
}

/* Functions of .text are subprograms, as in libbpf, unless the object has no
 * other code: then they are the programs. */
static int mark_programs(struct loader *ld)
{
	struct mhse_object *obj = ld->obj;
	bool other_code = false;

	for (size_t f = 0; f < ld->func_cnt; f++)
		other_code |= strcmp(ld->secs[ld->funcs[f].sec].name, ".text") != 0;
	for (size_t f = 0; f < ld->func_cnt; f++)
		if (!other_code || strcmp(ld->secs[ld->funcs[f].sec].name, ".text") != 0)
			ld->funcs[f].prog = (int)obj->prog_cnt++;
	if (!obj->prog_cnt) {
		pr_err("%s: no programs\n", ld->file);
		return -EINVAL;
	}
	obj->progs = calloc(obj->prog_cnt, sizeof(*obj->progs));
	return obj->progs ? 0 : -ENOMEM;
}

/* An LD_IMM64 whose second half is inside the section too. */
static bool insn_is_ld_imm64_at(const struct elf_sec *sec, size_t j)
{
	return j + 1 < sec->insn_cnt && insn_is_ld_imm64(&sec->insns[j]);
}

/* The function of section sec that starts at instruction off, or -1. */
static int func_at(const struct loader *ld, size_t sec, int64_t off)
{
	const struct elf_sec *s = &ld->secs[sec];
	size_t lo = s->first_func, hi = s->first_func + s->func_cnt;

	if (s->kind != SEC_CODE)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((int64_t)ld->funcs[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->first_func + s->func_cnt && (int64_t)ld->funcs[lo].off == off ? (int)lo : -1;
}

struct reloc {
	uint64_t offset;
	size_t sym;
	uint32_t type;
	int64_t addend; /* RELA only */
	bool rela;
};

static int read_reloc(const struct loader *ld, const struct elf_sec *rsec, size_t i, struct reloc *r)
{
	if (r->rela) {
		Elf64_Rela raw;

		memcpy(&raw, rsec->data + i * sizeof(raw), sizeof(raw));
		r->offset = raw.r_offset;
		r->sym = ELF64_R_SYM(raw.r_info);
		r->type = ELF64_R_TYPE(raw.r_info);
		r->addend = raw.r_addend;
	} else {
		Elf64_Rel raw;

		memcpy(&raw, rsec->data + i * sizeof(raw), sizeof(raw));
		r->offset = raw.r_offset;
		r->sym = ELF64_R_SYM(raw.r_info);
		r->type = ELF64_R_TYPE(raw.r_info);
	}
	if (r->sym >= ld->sym_cnt) {
		pr_err("%s: relocation %zu of %s names symbol %zu of %zu\n", ld->file, i, rsec->name, r->sym,
		       ld->sym_cnt);
		return -EINVAL;
	}
	return 0;
}

/* A function a call or a function reference names: target is its byte
 * offset in the symbol's section. */
static int reloc_func_target(const struct loader *ld, const struct elf_sec *sec, size_t insn,
			     const struct elf_sym *sym, int64_t target)
{
	int f = target % (int64_t)sizeof(struct bpf_insn) ? -1 :
		func_at(ld, sym->shndx, target / (int64_t)sizeof(struct bpf_insn));

	if (f < 0)
		pr_err("%s: insn %zu of %s refers to byte %lld of %s, where no function starts\n", ld->file, insn,
		       sec->name, (long long)target, ld->secs[sym->shndx].name);
	return f < 0 ? -EINVAL : f;
}

static int reloc_call(struct loader *ld, struct elf_sec *sec, size_t j, const struct reloc *r)
{
	const struct elf_sym *sym = &ld->syms[r->sym];
	struct bpf_insn *insn = &sec->insns[j];
	const struct elf_sec *target = sym_sec(ld, sym);
	int f;

	if (sym->ext >= 0) {
		/* kfuncs, and memset/memcpy that old compilers left as calls */
		ld->obj->externs[sym->ext].func = true;
		insn->src_reg = BPF_PSEUDO_KFUNC_CALL;
		insn->imm = sym->ext;
		insn->off = 0;
		return 0;
	}
	if (!target || target->kind != SEC_CODE || insn->src_reg != BPF_PSEUDO_CALL) {
		pr_err("%s: call at insn %zu of %s is relocated against '%s', which is no function\n", ld->file, j,
		       sec->name, sym->name);
		return -EINVAL;
	}
	/* A REL call's imm is the pc-relative offset from the symbol: -1 for a
	 * global function, the target's index - 1 for a section symbol. */
	f = reloc_func_target(ld, sec, j, sym,
			      (int64_t)sym->value + (r->rela ? r->addend : ((int64_t)insn->imm + 1) * 8));
	if (f < 0)
		return f;
	sec->call_target[j] = f;
	return 0;
}

static int reloc_ld_imm64(struct loader *ld, struct elf_sec *sec, size_t j, const struct reloc *r)
{
	struct mhse_object *obj = ld->obj;
	const struct elf_sym *sym = &ld->syms[r->sym];
	struct bpf_insn *insn = &sec->insns[j];
	const struct elf_sec *target = sym_sec(ld, sym);
	int64_t addend = r->rela ? r->addend : insn[0].imm;
	const struct map_loc *loc;
	int64_t off;

	if (sym->ext >= 0) {
		const struct mhse_extern *ext = &obj->externs[sym->ext];

		insn[0].src_reg = ext->kconfig ? MHSE_PSEUDO_MAP_IDX_VALUE : MHSE_PSEUDO_EXTERN;
		insn[0].imm = ext->kconfig ? ext->map : sym->ext;
		insn[1].imm = (int32_t)((ext->kconfig ? ext->map_off : 0) + addend);
		return 0;
	}
	if (!target) {
		pr_err("%s: insn %zu of %s is relocated against '%s', which has no section\n", ld->file, j,
		       sec->name, sym->name);
		return -EINVAL;
	}
	switch (target->kind) {
	case SEC_CODE: {
		int f = reloc_func_target(ld, sec, j, sym, (int64_t)sym->value + addend);

		if (f < 0)
			return f;
		insn[0].src_reg = BPF_PSEUDO_FUNC;
		insn[0].imm = 0;
		insn[1].imm = 0;
		sec->call_target[j] = f;
		return 0;
	}
	case SEC_MAPS_BTF:
	case SEC_MAPS_LEGACY:
		loc = find_loc(ld, sym->shndx, sym->value);
		if (!loc || loc->off != sym->value) {
			pr_err("%s: insn %zu of %s refers to '%s', which starts no map\n", ld->file, j, sec->name,
			       sym->name);
			return -EINVAL;
		}
		insn[0].src_reg = MHSE_PSEUDO_MAP_IDX;
		insn[0].imm = loc->map;
		insn[1].imm = 0;
		return 0;
	case SEC_DATA:
		off = (int64_t)sym->value + addend;
		if (target->map < 0 || off < 0 || (uint64_t)off > target->size) {
			pr_err("%s: insn %zu of %s refers to byte %lld of %s, outside its %zu bytes\n", ld->file, j,
			       sec->name, (long long)off, target->name, target->size);
			return -EINVAL;
		}
		insn[0].src_reg = MHSE_PSEUDO_MAP_IDX_VALUE;
		insn[0].imm = target->map;
		insn[1].imm = (int32_t)off;
		return 0;
	default:
		pr_err("%s: insn %zu of %s refers to '%s' in %s, which holds no map, data or code\n", ld->file, j,
		       sec->name, sym->name, target->name);
		return -EINVAL;
	}
}

static int reloc_code(struct loader *ld, const struct elf_sec *rsec, struct elf_sec *sec)
{
	struct reloc r = { .rela = rsec->shdr.sh_type == SHT_RELA };
	size_t cnt = rsec->size / (r.rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel));

	for (size_t i = 0; i < cnt; i++) {
		size_t j;
		int err = read_reloc(ld, rsec, i, &r);

		if (err)
			return err;
		if (r.type == R_BPF_NONE)
			continue;
		j = r.offset / sizeof(struct bpf_insn);
		if (r.offset % sizeof(struct bpf_insn) || j >= sec->insn_cnt) {
			pr_err("%s: relocation %zu of %s at byte %llu is not an instruction of %s\n", ld->file, i,
			       rsec->name, (unsigned long long)r.offset, sec->name);
			return -EINVAL;
		}
		if (sec->relocated[j]) {
			pr_err("%s: insn %zu of %s has two relocations\n", ld->file, j, sec->name);
			return -EINVAL;
		}
		sec->relocated[j] = 1;
		if (sec->insns[j].code == (BPF_JMP | BPF_CALL))
			err = reloc_call(ld, sec, j, &r);
		else if (insn_is_ld_imm64_at(sec, j))
			err = reloc_ld_imm64(ld, sec, j, &r);
		else {
			pr_err("%s: relocation at insn %zu of %s: opcode 0x%02x is not a whole LD_IMM64 or a call\n",
			       ld->file, j, sec->name, sec->insns[j].code);
			err = -EINVAL;
		}
		if (err)
			return err;
	}
	return 0;
}

/* Initial slots of a BTF map-in-map or program array: a relocation per
 * filled slot of its __array(values, ...) member. */
static int reloc_maps(struct loader *ld, const struct elf_sec *rsec, size_t s)
{
	struct reloc r = { .rela = rsec->shdr.sh_type == SHT_RELA };
	size_t cnt = rsec->size / (r.rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel));
	struct mhse_object *obj = ld->obj;

	for (size_t i = 0; i < cnt; i++) {
		const struct map_loc *loc, *target_loc;
		const struct elf_sym *sym;
		struct mhse_map *map;
		uint64_t slot_off;
		int value, f, err = read_reloc(ld, rsec, i, &r);

		if (err)
			return err;
		if (r.type == R_BPF_NONE)
			continue;
		loc = find_loc(ld, s, r.offset);
		sym = &ld->syms[r.sym];
		if (!loc || !loc->btf || !loc->btf->has_values || r.offset - loc->off < loc->btf->values_off ||
		    (r.offset - loc->off - loc->btf->values_off) % sizeof(uint64_t)) {
			pr_err("%s: relocation %zu of .maps at byte %llu is not a slot of a map's values\n", ld->file,
			       i, (unsigned long long)r.offset);
			return -EINVAL;
		}
		map = &obj->maps[loc->map];
		if (map->type == BPF_MAP_TYPE_PROG_ARRAY) {
			f = sym_sec(ld, sym) ? func_at(ld, sym->shndx, (int64_t)(sym->value / sizeof(struct bpf_insn))) : -1;
			value = f >= 0 && sym->value % sizeof(struct bpf_insn) == 0 ? ld->funcs[f].prog : -1;
		} else {
			target_loc = find_loc(ld, sym->shndx, sym->value);
			value = sym->shndx == s && target_loc && target_loc->off == sym->value ? target_loc->map : -1;
		}
		if (value < 0) {
			pr_err("%s: slot of map '%s' is initialised with '%s', which is no %s\n", ld->file, map->name,
			       sym->name, map->type == BPF_MAP_TYPE_PROG_ARRAY ? "program" : "map");
			return -EINVAL;
		}
		slot_off = r.offset - loc->off - loc->btf->values_off;
		err = set_slot(map, (uint32_t)(slot_off / sizeof(uint64_t)), value);
		if (err)
			return err;
	}
	return 0;
}

static int apply_relocs(struct loader *ld)
{
	for (size_t i = 1; i < ld->sec_cnt; i++) {
		const struct elf_sec *rsec = &ld->secs[i];
		size_t entsize;
		int err = 0;

		if (rsec->kind != SEC_RELO)
			continue;
		if (rsec->shdr.sh_info >= ld->sec_cnt) {
			pr_err("%s: relocation section %s applies to section %u of %zu\n", ld->file, rsec->name,
			       rsec->shdr.sh_info, ld->sec_cnt);
			return -EINVAL;
		}
		/* Relocations of debug info, .BTF and .BTF.ext need no action. */
		if (ld->secs[rsec->shdr.sh_info].kind != SEC_CODE && ld->secs[rsec->shdr.sh_info].kind != SEC_MAPS_BTF)
			continue;
		entsize = rsec->shdr.sh_type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
		if (rsec->shdr.sh_entsize != entsize || rsec->size % entsize || !rsec->data) {
			pr_err("%s: relocation section %s does not hold %zu-byte entries\n", ld->file, rsec->name,
			       entsize);
			return -EINVAL;
		}
		if (ld->secs[rsec->shdr.sh_info].kind == SEC_CODE)
			err = reloc_code(ld, rsec, &ld->secs[rsec->shdr.sh_info]);
		else
			err = reloc_maps(ld, rsec, rsec->shdr.sh_info);
		if (err)
			return err;
	}
	return 0;
}

/* Calls and function references without a relocation are pc-relative within
 * their own section (static functions of the same section). */
static int resolve_local_calls(struct loader *ld)
{
	for (size_t s = 1; s < ld->sec_cnt; s++) {
		struct elf_sec *sec = &ld->secs[s];

		if (sec->kind != SEC_CODE)
			continue;
		for (size_t j = 0; j < sec->insn_cnt; j++) {
			const struct bpf_insn *insn = &sec->insns[j];
			bool ld_imm64 = insn_is_ld_imm64_at(sec, j);
			bool local = (insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL) ||
				     (ld_imm64 && insn->src_reg == BPF_PSEUDO_FUNC);
			int f;

			if (local && !sec->relocated[j]) {
				f = func_at(ld, s, (int64_t)j + insn->imm + 1);
				if (f < 0) {
					pr_err("%s: insn %zu of %s calls insn %lld, where no function starts\n",
					       ld->file, j, sec->name, (long long)j + insn->imm + 1);
					return -EINVAL;
				}
				sec->call_target[j] = f;
			}
			j += ld_imm64;
		}
	}
	return 0;
}

/* CO-RE relocations against the --btf target, else the object's own .BTF. */
static int relocate_core(struct loader *ld, const struct mhse_core_rec *recs, size_t cnt, struct mhse_code_sec *code)
{
	struct mhse_object *obj = ld->obj;
	const char *path = ld->opts ? ld->opts->core_btf : NULL;
	struct btf *target = NULL;
	int err = 0;

	if (path) {
		obj->core_target = strdup(path);
		err = obj->core_target ? mhse_btf__load_file(path, &target) : -ENOMEM;
	}
	if (!err && cnt)
		err = mhse_core__relocate(ld->file, obj->btf, target ? target : obj->btf, recs, cnt, code,
					  &obj->core_poisoned_cnt);
	btf__free(target);
	return err;
}

static int load_btf_ext(struct loader *ld)
{
	const struct elf_sec *ext = find_sec(ld, ".BTF.ext");
	struct mhse_code_sec *code;
	struct mhse_core_rec *core = NULL;
	size_t cnt = 0, core_cnt = 0;
	int err;

	if (!ext || !ld->obj->btf)
		return relocate_core(ld, NULL, 0, NULL);
	if (!ext->data) {
		pr_err("%s: .BTF.ext section has no contents\n", ld->file);
		return -EINVAL;
	}
	code = calloc(ld->sec_cnt, sizeof(*code));
	if (!code)
		return -ENOMEM;
	for (size_t s = 1; s < ld->sec_cnt; s++)
		if (ld->secs[s].kind == SEC_CODE)
			code[cnt++] = (struct mhse_code_sec){ .name = ld->secs[s].name, .insn_cnt = ld->secs[s].insn_cnt,
							      .insns = ld->secs[s].insns };
	err = mhse_btf_ext__parse(ld->obj, ld->file, ext->data, ext->size, code, cnt, &core, &core_cnt);
	err = err ?: relocate_core(ld, core, core_cnt, code);
	/* Hand each table to its section, where program building reads it. */
	cnt = 0;
	for (size_t s = 1; s < ld->sec_cnt; s++) {
		if (ld->secs[s].kind != SEC_CODE)
			continue;
		ld->secs[s].line_at = code[cnt].line_at;
		ld->secs[s].poisons = code[cnt].poisons;
		ld->secs[s].poison_cnt = code[cnt++].poison_cnt;
	}
	free(code);
	free(core);
	return err;
}

/* Copies the poisoned instructions of function f, placed at base, into prog. */
static int place_poisons(struct mhse_prog *prog, const struct elf_sec *sec, const struct func *f, size_t base)
{
	for (size_t i = 0; i < sec->poison_cnt; i++) {
		const struct mhse_poison *p = &sec->poisons[i];
		struct mhse_poison *list;

		if (p->insn < f->off || p->insn >= f->off + f->cnt)
			continue;
		list = realloc(prog->poisons, (prog->poison_cnt + 1) * sizeof(*list));
		if (!list)
			return -ENOMEM;
		prog->poisons = list;
		list[prog->poison_cnt] = (struct mhse_poison){ .insn = base + p->insn - f->off, .what = strdup(p->what) };
		if (!list[prog->poison_cnt++].what)
			return -ENOMEM;
	}
	return 0;
}

/* Builds program p from entry function entry: the functions it reaches, in
 * discovery order. placed[f] holds p + 1 once f is in this program, at
 * start[f]; order lists them. */
static int build_prog(struct loader *ld, size_t entry, size_t *placed, size_t *start, size_t *order)
{
	const struct func *ef = &ld->funcs[entry];
	struct mhse_prog *prog = &ld->obj->progs[ef->prog];
	size_t stamp = (size_t)ef->prog + 1, cnt = 1, total = ef->cnt;

	placed[entry] = stamp;
	start[entry] = 0;
	order[0] = entry;
	for (size_t k = 0; k < cnt; k++) {
		const struct func *f = &ld->funcs[order[k]];
		const struct elf_sec *sec = &ld->secs[f->sec];

		for (size_t j = f->off; j < f->off + f->cnt; j++) {
			int32_t t = sec->call_target[j];

			if (t < 0 || placed[t] == stamp)
				continue;
			placed[t] = stamp;
			start[t] = total;
			total += ld->funcs[t].cnt;
			order[cnt++] = (size_t)t;
		}
	}

	prog->name = strdup(ef->name);
	/* SEC("?tc") is SEC("tc") that libbpf does not load unless asked: the
	 * '?' is no part of the section's name */
	prog->section = strdup(ld->secs[ef->sec].name + (ld->secs[ef->sec].name[0] == '?'));
	prog->insns = malloc(total * sizeof(*prog->insns));
	prog->subprogs = calloc(cnt, sizeof(*prog->subprogs));
	if (ld->obj->line_cnt)
		prog->line_of = malloc(total * sizeof(*prog->line_of));
	if (!prog->name || !prog->section || !prog->insns || !prog->subprogs || (ld->obj->line_cnt && !prog->line_of))
		return -ENOMEM;
	prog->insn_cnt = total;
	prog->sec_insn_off = ef->off;
	mhse_section__classify(prog->section, &prog->type, &prog->expected_attach_type, &prog->hook);

	for (size_t k = 0; k < cnt; k++) {
		const struct func *f = &ld->funcs[order[k]];
		const struct elf_sec *sec = &ld->secs[f->sec];
		size_t base = start[order[k]];
		int32_t line = -1;
		int err;

		prog->subprogs[k] = (struct mhse_subprog){ .name = strdup(f->name), .start = base, .cnt = f->cnt };
		prog->subprog_cnt = k + 1;
		if (!prog->subprogs[k].name)
			return -ENOMEM;
		memcpy(&prog->insns[base], &sec->insns[f->off], f->cnt * sizeof(*prog->insns));
		err = place_poisons(prog, sec, f, base);
		if (err)
			return err;
		for (size_t j = 0; j < f->cnt; j++) {
			int32_t t = sec->call_target[f->off + j];

			if (t >= 0)
				prog->insns[base + j].imm = (int32_t)((int64_t)start[t] - (int64_t)(base + j + 1));
			if (!prog->line_of)
				continue;
			/* An instruction belongs to the last line that starts at or before it. */
			if (sec->line_at && sec->line_at[f->off + j] >= 0)
				line = sec->line_at[f->off + j];
			prog->line_of[base + j] = line;
		}
	}
	return 0;
}

static int build_progs(struct loader *ld)
{
	size_t *placed = calloc(ld->func_cnt, sizeof(*placed));
	size_t *start = malloc(ld->func_cnt * sizeof(*start));
	size_t *order = malloc(ld->func_cnt * sizeof(*order));
	int err = placed && start && order ? 0 : -ENOMEM;

	for (size_t f = 0; !err && f < ld->func_cnt; f++)
		if (ld->funcs[f].prog >= 0)
			err = build_prog(ld, f, placed, start, order);
	free(placed);
	free(start);
	free(order);
	return err;
}

int mhse_prog__find_inlined_loops(struct mhse_prog *prog)
{
	size_t calls = 0;
	uint8_t *reach;
	int err;

	for (size_t i = 0; i < prog->insn_cnt; i++)
		calls += insn_is_helper_call(&prog->insns[i], BPF_FUNC_loop);
	if (!calls)
		return 0;
	reach = malloc(prog->insn_cnt);
	prog->inlined_loops = malloc(calls * sizeof(*prog->inlined_loops));
	err = !reach || !prog->inlined_loops ? -ENOMEM : prog__reach(prog, reach);
	for (size_t i = 0; !err && i < prog->insn_cnt; i++)
		if (reach[i] & REACH_LOOP_INLINED)
			prog->inlined_loops[prog->inlined_loop_cnt++] = i;
	free(reach);
	return err;
}

/* The verifier's structural checks, once per program: what the kernel would
 * not load must not reach the interpreter or the engine. What it will load
 * has its bpf_loop calls looked at. */
static int check_progs(struct loader *ld)
{
	for (size_t i = 0; i < ld->obj->prog_cnt; i++) {
		struct mhse_prog *prog = &ld->obj->progs[i];
		char msg[256], prefix[32];
		size_t len;
		int err;

		if (!insn_check_load(prog->insns, prog->insn_cnt, &prog->rejected_insn, msg, sizeof(msg))) {
			err = mhse_prog__find_inlined_loops(prog);
			if (err)
				return err;
			continue;
		}
		/* the instruction is kept apart, for its source line */
		len = (size_t)snprintf(prefix, sizeof(prefix), "insn %zu: ", prog->rejected_insn);
		prog->rejected = strdup(strncmp(msg, prefix, len) ? msg : msg + len);
		if (!prog->rejected)
			return -ENOMEM;
	}
	return 0;
}

/* iproute2 places a tail-called program by its section name "ID/KEY": slot
 * KEY of the program array whose bpf_elf_map id is ID. */
static int fill_iproute2_prog_slots(struct loader *ld)
{
	struct mhse_object *obj = ld->obj;

	for (size_t p = 0; ld->legacy_cnt && p < obj->prog_cnt; p++) {
		unsigned int id, key;

		if (!mhse_section__iproute2_slot(obj->progs[p].section, &id, &key))
			continue;
		for (size_t i = 0; i < ld->legacy_cnt; i++) {
			struct mhse_map *map = &obj->maps[ld->legacy[i].map];
			int err;

			if (ld->legacy[i].id != id || map->type != BPF_MAP_TYPE_PROG_ARRAY)
				continue;
			if (key >= MAX_LEGACY_SLOT) {
				pr_err("%s: program section %s names slot %u, beyond mhse's %u\n", ld->file,
				       obj->progs[p].section, key, MAX_LEGACY_SLOT);
				return -EINVAL;
			}
			err = set_slot(map, key, (int)p);
			if (err)
				return err;
		}
	}
	return 0;
}

static bool is_local_storage(uint32_t type)
{
	return type == BPF_MAP_TYPE_SK_STORAGE || type == BPF_MAP_TYPE_INODE_STORAGE ||
	       type == BPF_MAP_TYPE_TASK_STORAGE || type == 32 /* BPF_MAP_TYPE_CGRP_STORAGE */ ||
	       type == BPF_MAP_TYPE_CGROUP_STORAGE || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static int default_max_entries(struct loader *ld, const struct mhse_open_opts *opts)
{
	struct mhse_object *obj = ld->obj;

	for (size_t i = 0; i < obj->map_cnt; i++) {
		struct mhse_map *map = &obj->maps[i];

		if (!map->max_entries && !is_local_storage(map->type)) {
			map->max_entries_default = true;
			if (opts && opts->default_max_entries)
				map->max_entries = opts->default_max_entries;
			else if (map->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
				map->max_entries = PERF_EVENT_ARRAY_CPUS;
			else if (map->type == BPF_MAP_TYPE_RINGBUF || map->type == BPF_MAP_TYPE_USER_RINGBUF)
				map->max_entries = DEFAULT_RINGBUF_BYTES;
			else
				map->max_entries = DEFAULT_MAX_ENTRIES;
		}
		if (map->init_slot_cnt > map->max_entries && !is_local_storage(map->type)) {
			pr_err("%s: map '%s' initialises slot %u of its %u entries\n", ld->file, map->name,
			       map->init_slot_cnt - 1, map->max_entries);
			return -EINVAL;
		}
	}
	return 0;
}

static void free_poisons(struct mhse_poison *poisons, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		free(poisons[i].what);
	free(poisons);
}

static void loader__free(struct loader *ld)
{
	for (size_t i = 0; ld->secs && i < ld->sec_cnt; i++) {
		free(ld->secs[i].insns);
		free(ld->secs[i].call_target);
		free(ld->secs[i].relocated);
		free(ld->secs[i].line_at);
		free_poisons(ld->secs[i].poisons, ld->secs[i].poison_cnt);
	}
	free(ld->secs);
	free(ld->syms);
	free(ld->funcs);
	free(ld->locs);
	free(ld->btf_maps);
	free(ld->legacy);
	if (ld->elf)
		elf_end(ld->elf);
	free(ld->image);
}

int mhse_object__open_mem(const void *buf, size_t size, const char *name, const struct mhse_open_opts *opts,
			  struct mhse_object **objp)
{
	struct loader ld = { .file = name ? name : "<memory>", .opts = opts, .size = size };
	struct mhse_object *obj;
	int err;

	*objp = NULL;
	obj = calloc(1, sizeof(*obj));
	ld.obj = obj;
	/* A private copy: libelf may write to the image it parses, and buf is const. */
	ld.image = malloc(size ? size : 1);
	if (!obj || !ld.image) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(ld.image, buf, size);
	obj->path = strdup(ld.file);
	if (!obj->path) {
		err = -ENOMEM;
		goto out;
	}
	err = check_ehdr(&ld);
	if (err)
		goto out;
	elf_version(EV_CURRENT);
	ld.elf = elf_memory((char *)ld.image, size);
	if (!ld.elf || elf_kind(ld.elf) != ELF_K_ELF) {
		pr_err("%s: libelf cannot read it: %s\n", ld.file, elf_errmsg(-1));
		err = -EINVAL;
		goto out;
	}
	err = read_sections(&ld);
	err = err ?: read_symbols(&ld);
	err = err ?: collect_externs(&ld);
	err = err ?: read_license_and_version(&ld);
	err = err ?: load_btf(&ld);
	err = err ?: load_maps(&ld);
	err = err ?: collect_funcs(&ld);
	err = err ?: mark_programs(&ld);
	err = err ?: apply_relocs(&ld);
	err = err ?: resolve_local_calls(&ld);
	err = err ?: load_btf_ext(&ld);
	err = err ?: build_progs(&ld);
	err = err ?: check_progs(&ld);
	err = err ?: fill_iproute2_prog_slots(&ld);
	err = err ?: mhse_object__place_hooks(ld.obj);
	err = err ?: default_max_entries(&ld, opts);
out:
	loader__free(&ld);
	if (err == -ENOMEM)
		pr_err("%s: out of memory\n", ld.file);
	if (err) {
		mhse_object__close(obj);
		return err;
	}
	*objp = obj;
	return 0;
}

int mhse_object__open(const char *path, const struct mhse_open_opts *opts, struct mhse_object **obj)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd, err = 0;

	*obj = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		pr_err("%s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("%s: not a regular file\n", path);
		err = -EINVAL;
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		pr_err("%s: out of memory for %lld bytes\n", path, (long long)st.st_size);
		err = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			pr_err("%s: read failed: %s\n", path, n < 0 ? strerror(errno) : "file shrank");
			goto out;
		}
		done += (size_t)n;
	}
	err = mhse_object__open_mem(buf, done, path, opts, obj);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

void mhse_object__close(struct mhse_object *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct mhse_prog *prog = &obj->progs[i];

		free(prog->name);
		free(prog->section);
		free(prog->hook_why);
		free(prog->insns);
		for (size_t k = 0; k < prog->subprog_cnt; k++)
			free(prog->subprogs[k].name);
		free(prog->subprogs);
		free(prog->line_of);
		free_poisons(prog->poisons, prog->poison_cnt);
		free(prog->rejected);
		free(prog->inlined_loops);
	}
	free(obj->progs);
	for (size_t i = 0; i < obj->map_cnt; i++) {
		free(obj->maps[i].name);
		free(obj->maps[i].section);
		free(obj->maps[i].init);
		free(obj->maps[i].init_slots);
	}
	free(obj->maps);
	for (size_t i = 0; i < obj->extern_cnt; i++)
		free(obj->externs[i].name);
	free(obj->externs);
	free(obj->lines);
	btf__free(obj->btf);
	free(obj->core_target);
	free(obj->priv);
	free(obj->path);
	free(obj);
}

struct mhse_prog *mhse_object__find_prog(const struct mhse_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->prog_cnt; i++)
		if (strcmp(obj->progs[i].name, name) == 0)
			return &obj->progs[i];
	return NULL;
}

int mhse_object__find_map(const struct mhse_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->map_cnt; i++)
		if (strcmp(obj->maps[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

int mhse_object__find_extern(const struct mhse_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->extern_cnt; i++)
		if (strcmp(obj->externs[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

int mhse_object__bind_extern(struct mhse_object *obj, const char *name, uint64_t value)
{
	int idx = mhse_object__find_extern(obj, name);
	struct mhse_extern *ext;

	if (idx < 0)
		return idx;
	ext = &obj->externs[idx];
	ext->bound = true;
	ext->value = value;
	/* A kconfig value is read from the .kconfig map: store it there, little-endian, in the extern's size. */
	if (ext->map >= 0) {
		uint8_t *p = obj->maps[ext->map].init + ext->map_off;

		for (uint32_t i = 0; i < ext->size; i++)
			p[i] = i < sizeof(value) ? (uint8_t)(value >> (8 * i)) : 0;
	}
	return 0;
}

int mhse_object__set_map_size(struct mhse_object *obj, const char *name, uint32_t max_entries)
{
	int idx = mhse_object__find_map(obj, name);

	if (idx < 0)
		return idx;
	if (!max_entries)
		return -EINVAL;
	obj->maps[idx].max_entries = max_entries;
	return 0;
}

/* A tracing or LSM program's attach target: its section past the first '/'. */
static const char *attach_target(const struct mhse_prog *prog)
{
	const char *slash = prog->section ? strchr(prog->section, '/') : NULL;

	return slash ? slash + 1 : "";
}

static bool tail_call_compatible(const struct mhse_prog *caller, const struct mhse_prog *callee)
{
	if (callee->type != caller->type || callee->expected_attach_type != caller->expected_attach_type)
		return false;
	if (caller->type != BPF_PROG_TYPE_TRACING && caller->type != BPF_PROG_TYPE_LSM)
		return true;
	return !strcmp(attach_target(caller), attach_target(callee));
}

int mhse_prog__tail_call_target(const struct mhse_prog *caller, const struct mhse_prog *callee, char *why,
				size_t why_len)
{
	if (!callee->rejected && tail_call_compatible(caller, callee))
		return 0;
	if (why && callee->rejected)
		snprintf(why, why_len, "which the kernel would not load (insn %zu: %s)", callee->rejected_insn,
			 callee->rejected);
	else if (why)
		snprintf(why, why_len, "which the kernel would not put there for %s (another program type, attach "
			 "type or target)", caller->name);
	return -EINVAL;
}

const char *mhse_prog__poisoned(const struct mhse_prog *prog, size_t insn_idx)
{
	for (size_t i = 0; i < prog->poison_cnt; i++)
		if (prog->poisons[i].insn == insn_idx)
			return prog->poisons[i].what;
	return NULL;
}

bool mhse_prog__loop_inlined(const struct mhse_prog *prog, size_t insn_idx)
{
	for (size_t i = 0; i < prog->inlined_loop_cnt; i++)
		if (prog->inlined_loops[i] == insn_idx)
			return true;
	return false;
}

const struct mhse_line *mhse_prog__line(const struct mhse_object *obj, const struct mhse_prog *prog, size_t insn_idx)
{
	int32_t line;

	if (!prog->line_of || insn_idx >= prog->insn_cnt)
		return NULL;
	line = prog->line_of[insn_idx];
	return line >= 0 && (size_t)line < obj->line_cnt ? &obj->lines[line] : NULL;
}
