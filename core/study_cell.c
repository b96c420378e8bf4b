// SPDX-License-Identifier: MIT
/*
 * One study cell: a child `mhse explore` with the cell's program, policy,
 * search and budget, its output read back (stats.json, coverage.json and
 * the tests' initial map entries), and the result file written. The child
 * is a separate process so that whatever happens to it (a crash, a hang
 * past twice the budget, bad input) is a row of the study, not its end.
 *
 * The map-state measure reads input.maps of every test: the entries the
 * path relies on, a key present (a value) or absent (null). A test's map
 * state is the set of (map, key, present or absent) it assumes, its shape
 * the same without the keys (how many entries of which map it assumes
 * present and absent); the cell counts distinct map states and shapes, the
 * distinct keys assumed present and absent per map, and the maps a test
 * touches on average (docs/study.md). The
 * test files are scanned, not parsed as YAML: the writer's layout is fixed
 * (docs/output.md) and a 10 s cell can leave a hundred thousand tests.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <yaml.h>
#include "json_writer.h"
#include "study.h"
#include "study_result.h"
#include "yaml_file.h"

#define EXIT_USAGE 2
#define EXIT_BAD_INPUT 3
#define EXIT_NO_KERNEL 4

/* ---- a set of 64-bit hashes (open addressing; 0 stands for empty) ---- */

struct hash_set {
	uint64_t *slots;
	size_t cap, cnt;
};

static uint64_t fnv(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * UINT64_C(0x100000001b3);
	return h;
}

static int hash_set__add(struct hash_set *s, uint64_t h)
{
	h = h ? h : 1;
	if (2 * (s->cnt + 1) > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			for (size_t j = s->slots[i] % cap; s->slots[i]; j = (j + 1) % cap)
				if (!slots[j]) {
					slots[j] = s->slots[i];
					break;
				}
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	for (size_t j = h % s->cap;; j = (j + 1) % s->cap) {
		if (s->slots[j] == h)
			return 0;
		if (!s->slots[j]) {
			s->slots[j] = h;
			s->cnt++;
			return 0;
		}
	}
}

/* ---- map states ---- */

struct map_seen {
	char name[128];
	struct hash_set present, absent;
};

struct map_census {
	struct map_seen *maps;
	size_t map_cnt;
	struct hash_set states, shapes;
	uint64_t tests, map_touches;
};

static struct map_seen *census_map(struct map_census *c, const char *name, size_t len)
{
	struct map_seen *m;

	for (size_t i = 0; i < c->map_cnt; i++)
		if (strlen(c->maps[i].name) == len && !memcmp(c->maps[i].name, name, len))
			return &c->maps[i];
	m = realloc(c->maps, (c->map_cnt + 1) * sizeof(*m));
	if (!m)
		return NULL;
	c->maps = m;
	m = &c->maps[c->map_cnt++];
	*m = (struct map_seen){ 0 };
	snprintf(m->name, sizeof(m->name), "%.*s", (int)len, name);
	return m;
}

/* The string value of "key": "..." at p (within one entry), or NULL. */
static const char *entry_string(const char *p, const char *end, const char *key, size_t *len)
{
	const char *k = strstr(p, key);
	const char *q;

	if (!k || k >= end)
		return NULL;
	k += strlen(key);
	while (k < end && (*k == ' ' || *k == ':'))
		k++;
	if (k >= end || *k != '"')
		return NULL;
	q = memchr(k + 1, '"', (size_t)(end - k - 1));
	if (!q)
		return NULL;
	*len = (size_t)(q - k - 1);
	return k + 1;
}

/* Adds one test's input.maps to the census. */
static int census_test(struct map_census *c, const char *text)
{
	const char *in = strstr(text, "\"input\"");
	const char *p = in ? strstr(in, "\"maps\"") : NULL;
	uint64_t state = 0, shape = 0;
	struct map_seen *touched[64];
	size_t touched_cnt = 0;

	c->tests++;
	if (!p || !(p = strchr(p, '[')))
		return 0;
	for (p++;;) {
		const char *end, *name, *key, *value;
		size_t name_len, key_len, value_len;
		struct map_seen *m;
		bool present;
		uint64_t h;

		while (*p == ' ' || *p == '\n' || *p == ',')
			p++;
		if (*p != '{')
			break;
		end = strchr(p, '}');
		if (!end)
			break;
		name = entry_string(p, end, "\"map\"", &name_len);
		key = entry_string(p, end, "\"key\"", &key_len);
		value = entry_string(p, end, "\"value\"", &value_len);
		p = end + 1;
		if (!name || !key)
			continue;
		present = value != NULL;
		m = census_map(c, name, name_len);
		if (!m)
			return -ENOMEM;
		h = fnv(fnv(UINT64_C(0xcbf29ce484222325), name, name_len + 1), key, key_len);
		if (hash_set__add(present ? &m->present : &m->absent, h))
			return -ENOMEM;
		/* the state is the set of entries: a sum of their hashes is independent of their order */
		state += fnv(h, present ? "+" : "-", 1);
		shape += fnv(fnv(UINT64_C(0xcbf29ce484222325), name, name_len), present ? "+" : "-", 1);
		for (size_t i = 0; i <= touched_cnt && touched_cnt < 64; i++) {
			if (i == touched_cnt) {
				touched[touched_cnt++] = m;
				break;
			}
			if (touched[i] == m)
				break;
		}
	}
	c->map_touches += touched_cnt;
	return hash_set__add(&c->states, state) ?: hash_set__add(&c->shapes, shape);
}

static int census_dir(struct map_census *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return 0;
	while (!err && (e = readdir(d))) {
		char path[PATH_MAX], *text;

		if (strncmp(e->d_name, "test-", 5))
			continue;
		study__path(path, sizeof(path), "%s/%s", dir, e->d_name);
		text = output_read_file(path, NULL);
		if (!text)
			continue;
		err = census_test(c, text);
		free(text);
	}
	closedir(d);
	return err;
}

static int census_result(const struct map_census *c, struct cell_result *r)
{
	r->map_states = c->states.cnt;
	r->map_shapes = c->shapes.cnt;
	r->maps_per_test = c->tests ? (double)c->map_touches / (double)c->tests : 0;
	r->maps = calloc(c->map_cnt ? c->map_cnt : 1, sizeof(*r->maps));
	if (!r->maps)
		return -ENOMEM;
	for (size_t i = 0; i < c->map_cnt; i++) {
		r->maps[i] = (struct map_keys){ .map = strdup(c->maps[i].name), .present = c->maps[i].present.cnt,
						.absent = c->maps[i].absent.cnt };
		r->map_cnt++;
		if (!r->maps[i].map)
			return -ENOMEM;
	}
	return 0;
}

static void census_free(struct map_census *c)
{
	for (size_t i = 0; i < c->map_cnt; i++) {
		free(c->maps[i].present.slots);
		free(c->maps[i].absent.slots);
	}
	free(c->maps);
	free(c->states.slots);
	free(c->shapes.slots);
}

/* ---- the exploration's own files ---- */

static double stat_num(yaml_document_t *doc, const yaml_node_t *map, const char *key)
{
	return yaml_file__number(yaml_file__member(doc, map, key), -1);
}

static int read_stats(const char *dir, struct cell_result *r)
{
	char path[PATH_MAX];
	yaml_document_t doc;
	yaml_node_t *root, *reasons;
	uint64_t best = 0;

	study__path(path, sizeof(path), "%s/stats.json", dir);
	if (access(path, R_OK) || yaml_file__load(path, &doc))
		return -ENOENT;
	root = yaml_document_get_root_node(&doc);
	r->explored = true;
	r->type = strdup(yaml_file__scalar(yaml_file__member(&doc, root, "hook")) ?: "-");
	/* the search explore chose, when the cell left it the choice */
	if (!strcmp(r->search, STUDY_DEFAULT_SEARCH) && yaml_file__scalar(yaml_file__member(&doc, root, "search")))
		r->search = strdup(yaml_file__scalar(yaml_file__member(&doc, root, "search")));
	r->paths = (uint64_t)stat_num(&doc, root, "paths");
	r->tests = (uint64_t)stat_num(&doc, root, "tests");
	r->errors = (uint64_t)stat_num(&doc, root, "errors");
	r->unsupported = (uint64_t)stat_num(&doc, root, "unsupported");
	r->insn_pct = stat_num(&doc, root, "insn_coverage_pct");
	r->branch_pct = stat_num(&doc, root, "branch_coverage_pct");
	r->ms_per_test = stat_num(&doc, root, "ms_per_test");
	r->time_s = stat_num(&doc, root, "time_s");
	r->solver_pct = r->time_s > 0 ? 100.0 * stat_num(&doc, root, "solver_time_s") / r->time_s : 0;
	r->peak_mb = stat_num(&doc, root, "peak_rss_mb");
	r->time_to_cov_s = stat_num(&doc, root, "time_to_coverage_s");
	r->kernel_agree = (int64_t)stat_num(&doc, root, "kernel_agree");
	r->kernel_disagree = (int64_t)stat_num(&doc, root, "kernel_disagree");
	r->kernel_not_replayable = (int64_t)stat_num(&doc, root, "kernel_not_replayable");
	reasons = yaml_file__member(&doc, root, "unsupported_reasons");
	for (yaml_node_item_t *it = reasons && reasons->type == YAML_SEQUENCE_NODE ? reasons->data.sequence.items.start : NULL;
	     it && it < reasons->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(&doc, *it);
		double count = stat_num(&doc, n, "count");
		const char *reason = yaml_file__scalar(yaml_file__member(&doc, n, "reason"));

		if (reason && count > (double)best) {
			best = (uint64_t)count;
			free(r->top_unsupported);
			r->top_unsupported = strdup(reason);
		}
	}
	yaml_document_delete(&doc);
	return r->type && r->search ? 0 : -ENOMEM;
}

/* coverage.json's timeline, when the run recorded one (docs/output.md):
 * points of time and instructions hit, as a percentage of the reachable
 * ones. The time to final coverage is stats.json's, else the first point at
 * the final figure. */
static int read_timeline(const char *dir, struct cell_result *r)
{
	char path[PATH_MAX];
	yaml_document_t doc;
	yaml_node_t *root, *tl;
	double reachable;
	size_t cnt;

	study__path(path, sizeof(path), "%s/coverage.json", dir);
	if (access(path, R_OK) || yaml_file__load(path, &doc))
		return 0;
	root = yaml_document_get_root_node(&doc);
	reachable = stat_num(&doc, root, "insns_reachable");
	tl = yaml_file__member(&doc, root, "timeline");
	cnt = tl && tl->type == YAML_SEQUENCE_NODE ? (size_t)(tl->data.sequence.items.top - tl->data.sequence.items.start) : 0;
	r->timeline = calloc(cnt ? cnt : 1, sizeof(*r->timeline));
	for (size_t i = 0; r->timeline && i < cnt; i++) {
		yaml_node_t *p = yaml_document_get_node(&doc, tl->data.sequence.items.start[i]);
		double t = stat_num(&doc, p, "time_s"), hit = stat_num(&doc, p, "insns_hit");

		if (t < 0 || hit < 0)
			continue;
		r->timeline[r->timeline_cnt++] = (struct svg_point){ t, reachable > 0 ? 100.0 * hit / reachable : 100.0 };
	}
	for (size_t i = 0; r->timeline && r->time_to_cov_s < 0 && i < r->timeline_cnt; i++)
		if (r->timeline[i].y >= r->timeline[r->timeline_cnt - 1].y)
			r->time_to_cov_s = r->timeline[i].x;
	yaml_document_delete(&doc);
	return r->timeline ? 0 : -ENOMEM;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* The last non-empty line of the cell's log: why it failed. */
static char *last_line(const char *log)
{
	char *text = output_read_file(log, NULL), *line = NULL, *p;

	if (!text)
		return NULL;
	for (p = text + strlen(text); p > text && (p[-1] == '\n' || p[-1] == '\r'); p--)
		*--p = '\0';
	p = strrchr(text, '\n');
	p = p ? p + 1 : text;
	/* the progress line's carriage returns: keep what was written last */
	if (strrchr(p, '\r'))
		p = strrchr(p, '\r') + 1;
	if (*p)
		line = strdup(p);
	free(text);
	return line;
}

/* Runs argv with its output in log; kills it past deadline_s. Returns the
 * wait status, or -1 after a timeout. */
static int run_child(char *const *argv, const char *log, double deadline_s)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	double waited = 0;
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -2;
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return status;
		if (got < 0 && errno != EINTR)
			return -2;
		if (waited >= deadline_s) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		nanosleep(&tick, NULL);
		waited += 0.02;
	}
}

static int push(char ***argv, size_t *cnt, const char *arg)
{
	char **a = realloc(*argv, (*cnt + 2) * sizeof(*a));

	if (!a)
		return -ENOMEM;
	*argv = a;
	a[(*cnt)++] = (char *)arg;
	a[*cnt] = NULL;
	return 0;
}

static bool chosen(const struct study *st, const char *program)
{
	for (size_t i = 0; program && i < st->timeline_cnt; i++)
		if (!strcmp(st->timeline[i], program))
			return true;
	return false;
}

/* Sets the status from how the child ended. */
static int set_status(struct cell_result *r, const struct study_cell *cell, int status, const char *log)
{
	const char *s;
	char buf[64];

	if (status == -1) {
		s = "killed";
	} else if (status < 0) {
		s = "failed";
	} else if (WIFSIGNALED(status)) {
		snprintf(buf, sizeof(buf), "crash (signal %d)", WTERMSIG(status));
		s = buf;
	} else {
		switch (WEXITSTATUS(status)) {
		case 0: s = "ok"; break;
		case EXIT_USAGE: s = strcmp(cell->hook_rule, "none") ? "usage" : "unplaced"; break;
		case EXIT_BAD_INPUT: s = "bad input"; break;
		case EXIT_NO_KERNEL: s = "no kernel"; break;
		default: s = "failed"; break;
		}
	}
	r->status = strdup(s);
	if (strcmp(s, "ok"))
		r->detail = last_line(log);
	return r->status ? 0 : -ENOMEM;
}

int study__run_cell(const struct study *st, const struct study_cell *cell, const char *out)
{
	const struct study_object *o = cell->object;
	struct cell_result r = { .object = o->path, .program = cell->program, .hook_rule = (char *)cell->hook_rule,
				 .policy = (char *)cell->policy, .search = (char *)cell->search,
				 .budget_s = o->max_time, .time_to_cov_s = -1, .kernel_agree = -1,
				 .kernel_disagree = -1, .kernel_not_replayable = -1,
				 .timeline_chosen = chosen(st, cell->program) };
	char exe[PATH_MAX], dir[PATH_MAX], log[PATH_MAX], result[PATH_MAX], time_arg[32], paths_arg[32];
	struct map_census census = { 0 };
	char **argv = NULL;
	size_t argc = 0;
	ssize_t n;
	int err = 0, status;

	r.id = (char *)cell->id;
	study__path(dir, sizeof(dir), "%s/cells/%s.out", out, cell->id);
	study__path(log, sizeof(log), "%s/cells/%s.log", out, cell->id);
	study__path(result, sizeof(result), "%s/cells/%s.json", out, cell->id);
	if (cell->open_error) {
		r.status = strdup("bad input");
		r.detail = strdup(cell->open_error);
		goto write;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return EXIT_BAD_INPUT;
	exe[n] = '\0';
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); /* what an interrupted run left */
	snprintf(time_arg, sizeof(time_arg), "%g", o->max_time);
	snprintf(paths_arg, sizeof(paths_arg), "%llu", (unsigned long long)st->max_paths);
	/* the study runs cells side by side: one worker each */
	err = push(&argv, &argc, exe) ?: push(&argv, &argc, "explore") ?: push(&argv, &argc, "--prog") ?:
	      push(&argv, &argc, cell->program) ?: push(&argv, &argc, "--policy") ?: push(&argv, &argc, cell->policy) ?:
	      push(&argv, &argc, "--jobs") ?:
	      push(&argv, &argc, "1") ?: push(&argv, &argc, "--out") ?: push(&argv, &argc, dir);
	if (!err && strcmp(cell->search, STUDY_DEFAULT_SEARCH))
		err = push(&argv, &argc, "--search") ?: push(&argv, &argc, cell->search);
	if (!err && o->max_time > 0)
		err = push(&argv, &argc, "--max-time") ?: push(&argv, &argc, time_arg);
	if (!err && st->max_paths)
		err = push(&argv, &argc, "--max-paths") ?: push(&argv, &argc, paths_arg);
	if (!err && o->hooks)
		err = push(&argv, &argc, "--hooks") ?: push(&argv, &argc, o->hooks);
	for (size_t i = 0; !err && i < o->option_cnt; i++)
		err = push(&argv, &argc, o->options[i]);
	if (!err)
		err = push(&argv, &argc, o->path);
	if (err)
		goto out;
	status = run_child(argv, log, o->max_time > 0 ? 2 * o->max_time + 60 : 24 * 3600);
	err = set_status(&r, cell, status, log);
	if (!err && !read_stats(dir, &r)) {
		err = read_timeline(dir, &r) ?: census_dir(&census, dir) ?: census_result(&census, &r);
	}
write:
	if (!r.type)
		r.type = strdup("-");
	if (!err && (!r.status || !r.type))
		err = -ENOMEM;
	if (!err)
		err = cell_result__write(&r, result);
	if (!err && !st->keep_tests)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
out:
	census_free(&census);
	if (r.search != cell->search)
		free(r.search);
	free(argv);
	free(r.status);
	free(r.detail);
	free(r.type);
	free(r.top_unsupported);
	for (size_t i = 0; i < r.map_cnt; i++)
		free(r.maps[i].map);
	free(r.maps);
	free(r.timeline);
	return err ? EXIT_BAD_INPUT : 0;
}
