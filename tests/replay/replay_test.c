// SPDX-License-Identifier: MIT
/*
 * replay: the kernel as referee of mhse's tests.
 *
 * Every object given is explored by the mhse executable (--all) under each
 * map policy, two explorations at a time, and every XDP and tc test written
 * is replayed by mhse_replay through the interpreter and the kernel. Every
 * test the kernel can replay must agree with it; one the interpreter already
 * contradicts (a self-check mismatch) is not taken to the kernel and is
 * counted apart. The share of tests the kernel cannot replay is printed with
 * its reasons.
 *
 * The same is done in-process the way exploration referees each test as it
 * writes it (mhse --replay-kernel): the engine's paths, self-checked, go
 * straight to replay_kernel__test, under the consistent policy and a small
 * path budget.
 *
 * Then the comparison itself is put to the test: a test the kernel agreed
 * with gets a wrong expected return value, output packet byte or map value,
 * or loses an array entry it expects the program to write (which only a
 * reading of the whole array finds), and must come back as a disagreement
 * naming that difference, from the directory replay (the interpreter sees
 * it first) and from replay_kernel__test (the kernel's own comparison).
 * Each hook must have tests for each of the four. stats.json, per program
 * and combined, must carry the kernel counts afterwards.
 *
 * Each -e names the start of a not-replayable reason (numbers written N, as
 * the summary prints them) that must occur: the objects include programs
 * made to reach each class.
 *
 * A count is one test, or one of those checks: the run ends with "N passed,
 * N failed" and exits 1 if any failed, 77 (skip) if bpf() is not usable.
 *
 * usage: replay_test [-t MAX_TIME] [-p MAX_PATHS] [-i MAX_INSNS] [-e REASON]... MHSE WORKDIR OBJECT...
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <ctype.h>
#include "engine.h"
#include "hook.h"
#include "interp.h"
#include "maps.h"
#include "object.h"
#include "replay.h"
#include "selfcheck.h"
#include "testwriter.h"

#define EXIT_SKIP 77
#define PARALLEL_EXPLORATIONS 2
#define DETAILS_PER_RUN 3
#define MAX_CLASSES 64
#define INPROCESS_PATHS 30
#define INPROCESS_TIME_S 5.0

static const char *const policies[] = { "alloc", "lookup", "consistent", "concrete" };
#define POLICY_CNT (sizeof(policies) / sizeof(policies[0]))
static const char *const hooks[] = { "xdp", "tc" };
#define HOOK_CNT (sizeof(hooks) / sizeof(hooks[0]))

struct totals {
	uint64_t passed, failed;
	uint64_t tests, interp_disagree, not_replayable, kernel_runs;
	double kernel_ms;
};

/* Reasons a test is not replayable, by class. */
struct reason_class {
	char text[96];
	uint64_t cnt;
};

static struct reason_class classes[MAX_CLASSES];

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* An object's name without .bpf.o: "xdp_lb.v4". */
static void object_name(const char *path, char *out, size_t len)
{
	char *end;

	snprintf(out, len, "%s", base_name(path));
	end = strstr(out, ".bpf.o");
	if (end)
		*end = '\0';
}

/* A reason's class: up to its first ':' or '(', numbers as N. */
static void count_class(const char *reason)
{
	char text[96];
	size_t n = 0;

	for (const char *p = reason; *p && *p != ':' && *p != '(' && n + 1 < sizeof(text); p++) {
		if (*p >= '0' && *p <= '9') {
			while (p[1] >= '0' && p[1] <= '9')
				p++;
			text[n++] = 'N';
		} else {
			text[n++] = *p;
		}
	}
	while (n && text[n - 1] == ' ')
		n--;
	text[n] = '\0';
	for (size_t i = 0; i < MAX_CLASSES; i++) {
		if (!classes[i].cnt || !strcmp(classes[i].text, text)) {
			snprintf(classes[i].text, sizeof(classes[i].text), "%s", text);
			classes[i].cnt++;
			return;
		}
	}
}

/* ---- exploring ---- */

struct job {
	const char *object;
	const char *policy;
	char out[4096], log[4200];
	pid_t pid;
	int status;
};

static int make_dir(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -errno : 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Tests a previous run left would be replayed with the new ones. */
static int clear_dir(const char *path)
{
	int err = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	return err && errno != ENOENT ? -errno : 0;
}

/* The exploration budget every job gets. */
struct budget {
	const char *max_time, *max_paths, *max_insns;
};

static pid_t start_job(const char *mhse, struct job *j, const struct budget *b)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	fd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(126);
	execl(mhse, mhse, "--all", "--max-time", b->max_time, "--max-paths", b->max_paths, "--max-insns", b->max_insns,
	      "--policy", j->policy, "--out", j->out, j->object, (char *)NULL);
	_exit(127);
}

/* Runs every job, PARALLEL_EXPLORATIONS at a time. */
static void run_jobs(const char *mhse, struct job *jobs, size_t cnt, const struct budget *b)
{
	size_t next = 0, running = 0;

	while (next < cnt || running) {
		int status;
		pid_t pid;

		if (next < cnt && running < PARALLEL_EXPLORATIONS) {
			jobs[next].pid = start_job(mhse, &jobs[next], b);
			jobs[next].status = jobs[next].pid < 0 ? -1 : 0;
			running += jobs[next].pid > 0;
			next++;
			continue;
		}
		pid = wait(&status);
		if (pid < 0)
			break;
		for (size_t i = 0; i < cnt; i++)
			if (jobs[i].pid == pid)
				jobs[i].status = status;
		running--;
	}
}

/* ---- files ---- */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (len = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)len + 1))) {
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else {
			buf[len] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	err = fputs(text, f) < 0 ? -EIO : 0;
	return fclose(f) || err ? -EIO : 0;
}

/* The integer after "key": inside text, or -1 when missing. */
static long long json_int_after(const char *text, const char *key)
{
	char pattern[80];
	const char *at;

	snprintf(pattern, sizeof(pattern), "\"%s\": ", key);
	at = text ? strstr(text, pattern) : NULL;
	return at ? strtoll(at + strlen(pattern), NULL, 10) : -1;
}

/* ---- stats.json ---- */

/* Whether a program's stats.json holds r's kernel counts and still what it held. */
static bool stats_has_counts(const char *path, const struct replay_report *r)
{
	char *text = read_text(path);
	bool ok = text && json_int_after(text, "kernel_agree") == (long long)r->kernel_agree &&
		  json_int_after(text, "kernel_disagree") == (long long)r->kernel_disagree &&
		  json_int_after(text, "kernel_not_replayable") == (long long)r->kernel_not_replayable &&
		  json_int_after(text, "tests") == (long long)r->test_cnt;

	free(text);
	return ok;
}

static void check(struct totals *t, bool ok, const char *fmt, const char *what)
{
	if (ok) {
		t->passed++;
		return;
	}
	t->failed++;
	printf("FAIL ");
	printf(fmt, what);
	printf("\n");
}

/* ---- wrong expectations ---- */

enum wrong_kind { WRONG_RETURN, WRONG_PACKET, WRONG_MAP, WRONG_UNLISTED, WRONG_KINDS };

static const char *const wrong_names[] = { "return value", "packet byte", "map value", "array entry" };

/* Cuts the map entry at at (a list's "{"map": ...}") out of the text it
 * is in, with the comma that joins it to the next entry or the one before. */
static void cut_entry(char *at)
{
	char *from = at, *to = strchr(at, '}') + 1;

	if (*to == ',') {
		to++;
		while (isspace((unsigned char)*to))
			to++;
	} else {
		while (isspace((unsigned char)from[-1]))
			from--;
		from = from[-1] == ',' ? from - 1 : at;
	}
	memmove(from, to, strlen(to) + 1);
}

/* Whether a value's hex is the map's initial value (global data's bytes,
 * or zeroes). */
static bool is_initial(const struct mhse_map *def, const char *hex)
{
	for (uint32_t i = 0; i < def->value_size; i++) {
		unsigned byte;

		if (sscanf(hex + 2 * i, "%2x", &byte) != 1 || byte != (def->init ? def->init[i] : 0))
			return false;
	}
	return true;
}

/* The test text without one entry of expected.maps: an index of an array
 * the program changes, and that the input lists as it starts if at all,
 * which it then leaves out too: the kernel runs the test as before and
 * meets the value among the indices the test does not list. NULL when the
 * test has none. */
static char *leave_out_array_entry(const struct mhse_object *obj, const char *text, const char *expected,
				   char *kernel_reason, size_t len)
{
	const char *maps = strstr(expected, "\"maps\": ["), *end = maps ? strchr(maps, ']') : NULL;

	for (const char *at = maps ? strstr(maps, "{\"map\": \"") : NULL; at && at < end;
	     at = strstr(at + 1, "{\"map\": \"")) {
		char name[128], key[72], needle[256];
		const struct mhse_map *def = NULL;
		const char *in_input;
		char *out;

		if (sscanf(at, "{\"map\": \"%127[^\"]\", \"key\": \"%71[^\"]\"", name, key) != 2)
			continue;
		for (size_t i = 0; i < obj->map_cnt && !def; i++)
			if (!strcmp(obj->maps[i].name, name))
				def = &obj->maps[i];
		if (!def || !map_is_array_like(def->type))
			continue;
		snprintf(needle, sizeof(needle), "{\"map\": \"%s\", \"key\": \"%s\", \"value\": \"", name, key);
		if (is_initial(def, at + strlen(needle)))
			continue;
		in_input = strstr(text, needle);
		in_input = in_input < expected ? in_input : NULL;
		if (in_input && !is_initial(def, in_input + strlen(needle)))
			continue;
		out = strdup(text);
		if (!out)
			return NULL;
		cut_entry(out + (at - text));
		if (in_input)
			cut_entry(out + (in_input - text));
		snprintf(kernel_reason, len, "map %s key %s: ", name, key);
		return out;
	}
	return NULL;
}

/* The test text with one expectation made wrong, or NULL when the test has
 * nothing of that kind. field is what a reason must mention, kernel_reason
 * what the kernel's reason must start with. */
static char *make_wrong(const struct mhse_object *obj, const char *text, enum wrong_kind kind, const char **field,
			char *kernel_reason, size_t len)
{
	const char *expected = strstr(text, "\"expected\": {"), *at, *end;
	char *out;

	if (!expected)
		return NULL;
	if (kind == WRONG_UNLISTED) {
		*field = "map ";
		return leave_out_array_entry(obj, text, expected, kernel_reason, len);
	}
	if (kind == WRONG_RETURN) {
		char *rest;
		long long v;

		at = strstr(expected, "\"return\": ");
		if (!at)
			return NULL;
		at += strlen("\"return\": ");
		v = strtoll(at, &rest, 10);
		out = malloc(strlen(text) + 32);
		if (!out)
			return NULL;
		sprintf(out, "%.*s%lld%s", (int)(at - text), text, v ^ 1, rest);
		*field = "return";
		snprintf(kernel_reason, len, "return %lld", v ^ 1);
		return out;
	}
	if (kind == WRONG_PACKET) {
		/* byte 15, past the Ethernet header */
		at = strstr(expected, "\"packet\": \"");
		if (!at || strspn(at + strlen("\"packet\": \""), "0123456789abcdef") < 2 * 16)
			return NULL;
		at += strlen("\"packet\": \"") + 2 * 15;
		*field = "packet byte 15";
	} else {
		at = strstr(expected, "\"maps\": [");
		end = at ? strchr(at, ']') : NULL;
		at = at ? strstr(at, "\"value\": \"") : NULL;
		if (!at || at > end)
			return NULL;
		at += strlen("\"value\": \"");
		*field = "map ";
	}
	snprintf(kernel_reason, len, "%s", *field);
	out = strdup(text);
	if (out)
		out[at - text] = *at == '0' ? '1' : '0';
	return out;
}

/* A test the kernel agreed with, made wrong each way not done yet for the
 * hook (done) that it can be: the directory replay and the kernel's own
 * comparison must each name the change. */
static void check_wrong(struct totals *t, const struct mhse_object *obj, const struct mhse_prog *prog,
			const struct mhse_hook *hook, const char *test_file, const char *workdir, bool *done)
{
	char *text = read_text(test_file);

	for (int kind = 0; text && kind < WRONG_KINDS; kind++) {
		struct replay_opts opts = { .kernel = true };
		struct replay_report report;
		struct replay_kernel *rk = NULL;
		struct replay_result res = { 0 };
		struct path_result p;
		char dir[4200], file[4300], what[256], label[256];
		const char *field;
		char *wrong = done[kind] ? NULL : make_wrong(obj, text, (enum wrong_kind)kind, &field, what, sizeof(what));
		bool ok;
		int err;

		if (!wrong)
			continue;
		done[kind] = true;
		snprintf(dir, sizeof(dir), "%s/wrong-%s-%d", workdir, hook->name, kind);
		snprintf(file, sizeof(file), "%s/test-000001.json", dir);
		snprintf(label, sizeof(label), "%.60s: wrong %s in %.150s", prog->name, wrong_names[kind],
			 base_name(test_file));
		if (make_dir(dir) || write_text(file, wrong)) {
			check(t, false, "%s: cannot write the test", label);
			free(wrong);
			continue;
		}
		free(wrong);

		err = mhse_replay(obj, prog, hook, dir, &opts, &report);
		ok = !err && report.test_cnt == 1 && report.tests[0].result.verdict == REPLAY_DISAGREE &&
		     strstr(report.tests[0].result.reason, field);
		printf("  %s, directory replay: ", label);
		if (!err && report.test_cnt == 1)
			replay_print_line(stdout, report.tests[0].name, &report.tests[0].result);
		else
			printf("error %d\n", err);
		check(t, ok, "%s: the directory replay does not name it", label);
		replay_report__free(&report);

		err = test_reader__load(file, obj, hook, &p, NULL);
		if (!err)
			err = replay_kernel__open(obj, prog, hook, &rk);
		if (!err)
			err = replay_kernel__test(rk, &p, &res);
		ok = !err && res.by == REPLAY_BY_KERNEL && res.verdict == REPLAY_DISAGREE &&
		     !strncmp(res.reason, what, strlen(what));
		printf("  %s, kernel: ", label);
		replay_print_line(stdout, "test-000001", &res);
		check(t, ok, "%s: the kernel's comparison does not name it first", label);
		replay_kernel__close(rk);
		path_result__free(&p);
	}
	free(text);
}

/* ---- replaying ---- */

struct wrong_done {
	bool done[HOOK_CNT][WRONG_KINDS];
};

static bool all_done(const bool *done)
{
	for (int kind = 0; kind < WRONG_KINDS; kind++)
		if (!done[kind])
			return false;
	return true;
}

static int replay_one(struct totals *t, const struct mhse_object *obj, const struct mhse_prog *prog,
		      const struct mhse_hook *hook, const char *obj_name, const char *policy, const char *workdir,
		      struct wrong_done *wd, size_t hook_idx)
{
	struct replay_opts opts = { .kernel = true };
	struct replay_report r;
	char dir[4096], parent[2048], stats[4200], label[256];
	size_t shown = 0, interp_shown = 0;
	int err;

	snprintf(parent, sizeof(parent), "%s/%s/%s", workdir, obj_name, policy);
	snprintf(dir, sizeof(dir), "%s/%s", parent, prog->name);
	snprintf(label, sizeof(label), "%.100s %.20s %.100s", obj_name, policy, prog->name);
	err = mhse_replay(obj, prog, hook, dir, &opts, &r);
	if (err == -EPERM)
		return err;
	if (err) {
		printf("FAIL %s: replay failed: %s\n", label, strerror(-err));
		t->failed++;
		return 0;
	}
	printf("%-40s %5zu tests: %5" PRIu64 " agree, %" PRIu64 " disagree, %4" PRIu64 " not replayable (%3.0f%%); "
	       "%" PRIu64 " interpreter disagreements; %.3f ms per test run\n",
	       label, r.test_cnt, r.kernel_agree, r.kernel_disagree, r.kernel_not_replayable,
	       r.test_cnt ? 100.0 * (double)r.kernel_not_replayable / (double)r.test_cnt : 0.0, r.interp_disagree,
	       r.kernel_runs ? r.kernel_ms / (double)r.kernel_runs : 0.0);
	for (size_t i = 0; i < r.test_cnt; i++) {
		const struct replay_test *rt = &r.tests[i];

		if (rt->result.by == REPLAY_BY_KERNEL && rt->result.verdict == REPLAY_DISAGREE && shown++ < DETAILS_PER_RUN) {
			printf("FAIL %s/", dir);
			replay_print_line(stdout, rt->name, &rt->result);
		}
		if (rt->result.by == REPLAY_BY_INTERPRETER && rt->result.verdict == REPLAY_DISAGREE &&
		    interp_shown++ < DETAILS_PER_RUN) {
			printf("  (not a kernel verdict) %s/", dir);
			replay_print_line(stdout, rt->name, &rt->result);
		}
		if (rt->result.verdict == REPLAY_NOT_REPLAYABLE)
			count_class(rt->result.reason);
		if (!all_done(wd->done[hook_idx]) && rt->result.by == REPLAY_BY_KERNEL &&
		    rt->result.verdict == REPLAY_AGREE) {
			char file[4300];

			snprintf(file, sizeof(file), "%s/%s/%s.json", parent, prog->name, rt->name);
			check_wrong(t, obj, prog, hook, file, workdir, wd->done[hook_idx]);
		}
	}
	t->passed += r.kernel_agree;
	t->failed += r.kernel_disagree;
	t->tests += r.test_cnt;
	t->interp_disagree += r.interp_disagree;
	t->not_replayable += r.kernel_not_replayable;
	t->kernel_runs += r.kernel_runs;
	t->kernel_ms += r.kernel_ms;

	err = replay_stats__update(dir, &r);
	snprintf(stats, sizeof(stats), "%s/stats.json", dir);
	check(t, !err && stats_has_counts(stats, &r), "%s: stats.json lacks the kernel counts", label);
	err = replay_stats__update(parent, &r);
	check(t, !err, "%s: the combined stats.json does not update", label);

	replay_report__free(&r);
	return 0;
}

/* The combined stats.json of one exploration: its total is the programs' sum. */
static void check_combined(struct totals *t, const char *workdir, const char *obj_name, const char *policy)
{
	char path[4096], label[256];
	char *text;
	const char *total;
	uint64_t sum[3] = { 0 };
	static const char *const keys[] = { "kernel_agree", "kernel_disagree", "kernel_not_replayable" };
	bool ok = true;

	snprintf(path, sizeof(path), "%s/%s/%s/stats.json", workdir, obj_name, policy);
	snprintf(label, sizeof(label), "%.120s %.20s", obj_name, policy);
	text = read_text(path);
	total = text ? strstr(text, "\"total\"") : NULL;
	for (size_t k = 0; total && k < 3; k++) {
		for (const char *at = text; at < total && (at = strstr(at, keys[k])) && at < total; at++)
			sum[k] += (uint64_t)json_int_after(at - 1, keys[k]);
		ok &= json_int_after(total, keys[k]) == (long long)sum[k];
	}
	check(t, total && ok, "%s: the combined stats.json's total is not the programs' sum", label);
	free(text);
}

/* ---- in-process, as exploration referees ---- */

struct inprocess {
	struct mhse_vm *vm;
	struct replay_kernel *rk;
	const struct mhse_prog *prog;
	struct replay_report report;
	size_t paths;
	int err;
};

/* What an exploration does with each finished path under --replay-kernel. */
static int on_path(void *arg, const struct path_result *path)
{
	struct inprocess *ip = arg;
	struct replay_result res = { .verdict = REPLAY_DISAGREE, .by = REPLAY_BY_INTERPRETER };
	int mismatch = 0;
	char name[32];

	snprintf(name, sizeof(name), "path-%06zu", ++ip->paths);
	if (!path->spurious)
		mismatch = selfcheck__path(ip->vm, ip->prog, path, NULL, res.reason, sizeof(res.reason));
	if (mismatch < 0)
		ip->err = mismatch;
	else if (!mismatch)
		ip->err = replay_kernel__test(ip->rk, path, &res);
	if (!ip->err)
		ip->err = replay_report__add(&ip->report, name, &res);
	return ip->err ? 1 : 0;
}

static int explore_in_process(struct totals *t, const struct mhse_object *obj, const struct mhse_prog *prog,
			      const struct mhse_hook *hook, const char *obj_name, const char *max_insns)
{
	struct mhse_explore_opts eo = { .policy = POLICY_CONSISTENT, .search = SEARCH_DFS, .max_paths = INPROCESS_PATHS,
					.max_time_s = INPROCESS_TIME_S, .max_insns = strtoull(max_insns, NULL, 10) };
	struct inprocess ip = { .prog = prog };
	struct mhse_engine *engine = NULL;
	size_t shown = 0;
	int err;

	err = replay_report__init(&ip.report, prog->name, hook->name, true) ?: mhse_vm__new(obj, hook, &ip.vm) ?:
	      replay_kernel__open(obj, prog, hook, &ip.rk) ?: mhse_engine__new(obj, prog, hook, &eo, &engine);
	if (!err) {
		/* replays must stop where the engine stopped a path over budget */
		ip.vm->insn_budget = eo.max_insns;
		err = mhse_engine__run(engine, on_path, &ip) ?: ip.err;
	}
	if (err && err != -EPERM) {
		printf("FAIL %s %s in-process: %s\n", obj_name, prog->name, strerror(-err));
		t->failed++;
	} else if (!err) {
		printf("%.60s %s in-process: ", obj_name, prog->name);
		replay_report__print_summary(stdout, &ip.report);
		for (size_t i = 0; i < ip.report.test_cnt; i++) {
			const struct replay_test *rt = &ip.report.tests[i];

			if (rt->result.by == REPLAY_BY_KERNEL && rt->result.verdict == REPLAY_DISAGREE &&
			    shown++ < DETAILS_PER_RUN) {
				printf("FAIL %s %s in-process ", obj_name, prog->name);
				replay_print_line(stdout, rt->name, &rt->result);
			}
		}
		t->passed += ip.report.kernel_agree;
		t->failed += ip.report.kernel_disagree;
	}
	mhse_engine__free(engine);
	replay_kernel__close(ip.rk);
	mhse_vm__free(ip.vm);
	replay_report__free(&ip.report);
	return err == -EPERM ? err : 0;
}

static bool bpf_usable(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "mhse_probe", 4, 4, 1, NULL);

	if (fd < 0) {
		printf("SKIP: bpf() is not usable here (%s): replaying in the kernel needs root, or CAP_BPF and "
		       "CAP_NET_ADMIN\n",
		       strerror(-fd));
		return false;
	}
	close(fd);
	return true;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct budget budget = { .max_time = "10", .max_paths = "0", .max_insns = "2000" };
	const char *mhse, *workdir, *expected_classes[16];
	size_t expected_cnt = 0;
	struct mhse_hook *hook_specs[HOOK_CNT] = { 0 };
	struct wrong_done wd = { 0 };
	struct totals t = { 0 };
	struct job *jobs;
	size_t job_cnt = 0;
	double start = now_s(), explored;
	int opt, ret = 0;

	while ((opt = getopt(argc, argv, "t:p:i:e:")) != -1) {
		if (opt == 't')
			budget.max_time = optarg;
		else if (opt == 'p')
			budget.max_paths = optarg;
		else if (opt == 'i')
			budget.max_insns = optarg;
		else if (opt == 'e' && expected_cnt < sizeof(expected_classes) / sizeof(expected_classes[0]))
			expected_classes[expected_cnt++] = optarg;
		else
			goto usage;
	}
	if (argc - optind < 3)
		goto usage;
	mhse = argv[optind];
	workdir = argv[optind + 1];
	if (!bpf_usable())
		return EXIT_SKIP;
	if (clear_dir(workdir)) {
		printf("FAIL: cannot clear %s: %s\n", workdir, strerror(errno));
		return 1;
	}
	for (size_t h = 0; h < HOOK_CNT; h++) {
		if (mhse_hook__load(hooks[h], &hook_specs[h])) {
			printf("FAIL: no %s hook spec\n", hooks[h]);
			return 1;
		}
	}

	jobs = calloc((size_t)(argc - optind - 2) * POLICY_CNT, sizeof(*jobs));
	if (!jobs)
		return 1;
	for (int a = optind + 2; a < argc; a++) {
		char name[256];

		object_name(argv[a], name, sizeof(name));
		for (size_t p = 0; p < POLICY_CNT; p++) {
			struct job *j = &jobs[job_cnt++];

			j->object = argv[a];
			j->policy = policies[p];
			snprintf(j->out, sizeof(j->out), "%s/%s/%s", workdir, name, policies[p]);
			snprintf(j->log, sizeof(j->log), "%s.log", j->out);
			if (make_dir(j->out)) {
				printf("FAIL: cannot create %s\n", j->out);
				return 1;
			}
		}
	}
	run_jobs(mhse, jobs, job_cnt, &budget);
	explored = now_s();
	printf("explored %zu objects under %zu policies in %.1f s (--max-time %s --max-paths %s --max-insns %s)\n",
	       job_cnt / POLICY_CNT, POLICY_CNT, explored - start, budget.max_time, budget.max_paths, budget.max_insns);

	for (size_t i = 0; i < job_cnt && !ret; i++) {
		struct mhse_object *obj;
		char name[256];

		object_name(jobs[i].object, name, sizeof(name));
		if (!WIFEXITED(jobs[i].status) || WEXITSTATUS(jobs[i].status)) {
			printf("FAIL %s %s: exploring failed (status 0x%x), see %s\n", name, jobs[i].policy, jobs[i].status,
			       jobs[i].log);
			t.failed++;
			continue;
		}
		if (mhse_object__open(jobs[i].object, NULL, &obj)) {
			printf("FAIL %s: mhse cannot open it\n", jobs[i].object);
			t.failed++;
			continue;
		}
		for (size_t p = 0; p < obj->prog_cnt && !ret; p++) {
			for (size_t h = 0; h < HOOK_CNT; h++) {
				if (!obj->progs[p].hook || strcmp(obj->progs[p].hook, hooks[h]))
					continue;
				if (replay_one(&t, obj, &obj->progs[p], hook_specs[h], name, jobs[i].policy, workdir, &wd,
					       h) == -EPERM)
					ret = EXIT_SKIP;
				/* once per object */
				if (!ret && !strcmp(jobs[i].policy, policies[0]) &&
				    explore_in_process(&t, obj, &obj->progs[p], hook_specs[h], name, budget.max_insns) == -EPERM)
					ret = EXIT_SKIP;
			}
		}
		check_combined(&t, workdir, name, jobs[i].policy);
		mhse_object__close(obj);
	}
	for (size_t h = 0; h < HOOK_CNT; h++) {
		for (int kind = 0; kind < WRONG_KINDS; kind++) {
			char what[128];

			snprintf(what, sizeof(what), "%s: no test the kernel agreed with to make wrong by its %s", hooks[h],
				 wrong_names[kind]);
			check(&t, wd.done[h][kind], "%s", what);
		}
		mhse_hook__free(hook_specs[h]);
	}
	free(jobs);
	if (ret == EXIT_SKIP)
		return ret;

	printf("\n%" PRIu64 " tests: %" PRIu64 " not replayable in the kernel (%.1f%%), %" PRIu64
	       " interpreter disagreements (not taken to the kernel); %.3f ms per kernel test run; replay took %.1f s\n",
	       t.tests, t.not_replayable, t.tests ? 100.0 * (double)t.not_replayable / (double)t.tests : 0.0,
	       t.interp_disagree, t.kernel_runs ? t.kernel_ms / (double)t.kernel_runs : 0.0, now_s() - explored);
	for (size_t i = 0; i < MAX_CLASSES && classes[i].cnt; i++)
		printf("  not replayable: %-70s %6" PRIu64 "\n", classes[i].text, classes[i].cnt);
	for (size_t e = 0; e < expected_cnt; e++) {
		bool found = false;

		for (size_t i = 0; i < MAX_CLASSES && classes[i].cnt; i++)
			found |= !strncmp(classes[i].text, expected_classes[e], strlen(expected_classes[e]));
		check(&t, found, "no test was not replayable for \"%s\"", expected_classes[e]);
	}
	printf("%" PRIu64 " passed, %" PRIu64 " failed\n", t.passed, t.failed);
	return t.failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: %s [-t MAX_TIME] [-p MAX_PATHS] [-i MAX_INSNS] [-e REASON]... MHSE WORKDIR OBJECT...\n",
		argv[0]);
	return 2;
}
