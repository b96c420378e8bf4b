// SPDX-License-Identifier: MIT
/*
 * Coverage counters and their two reports.
 *
 * Counters are per instruction slot of each program, so that a run costs an
 * increment per instruction. Reports are built at write time: per program
 * and function for coverage.json, per source line for lcov. A source line
 * can map to many instructions, and one function to many programs (clang
 * appends a static function to every program that calls it), so the lcov
 * report merges them: a line's count is the largest count of its
 * instructions, a function's call count the sum over the programs holding
 * a copy, and every conditional jump on a line is a block of two branches.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "coverage.h"
#include "insn.h"
#include "json_writer.h"
#include "log.h"
#include "prog_refs.h"
#include "reach.h"

/* The timeline point that first saw a counter above 0 (paths 0: none yet). */
struct first_hit {
	double time_s;
	uint64_t paths;
};

/* A program's counters are made when it counts or first runs (hits not
 * NULL): an object of hundreds of programs, as falco's, pays for the few a
 * run reaches (15 MB of counters for falco's 206 modern programs). */
struct prog_coverage {
	uint8_t *reach;    /* per instruction slot (reach.h); the second slot of LD_IMM64 is never reached */
	uint64_t *hits;    /* times each instruction ran */
	uint64_t *sides[2]; /* times each conditional jump fell through [0] and jumped [1] */
	bool counted;      /* counts in the totals: known before any path runs (count_tail_call_targets) */
	struct first_hit *first[3]; /* when each of hits, sides[0], sides[1] first went above 0 */
};

/* Coverage as it grew: one point each time a run added some. */
struct timeline_point {
	double time_s;
	uint64_t paths;
	struct coverage_counts counts;
};

struct coverage {
	const struct mhse_object *obj;
	const struct mhse_prog *entry;
	struct prog_coverage *progs; /* one per obj->progs */
	uint64_t firsts;             /* instructions and branch sides run for the first time, so far */
	uint64_t firsts_marked;      /* firsts at the timeline's last point */
	struct timeline_point *timeline;
	size_t timeline_cnt, timeline_cap;
};

static void prog_coverage__fini(struct prog_coverage *pc)
{
	free(pc->reach);
	free(pc->hits);
	free(pc->sides[0]);
	free(pc->sides[1]);
	for (int a = 0; a < 3; a++)
		free(pc->first[a]);
	*pc = (struct prog_coverage){ .counted = pc->counted };
}

/* Makes program p's counters, unless it has them. */
static int prog_coverage__ready(struct coverage *cov, size_t p)
{
	struct prog_coverage *pc = &cov->progs[p];
	size_t n = cov->obj->progs[p].insn_cnt ? cov->obj->progs[p].insn_cnt : 1;
	int err;

	if (pc->hits)
		return 0;
	pc->reach = calloc(n, sizeof(*pc->reach));
	pc->hits = calloc(n, sizeof(*pc->hits));
	pc->sides[0] = calloc(n, sizeof(*pc->sides[0]));
	pc->sides[1] = calloc(n, sizeof(*pc->sides[1]));
	for (int a = 0; a < 3; a++)
		pc->first[a] = calloc(n, sizeof(*pc->first[a]));
	err = !pc->reach || !pc->hits || !pc->sides[0] || !pc->sides[1] || !pc->first[0] || !pc->first[1] ||
	      !pc->first[2] ? -ENOMEM : prog__reach(&cov->obj->progs[p], pc->reach);
	if (err)
		prog_coverage__fini(pc);
	return err;
}

/* Counts the entry and the programs it may tail-call into, and those
 * they may: the ones the object places in the program arrays each counted
 * program refers to (not every program array's: a program that never
 * tail-calls is measured on its own code). A program a path reaches
 * through a slot the object leaves empty is listed, not counted: the
 * totals would depend on what the search happened to reach, and running
 * more code could lower them. reached holds the counted programs whose
 * arrays are still to be looked at. */
static int count_tail_call_targets(struct coverage *cov, const struct mhse_prog *entry)
{
	const struct mhse_object *obj = cov->obj;
	size_t *reached = malloc(obj->prog_cnt * sizeof(*reached)), top = 0;
	int err = 0;

	if (!reached)
		return -ENOMEM;
	cov->progs[entry - obj->progs].counted = true;
	reached[top++] = (size_t)(entry - obj->progs);
	while (top && !err) {
		struct prog_refs refs = { 0 };

		err = prog_refs__collect(obj, &obj->progs[reached[--top]], &refs) ? -ENOMEM : 0;
		for (size_t m = 0; !err && m < obj->map_cnt; m++) {
			const struct mhse_map *map = &obj->maps[m];

			if (!refs.maps[m] || map->type != BPF_MAP_TYPE_PROG_ARRAY)
				continue;
			for (uint32_t s = 0; s < map->init_slot_cnt; s++) {
				int32_t target = map->init_slots[s];

				if (target >= 0 && (size_t)target < obj->prog_cnt && !cov->progs[target].counted) {
					cov->progs[target].counted = true;
					reached[top++] = (size_t)target;
				}
			}
		}
		prog_refs__free(&refs);
	}
	free(reached);
	return err;
}

int coverage__new(const struct mhse_object *obj, const struct mhse_prog *entry, struct coverage **out)
{
	struct coverage *cov = calloc(1, sizeof(*cov));
	int err = -ENOMEM;

	*out = NULL;
	if (!cov)
		return -ENOMEM;
	cov->obj = obj;
	cov->entry = entry;
	cov->progs = calloc(obj->prog_cnt ? obj->prog_cnt : 1, sizeof(*cov->progs));
	if (!cov->progs)
		goto fail;
	err = count_tail_call_targets(cov, entry);
	for (size_t i = 0; i < obj->prog_cnt && !err; i++)
		if (cov->progs[i].counted)
			err = prog_coverage__ready(cov, i);
	if (err)
		goto fail;
	*out = cov;
	return 0;
fail:
	coverage__free(cov);
	return err;
}

void coverage__free(struct coverage *cov)
{
	if (!cov)
		return;
	for (size_t i = 0; cov->progs && i < cov->obj->prog_cnt; i++)
		prog_coverage__fini(&cov->progs[i]);
	free(cov->progs);
	free(cov->timeline);
	free(cov);
}

int coverage__hit(struct coverage *cov, size_t prog, size_t pc)
{
	if (prog >= cov->obj->prog_cnt || pc >= cov->obj->progs[prog].insn_cnt)
		return 0;
	if (prog_coverage__ready(cov, prog))
		return -ENOMEM;
	cov->firsts += !cov->progs[prog].hits[pc]++;
	return 0;
}

int coverage__branch(struct coverage *cov, size_t prog, size_t pc, bool taken)
{
	if (prog >= cov->obj->prog_cnt || pc >= cov->obj->progs[prog].insn_cnt)
		return 0;
	if (prog_coverage__ready(cov, prog))
		return -ENOMEM;
	cov->firsts += !cov->progs[prog].sides[taken][pc]++;
	return 0;
}

uint64_t coverage__firsts(const struct coverage *cov)
{
	return cov->firsts;
}

/* The counter arrays of program i, in the order they are saved. */
static void saved_arrays(const struct coverage *cov, size_t i, uint64_t *arrays[3])
{
	arrays[0] = cov->progs[i].hits;
	arrays[1] = cov->progs[i].sides[0];
	arrays[2] = cov->progs[i].sides[1];
}

/* Stamps the counters that went above 0 since the last point with this one. */
static void stamp_firsts(struct coverage *cov, const struct timeline_point *pt)
{
	for (size_t i = 0; i < cov->obj->prog_cnt; i++) {
		uint64_t *arrays[3];

		saved_arrays(cov, i, arrays);
		for (int a = 0; cov->progs[i].hits && a < 3; a++)
			for (size_t k = 0; k < cov->obj->progs[i].insn_cnt; k++)
				if (arrays[a][k] && !cov->progs[i].first[a][k].paths)
					cov->progs[i].first[a][k] = (struct first_hit){ pt->time_s, pt->paths };
	}
}

int coverage__mark(struct coverage *cov, double time_s, uint64_t paths)
{
	struct timeline_point *pt;

	if (cov->firsts == cov->firsts_marked && cov->timeline_cnt)
		return 0;
	if (cov->timeline_cnt == cov->timeline_cap) {
		size_t cap = cov->timeline_cap ? cov->timeline_cap * 2 : 64;
		struct timeline_point *t = realloc(cov->timeline, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		cov->timeline = t;
		cov->timeline_cap = cap;
	}
	pt = &cov->timeline[cov->timeline_cnt++];
	pt->time_s = time_s;
	pt->paths = paths;
	coverage__counts(cov, &pt->counts);
	stamp_firsts(cov, pt);
	cov->firsts_marked = cov->firsts;
	return 0;
}

double coverage__time_to_final(const struct coverage *cov)
{
	return cov->timeline_cnt ? cov->timeline[cov->timeline_cnt - 1].time_s : 0;
}

int coverage__save(const struct coverage *cov, const char *path)
{
	FILE *f = fopen(path, "wb");
	bool ok = f != NULL;

	for (size_t i = 0; ok && i < cov->obj->prog_cnt; i++) {
		size_t n = cov->obj->progs[i].insn_cnt;
		uint8_t ran = cov->progs[i].hits != NULL;
		uint64_t *arrays[3];

		saved_arrays(cov, i, arrays);
		ok = fwrite(&ran, 1, 1, f) == 1;
		if (!ran)
			continue;
		for (int a = 0; ok && a < 3; a++)
			ok = !n || fwrite(arrays[a], sizeof(uint64_t), n, f) == n;
		for (int a = 0; ok && a < 3; a++)
			ok = !n || fwrite(cov->progs[i].first[a], sizeof(struct first_hit), n, f) == n;
	}
	if (f && fclose(f))
		ok = false;
	if (!ok) {
		pr_err("%s: %s\n", path, strerror(errno ? errno : EIO));
		return -EIO;
	}
	return 0;
}

int coverage__add_saved(struct coverage *cov, const char *path)
{
	FILE *f = fopen(path, "rb");
	bool ok = f != NULL;
	uint64_t *buf = NULL;
	struct first_hit *first = NULL;

	for (size_t i = 0; ok && i < cov->obj->prog_cnt; i++) {
		size_t n = cov->obj->progs[i].insn_cnt;
		uint64_t *arrays[3];
		uint8_t ran = 0;

		ok = fread(&ran, 1, 1, f) == 1;
		if (!ok || !ran)
			continue;
		if (prog_coverage__ready(cov, i)) {
			fclose(f);
			free(buf);
			free(first);
			return -ENOMEM;
		}
		saved_arrays(cov, i, arrays);
		free(buf);
		free(first);
		buf = malloc((n ? n : 1) * sizeof(*buf));
		first = malloc((n ? n : 1) * sizeof(*first));
		ok = buf && first;
		for (int a = 0; ok && a < 3; a++) {
			ok = !n || fread(buf, sizeof(*buf), n, f) == n;
			for (size_t k = 0; ok && k < n; k++)
				arrays[a][k] += buf[k];
		}
		/* the earlier of the two first hits */
		for (int a = 0; ok && a < 3; a++) {
			struct first_hit *mine = cov->progs[i].first[a];

			ok = !n || fread(first, sizeof(*first), n, f) == n;
			for (size_t k = 0; ok && k < n; k++)
				if (first[k].paths && (!mine[k].paths || first[k].time_s < mine[k].time_s))
					mine[k] = first[k];
		}
	}
	free(buf);
	free(first);
	if (f)
		fclose(f);
	if (!ok) {
		pr_err("%s: not a coverage file of this object\n", path);
		return -EINVAL;
	}
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct first_hit *x = a, *y = b;

	return x->time_s < y->time_s ? -1 : x->time_s > y->time_s ? 1 : (x->paths > y->paths) - (x->paths < y->paths);
}

/* Appends the first hits of the slots count_range counts: instructions
 * (insns) or branch sides. */
static size_t collect_firsts(const struct coverage *cov, bool insns, struct first_hit *out)
{
	size_t cnt = 0;

	for (size_t p = 0; p < cov->obj->prog_cnt; p++) {
		const struct prog_coverage *pc = &cov->progs[p];
		const struct mhse_prog *prog = &cov->obj->progs[p];

		for (size_t i = 0; pc->counted && i < prog->insn_cnt; i++) {
			if (!pc->reach[i])
				continue;
			if (insns && pc->first[0][i].paths)
				out[cnt++] = pc->first[0][i];
			for (int a = 1; !insns && a < 3 && reach_is_branch(pc->reach[i]); a++)
				if (pc->first[a][i].paths)
					out[cnt++] = pc->first[a][i];
		}
	}
	return cnt;
}

int coverage__rebuild_timeline(struct coverage *cov)
{
	struct coverage_counts total, c = { 0 };
	struct first_hit *ev[2];
	size_t n = 0, cnt[2], at[2] = { 0, 0 };

	coverage__counts(cov, &total);
	ev[0] = malloc((total.insns_reachable + 1) * sizeof(*ev[0]));
	ev[1] = malloc((total.branch_sides + 1) * sizeof(*ev[1]));
	free(cov->timeline);
	cov->timeline = malloc((total.insns_reachable + total.branch_sides + 1) * sizeof(*cov->timeline));
	cov->timeline_cnt = cov->timeline_cap = 0;
	if (!ev[0] || !ev[1] || !cov->timeline) {
		free(ev[0]);
		free(ev[1]);
		return -ENOMEM;
	}
	cov->timeline_cap = total.insns_reachable + total.branch_sides + 1;
	for (int k = 0; k < 2; k++) {
		cnt[k] = collect_firsts(cov, !k, ev[k]);
		qsort(ev[k], cnt[k], sizeof(*ev[k]), by_time);
	}
	c.insns_reachable = total.insns_reachable;
	c.branch_sides = total.branch_sides;
	/* one point per distinct first-hit time, coverage as of it */
	while (at[0] < cnt[0] || at[1] < cnt[1]) {
		int k = at[1] >= cnt[1] || (at[0] < cnt[0] && by_time(&ev[0][at[0]], &ev[1][at[1]]) <= 0) ? 0 : 1;
		const struct first_hit *e = &ev[k][at[k]++];

		if (k)
			c.branch_sides_hit++;
		else
			c.insns_hit++;
		if (n && cov->timeline[n - 1].time_s == e->time_s) {
			cov->timeline[n - 1].counts = c;
			continue;
		}
		cov->timeline[n++] = (struct timeline_point){ e->time_s, e->paths, c };
	}
	cov->timeline_cnt = n;
	free(ev[0]);
	free(ev[1]);
	return 0;
}

/* Adds the counts of instructions [start, end) of program p. */
static void count_range(const struct coverage *cov, size_t p, size_t start, size_t end, struct coverage_counts *c)
{
	const struct prog_coverage *pc = &cov->progs[p];
	const struct mhse_prog *prog = &cov->obj->progs[p];

	for (size_t i = start; i < end && i < prog->insn_cnt; i++) {
		if (!pc->reach[i])
			continue;
		c->insns_reachable++;
		c->insns_hit += pc->hits[i] != 0;
		if (reach_is_branch(pc->reach[i])) {
			c->branch_sides += 2;
			c->branch_sides_hit += (pc->sides[0][i] != 0) + (pc->sides[1][i] != 0);
		}
	}
}

void coverage__counts(const struct coverage *cov, struct coverage_counts *counts)
{
	*counts = (struct coverage_counts){ 0 };
	for (size_t p = 0; p < cov->obj->prog_cnt; p++)
		if (cov->progs[p].counted)
			count_range(cov, p, 0, cov->obj->progs[p].insn_cnt, counts);
}

/* Nothing to cover is fully covered. */
static double pct(uint64_t hit, uint64_t total)
{
	return total ? 100.0 * (double)hit / (double)total : 100.0;
}

double coverage__insn_pct(const struct coverage *cov)
{
	struct coverage_counts c;

	coverage__counts(cov, &c);
	return pct(c.insns_hit, c.insns_reachable);
}

double coverage__branch_pct(const struct coverage *cov)
{
	struct coverage_counts c;

	coverage__counts(cov, &c);
	return pct(c.branch_sides_hit, c.branch_sides);
}

static void json_counts(struct json_writer *w, const struct coverage_counts *c)
{
	jsonw_uint(w, "insns_reachable", c->insns_reachable);
	jsonw_uint(w, "insns_hit", c->insns_hit);
	jsonw_double(w, "insn_coverage_pct", pct(c->insns_hit, c->insns_reachable), 2);
	jsonw_uint(w, "branch_sides", c->branch_sides);
	jsonw_uint(w, "branch_sides_hit", c->branch_sides_hit);
	jsonw_double(w, "branch_coverage_pct", pct(c->branch_sides_hit, c->branch_sides), 2);
}

/* The source line of an instruction, or NULL: BTF gives line 0 to code
 * that has no line of its own, which lcov cannot place. */
static const struct mhse_line *insn_line(const struct mhse_object *obj, const struct mhse_prog *prog, size_t pc)
{
	const struct mhse_line *line = mhse_prog__line(obj, prog, pc);

	return line && line->line ? line : NULL;
}

/* The first source line of instructions [start, end) of prog, or NULL. */
static const struct mhse_line *first_line(const struct mhse_object *obj, const struct mhse_prog *prog,
					  const uint8_t *reach, size_t start, size_t end)
{
	for (size_t i = start; i < end && i < prog->insn_cnt; i++) {
		const struct mhse_line *line = reach[i] ? insn_line(obj, prog, i) : NULL;

		if (line)
			return line;
	}
	return NULL;
}

static void json_function(struct json_writer *w, const struct coverage *cov, size_t p, const struct mhse_subprog *sub)
{
	const struct mhse_prog *prog = &cov->obj->progs[p];
	const struct mhse_line *line = first_line(cov->obj, prog, cov->progs[p].reach, sub->start,
						  sub->start + sub->cnt);
	struct coverage_counts c = { 0 };

	count_range(cov, p, sub->start, sub->start + sub->cnt, &c);
	jsonw_object(w, NULL, false);
	jsonw_string(w, "name", sub->name);
	jsonw_uint(w, "start", sub->start);
	jsonw_uint(w, "insns", sub->cnt);
	jsonw_string(w, "file", line ? line->file : NULL);
	if (line)
		jsonw_uint(w, "line", line->line);
	else
		jsonw_null(w, "line");
	json_counts(w, &c);
	jsonw_end(w);
}

static void json_program(struct json_writer *w, const struct coverage *cov, size_t p)
{
	const struct mhse_prog *prog = &cov->obj->progs[p];
	const struct prog_coverage *pc = &cov->progs[p];
	struct coverage_counts c = { 0 };

	count_range(cov, p, 0, prog->insn_cnt, &c);
	jsonw_object(w, NULL, false);
	jsonw_string(w, "name", prog->name);
	jsonw_string(w, "section", prog->section);
	jsonw_bool(w, "counted", pc->counted);
	jsonw_uint(w, "insns", prog->insn_cnt);
	json_counts(w, &c);
	jsonw_array(w, "functions", false);
	for (size_t s = 0; s < prog->subprog_cnt; s++)
		json_function(w, cov, p, &prog->subprogs[s]);
	jsonw_end(w);
	jsonw_array(w, "uncovered_insns", true);
	for (size_t i = 0; i < prog->insn_cnt; i++)
		if (pc->reach[i] && !pc->hits[i])
			jsonw_uint(w, NULL, i);
	jsonw_end(w);
	jsonw_array(w, "uncovered_branches", true);
	for (size_t i = 0; i < prog->insn_cnt; i++) {
		for (int taken = 0; reach_is_branch(pc->reach[i]) && taken < 2; taken++) {
			if (pc->sides[taken][i])
				continue;
			jsonw_array(w, NULL, true);
			jsonw_uint(w, NULL, i);
			jsonw_bool(w, NULL, taken);
			jsonw_end(w);
		}
	}
	jsonw_end(w);
	jsonw_end(w);
}

/* Whether coverage.json and lcov list program p: counted, or run by some
 * path (a tail call's target the object leaves open: listed with its
 * counts, but outside the totals). */
static bool prog_listed(const struct coverage *cov, size_t p)
{
	if (cov->progs[p].counted)
		return true;
	for (size_t i = 0; cov->progs[p].hits && i < cov->obj->progs[p].insn_cnt; i++)
		if (cov->progs[p].hits[i])
			return true;
	return false;
}

static void emit_coverage(struct json_writer *w, const void *arg)
{
	const struct coverage *cov = arg;
	struct coverage_counts c;

	coverage__counts(cov, &c);
	jsonw_object(w, NULL, false);
	jsonw_string(w, "object", cov->obj->path);
	jsonw_string(w, "entry", cov->entry->name);
	json_counts(w, &c);
	jsonw_array(w, "programs", false);
	for (size_t p = 0; p < cov->obj->prog_cnt; p++)
		if (prog_listed(cov, p))
			json_program(w, cov, p);
	jsonw_end(w);
	jsonw_array(w, "timeline", false);
	for (size_t i = 0; i < cov->timeline_cnt; i++) {
		const struct timeline_point *pt = &cov->timeline[i];

		jsonw_object(w, NULL, true);
		jsonw_double(w, "time_s", pt->time_s, 3);
		jsonw_uint(w, "paths", pt->paths);
		jsonw_uint(w, "insns_hit", pt->counts.insns_hit);
		jsonw_uint(w, "branch_sides_hit", pt->counts.branch_sides_hit);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_end(w);
}

int coverage__write_json(const struct coverage *cov, const char *path)
{
	return jsonw_write_file(path, emit_coverage, cov);
}

/*
 * lcov: records gathered from every program coverage.json lists, sorted
 * by file and line, then merged and written one SF record per file.
 */

struct line_rec {
	const char *file;
	uint32_t line;
	uint64_t hits;
};

struct branch_rec {
	const char *file;
	uint32_t line;
	size_t prog, pc;    /* for a stable block order within a line */
	bool ran;           /* the jump itself ran: lcov tells "-" (never reached) from 0 */
	uint64_t sides[2];
};

struct func_rec {
	const char *file;
	uint32_t line;
	const char *name;
	uint64_t calls;
};

struct lcov_recs {
	struct line_rec *lines;
	struct branch_rec *branches;
	struct func_rec *funcs;
	size_t line_cnt, branch_cnt, func_cnt;
};

static int cmp_line(const void *a, const void *b)
{
	const struct line_rec *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int cmp_branch(const void *a, const void *b)
{
	const struct branch_rec *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->prog != y->prog)
		return x->prog < y->prog ? -1 : 1;
	return (x->pc > y->pc) - (x->pc < y->pc);
}

static int cmp_func(const void *a, const void *b)
{
	const struct func_rec *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void lcov_recs__free(struct lcov_recs *r)
{
	free(r->lines);
	free(r->branches);
	free(r->funcs);
}

/* Sized for the worst case (every instruction a line and a branch) so that
 * gathering cannot fail halfway. */
static int lcov_recs__gather(const struct coverage *cov, struct lcov_recs *r)
{
	const struct mhse_object *obj = cov->obj;
	size_t insns = 0, subs = 0;

	*r = (struct lcov_recs){ 0 };
	for (size_t p = 0; p < obj->prog_cnt; p++) {
		if (!prog_listed(cov, p))
			continue;
		insns += obj->progs[p].insn_cnt;
		subs += obj->progs[p].subprog_cnt;
	}
	r->lines = malloc((insns ? insns : 1) * sizeof(*r->lines));
	r->branches = malloc((insns ? insns : 1) * sizeof(*r->branches));
	r->funcs = malloc((subs ? subs : 1) * sizeof(*r->funcs));
	if (!r->lines || !r->branches || !r->funcs) {
		lcov_recs__free(r);
		return -ENOMEM;
	}
	for (size_t p = 0; p < obj->prog_cnt; p++) {
		const struct mhse_prog *prog = &obj->progs[p];
		const struct prog_coverage *pc = &cov->progs[p];

		if (!prog_listed(cov, p))
			continue;
		for (size_t i = 0; i < prog->insn_cnt; i++) {
			const struct mhse_line *line = pc->reach[i] ? insn_line(obj, prog, i) : NULL;

			if (!line)
				continue;
			r->lines[r->line_cnt++] = (struct line_rec){ line->file, line->line, pc->hits[i] };
			if (reach_is_branch(pc->reach[i]))
				r->branches[r->branch_cnt++] = (struct branch_rec){
					line->file, line->line, p, i, pc->hits[i] != 0, { pc->sides[0][i], pc->sides[1][i] }
				};
		}
		for (size_t s = 0; s < prog->subprog_cnt; s++) {
			const struct mhse_subprog *sub = &prog->subprogs[s];
			const struct mhse_line *line;

			if (sub->start >= prog->insn_cnt || !pc->reach[sub->start])
				continue;
			line = first_line(obj, prog, pc->reach, sub->start, sub->start + sub->cnt);
			if (line)
				r->funcs[r->func_cnt++] = (struct func_rec){ line->file, line->line, sub->name,
									     pc->hits[sub->start] };
		}
	}
	qsort(r->lines, r->line_cnt, sizeof(*r->lines), cmp_line);
	qsort(r->branches, r->branch_cnt, sizeof(*r->branches), cmp_branch);
	qsort(r->funcs, r->func_cnt, sizeof(*r->funcs), cmp_func);
	return 0;
}

/* The end of the group of records of one function (same file and name) at j. */
static size_t func_group_end(const struct lcov_recs *r, size_t j)
{
	size_t k = j + 1;

	while (k < r->func_cnt && !strcmp(r->funcs[k].file, r->funcs[j].file) &&
	       !strcmp(r->funcs[k].name, r->funcs[j].name))
		k++;
	return k;
}

/* Writes the functions of file from *i on: one FN and FNDA per name, at the
 * lowest line of its copies (the first of its group, by the sort order). */
static void lcov_functions(FILE *f, const struct lcov_recs *r, const char *file, size_t *i)
{
	size_t end = *i, found = 0, hit = 0;

	while (end < r->func_cnt && !strcmp(r->funcs[end].file, file))
		end++;
	for (size_t j = *i; j < end; j = func_group_end(r, j))
		fprintf(f, "FN:%u,%s\n", r->funcs[j].line, r->funcs[j].name);
	for (size_t j = *i, k; j < end; j = k) {
		uint64_t calls = 0;

		k = func_group_end(r, j);
		for (size_t c = j; c < k; c++)
			calls += r->funcs[c].calls;
		fprintf(f, "FNDA:%llu,%s\n", (unsigned long long)calls, r->funcs[j].name);
		found++;
		hit += calls != 0;
	}
	fprintf(f, "FNF:%zu\nFNH:%zu\n", found, hit);
	*i = end;
}

static void lcov_branches(FILE *f, const struct lcov_recs *r, const char *file, size_t *i)
{
	size_t found = 0, hit = 0, block = 0;
	uint32_t line = 0; /* no record has line 0 */

	for (; *i < r->branch_cnt && !strcmp(r->branches[*i].file, file); (*i)++) {
		const struct branch_rec *b = &r->branches[*i];

		block = b->line == line ? block + 1 : 0;
		line = b->line;
		for (int side = 0; side < 2; side++) {
			if (b->ran)
				fprintf(f, "BRDA:%u,%zu,%d,%llu\n", b->line, block, side,
					(unsigned long long)b->sides[side]);
			else
				fprintf(f, "BRDA:%u,%zu,%d,-\n", b->line, block, side);
			found++;
			hit += b->sides[side] != 0;
		}
	}
	fprintf(f, "BRF:%zu\nBRH:%zu\n", found, hit);
}

static void lcov_lines(FILE *f, const struct lcov_recs *r, const char *file, size_t *i)
{
	size_t found = 0, hit = 0;

	while (*i < r->line_cnt && !strcmp(r->lines[*i].file, file)) {
		uint32_t line = r->lines[*i].line;
		uint64_t hits = 0;

		for (; *i < r->line_cnt && !strcmp(r->lines[*i].file, file) && r->lines[*i].line == line; (*i)++)
			if (r->lines[*i].hits > hits)
				hits = r->lines[*i].hits;
		fprintf(f, "DA:%u,%llu\n", line, (unsigned long long)hits);
		found++;
		hit += hits != 0;
	}
	fprintf(f, "LF:%zu\nLH:%zu\n", found, hit);
}

struct lcov_doc {
	const struct coverage *cov;
	const struct lcov_recs *r;
};

static void emit_lcov(FILE *f, const void *arg)
{
	const struct lcov_doc *doc = arg;
	const struct lcov_recs *r = doc->r;
	size_t li = 0, bi = 0, fi = 0;

	/* Every function and branch has a line record (their instructions are
	 * reachable and have a line), so walking the files of the lines visits
	 * them all. */
	while (li < r->line_cnt) {
		const char *file = r->lines[li].file;

		fputs("TN:", f);
		for (const char *c = doc->cov->entry->name; *c; c++)
			fputc(isalnum((unsigned char)*c) ? *c : '_', f);
		fprintf(f, "\nSF:%s\n", file);
		lcov_functions(f, r, file, &fi);
		lcov_branches(f, r, file, &bi);
		lcov_lines(f, r, file, &li);
		fputs("end_of_record\n", f);
	}
}

int coverage__write_lcov(const struct coverage *cov, const char *path)
{
	struct lcov_recs r = { 0 };
	struct lcov_doc doc = { cov, &r };
	int err = lcov_recs__gather(cov, &r);

	if (err) {
		pr_err("%s: %s\n", path, strerror(-err));
		return err;
	}
	err = output_write_file(path, emit_lcov, &doc);
	lcov_recs__free(&r);
	return err;
}
