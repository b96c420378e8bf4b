// SPDX-License-Identifier: MIT
/*
 * The kernel side of replay (see kernel.h for the interface).
 *
 * Loading follows what libbpf does before BPF_PROG_LOAD, on mhse's loader
 * output instead of an ELF file: a copy of the program's instructions gets
 * its LD_IMM64 map references rewritten from map indices
 * (MHSE_PSEUDO_MAP_IDX[_VALUE]) to the fds of maps created for them
 * (BPF_PSEUDO_MAP_FD/BPF_PSEUDO_MAP_VALUE), and bound externs become the
 * constants the interpreter loads for them. Calls and BPF_PSEUDO_FUNC
 * references are already pc-relative, as the kernel wants them.
 *
 * Maps and programs are created lazily, by index: a map when a program
 * being loaded refers to it, a program when a slot of a program array gets
 * it. Declared initial slots (libbpf's __array(values, ...) initialisers)
 * are filled after the operation that created their map, never from inside
 * a program load, so that a program array holding the program being loaded
 * cannot recurse into loading it again.
 *
 * The kernel keeps a per-CPU map's value once per possible CPU; mhse models
 * one CPU. Tests run on CPU 0 by pinning the calling thread there for the
 * duration of BPF_PROG_TEST_RUN: BPF_F_TEST_RUN_ON_CPU would say it more
 * directly, but the kernel accepts that flag only for raw tracepoints and
 * rejects it for packet programs (net/bpf/test_run.c).
 *
 * A program that calls helpers whose one effect is their result (a clock,
 * the CPU id) is loaded with those calls read from a table instead
 * (kernel_nondet.h), which each test run gets the test's results in.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "insn.h"
#include "kernel.h"
#include "kernel_nondet.h"
#include "log.h"
#include "map_ids.h"
#include "maps.h"
#include "mem.h"

#define VERIFIER_LOG_SIZE (16u << 20)
#define VERIFIER_LOG_TAIL 4096 /* the verifier's verdict is at the end of its log */
#define RESET_BATCH_BYTES (1u << 20)

/* A written slot of a slot map (see map_has_slots). Reset only marks it
 * stale: emptying a program array slot costs the kernel a text poke of every
 * JITed program that tail-calls through it (milliseconds), and a run puts
 * the same programs back after every reset. A stale slot written again with
 * the same value just becomes live; one still stale is deleted before the
 * map is read or a test runs. */
struct kernel_slot {
	uint32_t key;
	bool stale;
	uint8_t *value; /* as given, in mhse's terms */
};

/* Arrays larger than this are reset at the indices the caller filled or
 * read back since the last reset, not by rewriting every index: a 64K-entry
 * per-CPU array would otherwise cost milliseconds per test. */
#define FULL_RESET_MAX_ENTRIES 1024

struct kernel_map {
	const struct mhse_map *def;
	int fd;            /* -1 until some operation needs the map */
	bool init_pending; /* declared initial slots not written yet */
	struct kernel_slot *slots;
	size_t slot_cnt, slot_cap;
	uint32_t *touched; /* large arrays: indices to reset */
	size_t touched_cnt, touched_cap;
};

struct mhse_kernel {
	const struct mhse_object *obj;
	const struct mhse_hook *hook;
	struct kernel_map *maps; /* by map id (map_ids.h): the object's maps, then the inner maps of the test */
	uint32_t map_cnt;
	int *prog_fds;     /* -1 until loaded */
	uint32_t *prog_ids;
	int prog_idx;      /* the program test runs execute */
	int ncpus;
	uint8_t *buf;      /* staging for kernel-sized (per-CPU) values and batches */
	size_t buf_cap;
	int nondet_fd;     /* the table of nondeterministic results; -1 until a program calls for one */
	int btf_fd;        /* the object's BTF; -1 until a program needs it */
	struct bpf_object *btf_elf; /* where it came from */
	bool btf_tried;
	struct kernel_nondet_table nondet; /* the next test run's */
};

static const char *kernel_name(const char *name, char out[BPF_OBJ_NAME_LEN])
{
	size_t i;

	/* The kernel takes [A-Za-z0-9_.] and at most 15 of them. */
	for (i = 0; name[i] && i < BPF_OBJ_NAME_LEN - 1; i++) {
		char c = name[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ?
				 c : '_';
	}
	out[i] = '\0';
	return out;
}

/* bpf() failures that mean the syscall is not usable here at all. */
static bool bpf_unusable(int err)
{
	return err == -EPERM || err == -ENOSYS;
}

static int report_unusable(int err, const char *what)
{
	pr_err("kernel: bpf() is not usable here (%s: %s): run as root or with CAP_BPF and CAP_NET_ADMIN\n", what,
	       strerror(-err));
	return -EPERM;
}

static bool map_is_percpu_kernel(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* Index-addressed maps of references (programs, maps, devices, sockets):
 * every index exists for get_next_key, so reset clears the keys it wrote. */
static bool map_has_slots(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP:
		return true;
	default:
		return false;
	}
}

static size_t kernel_value_size(const struct mhse_kernel *k, const struct mhse_map *m)
{
	if (map_is_percpu_kernel(m->type))
		return (size_t)((m->value_size + 7) & ~7u) * (size_t)k->ncpus;
	return m->value_size;
}

static uint8_t *staging(struct mhse_kernel *k, size_t size)
{
	if (size > k->buf_cap) {
		uint8_t *buf = realloc(k->buf, size);

		if (!buf)
			return NULL;
		k->buf = buf;
		k->buf_cap = size;
	}
	memset(k->buf, 0, size);
	return k->buf;
}

/* Staging for a batch of cnt u32 keys and their values of size bytes each:
 * the keys first, which a value size need not keep aligned. */
static uint32_t *staging_batch(struct mhse_kernel *k, size_t cnt, size_t size, uint8_t **values)
{
	uint32_t *keys = (uint32_t *)staging(k, cnt * (sizeof(*keys) + size));

	*values = keys ? (uint8_t *)(keys + cnt) : NULL;
	return keys;
}

static int check_map_idx(const struct mhse_kernel *k, int map_idx)
{
	if (map_idx < 0 || (uint32_t)map_idx >= k->map_cnt) {
		pr_err("kernel: no map %d in %s\n", map_idx, k->obj->path);
		return -EINVAL;
	}
	return 0;
}

static int create_map(struct mhse_kernel *k, const struct mhse_map *m, int *fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = m->map_flags | (m->readonly ? BPF_F_RDONLY_PROG : 0));
	char name[BPF_OBJ_NAME_LEN];
	int inner_fd = -1, err;

	if (m->map_flags & BPF_F_NUMA_NODE)
		opts.numa_node = m->numa_node;
	if (m->inner >= 0) {
		/* A template: the kernel copies its shape into the outer map. */
		err = create_map(k, &k->obj->maps[m->inner], &inner_fd);
		if (err)
			return err;
		opts.inner_map_fd = inner_fd;
	}
	*fd = bpf_map_create(m->type, kernel_name(m->name, name), m->key_size, m->value_size, m->max_entries, &opts);
	if (inner_fd >= 0)
		close(inner_fd);
	if (*fd < 0) {
		err = *fd;
		if (bpf_unusable(err))
			return report_unusable(err, "BPF_MAP_CREATE");
		pr_err("kernel: cannot create map %s (%s, key %u, value %u, %u entries, flags 0x%x): %s\n", m->name,
		       mhse_map_type__name(m->type), m->key_size, m->value_size, m->max_entries, m->map_flags,
		       strerror(-err));
		return err;
	}
	return 0;
}

/* Writes global data's initial bytes (zeroes for .bss). */
static int write_global(struct mhse_kernel *k, const struct mhse_map *m, int fd)
{
	static const uint32_t zero;
	const uint8_t *init = m->init;
	int err;

	if (!init && !(init = staging(k, m->value_size)))
		return -ENOMEM;
	err = bpf_map_update_elem(fd, &zero, init, BPF_ANY);
	if (err)
		pr_err("kernel: cannot write the initial bytes of %s: %s\n", m->name, strerror(-err));
	return err;
}

static int map_fd(struct mhse_kernel *k, int map_idx, int *fd)
{
	struct kernel_map *km = &k->maps[map_idx];
	const struct mhse_map *m = km->def;
	int err;

	if (km->fd >= 0) {
		*fd = km->fd;
		return 0;
	}
	err = create_map(k, m, &km->fd);
	if (err)
		return err;
	if (m->origin == MHSE_MAP_GLOBAL) {
		err = write_global(k, m, km->fd);
		if (!err && m->readonly && (err = bpf_map_freeze(km->fd)))
			pr_err("kernel: cannot freeze %s: %s\n", m->name, strerror(-err));
		if (err)
			return err;
	}
	km->init_pending = m->init_slot_cnt > 0;
	*fd = km->fd;
	return 0;
}

static void print_verifier_log(const struct mhse_prog *p, int err, const char *log)
{
	size_t len = strlen(log);
	const char *tail = log;

	if (len > VERIFIER_LOG_TAIL) {
		tail = strchr(log + len - VERIFIER_LOG_TAIL, '\n');
		tail = tail ? tail + 1 : log + len - VERIFIER_LOG_TAIL;
	}
	pr_err("kernel: the verifier rejected %s (%s)%s\n%s", p->name, strerror(-err),
	       tail == log ? ":" : ", end of its log:", tail);
}

/* The program's instructions with map indices turned into fds and bound
 * externs into constants. */
static int rewrite_insns(struct mhse_kernel *k, const struct mhse_prog *p, struct bpf_insn *insns)
{
	for (size_t i = 0; i < p->insn_cnt; i++) {
		struct bpf_insn *insn = &insns[i];
		const struct mhse_extern *ext;
		int fd, err;

		if (insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
			pr_err("kernel: %s calls a kfunc, which mhse cannot load into the kernel\n", p->name);
			return -EOPNOTSUPP;
		}
		if (!insn_is_ld_imm64(insn) || i + 1 >= p->insn_cnt)
			continue;
		switch (insn->src_reg) {
		case MHSE_PSEUDO_MAP_IDX:
		case MHSE_PSEUDO_MAP_IDX_VALUE:
			err = check_map_idx(k, insn->imm) ?: map_fd(k, insn->imm, &fd);
			if (err)
				return err;
			insn->src_reg = insn->src_reg == MHSE_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
			insn->imm = fd;
			break;
		case MHSE_PSEUDO_EXTERN:
			ext = (uint32_t)insn->imm < k->obj->extern_cnt ? &k->obj->externs[insn->imm] : NULL;
			if (!ext || !ext->bound) {
				pr_err("kernel: %s uses extern %s, which has no value (bind it with --const)\n", p->name,
				       ext ? ext->name : "?");
				return -EOPNOTSUPP;
			}
			insn[0].src_reg = 0;
			insn[0].imm = (int32_t)(uint32_t)ext->value;
			insn[1].imm = (int32_t)(uint32_t)(ext->value >> 32);
			break;
		}
		i++;
	}
	return 0;
}

/* The array map of one struct kernel_nondet_table that stand-ins read. */
static int nondet_table_fd(struct mhse_kernel *k)
{
	if (k->nondet_fd >= 0)
		return 0;
	k->nondet_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "mhse_nondet", sizeof(uint32_t),
				      sizeof(struct kernel_nondet_table), 1, NULL);
	if (k->nondet_fd < 0) {
		int err = k->nondet_fd;

		pr_err("kernel: cannot create the table of nondeterministic results: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

static bool refers_to_functions(const struct mhse_prog *p)
{
	for (size_t i = 0; i + 1 < p->insn_cnt; i++)
		if (insn_is_ld_imm64(&p->insns[i]) && p->insns[i].src_reg == BPF_PSEUDO_FUNC)
			return true;
	return false;
}

/* The object's BTF as libbpf's open leaves it (global data sections given
 * their sizes, as the kernel wants them), loaded into the kernel once. */
static int load_btf(struct mhse_kernel *k)
{
	const void *raw = NULL;
	uint32_t size;

	if (k->btf_tried)
		return k->btf_fd >= 0 ? 0 : -EINVAL;
	k->btf_tried = true;
	k->btf_elf = bpf_object__open_file(k->obj->path, NULL);
	if (libbpf_get_error(k->btf_elf))
		k->btf_elf = NULL;
	else if (bpf_object__btf(k->btf_elf))
		raw = btf__raw_data(bpf_object__btf(k->btf_elf), &size);
	k->btf_fd = raw ? bpf_btf_load(raw, size, NULL) : -EINVAL;
	if (k->btf_fd < 0) {
		int err = k->btf_fd;

		pr_err("kernel: cannot load the BTF of %s: %s\n", k->obj->path, strerror(-err));
		return err;
	}
	return 0;
}

/* A program that refers to a function (a bpf_loop callback) must come with
 * a BTF function record per subprogram, as libbpf gives it from .BTF.ext:
 * the verifier refuses it without ("missing btf func_info"). The records of
 * p, from its instructions before the stand-ins (insns), into *info; none
 * when it needs none or the BTF does not name every function. */
static int func_info(struct mhse_kernel *k, const struct mhse_prog *p, const struct bpf_insn *insns,
		     struct bpf_func_info **info, uint32_t *cnt)
{
	int err;

	*info = NULL;
	*cnt = 0;
	if (!k->obj->btf || !refers_to_functions(p))
		return 0;
	err = load_btf(k);
	if (err)
		return err;
	*info = calloc(p->subprog_cnt, sizeof(**info));
	if (!*info)
		return -ENOMEM;
	for (size_t i = 0; i < p->subprog_cnt; i++) {
		int id = btf__find_by_name_kind(bpf_object__btf(k->btf_elf), p->subprogs[i].name, BTF_KIND_FUNC);

		if (id <= 0) {
			free(*info);
			*info = NULL;
			return 0;
		}
		(*info)[i] = (struct bpf_func_info){ .insn_off = (uint32_t)kernel_nondet__moved(insns, p->subprogs[i].start),
						     .type_id = (uint32_t)id };
	}
	*cnt = (uint32_t)p->subprog_cnt;
	return 0;
}

static int load_prog(struct mhse_kernel *k, int prog_idx)
{
	const struct mhse_prog *p = &k->obj->progs[prog_idx];
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = p->expected_attach_type,
		    .kern_version = k->obj->kern_version, .prog_flags = k->hook->kernel_sleepable ? BPF_F_SLEEPABLE : 0);
	struct bpf_prog_info info = {};
	uint32_t info_len = sizeof(info);
	char name[BPF_OBJ_NAME_LEN];
	struct bpf_insn *insns, *stood_in;
	struct bpf_func_info *funcs = NULL;
	size_t insn_cnt = p->insn_cnt;
	char *log = NULL;
	int fd, err;

	insns = malloc(p->insn_cnt * sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	memcpy(insns, p->insns, p->insn_cnt * sizeof(*insns));
	err = rewrite_insns(k, p, insns) ?: func_info(k, p, insns, &funcs, &opts.func_info_cnt);
	if (err)
		goto out;
	if (funcs) {
		opts.prog_btf_fd = (uint32_t)k->btf_fd;
		opts.func_info = funcs;
		opts.func_info_rec_size = sizeof(*funcs);
	}

	if (kernel_nondet__calls(insns, insn_cnt)) {
		err = nondet_table_fd(k);
		if (err)
			goto out;
		err = kernel_nondet__rewrite(insns, insn_cnt, k->nondet_fd, &stood_in, &insn_cnt);
		if (err) {
			pr_err("kernel: cannot stand the test's results in for %s's helper calls: %s\n", p->name,
			       strerror(-err));
			goto out;
		}
		free(insns);
		insns = stood_in;
	}

	kernel_name(p->name, name);
	fd = bpf_prog_load(k->hook->prog_type, name, k->obj->license, insns, insn_cnt, &opts);
	if (fd < 0 && !bpf_unusable(fd)) {
		/* Again with a log: only a failure is worth the verifier's time to write one. */
		log = calloc(1, VERIFIER_LOG_SIZE);
		if (!log) {
			err = -ENOMEM;
			goto out;
		}
		opts.log_buf = log;
		opts.log_size = VERIFIER_LOG_SIZE;
		opts.log_level = 1;
		fd = bpf_prog_load(k->hook->prog_type, name, k->obj->license, insns, insn_cnt, &opts);
	}
	if (fd < 0) {
		err = fd;
		if (bpf_unusable(err))
			err = report_unusable(err, "BPF_PROG_LOAD");
		else
			print_verifier_log(p, err, log);
		goto out;
	}
	k->prog_fds[prog_idx] = fd;
	/* Program arrays read back as ids; the id maps them to the index. */
	err = bpf_obj_get_info_by_fd(fd, &info, &info_len);
	if (err)
		pr_err("kernel: cannot get the id of %s: %s\n", p->name, strerror(-err));
	k->prog_ids[prog_idx] = info.id;
out:
	free(funcs);
	free(log);
	free(insns);
	return err;
}

static int prog_fd(struct mhse_kernel *k, int prog_idx, int *fd)
{
	int err;

	if (prog_idx < 0 || (size_t)prog_idx >= k->obj->prog_cnt) {
		pr_err("kernel: no program %d in %s\n", prog_idx, k->obj->path);
		return -EINVAL;
	}
	if (k->prog_fds[prog_idx] < 0 && (err = load_prog(k, prog_idx)))
		return err;
	*fd = k->prog_fds[prog_idx];
	return 0;
}

static struct kernel_slot *find_slot(struct kernel_map *km, uint32_t key)
{
	for (size_t i = 0; i < km->slot_cnt; i++)
		if (km->slots[i].key == key)
			return &km->slots[i];
	return NULL;
}

static int remember_slot(struct kernel_map *km, uint32_t key, const void *value, uint32_t value_size)
{
	struct kernel_slot *slot = find_slot(km, key);

	if (!slot) {
		if (km->slot_cnt == km->slot_cap) {
			size_t cap = km->slot_cap ? 2 * km->slot_cap : 8;
			struct kernel_slot *slots = realloc(km->slots, cap * sizeof(*slots));

			if (!slots)
				return -ENOMEM;
			km->slots = slots;
			km->slot_cap = cap;
		}
		slot = &km->slots[km->slot_cnt];
		slot->key = key;
		slot->value = malloc(value_size ? value_size : 1);
		if (!slot->value)
			return -ENOMEM;
		km->slot_cnt++;
	}
	memcpy(slot->value, value, value_size);
	slot->stale = false;
	return 0;
}

/* Deletes the slots of a map that reset emptied and nothing wrote since. */
static int flush_stale_slots(struct kernel_map *km)
{
	size_t kept = 0;
	int err = 0;

	for (size_t i = 0; i < km->slot_cnt; i++) {
		struct kernel_slot *slot = &km->slots[i];

		if (!slot->stale) {
			km->slots[kept++] = *slot;
			continue;
		}
		if (!err && (err = bpf_map_delete_elem(km->fd, &slot->key)) == -ENOENT)
			err = 0;
		free(slot->value);
	}
	km->slot_cnt = kept;
	return err;
}

/* The kernel's value for a slot map's value in mhse's terms: a program or a
 * map index becomes an fd; other slot maps (devices, CPUs) take the value
 * as it is. */
static int slot_value(struct mhse_kernel *k, const struct mhse_map *m, const void *value, const void **kvalue,
		      int *fd)
{
	uint32_t idx;
	int err;

	*kvalue = value;
	if (m->type != BPF_MAP_TYPE_PROG_ARRAY && !map_is_map_in_map(m->type))
		return 0;
	memcpy(&idx, value, sizeof(idx));
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY)
		err = prog_fd(k, (int)idx, fd);
	else
		err = check_map_idx(k, (int)idx) ?: map_fd(k, (int)idx, fd);
	*kvalue = fd;
	return err;
}

static int update_elem(struct mhse_kernel *k, int map_idx, const void *key, const void *value, uint64_t flags)
{
	struct kernel_map *km = &k->maps[map_idx];
	const struct mhse_map *m = km->def;
	const void *kvalue = value;
	int fd, ref_fd, err;

	err = map_fd(k, map_idx, &fd);
	if (err)
		return err;
	if (map_has_slots(m->type)) {
		struct kernel_slot *slot;
		uint32_t slot_key;

		memcpy(&slot_key, key, sizeof(slot_key));
		slot = find_slot(km, slot_key);
		if (slot && flags == BPF_ANY && !memcmp(slot->value, value, m->value_size)) {
			slot->stale = false;
			return 0;
		}
		/* NOEXIST and EXIST must see stale slots gone. */
		err = (flags != BPF_ANY ? flush_stale_slots(km) : 0) ?: slot_value(k, m, value, &kvalue, &ref_fd);
		if (err)
			return err;
		err = bpf_map_update_elem(fd, key, kvalue, flags);
		return err ?: remember_slot(km, slot_key, value, m->value_size);
	} else if (map_is_map_in_map(m->type)) {
		/* a hash of maps: reset empties it */
		err = slot_value(k, m, value, &kvalue, &ref_fd);
		if (err)
			return err;
	} else if (map_is_percpu_kernel(m->type)) {
		uint8_t *buf = staging(k, kernel_value_size(k, m));

		if (!buf)
			return -ENOMEM;
		memcpy(buf, value, m->value_size);
		kvalue = buf;
	}
	return bpf_map_update_elem(fd, key, kvalue, flags);
}

/* Writes the declared initial slots of every map created since the last call. */
static int fill_initial_slots(struct mhse_kernel *k)
{
	bool progress = true;

	while (progress) {
		progress = false;
		for (size_t i = 0; i < k->obj->map_cnt; i++) {
			const struct mhse_map *m = &k->obj->maps[i];

			if (!k->maps[i].init_pending)
				continue;
			k->maps[i].init_pending = false;
			progress = true;
			for (uint32_t slot = 0; slot < m->init_slot_cnt; slot++) {
				uint32_t value = (uint32_t)m->init_slots[slot];
				int err;

				if (m->init_slots[slot] < 0)
					continue;
				err = update_elem(k, (int)i, &slot, &value, BPF_ANY);
				if (err) {
					pr_err("kernel: cannot fill initial slot %u of %s: %s\n", slot, m->name,
					       strerror(-err));
					return err;
				}
			}
		}
	}
	return 0;
}

int mhse_kernel__open(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		      struct mhse_kernel **kp)
{
	struct mhse_kernel *k;
	int err, fd;

	*kp = NULL;
	if (!hook->kernel_test_run) {
		pr_err("kernel: the kernel has no test run for %s programs\n", hook->name);
		return -EOPNOTSUPP;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->obj = obj;
	k->hook = hook;
	k->prog_idx = (int)(prog - obj->progs);
	k->nondet_fd = -1;
	k->btf_fd = -1;
	k->ncpus = libbpf_num_possible_cpus();
	k->maps = calloc(obj->map_cnt + 1, sizeof(*k->maps));
	k->map_cnt = (uint32_t)obj->map_cnt;
	k->prog_fds = malloc((obj->prog_cnt + 1) * sizeof(*k->prog_fds));
	k->prog_ids = calloc(obj->prog_cnt + 1, sizeof(*k->prog_ids));
	if (!k->maps || !k->prog_fds || !k->prog_ids) {
		err = -ENOMEM;
		goto err;
	}
	if (k->ncpus < 0) {
		err = k->ncpus;
		pr_err("kernel: cannot count the possible CPUs: %s\n", strerror(-err));
		goto err;
	}
	for (size_t i = 0; i < obj->map_cnt; i++)
		k->maps[i] = (struct kernel_map){ .def = &obj->maps[i], .fd = -1 };
	for (size_t i = 0; i < obj->prog_cnt; i++)
		k->prog_fds[i] = -1;

	err = prog_fd(k, k->prog_idx, &fd) ?: fill_initial_slots(k);
	if (err)
		goto err;
	*kp = k;
	return 0;
err:
	mhse_kernel__close(k);
	return err;
}

void mhse_kernel__close(struct mhse_kernel *k)
{
	if (!k)
		return;
	for (size_t i = 0; k->prog_fds && i < k->obj->prog_cnt; i++)
		if (k->prog_fds[i] >= 0)
			close(k->prog_fds[i]);
	for (size_t i = 0; k->maps && i < k->map_cnt; i++) {
		if (k->maps[i].fd >= 0)
			close(k->maps[i].fd);
		for (size_t j = 0; j < k->maps[i].slot_cnt; j++)
			free(k->maps[i].slots[j].value);
		free(k->maps[i].slots);
		free(k->maps[i].touched);
	}
	if (k->nondet_fd >= 0)
		close(k->nondet_fd);
	if (k->btf_fd >= 0)
		close(k->btf_fd);
	bpf_object__close(k->btf_elf);
	free(k->maps);
	free(k->prog_fds);
	free(k->prog_ids);
	free(k->buf);
	free(k);
}

int mhse_kernel__set_nondet(struct mhse_kernel *k, const uint64_t *values, size_t cnt)
{
	if (cnt > KERNEL_NONDET_MAX)
		return -E2BIG;
	memset(&k->nondet, 0, sizeof(k->nondet));
	memcpy(k->nondet.values, values, cnt * sizeof(*values));
	return 0;
}

int mhse_kernel__set_prog_slot(struct mhse_kernel *k, int map_idx, uint32_t slot, int prog_idx)
{
	uint32_t value = (uint32_t)prog_idx;
	int err = check_map_idx(k, map_idx);

	if (err)
		return err;
	if (k->obj->maps[map_idx].type != BPF_MAP_TYPE_PROG_ARRAY) {
		pr_err("kernel: map %s is not a program array\n", k->obj->maps[map_idx].name);
		return -EINVAL;
	}
	err = update_elem(k, map_idx, &slot, &value, BPF_ANY);
	if (err) {
		pr_err("kernel: cannot put program %d into slot %u of %s: %s\n", prog_idx, slot,
		       k->obj->maps[map_idx].name, strerror(-err));
		return err;
	}
	return fill_initial_slots(k);
}

bool mhse_kernel__has_map(const struct mhse_kernel *k, int map_idx)
{
	return map_idx >= 0 && (uint32_t)map_idx < k->map_cnt && k->maps[map_idx].fd >= 0;
}

int mhse_kernel__add_inner(struct mhse_kernel *k, int outer, uint32_t *id)
{
	const struct mhse_map *def = outer >= 0 ? map_ids__inner_def(k->obj, (uint32_t)outer) : NULL;
	struct kernel_map *maps;

	if (!def)
		return -EINVAL;
	maps = realloc(k->maps, (k->map_cnt + 1) * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	k->maps = maps;
	maps[k->map_cnt] = (struct kernel_map){ .def = def, .fd = -1 };
	*id = k->map_cnt++;
	return map_fd(k, (int)*id, &(int){ 0 });
}

/* Closes the inner maps of the last test. The map-in-map slots holding them
 * no longer name what they held: the ids go to the next test's inner maps. */
static void drop_inner_maps(struct mhse_kernel *k)
{
	for (uint32_t i = 0; i < k->obj->map_cnt; i++) {
		struct kernel_map *km = &k->maps[i];

		for (size_t j = 0; map_is_map_in_map(km->def->type) && j < km->slot_cnt; j++)
			if (mem_load_le(km->slots[j].value, 4) >= k->obj->map_cnt)
				mem_store_le(km->slots[j].value, 4, UINT32_MAX);
	}
	for (; k->map_cnt > k->obj->map_cnt; k->map_cnt--) {
		struct kernel_map *km = &k->maps[k->map_cnt - 1];

		if (km->fd >= 0)
			close(km->fd);
		free(km->slots);
		free(km->touched);
	}
}

static bool resets_by_index(const struct mhse_map *m)
{
	return (m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
	       m->max_entries > FULL_RESET_MAX_ENTRIES;
}

static int touch(struct kernel_map *km, const struct mhse_map *m, const void *key)
{
	if (!resets_by_index(m))
		return 0;
	if (km->touched_cnt == km->touched_cap) {
		size_t cap = km->touched_cap ? km->touched_cap * 2 : 16;
		uint32_t *t = realloc(km->touched, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		km->touched = t;
		km->touched_cap = cap;
	}
	memcpy(&km->touched[km->touched_cnt++], key, sizeof(uint32_t));
	return 0;
}

int mhse_kernel__map_update(struct mhse_kernel *k, int map_idx, const void *key, const void *value, uint64_t flags)
{
	return check_map_idx(k, map_idx) ?: touch(&k->maps[map_idx], k->maps[map_idx].def, key) ?:
	       update_elem(k, map_idx, key, value, flags) ?: fill_initial_slots(k);
}

int mhse_kernel__map_next(struct mhse_kernel *k, int map_idx, const void *key, void *next_key)
{
	int fd, err = check_map_idx(k, map_idx) ?: map_fd(k, map_idx, &fd) ?: flush_stale_slots(&k->maps[map_idx]);

	return err ?: bpf_map_get_next_key(fd, key, next_key);
}

/* A kernel object id back to the index of the program or map that has it. */
static int index_of_id(struct mhse_kernel *k, const struct mhse_map *m, uint32_t id, uint32_t *idx)
{
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY) {
		for (size_t i = 0; i < k->obj->prog_cnt; i++) {
			if (k->prog_fds[i] >= 0 && k->prog_ids[i] == id) {
				*idx = (uint32_t)i;
				return 0;
			}
		}
		return -ENOENT;
	}
	for (size_t i = 0; i < k->map_cnt; i++) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);

		if (k->maps[i].fd >= 0 && !bpf_obj_get_info_by_fd(k->maps[i].fd, &info, &len) && info.id == id) {
			*idx = (uint32_t)i;
			return 0;
		}
	}
	return -ENOENT;
}

int mhse_kernel__map_lookup(struct mhse_kernel *k, int map_idx, const void *key, void *value)
{
	const struct mhse_map *m;
	uint8_t *buf;
	uint32_t id;
	int fd, err;

	err = check_map_idx(k, map_idx) ?: map_fd(k, map_idx, &fd) ?: flush_stale_slots(&k->maps[map_idx]) ?:
	      touch(&k->maps[map_idx], k->maps[map_idx].def, key);
	if (err)
		return err;
	m = k->maps[map_idx].def;
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY || map_is_map_in_map(m->type)) {
		/* User space reads the id of what a slot holds. */
		err = bpf_map_lookup_elem(fd, key, &id);
		return err ?: index_of_id(k, m, id, value);
	}
	if (!map_is_percpu_kernel(m->type))
		return bpf_map_lookup_elem(fd, key, value);
	buf = staging(k, kernel_value_size(k, m));
	if (!buf)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, key, buf);
	if (!err)
		memcpy(value, buf, m->value_size);
	return err;
}

int mhse_kernel__array_values(struct mhse_kernel *k, int map_idx, uint8_t *values)
{
	const struct mhse_map *m;
	uint32_t *keys, count, token;
	size_t ksize;
	uint8_t *kvalues;
	int fd, err = check_map_idx(k, map_idx) ?: map_fd(k, map_idx, &fd);

	if (err)
		return err;
	m = k->maps[map_idx].def;
	if (!map_is_array_like(m->type))
		return -EINVAL;
	ksize = kernel_value_size(k, m);
	keys = staging_batch(k, m->max_entries, ksize, &kvalues);
	if (!keys)
		return -ENOMEM;
	count = m->max_entries;
	/* an array lists every index in one batch, and says -ENOENT at its end */
	err = bpf_map_lookup_batch(fd, NULL, &token, keys, kvalues, &count, NULL);
	if (err && err != -ENOENT)
		return err;
	if (count != m->max_entries)
		return -EIO;
	for (uint32_t i = 0; i < count; i++) {
		if (keys[i] >= m->max_entries)
			return -EIO;
		memcpy(values + (size_t)keys[i] * m->value_size, kvalues + i * ksize, m->value_size);
	}
	return 0;
}

/* Zeroes every index of an array, a batch of indices per syscall. */
static int zero_array(struct mhse_kernel *k, const struct mhse_map *m, int fd)
{
	size_t vsize = kernel_value_size(k, m);
	uint32_t batch = (uint32_t)(RESET_BATCH_BYTES / (vsize + sizeof(uint32_t)));
	uint32_t *keys;
	uint8_t *values;

	if (!batch)
		batch = 1;
	if (batch > m->max_entries)
		batch = m->max_entries;
	keys = staging_batch(k, batch, vsize, &values);
	if (!keys)
		return -ENOMEM;
	for (uint32_t first = 0; first < m->max_entries; first += batch) {
		uint32_t count = m->max_entries - first < batch ? m->max_entries - first : batch;
		int err;

		for (uint32_t i = 0; i < count; i++)
			keys[i] = first + i;
		err = bpf_map_update_batch(fd, keys, values, &count, NULL);
		if (err)
			return err;
	}
	return 0;
}

static int zero_touched(struct mhse_kernel *k, const struct mhse_map *m, struct kernel_map *km)
{
	uint8_t *zeroes = staging(k, kernel_value_size(k, m));

	if (!zeroes)
		return -ENOMEM;
	memset(zeroes, 0, kernel_value_size(k, m));
	for (size_t i = 0; i < km->touched_cnt; i++) {
		int err = bpf_map_update_elem(km->fd, &km->touched[i], zeroes, BPF_ANY);

		if (err)
			return err;
	}
	km->touched_cnt = 0;
	return 0;
}

static int empty_map(struct mhse_kernel *k, const struct mhse_map *m, int fd)
{
	uint8_t *key = staging(k, m->key_size ? m->key_size : 1);
	int err;

	if (!key)
		return -ENOMEM;
	if (m->type == BPF_MAP_TYPE_QUEUE || m->type == BPF_MAP_TYPE_STACK) {
		uint8_t *value = malloc(m->value_size);

		if (!value)
			return -ENOMEM;
		while (!(err = bpf_map_lookup_and_delete_elem(fd, NULL, value)))
			;
		free(value);
		return err == -ENOENT ? 0 : err;
	}
	/* Deleting the first key each time: the next one after a deleted key may not exist. */
	while (!(err = bpf_map_get_next_key(fd, NULL, key)))
		if ((err = bpf_map_delete_elem(fd, key)))
			return err;
	return err == -ENOENT ? 0 : err;
}

static int reset_map(struct mhse_kernel *k, int map_idx)
{
	struct kernel_map *km = &k->maps[map_idx];
	const struct mhse_map *m = km->def;

	if (km->fd < 0)
		return 0;
	if (m->origin == MHSE_MAP_GLOBAL)
		return m->readonly ? 0 : write_global(k, m, km->fd);
	if (map_has_slots(m->type)) {
		for (size_t i = 0; i < km->slot_cnt; i++)
			km->slots[i].stale = true;
		km->init_pending = m->init_slot_cnt > 0;
		return 0;
	}
	if (resets_by_index(m))
		return zero_touched(k, m, km);
	switch (m->type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return zero_array(k, m, km->fd);
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
		/* Records are consumed, not deleted: nothing keyed to reset. */
		return 0;
	default:
		return empty_map(k, m, km->fd);
	}
}

int mhse_kernel__reset(struct mhse_kernel *k)
{
	drop_inner_maps(k);
	for (size_t i = 0; i < k->obj->map_cnt; i++) {
		int err = reset_map(k, (int)i);

		if (err) {
			pr_err("kernel: cannot reset map %s: %s\n", k->obj->maps[i].name, strerror(-err));
			return err;
		}
	}
	return fill_initial_slots(k);
}

int mhse_kernel__test_run(struct mhse_kernel *k, const void *pkt, uint32_t len, void *ctx, uint32_t ctx_len,
			  uint32_t *retval, void *out, uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .data_out = out,
		    .data_size_out = *out_len, .ctx_in = ctx, .ctx_size_in = ctx ? ctx_len : 0, .ctx_out = ctx,
		    .ctx_size_out = ctx ? ctx_len : 0, .repeat = 1);
	cpu_set_t saved, cpu0;
	int err;

	/* such a test run (raw tracepoints) refuses any other attribute, a repeat count included */
	if (k->hook->kernel_ctx_in_only)
		opts = (struct bpf_test_run_opts){ .sz = sizeof(opts), .ctx_in = ctx, .ctx_size_in = ctx ? ctx_len : 0 };

	for (size_t i = 0; i < k->obj->map_cnt; i++) {
		err = flush_stale_slots(&k->maps[i]);
		if (err) {
			pr_err("kernel: cannot empty the slots of %s: %s\n", k->maps[i].def->name, strerror(-err));
			return err;
		}
	}
	if (k->nondet_fd >= 0) {
		uint32_t zero = 0;

		err = bpf_map_update_elem(k->nondet_fd, &zero, &k->nondet, BPF_ANY);
		if (err) {
			pr_err("kernel: cannot write the test's nondeterministic results: %s\n", strerror(-err));
			return err;
		}
	}
	if (sched_getaffinity(0, sizeof(saved), &saved))
		return -errno;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		err = -errno;
		pr_err("kernel: cannot run on CPU 0, where per-CPU values are compared: %s\n", strerror(-err));
		return err;
	}
	err = bpf_prog_test_run_opts(k->prog_fds[k->prog_idx], &opts);
	sched_setaffinity(0, sizeof(saved), &saved);
	if (err)
		return err;
	*retval = opts.retval;
	*out_len = k->hook->kernel_ctx_in_only ? 0 : opts.data_size_out;
	return 0;
}
