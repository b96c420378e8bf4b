// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
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
	int err;
};

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
	snprintf(name, sizeof(name), "test-%06zu", test_writer__count(run->writer));
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

static int on_path(void *arg, const struct path_result *path)
{
	struct explore_run *run = arg;
	struct run_stats *st = run->stats;
	char reason[256];

	run->err = test_writer__add(run->writer, run->obj, run->prog, run->hook, path);
	if (run->err)
		return 1;
	st->paths++;
	st->tests++;
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
	run->vm->insn_budget = selfcheck__insn_budget(path, run->max_insns);
	if (path->spurious) {
		st->spurious++;
	} else if (selfcheck__path(run->vm, run->prog, path, run->cov, reason, sizeof(reason))) {
		st->self_check_mismatches++;
		if (run->opts->progress)
			fputc('\n', stderr);
		fprintf(stderr, "%s: self-check mismatch in test %zu: %s\n", run->prog->name,
			test_writer__count(run->writer), reason);
	} else if (run->kernel && referee(run, path)) {
		return 1;
	}
	if (!(st->paths % 64))
		progress(run, false);
	return 0;
}

static double peak_rss_mb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : (double)ru.ru_maxrss / 1024.0;
}

int mhse_explore(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		 const struct explore_opts *opts, struct run_stats *stats)
{
	struct explore_run run = { .obj = obj, .prog = prog, .hook = hook, .opts = opts, .stats = stats };
	struct mhse_explore_opts eopts = opts->engine;
	struct mhse_engine *engine = NULL;
	const struct engine_stats *es;
	char path[4096];
	int err;

	if (!eopts.max_insns)
		eopts.max_insns = DEFAULT_MAX_INSNS;
	stats->program = prog->name;
	stats->hook = hook->name;
	stats->policy = map_policy_name(eopts.policy);
	stats->search = search_name(eopts.search);
	err = test_writer__open(opts->out_dir, &run.writer);
	if (err)
		return err;
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
	err = mhse_engine__run(engine, on_path, &run);
	if (!err)
		err = run.err;
	progress(&run, true);
	es = mhse_engine__stats(engine);
	stats->time_s = es->time_s;
	stats->solver_time_s = (double)es->solver.ns / 1e9;
	stats->queries = es->solver.queries;
	stats->z3_calls = es->solver.z3_calls;
	stats->ms_per_test = stats->tests ? es->time_s * 1000.0 / (double)stats->tests : 0;
	stats->insn_coverage_pct = coverage__insn_pct(run.cov);
	stats->branch_coverage_pct = coverage__branch_pct(run.cov);
	stats->peak_rss_mb = peak_rss_mb();
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
		for (size_t r = 0; r < s->unsupported_reason_cnt; r++)
			fprintf(out, "  unsupported: %s (%llu paths)\n", s->unsupported_reasons[r].reason,
				(unsigned long long)s->unsupported_reasons[r].count);
	}
}
