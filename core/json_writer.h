/* SPDX-License-Identifier: MIT */
/*
 * A streaming JSON writer for the files mhse leaves for scripts: tests,
 * coverage and run statistics. It keeps the separators and indentation so
 * that callers only say what comes next, in the spirit of bpftool's
 * json_writer.
 *
 * Output must also be readable by libyaml, which reads tests back: strings
 * are valid UTF-8 with every character YAML does not allow raw written as a
 * \u escape, and indentation is spaces, never tabs.
 */
#ifndef MHSE_JSON_WRITER_H
#define MHSE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer {
	FILE *f;
	unsigned depth;    /* open containers, at most 31 */
	bool first;        /* nothing written yet in the open container */
	uint32_t one_line; /* bit per depth: that container stays on one line */
	uint32_t arrays;   /* bit per depth: that container is an array */
};

/* Writes one document to path through emit. Returns 0, or a negative errno
 * after logging the file and the problem. */
/* Writes path with emit, reporting open and write failures (file and
 * reason) through the log. Returns 0 or a negative errno. */
int output_write_file(const char *path, void (*emit)(FILE *f, const void *arg), const void *arg);
/* mkdir -p dir. 0, or a negative errno after logging. */
int output_make_dirs(const char *dir);
/* A whole file, NUL-terminated (its length in *len when len is not NULL),
 * or NULL. */
char *output_read_file(const char *path, size_t *len);
int jsonw_write_file(const char *path, void (*emit)(struct json_writer *w, const void *arg), const void *arg);

/* Every value takes the member name key inside an object, NULL elsewhere.
 * A container opened one_line puts its members, and everything inside
 * them, on one line. */
void jsonw_object(struct json_writer *w, const char *key, bool one_line);
void jsonw_array(struct json_writer *w, const char *key, bool one_line);
void jsonw_end(struct json_writer *w);

/* s NULL writes null. */
void jsonw_string(struct json_writer *w, const char *key, const char *s);
/* Bytes as a lowercase hex string; p NULL writes null. */
void jsonw_hex(struct json_writer *w, const char *key, const uint8_t *p, size_t len);
void jsonw_uint(struct json_writer *w, const char *key, uint64_t v);
void jsonw_int(struct json_writer *w, const char *key, int64_t v);
/* Fixed-point with decimals digits; NaN and infinities write null. */
void jsonw_double(struct json_writer *w, const char *key, double v, int decimals);
void jsonw_bool(struct json_writer *w, const char *key, bool v);
void jsonw_null(struct json_writer *w, const char *key);

#endif
