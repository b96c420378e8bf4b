// SPDX-License-Identifier: MIT
/*
 * What the loader makes of the test objects of this directory, checked fact
 * by fact against their sources: programs and their types, subprograms
 * appended and calls fixed up, maps of every origin with their initial
 * slots, global data bytes, externs and their kconfig storage, line info.
 *
 * Every program of every object must also pass insn_check, which catches a
 * call or a jump that a wrong layout would send outside the program, and
 * load identically when its relocations are rewritten as SHT_RELA (clang
 * writes SHT_REL only).
 *
 * usage: loader_objects features.bpf.o static_prog.bpf.o legacy_maps.bpf.o iproute2_maps.bpf.o asm_entry.bpf.o
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "insn.h"
#include "object.h"

static unsigned int passed, failed;
static const char *current;

#define CHECK(cond, ...)                                     \
	do {                                                 \
		if (cond) {                                  \
			passed++;                            \
		} else {                                     \
			failed++;                            \
			printf("%s: %s: ", current, #cond); \
			printf(__VA_ARGS__);                 \
			putchar('\n');                       \
		}                                            \
	} while (0)

static const struct mhse_map *map(const struct mhse_object *obj, const char *name)
{
	int idx = mhse_object__find_map(obj, name);

	CHECK(idx >= 0, "no map %s", name);
	return idx >= 0 ? &obj->maps[idx] : NULL;
}

static const struct mhse_prog *prog(const struct mhse_object *obj, const char *name)
{
	const struct mhse_prog *p = mhse_object__find_prog(obj, name);

	CHECK(p, "no program %s", name);
	return p;
}

static int prog_index(const struct mhse_object *obj, const char *name)
{
	const struct mhse_prog *p = mhse_object__find_prog(obj, name);

	return p ? (int)(p - obj->progs) : -2;
}

static void check_slots(const struct mhse_map *m, const int *want, uint32_t cnt)
{
	CHECK(m->init_slot_cnt == cnt, "map %s has %u slots, want %u", m->name, m->init_slot_cnt, cnt);
	for (uint32_t i = 0; i < cnt && i < m->init_slot_cnt; i++)
		CHECK(m->init_slots[i] == want[i], "map %s slot %u holds %d, want %d", m->name, i, m->init_slots[i],
		      want[i]);
}

/* The subprogram names of p, in layout order, joined by spaces. */
static void check_subprogs(const struct mhse_prog *p, const char *want)
{
	char got[256] = "";

	for (size_t i = 0; i < p->subprog_cnt; i++) {
		strncat(got, i ? " " : "", sizeof(got) - strlen(got) - 1);
		strncat(got, p->subprogs[i].name, sizeof(got) - strlen(got) - 1);
	}
	CHECK(strcmp(got, want) == 0, "program %s lays out '%s', want '%s'", p->name, got, want);
}

#define ANY_IMM INT64_MAX

/* The first instruction of p that loads (LD_IMM64) or calls with src_reg src
 * and imm (or any imm), or -1. */
static long find_ref(const struct mhse_prog *p, bool call, uint8_t src, int64_t imm)
{
	for (size_t i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *insn = &p->insns[i];
		bool is_call = insn->code == (BPF_JMP | BPF_CALL);

		if ((call ? is_call : insn_is_ld_imm64(insn)) && insn->src_reg == src &&
		    (imm == ANY_IMM || insn->imm == imm))
			return (long)i;
	}
	return -1;
}

/* Layout invariants every program must meet, whatever its object. */
static void check_layout(const struct mhse_object *obj)
{
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		const struct mhse_prog *p = &obj->progs[i];
		size_t next = 0, bad;
		char msg[128] = "";

		for (size_t k = 0; k < p->subprog_cnt; k++) {
			CHECK(p->subprogs[k].start == next, "program %s: subprogram %s starts at %zu, not %zu", p->name,
			      p->subprogs[k].name, p->subprogs[k].start, next);
			next = p->subprogs[k].start + p->subprogs[k].cnt;
		}
		CHECK(next == p->insn_cnt, "program %s: subprograms cover %zu of %zu insns", p->name, next,
		      p->insn_cnt);
		CHECK(insn_check(p->insns, p->insn_cnt, &bad, msg, sizeof(msg)) == 0, "program %s: %s", p->name, msg);
	}
}

static void check_default_opts(const char *path)
{
	struct mhse_open_opts opts = { .default_max_entries = 64 };
	struct mhse_object *obj;

	CHECK(mhse_object__open(path, &opts, &obj) == 0, "open with opts");
	if (!obj)
		return;
	CHECK(obj->maps[mhse_object__find_map(obj, "events")].max_entries == 64, "default_max_entries ignored");
	mhse_object__close(obj);
}

static void check_features(struct mhse_object *obj)
{
	const struct mhse_prog *main_prog = prog(obj, "xdp_main"), *p;
	const struct mhse_map *m, *kconfig = map(obj, ".kconfig");
	const struct mhse_line *line;
	int outer_inner = mhse_object__find_map(obj, "outer.inner");
	int kver = mhse_object__find_extern(obj, "LINUX_KERNEL_VERSION");
	int rcu = mhse_object__find_extern(obj, "bpf_rcu_read_lock");
	int active = mhse_object__find_extern(obj, "bpf_prog_active");
	long callback;

	CHECK(obj->prog_cnt == 7, "%zu programs", obj->prog_cnt);
	CHECK(!strcmp(obj->license, "GPL"), "license '%s'", obj->license);
	if (main_prog) {
		CHECK(main_prog->type == BPF_PROG_TYPE_XDP && main_prog->hook && !strcmp(main_prog->hook, "xdp"),
		      "type %u", main_prog->type);
		check_subprogs(main_prog, "xdp_main loop_body global_helper add_one");
		/* bpf_loop's callback: a function reference to the second subprogram */
		callback = find_ref(main_prog, false, BPF_PSEUDO_FUNC, ANY_IMM);
		CHECK(callback >= 0 && main_prog->subprog_cnt > 1 &&
			      callback + main_prog->insns[callback].imm + 1 == (long)main_prog->subprogs[1].start,
		      "the callback reference at %ld misses loop_body", callback);
		line = mhse_prog__line(obj, main_prog, 0);
		CHECK(line && strstr(line->file, "features.bpf.c") && strstr(line->text, "ingress_ifindex"),
		      "line of insn 0: %s", line ? line->text : "(none)");
	}
	if ((p = prog(obj, "xdp_second")))
		check_subprogs(p, "xdp_second add_one");
	if ((p = prog(obj, "probe_ret")))
		CHECK(p->type == BPF_PROG_TYPE_KPROBE && !p->expected_attach_type && !strcmp(p->hook, "kretprobe"),
		      "kretprobe classified as type %u attach %u", p->type, p->expected_attach_type);
	if ((p = prog(obj, "tail_target")))
		CHECK(p->type == BPF_PROG_TYPE_SCHED_CLS && !strcmp(p->hook, "tc"), "tc/ingress is type %u",
		      p->type);
	if ((p = prog(obj, "tc_optional")))
		CHECK(!strcmp(p->section, "tc") && p->type == BPF_PROG_TYPE_SCHED_CLS && p->hook && !strcmp(p->hook, "tc"),
		      "?tc is section '%s' type %u", p->section, p->type);
	if ((p = prog(obj, "tc_main")) && kconfig) {
		CHECK(rcu >= 0 && find_ref(p, true, BPF_PSEUDO_KFUNC_CALL, rcu) >= 0, "no kfunc call to extern %d",
		      rcu);
		CHECK(active >= 0 && find_ref(p, false, MHSE_PSEUDO_EXTERN, active) >= 0, "no load of ksym %d",
		      active);
		CHECK(find_ref(p, false, MHSE_PSEUDO_MAP_IDX_VALUE, kconfig - obj->maps) >= 0,
		      "no load from the .kconfig map");
	}

	if ((m = map(obj, "outer"))) {
		int inner_a = mhse_object__find_map(obj, "inner_a"), inner_b = mhse_object__find_map(obj, "inner_b");
		int want[] = { -1, inner_a, -1, inner_b };

		CHECK(m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS && m->inner == outer_inner && outer_inner >= 0 &&
			      obj->maps[outer_inner].origin == MHSE_MAP_INNER && obj->maps[outer_inner].value_size == 8,
		      "outer's inner is %d", m->inner);
		check_slots(m, want, 4);
	}
	if ((m = map(obj, "jumps"))) {
		int want[] = { -1, -1, prog_index(obj, "tail_target") };

		check_slots(m, want, 3);
	}
	if ((m = map(obj, "flows")))
		CHECK(m->type == BPF_MAP_TYPE_HASH && m->key_size == 4 && m->value_size == 8 && m->max_entries == 128 &&
			      m->map_flags == BPF_F_NO_PREALLOC && !m->max_entries_default && m->origin == MHSE_MAP_BTF,
		      "flows is %u/%u/%u/%u", m->type, m->key_size, m->value_size, m->max_entries);
	if ((m = map(obj, "events")))
		CHECK(m->max_entries == 1 && m->max_entries_default, "events max_entries %u", m->max_entries);
	if ((m = map(obj, "ring")))
		CHECK(m->max_entries == 4096 * 64 && m->max_entries_default, "ring max_entries %u", m->max_entries);
	if ((m = map(obj, ".rodata")))
		CHECK(m->readonly && m->value_size == 10 && m->init && m->init[0] == 100 && !strcmp((char *)m->init + 4, "hello"),
		      ".rodata is %u bytes", m->value_size);
	if ((m = map(obj, ".data")))
		CHECK(!m->readonly && m->init && m->init[0] == 7 && m->origin == MHSE_MAP_GLOBAL, ".data wrong");
	if ((m = map(obj, ".data.custom")))
		CHECK(m->init && m->init[0] == 0xcd && m->init[1] == 0xab, ".data.custom wrong");
	if ((m = map(obj, ".bss")))
		CHECK(m->value_size == 8 && m->init && !m->init[7] && m->max_entries == 1, ".bss wrong");

	CHECK(rcu >= 0 && obj->externs[rcu].func && obj->externs[rcu].ksym, "bpf_rcu_read_lock is no kfunc");
	CHECK(active >= 0 && obj->externs[active].ksym && !obj->externs[active].func, "bpf_prog_active is no ksym");
	if (kver >= 0 && kconfig) {
		const struct mhse_extern *ext = &obj->externs[kver];

		CHECK(ext->kconfig && ext->size == 4 && ext->map == kconfig - obj->maps, "LINUX_KERNEL_VERSION storage");
		CHECK(mhse_object__bind_extern(obj, "LINUX_KERNEL_VERSION", 0x060100) == 0 && ext->bound,
		      "bind failed");
		CHECK(kconfig->init[ext->map_off] == 0x00 && kconfig->init[ext->map_off + 1] == 0x01 &&
			      kconfig->init[ext->map_off + 2] == 0x06,
		      "bound value not in .kconfig");
	}
	CHECK(mhse_object__bind_extern(obj, "no_such_extern", 1) == -ENOENT, "binding a missing extern");
	CHECK(mhse_object__set_map_size(obj, "ring", 8192) == 0 && obj->maps[mhse_object__find_map(obj, "ring")].max_entries == 8192,
	      "set_map_size");
	CHECK(mhse_object__set_map_size(obj, "nope", 1) == -ENOENT, "set_map_size of a missing map");
	check_default_opts(current);
}


static void check_static(struct mhse_object *obj)
{
	const struct mhse_prog *p;

	CHECK(obj->prog_cnt == 2, "%zu programs", obj->prog_cnt);
	if ((p = prog(obj, "xdp_static")))
		check_subprogs(p, "xdp_static same_section_helper");
	if ((p = prog(obj, "xdp_global"))) {
		int undef = mhse_object__find_extern(obj, "undefined_value");

		check_subprogs(p, "xdp_global same_section_helper");
		CHECK(undef >= 0 && find_ref(p, false, MHSE_PSEUDO_EXTERN, undef) >= 0, "no load of extern %d",
		      undef);
		CHECK(undef >= 0 && !obj->externs[undef].ksym && !obj->externs[undef].kconfig && !obj->externs[undef].func,
		      "undefined_value classified");
	}
}

static void check_legacy(struct mhse_object *obj)
{
	const struct mhse_map *m;
	const struct mhse_prog *p = prog(obj, "count_packets");

	CHECK(obj->kern_version == 0x050a00, "kern_version %#x", obj->kern_version);
	if (p)
		CHECK(p->type == BPF_PROG_TYPE_SOCKET_FILTER && !strcmp(p->hook, "socket_filter"), "socket1 is type %u",
		      p->type);
	if ((m = map(obj, "counts")))
		CHECK(m->origin == MHSE_MAP_LEGACY && m->type == BPF_MAP_TYPE_ARRAY && m->key_size == 4 &&
			      m->value_size == 8 && m->max_entries == 16,
		      "counts is %u/%u/%u/%u", m->type, m->key_size, m->value_size, m->max_entries);
	if ((m = map(obj, "templ")))
		CHECK(m->numa_node == 1, "templ numa_node %u", m->numa_node);
	if ((m = map(obj, "outer_legacy")))
		CHECK(m->inner == mhse_object__find_map(obj, "templ"), "outer_legacy inner %d", m->inner);
	if ((m = map(obj, "perf")))
		CHECK(m->max_entries == 1 && m->max_entries_default, "perf max_entries %u", m->max_entries);
}

static void check_iproute2(struct mhse_object *obj)
{
	const struct mhse_map *m;
	const struct mhse_prog *p = prog(obj, "entry");
	int inner = mhse_object__find_map(obj, "map_inner");

	if (p)
		/* no section rule names it: its BTF signature (struct __sk_buff *) makes it tc */
		CHECK(p->type == BPF_PROG_TYPE_SCHED_CLS && p->hook && !strcmp(p->hook, "tc") &&
			      p->hook_rule == MHSE_RULE_BTF,
		      "from-netdev placed as type %u by rule %d", p->type, p->hook_rule);
	if ((m = map(obj, "jmp_map"))) {
		int want[] = { prog_index(obj, "tail_zero"), -1, -1, prog_index(obj, "tail_three") };

		CHECK(m->origin == MHSE_MAP_LEGACY_ELF, "jmp_map origin %d", m->origin);
		check_slots(m, want, 4);
	}
	if ((m = map(obj, "map_outer"))) {
		int want[] = { -1, -1, inner };

		CHECK(m->inner == inner && inner >= 0, "map_outer inner %d", m->inner);
		check_slots(m, want, 3);
	}
	if (inner >= 0)
		CHECK(obj->maps[inner].pinning == 2, "map_inner pinning %u", obj->maps[inner].pinning);
}

static void check_asm(struct mhse_object *obj)
{
	const struct mhse_prog *p;

	CHECK(obj->prog_cnt == 3, "%zu programs", obj->prog_cnt);
	if ((p = prog(obj, "first"))) {
		int memset_ext = mhse_object__find_extern(obj, "memset");

		check_subprogs(p, "first second");
		CHECK(memset_ext >= 0 && obj->externs[memset_ext].func && !obj->externs[memset_ext].ksym &&
			      find_ref(p, true, BPF_PSEUDO_KFUNC_CALL, memset_ext) >= 0,
		      "the call to memset is no extern call");
	}
	if ((p = prog(obj, "2/7")))
		CHECK(p->insn_cnt == 2 && !strcmp(p->section, "2/7"), "2/7 has %zu insns", p->insn_cnt);
}

static uint8_t *read_file(const char *path, size_t *size, size_t room)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (f && !fseek(f, 0, SEEK_END) && (len = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		*size = (size_t)len;
		buf = malloc(*size + room);
		if (buf && fread(buf, 1, *size, f) != *size) {
			free(buf);
			buf = NULL;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

/* The object with its code relocations rewritten as SHT_RELA, their implicit
 * addends (an LD_IMM64's imm, a call's pc-relative (imm + 1) * 8) moved to
 * r_addend: it must load to the very same programs. */
static void check_rela(const char *path, const struct mhse_object *want)
{
	size_t size, end;
	uint8_t *buf = read_file(path, &size, 0), *grown;
	struct mhse_object *obj;
	Elf64_Ehdr ehdr;
	int err;

	CHECK(buf, "cannot read %s", path);
	if (!buf)
		return;
	memcpy(&ehdr, buf, sizeof(ehdr));
	/* Each Elf64_Rel becomes a 24-byte Elf64_Rela: room for all of them at the end. */
	grown = realloc(buf, size * 3 / 2 + 4096);
	if (!grown) {
		free(buf);
		return;
	}
	buf = grown;
	end = (size + 7) & ~(size_t)7;
	for (size_t i = 0; i < ehdr.e_shnum; i++) {
		Elf64_Shdr shdr, target;

		memcpy(&shdr, buf + ehdr.e_shoff + i * sizeof(shdr), sizeof(shdr));
		if (shdr.sh_type != SHT_REL)
			continue;
		memcpy(&target, buf + ehdr.e_shoff + shdr.sh_info * sizeof(target), sizeof(target));
		if (!(target.sh_flags & SHF_EXECINSTR))
			continue;
		for (size_t k = 0; k < shdr.sh_size / sizeof(Elf64_Rel); k++) {
			Elf64_Rel rel;
			Elf64_Rela rela;
			struct bpf_insn insn;

			memcpy(&rel, buf + shdr.sh_offset + k * sizeof(rel), sizeof(rel));
			memcpy(&insn, buf + target.sh_offset + rel.r_offset, sizeof(insn));
			rela = (Elf64_Rela){ .r_offset = rel.r_offset, .r_info = rel.r_info,
					     .r_addend = insn.code == (BPF_JMP | BPF_CALL) ? ((int64_t)insn.imm + 1) * 8 :
											     insn.imm };
			memcpy(buf + end + k * sizeof(rela), &rela, sizeof(rela));
		}
		shdr.sh_type = SHT_RELA;
		shdr.sh_offset = end;
		shdr.sh_size = shdr.sh_size / sizeof(Elf64_Rel) * sizeof(Elf64_Rela);
		shdr.sh_entsize = sizeof(Elf64_Rela);
		memcpy(buf + ehdr.e_shoff + i * sizeof(shdr), &shdr, sizeof(shdr));
		end += shdr.sh_size;
	}
	err = mhse_object__open_mem(buf, end, path, NULL, &obj);
	CHECK(!err, "the RELA form does not load");
	for (size_t i = 0; !err && i < obj->prog_cnt && i < want->prog_cnt; i++)
		CHECK(obj->progs[i].insn_cnt == want->progs[i].insn_cnt &&
			      !memcmp(obj->progs[i].insns, want->progs[i].insns,
				      obj->progs[i].insn_cnt * sizeof(struct bpf_insn)),
		      "program %s differs in the RELA form", want->progs[i].name);
	if (!err)
		mhse_object__close(obj);
	free(buf);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *suffix;
		void (*check)(struct mhse_object *obj);
	} objects[] = {
		{ "features.bpf.o", check_features },
		{ "static_prog.bpf.o", check_static },
		{ "legacy_maps.bpf.o", check_legacy },
		{ "iproute2_maps.bpf.o", check_iproute2 },
		{ "asm_entry.bpf.o", check_asm },
	};

	for (int i = 1; i < argc; i++) {
		size_t len = strlen(argv[i]);
		struct mhse_object *obj;

		current = argv[i];
		CHECK(mhse_object__open(argv[i], NULL, &obj) == 0, "cannot open");
		if (!obj)
			continue;
		check_layout(obj);
		check_rela(argv[i], obj);
		for (size_t k = 0; k < sizeof(objects) / sizeof(objects[0]); k++) {
			size_t slen = strlen(objects[k].suffix);

			if (len >= slen && !strcmp(argv[i] + len - slen, objects[k].suffix))
				objects[k].check(obj);
		}
		mhse_object__close(obj);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
