// SPDX-License-Identifier: MIT
/*
 * mhse's loader against libbpf's, object by object: the same programs in the
 * same sections with the same instruction counts and (where libbpf knows the
 * section) types, and the same maps with the same types and sizes.
 *
 * What is comparable before load:
 *  - libbpf's instruction count of an unloaded program is its entry
 *    function's alone (subprograms are appended at load), so it is compared
 *    with mhse's first subprogram, not with the whole program;
 *  - libbpf names a global-data map "<object name prefix>.data" (see
 *    internal_map_name below) where mhse uses the section name;
 *  - a map-in-map's inner definition is no map of its own in libbpf;
 *  - max_entries that mhse defaulted are 0 in libbpf until it creates the
 *    map.
 * Objects libbpf refuses (legacy "maps" sections since libbpf 1.0) are
 * skipped with its reason.
 *
 * usage: libbpf_compare [DIR|OBJECT]...   (default: Debian's libxdp objects)
 *        libbpf_compare --sections         (the section-name rules alone)
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "object.h"

#define DEFAULT_DIR "/usr/lib/x86_64-linux-gnu/bpf"
#define SKIP_EXIT 77 /* meson's "test skipped" */

static unsigned int passed, failed, skipped;

/* libbpf's user-visible name of the map of a global-data section: as many
 * characters of the object name as fit before the section name in the
 * kernel's 15, none for custom sections (".data.foo", two dots). */
static void internal_map_name(const char *obj_name, const char *section, char *buf, size_t len)
{
	size_t sfx_len = strlen(section) > 7 ? strlen(section) : 7;
	size_t pfx_len;

	if (sfx_len >= BPF_OBJ_NAME_LEN)
		sfx_len = BPF_OBJ_NAME_LEN - 1;
	if (strchr(section + 1, '.'))
		pfx_len = 0;
	else
		pfx_len = strlen(obj_name) < BPF_OBJ_NAME_LEN - sfx_len - 1 ? strlen(obj_name) :
									    BPF_OBJ_NAME_LEN - sfx_len - 1;
	snprintf(buf, len, "%.*s%.*s", (int)pfx_len, obj_name, (int)sfx_len, section);
	for (char *p = buf; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    *p != '_' && *p != '.')
			*p = '_';
}

static const char *mhse_map_libbpf_name(const struct bpf_object *bobj, const struct mhse_map *map, char *buf,
					size_t len)
{
	if (map->origin != MHSE_MAP_GLOBAL)
		return map->name;
	internal_map_name(bpf_object__name(bobj), map->section, buf, len);
	return buf;
}

static unsigned int compare_progs(const char *path, const struct mhse_object *obj, const struct bpf_object *bobj)
{
	struct bpf_program *bprog;
	unsigned int mismatches = 0, libbpf_cnt = 0;

	bpf_object__for_each_program(bprog, bobj) {
		const struct mhse_prog *prog = mhse_object__find_prog(obj, bpf_program__name(bprog));

		libbpf_cnt++;
		if (!prog) {
			printf("%s: program %s: libbpf has it, mhse does not\n", path, bpf_program__name(bprog));
			mismatches++;
			continue;
		}
		if (strcmp(prog->section, bpf_program__section_name(bprog)) != 0) {
			printf("%s: program %s: section mhse '%s', libbpf '%s'\n", path, prog->name, prog->section,
			       bpf_program__section_name(bprog));
			mismatches++;
		}
		/* A section libbpf places must get the same type; mhse places some more. */
		if (bpf_program__type(bprog) != BPF_PROG_TYPE_UNSPEC &&
		    (prog->type != bpf_program__type(bprog) ||
		     prog->expected_attach_type != bpf_program__expected_attach_type(bprog))) {
			printf("%s: program %s: type/attach type mhse %u/%u, libbpf %u/%u\n", path, prog->name, prog->type,
			       prog->expected_attach_type, bpf_program__type(bprog),
			       bpf_program__expected_attach_type(bprog));
			mismatches++;
		}
		if (prog->subprogs[0].cnt != bpf_program__insn_cnt(bprog)) {
			printf("%s: program %s: entry function mhse %zu insns, libbpf %zu\n", path, prog->name,
			       prog->subprogs[0].cnt, bpf_program__insn_cnt(bprog));
			mismatches++;
		}
	}
	if (libbpf_cnt != obj->prog_cnt) {
		printf("%s: mhse has %zu programs, libbpf %u\n", path, obj->prog_cnt, libbpf_cnt);
		mismatches++;
	}
	return mismatches;
}

static unsigned int compare_maps(const char *path, const struct mhse_object *obj, const struct bpf_object *bobj)
{
	unsigned int mismatches = 0, libbpf_cnt = 0, mhse_cnt = 0;
	struct bpf_map *bmap;
	char buf[BPF_OBJ_NAME_LEN];

	for (size_t i = 0; i < obj->map_cnt; i++) {
		const struct mhse_map *map = &obj->maps[i];
		const char *name = mhse_map_libbpf_name(bobj, map, buf, sizeof(buf));
		uint32_t max_entries = map->max_entries_default ? 0 : map->max_entries;

		if (map->origin == MHSE_MAP_INNER)
			continue;
		mhse_cnt++;
		bmap = bpf_object__find_map_by_name(bobj, name);
		if (!bmap) {
			printf("%s: map %s (libbpf: %s): mhse has it, libbpf does not\n", path, map->name, name);
			mismatches++;
			continue;
		}
		if (map->type != bpf_map__type(bmap) || map->key_size != bpf_map__key_size(bmap) ||
		    map->value_size != bpf_map__value_size(bmap) || max_entries != bpf_map__max_entries(bmap)) {
			printf("%s: map %s: mhse type %u key %u value %u max_entries %u, libbpf %u %u %u %u\n", path,
			       map->name, map->type, map->key_size, map->value_size, max_entries, bpf_map__type(bmap),
			       bpf_map__key_size(bmap), bpf_map__value_size(bmap), bpf_map__max_entries(bmap));
			mismatches++;
		}
	}
	bpf_object__for_each_map(bmap, bobj)
		libbpf_cnt++;
	if (libbpf_cnt != mhse_cnt) {
		printf("%s: mhse has %u maps, libbpf %u\n", path, mhse_cnt, libbpf_cnt);
		mismatches++;
	}
	return mismatches;
}

static void compare_object(const char *path)
{
	struct mhse_object *obj;
	struct bpf_object *bobj;
	unsigned int mismatches;
	int err;

	bobj = bpf_object__open_file(path, NULL);
	if (!bobj) {
		printf("%s: skipped: libbpf cannot open it (%s)\n", path, strerror(errno));
		skipped++;
		return;
	}
	err = mhse_object__open(path, NULL, &obj);
	if (err) {
		printf("%s: mhse cannot open it (%s), libbpf can\n", path, strerror(-err));
		bpf_object__close(bobj);
		failed++;
		return;
	}
	mismatches = compare_progs(path, obj, bobj) + compare_maps(path, obj, bobj);
	if (mismatches)
		failed++;
	else
		passed++;
	mhse_object__close(obj);
	bpf_object__close(bobj);
}

/* mhse's section rules against libbpf's: wherever libbpf places a name, mhse
 * must agree on type and attach type (kretprobes carry mhse's own mark). */
static void compare_section_rules(void)
{
	static const char *const names[] = {
		"socket", "sk_reuseport", "sk_reuseport/migrate", "kprobe/do_sys_open", "kprobe", "uprobe/lib:fn",
		"uprobe.s/lib:fn", "kretprobe/do_exit", "uretprobe/lib:fn", "kprobe.multi/tcp_*",
		"kretprobe.multi/tcp_*", "ksyscall/openat", "kretsyscall/openat", "usdt/lib:p:n", "tc", "classifier",
		"action", "tracepoint/syscalls/sys_enter_open", "tp/sched/sched_switch", "raw_tracepoint/sys_enter",
		"raw_tp/sys_enter", "raw_tracepoint.w/x", "raw_tp.w/x", "tp_btf/sched_switch", "fentry/tcp_connect",
		"fmod_ret/fn", "fexit/fn", "fentry.s/fn", "fmod_ret.s/fn", "fexit.s/fn", "freplace/fn", "lsm/file_open",
		"lsm.s/file_open", "lsm_cgroup/socket_bind", "iter/task", "iter.s/task", "syscall", "xdp.frags/devmap",
		"xdp/devmap", "xdp.frags/cpumap", "xdp/cpumap", "xdp.frags", "xdp", "perf_event", "lwt_in", "lwt_out",
		"lwt_xmit", "lwt_seg6local", "sockops", "sk_skb/stream_parser", "sk_skb/stream_verdict", "sk_skb",
		"sk_msg", "lirc_mode2", "flow_dissector", "cgroup_skb/ingress", "cgroup_skb/egress", "cgroup/skb",
		"cgroup/sock_create", "cgroup/sock_release", "cgroup/sock", "cgroup/post_bind4", "cgroup/post_bind6",
		"cgroup/bind4", "cgroup/bind6", "cgroup/connect4", "cgroup/connect6", "cgroup/sendmsg4",
		"cgroup/sendmsg6", "cgroup/recvmsg4", "cgroup/recvmsg6", "cgroup/getpeername4", "cgroup/getpeername6",
		"cgroup/getsockname4", "cgroup/getsockname6", "cgroup/sysctl", "cgroup/getsockopt",
		"cgroup/setsockopt", "cgroup/dev", "struct_ops/fn", "struct_ops", "sk_lookup", "xdp_prog",
		"from-netdev", "2/7", "kprobex", "tracepointy", ".text",
	};
	unsigned int mismatches = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum bpf_prog_type want_type;
		enum bpf_attach_type want_attach;
		uint32_t type, attach;
		const char *hook;
		bool known = mhse_section__classify(names[i], &type, &attach, &hook);

		if (libbpf_prog_type_by_name(names[i], &want_type, &want_attach)) {
			/* libbpf places it nowhere: mhse may, with a hook to go with it. */
			if (known != (hook != NULL)) {
				printf("sections: %s: mhse type %u without a hook\n", names[i], type);
				mismatches++;
			}
			continue;
		}
		if (!known || type != want_type || attach != want_attach || !hook) {
			printf("sections: %s: mhse type %u attach %u hook %s, libbpf %u %u\n", names[i], type, attach,
			       hook ? hook : "none", want_type, want_attach);
			mismatches++;
		}
	}
	if (mismatches)
		failed++;
	else
		passed++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.o of a directory, in name order so that runs print alike. */
static int compare_dir(const char *dir)
{
	struct dirent **entries;
	int n = scandir(dir, &entries, NULL, alphasort);

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(entries[i]->d_name);
		char path[4096];

		if (len > 2 && strcmp(entries[i]->d_name + len - 2, ".o") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name);
			compare_object(path);
		}
		free(entries[i]);
	}
	free(entries);
	return 0;
}

int main(int argc, char **argv)
{
	const char *default_args[] = { DEFAULT_DIR };
	const char **paths = argc > 1 ? (const char **)argv + 1 : default_args;
	int cnt = argc > 1 ? argc - 1 : 1;
	struct stat st;

	libbpf_set_print(NULL);
	if (argc == 2 && strcmp(argv[1], "--sections") == 0) {
		compare_section_rules();
		printf("%u passed, %u failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	if (argc <= 1 && stat(DEFAULT_DIR, &st) != 0) {
		printf("skipped: %s is absent (Debian's libxdp1 installs BPF objects there)\n", DEFAULT_DIR);
		return SKIP_EXIT;
	}
	qsort(paths, (size_t)cnt, sizeof(*paths), cmp_str);
	for (int i = 0; i < cnt; i++) {
		if (stat(paths[i], &st) != 0) {
			printf("%s: %s\n", paths[i], strerror(errno));
			failed++;
		} else if (S_ISDIR(st.st_mode)) {
			if (compare_dir(paths[i]))
				failed++;
		} else {
			compare_object(paths[i]);
		}
	}
	if (skipped)
		printf("%u skipped\n", skipped);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : passed ? 0 : SKIP_EXIT;
}
