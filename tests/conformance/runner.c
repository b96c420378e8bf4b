// SPDX-License-Identifier: MIT
/*
 * Runs the BPF ISA conformance vectors (bpf_conformance's tests/ and
 * negative/ directories) through mhse: the assembler, insn_check and the
 * concrete interpreter under the "raw" hook.
 *
 * A positive vector passes when its program assembles (identically to its
 * raw words, when it has both), passes insn_check and returns the expected
 * r0. A negative vector passes when mhse rejects it at any stage: reading the
 * file, assembling, insn_check, running, or by returning a value other than
 * the one its (deliberately wrong) result names. The few negative vectors
 * whose rejection needs what mhse does not model are listed, with the
 * reason, in not_applicable and counted neither way.
 *
 * Usage: conformance [DIR] [VECTOR...], DIR defaulting to
 * ../shared/conformance; VECTORs ("add", "negative/empty.data") select.
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
#include "hook.h"
#include "insn.h"
#include "interp.h"
#include "object.h"

static const struct {
	const char *vector;
	const char *reason;
} not_applicable[] = {
	{ "negative/error.data",
	  "reads r0 before writing it and ORs the frame pointer into it; the kernel rejects both in its "
	  "data-flow pass (R0 !read_ok, pointer arithmetic), which insn_check leaves out and the concrete "
	  "interpreter runs as plain integers" },
};

struct vector {
	char *text;            /* -- asm */
	bool has_asm, has_raw, has_result;
	struct bpf_insn *raw;  /* -- raw */
	size_t raw_cnt;
	uint8_t *mem;          /* -- mem */
	size_t mem_len;
	uint64_t result;       /* -- result */
};

enum section { SEC_NONE, SEC_ASM, SEC_RAW, SEC_MEM, SEC_RESULT, SEC_IGNORED };

static const struct {
	const char *name;
	enum section section;
} sections[] = {
	{ "asm", SEC_ASM },
	{ "raw", SEC_RAW },
	{ "mem", SEC_MEM },
	{ "result", SEC_RESULT },
	{ "error", SEC_IGNORED },              /* the expected message: mhse prints its own */
	{ "c", SEC_IGNORED },                  /* the C source, for reading */
	{ "no register offset", SEC_IGNORED }, /* a note for JIT runners */
};

struct bytes {
	uint8_t *data;
	size_t len, cap;
};

__attribute__((format(printf, 3, 4))) static int reason(char *buf, size_t len, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, len, fmt, args);
	va_end(args);
	return -EINVAL;
}

static int bytes_push(struct bytes *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		uint8_t *p;

		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

/* One line of hex: "07 00 01 00 01 00 00 00" bytes or a "0x5566778800000018"
 * instruction word, stored in host (little-endian) order. */
static int parse_hex_line(char *line, struct bytes *out, bool allow_words, char *why, size_t why_len)
{
	char *save;

	for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *end;
		unsigned long long v = strtoull(tok, &end, 16);
		bool word = allow_words && !strncmp(tok, "0x", 2) && strlen(tok) == 18;
		uint8_t byte = (uint8_t)v;

		if (*end || (!word && strlen(tok) != 2))
			return reason(why, why_len, "invalid hex '%s'", tok);
		if (word ? bytes_push(out, &v, sizeof(uint64_t)) : bytes_push(out, &byte, 1))
			return -ENOMEM;
	}
	return 0;
}

static void vector_free(struct vector *v)
{
	free(v->text);
	free(v->raw);
	free(v->mem);
}

static int parse_vector(char *text, struct vector *v, char *why, size_t why_len)
{
	struct bytes asm_text = {}, raw = {}, mem = {};
	enum section cur = SEC_NONE;
	char *line, *next;
	int err = 0;

	for (line = text; line && !err; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (!strncmp(line, "--", 2)) {
			const char *name = line + 2 + strspn(line + 2, " ");
			size_t i;

			for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
				if (!strcmp(name, sections[i].name))
					break;
			if (i == sizeof(sections) / sizeof(sections[0])) {
				err = reason(why, why_len, "unknown directive '%s'", line);
				break;
			}
			cur = sections[i].section;
			v->has_asm |= cur == SEC_ASM;
			v->has_raw |= cur == SEC_RAW;
			continue;
		}
		if (cur == SEC_ASM) {
			err = bytes_push(&asm_text, line, strlen(line));
			if (!err)
				err = bytes_push(&asm_text, "\n", 1);
			continue;
		}
		if (line[0] == '#' || !line[strspn(line, " \t")])
			continue;
		switch (cur) {
		case SEC_NONE:
			err = reason(why, why_len, "text outside any section: '%s'", line);
			break;
		case SEC_RAW:
		case SEC_MEM:
			err = parse_hex_line(line, cur == SEC_RAW ? &raw : &mem, cur == SEC_RAW, why, why_len);
			break;
		case SEC_RESULT: {
			char *end;

			errno = 0;
			v->result = strtoull(line, &end, 0);
			if (errno || end[strspn(end, " \t")])
				err = reason(why, why_len, "invalid result '%s'", line);
			v->has_result = true;
			break;
		}
		default:
			break;
		}
	}
	if (!err && raw.len % sizeof(struct bpf_insn))
		err = reason(why, why_len, "raw section of %zu bytes is not whole instructions", raw.len);
	if (!err && asm_text.len)
		err = bytes_push(&asm_text, "", 1);
	if (err == -ENOMEM)
		reason(why, why_len, "out of memory");
	v->text = (char *)asm_text.data;
	v->raw = (struct bpf_insn *)raw.data;
	v->raw_cnt = raw.len / sizeof(struct bpf_insn);
	v->mem = mem.data;
	v->mem_len = mem.len;
	return err;
}

static int read_file(const char *path, char **text)
{
	FILE *f = fopen(path, "rb");
	struct bytes b = {};
	char chunk[4096];
	size_t n;
	int err = 0;

	if (!f)
		return -errno;
	while (!err && (n = fread(chunk, 1, sizeof(chunk), f)))
		err = bytes_push(&b, chunk, n);
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	if (!err)
		err = bytes_push(&b, "", 1);
	if (err) {
		free(b.data);
		return err;
	}
	*text = (char *)b.data;
	return 0;
}

/* The program of a vector: its raw words (taken from v), else its assembly.
 * When it has both, they must assemble to the same instructions. */
static int vector_program(struct vector *v, struct bpf_insn **insns, size_t *cnt, char *why, size_t why_len)
{
	char err[256];
	int ret;

	*insns = NULL;
	*cnt = 0;
	if (!v->has_asm && !v->has_raw)
		return reason(why, why_len, "no program (neither an asm nor a raw section)");
	if (v->has_asm) {
		ret = asm_assemble(v->text ? v->text : "", insns, cnt, err, sizeof(err));
		if (ret)
			return reason(why, why_len, "assembler: %s", err);
	}
	if (!v->has_raw)
		return 0;
	if (v->has_asm) {
		for (size_t i = 0; i < *cnt || i < v->raw_cnt; i++) {
			uint64_t a = 0, r = 0;

			if (i < *cnt)
				memcpy(&a, &(*insns)[i], sizeof(a));
			if (i < v->raw_cnt)
				memcpy(&r, &v->raw[i], sizeof(r));
			if (i >= *cnt || i >= v->raw_cnt || a != r) {
				free(*insns);
				*insns = NULL;
				return reason(why, why_len, "asm and raw differ at insn %zu: asm 0x%016" PRIx64 ", raw 0x%016" PRIx64,
					      i, a, r);
			}
		}
		free(*insns);
	}
	*insns = v->raw;
	*cnt = v->raw_cnt;
	v->raw = NULL;
	return 0;
}

/* The original runners' helper 5 unwinds the program when r1 is 0 and
 * otherwise returns r1; the two vectors that call it pass r1 = -1. */
static int helper_unwind(struct mhse_vm *vm, uint64_t *regs)
{
	if (!regs[BPF_REG_1])
		return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "unwind (helper 5) with r1 = 0 is not modelled");
	regs[BPF_REG_0] = regs[BPF_REG_1];
	return 0;
}

static const struct helper_impl conformance_helper_impls[] = {
	{ 5, HC_ALL, helper_unwind },
};

static const struct helper_module conformance_helpers = {
	.name = "conformance",
	.helpers = conformance_helper_impls,
	.cnt = sizeof(conformance_helper_impls) / sizeof(conformance_helper_impls[0]),
};

/* Runs a checked program on the vector's memory. */
static int run_program(const struct mhse_hook *hook, const char *name, const struct bpf_insn *insns, size_t cnt,
		       const struct vector *v, uint64_t *r0, char *why, size_t why_len)
{
	struct vm_input in = { .raw = v->mem, .raw_len = (uint32_t)v->mem_len };
	struct mhse_object *obj;
	struct mhse_vm *vm;
	int err;

	err = mhse_object__from_insns(insns, cnt, name, &obj);
	if (err)
		return reason(why, why_len, "wrapping the program: %s", strerror(-err));
	err = mhse_vm__new(obj, hook, &vm);
	if (err) {
		mhse_object__close(obj);
		return reason(why, why_len, "creating the VM: %s", strerror(-err));
	}
	vm->extra_helpers = &conformance_helpers;
	err = mhse_vm__run(vm, &obj->progs[0], &in, r0);
	if (err)
		reason(why, why_len, "run: insn %zu: %s", vm->err_pc, vm->err_msg);
	mhse_vm__free(vm);
	mhse_object__close(obj);
	return err;
}

/* Takes a vector through every stage; 0 when it ran to the end and set *r0. */
static int vector_run(const struct mhse_hook *hook, const char *path, const char *name, struct vector *v,
		      uint64_t *r0, char *why, size_t why_len)
{
	struct bpf_insn *insns = NULL;
	char msg[256], *text = NULL;
	size_t cnt, bad_idx;
	int err;

	err = read_file(path, &text);
	if (err)
		return reason(why, why_len, "cannot read: %s", strerror(-err));
	err = parse_vector(text, v, why, why_len);
	free(text);
	if (!err)
		err = vector_program(v, &insns, &cnt, why, why_len);
	if (!err && insn_check(insns, cnt, &bad_idx, msg, sizeof(msg)))
		err = reason(why, why_len, "insn_check: %s", msg);
	if (!err)
		err = run_program(hook, name, insns, cnt, v, r0, why, why_len);
	free(insns);
	return err;
}

static const char *not_applicable_reason(const char *vector)
{
	for (size_t i = 0; i < sizeof(not_applicable) / sizeof(not_applicable[0]); i++)
		if (!strcmp(not_applicable[i].vector, vector))
			return not_applicable[i].reason;
	return NULL;
}

struct tally {
	unsigned passed, failed, skipped;
};

static void check_vector(const struct mhse_hook *hook, const char *dir, const char *subdir, const char *file,
			 struct tally *tally)
{
	bool negative = !strcmp(subdir, "negative");
	char path[4096], name[512], why[512];
	struct vector v = {};
	uint64_t r0 = 0;
	const char *na;
	int err;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, subdir, file);
	snprintf(name, sizeof(name), "%s/%s", subdir, file);
	err = vector_run(hook, path, name, &v, &r0, why, sizeof(why));
	if (!err && v.has_result && r0 != v.result) {
		reason(why, sizeof(why), "returned 0x%" PRIx64 ", expected 0x%" PRIx64, r0, v.result);
		err = -EINVAL;
	}
	if (!err && !v.has_result && !negative) {
		reason(why, sizeof(why), "no result section");
		err = -EINVAL;
	}
	vector_free(&v);

	if (!negative && !err) {
		tally->passed++;
	} else if (!negative) {
		printf("FAIL %s: %s\n", name, why);
		tally->failed++;
	} else if (err) {
		printf("rejected %s: %s\n", name, why);
		tally->passed++;
	} else if ((na = not_applicable_reason(name))) {
		printf("n/a %s: %s\n", name, na);
		tally->skipped++;
	} else {
		printf("FAIL %s: accepted, returned 0x%" PRIx64 "\n", name, r0);
		tally->failed++;
	}
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool selected(const char *subdir, const char *file, char **filters, int filter_cnt)
{
	char full[512];
	size_t len = strlen(file) - strlen(".data");

	if (!filter_cnt)
		return true;
	snprintf(full, sizeof(full), "%s/%s", subdir, file);
	for (int i = 0; i < filter_cnt; i++)
		if (!strcmp(filters[i], file) || !strcmp(filters[i], full) ||
		    (strlen(filters[i]) == len && !strncmp(filters[i], file, len)))
			return true;
	return false;
}

/* Every *.data of dir/subdir, in name order. */
static int check_dir(const struct mhse_hook *hook, const char *dir, const char *subdir, char **filters,
		     int filter_cnt, struct tally *tally)
{
	char path[4096], **names = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *ent;
	int err = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, subdir);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "conformance: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (!err && (ent = readdir(d))) {
		size_t len = strlen(ent->d_name);

		if (len <= 5 || strcmp(ent->d_name + len - 5, ".data") ||
		    !selected(subdir, ent->d_name, filters, filter_cnt))
			continue;
		if (cnt == cap) {
			char **p = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));

			if (!p) {
				err = -ENOMEM;
				break;
			}
			names = p;
			cap = cap ? cap * 2 : 64;
		}
		names[cnt] = strdup(ent->d_name);
		if (names[cnt])
			cnt++;
		else
			err = -ENOMEM;
	}
	closedir(d);
	if (cnt)
		qsort(names, cnt, sizeof(*names), compare_names);
	for (size_t i = 0; i < cnt; i++) {
		if (!err)
			check_vector(hook, dir, subdir, names[i], tally);
		free(names[i]);
	}
	free(names);
	if (err)
		fprintf(stderr, "conformance: %s: %s\n", path, strerror(-err));
	return err;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../shared/conformance";
	struct tally tally = {};
	struct mhse_hook *hook;
	int err;

	err = mhse_hook__load("raw", &hook);
	if (err) {
		fprintf(stderr, "conformance: cannot load the raw hook spec: %s\n", strerror(-err));
		return 2;
	}
	err = check_dir(hook, dir, "tests", argv + 2, argc > 2 ? argc - 2 : 0, &tally);
	if (!err)
		err = check_dir(hook, dir, "negative", argv + 2, argc > 2 ? argc - 2 : 0, &tally);
	mhse_hook__free(hook);
	if (err)
		return 2;
	if (tally.skipped)
		printf("%u not applicable\n", tally.skipped);
	printf("%u passed, %u failed\n", tally.passed, tally.failed);
	return tally.failed ? 1 : 0;
}
