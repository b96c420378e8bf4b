// SPDX-License-Identifier: MIT
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "coverage.h"
#include "explore.h"
#include "interp.h"
#include "log.h"
#include "replay.h"
#include "selfcheck.h"

#define DEFAULT_MAX_INSNS 1000000

struct explore_run {
	const struct mhse_object *obj;
	const struct mhse_prog *prog;
	const struct mhse_hook *hook;
	const struct explore_opts *opts;
	struct test_writer *writer;
	struct mhse_vm *vm;
	struct coverage *cov;
	struct run_stats *stats;
	struct replay_kernel *kernel; /* NULL unless the kernel referees */
	struct replay_report replay;
	uint64_t max_insns;   /* the engine's per-path budget */
	struct workshare *share; /* a worker's: the run's test numbering */
	size_t number;        /* of the last test written */
	uint64_t start_ns;    /* when exploration began, for the coverage timeline */
	const char *ended_by; /* the run-wide --max-paths, which the engine of a worker does not see */
	int err;
};

/* A worker process of a --jobs run: its own files go to dir. */
struct explore_worker {
	struct workshare *share;
	unsigned index;
	uint64_t start_ns;    /* the run's start, the same for every worker */
	char dir[4096];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void progress(const struct explore_run *run, bool done)
{
	if (!run->opts->progress)
		return;
	fprintf(stderr, "\r%s: %llu paths, %llu errors, %llu unsupported, %llu self-check mismatches%s",
		run->prog->name, (unsigned long long)run->stats->paths, (unsigned long long)run->stats->errors,
		(unsigned long long)run->stats->unsupported, (unsigned long long)run->stats->self_check_mismatches,
		done ? "\n" : "");
}

/* The kernel's verdict on a test the interpreter agreed with. */
static int referee(struct explore_run *run, const struct path_result *path)
{
	struct replay_result res = { 0 };
	char name[32];

	run->err = replay_kernel__test(run->kernel, path, &res);
	snprintf(name, sizeof(name), "test-%06zu", run->number);
	if (!run->err)
		run->err = replay_report__add(&run->replay, name, &res);
	if (run->err)
		return 1;
	if (res.by == REPLAY_BY_KERNEL && res.verdict == REPLAY_DISAGREE) {
		if (run->opts->progress)
			fputc('\n', stderr);
		fprintf(stderr, "%s: ", run->prog->name);
		replay_print_line(stderr, name, &res);
	}
	return 0;
}

/* The self-check replays a path before its test is written: with --tests
 * covering, a path whose replay adds no coverage gets no test (an error or
 * warning path, or one the replay disagrees with, always gets one) and
 * takes no test number, so the workers of a --jobs run leave no gaps in
 * the numbering. A worker judges "adds coverage" by its own coverage: a test
 * may cover what another worker's already did. */
static int on_path(void *arg, const struct path_result *path)
{
	struct explore_run *run = arg;
	struct run_stats *st = run->stats;
	uint64_t firsts = coverage__firsts(run->cov);
	bool mismatch = false;
	uint64_t run_paths = 0;
	char reason[256];
	int err;

	/* the run's path budget, over all workers */
	if (run->share) {
		run_paths = workshare__next_path(run->share);
		if (run->opts->engine.max_paths && run_paths > run->opts->engine.max_paths) {
			run->ended_by = "max-paths";
			return 1;
		}
	}
	st->paths++;
	switch (path->kind) {
	case PATH_ERROR: st->errors++; break;
	case PATH_UNSUPPORTED:
		st->unsupported++;
		if (run_stats__add_unsupported(st, path->message))
			return 1;
		break;
	case PATH_BUDGET: st->budget++; break;
	case PATH_TIMEOUT: st->timeouts++; break;
	case PATH_WARNING: st->warnings++; break;
	default: break;
	}
	st->completed += path->completed;
	run->vm->insn_budget = selfcheck__insn_budget(path, run->max_insns);
	if (path->spurious) {
		st->spurious++;
	} else if ((err = selfcheck__path(run->vm, run->prog, path, run->cov, reason, sizeof(reason)))) {
		if (err < 0) {
			run->err = err;
			return 1;
		}
		mismatch = true;
		st->self_check_mismatches++;
	}
	if (run->opts->tests_covering && !mismatch && path->kind != PATH_ERROR && path->kind != PATH_WARNING &&
	    coverage__firsts(run->cov) == firsts) {
		st->tests_not_covering++;
	} else {
		run->number = run->share ? workshare__next_test(run->share) : test_writer__count(run->writer) + 1;
		run->err = test_writer__add_numbered(run->writer, run->number, run->obj, run->prog, run->hook, path);
		if (run->err)
			return 1;
		st->tests++;
		if (mismatch) {
			if (run->opts->progress)
				fputc('\n', stderr);
			fprintf(stderr, "%s: self-check mismatch in test %zu: %s\n", run->prog->name, run->number,
				reason);
		} else if (!path->spurious && run->kernel && referee(run, path)) {
			return 1;
		}
	}
	/* a worker's points count the run's paths: the parent merges them by time */
	if ((run->err = coverage__mark(run->cov, (double)(now_ns() - run->start_ns) / 1e9,
				       run->share ? run_paths : st->paths)))
		return 1;
	if (!(st->paths % 64))
		progress(run, false);
	return 0;
}

/* The solver's accounting by origin, in stats.json's units; origins that
 * asked nothing are left out. */
static int stats_take_origins(struct run_stats *stats, const struct solver_stats *ss)
{
	stats->origins = calloc(ss->origin_cnt ? ss->origin_cnt : 1, sizeof(*stats->origins));
	if (!stats->origins)
		return -ENOMEM;
	for (unsigned i = 0; i < ss->origin_cnt; i++) {
		const struct solver_origin *o = &ss->origins[i];

		if (!o->queries && !o->z3_calls)
			continue;
		stats->origins[stats->origin_cnt++] = (struct stats_origin){
			.name = o->name, .queries = o->queries, .z3_calls = o->z3_calls,
			.z3_constraints = o->z3_constraints, .z3_time_s = (double)o->ns / 1e9,
			.max_z3_ms = (double)o->max_ns / 1e6, .layer_time_s = (double)o->layer_ns / 1e9 };
	}
	return 0;
}

static double peak_rss_mb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : (double)ru.ru_maxrss / 1024.0;
}

static int worker_stats_save(const char *dir, const struct run_stats *st);

/* One process's exploration: the whole run, or one worker's part of it
 * (w), whose results explore_parallel merges. */
static int explore_run(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		       const struct explore_opts *opts, const struct explore_worker *w, struct run_stats *stats)
{
	struct explore_run run = { .obj = obj, .prog = prog, .hook = hook, .opts = opts, .stats = stats,
				   .share = w ? w->share : NULL };
	struct mhse_explore_opts eopts = opts->engine;
	struct mhse_engine *engine = NULL;
	const struct engine_stats *es;
	char path[4200];
	int err;

	if (!eopts.max_insns)
		eopts.max_insns = DEFAULT_MAX_INSNS;
	stats->program = prog->name;
	stats->hook = hook->name;
	stats->policy = map_policy_name(eopts.policy);
	stats->search = search_name(eopts.search);
	eopts.share = run.share;
	eopts.share_root = w && !w->index;
	eopts.start_ns = w ? w->start_ns : 0;
	err = test_writer__open(opts->out_dir, &run.writer);
	if (err)
		return err;
	if (w) {
		snprintf(path, sizeof(path), "%s/tests.pcap", w->dir);
		err = mkdir(w->dir, 0755) && errno != EEXIST ? -errno : test_writer__set_pcap(run.writer, path);
		if (err)
			goto out;
	}
	if (opts->replay_kernel) {
		err = replay_kernel__open(obj, prog, hook, &run.kernel);
		if (!err)
			err = replay_report__init(&run.replay, prog->name, hook->name, true);
		if (err) {
			test_writer__close(run.writer);
			return err;
		}
	}
	err = mhse_vm__new(obj, hook, &run.vm);
	if (!err)
		err = coverage__new(obj, prog, &run.cov);
	if (!err)
		err = mhse_engine__new(obj, prog, hook, &eopts, &engine);
	if (err)
		goto out;
	run.max_insns = eopts.max_insns;
	run.start_ns = w ? w->start_ns : now_ns();
	err = mhse_engine__run(engine, on_path, &run);
	if (!err)
		err = run.err;
	progress(&run, true);
	es = mhse_engine__stats(engine);
	stats->time_s = es->time_s;
	stats->solver_time_s = (double)es->solver.ns / 1e9;
	stats->queries = es->solver.queries;
	stats->z3_calls = es->solver.z3_calls;
	stats->undecided_queries = es->solver.undecided;
	stats->term_renewals = es->term_renewals;
	stats->ended_by = es->ended_by ?: run.ended_by;
	err = err ?: stats_take_origins(stats, &es->solver);
	stats->ms_per_test = stats->paths ? es->time_s * 1000.0 / (double)stats->paths : 0;
	stats->insn_coverage_pct = coverage__insn_pct(run.cov);
	stats->branch_coverage_pct = coverage__branch_pct(run.cov);
	stats->time_to_coverage_s = coverage__time_to_final(run.cov);
	stats->peak_rss_mb = peak_rss_mb();
	if (w) {
		snprintf(path, sizeof(path), "%s/coverage.bin", w->dir);
		if (!err)
			err = coverage__save(run.cov, path);
		if (!err)
			err = worker_stats_save(w->dir, stats);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/coverage.json", opts->out_dir);
	if (!err)
		err = coverage__write_json(run.cov, path);
	snprintf(path, sizeof(path), "%s/coverage.info", opts->out_dir);
	if (!err)
		err = coverage__write_lcov(run.cov, path);
	if (!err)
		err = stats_write(opts->out_dir, stats);
	if (!err && run.kernel) {
		replay_report__print_summary(stdout, &run.replay);
		err = replay_stats__update(opts->out_dir, &run.replay);
	}
out:
	replay_kernel__close(run.kernel);
	replay_report__free(&run.replay);
	mhse_engine__free(engine);
	coverage__free(run.cov);
	mhse_vm__free(run.vm);
	test_writer__close(run.writer);
	return err;
}

/* A worker's stats for the parent: counts and the budget that ended it, then
 * a line per solver origin ("o") and per unsupported reason ("u"). An
 * origin's name is a string of the program image, which a worker forked
 * from the parent shares: its address goes with it, checked by the name. */
static int worker_stats_save(const char *dir, const struct run_stats *st)
{
	char path[4200];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/stats.txt", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %.9f %.9f %.3f %s\n",
		(unsigned long long)st->paths, (unsigned long long)st->tests, (unsigned long long)st->errors,
		(unsigned long long)st->warnings, (unsigned long long)st->unsupported, (unsigned long long)st->budget,
		(unsigned long long)st->timeouts,
		(unsigned long long)st->spurious, (unsigned long long)st->self_check_mismatches,
		(unsigned long long)st->queries, (unsigned long long)st->z3_calls,
		(unsigned long long)st->tests_not_covering, (unsigned long long)st->completed,
		(unsigned long long)st->undecided_queries, (unsigned long long)st->term_renewals, st->time_s,
		st->solver_time_s, st->peak_rss_mb,
		st->ended_by ?: "-");
	for (size_t i = 0; i < st->origin_cnt; i++) {
		const struct stats_origin *o = &st->origins[i];

		fprintf(f, "o %p %llu %llu %llu %.9f %.6f %.9f %s\n", (const void *)o->name,
			(unsigned long long)o->queries, (unsigned long long)o->z3_calls,
			(unsigned long long)o->z3_constraints, o->z3_time_s, o->max_z3_ms, o->layer_time_s, o->name);
	}
	for (size_t i = 0; i < st->unsupported_reason_cnt; i++)
		fprintf(f, "u %llu %s\n", (unsigned long long)st->unsupported_reasons[i].count,
			st->unsupported_reasons[i].reason);
	if (fclose(f))
		err = -errno;
	return err;
}

/* Adds an origin line of a worker's stats to the run's, by name. */
static int origin_add(struct run_stats *st, const char *line)
{
	struct stats_origin o, *to;
	unsigned long long q, calls, cons;
	void *name;
	int used = 0;

	if (sscanf(line, "o %p %llu %llu %llu %lf %lf %lf %n", &name, &q, &calls, &cons, &o.z3_time_s, &o.max_z3_ms,
		   &o.layer_time_s, &used) != 7 || !used || strcmp(name, line + used))
		return -EINVAL;
	for (to = st->origins; to < st->origins + st->origin_cnt && strcmp(to->name, name); to++)
		;
	if (to == st->origins + st->origin_cnt) {
		to = realloc(st->origins, (st->origin_cnt + 1) * sizeof(*st->origins));
		if (!to)
			return -ENOMEM;
		st->origins = to;
		to = &st->origins[st->origin_cnt++];
		*to = (struct stats_origin){ .name = name };
	}
	to->queries += q;
	to->z3_calls += calls;
	to->z3_constraints += cons;
	to->z3_time_s += o.z3_time_s;
	to->layer_time_s += o.layer_time_s;
	if (o.max_z3_ms > to->max_z3_ms)
		to->max_z3_ms = o.max_z3_ms;
	return 0;
}

/* The run's name of a budget a worker's stats name. */
static const char *budget_name(const char *name)
{
	static const char *const budgets[] = { "max-time", "max-memory", "max-paths" };

	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++)
		if (!strcmp(name, budgets[i]))
			return budgets[i];
	return NULL;
}

/* Adds a worker's stats to the run's (times summed; peak memory the
 * largest; the run ended by a budget if any worker was). */
static int worker_stats_add(const char *dir, struct run_stats *st)
{
	unsigned long long n[15];
	double time_s, solver_s, rss;
	char path[4200], line[512], ended[16];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/stats.txt", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %lf %lf %lf %15s\n",
		   &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7], &n[8], &n[9], &n[10], &n[11], &n[12], &n[13],
		   &n[14], &time_s, &solver_s, &rss, ended) != 19) {
		fclose(f);
		return -EINVAL;
	}
	st->paths += n[0];
	st->tests += n[1];
	st->errors += n[2];
	st->warnings += n[3];
	st->unsupported += n[4];
	st->budget += n[5];
	st->timeouts += n[6];
	st->spurious += n[7];
	st->self_check_mismatches += n[8];
	st->queries += n[9];
	st->z3_calls += n[10];
	st->tests_not_covering += n[11];
	st->completed += n[12];
	st->undecided_queries += n[13];
	st->term_renewals += n[14];
	st->ended_by = st->ended_by ?: budget_name(ended);
	st->time_s += time_s;
	st->solver_time_s += solver_s;
	if (rss > st->peak_rss_mb)
		st->peak_rss_mb = rss;
	while (!err && fgets(line, sizeof(line), f)) {
		unsigned long long count;
		int used = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == 'o') {
			err = origin_add(st, line);
			continue;
		}
		if (sscanf(line, "u %llu %n", &count, &used) != 1 || !used)
			continue;
		/* the first of the worker's paths is counted by add, the rest here */
		err = run_stats__add_unsupported(st, line + used);
		for (size_t i = 0; !err && i < st->unsupported_reason_cnt; i++)
			if (!strcmp(st->unsupported_reasons[i].reason, line + used))
				st->unsupported_reasons[i].count += count - 1;
	}
	fclose(f);
	return err;
}

static void worker_dir_remove(const char *dir)
{
	static const char *const files[] = { "tests.pcap", "coverage.bin", "stats.txt" };
	char path[4200];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Waits for the workers; when one fails, ends the others (they could wait
 * for its work forever). 0, or -EIO when a worker failed. */
static int workers_wait(pid_t *pids, unsigned cnt)
{
	unsigned left = cnt;
	int err = 0;

	while (left) {
		int status;
		pid_t pid = wait(&status);
		bool failed = !WIFEXITED(status) || WEXITSTATUS(status);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return -ECHILD;
		}
		for (unsigned i = 0; i < cnt; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = 0;
			left--;
			if (failed && !err) {
				err = -EIO;
				for (unsigned k = 0; k < cnt; k++)
					if (pids[k] > 0)
						kill(pids[k], SIGKILL);
			}
		}
	}
	return err;
}

/* --jobs N: N worker processes share the path tree (partition.h), write
 * their tests into the output directory under one numbering, and the
 * parent merges their coverage, packets and stats. */
static int explore_parallel(const struct mhse_object *obj, const struct mhse_prog *prog,
			    const struct mhse_hook *hook, const struct explore_opts *opts, struct run_stats *stats)
{
	struct explore_opts wopts = *opts;
	struct explore_worker *workers = calloc(opts->jobs, sizeof(*workers));
	pid_t *pids = calloc(opts->jobs, sizeof(*pids));
	char **pcaps = calloc(opts->jobs, sizeof(*pcaps));
	struct workshare *share = workshare__new(opts->jobs);
	struct coverage *cov = NULL;
	char path[4200];
	uint64_t start = now_ns();
	double worker_s;
	int err = workers && pids && pcaps && share ? 0 : -ENOMEM;

	wopts.progress = false;
	stats->program = prog->name;
	stats->hook = hook->name;
	stats->policy = map_policy_name(opts->engine.policy);
	stats->search = search_name(opts->engine.search);
	fflush(NULL); /* the workers must not print what the parent had buffered */
	for (unsigned i = 0; !err && i < opts->jobs; i++) {
		struct explore_worker *w = &workers[i];

		*w = (struct explore_worker){ .share = share, .index = i, .start_ns = start };
		snprintf(w->dir, sizeof(w->dir), "%s/.worker-%u", opts->out_dir, i);
		snprintf(path, sizeof(path), "%s/tests.pcap", w->dir);
		pcaps[i] = strdup(path);
		if (!pcaps[i]) {
			err = -ENOMEM;
			break;
		}
		pids[i] = fork();
		if (pids[i] < 0) {
			err = -errno;
			pids[i] = 0;
		} else if (!pids[i]) {
			struct run_stats ws = { 0 };
			int e = explore_run(obj, prog, hook, &wopts, w, &ws);

			fflush(NULL);
			_exit(e ? 1 : 0);
		}
	}
	if (err) {
		for (unsigned i = 0; pids && i < opts->jobs; i++)
			if (pids[i] > 0)
				kill(pids[i], SIGKILL);
	}
	if (pids) {
		int e = workers_wait(pids, opts->jobs);

		if (!err)
			err = e;
	}
	if (!err)
		err = coverage__new(obj, prog, &cov);
	for (unsigned i = 0; !err && i < opts->jobs; i++) {
		snprintf(path, sizeof(path), "%s/coverage.bin", workers[i].dir);
		err = coverage__add_saved(cov, path);
		if (!err)
			err = worker_stats_add(workers[i].dir, stats);
	}
	snprintf(path, sizeof(path), "%s/tests.pcap", opts->out_dir);
	if (!err && hook->has_packet)
		err = test_pcap__merge(path, pcaps, opts->jobs);
	if (!err) {
		/* wall-clock time; the solver's share of it as of the workers' time */
		worker_s = stats->time_s;
		stats->time_s = (double)(now_ns() - start) / 1e9;
		stats->solver_time_s = worker_s > 0 ? stats->solver_time_s / worker_s * stats->time_s : 0;
		stats->ms_per_test = stats->paths ? stats->time_s * 1000.0 / (double)stats->paths : 0;
		stats->insn_coverage_pct = coverage__insn_pct(cov);
		stats->branch_coverage_pct = coverage__branch_pct(cov);
		err = coverage__rebuild_timeline(cov);
		stats->time_to_coverage_s = coverage__time_to_final(cov);
		snprintf(path, sizeof(path), "%s/coverage.json", opts->out_dir);
		if (!err)
			err = coverage__write_json(cov, path);
	}
	snprintf(path, sizeof(path), "%s/coverage.info", opts->out_dir);
	if (!err)
		err = coverage__write_lcov(cov, path);
	if (!err)
		err = stats_write(opts->out_dir, stats);
	for (unsigned i = 0; workers && i < opts->jobs; i++)
		if (workers[i].dir[0])
			worker_dir_remove(workers[i].dir);
	for (unsigned i = 0; pcaps && i < opts->jobs; i++)
		free(pcaps[i]);
	coverage__free(cov);
	workshare__free(share);
	free(pcaps);
	free(pids);
	free(workers);
	return err;
}

int mhse_explore(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		 const struct explore_opts *opts, struct run_stats *stats)
{
	/* the kernel referee is one process's: its report is written as tests are */
	if (opts->jobs > 1 && !opts->replay_kernel)
		return explore_parallel(obj, prog, hook, opts, stats);
	return explore_run(obj, prog, hook, opts, NULL, stats);
}

void mhse_explore__print_summary(FILE *out, const struct run_stats *stats, size_t cnt)
{
	fprintf(out, "%-24s %-8s %-10s %7s %6s %6s %6s %6s %7s %7s %9s %8s\n", "program", "hook", "policy", "paths",
		"errors", "unsup", "spur", "mism", "insn%", "branch%", "ms/test", "solver%");
	for (size_t i = 0; i < cnt; i++) {
		const struct run_stats *s = &stats[i];

		fprintf(out, "%-24s %-8s %-10s %7llu %6llu %6llu %6llu %6llu %7.1f %7.1f %9.3f %8.1f\n", s->program,
			s->hook, s->policy, (unsigned long long)s->paths, (unsigned long long)s->errors,
			(unsigned long long)s->unsupported, (unsigned long long)s->spurious,
			(unsigned long long)s->self_check_mismatches,
			s->insn_coverage_pct, s->branch_coverage_pct, s->ms_per_test,
			s->time_s > 0 ? 100.0 * s->solver_time_s / s->time_s : 0.0);
		/* a hook the section's libbpf rule or the user did not give says where it came from */
		if (s->hook_rule && s->hook_rule[0] != '-' && strcmp(s->hook_rule, "section"))
			fprintf(out, "  hook %s by %s: %s\n", s->hook, s->hook_rule, s->hook_why);
		if (s->warnings)
			fprintf(out, "  warning: return value outside hook %s's domain (%llu paths)\n", s->hook,
				(unsigned long long)s->warnings);
		if (s->ended_by && s->completed)
			fprintf(out, "  ended by --%s: %llu paths completed along their models; what else was left "
				"unexplored has no tests\n", s->ended_by, (unsigned long long)s->completed);
		else if (s->ended_by)
			fprintf(out, "  ended by --%s: what was left unexplored has no tests\n", s->ended_by);
		for (size_t r = 0; r < s->unsupported_reason_cnt; r++)
			fprintf(out, "  unsupported: %s (%llu paths)\n", s->unsupported_reasons[r].reason,
				(unsigned long long)s->unsupported_reasons[r].count);
	}
}
