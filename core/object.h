/* SPDX-License-Identifier: MIT */
/*
 * A clang-built BPF ELF object, read the way libbpf and the kernel read it,
 * and more leniently: legacy map sections, static and untyped entry points,
 * undefined externs and odd section names are all accepted.
 *
 * After mhse_object__open every program is self-contained, as libbpf makes
 * it before BPF_PROG_LOAD: the entry function's instructions first, then
 * every subprogram it reaches (transitively) appended, with pc-relative call
 * and function-reference offsets fixed up. Relocated LD_IMM64 instructions
 * carry mhse's pseudo source registers (see insn.h): a map by index, a map
 * value (global data) by index and offset, an extern by index.
 */
#ifndef MHSE_OBJECT_H
#define MHSE_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct btf;

enum mhse_map_origin {
	MHSE_MAP_BTF,        /* SEC(".maps") */
	MHSE_MAP_LEGACY,     /* SEC("maps"), libbpf's struct bpf_map_def */
	MHSE_MAP_LEGACY_ELF, /* SEC("maps"), iproute2's struct bpf_elf_map */
	MHSE_MAP_GLOBAL,     /* .data, .rodata*, .bss, .kconfig */
	MHSE_MAP_INNER,      /* an inner map definition of a map-in-map */
};

struct mhse_map {
	char *name;       /* symbol name; for global data libbpf's "<obj>.data" style is not used: ".data" etc. */
	char *section;
	uint32_t type;    /* enum bpf_map_type */
	uint32_t key_size, value_size, max_entries, map_flags;
	uint32_t numa_node, pinning;
	int inner;        /* index of the inner map definition of a map-in-map, or -1 */
	bool max_entries_default; /* 0 in the object, set by mhse's default (or --map-size) */
	enum mhse_map_origin origin;
	uint8_t *init;    /* initial bytes of global data (value_size bytes), else NULL */
	bool readonly;    /* .rodata and .kconfig */
	uint32_t btf_key_type_id, btf_value_type_id;
	/* Initial slots of a BTF-defined program array or map-in-map (__array(values, ...)
	 * with an initialiser): slot -> program index or map index, -1 for empty. */
	int *init_slots;
	uint32_t init_slot_cnt;
};

struct mhse_subprog {
	char *name;
	size_t start, cnt; /* instruction range within mhse_prog.insns */
};

struct mhse_line {
	const char *file;  /* owned by the object's BTF string table */
	const char *text;  /* source line text, may be "" */
	uint32_t line, col;
};

/* The rule that gave a program its hook (core/place.c), in the order they are tried. */
enum mhse_hook_rule {
	MHSE_RULE_NONE,      /* none did */
	MHSE_RULE_SECTION,   /* the section, by libbpf's SEC() rules */
	MHSE_RULE_BTF,       /* the context type of its BTF signature */
	MHSE_RULE_PREFIX,    /* the section, by libbpf's rules before 1.0 and iproute2's */
	MHSE_RULE_TAIL_CALL, /* a slot of a program array a placed program tail-calls through */
	MHSE_RULE_HELPERS,   /* a helper one program type alone may call */
	MHSE_RULE_OBJECT,    /* iproute2's "N/K" section: the type of the object's other programs */
};

struct mhse_prog {
	char *name;         /* function symbol name */
	char *section;
	uint32_t type;      /* enum bpf_prog_type as placed (hook_rule), BPF_PROG_TYPE_UNSPEC if unknown */
	uint32_t expected_attach_type;
	const char *hook;   /* mhse hook (spec) name ("xdp", "tc", "sockops", "kprobe",
			     * "socket_filter", ...), or NULL when no rule places it */
	enum mhse_hook_rule hook_rule;
	char *hook_why;     /* what the rule found ("context type struct xdp_md *"); when no rule
			     * placed it, what each rule found */
	struct bpf_insn *insns;
	size_t insn_cnt;    /* entry function plus appended subprograms */
	struct mhse_subprog *subprogs; /* [0] is the entry function itself */
	size_t subprog_cnt;
	int32_t *line_of;   /* insn index -> index into mhse_object.lines, or -1; NULL without BTF.ext */
	size_t sec_insn_off; /* offset of the entry function in its section, in instructions */
	struct mhse_poison *poisons; /* instructions CO-RE left poisoned, by insn index */
	size_t poison_cnt;
	/* Why the kernel would not load the program (insn_check_load's reason)
	 * and the instruction it names, NULL when it would: such a program is
	 * neither explored nor run, and no program array holds it. */
	char *rejected;
	size_t rejected_insn;
	size_t *inlined_loops; /* the bpf_loop calls the verifier inlines (reach.h), ascending */
	size_t inlined_loop_cnt;
};

/* An instruction whose CO-RE relocation failed, rewritten as libbpf rewrites
 * it: a call to the invalid helper MHSE_CORE_POISON_CALL (both halves of an
 * LD_IMM64), which the verifier rejects only if a path reaches it. */
#define MHSE_CORE_POISON_CALL 0xbad2310

struct mhse_poison {
	size_t insn;
	char *what;         /* the relocation and why it failed, for the path's message */
};

struct mhse_extern {
	char *name;
	bool kconfig;       /* declared in .kconfig (extern ... __kconfig) */
	bool ksym;          /* declared as __ksym (kernel symbol or kfunc) */
	bool func;          /* a function: kfunc or undefined memset/memcpy */
	bool weak;          /* declared __weak: a kernel without it gives 0 */
	bool bound;         /* value given by --const, a kconfig default mhse knows, or
			     * 0 for a weak __ksym (mhse models no kernel symbol) */
	uint64_t value;
	/* A kconfig extern is read from memory, as libbpf lays it out: its bytes
	 * live at map_off in the ".kconfig" map (index map), LD_IMM64 of it is a
	 * map value reference there, and binding it writes them. map is -1 for
	 * other externs. */
	int map;
	uint32_t map_off, size;
};

struct mhse_object {
	char *path;
	char license[128];
	uint32_t kern_version;
	struct mhse_prog *progs;
	size_t prog_cnt;
	struct mhse_map *maps;
	size_t map_cnt;
	struct mhse_extern *externs;
	size_t extern_cnt;
	struct mhse_line *lines;
	size_t line_cnt;
	struct btf *btf;    /* libbpf's parse of .BTF, or NULL */
	size_t core_relo_cnt; /* CO-RE relocation records in .BTF.ext */
	size_t core_poisoned_cnt; /* of them, those that poisoned their instruction */
	char *core_target;  /* the BTF file they were resolved against; NULL: the object's own .BTF */
	void *priv;         /* loader-private storage (ELF image, string tables) */
};

struct mhse_open_opts {
	/* Used for maps whose max_entries is 0 in the object (perf, ringbuf and
	 * map-in-map maps sized by a user-space loader). 0 means the default. */
	uint32_t default_max_entries;
	/* Target of CO-RE relocations (`--btf`): raw BTF such as
	 * /sys/kernel/btf/vmlinux, or an ELF file with a .BTF section. NULL
	 * resolves them against the object's own .BTF. */
	const char *core_btf;
};

/* Opens and fully relocates an object. Returns 0, or a negative errno with a
 * one-line reason passed to the log callback (file and what is wrong). */
int mhse_object__open(const char *path, const struct mhse_open_opts *opts, struct mhse_object **obj);
int mhse_object__open_mem(const void *buf, size_t size, const char *name, const struct mhse_open_opts *opts,
			  struct mhse_object **obj);
/* Wraps bare instructions (a conformance vector, an assembled program) as an
 * object with one program named name and no maps. */
int mhse_object__from_insns(const struct bpf_insn *insns, size_t cnt, const char *name, struct mhse_object **obj);
void mhse_object__close(struct mhse_object *obj);

struct mhse_prog *mhse_object__find_prog(const struct mhse_object *obj, const char *name);
int mhse_object__find_map(const struct mhse_object *obj, const char *name);
int mhse_object__find_extern(const struct mhse_object *obj, const char *name);
/* Binds an extern (--const NAME=VALUE). -ENOENT if no such extern. */
int mhse_object__bind_extern(struct mhse_object *obj, const char *name, uint64_t value);
/* Sets max_entries of a map (--map-size NAME=N). */
int mhse_object__set_map_size(struct mhse_object *obj, const char *name, uint32_t max_entries);

/* Why instruction insn_idx of prog is poisoned, or NULL when it is not. */
const char *mhse_prog__poisoned(const struct mhse_prog *prog, size_t insn_idx);

/* Whether the verifier replaces the bpf_loop call at insn_idx of prog by the
 * loop itself, whose result differs from the helper's (REACH_LOOP_INLINED). */
bool mhse_prog__loop_inlined(const struct mhse_prog *prog, size_t insn_idx);

/* Finds the bpf_loop calls of prog the verifier inlines, for
 * mhse_prog__loop_inlined (the object loaders call it once per program the
 * kernel would load; the walk runs only for a program that calls bpf_loop).
 * 0 or -ENOMEM. */
int mhse_prog__find_inlined_loops(struct mhse_prog *prog);

/* Whether a program array caller tail-calls through may hold callee: one
 * the kernel loads, and puts there (bpf_prog_map_compatible: the same
 * program type and expected attach type, and for tracing and LSM programs
 * the same attach target). Returns 0, or -EINVAL with why ("which the
 * kernel would not ...") set unless it is NULL. */
int mhse_prog__tail_call_target(const struct mhse_prog *caller, const struct mhse_prog *callee, char *why,
				size_t why_len);

/* Source line of an instruction of prog, or NULL. */
const struct mhse_line *mhse_prog__line(const struct mhse_object *obj, const struct mhse_prog *prog, size_t insn_idx);

/* Section-name rules: program type, expected attach type and mhse hook name
 * per libbpf's SEC() conventions and cilium/ebpf's prefixes. Returns false
 * when no rule matches. */
bool mhse_section__classify(const char *section, uint32_t *prog_type, uint32_t *attach_type, const char **hook);
/* The same rules as libbpf read them before 1.0 (most as plain prefixes:
 * "xdp_fw" is XDP), with the prefixes it had then and iproute2's "tc": the
 * prefix that matched, or NULL. */
const char *mhse_section__classify_legacy(const char *section, uint32_t *prog_type, uint32_t *attach_type,
					  const char **hook);
/* Whether section is iproute2's "ID/KEY" for a tail-called program: slot
 * KEY of the program array whose bpf_elf_map id is ID. */
bool mhse_section__iproute2_slot(const char *section, unsigned *id, unsigned *key);

/* Names as libbpf and bpftool spell them ("hash", "sched_cls"), or NULL when unknown. */
const char *mhse_map_type__name(uint32_t type);
const char *mhse_prog_type__name(uint32_t type);
/* The hook that models a program type ("tc" for both tc types), or NULL. */
const char *mhse_prog_type__hook(uint32_t type);

/* Places every program the section rules left without a hook by the other
 * rules (core/place.c) and records each program's rule. 0 or -ENOMEM. */
int mhse_object__place_hooks(struct mhse_object *obj);
/* "section", "btf", "section-prefix", "tail-call", "helpers"; NULL for none. */
const char *mhse_hook_rule__name(enum mhse_hook_rule rule);

/*
 * Loader internals shared by core/object.c (ELF, relocation) and
 * core/btf_info.c (.BTF and .BTF.ext). Not for other callers.
 */

/* A little-endian u32 of an object file, at any alignment. */
static inline uint32_t mhse_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* An executable section as .BTF.ext names it. mhse_btf_ext__parse sets
 * line_at (insn -> index into obj->lines, or -1) for sections that have line
 * info; the caller frees it. */
struct mhse_code_sec {
	const char *name;
	size_t insn_cnt;
	int32_t *line_at;
	struct bpf_insn *insns;      /* patched in place by CO-RE relocations */
	struct mhse_poison *poisons; /* set by mhse_core__relocate; the caller frees them */
	size_t poison_cnt;
};

/* A CO-RE record of .BTF.ext and the code section (index into the
 * mhse_code_sec array) whose instruction it patches. */
struct mhse_core_rec {
	size_t sec;
	struct bpf_core_relo relo;
};

/* One map definition of SEC(".maps") as its BTF variable describes it. */
struct mhse_btf_map_def {
	uint32_t type, key_size, value_size, max_entries, map_flags, numa_node, pinning;
	uint32_t key_type_id, value_type_id;
};

struct mhse_btf_map {
	const char *name;        /* owned by obj->btf */
	uint32_t size;           /* of the definition struct (an initialised values array adds to it) */
	uint64_t offset;         /* in .maps, from the symbol table: an object file's .BTF leaves DATASEC offsets 0 */
	struct mhse_btf_map_def def;
	bool has_inner;          /* __array(values, struct {...}): a map-in-map's inner definition */
	struct mhse_btf_map_def inner;
	bool has_values;         /* an __array(values, ...) member, whose slots relocations initialise */
	uint32_t values_off;     /* its offset in the variable */
};

/* Parses .BTF into obj->btf. 0, or -EINVAL after logging "file: problem". */
int mhse_btf__load(struct mhse_object *obj, const char *file, const void *data, size_t size);
/* Parses a BTF file (raw, or an ELF file's .BTF) into *btf. 0, or a
 * negative errno after logging "path: problem". */
int mhse_btf__load_file(const char *path, struct btf **btf);
/* Follows typedefs and qualifiers from type id; NULL for a bad id or an
 * endless chain. *res_id (optional) is the id of the type returned. */
const struct btf_type *mhse_btf__skip_mods(const struct btf *btf, uint32_t id, uint32_t *res_id);
/* Reads .BTF.ext: line info into obj->lines and secs[].line_at, CO-RE
 * records into a malloc'ed *core (*core_cnt of them, also counted in
 * obj->core_relo_cnt). 0, or a negative errno after logging. */
int mhse_btf_ext__parse(struct mhse_object *obj, const char *file, const void *data, size_t size,
			struct mhse_code_sec *secs, size_t sec_cnt, struct mhse_core_rec **core, size_t *core_cnt);
/* Parses the map definitions of the ".maps" DATASEC into a malloc'ed array
 * (offsets left 0). 0, or a negative errno after logging. */
int mhse_btf__maps(const struct mhse_object *obj, const char *file, struct mhse_btf_map **maps, size_t *cnt);
/* Marks the externs BTF declares in .kconfig or .ksyms (kfuncs too) and lays
 * kconfig externs out as libbpf does (size and map_off set; map left to the
 * caller, who makes a map of *kconfig_size bytes). 0, or a negative errno
 * after logging. */
int mhse_btf__classify_externs(struct mhse_object *obj, const char *file, uint32_t *kconfig_size);

#endif
