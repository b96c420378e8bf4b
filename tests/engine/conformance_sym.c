// SPDX-License-Identifier: MIT
/*
 * The ISA conformance vectors (bpf_conformance's tests/) under the symbolic
 * engine, run through the library as the explore command runs it.
 *
 * Each vector is checked twice under the "raw" hook (r1 = memory, r2 = its
 * length):
 *
 *   concrete  the vector's memory as given: nothing is symbolic, so the
 *             engine must finish exactly one path, an exit returning the
 *             vector's result. This holds the engine's own instruction
 *             semantics to the vectors, as tests/conformance holds the
 *             interpreter's.
 *   symbolic  every memory byte a fresh variable: every path the engine
 *             finishes must replay on the interpreter (the self-check). A
 *             vector without memory explores the same single path.
 *
 * The vectors were written for runners whose helper 5 is an "unwind"
 * helper; here helper 5 is whatever the engine's core table makes of it
 * (the table below says why every vector still applies).
 *
 * Usage: conformance_sym DIR [VECTOR...], DIR holding the tests directory of
 * .data files; VECTORs ("add", "callx") select.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "asm.h"
#include "engine.h"
#include "hook.h"
#include "interp.h"
#include "object.h"
#include "selfcheck.h"
#include "testwriter.h"

/* A safeguard for a vector whose loop would fork on every symbolic byte:
 * today's vectors give at most a handful of paths each. */
#define SYMBOLIC_MAX_PATHS 512
#define SYMBOLIC_MAX_TIME_S 5.0
#define MAX_INSNS 100000

enum check { CHECK_CONCRETE, CHECK_SYMBOLIC };

static const char *const check_names[] = { [CHECK_CONCRETE] = "concrete", [CHECK_SYMBOLIC] = "symbolic" };

/*
 * The vectors that call helper 5, which their runners define as "unwind"
 * (return r1, or stop the program when r1 is 0):
 *
 * | vector           | applies | why                                             |
 * |------------------|---------|-------------------------------------------------|
 * | call_unwind_fail | yes     | "call 5" with r1 = -1: helper 5 is ktime_get_ns |
 * |                  |         | here, a fresh value the vector ignores; it      |
 * |                  |         | returns 2 either way                            |
 * | callx            | yes     | "call %r2" with r2 = 5: the engine, like the    |
 * |                  |         | interpreter and the runners, takes a callx      |
 * |                  |         | target that is no function as a helper number   |
 *
 * No vector is left out.
 */

struct vector {
	char *text;     /* the asm section, NUL-terminated */
	uint8_t *mem;   /* the mem section */
	size_t mem_len;
	uint64_t result;
	bool has_result;
};

static unsigned passed, failed;

static void vector_free(struct vector *v)
{
	free(v->text);
	free(v->mem);
}

/* Appends n bytes to *buf, keeping a NUL after them for text. */
static int append(void **buf, size_t *len, const void *data, size_t n)
{
	char *p = realloc(*buf, *len + n + 1);

	if (!p)
		return -ENOMEM;
	memcpy(p + *len, data, n);
	*len += n;
	p[*len] = '\0';
	*buf = p;
	return 0;
}

static int parse_mem_line(struct vector *v, char *line)
{
	char *save, *end;

	for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		unsigned long byte = strtoul(tok, &end, 16);
		uint8_t b = (uint8_t)byte;

		if (*end || strlen(tok) != 2)
			return -EINVAL;
		if (append((void **)&v->mem, &v->mem_len, &b, 1))
			return -ENOMEM;
	}
	return 0;
}

/* The sections this test needs: asm, mem and result. The rest (raw words,
 * C source, runner notes) tests/conformance checks. */
static int parse_vector(char *text, struct vector *v)
{
	enum { NONE, ASM, MEM, RESULT, OTHER } section = NONE;
	size_t text_len = 0;
	char *next;
	int err = 0;

	for (char *line = text; line && !err; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "-- ", 3)) {
			section = !strcmp(line + 3, "asm") ? ASM : !strcmp(line + 3, "mem") ? MEM :
				  !strcmp(line + 3, "result") ? RESULT : OTHER;
			continue;
		}
		if (section == ASM) {
			err = append((void **)&v->text, &text_len, line, strlen(line));
			if (!err)
				err = append((void **)&v->text, &text_len, "\n", 1);
			continue;
		}
		if (line[0] == '#' || !line[strspn(line, " \t\r")])
			continue;
		if (section == MEM) {
			err = parse_mem_line(v, line);
		} else if (section == RESULT) {
			char *end;

			v->result = strtoull(line, &end, 0);
			v->has_result = true;
			if (end[strspn(end, " \t\r")])
				err = -EINVAL;
		}
	}
	if (!err && (!v->text || !v->has_result))
		err = -EINVAL;
	return err;
}

static int read_vector(const char *path, struct vector *v)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL, chunk[4096];
	size_t len = 0, n;
	int err = 0;

	if (!f)
		return -errno;
	while (!err && (n = fread(chunk, 1, sizeof(chunk), f)))
		err = append((void **)&text, &len, chunk, n);
	fclose(f);
	if (!err && text)
		err = parse_vector(text, v);
	else if (!err)
		err = -EINVAL;
	free(text);
	return err;
}

/* What the callback of one exploration sees. */
struct run {
	enum check check;
	const struct mhse_prog *prog;
	struct mhse_vm *vm;          /* symbolic: replays each path */
	unsigned paths, mismatches;
	enum path_kind kind;         /* concrete: the last path */
	uint64_t ret;
	char message[192];
	unsigned mismatch_path;      /* the first mismatch: its path, from 1, and why */
	char mismatch[256];
};

static int on_path(void *arg, const struct path_result *path)
{
	struct run *run = arg;
	char reason[sizeof(run->mismatch)];

	run->paths++;
	run->kind = path->kind;
	run->ret = path->ret;
	snprintf(run->message, sizeof(run->message), "%s", path->message);
	if (run->check != CHECK_SYMBOLIC || !selfcheck__path(run->vm, run->prog, path, NULL, reason, sizeof(reason)))
		return 0;
	if (!run->mismatches++) {
		run->mismatch_path = run->paths;
		memcpy(run->mismatch, reason, sizeof(reason));
	}
	return 0;
}

__attribute__((format(printf, 4, 5))) static void verdict(const char *vector, enum check check, bool ok,
							   const char *fmt, ...)
{
	va_list args;

	if (ok) {
		passed++;
		return;
	}
	printf("FAIL %s (%s): ", vector, check_names[check]);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	putchar('\n');
	failed++;
}

/* Explores the vector's program once, as check says. */
static int explore(const struct mhse_object *obj, const struct mhse_hook *hook, const struct vector *v,
		   struct run *run)
{
	struct mhse_explore_opts opts = {
		.policy = POLICY_CONSISTENT,
		.search = SEARCH_DFS,
		.max_insns = MAX_INSNS,
		.raw = v->mem,
		.raw_len = (uint32_t)v->mem_len,
		.raw_symbolic = run->check == CHECK_SYMBOLIC,
	};
	struct mhse_engine *engine;
	int err;

	if (run->check == CHECK_SYMBOLIC) {
		opts.max_paths = SYMBOLIC_MAX_PATHS;
		opts.max_time_s = SYMBOLIC_MAX_TIME_S;
	}
	err = mhse_engine__new(obj, &obj->progs[0], hook, &opts, &engine);
	if (err)
		return err;
	err = mhse_engine__run(engine, on_path, run);
	mhse_engine__free(engine);
	return err;
}

static void check_vector(const struct mhse_hook *hook, const char *dir, const char *name)
{
	char path[4096], why[256];
	struct vector v = {};
	struct mhse_object *obj = NULL;
	struct bpf_insn *insns = NULL;
	struct run concrete = { .check = CHECK_CONCRETE }, symbolic = { .check = CHECK_SYMBOLIC };
	size_t cnt;
	int err;

	snprintf(path, sizeof(path), "%s/tests/%s.data", dir, name);
	err = read_vector(path, &v);
	if (err) {
		printf("FAIL %s: cannot read or parse %s: %s\n", name, path, strerror(-err));
		failed++;
		goto out;
	}
	err = asm_assemble(v.text, &insns, &cnt, why, sizeof(why));
	if (!err)
		err = mhse_object__from_insns(insns, cnt, name, &obj);
	if (err) {
		printf("FAIL %s: no program: %s\n", name, err == -ENOMEM ? "out of memory" : why);
		failed++;
		goto out;
	}

	err = explore(obj, hook, &v, &concrete);
	verdict(name, CHECK_CONCRETE,
		!err && concrete.paths == 1 && concrete.kind == PATH_EXIT && concrete.ret == v.result,
		"%s%u paths, the last %s (%s) returning 0x%" PRIx64 ", expected one exit returning 0x%" PRIx64,
		err ? "exploration failed; " : "", concrete.paths, test_kind_name(concrete.kind), concrete.message,
		concrete.ret, v.result);

	symbolic.prog = &obj->progs[0];
	err = mhse_vm__new(obj, hook, &symbolic.vm);
	if (!err) {
		/* replays stop where the engine stops a path over budget */
		symbolic.vm->insn_budget = MAX_INSNS;
		err = explore(obj, hook, &v, &symbolic);
	}
	verdict(name, CHECK_SYMBOLIC, !err && symbolic.paths && !symbolic.mismatches,
		"%s%u paths, %u self-check mismatches, the first on path %u: %s", err ? "exploration failed; " : "",
		symbolic.paths, symbolic.mismatches, symbolic.mismatch_path, symbolic.mismatch);
	mhse_vm__free(symbolic.vm);
out:
	mhse_object__close(obj);
	free(insns);
	vector_free(&v);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		free(names[i]);
	free(names);
}

/* The vector names of DIR/tests, sorted, without ".data". */
static int list_vectors(const char *dir, char ***names, size_t *cnt)
{
	char path[4096];
	struct dirent *ent;
	int err = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/tests", dir);
	d = opendir(path);
	if (!d)
		return -errno;
	*names = NULL;
	*cnt = 0;
	while (!err && (ent = readdir(d))) {
		size_t len = strlen(ent->d_name);
		char **grown;

		if (len <= 5 || strcmp(ent->d_name + len - 5, ".data"))
			continue;
		grown = realloc(*names, (*cnt + 1) * sizeof(**names));
		if (grown)
			*names = grown;
		if (!grown || !(grown[*cnt] = strndup(ent->d_name, len - 5)))
			err = -ENOMEM;
		else
			(*cnt)++;
	}
	closedir(d);
	if (err) {
		free_names(*names, *cnt);
		return err;
	}
	qsort(*names, *cnt, sizeof(**names), compare_names);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../shared/conformance";
	struct mhse_hook *hook;
	char **names;
	size_t cnt;
	int err;

	err = mhse_hook__load("raw", &hook);
	if (err)
		return 1;
	err = list_vectors(dir, &names, &cnt);
	if (err) {
		fprintf(stderr, "%s/tests: %s\n", dir, strerror(-err));
		mhse_hook__free(hook);
		return 1;
	}
	for (size_t i = 0; i < cnt; i++) {
		bool wanted = argc <= 2;

		for (int a = 2; a < argc && !wanted; a++)
			wanted = !strcmp(argv[a], names[i]);
		if (wanted)
			check_vector(hook, dir, names[i]);
	}
	free_names(names, cnt);
	mhse_hook__free(hook);
	if (!passed && !failed)
		fprintf(stderr, "no vector in %s/tests was checked\n", dir);
	printf("%u passed, %u failed\n", passed, failed);
	return failed || !passed ? 1 : 0;
}
