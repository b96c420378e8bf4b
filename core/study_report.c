// SPDX-License-Identifier: MIT
/*
 * A study's report from its cells' result files alone: results.csv,
 * results.md and the plots/ directory (docs/study.md). Rows are sorted (object,
 * program, policy in the order alloc, lookup, consistent, concrete, then
 * search), so the same cells give the same files whichever runner made
 * them and in whichever order they finished.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "engine.h"
#include "study.h"
#include "study_result.h"
#include "svg_plot.h"

#define EXIT_BAD_INPUT 3

struct rows {
	struct cell_result *r;
	size_t cnt;
};

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static int policy_rank(const char *policy)
{
	enum map_policy_kind k;

	return map_policy_parse(policy, &k) ? 99 : (int)k;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct cell_result *a = pa, *b = pb;
	int c = cmp_str(a->object, b->object);

	if (!c)
		c = cmp_str(a->program, b->program);
	if (!c)
		c = policy_rank(a->policy) - policy_rank(b->policy);
	if (!c)
		c = cmp_str(a->search, b->search);
	return c;
}

static bool has_id(const struct rows *rows, const char *id)
{
	for (size_t i = 0; i < rows->cnt; i++)
		if (!strcmp(rows->r[i].id, id))
			return true;
	return false;
}

/* Reads the result files in dir/cells; a cell already read from an earlier directory is kept. */
static int read_dir(const char *dir, struct rows *rows)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int err = 0;

	study__path(path, sizeof(path), "%s/cells", dir);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	while (!err && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct cell_result r;
		struct cell_result *grown;

		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		study__path(path, sizeof(path), "%s/cells/%s", dir, e->d_name);
		if (cell_result__read(path, &r))
			continue; /* said why; the other cells still make a report */
		if (has_id(rows, r.id)) {
			cell_result__free(&r);
			continue;
		}
		grown = realloc(rows->r, (rows->cnt + 1) * sizeof(*grown));
		if (!grown) {
			cell_result__free(&r);
			err = -ENOMEM;
			break;
		}
		rows->r = grown;
		rows->r[rows->cnt++] = r;
	}
	closedir(d);
	return err;
}

/* ---- results.csv ---- */

static void csv_str(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v, int decimals)
{
	if (v >= 0 && isfinite(v))
		fprintf(f, "%.*f", decimals, v);
}

static void map_keys(FILE *f, const struct cell_result *r, const char *sep)
{
	for (size_t i = 0; i < r->map_cnt; i++)
		fprintf(f, "%s%s:%llu/%llu", i ? sep : "", r->maps[i].map, (unsigned long long)r->maps[i].present,
			(unsigned long long)r->maps[i].absent);
}

static void write_csv(FILE *f, const struct rows *rows)
{
	fputs("object,program,type,hook_rule,policy,search,budget_s,status,detail,paths,tests,errors,unsupported,"
	      "top_unsupported,insn_coverage_pct,branch_coverage_pct,time_to_final_coverage_s,ms_per_test,solver_pct,"
	      "peak_rss_mb,kernel_agree,kernel_disagree,kernel_not_replayable,maps_per_test,map_states,map_shapes,"
	      "tests_per_map_state,map_state_share,map_keys_present_absent\n", f);
	for (size_t i = 0; i < rows->cnt; i++) {
		const struct cell_result *r = &rows->r[i];
		char keys[4096] = "";
		FILE *k = fmemopen(keys, sizeof(keys) - 1, "w");

		csv_str(f, r->object);
		fputc(',', f);
		csv_str(f, r->program);
		fputc(',', f);
		csv_str(f, r->type);
		fputc(',', f);
		csv_str(f, r->hook_rule);
		fprintf(f, ",%s,%s,", r->policy, r->search);
		csv_num(f, r->budget_s, 1);
		fputc(',', f);
		csv_str(f, r->status);
		fputc(',', f);
		csv_str(f, r->detail);
		if (!r->explored) {
			fputs(",,,,,,,,,,,,,,,,,,,,\n", f);
			if (k)
				fclose(k);
			continue;
		}
		fprintf(f, ",%llu,%llu,%llu,%llu,", (unsigned long long)r->paths, (unsigned long long)r->tests,
			(unsigned long long)r->errors, (unsigned long long)r->unsupported);
		csv_str(f, r->top_unsupported);
		fprintf(f, ",%.2f,%.2f,", r->insn_pct, r->branch_pct);
		csv_num(f, r->time_to_cov_s, 3);
		fputc(',', f);
		csv_num(f, r->ms_per_test, 3);
		fputc(',', f);
		csv_num(f, r->solver_pct, 1);
		fputc(',', f);
		csv_num(f, r->peak_mb, 1);
		fputc(',', f);
		csv_num(f, (double)r->kernel_agree, 0);
		fputc(',', f);
		csv_num(f, (double)r->kernel_disagree, 0);
		fputc(',', f);
		csv_num(f, (double)r->kernel_not_replayable, 0);
		fprintf(f, ",%.3f,%llu,%llu,", r->maps_per_test, (unsigned long long)r->map_states,
			(unsigned long long)r->map_shapes);
		csv_num(f, cell_result__tests_per_state(r), 1);
		fputc(',', f);
		csv_num(f, cell_result__map_share(r), 3);
		fputc(',', f);
		if (k) {
			map_keys(k, r, ";");
			fclose(k);
		}
		csv_str(f, keys);
		fputc('\n', f);
	}
}

/* ---- results.md ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The distinct values of a field over the rows, in row order. */
static size_t distinct(const struct rows *rows, const char *(*field)(const struct cell_result *), const char **out)
{
	size_t cnt = 0;

	for (size_t i = 0; i < rows->cnt; i++) {
		const char *v = field(&rows->r[i]);
		size_t j;

		for (j = 0; j < cnt && strcmp(out[j], v); j++)
			;
		if (j == cnt)
			out[cnt++] = v;
	}
	return cnt;
}

static const char *field_type(const struct cell_result *r)
{
	return r->type ? r->type : "-";
}

/* "policy" or "policy/search" when the study crosses several searches. */
static void series_name(const struct cell_result *r, bool searches, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", r->policy, searches ? "/" : "", searches ? r->search : "");
}

static bool several_searches(const struct rows *rows)
{
	for (size_t i = 1; i < rows->cnt; i++)
		if (strcmp(rows->r[i].search, rows->r[0].search))
			return true;
	return false;
}

static void md_type_summary(FILE *f, const struct rows *rows, const char **types, size_t type_cnt)
{
	bool searches = several_searches(rows);
	double *ms = calloc(rows->cnt ? rows->cnt : 1, sizeof(*ms));

	fputs("## Per program type\n\n| type | policy | cells | explored | tests | mean insn% | mean branch% | median ms/test | "
	      "median map states | median map-state share |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
	      f);
	for (size_t t = 0; ms && t < type_cnt; t++) {
		char seen[64][64];
		size_t seen_cnt = 0;

		for (size_t i = 0; i < rows->cnt; i++) {
			char series[64];
			size_t cells = 0, explored = 0, n = 0, states_n = 0, share_n = 0;
			unsigned long long tests = 0;
			double insn = 0, branch = 0, *states = NULL, *shares = NULL;
			bool dup = false;

			if (strcmp(field_type(&rows->r[i]), types[t]))
				continue;
			series_name(&rows->r[i], searches, series, sizeof(series));
			for (size_t s = 0; s < seen_cnt; s++)
				dup |= !strcmp(seen[s], series);
			if (dup || seen_cnt == 64)
				continue;
			snprintf(seen[seen_cnt++], sizeof(seen[0]), "%s", series);
			states = calloc(rows->cnt, sizeof(*states));
			shares = calloc(rows->cnt, sizeof(*shares));
			for (size_t j = 0; states && shares && j < rows->cnt; j++) {
				const struct cell_result *r = &rows->r[j];
				char other[64];

				series_name(r, searches, other, sizeof(other));
				if (strcmp(field_type(r), types[t]) || strcmp(other, series))
					continue;
				cells++;
				if (!r->explored)
					continue;
				explored++;
				tests += r->tests;
				insn += r->insn_pct;
				branch += r->branch_pct;
				ms[n++] = r->ms_per_test;
				states[states_n++] = (double)r->map_states;
				if (!isnan(cell_result__map_share(r)))
					shares[share_n++] = cell_result__map_share(r);
			}
			qsort(ms, n, sizeof(*ms), cmp_double);
			if (states)
				qsort(states, states_n, sizeof(*states), cmp_double);
			if (shares)
				qsort(shares, share_n, sizeof(*shares), cmp_double);
			fprintf(f, "| %s | %s | %zu | %zu | %llu |", types[t], series, cells, explored, tests);
			if (explored)
				fprintf(f, " %.1f | %.1f | %.3f | %.0f |", insn / (double)explored, branch / (double)explored,
					ms[n / 2], states_n ? states[states_n / 2] : 0.0);
			else
				fputs(" | | | |", f);
			if (share_n)
				fprintf(f, " %.2f |\n", shares[share_n / 2]);
			else
				fputs(" |\n", f);
			free(states);
			free(shares);
		}
	}
	free(ms);
	fputc('\n', f);
}

static void md_cells(FILE *f, const struct rows *rows)
{
	fputs("## Cells\n\n| object | program | type | policy | search | status | paths | tests | errors | unsup | insn% | "
	      "branch% | ms/test | solver% | maps/test | map states | shapes | tests/state | map-state share | keys present/absent per map |\n"
	      "| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
	      f);
	for (size_t i = 0; i < rows->cnt; i++) {
		const struct cell_result *r = &rows->r[i];

		fprintf(f, "| %s | %s | %s | %s | %s | %s |", base_name(r->object), r->program ? r->program : "-",
			field_type(r), r->policy, r->search, r->status);
		if (!r->explored) {
			fputs(" | | | | | | | | | | | | | |\n", f);
			continue;
		}
		fprintf(f, " %llu | %llu | %llu | %llu | %.1f | %.1f | %.3f | %.1f | %.2f | %llu | %llu | ",
			(unsigned long long)r->paths, (unsigned long long)r->tests, (unsigned long long)r->errors,
			(unsigned long long)r->unsupported, r->insn_pct, r->branch_pct, r->ms_per_test, r->solver_pct,
			r->maps_per_test, (unsigned long long)r->map_states, (unsigned long long)r->map_shapes);
		if (!isnan(cell_result__tests_per_state(r)))
			fprintf(f, "%.1f", cell_result__tests_per_state(r));
		fputs(" | ", f);
		if (!isnan(cell_result__map_share(r)))
			fprintf(f, "%.2f", cell_result__map_share(r));
		fputs(" | ", f);
		map_keys(f, r, ", ");
		fputs(" |\n", f);
	}
	fputc('\n', f);
}

static void md_unexplored(FILE *f, const struct rows *rows)
{
	size_t cnt = 0;

	fputs("## What the study could not explore\n\nCells whose exploration did not finish normally (a program no rule "
	      "places on a hook, bad input, a crash, a run killed past twice its budget), and the most frequent reason "
	      "paths of explored cells ended unsupported.\n\n| object | program | policy | search | status | why |\n"
	      "| --- | --- | --- | --- | --- | --- |\n", f);
	for (size_t i = 0; i < rows->cnt; i++) {
		const struct cell_result *r = &rows->r[i];

		if (r->explored && !strcmp(r->status, "ok") && !r->unsupported)
			continue;
		cnt++;
		fprintf(f, "| %s | %s | %s | %s | %s | ", base_name(r->object), r->program ? r->program : "-", r->policy,
			r->search, r->explored && !strcmp(r->status, "ok") ? "unsupported paths" : r->status);
		if (r->explored && !strcmp(r->status, "ok"))
			fprintf(f, "%llu paths: %s |\n", (unsigned long long)r->unsupported,
				r->top_unsupported ? r->top_unsupported : "");
		else
			fprintf(f, "%s |\n", r->detail ? r->detail : "");
	}
	if (!cnt)
		fputs("| (none) | | | | | |\n", f);
	fputc('\n', f);
}

/* ---- plots ---- */

static char *slug(const char *s)
{
	char *out = strdup(s);

	for (char *c = out; c && *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') && *c != '-')
			*c = '_';
	return out;
}

/* One bar chart over the explored cells of a type: a group per program,
 * a bar per policy (and search). */
static int plot_type(const struct rows *rows, const char *type, const char *out, FILE *md, bool ms)
{
	bool searches = several_searches(rows);
	const char **groups = calloc(rows->cnt + 1, sizeof(*groups));
	char **labels = calloc(rows->cnt + 1, sizeof(*labels));
	char **series = calloc(rows->cnt + 1, sizeof(*series));
	double *values = NULL;
	size_t group_cnt = 0, series_cnt = 0;
	char path[PATH_MAX], title[256], *name = slug(type);
	int err = -ENOMEM;

	if (!groups || !labels || !series || !name)
		goto out;
	for (size_t i = 0; i < rows->cnt; i++) {
		const struct cell_result *r = &rows->r[i];
		char label[512], s[64];
		size_t j;

		if (!r->explored || strcmp(field_type(r), type))
			continue;
		snprintf(label, sizeof(label), "%s:%s", base_name(r->object), r->program);
		for (j = 0; j < group_cnt && strcmp(labels[j], label); j++)
			;
		if (j == group_cnt && !(labels[group_cnt++] = strdup(label)))
			goto out;
		series_name(r, searches, s, sizeof(s));
		for (j = 0; j < series_cnt && strcmp(series[j], s); j++)
			;
		if (j == series_cnt && !(series[series_cnt++] = strdup(s)))
			goto out;
	}
	err = 0;
	if (!group_cnt)
		goto out;
	values = malloc(group_cnt * series_cnt * sizeof(*values));
	err = -ENOMEM;
	if (!values)
		goto out;
	for (size_t i = 0; i < group_cnt * series_cnt; i++)
		values[i] = NAN;
	for (size_t i = 0; i < rows->cnt; i++) {
		const struct cell_result *r = &rows->r[i];
		char label[512], s[64];
		size_t g = 0, k = 0;

		if (!r->explored || strcmp(field_type(r), type))
			continue;
		snprintf(label, sizeof(label), "%s:%s", base_name(r->object), r->program);
		series_name(r, searches, s, sizeof(s));
		while (strcmp(labels[g], label))
			g++;
		while (strcmp(series[k], s))
			k++;
		values[g * series_cnt + k] = ms ? r->ms_per_test : (double)r->tests;
	}
	for (size_t i = 0; i < group_cnt; i++)
		groups[i] = labels[i];
	snprintf(title, sizeof(title), "%s per %s program, per map policy", ms ? "ms per test" : "tests", type);
	study__path(path, sizeof(path), "%s/plots/%s-%s.svg", out, ms ? "ms-per-test" : "tests", name);
	err = svg_plot__bars(path, &(struct svg_bars){ .title = title, .ylabel = ms ? "ms per test" : "tests (log scale)",
						     .log_scale = !ms, .groups = groups, .group_cnt = group_cnt,
						     .series = (const char *const *)series, .series_cnt = series_cnt,
						     .values = values });
	if (!err)
		fprintf(md, "![%s](plots/%s-%s.svg)\n\n", title, ms ? "ms-per-test" : "tests", name);
out:
	for (size_t i = 0; labels && i < group_cnt; i++)
		free(labels[i]);
	for (size_t i = 0; series && i < series_cnt; i++)
		free(series[i]);
	free(labels);
	free(series);
	free(groups);
	free(values);
	free(name);
	return err;
}

static int plot_coverage_by_type(const struct rows *rows, const char **types, size_t type_cnt, const char *out,
				 FILE *md)
{
	bool searches = several_searches(rows);
	char **series = calloc(rows->cnt + 1, sizeof(*series));
	double *sum = NULL, *cnt = NULL;
	size_t series_cnt = 0;
	char path[PATH_MAX];
	int err = -ENOMEM;

	if (!series)
		return -ENOMEM;
	for (size_t i = 0; i < rows->cnt; i++) {
		char s[64];
		size_t j;

		series_name(&rows->r[i], searches, s, sizeof(s));
		for (j = 0; j < series_cnt && strcmp(series[j], s); j++)
			;
		if (j == series_cnt && !(series[series_cnt++] = strdup(s)))
			goto out;
	}
	sum = calloc(type_cnt * series_cnt + 1, sizeof(*sum));
	cnt = calloc(type_cnt * series_cnt + 1, sizeof(*cnt));
	if (!sum || !cnt)
		goto out;
	for (size_t i = 0; i < rows->cnt; i++) {
		const struct cell_result *r = &rows->r[i];
		char s[64];
		size_t t = 0, k = 0;

		if (!r->explored)
			continue;
		series_name(r, searches, s, sizeof(s));
		while (strcmp(types[t], field_type(r)))
			t++;
		while (strcmp(series[k], s))
			k++;
		sum[t * series_cnt + k] += r->insn_pct;
		cnt[t * series_cnt + k]++;
	}
	for (size_t i = 0; i < type_cnt * series_cnt; i++)
		sum[i] = cnt[i] ? sum[i] / cnt[i] : NAN;
	study__path(path, sizeof(path), "%s/plots/coverage-by-type.svg", out);
	err = svg_plot__bars(path, &(struct svg_bars){ .title = "mean instruction coverage per program type",
						     .ylabel = "instruction coverage (%)", .groups = types,
						     .group_cnt = type_cnt, .series = (const char *const *)series,
						     .series_cnt = series_cnt, .values = sum });
	if (!err)
		fputs("![mean instruction coverage per program type](plots/coverage-by-type.svg)\n\n", md);
out:
	for (size_t i = 0; i < series_cnt; i++)
		free(series[i]);
	free(series);
	free(sum);
	free(cnt);
	return err;
}

static int plot_timelines(const struct rows *rows, const char *out, FILE *md)
{
	const char **names = calloc(rows->cnt + 1, sizeof(*names));
	char **labels = calloc(rows->cnt + 1, sizeof(*labels));
	const struct svg_point **points = calloc(rows->cnt + 1, sizeof(*points));
	size_t *cnts = calloc(rows->cnt + 1, sizeof(*cnts)), n = 0;
	char path[PATH_MAX];
	int err = names && labels && points && cnts ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i < rows->cnt; i++) {
		const struct cell_result *r = &rows->r[i];

		if (!r->timeline_chosen || !r->timeline_cnt)
			continue;
		if (asprintf(&labels[n], "%s %s", r->program, r->policy) < 0) {
			labels[n] = NULL;
			err = -ENOMEM;
			break;
		}
		names[n] = labels[n];
		points[n] = r->timeline;
		cnts[n++] = r->timeline_cnt;
	}
	study__path(path, sizeof(path), "%s/plots/coverage-over-time.svg", out);
	if (!err && n)
		err = svg_plot__lines(path, &(struct svg_lines){ .title = "instruction coverage over time",
								 .xlabel = "seconds", .ylabel = "instruction coverage (%)",
								 .series = names, .points = points, .point_cnt = cnts,
								 .series_cnt = n });
	if (!err && n)
		fputs("![instruction coverage over time](plots/coverage-over-time.svg)\n\n", md);
	for (size_t i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
	free(names);
	free(points);
	free(cnts);
	return err;
}

static int write_report(const struct rows *rows, const char *out)
{
	const char **types = calloc(rows->cnt + 1, sizeof(*types));
	char path[PATH_MAX];
	size_t type_cnt, explored = 0;
	FILE *csv, *md;
	int err = 0;

	if (!types)
		return -ENOMEM;
	type_cnt = distinct(rows, field_type, types);
	study__path(path, sizeof(path), "%s/plots", out);
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		free(types);
		return EXIT_BAD_INPUT;
	}
	study__path(path, sizeof(path), "%s/results.csv", out);
	csv = fopen(path, "w");
	study__path(path, sizeof(path), "%s/results.md", out);
	md = fopen(path, "w");
	if (!csv || !md) {
		fprintf(stderr, "%s: %s\n", out, strerror(errno));
		err = EXIT_BAD_INPUT;
		goto out;
	}
	write_csv(csv, rows);
	for (size_t i = 0; i < rows->cnt; i++)
		explored += rows->r[i].explored;
	fprintf(md, "# Study results\n\n%zu cells, %zu explored. Columns and measures: docs/study.md.\n\n", rows->cnt,
		explored);
	md_type_summary(md, rows, types, type_cnt);
	fputs("## Plots\n\n", md);
	for (size_t t = 0; !err && t < type_cnt; t++)
		err = plot_type(rows, types[t], out, md, false) ?: plot_type(rows, types[t], out, md, true);
	if (!err)
		err = plot_coverage_by_type(rows, types, type_cnt, out, md) ?: plot_timelines(rows, out, md);
	md_cells(md, rows);
	md_unexplored(md, rows);
out:
	if (csv && fclose(csv) && !err)
		err = EXIT_BAD_INPUT;
	if (md && fclose(md) && !err)
		err = EXIT_BAD_INPUT;
	free(types);
	return err < 0 ? EXIT_BAD_INPUT : err;
}

int study__merge(char *const *dirs, size_t dir_cnt, const char *out)
{
	struct rows rows = { 0 };
	int err = 0;

	for (size_t i = 0; !err && i < dir_cnt; i++)
		err = read_dir(dirs[i], &rows);
	if (!err && mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", out, strerror(errno));
		err = EXIT_BAD_INPUT;
	}
	if (!err) {
		qsort(rows.r, rows.cnt, sizeof(*rows.r), cmp_rows);
		err = write_report(&rows, out);
	}
	if (!err)
		printf("%zu cells: %s/results.csv, %s/results.md, %s/plots/\n", rows.cnt, out, out, out);
	for (size_t i = 0; i < rows.cnt; i++)
		cell_result__free(&rows.r[i]);
	free(rows.r);
	return err < 0 ? EXIT_BAD_INPUT : err;
}
