/* SPDX-License-Identifier: MIT */
/*
 * mhse study: a coverage study across programs, map policies and searches
 * (docs/study.md).
 *
 * A study file names objects (globs), optionally their programs, hooks and
 * extra options, and the policies, searches and budget to cross. Every cell
 * (object x program x policy x search) is one exploration by a child mhse
 * process, and leaves one result file, DIR/cells/ID.json, written
 * atomically: a study resumes by skipping the cells that have one, and any
 * runner (this machine's cores, GNU parallel, a Slurm job array) can run
 * the cells as long as their result files end up in a directory that
 * `mhse study --merge` reads. The merge writes results.csv, results.md and
 * plots/ from the result files alone, so a local run and a merge of the
 * same cells give the same tables.
 */
#ifndef MHSE_STUDY_H
#define MHSE_STUDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The search a cell names when it leaves the choice to mhse explore. */
#define STUDY_DEFAULT_SEARCH "default"

/* What one object entry of the study file says. */
struct study_object {
	char *path;          /* the object, glob expanded */
	char **programs;     /* NULL: every program */
	size_t program_cnt;
	char *hooks;         /* --hooks FILE, or NULL */
	char **options;      /* extra explore options (--const, --map-size, --btf ...) */
	size_t option_cnt;
	double max_time;     /* the cell budget, seconds */
};

struct study_cell {
	char id[512];        /* unique in the study, a file name */
	const struct study_object *object;
	char *program;       /* NULL when the object could not be opened */
	const char *hook_rule; /* the rule that places the program on a hook (mhse info's), "--hooks" or "none" */
	const char *policy, *search;
	char *open_error;    /* the object's one-line error, or NULL */
};

struct study {
	char *file, *dir;    /* the study file, absolute, and its directory */
	struct study_object *objects;
	size_t object_cnt;
	char **policies, **searches, **timeline;
	size_t policy_cnt, search_cnt, timeline_cnt;
	double max_time;
	uint64_t max_paths;
	unsigned parallel;   /* cells at once; 0: the machine's cores */
	bool keep_tests;
	struct study_cell *cells;
	size_t cell_cnt;
};

/* Loads a study file and lists its cells. Returns 0 or an exit code after
 * a one-line error. */
int study__load(const char *path, struct study *st);
void study__free(struct study *st);

/* Runs one cell into out/cells/ID.json. 0 or an exit code; a cell whose
 * exploration fails still writes its result (the failure is a row). */
int study__run_cell(const struct study *st, const struct study_cell *cell, const char *out);

/* Merges the result files of dirs into out: results.csv, results.md and
 * plots/. 0 or an exit code. */
int study__merge(char *const *dirs, size_t dir_cnt, const char *out);

/* snprintf for file names: -ENAMETOOLONG instead of a truncated name. */
int study__path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The mhse study command. */
int study__main(int argc, char **argv);

#endif
