// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "json_writer.h"
#include "log.h"

int output_write_file(const char *path, void (*emit)(FILE *f, const void *arg), const void *arg)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f) {
		err = -errno;
		pr_err("%s: %s\n", path, strerror(errno));
		return err;
	}
	emit(f, arg);
	err = ferror(f) ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		pr_err("%s: write failed: %s\n", path, strerror(-err));
	return err;
}

int output_make_dirs(const char *dir)
{
	char *path;
	int err = 0;

	if (!*dir) {
		pr_err("output directory: empty name\n");
		return -EINVAL;
	}
	path = strdup(dir);
	if (!path)
		return -ENOMEM;
	for (char *p = path + 1; !err; p++) {
		bool end = !*p;

		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			err = -errno;
		if (end)
			break;
		*p = '/';
	}
	if (err)
		pr_err("%s: cannot create directory %s: %s\n", dir, path, strerror(-err));
	free(path);
	return err;
}

char *output_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

struct json_document {
	void (*emit)(struct json_writer *w, const void *arg);
	const void *arg;
};

static void emit_json_document(FILE *f, const void *arg)
{
	const struct json_document *doc = arg;
	struct json_writer w = { .first = true, .f = f };

	doc->emit(&w, doc->arg);
	fputc('\n', f);
}

int jsonw_write_file(const char *path, void (*emit)(struct json_writer *w, const void *arg), const void *arg)
{
	struct json_document doc = { emit, arg };

	return output_write_file(path, emit_json_document, &doc);
}

static bool in_one_line(const struct json_writer *w)
{
	return w->one_line & (1u << w->depth);
}

static void indent(struct json_writer *w)
{
	fputc('\n', w->f);
	for (unsigned i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Decodes one UTF-8 sequence at s. Returns its length, or 0 when the bytes
 * are not valid UTF-8 (overlong forms and surrogates included, as libyaml
 * rejects them too). */
static size_t utf8_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
	static const uint32_t min_cp[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;

	if (!n || s[0] >= 0xf8 || n > left)
		return 0;
	*cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min_cp[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* YAML's printable set (YAML 1.1, 5.1), which libyaml enforces even inside
 * quoted strings. */
static bool yaml_printable(uint32_t cp)
{
	return cp == 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
}

/* Bytes that are not UTF-8 become \u00XX, their Latin-1 reading: lossy, but
 * the text stays readable and the file stays JSON. */
static void write_string(struct json_writer *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', w->f);
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t n;

		/* a run of characters that stand for themselves, at once: a test's
		 * keys and names are most of them */
		for (n = 0; i + n < len && p[i + n] >= 0x20 && p[i + n] < 0x7f && p[i + n] != '"' && p[i + n] != '\\'; n++)
			;
		if (n) {
			fwrite(p + i, 1, n, w->f);
			i += n;
			continue;
		}
		if (c == '"' || c == '\\') {
			fprintf(w->f, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", w->f);
		} else if (c == '\t') {
			fputs("\\t", w->f);
		} else if (c == '\r') {
			fputs("\\r", w->f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(w->f, "\\u%04x", c);
		} else if (c >= 0x80) {
			n = utf8_decode(p + i, len - i, &cp);
			if (!n)
				fprintf(w->f, "\\u%04x", c);
			else if (!yaml_printable(cp))
				fprintf(w->f, "\\u%04" PRIx32, cp);
			else
				fwrite(p + i, 1, n, w->f);
			i += n ? n : 1;
			continue;
		}
		i++;
	}
	fputc('"', w->f);
}

/* Starts a value: the separator from the previous one, then the key. */
static void begin_value(struct json_writer *w, const char *key)
{
	if (w->depth) {
		if (!w->first)
			fputc(',', w->f);
		if (in_one_line(w)) {
			if (!w->first)
				fputc(' ', w->f);
		} else {
			indent(w);
		}
	}
	w->first = false;
	if (key) {
		write_string(w, key, strlen(key));
		fputs(": ", w->f);
	}
}

static void open_container(struct json_writer *w, const char *key, bool array, bool one_line)
{
	bool parent_one_line = w->depth && in_one_line(w);

	begin_value(w, key);
	fputc(array ? '[' : '{', w->f);
	w->depth++;
	w->one_line = (w->one_line & ~(1u << w->depth)) | (uint32_t)(one_line || parent_one_line) << w->depth;
	w->arrays = (w->arrays & ~(1u << w->depth)) | (uint32_t)array << w->depth;
	w->first = true;
}

void jsonw_object(struct json_writer *w, const char *key, bool one_line)
{
	open_container(w, key, false, one_line);
}

void jsonw_array(struct json_writer *w, const char *key, bool one_line)
{
	open_container(w, key, true, one_line);
}

void jsonw_end(struct json_writer *w)
{
	char close = w->arrays & (1u << w->depth) ? ']' : '}';
	bool multi_line = !w->first && !in_one_line(w);

	w->depth--;
	if (multi_line)
		indent(w);
	fputc(close, w->f);
	w->first = false;
}

void jsonw_string(struct json_writer *w, const char *key, const char *s)
{
	begin_value(w, key);
	if (s)
		write_string(w, s, strlen(s));
	else
		fputs("null", w->f);
}

void jsonw_hex(struct json_writer *w, const char *key, const uint8_t *p, size_t len)
{
	begin_value(w, key);
	if (!p) {
		fputs("null", w->f);
		return;
	}
	fputc('"', w->f);
	/* a packet is most of a test file: two characters a byte, without printf */
	for (size_t i = 0; i < len; i++) {
		static const char digits[] = "0123456789abcdef";

		putc_unlocked(digits[p[i] >> 4], w->f);
		putc_unlocked(digits[p[i] & 15], w->f);
	}
	fputc('"', w->f);
}

void jsonw_uint(struct json_writer *w, const char *key, uint64_t v)
{
	begin_value(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

void jsonw_int(struct json_writer *w, const char *key, int64_t v)
{
	begin_value(w, key);
	fprintf(w->f, "%" PRId64, v);
}

void jsonw_double(struct json_writer *w, const char *key, double v, int decimals)
{
	begin_value(w, key);
	if (isfinite(v))
		fprintf(w->f, "%.*f", decimals, v);
	else
		fputs("null", w->f);
}

void jsonw_bool(struct json_writer *w, const char *key, bool v)
{
	begin_value(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jsonw_null(struct json_writer *w, const char *key)
{
	begin_value(w, key);
	fputs("null", w->f);
}
