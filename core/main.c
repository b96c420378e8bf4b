// SPDX-License-Identifier: MIT
/*
 * The mhse command line: parses options and wires the library together.
 * Everything it does is a library call, so tests drive the same code.
 *
 * Exit codes: 0 success; 1 the program run failed (invalid access,
 * unsupported helper, ...); 2 usage error; 3 bad input (object, spec, packet
 * or map file).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include "explore.h"
#include "info.h"
#include "insn.h"
#include "interp.h"
#include "log.h"
#include "mapio.h"
#include "object.h"
#include "packet_file.h"
#include "replay.h"
#include "study.h"

enum { EXIT_RUN_FAILED = 1, EXIT_USAGE = 2, EXIT_BAD_INPUT = 3, EXIT_NO_KERNEL = 4 };

static const char usage_main[] =
	"usage: mhse [options] OBJECT          explore every feasible path, one test each\n"
	"       mhse COMMAND [options] OBJECT\n"
	"\n"
	"mhse reads a clang-built BPF ELF object and explores or runs its programs.\n"
	"\n"
	"commands:\n"
	"  explore   the default: every feasible path of a program, one test each\n"
	"  info      programs, maps and unbound externs of an object\n"
	"  disasm    disassembly with source lines\n"
	"  run       run one program concretely on a packet, context and maps\n"
	"  replay    replay the tests of an exploration in the interpreter and the kernel\n"
	"  specs     the known hooks\n"
	"  study     a coverage study over objects, programs, policies and searches\n"
	"\n"
	"'mhse COMMAND --help' describes each. Exit codes: 0 success, 1 the program run\n"
	"failed (or a replay disagreed), 2 usage error, 3 bad input (object, spec, packet or\n"
	"map file), 4 the kernel cannot run BPF programs here (root and bpf() needed).\n";

static const char usage_info[] =
	"usage: mhse info [-j] [--const NAME=VALUE] [--map-size NAME=N] [--btf FILE] OBJECT\n"
	"  Lists each program (section, hook, instructions, subprograms, maps, helpers),\n"
	"  each map (type, key and value size, entries), unbound externs and how many CO-RE\n"
	"  relocations were resolved and poisoned.\n"
	"  -j, --json   the same as JSON, with top-level programs, maps and externs arrays\n"
	"  --btf FILE            resolve CO-RE relocations against FILE, raw BTF such as\n"
	"                        /sys/kernel/btf/vmlinux or an ELF file's .BTF (default: the\n"
	"                        object's own BTF)\n";

static const char usage_disasm[] =
	"usage: mhse disasm [--prog NAME] [--btf FILE] OBJECT\n"
	"  Disassembles every program (or NAME) with its source lines where BTF has them.\n";

static const char usage_run[] =
	"usage: mhse run [options] OBJECT\n"
	"  Runs one program concretely and prints its return value, output packet and\n"
	"  map changes.\n"
	"  --prog NAME           the program (needed when the object has several)\n"
	"  --hook NAME|FILE      the hook spec (default: from the section name)\n"
	"  --hooks FILE          per-program hooks, a YAML mapping PROGRAM: HOOK\n"
	"  --packet FILE         input packet: pcap (first packet) or hex text\n"
	"  --ctx FIELD=VALUE     set a context field (repeatable; cb[2]=7 for arrays)\n"
	"  --maps FILE           initial map contents (YAML or JSON, see docs/maps.md)\n"
	"  --nondet V[,V...]     values returned in order by ktime, prandom and cpu helpers\n"
	"  --const NAME=VALUE    bind an extern symbol\n"
	"  --map-size NAME=N     set a map's max_entries\n"
	"  --btf FILE            resolve CO-RE relocations against FILE, raw BTF such as\n"
	"                        /sys/kernel/btf/vmlinux or an ELF file's .BTF (default: the\n"
	"                        object's own BTF)\n"
	"  --trace               print each instruction as it executes\n";

static const char usage_explore[] =
	"usage: mhse [explore] [options] OBJECT\n"
	"  Explores every feasible path of a program and writes one test per path,\n"
	"  coverage and stats.json to the output directory.\n"
	"  --prog NAME           the program (needed when the object has several); given\n"
	"                        more than once, each in turn, into OUT/<program>/\n"
	"  --all                 every program in turn, into OUT/<program>/\n"
	"  --hook NAME|FILE      the hook spec (default: from the section name)\n"
	"  --hooks FILE          per-program hooks, a YAML mapping PROGRAM: HOOK\n"
	"  --policy NAME         map policy: alloc, lookup, consistent (default), concrete\n"
	"  --map-policy MAP=NAME the policy of one map\n"
	"  --maps FILE           initial contents for concrete maps (docs/maps.md)\n"
	"  --search NAME         dfs, bfs, random-path, covnew, interleaved (default)\n"
	"  --max-time S, --max-paths N, --max-insns N (per path), --max-memory MB, --seed N\n"
	"  --term-memory MB      Z3's memory past which the path terms start anew, the states\n"
	"                        left grown again from the root (default 128)\n"
	"  --max-query-time MS   a solver query's time (default: an eighth of --max-time, at\n"
	"                        most 10 s); with --max-time, a jump's query past it is asked\n"
	"                        again, with the time left, once the rest is explored\n"
	"  --out DIR             output directory (default mhse-out)\n"
	"  --jobs N              worker processes sharing the path tree (default: the cores)\n"
	"  --shard I/N           explore only shard I of N of the path tree (docs/study.md)\n"
	"  --tests all|covering  write every path's test (default), or only those adding\n"
	"                        instruction or branch coverage, and errors and warnings\n"
	"  --replay-kernel       referee every test in the running kernel as it is written\n"
	"  --const NAME=VALUE    bind an extern symbol\n"
	"  --map-size NAME=N     set a map's max_entries\n"
	"  --btf FILE            resolve CO-RE relocations against FILE, raw BTF such as\n"
	"                        /sys/kernel/btf/vmlinux or an ELF file's .BTF (default: the\n"
	"                        object's own BTF)\n";

static const char usage_replay[] =
	"usage: mhse replay [--kernel] [-j] [--prog NAME] [--hook NAME|FILE] [--hooks FILE] [--btf FILE] OBJECT DIR\n"
	"  Replays the tests an exploration wrote to DIR through the concrete interpreter and,\n"
	"  with --kernel, through the running kernel (BPF_PROG_TEST_RUN), and reports per test\n"
	"  agree, disagree (the first difference) or not replayable (why); docs/replay.md.\n"
	"  -j, --json   the report as JSON\n"
	"  Exit code 1 when any test disagrees, 4 when the kernel cannot run BPF programs.\n";

static int parse_assignment(const char *arg, char *name, size_t name_len, uint64_t *value)
{
	const char *eq = strchr(arg, '=');
	char *end;

	if (!eq || eq == arg || (size_t)(eq - arg) >= name_len || !eq[1])
		return -EINVAL;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	errno = 0;
	*value = strtoull(eq + 1, &end, 0);
	if (*end || errno) {
		if (eq[1] == '-') {
			errno = 0;
			*value = (uint64_t)strtoll(eq + 1, &end, 0);
			if (!*end && !errno)
				return 0;
		}
		return -EINVAL;
	}
	return 0;
}

struct common_opts {
	const char *object;
	const char *prog;
	const char *hook;
	const char *btf; /* --btf: the target of CO-RE relocations */
	char **consts, **sizes;
	int const_cnt, size_cnt;
};

static int open_object(const struct common_opts *o, struct mhse_object **obj)
{
	char name[256];
	uint64_t v;
	struct mhse_open_opts opts = { .core_btf = o->btf };
	int err = mhse_object__open(o->object, &opts, obj);

	if (err)
		return EXIT_BAD_INPUT;
	for (int i = 0; i < o->const_cnt; i++) {
		if (parse_assignment(o->consts[i], name, sizeof(name), &v) ||
		    mhse_object__bind_extern(*obj, name, v)) {
			fprintf(stderr, "%s: --const %s: no such extern or bad value\n", o->object, o->consts[i]);
			goto fail;
		}
	}
	for (int i = 0; i < o->size_cnt; i++) {
		if (parse_assignment(o->sizes[i], name, sizeof(name), &v) || v > UINT32_MAX || !v ||
		    mhse_object__set_map_size(*obj, name, (uint32_t)v)) {
			fprintf(stderr, "%s: --map-size %s: no such map or bad size\n", o->object, o->sizes[i]);
			goto fail;
		}
	}
	return 0;
fail:
	mhse_object__close(*obj);
	*obj = NULL;
	return EXIT_USAGE;
}

static const struct mhse_prog *pick_prog(const struct mhse_object *obj, const char *name)
{
	if (name) {
		const struct mhse_prog *prog = mhse_object__find_prog(obj, name);

		if (!prog)
			fprintf(stderr, "%s: no program named '%s'\n", obj->path, name);
		return prog;
	}
	if (obj->prog_cnt == 1)
		return &obj->progs[0];
	fprintf(stderr, "%s: %zu programs; pick one with --prog:\n", obj->path, obj->prog_cnt);
	for (size_t i = 0; i < obj->prog_cnt; i++)
		fprintf(stderr, "  %s (section %s)\n", obj->progs[i].name, obj->progs[i].section);
	return NULL;
}

enum {
	OPT_CONST = 256, OPT_MAP_SIZE, OPT_PROG, OPT_HOOK, OPT_PACKET, OPT_CTX, OPT_MAPS, OPT_NONDET, OPT_TRACE,
	OPT_ALL, OPT_POLICY, OPT_MAP_POLICY, OPT_SEARCH, OPT_MAX_TIME, OPT_MAX_PATHS, OPT_MAX_INSNS, OPT_MAX_MEMORY,
	OPT_SEED, OPT_OUT, OPT_KERNEL, OPT_REPLAY_KERNEL, OPT_HOOKS, OPT_BTF, OPT_JOBS, OPT_SHARD, OPT_TESTS,
	OPT_MAX_QUERY_TIME, OPT_TERM_MEMORY,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },       { "json", no_argument, NULL, 'j' },
	{ "const", required_argument, NULL, OPT_CONST }, { "map-size", required_argument, NULL, OPT_MAP_SIZE },
	{ "prog", required_argument, NULL, OPT_PROG },   { "hook", required_argument, NULL, OPT_HOOK },
	{ "packet", required_argument, NULL, OPT_PACKET }, { "ctx", required_argument, NULL, OPT_CTX },
	{ "maps", required_argument, NULL, OPT_MAPS },     { "nondet", required_argument, NULL, OPT_NONDET },
	{ "trace", no_argument, NULL, OPT_TRACE },         { "all", no_argument, NULL, OPT_ALL },
	{ "policy", required_argument, NULL, OPT_POLICY }, { "map-policy", required_argument, NULL, OPT_MAP_POLICY },
	{ "search", required_argument, NULL, OPT_SEARCH }, { "max-time", required_argument, NULL, OPT_MAX_TIME },
	{ "max-paths", required_argument, NULL, OPT_MAX_PATHS }, { "max-insns", required_argument, NULL, OPT_MAX_INSNS },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY }, { "seed", required_argument, NULL, OPT_SEED },
	{ "out", required_argument, NULL, OPT_OUT },       { "kernel", no_argument, NULL, OPT_KERNEL },
	{ "replay-kernel", no_argument, NULL, OPT_REPLAY_KERNEL }, { "hooks", required_argument, NULL, OPT_HOOKS },
	{ "btf", required_argument, NULL, OPT_BTF },       { "jobs", required_argument, NULL, OPT_JOBS },
	{ "shard", required_argument, NULL, OPT_SHARD },   { "tests", required_argument, NULL, OPT_TESTS },
	{ "max-query-time", required_argument, NULL, OPT_MAX_QUERY_TIME },
	{ "term-memory", required_argument, NULL, OPT_TERM_MEMORY },
	{ 0 },
};

struct run_opts {
	struct common_opts common;
	bool json, trace, all, kernel;
	bool tests_covering; /* --tests covering */
	const char *packet, *maps, *nondet, *out, *policy, *search;
	char **ctx, **map_policies, **progs;
	int ctx_cnt, map_policy_cnt, prog_cnt;
	double max_time;
	uint64_t max_paths, max_insns, max_memory, max_query_ms, seed;
	uint64_t term_memory_mb; /* 0: the engine's default */
	uint64_t jobs; /* 0: the machine's cores */
	struct shard shard;
	const char **dir_arg; /* set by commands that take a directory after the object */
	struct hook_map hooks; /* --hooks FILE */
};

static int parse_number(const char *opt, const char *arg, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 0);
	if (*end || errno || *arg == '-') {
		fprintf(stderr, "--%s %s: expected a number\n", opt, arg);
		return -EINVAL;
	}
	return 0;
}

/* A number from 1 to max (of unit) for --opt. */
static int parse_count(const char *opt, const char *arg, uint64_t max, const char *unit, uint64_t *out)
{
	if (parse_number(opt, arg, out))
		return -EINVAL;
	if (!*out || *out > max) {
		fprintf(stderr, "--%s %s: expected 1 to %llu %s\n", opt, arg, (unsigned long long)max, unit);
		return -EINVAL;
	}
	return 0;
}

/* The hook of a program: --hook, else --hooks FILE's entry, else the one
 * the object placed it with (core/place.c). NULL, after saying which
 * programs need one, what each rule found and the known hooks, when none
 * names it. */
static const char *hook_for(const struct run_opts *o, const struct mhse_object *obj, const struct mhse_prog *prog)
{
	const char *hook = o->common.hook ?: mhse_hook_map__find(&o->hooks, prog->name) ?: prog->hook;
	struct dirent **names;
	int n;

	if (hook)
		return hook;
	fprintf(stderr, "%s: program %s: %s; pick one with --hook NAME or --hooks FILE (known hooks:", obj->path,
		prog->name, prog->hook_why ?: "no rule places it");
	n = scandir(mhse_hook__spec_dir(), &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);

		if (len > 5 && !strcmp(names[i]->d_name + len - 5, ".yaml"))
			fprintf(stderr, " %.*s", (int)(len - 5), names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	fprintf(stderr, ")\n");
	return NULL;
}

/* How hook_for chose: the option, or the rule that placed the program (its
 * text lives as long as the object). */
static void hook_rule_of(const struct run_opts *o, const struct mhse_prog *prog, const char **rule, const char **why)
{
	if (o->common.hook) {
		*rule = "--hook";
		*why = o->common.hook;
	} else if (mhse_hook_map__find(&o->hooks, prog->name)) {
		*rule = "--hooks";
		*why = mhse_hook_map__find(&o->hooks, prog->name);
	} else {
		*rule = mhse_hook_rule__name(prog->hook_rule);
		*why = prog->hook_why;
	}
}

/* "FILE: program P: insn N (SOURCE:LINE): what" */
static void print_insn_error(const struct mhse_object *obj, const struct mhse_prog *prog, size_t insn,
			     const char *what)
{
	const struct mhse_line *line = mhse_prog__line(obj, prog, insn);
	char where[320] = "";

	if (line && line->line)
		snprintf(where, sizeof(where), " (%s:%u)", line->file, line->line);
	else if (line)
		snprintf(where, sizeof(where), " (%s)", line->file);
	fprintf(stderr, "%s: program %s: insn %zu%s: %s\n", obj->path, prog->name, insn, where, what);
}

/* A program the kernel would not load is bad input. */
static int check_loadable(const struct mhse_object *obj, const struct mhse_prog *prog)
{
	if (!prog->rejected)
		return 0;
	print_insn_error(obj, prog, prog->rejected_insn, prog->rejected);
	return EXIT_BAD_INPUT;
}

/* The object and program a spec error is about: with --all, the same
 * unknown hook is met by many programs, and each line must say which. */
static const char *log_obj, *log_prog;

static int log_for_program(enum mhse_log_level level, const char *fmt, va_list args)
{
	if (level > MHSE_LOG_WARN)
		return 0;
	fprintf(stderr, "%s: program %s: ", log_obj, log_prog);
	return vfprintf(stderr, fmt, args);
}

/* The spec of prog's hook, or an exit code after a one-line error. */
static int load_hook(const struct run_opts *o, const struct mhse_object *obj, const struct mhse_prog *prog,
		     struct mhse_hook **hook)
{
	const char *name = hook_for(o, obj, prog);
	mhse_log_fn saved;
	int err;

	if (!name)
		return EXIT_USAGE;
	log_obj = obj->path;
	log_prog = prog->name;
	saved = mhse_set_log(log_for_program);
	err = mhse_hook__load(name, hook);
	mhse_set_log(saved);
	if (err)
		return EXIT_BAD_INPUT;
	/* the attach type the section gave narrows the hook, as it does the verifier's rules */
	mhse_hook__select_attach(*hook, (*hook)->prog_type == prog->type && prog->hook_rule != MHSE_RULE_BTF &&
						prog->hook_rule != MHSE_RULE_HELPERS ?
					prog->expected_attach_type :
					MHSE_ATTACH_UNKNOWN);
	return 0;
}

static int push_arg(char ***list, int *cnt, char *arg)
{
	char **l = realloc(*list, (size_t)(*cnt + 1) * sizeof(*l));

	if (!l)
		return -ENOMEM;
	l[(*cnt)++] = arg;
	*list = l;
	return 0;
}

/* Parses the options a command accepts (allowed lists its option ids). */
static int parse_opts(int argc, char **argv, const char *usage, const int *allowed, struct run_opts *o)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hj", long_opts, NULL)) != -1) {
		bool ok = c == 'h';

		for (const int *a = allowed; *a; a++)
			ok |= *a == c;
		if (!ok || c == '?') {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		switch (c) {
		case 'h': fputs(usage, stdout); exit(0);
		case 'j': o->json = true; break;
		case OPT_CONST: push_arg(&o->common.consts, &o->common.const_cnt, optarg); break;
		case OPT_MAP_SIZE: push_arg(&o->common.sizes, &o->common.size_cnt, optarg); break;
		case OPT_PROG:
			o->common.prog = optarg;
			push_arg(&o->progs, &o->prog_cnt, optarg);
			break;
		case OPT_HOOK: o->common.hook = optarg; break;
		case OPT_BTF: o->common.btf = optarg; break;
		case OPT_PACKET: o->packet = optarg; break;
		case OPT_CTX: push_arg(&o->ctx, &o->ctx_cnt, optarg); break;
		case OPT_MAPS: o->maps = optarg; break;
		case OPT_NONDET: o->nondet = optarg; break;
		case OPT_TRACE: o->trace = true; break;
		case OPT_ALL: o->all = true; break;
		case OPT_KERNEL: case OPT_REPLAY_KERNEL: o->kernel = true; break;
		case OPT_HOOKS:
			mhse_hook_map__free(&o->hooks);
			if (mhse_hook_map__load(optarg, &o->hooks))
				return EXIT_BAD_INPUT;
			break;
		case OPT_POLICY: o->policy = optarg; break;
		case OPT_MAP_POLICY: push_arg(&o->map_policies, &o->map_policy_cnt, optarg); break;
		case OPT_SEARCH: o->search = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_MAX_TIME: {
			char *end;

			o->max_time = strtod(optarg, &end);
			if (*end || o->max_time < 0) {
				fprintf(stderr, "--max-time %s: expected seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case OPT_MAX_PATHS: if (parse_number("max-paths", optarg, &o->max_paths)) return EXIT_USAGE; break;
		case OPT_MAX_INSNS: if (parse_number("max-insns", optarg, &o->max_insns)) return EXIT_USAGE; break;
		case OPT_MAX_MEMORY: if (parse_number("max-memory", optarg, &o->max_memory)) return EXIT_USAGE; break;
		case OPT_TERM_MEMORY:
			if (parse_count("term-memory", optarg, UINT32_MAX, "MB", &o->term_memory_mb)) return EXIT_USAGE;
			break;
		case OPT_MAX_QUERY_TIME:
			if (parse_count("max-query-time", optarg, UINT32_MAX, "milliseconds", &o->max_query_ms))
				return EXIT_USAGE;
			break;
		case OPT_SEED: if (parse_number("seed", optarg, &o->seed)) return EXIT_USAGE; break;
		case OPT_JOBS: if (parse_count("jobs", optarg, 1024, "workers", &o->jobs)) return EXIT_USAGE; break;
		case OPT_SHARD:
			if (shard__parse(optarg, &o->shard)) {
				fprintf(stderr, "--shard %s: expected I/N with 1 <= I <= N\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_TESTS:
			if (strcmp(optarg, "all") && strcmp(optarg, "covering")) {
				fprintf(stderr, "--tests %s: expected all or covering\n", optarg);
				return EXIT_USAGE;
			}
			o->tests_covering = !strcmp(optarg, "covering");
			break;
		}
	}
	if (optind != argc - 1 - (o->dir_arg != NULL)) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	o->common.object = argv[optind];
	if (o->dir_arg)
		*o->dir_arg = argv[optind + 1];
	return 0;
}

static void free_opts(struct run_opts *o)
{
	free(o->common.consts);
	free(o->common.sizes);
	free(o->ctx);
	free(o->map_policies);
	free(o->progs);
	mhse_hook_map__free(&o->hooks);
}

static int cmd_info(int argc, char **argv)
{
	static const int allowed[] = { 'j', OPT_CONST, OPT_MAP_SIZE, OPT_BTF, 0 };
	struct run_opts o = { 0 };
	struct mhse_object *obj;
	int err = parse_opts(argc, argv, usage_info, allowed, &o);

	if (!err)
		err = open_object(&o.common, &obj);
	if (!err) {
		mhse_object__print_info(obj, stdout, o.json);
		mhse_object__close(obj);
	}
	free_opts(&o);
	return err;
}

static int cmd_disasm(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROG, OPT_CONST, OPT_MAP_SIZE, OPT_BTF, 0 };
	struct run_opts o = { 0 };
	struct mhse_object *obj;
	int err = parse_opts(argc, argv, usage_disasm, allowed, &o);

	if (!err)
		err = open_object(&o.common, &obj);
	if (err) {
		free_opts(&o);
		return err;
	}
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		if (o.common.prog && strcmp(obj->progs[i].name, o.common.prog))
			continue;
		mhse_prog__print_disasm(obj, &obj->progs[i], stdout);
	}
	if (o.common.prog && !mhse_object__find_prog(obj, o.common.prog)) {
		fprintf(stderr, "%s: no program named '%s'\n", obj->path, o.common.prog);
		err = EXIT_USAGE;
	}
	mhse_object__close(obj);
	free_opts(&o);
	return err;
}

static int set_ctx_fields(struct mhse_vm *vm, const struct run_opts *o, uint8_t *ctx)
{
	for (int i = 0; i < o->ctx_cnt; i++) {
		char name[64], *bracket;
		uint64_t value;
		unsigned idx = 0;
		const struct ctx_field *f = NULL;

		if (parse_assignment(o->ctx[i], name, sizeof(name), &value)) {
			fprintf(stderr, "--ctx %s: expected FIELD=VALUE\n", o->ctx[i]);
			return EXIT_USAGE;
		}
		bracket = strchr(name, '[');
		if (bracket) {
			idx = (unsigned)strtoul(bracket + 1, NULL, 0);
			*bracket = '\0';
		}
		for (size_t k = 0; k < vm->hook->field_cnt; k++)
			if (!strcmp(vm->hook->fields[k].name, name))
				f = &vm->hook->fields[k];
		if (!f || f->kind != CTX_SCALAR || idx >= f->count) {
			fprintf(stderr, "--ctx %s: hook %s has no settable field %s\n", o->ctx[i], vm->hook->name, name);
			return EXIT_USAGE;
		}
		mem_store_le(ctx + f->offset + idx * f->size, f->size, value);
	}
	return 0;
}

/* The context as the spec's defaults make it, with --ctx values over them. */
static int build_ctx(struct mhse_vm *vm, const struct run_opts *o, uint8_t **ctx)
{
	const struct mhse_hook *hook = vm->hook;

	*ctx = calloc(1, hook->ctx_size ? hook->ctx_size : 1);
	if (!*ctx)
		return -ENOMEM;
	for (size_t i = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		for (uint32_t e = 0; f->kind == CTX_SCALAR && e < f->count; e++)
			mem_store_le(*ctx + f->offset + e * f->size, f->size, f->dflt);
	}
	return set_ctx_fields(vm, o, *ctx);
}

static int parse_nondet(const char *s, uint64_t **vals, size_t *cnt)
{
	*cnt = 0;
	*vals = NULL;
	while (s && *s) {
		char *end;
		uint64_t *v = realloc(*vals, (*cnt + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		*vals = v;
		v[(*cnt)++] = strtoull(s, &end, 0);
		if (end == s || (*end && *end != ','))
			return -EINVAL;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int trace_insn(void *arg, const struct mhse_vm *vm, size_t pc, const uint64_t *regs)
{
	char text[128];

	(void)arg;
	insn_disasm(vm->prog->insns, vm->prog->insn_cnt, pc, text, sizeof(text));
	fprintf(stderr, "%5zu: %-40s r0=0x%llx r1=0x%llx r2=0x%llx r3=0x%llx\n", pc, text,
		(unsigned long long)regs[0], (unsigned long long)regs[1], (unsigned long long)regs[2],
		(unsigned long long)regs[3]);
	return 0;
}

static void print_run(struct mhse_vm *vm, const struct map_snapshot *snap, uint64_t ret,
		      const uint8_t *in_pkt, uint32_t in_len)
{
	const char *name = test_return_name(vm->hook, ret);
	uint32_t len;
	const uint8_t *pkt = mhse_vm__packet(vm, &len);

	printf("return %llu (0x%llx)%s%s\n", (unsigned long long)ret, (unsigned long long)ret, name ? " " : "",
	       name ? name : "");
	if (vm->redirect_target)
		printf("redirect %llu\n", (unsigned long long)vm->redirect_target);
	if (vm->hook->has_packet) {
		bool same = len == in_len && (!len || !memcmp(pkt, in_pkt, len));

		printf("packet %s (%u bytes)%s", same ? "unchanged" : "changed", len, same ? "\n" : ":");
		for (uint32_t i = 0; !same && i < len; i++)
			printf("%s%02x", i % 16 ? " " : "\n  ", pkt[i]);
		if (!same)
			printf("\n");
	}
	if (!mhse_mapio__print_changes(vm, snap, stdout))
		printf("maps unchanged\n");
	if (vm->trace_len)
		printf("trace_printk:\n%s", vm->trace);
}

static int cmd_run(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROG, OPT_HOOK, OPT_HOOKS, OPT_PACKET, OPT_CTX, OPT_MAPS, OPT_NONDET,
				       OPT_CONST, OPT_MAP_SIZE, OPT_BTF, OPT_TRACE, 0 };
	struct run_opts o = { 0 };
	struct mhse_object *obj = NULL;
	const struct mhse_prog *prog;
	struct mhse_hook *hook = NULL;
	struct mhse_vm *vm = NULL;
	struct map_snapshot *snap = NULL;
	struct vm_input in = { 0 };
	uint8_t *packet = NULL, *ctx = NULL;
	uint64_t *nondet = NULL, ret;
	size_t nondet_cnt = 0;
	uint32_t packet_len = 0;
	int err = parse_opts(argc, argv, usage_run, allowed, &o);

	if (err || (err = open_object(&o.common, &obj)))
		goto out;
	err = EXIT_USAGE;
	prog = pick_prog(obj, o.common.prog);
	if (!prog || (err = check_loadable(obj, prog)) || (err = load_hook(&o, obj, prog, &hook)))
		goto out;
	err = EXIT_BAD_INPUT;
	if (mhse_vm__new(obj, hook, &vm))
		goto out;
	if (o.packet && mhse_packet__read(o.packet, &packet, &packet_len))
		goto out;
	if (o.maps && mhse_mapio__load(vm, o.maps))
		goto out;
	if (parse_nondet(o.nondet, &nondet, &nondet_cnt)) {
		fprintf(stderr, "--nondet %s: expected comma-separated numbers\n", o.nondet);
		err = EXIT_USAGE;
		goto out;
	}
	err = build_ctx(vm, &o, &ctx);
	if (err)
		goto out;
	if (hook->has_packet && (packet_len < hook->pkt_min || packet_len > hook->pkt_max)) {
		fprintf(stderr, "%s: packet of %u bytes is outside hook %s's bounds [%u, %u]\n",
			o.packet ? o.packet : "(no --packet)", packet_len, hook->name, hook->pkt_min, hook->pkt_max);
		err = EXIT_BAD_INPUT;
		goto out;
	}
	in = (struct vm_input){ .packet = packet, .packet_len = packet_len, .ctx = ctx, .ctx_len = hook->ctx_size,
				.raw = packet, .raw_len = packet_len, .nondet = nondet, .nondet_cnt = nondet_cnt };
	if (o.trace)
		vm->on_insn = trace_insn;
	snap = mhse_mapio__snapshot(vm);
	if (!snap) {
		err = EXIT_RUN_FAILED;
		goto out;
	}
	if (mhse_vm__run(vm, prog, &in, &ret)) {
		print_insn_error(obj, vm->prog, vm->err_pc, vm->err_msg);
		err = EXIT_RUN_FAILED;
		goto out;
	}
	print_run(vm, snap, ret, packet, packet_len);
	err = 0;
out:
	mhse_mapio__snapshot_free(snap);
	mhse_vm__free(vm);
	mhse_hook__free(hook);
	mhse_object__close(obj);
	free(packet);
	free(ctx);
	free(nondet);
	free_opts(&o);
	return err;
}

/* The engine options of an explore command line. */
static int engine_opts(const struct mhse_object *obj, const struct run_opts *o, struct mhse_explore_opts *eo)
{
	*eo = (struct mhse_explore_opts){ .policy = POLICY_CONSISTENT, .search = SEARCH_INTERLEAVED,
					  .max_time_s = o->max_time,
					  .max_paths = o->max_paths, .max_insns = o->max_insns,
					  .max_memory_mb = o->max_memory, .term_memory_mb = o->term_memory_mb,
					  .solver_timeout_ms = (unsigned)o->max_query_ms,
					  .seed = o->seed, .maps_file = o->maps,
					  .shard = o->shard };
	if (o->policy && map_policy_parse(o->policy, &eo->policy)) {
		fprintf(stderr, "--policy %s: expected alloc, lookup, consistent or concrete\n", o->policy);
		return EXIT_USAGE;
	}
	if (o->search && search_parse(o->search, &eo->search)) {
		fprintf(stderr, "--search %s: expected dfs, bfs, random-path, covnew or interleaved\n", o->search);
		return EXIT_USAGE;
	}
	if (!o->map_policy_cnt)
		return 0;
	eo->map_policy = calloc(obj->map_cnt ? obj->map_cnt : 1, sizeof(*eo->map_policy));
	if (!eo->map_policy)
		return EXIT_RUN_FAILED;
	for (size_t i = 0; i < obj->map_cnt; i++)
		eo->map_policy[i] = eo->policy;
	for (int i = 0; i < o->map_policy_cnt; i++) {
		char *eq = strchr(o->map_policies[i], '=');
		int idx;

		if (eq)
			*eq = '\0';
		idx = eq ? mhse_object__find_map(obj, o->map_policies[i]) : -1;
		if (idx < 0 || map_policy_parse(eq + 1, &eo->map_policy[idx])) {
			fprintf(stderr, "--map-policy %s%s%s: expected MAP=POLICY with a map of the object\n",
				o->map_policies[i], eq ? "=" : "", eq ? eq + 1 : "");
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* --maps FILE is read by the engine of each run; a malformed file is bad
 * input, said once before any run starts, not a failed exploration. */
static int check_maps_file(const struct mhse_object *obj, const char *path)
{
	struct mhse_vm *vm;
	int err;

	if (!path)
		return 0;
	if (mhse_vm__new(obj, NULL, &vm))
		return EXIT_RUN_FAILED;
	err = mhse_mapio__load(vm, path);
	mhse_vm__free(vm);
	return err == -ENOMEM ? EXIT_RUN_FAILED : err ? EXIT_BAD_INPUT : 0;
}

static int explore_one(const struct mhse_object *obj, const struct mhse_prog *prog, const struct run_opts *o,
		       const struct mhse_explore_opts *eo, const char *out_dir, struct run_stats *stats)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct explore_opts xo = { .engine = *eo, .out_dir = out_dir, .progress = isatty(STDERR_FILENO),
				   .replay_kernel = o->kernel, .tests_covering = o->tests_covering,
				   .jobs = o->jobs ? (unsigned)o->jobs : cores > 1 ? (unsigned)cores : 1 };
	struct mhse_hook *hook;
	int err;

	err = check_loadable(obj, prog) ?: load_hook(o, obj, prog, &hook);
	if (err)
		return err;
	hook_rule_of(o, prog, &stats->hook_rule, &stats->hook_why);
	err = mhse_explore(obj, prog, hook, &xo, stats);
	/* the summary outlives the spec: it keeps a copy of the name (cmd_explore frees it) */
	stats->hook = strdup(hook->name);
	mhse_hook__free(hook);
	if (!stats->hook && !err)
		err = -ENOMEM;
	if (err == -EPERM)
		return EXIT_NO_KERNEL;
	if (err) {
		fprintf(stderr, "%s: program %s: exploration failed: %s\n", obj->path, prog->name, strerror(-err));
		return EXIT_RUN_FAILED;
	}
	return 0;
}

/* Whether --prog named the program. */
static bool named(const struct run_opts *o, const char *prog)
{
	for (int i = 0; i < o->prog_cnt; i++)
		if (!strcmp(o->progs[i], prog))
			return true;
	return false;
}

static int cmd_explore(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROG, OPT_ALL, OPT_HOOK, OPT_HOOKS, OPT_POLICY, OPT_MAP_POLICY, OPT_MAPS, OPT_SEARCH,
				       OPT_MAX_TIME, OPT_MAX_PATHS, OPT_MAX_INSNS, OPT_MAX_MEMORY, OPT_MAX_QUERY_TIME, OPT_SEED,
				       OPT_OUT, OPT_REPLAY_KERNEL, OPT_TESTS, OPT_CONST, OPT_MAP_SIZE, OPT_BTF, OPT_JOBS,
				       OPT_SHARD, OPT_TERM_MEMORY, 0 };
	struct run_opts o = { 0 };
	struct mhse_object *obj = NULL;
	struct mhse_explore_opts eo = { 0 };
	struct run_stats *stats = NULL;
	size_t run_cnt = 0;
	const char *out;
	int err = parse_opts(argc, argv, usage_explore, allowed, &o);

	if (err || (err = open_object(&o.common, &obj)) || (err = engine_opts(obj, &o, &eo)) ||
	    (err = check_maps_file(obj, o.maps)))
		goto out;
	out = o.out ? o.out : "mhse-out";
	stats = calloc(obj->prog_cnt ? obj->prog_cnt : 1, sizeof(*stats));
	if (!stats) {
		err = EXIT_RUN_FAILED;
		goto out;
	}
	for (int i = 0; !o.all && i < o.prog_cnt; i++) {
		if (!pick_prog(obj, o.progs[i])) {
			err = EXIT_USAGE;
			goto out;
		}
	}
	if (o.all || o.prog_cnt > 1) {
		for (size_t i = 0; i < obj->prog_cnt; i++) {
			char dir[4096];
			int e;

			if (!o.all && !named(&o, obj->progs[i].name))
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", out, obj->progs[i].name);
			e = explore_one(obj, &obj->progs[i], &o, &eo, dir, &stats[run_cnt]);
			if (!e) {
				run_cnt++;
				continue;
			}
			/* a failed run leaves no row: drop what it gathered */
			free((char *)stats[run_cnt].hook);
			run_stats__free(&stats[run_cnt]);
			stats[run_cnt] = (struct run_stats){ 0 };
			if (!err)
				err = e;
		}
		if (run_cnt && stats_write_combined(out, stats, run_cnt) && !err)
			err = EXIT_RUN_FAILED;
	} else {
		const struct mhse_prog *prog = pick_prog(obj, o.common.prog);

		err = prog ? explore_one(obj, prog, &o, &eo, out, &stats[0]) : EXIT_USAGE;
		run_cnt = 1; /* freed below even when the run failed */
	}
	if (run_cnt && !(err && !o.all && o.prog_cnt < 2))
		mhse_explore__print_summary(stdout, stats, run_cnt);
out:
	for (size_t i = 0; stats && i < run_cnt; i++) {
		free((char *)stats[i].hook);
		run_stats__free(&stats[i]);
	}
	free(stats);
	free(eo.map_policy);
	mhse_object__close(obj);
	free_opts(&o);
	return err;
}

static int cmd_replay(int argc, char **argv)
{
	static const int allowed[] = { OPT_KERNEL, 'j', OPT_PROG, OPT_HOOK, OPT_HOOKS, OPT_CONST, OPT_MAP_SIZE, OPT_BTF, 0 };
	const char *dir = NULL;
	struct run_opts o = { .dir_arg = &dir };
	struct mhse_object *obj = NULL;
	struct mhse_hook *hook = NULL;
	struct replay_opts ro;
	struct replay_report rep = { 0 };
	const struct mhse_prog *prog = NULL;
	int err = parse_opts(argc, argv, usage_replay, allowed, &o);

	if (err || (err = open_object(&o.common, &obj)))
		goto out;
	ro = (struct replay_opts){ .kernel = o.kernel };
	/* the program comes from the tests unless named */
	if (o.common.prog && !(prog = pick_prog(obj, o.common.prog))) {
		err = EXIT_USAGE;
		goto out;
	}
	if (prog && (err = check_loadable(obj, prog)))
		goto out;
	if (!o.common.hook && !(prog ? prog : obj->prog_cnt == 1 ? &obj->progs[0] : NULL)) {
		fprintf(stderr, "%s: %zu programs; name the tested one with --prog or its hook with --hook\n", obj->path,
			obj->prog_cnt);
		err = EXIT_USAGE;
		goto out;
	}
	err = load_hook(&o, obj, prog ? prog : &obj->progs[0], &hook);
	if (err)
		goto out;
	err = mhse_replay(obj, prog, hook, dir, &ro, &rep);
	if (err == -EPERM) {
		err = EXIT_NO_KERNEL;
		goto out;
	}
	if (err) {
		err = EXIT_BAD_INPUT;
		goto out;
	}
	if (o.json)
		replay_report__print_json(stdout, &rep);
	else
		replay_report__print(stdout, &rep);
	if (ro.kernel)
		replay_stats__update(dir, &rep);
	err = rep.interp_disagree || rep.kernel_disagree ? EXIT_RUN_FAILED : 0;
out:
	replay_report__free(&rep);
	mhse_hook__free(hook);
	mhse_object__close(obj);
	free_opts(&o);
	return err;
}

static int cmd_specs(int argc, char **argv)
{
	const char *dir = mhse_hook__spec_dir();
	struct dirent **names;
	int n;

	if (argc > 1) {
		fputs(strcmp(argv[1], "--help") ? "usage: mhse specs\n" : "usage: mhse specs\n  Lists the known hooks.\n",
		      strcmp(argv[1], "--help") ? stderr : stdout);
		return strcmp(argv[1], "--help") ? EXIT_USAGE : 0;
	}
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		struct mhse_hook *hook;

		if (len > 5 && !strcmp(names[i]->d_name + len - 5, ".yaml")) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (!mhse_hook__load(path, &hook)) {
				printf("%-18s %s\n", hook->name, hook->description ? hook->description : "");
				mhse_hook__free(hook);
			}
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "explore", cmd_explore }, { "info", cmd_info }, { "disasm", cmd_disasm },
		{ "run", cmd_run },         { "replay", cmd_replay },   { "specs", cmd_specs },
		{ "study", study__main },
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	/* no command: explore, with argv[1] the first option or the object */
	if (argv[1][0] == '-' || argc == 2)
		return cmd_explore(argc, argv);
	fprintf(stderr, "mhse: unknown command '%s'\n%s", argv[1], usage_main);
	return EXIT_USAGE;
}
