// SPDX-License-Identifier: MIT
/*
 * mhse study: the study file, its cells, and the runners: this machine's
 * cores (child mhse processes, one per cell, resumable), or a command list
 * and a Slurm job array for others to run (study.h).
 *
 * The cells are listed in a fixed order (objects as the file and the glob
 * give them, programs in the object's order, then policies, then searches),
 * so every runner and every emitted script names the same cells.
 */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <yaml.h>
#include "engine.h"
#include "hook.h"
#include "json_writer.h"
#include "log.h"
#include "object.h"
#include "study.h"
#include "yaml_file.h"

#define EXIT_USAGE 2
#define EXIT_BAD_INPUT 3
#define DEFAULT_MAX_TIME 10.0

static const char usage_study[] =
	"usage: mhse study STUDY.yaml [--out DIR] [--jobs N] [--emit commands|slurm [--batch N]]\n"
	"       mhse study --merge DIR... [--out DIR]\n"
	"  Explores every cell (object x program x policy x search) of a study file,\n"
	"  each in a child process, and writes DIR/results.csv, results.md and plots/\n"
	"  (docs/study.md). Finished cells are kept: run it again to resume.\n"
	"  --out DIR        results directory (default study-out)\n"
	"  --jobs N         cells at once (default: the study's parallel, else the cores)\n"
	"  --emit commands  print one command per cell (for GNU parallel or any runner)\n"
	"  --emit slurm     write DIR/study.sbatch, a Slurm job array over the cells\n"
	"  --batch N        cells per Slurm array task (default 1)\n"
	"  --merge DIR...   results of the cells in DIR/cells/ (any runner's)\n"
	"  --cell ID        run one cell (what the emitted commands do)\n";

/* ---- the study file ---- */

struct reader {
	const char *file;
	yaml_document_t doc;
};

static yaml_node_t *node_at(struct reader *r, int id)
{
	return yaml_document_get_node(&r->doc, id);
}

static int bad(const struct reader *r, const yaml_node_t *n, const char *what)
{
	fprintf(stderr, "%s:%zu: %s\n", r->file, n ? n->start_mark.line + 1 : 1, what);
	return EXIT_BAD_INPUT;
}

static yaml_node_t *member(struct reader *r, yaml_node_t *map, const char *key)
{
	return yaml_file__member(&r->doc, map, key);
}

static const char *scalar(const yaml_node_t *n)
{
	return yaml_file__scalar(n);
}

/* A list of strings (or one string) into *out. */
static int string_list(struct reader *r, yaml_node_t *n, const char *what, char ***out, size_t *cnt)
{
	size_t len = n->type == YAML_SEQUENCE_NODE ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start) : 1;

	*out = calloc(len ? len : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*cnt = 0;
	for (size_t i = 0; i < len; i++) {
		const char *s = scalar(n->type == YAML_SEQUENCE_NODE ? node_at(r, n->data.sequence.items.start[i]) : n);
		char msg[128];

		if (!s) {
			snprintf(msg, sizeof(msg), "%s: expected a string or a list of strings", what);
			return bad(r, n, msg);
		}
		if (!((*out)[(*cnt)++] = strdup(s)))
			return -ENOMEM;
	}
	return 0;
}

static void string_list_free(char **list, size_t cnt)
{
	for (size_t i = 0; list && i < cnt; i++)
		free(list[i]);
	free(list);
}

static int number(struct reader *r, yaml_node_t *n, const char *what, double *out)
{
	const char *s = scalar(n);
	char *end, msg[128];

	if (s) {
		*out = strtod(s, &end);
		if (!*end && end != s && *out >= 0)
			return 0;
	}
	snprintf(msg, sizeof(msg), "%s: expected a non-negative number", what);
	return bad(r, n, msg);
}

/* A path of the study file, relative to its directory. */
static char *study_path(const struct study *st, const char *p)
{
	char *out;

	if (p[0] == '/')
		return strdup(p);
	return asprintf(&out, "%s/%s", st->dir, p) < 0 ? NULL : out;
}

static char **string_list_dup(char *const *list, size_t cnt)
{
	char **copy = calloc(cnt ? cnt : 1, sizeof(*copy));

	for (size_t i = 0; copy && i < cnt; i++)
		if (!(copy[i] = strdup(list[i]))) {
			string_list_free(copy, i);
			return NULL;
		}
	return copy;
}

/* One object of an entry, with its own copy of the entry's lists. */
static int add_object(struct study *st, const struct study_object *entry, const char *path)
{
	struct study_object *o = realloc(st->objects, (st->object_cnt + 1) * sizeof(*o));

	if (!o)
		return -ENOMEM;
	st->objects = o;
	o = &st->objects[st->object_cnt++];
	*o = *entry;
	o->path = strdup(path);
	o->programs = entry->programs ? string_list_dup(entry->programs, entry->program_cnt) : NULL;
	o->options = string_list_dup(entry->options, entry->option_cnt);
	o->hooks = entry->hooks ? strdup(entry->hooks) : NULL;
	return o->path && (o->programs || !entry->programs) && o->options && (o->hooks || !entry->hooks) ? 0 : -ENOMEM;
}

static int load_object(struct study *st, struct reader *r, yaml_node_t *n)
{
	struct study_object o = { .max_time = st->max_time };
	yaml_node_t *v;
	char *pattern;
	glob_t g;
	int err = 0, gerr;

	if (scalar(n)) {
		v = n;
	} else if (n->type == YAML_MAPPING_NODE && (v = member(r, n, "path")) && scalar(v)) {
		yaml_node_t *m;

		if ((m = member(r, n, "programs")) && (err = string_list(r, m, "programs", &o.programs, &o.program_cnt)))
			goto out;
		if ((m = member(r, n, "options")) && (err = string_list(r, m, "options", &o.options, &o.option_cnt)))
			goto out;
		if ((m = member(r, n, "max_time")) && (err = number(r, m, "max_time", &o.max_time)))
			goto out;
		if ((m = member(r, n, "hooks"))) {
			if (!scalar(m)) {
				err = bad(r, m, "hooks: expected a file name");
				goto out;
			}
			o.hooks = study_path(st, scalar(m));
			if (!o.hooks) {
				err = -ENOMEM;
				goto out;
			}
		}
	} else {
		err = bad(r, n, "objects: each entry is a path (a glob) or a mapping with a path");
		goto out;
	}
	pattern = study_path(st, scalar(v));
	if (!pattern) {
		err = -ENOMEM;
		goto out;
	}
	gerr = glob(pattern, 0, NULL, &g);
	if (gerr == GLOB_NOMATCH) {
		/* no object: a row that says so, not a failed study */
		err = add_object(st, &o, pattern);
	} else if (gerr) {
		err = -ENOMEM;
	}
	for (size_t i = 0; !gerr && !err && i < g.gl_pathc; i++)
		err = add_object(st, &o, g.gl_pathv[i]);
	if (!gerr)
		globfree(&g);
	free(pattern);
out:
	string_list_free(o.programs, o.program_cnt);
	string_list_free(o.options, o.option_cnt);
	free(o.hooks);
	return err;
}

/* A cell id: the object's file name, program, policy and search, in
 * characters every file system and shell takes. */
static void cell_id(char *id, size_t len, const char *object, const char *program, const char *policy,
		    const char *search)
{
	char *base = strrchr(object, '/');

	snprintf(id, len, "%s.%s.%s.%s", base ? base + 1 : object, program ? program : "-", policy, search);
	for (char *c = id; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') && *c != '.' &&
		    *c != '-' && *c != '_')
			*c = '_';
}

static bool wanted(const struct study_object *o, const char *program)
{
	if (!o->programs)
		return true;
	for (size_t i = 0; i < o->program_cnt; i++)
		if (!strcmp(o->programs[i], program))
			return true;
	return false;
}

/* Whether the hooks file names program: a line "program:" at its start. */
static bool hooks_file_names(const char *hooks, const char *program)
{
	struct hook_map map = { 0 };
	bool found;

	if (!hooks || mhse_hook_map__load(hooks, &map))
		return false;
	found = mhse_hook_map__find(&map, program) != NULL;
	mhse_hook_map__free(&map);
	return found;
}

static int add_cell(struct study *st, const struct study_object *o, const char *program, const char *rule,
		    const char *open_error)
{
	for (size_t p = 0; p < st->policy_cnt; p++) {
		for (size_t s = 0; s < st->search_cnt; s++) {
			struct study_cell *c = realloc(st->cells, (st->cell_cnt + 1) * sizeof(*c));

			if (!c)
				return -ENOMEM;
			st->cells = c;
			c = &st->cells[st->cell_cnt++];
			*c = (struct study_cell){ .object = o, .hook_rule = rule, .policy = st->policies[p],
						  .search = st->searches[s] };
			cell_id(c->id, sizeof(c->id), o->path, program, c->policy, c->search);
			c->program = program ? strdup(program) : NULL;
			c->open_error = open_error ? strdup(open_error) : NULL;
			if ((program && !c->program) || (open_error && !c->open_error))
				return -ENOMEM;
		}
	}
	return 0;
}

/* The object's error line, as mhse would print it: its log goes to a
 * buffer while the study opens it. */
static char open_msg[512];

static int capture_log(enum mhse_log_level level, const char *fmt, va_list args)
{
	if (level <= MHSE_LOG_WARN && !open_msg[0])
		vsnprintf(open_msg, sizeof(open_msg), fmt, args);
	return 0;
}

static int list_cells(struct study *st)
{
	for (size_t i = 0; i < st->object_cnt; i++) {
		const struct study_object *o = &st->objects[i];
		struct mhse_open_opts opts = { 0 };
		struct mhse_object *obj;
		mhse_log_fn saved;
		int err;

		open_msg[0] = '\0';
		saved = mhse_set_log(capture_log);
		err = access(o->path, R_OK) ? -errno : mhse_object__open(o->path, &opts, &obj);
		mhse_set_log(saved);
		if (err) {
			char msg[600];

			open_msg[strcspn(open_msg, "\n")] = '\0';
			snprintf(msg, sizeof(msg), "%s", open_msg[0] ? open_msg : strerror(-err));
			err = add_cell(st, o, NULL, "none", msg);
			if (err)
				return err;
			continue;
		}
		for (size_t p = 0; !err && p < obj->prog_cnt; p++) {
			const struct mhse_prog *prog = &obj->progs[p];
			const char *rule = hooks_file_names(o->hooks, prog->name) ? "--hooks" :
					   mhse_hook_rule__name(prog->hook_rule) ?: "none";

			if (wanted(o, prog->name))
				err = add_cell(st, o, prog->name, rule, NULL);
		}
		mhse_object__close(obj);
		if (err)
			return err;
	}
	return 0;
}

static int default_list(char ***list, size_t *cnt, const char *value)
{
	*list = calloc(1, sizeof(**list));
	if (!*list || !((*list)[0] = strdup(value)))
		return -ENOMEM;
	*cnt = 1;
	return 0;
}

int study__load(const char *path, struct study *st)
{
	struct reader r = { .file = path };
	char real[PATH_MAX], *copy;
	yaml_node_t *root, *n;
	enum map_policy_kind policy;
	enum search_kind search;
	double v;
	int err;

	*st = (struct study){ .max_time = DEFAULT_MAX_TIME };
	if (!realpath(path, real)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	copy = strdup(real);
	st->file = strdup(real);
	st->dir = copy ? strdup(dirname(copy)) : NULL;
	free(copy);
	if (!st->file || !st->dir)
		return -ENOMEM;
	if (yaml_file__load(path, &r.doc))
		return EXIT_BAD_INPUT;
	root = yaml_document_get_root_node(&r.doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		err = bad(&r, root, "a study is a mapping with objects, policies, searches and max_time");
		goto out;
	}
	err = 0;
	if ((n = member(&r, root, "max_time")))
		err = number(&r, n, "max_time", &st->max_time);
	if (!err && (n = member(&r, root, "max_paths")) && !(err = number(&r, n, "max_paths", &v)))
		st->max_paths = (uint64_t)v;
	if (!err && (n = member(&r, root, "parallel")) && !(err = number(&r, n, "parallel", &v)))
		st->parallel = (unsigned)v;
	if (!err && (n = member(&r, root, "keep_tests")))
		st->keep_tests = scalar(n) && !strcmp(scalar(n), "true");
	if (!err && (n = member(&r, root, "policies")))
		err = string_list(&r, n, "policies", &st->policies, &st->policy_cnt);
	else if (!err)
		err = default_list(&st->policies, &st->policy_cnt, "consistent");
	if (!err && (n = member(&r, root, "searches")))
		err = string_list(&r, n, "searches", &st->searches, &st->search_cnt);
	else if (!err)
		err = default_list(&st->searches, &st->search_cnt, STUDY_DEFAULT_SEARCH);
	if (!err && (n = member(&r, root, "timeline")))
		err = string_list(&r, n, "timeline", &st->timeline, &st->timeline_cnt);
	for (size_t i = 0; !err && i < st->policy_cnt; i++)
		if (map_policy_parse(st->policies[i], &policy))
			err = bad(&r, member(&r, root, "policies"), "policies: alloc, lookup, consistent or concrete");
	for (size_t i = 0; !err && i < st->search_cnt; i++)
		if (strcmp(st->searches[i], STUDY_DEFAULT_SEARCH) && search_parse(st->searches[i], &search))
			err = bad(&r, member(&r, root, "searches"), "searches: default, dfs, bfs, random-path or covnew");
	n = err ? NULL : member(&r, root, "objects");
	if (!err && (!n || n->type != YAML_SEQUENCE_NODE))
		err = bad(&r, n ? n : root, "objects: expected a list of object paths (globs) or mappings");
	for (yaml_node_item_t *it = n && !err ? n->data.sequence.items.start : NULL; it && it < n->data.sequence.items.top && !err; it++)
		err = load_object(st, &r, node_at(&r, *it));
	if (!err)
		err = list_cells(st);
out:
	yaml_document_delete(&r.doc);
	return err == -ENOMEM ? (fprintf(stderr, "%s: out of memory\n", path), EXIT_BAD_INPUT) : err;
}

void study__free(struct study *st)
{
	for (size_t i = 0; i < st->object_cnt; i++) {
		struct study_object *o = &st->objects[i];

		string_list_free(o->programs, o->program_cnt);
		string_list_free(o->options, o->option_cnt);
		free(o->hooks);
		free(o->path);
	}
	for (size_t i = 0; i < st->cell_cnt; i++) {
		free(st->cells[i].program);
		free(st->cells[i].open_error);
	}
	free(st->cells);
	free(st->objects);
	string_list_free(st->policies, st->policy_cnt);
	string_list_free(st->searches, st->search_cnt);
	string_list_free(st->timeline, st->timeline_cnt);
	free(st->file);
	free(st->dir);
	*st = (struct study){ 0 };
}

int study__path(char *buf, size_t len, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, len, fmt, args);
	va_end(args);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- runners ---- */

static bool cell_done(const char *out, const struct study_cell *c)
{
	char path[PATH_MAX];

	study__path(path, sizeof(path), "%s/cells/%s.json", out, c->id);
	return !access(path, F_OK);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int self_exe(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static pid_t spawn_cell(const char *exe, const struct study *st, const char *out, const struct study_cell *c)
{
	pid_t pid = fork();

	if (!pid) {
		execl(exe, exe, "study", st->file, "--out", out, "--cell", c->id, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void progress(size_t done, size_t running, size_t left, double eta, bool final)
{
	bool tty = isatty(STDERR_FILENO);

	if (!tty && !final && done % 10)
		return;
	fprintf(stderr, "%scells: %zu done, %zu running, %zu left", tty ? "\r" : "", done, running, left);
	if (eta >= 0)
		fprintf(stderr, ", about %.0f s to go", eta);
	fputs(tty && !final ? "   " : "\n", stderr);
}

/* Runs the cells without a result on parallel child processes. */
static int run_local(const struct study *st, const char *out, unsigned parallel)
{
	char exe[PATH_MAX];
	pid_t *pids = calloc(parallel, sizeof(*pids));
	size_t next = 0, done = 0, left = 0, ran = 0, running = 0;
	double start = now_s(), spent = 0;
	double *started = calloc(parallel, sizeof(*started));
	int err = self_exe(exe, sizeof(exe));

	if (!pids || !started)
		err = -ENOMEM;
	for (size_t i = 0; i < st->cell_cnt; i++)
		cell_done(out, &st->cells[i]) ? done++ : left++;
	if (done)
		fprintf(stderr, "%zu of %zu cells already done: resuming\n", done, st->cell_cnt);
	while (!err && (left || running)) {
		int status;
		pid_t pid;

		/* fill the free slots with cells that have no result yet */
		for (unsigned s = 0; s < parallel && left; s++) {
			if (pids[s])
				continue;
			while (next < st->cell_cnt && cell_done(out, &st->cells[next]))
				next++;
			if (next == st->cell_cnt)
				break;
			pids[s] = spawn_cell(exe, st, out, &st->cells[next++]);
			if (pids[s] < 0) {
				err = -errno;
				pids[s] = 0;
				break;
			}
			started[s] = now_s();
			running++;
			left--;
		}
		progress(done, running, left, ran ? spent / (double)ran * (double)(left + running) / parallel : -1, false);
		if (!running)
			break;
		pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (unsigned s = 0; s < parallel; s++) {
			if (pids[s] != pid)
				continue;
			pids[s] = 0;
			running--;
			done++;
			ran++;
			spent += now_s() - started[s];
		}
	}
	progress(done, running, left, -1, true);
	fprintf(stderr, "%zu cells in %.1f s\n", ran, now_s() - start);
	free(pids);
	free(started);
	return err;
}

/* Quotes s for a POSIX shell. */
static void shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		*s == '\'' ? fputs("'\\''", f) : fputc(*s, f);
	fputc('\'', f);
}

static int emit_commands(const struct study *st, const char *exe, const char *out)
{
	for (size_t i = 0; i < st->cell_cnt; i++) {
		shell_quote(stdout, exe);
		fputs(" study ", stdout);
		shell_quote(stdout, st->file);
		fputs(" --out ", stdout);
		shell_quote(stdout, out);
		fputs(" --cell ", stdout);
		shell_quote(stdout, st->cells[i].id);
		fputc('\n', stdout);
	}
	return fflush(stdout) ? EXIT_BAD_INPUT : 0;
}

/* DIR/cells.txt (one cell id a line) and DIR/study.sbatch: array task T
 * runs cells T*batch+1 .. (T+1)*batch of the list, each writing its own
 * result file. */
static int emit_slurm(const struct study *st, const char *exe, const char *out, unsigned batch)
{
	char path[PATH_MAX];
	size_t tasks = (st->cell_cnt + batch - 1) / batch;
	FILE *f;

	study__path(path, sizeof(path), "%s/cells.txt", out);
	f = fopen(path, "w");
	if (!f)
		goto fail;
	for (size_t i = 0; i < st->cell_cnt; i++)
		fprintf(f, "%s\n", st->cells[i].id);
	if (fclose(f))
		goto fail;
	study__path(path, sizeof(path), "%s/study.sbatch", out);
	f = fopen(path, "w");
	if (!f)
		goto fail;
	fprintf(f, "#!/bin/sh\n#SBATCH --job-name=mhse-study\n#SBATCH --array=0-%zu\n#SBATCH --ntasks=1\n"
		   "#SBATCH --cpus-per-task=1\n#SBATCH --output=%s/slurm-%%A_%%a.log\n", tasks ? tasks - 1 : 0, out);
	fprintf(f, "# %zu cells, %u per task; each writes its own %s/cells/ID.json\n", st->cell_cnt, batch, out);
	fprintf(f, "first=$((SLURM_ARRAY_TASK_ID * %u + 1))\nlast=$((first + %u - 1))\n", batch, batch);
	fprintf(f, "sed -n \"${first},${last}p\" ");
	shell_quote(f, out);
	fprintf(f, "/cells.txt | while read -r id; do\n\t");
	shell_quote(f, exe);
	fputs(" study ", f);
	shell_quote(f, st->file);
	fputs(" --out ", f);
	shell_quote(f, out);
	fputs(" --cell \"$id\"\ndone\n", f);
	if (fclose(f))
		goto fail;
	printf("%s: %zu array tasks over %zu cells; submit with sbatch, then mhse study --merge %s\n", path, tasks,
	       st->cell_cnt, out);
	return 0;
fail:
	fprintf(stderr, "%s: %s\n", path, strerror(errno));
	return EXIT_BAD_INPUT;
}

enum { OPT_OUT = 256, OPT_JOBS, OPT_EMIT, OPT_BATCH, OPT_MERGE, OPT_CELL };

int study__main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },         { "out", required_argument, NULL, OPT_OUT },
		{ "jobs", required_argument, NULL, OPT_JOBS }, { "emit", required_argument, NULL, OPT_EMIT },
		{ "batch", required_argument, NULL, OPT_BATCH }, { "merge", no_argument, NULL, OPT_MERGE },
		{ "cell", required_argument, NULL, OPT_CELL }, { 0 },
	};
	const char *out_arg = NULL, *emit = NULL, *cell = NULL;
	char out[PATH_MAX], exe[PATH_MAX];
	unsigned long jobs = 0, batch = 1;
	bool merge = false;
	struct study st = { 0 };
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end = NULL;

		switch (c) {
		case 'h': fputs(usage_study, stdout); return 0;
		case OPT_OUT: out_arg = optarg; break;
		case OPT_JOBS: jobs = strtoul(optarg, &end, 10); break;
		case OPT_BATCH: batch = strtoul(optarg, &end, 10); break;
		case OPT_EMIT: emit = optarg; break;
		case OPT_MERGE: merge = true; break;
		case OPT_CELL: cell = optarg; break;
		default: fputs(usage_study, stderr); return EXIT_USAGE;
		}
		if (end && (*end || !*optarg || (c == OPT_JOBS && !jobs) || (c == OPT_BATCH && !batch))) {
			fprintf(stderr, "--%s %s: expected a positive number\n", c == OPT_JOBS ? "jobs" : "batch", optarg);
			return EXIT_USAGE;
		}
	}
	if (merge) {
		if (optind == argc || emit || cell) {
			fputs(usage_study, stderr);
			return EXIT_USAGE;
		}
		return study__merge(argv + optind, (size_t)(argc - optind), out_arg ? out_arg : argv[optind]);
	}
	if (optind != argc - 1 || (emit && strcmp(emit, "commands") && strcmp(emit, "slurm"))) {
		fputs(usage_study, stderr);
		return EXIT_USAGE;
	}
	out_arg = out_arg ? out_arg : "study-out";
	err = study__load(argv[optind], &st);
	if (err)
		goto out;
	if (output_make_dirs(out_arg) || !realpath(out_arg, out)) {
		err = EXIT_BAD_INPUT;
		goto out;
	}
	study__path(exe, sizeof(exe), "%s/cells", out);
	if (output_make_dirs(exe) || self_exe(exe, sizeof(exe))) {
		fprintf(stderr, "%s/cells: %s\n", out, strerror(errno));
		err = EXIT_BAD_INPUT;
		goto out;
	}
	if (cell) {
		err = EXIT_USAGE;
		for (size_t i = 0; i < st.cell_cnt; i++)
			if (!strcmp(st.cells[i].id, cell))
				err = study__run_cell(&st, &st.cells[i], out);
		if (err == EXIT_USAGE)
			fprintf(stderr, "%s: no cell %s\n", st.file, cell);
	} else if (emit) {
		err = !strcmp(emit, "commands") ? emit_commands(&st, exe, out) : emit_slurm(&st, exe, out, (unsigned)batch);
	} else {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		unsigned parallel = jobs ? (unsigned)jobs : st.parallel ? st.parallel : cores > 0 ? (unsigned)cores : 1;
		char *dirs[] = { out };

		err = run_local(&st, out, parallel);
		if (!err)
			err = study__merge(dirs, 1, out);
	}
out:
	study__free(&st);
	return err < 0 ? EXIT_BAD_INPUT : err;
}
