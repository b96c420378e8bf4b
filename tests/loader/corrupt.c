// SPDX-License-Identifier: MIT
/*
 * Corrupted objects: each valid object given on the command line is damaged
 * in memory in every way the loader must survive, and each variant is fed to
 * mhse_object__open_mem.
 *
 * A variant passes when the loader either fails with a negative errno, no
 * object and an error logged as one line "NAME: problem", or loads it and
 * the object can be closed. Some variants must fail (not ELF, another
 * machine, truncated headers) and one must load (EM_NONE, which some clang
 * versions wrote). Run under ASan and UBSan, a variant that makes the loader
 * read out of bounds, overflow or leak aborts the test.
 *
 * The damage: truncation at many lengths; garbage instead of ELF; ELF header
 * fields (class, byte order, machine, type, section table place and size,
 * e_shstrndx); every section header field; symbols (section index, value,
 * name, size, type); relocations (symbol index, offset, type); .BTF and
 * .BTF.ext headers and leading bytes; and random byte flips.
 *
 * usage: corrupt OBJECT...
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "object.h"

enum expect {
	EXPECT_ANY,  /* an error or a successful load, both cleanly */
	EXPECT_FAIL,
	EXPECT_LOAD,
};

static unsigned int passed, failed;
static unsigned int variants, rejected; /* of the current object, for its summary line */

/* What the loader logged for the current variant. */
static struct {
	const char *name;
	unsigned int errors, malformed;
	char first[256];
} logged;

static int capture_log(enum mhse_log_level level, const char *fmt, va_list args)
{
	char msg[1024];
	size_t len, prefix = strlen(logged.name);

	if (level != MHSE_LOG_ERROR)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, args);
	len = strlen(msg);
	if (!logged.errors++) {
		strncpy(logged.first, msg, sizeof(logged.first) - 1);
		logged.first[sizeof(logged.first) - 1] = '\0';
	}
	/* "NAME: problem\n", one line */
	if (strncmp(msg, logged.name, prefix) != 0 || strncmp(msg + prefix, ": ", 2) != 0 || !len ||
	    msg[len - 1] != '\n' || strchr(msg, '\n') != msg + len - 1)
		logged.malformed++;
	return 0;
}

static void run_variant(const char *object, const char *what, const uint8_t *image, size_t size, enum expect expect)
{
	static const char *const expect_names[] = { "either", "an error", "a load" };
	struct mhse_object *obj = (struct mhse_object *)1;
	char name[256];
	uint8_t *copy = malloc(size ? size : 1);
	const char *problem = NULL;
	int err;

	if (!copy) {
		printf("%s: out of memory\n", object);
		failed++;
		return;
	}
	/* An exact-size copy, so that a read past the end is one ASan sees. */
	memcpy(copy, image, size);
	snprintf(name, sizeof(name), "%s[%s]", object, what);
	logged.name = name;
	logged.errors = logged.malformed = 0;
	logged.first[0] = '\0';
	err = mhse_object__open_mem(copy, size, name, NULL, &obj);
	variants++;
	rejected += err != 0;
	if (err > 0)
		problem = "returned a positive value";
	else if (!err && !obj)
		problem = "succeeded without an object";
	else if (err && obj)
		problem = "failed but returned an object";
	else if (err && !logged.errors)
		problem = "failed without logging why";
	else if (logged.malformed)
		problem = "logged an error that is not one line 'NAME: problem'";
	else if ((expect == EXPECT_FAIL && !err) || (expect == EXPECT_LOAD && err))
		problem = "behaved unlike expected";
	if (problem) {
		printf("%s: %s (expected %s; err %d, first message: %s)\n", name, problem, expect_names[expect], err,
		       logged.first[0] ? logged.first : "none\n");
		failed++;
	} else {
		passed++;
	}
	if (!err)
		mhse_object__close(obj);
	free(copy);
}

/* A working copy of a valid image to damage. */
struct image {
	const char *object;
	const uint8_t *orig;
	size_t size;
	uint8_t *buf;
	Elf64_Ehdr ehdr;
};

static void reset(struct image *img)
{
	memcpy(img->buf, img->orig, img->size);
}

static void get(const struct image *img, size_t off, void *dst, size_t len)
{
	memcpy(dst, img->orig + off, len);
}

static void put(struct image *img, size_t off, const void *src, size_t len)
{
	if (off <= img->size && len <= img->size - off)
		memcpy(img->buf + off, src, len);
}

static void run(struct image *img, const char *what, enum expect expect)
{
	run_variant(img->object, what, img->buf, img->size, expect);
	reset(img);
}

static size_t shdr_off(const struct image *img, size_t i)
{
	return img->ehdr.e_shoff + i * sizeof(Elf64_Shdr);
}

static void get_shdr(const struct image *img, size_t i, Elf64_Shdr *shdr)
{
	get(img, shdr_off(img, i), shdr, sizeof(*shdr));
}

static const char *sec_name(const struct image *img, size_t i)
{
	Elf64_Shdr shdr, strtab;

	get_shdr(img, i, &shdr);
	get_shdr(img, img->ehdr.e_shstrndx, &strtab);
	return (const char *)img->orig + strtab.sh_offset + shdr.sh_name;
}

static void truncations(struct image *img)
{
	size_t step = img->size / 400 + 1;
	char what[64];

	for (size_t len = 0; len < img->size; len += len < 256 ? 1 : step) {
		/* Up to the end of the section header table the object cannot be read. */
		enum expect expect = len < img->ehdr.e_shoff + img->ehdr.e_shnum * sizeof(Elf64_Shdr) ? EXPECT_FAIL :
												  EXPECT_ANY;

		snprintf(what, sizeof(what), "truncated to %zu", len);
		run_variant(img->object, what, img->orig, len, expect);
	}
}

static void not_elf(struct image *img)
{
	static const uint8_t text[] = "SEC(\"xdp\") int prog(void) { return 0; }";
	uint8_t noise[4096];
	uint32_t seed = 1;

	for (size_t i = 0; i < sizeof(noise); i++) {
		seed = seed * 1103515245 + 12345;
		noise[i] = (uint8_t)(seed >> 16);
	}
	run_variant(img->object, "text", text, sizeof(text), EXPECT_FAIL);
	run_variant(img->object, "noise", noise, sizeof(noise), EXPECT_FAIL);
	run_variant(img->object, "ELF magic only", (const uint8_t *)ELFMAG, SELFMAG, EXPECT_FAIL);
	run_variant(img->object, "empty", img->orig, 0, EXPECT_FAIL);
}

#define EHDR_FIELD(field) offsetof(Elf64_Ehdr, field), sizeof(((Elf64_Ehdr *)0)->field)

static void ehdr_field(struct image *img, const char *what, size_t off, size_t len, uint64_t value,
		       enum expect expect)
{
	put(img, off, &value, len);
	run(img, what, expect);
}

static void ehdr_fields(struct image *img)
{
	uint8_t byte;
	Elf64_Shdr shdr;
	size_t symtab = 0;

	byte = ELFCLASS32;
	put(img, EI_CLASS, &byte, 1);
	run(img, "ELFCLASS32", EXPECT_FAIL);
	byte = ELFDATA2MSB;
	put(img, EI_DATA, &byte, 1);
	run(img, "big-endian", EXPECT_FAIL);
	ehdr_field(img, "EM_X86_64", EHDR_FIELD(e_machine), EM_X86_64, EXPECT_FAIL);
	ehdr_field(img, "EM_NONE", EHDR_FIELD(e_machine), EM_NONE, EXPECT_LOAD);
	ehdr_field(img, "ET_EXEC", EHDR_FIELD(e_type), ET_EXEC, EXPECT_FAIL);
	ehdr_field(img, "e_shentsize 40", EHDR_FIELD(e_shentsize), 40, EXPECT_FAIL);
	ehdr_field(img, "e_shoff at the end", EHDR_FIELD(e_shoff), img->size, EXPECT_FAIL);
	ehdr_field(img, "e_shoff huge", EHDR_FIELD(e_shoff), UINT64_MAX - 63, EXPECT_FAIL);
	ehdr_field(img, "e_shoff misaligned", EHDR_FIELD(e_shoff), img->ehdr.e_shoff + 1, EXPECT_ANY);
	ehdr_field(img, "e_shnum huge", EHDR_FIELD(e_shnum), 0xfeff, EXPECT_FAIL);
	ehdr_field(img, "e_shnum 0", EHDR_FIELD(e_shnum), 0, EXPECT_FAIL);
	ehdr_field(img, "e_shnum 1", EHDR_FIELD(e_shnum), 1, EXPECT_FAIL);
	ehdr_field(img, "e_shstrndx out of range", EHDR_FIELD(e_shstrndx), img->ehdr.e_shnum, EXPECT_FAIL);
	ehdr_field(img, "e_shstrndx 0", EHDR_FIELD(e_shstrndx), 0, EXPECT_FAIL);
	ehdr_field(img, "e_shstrndx SHN_XINDEX", EHDR_FIELD(e_shstrndx), SHN_XINDEX, EXPECT_FAIL);
	for (size_t i = 0; i < img->ehdr.e_shnum; i++) {
		get_shdr(img, i, &shdr);
		if (shdr.sh_type == SHT_SYMTAB)
			symtab = i;
	}
	ehdr_field(img, "e_shstrndx names the symbol table", EHDR_FIELD(e_shstrndx), symtab, EXPECT_FAIL);
}

#define SHDR_FIELD(field) offsetof(Elf64_Shdr, field), sizeof(((Elf64_Shdr *)0)->field)

/* Writes value over len bytes at off and runs the variant as "where: what". */
static void damage(struct image *img, const char *where, const char *what, size_t off, size_t len, uint64_t value)
{
	char desc[160];

	snprintf(desc, sizeof(desc), "%s: %s", where, what);
	put(img, off, &value, len);
	run(img, desc, EXPECT_ANY);
}

static void shdr_field(struct image *img, size_t sec, const char *what, size_t off, size_t len, uint64_t value)
{
	char where[96];

	snprintf(where, sizeof(where), "section %zu %s", sec, sec_name(img, sec));
	damage(img, where, what, shdr_off(img, sec) + off, len, value);
}

static void shdr_fields(struct image *img)
{
	for (size_t i = 0; i < img->ehdr.e_shnum; i++) {
		Elf64_Shdr shdr;

		get_shdr(img, i, &shdr);
		shdr_field(img, i, "sh_offset at the end", SHDR_FIELD(sh_offset), img->size);
		shdr_field(img, i, "sh_offset huge", SHDR_FIELD(sh_offset), UINT64_MAX - 2);
		shdr_field(img, i, "sh_offset + 1", SHDR_FIELD(sh_offset), shdr.sh_offset + 1);
		shdr_field(img, i, "sh_size + 1", SHDR_FIELD(sh_size), shdr.sh_size + 1);
		shdr_field(img, i, "sh_size - 1", SHDR_FIELD(sh_size), shdr.sh_size ? shdr.sh_size - 1 : 0);
		shdr_field(img, i, "sh_size huge", SHDR_FIELD(sh_size), UINT64_MAX);
		shdr_field(img, i, "sh_name huge", SHDR_FIELD(sh_name), 0xfffffff0);
		shdr_field(img, i, "sh_link out of range", SHDR_FIELD(sh_link), 0xffff);
		shdr_field(img, i, "sh_info out of range", SHDR_FIELD(sh_info), 0xffff);
		shdr_field(img, i, "sh_info 0", SHDR_FIELD(sh_info), 0);
		shdr_field(img, i, "sh_entsize 1", SHDR_FIELD(sh_entsize), 1);
		shdr_field(img, i, "SHT_NOBITS", SHDR_FIELD(sh_type), SHT_NOBITS);
		shdr_field(img, i, "SHT_RELA", SHDR_FIELD(sh_type), SHT_RELA);
		shdr_field(img, i, "SHT_SYMTAB", SHDR_FIELD(sh_type), SHT_SYMTAB);
		shdr_field(img, i, "SHF_EXECINSTR flipped", SHDR_FIELD(sh_flags), shdr.sh_flags ^ SHF_EXECINSTR);
	}
}

/* Calls fn for each entry of each section of type type (at most max per section). */
static void for_each_entry(struct image *img, uint32_t type, size_t max,
			   void (*fn)(struct image *img, size_t sec, size_t off, size_t idx))
{
	for (size_t i = 0; i < img->ehdr.e_shnum; i++) {
		Elf64_Shdr shdr;

		get_shdr(img, i, &shdr);
		if (shdr.sh_type != type || !shdr.sh_entsize)
			continue;
		for (size_t k = 0; k < shdr.sh_size / shdr.sh_entsize && k < max; k++)
			fn(img, i, shdr.sh_offset + k * shdr.sh_entsize, k);
	}
}

#define SYM_FIELD(field) off + offsetof(Elf64_Sym, field), sizeof(((Elf64_Sym *)0)->field)
#define REL_FIELD(field) off + offsetof(Elf64_Rel, field), sizeof(((Elf64_Rel *)0)->field)

static void damage_symbol(struct image *img, size_t sec, size_t off, size_t idx)
{
	Elf64_Sym sym;
	char where[32];

	(void)sec;
	get(img, off, &sym, sizeof(sym));
	snprintf(where, sizeof(where), "symbol %zu", idx);
	damage(img, where, "st_shndx out of range", SYM_FIELD(st_shndx), img->ehdr.e_shnum + 3);
	damage(img, where, "st_shndx SHN_ABS", SYM_FIELD(st_shndx), SHN_ABS);
	damage(img, where, "st_shndx SHN_UNDEF", SYM_FIELD(st_shndx), SHN_UNDEF);
	damage(img, where, "st_shndx 1", SYM_FIELD(st_shndx), 1);
	damage(img, where, "st_value huge", SYM_FIELD(st_value), UINT64_MAX - 7);
	damage(img, where, "st_value + 1", SYM_FIELD(st_value), sym.st_value + 1);
	damage(img, where, "st_value + 8", SYM_FIELD(st_value), sym.st_value + 8);
	damage(img, where, "st_size huge", SYM_FIELD(st_size), UINT64_MAX);
	damage(img, where, "st_name huge", SYM_FIELD(st_name), 0xfffffff0);
	damage(img, where, "STT_FUNC", SYM_FIELD(st_info), ELF64_ST_INFO(STB_GLOBAL, STT_FUNC));
	damage(img, where, "STT_SECTION", SYM_FIELD(st_info), ELF64_ST_INFO(STB_LOCAL, STT_SECTION));
}

static void damage_rel(struct image *img, size_t sec, size_t off, size_t idx)
{
	Elf64_Rel rel;
	char where[128];
	uint64_t sym, type;

	get(img, off, &rel, sizeof(rel));
	sym = ELF64_R_SYM(rel.r_info);
	type = ELF64_R_TYPE(rel.r_info);
	snprintf(where, sizeof(where), "relocation %zu of %s", idx, sec_name(img, sec));
	damage(img, where, "r_sym out of range", REL_FIELD(r_info), ELF64_R_INFO(0xffffff, type));
	damage(img, where, "r_sym 0", REL_FIELD(r_info), ELF64_R_INFO(0, type));
	damage(img, where, "r_sym + 1", REL_FIELD(r_info), ELF64_R_INFO(sym + 1, type));
	damage(img, where, "r_type ABS32", REL_FIELD(r_info), ELF64_R_INFO(sym, 3));
	damage(img, where, "r_offset + 1", REL_FIELD(r_offset), rel.r_offset + 1);
	damage(img, where, "r_offset + 8", REL_FIELD(r_offset), rel.r_offset + 8);
	damage(img, where, "r_offset huge", REL_FIELD(r_offset), UINT64_MAX - 7);
}

/* .BTF and .BTF.ext: every header word zeroed, maximal and off by one; the leading bytes flipped. */
static void damage_btf(struct image *img)
{
	for (size_t i = 0; i < img->ehdr.e_shnum; i++) {
		const char *name = sec_name(img, i);
		Elf64_Shdr shdr;
		char desc[128];

		if (strcmp(name, ".BTF") && strcmp(name, ".BTF.ext"))
			continue;
		get_shdr(img, i, &shdr);
		for (size_t w = 0; w < 32 && w + 4 <= shdr.sh_size; w += 4) {
			static const uint32_t values[] = { 0, 0xffffffff, 0x7fffffff, 1, 0x20, 0x1000 };
			uint32_t orig;

			get(img, shdr.sh_offset + w, &orig, sizeof(orig));
			for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
				snprintf(desc, sizeof(desc), "%s header word %zu = %#x", name, w / 4, values[v]);
				put(img, shdr.sh_offset + w, &values[v], sizeof(values[v]));
				run(img, desc, EXPECT_ANY);
			}
			orig += 4;
			snprintf(desc, sizeof(desc), "%s header word %zu + 4", name, w / 4);
			put(img, shdr.sh_offset + w, &orig, sizeof(orig));
			run(img, desc, EXPECT_ANY);
		}
		for (size_t b = 0; b < 96 && b < shdr.sh_size; b++) {
			uint8_t byte = img->orig[shdr.sh_offset + b] ^ 0xff;

			snprintf(desc, sizeof(desc), "%s byte %zu flipped", name, b);
			put(img, shdr.sh_offset + b, &byte, 1);
			run(img, desc, EXPECT_ANY);
		}
	}
}

static void random_flips(struct image *img, unsigned int rounds)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ img->size;
	char desc[64];

	for (unsigned int r = 0; r < rounds; r++) {
		unsigned int flips = 1 + r % 4;

		for (unsigned int f = 0; f < flips; f++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			img->buf[seed % img->size] ^= (uint8_t)(1u << (seed >> 32) % 8);
		}
		snprintf(desc, sizeof(desc), "random flips #%u", r);
		run(img, desc, EXPECT_ANY);
	}
}

static int load_file(const char *path, uint8_t **buf, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*size = (size_t)len;
	*buf = malloc(*size ? *size : 1);
	if (!*buf || fread(*buf, 1, *size, f) != *size) {
		free(*buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	mhse_set_log(capture_log);
	for (int i = 1; i < argc; i++) {
		struct image img = { .object = argv[i] };
		uint8_t *orig;
		int err = load_file(argv[i], &orig, &img.size);

		if (err || img.size < sizeof(img.ehdr)) {
			printf("%s: cannot read a valid object\n", argv[i]);
			failed++;
			continue;
		}
		img.orig = orig;
		img.buf = malloc(img.size);
		if (!img.buf)
			return 1;
		memcpy(&img.ehdr, orig, sizeof(img.ehdr));
		variants = rejected = 0;
		reset(&img);
		run(&img, "unchanged", EXPECT_LOAD);
		truncations(&img);
		not_elf(&img);
		ehdr_fields(&img);
		shdr_fields(&img);
		for_each_entry(&img, SHT_SYMTAB, 1000, damage_symbol);
		for_each_entry(&img, SHT_REL, 40, damage_rel);
		damage_btf(&img);
		random_flips(&img, 1500);
		printf("%s: %u variants, %u rejected, %u loaded\n", argv[i], variants, rejected, variants - rejected);
		free(img.buf);
		free(orig);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
