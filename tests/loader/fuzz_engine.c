// SPDX-License-Identifier: MIT
/*
 * The engine's fuzzer: real objects with their instructions or sections
 * damaged, loaded, checked and explored end to end (engine, self-check,
 * test and coverage writers) with a tiny budget each, until a total time
 * runs out. Bad input must end as a clean refusal (the loader's error, the
 * verifier's structural check, an error or unsupported path); under ASan and
 * UBSan, anything else (a crash in mhse or inside Z3, a read out of bounds,
 * undefined behaviour) aborts the test.
 *
 * One mutation per variant, chosen by a fixed-seed generator so that a run
 * is reproducible (the failing round is printed before it runs):
 *   - one field of one instruction of a code section: the opcode (any byte,
 *     or a valid opcode of another class), a register, the offset or the
 *     immediate (values at the edges the verifier checks: widths 8/16/32/64,
 *     0, 1, -1, the limits of the type);
 *   - a few random bytes anywhere in the file (maps, BTF, relocations,
 *     data), as the objects in ../shared/repro were made.
 * Each variant's programs run under the hook their section names, XDP for
 * the others.
 *
 * usage: fuzz_engine SECONDS OBJECT...
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "explore.h"
#include "hook.h"
#include "log.h"
#include "object.h"

#define BUDGET_PATHS 12
#define BUDGET_INSNS 4000
#define BUDGET_SECONDS 0.05
#define PROGS_PER_VARIANT 2

struct image {
	const char *path;
	uint8_t *orig, *buf;
	size_t size;
	size_t code_off[64], code_size[64]; /* executable sections */
	size_t code_cnt;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int drop_log(enum mhse_log_level level, const char *fmt, va_list args)
{
	char msg[512];

	(void)level;
	return vsnprintf(msg, sizeof(msg), fmt, args);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_image(const char *path, struct image *img)
{
	FILE *f = fopen(path, "rb");
	const Elf64_Ehdr *eh;
	long size;

	if (!f)
		return -errno;
	img->path = path;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < (long)sizeof(*eh) || fseek(f, 0, SEEK_SET) ||
	    !(img->orig = malloc((size_t)size)) || !(img->buf = malloc((size_t)size)) ||
	    fread(img->orig, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	img->size = (size_t)size;
	eh = (const Elf64_Ehdr *)img->orig;
	for (size_t i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = (const Elf64_Shdr *)(img->orig + eh->e_shoff + i * eh->e_shentsize);

		if ((uint8_t *)(sh + 1) > img->orig + img->size)
			break;
		if (sh->sh_type == SHT_PROGBITS && (sh->sh_flags & SHF_EXECINSTR) && sh->sh_size >= 8 &&
		    sh->sh_offset + sh->sh_size <= img->size && img->code_cnt < 64) {
			img->code_off[img->code_cnt] = sh->sh_offset;
			img->code_size[img->code_cnt++] = sh->sh_size;
		}
	}
	return 0;
}

/* Values at the edges of what the verifier's checks accept. */
static int64_t edge_value(void)
{
	static const int64_t edges[] = { 0, 1, -1, 2, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 4096,
					 32767, -32768, 0x7fffffff, -0x7fffffff - 1, 0x10000, 20992, 25856 };

	return rng() % 3 ? edges[rng() % (sizeof(edges) / sizeof(edges[0]))] : (int64_t)(int32_t)rng();
}

/* Damages one field of one instruction; describes it in what. */
static void mutate_insn(struct image *img, char *what, size_t len)
{
	static const uint8_t classes[] = { BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP, BPF_JMP32, BPF_ALU64 };
	size_t sec = rng() % img->code_cnt;
	size_t idx = rng() % (img->code_size[sec] / sizeof(struct bpf_insn));
	struct bpf_insn insn;
	uint8_t *at = img->buf + img->code_off[sec] + idx * sizeof(insn);
	int64_t v = edge_value();

	memcpy(&insn, at, sizeof(insn));
	switch (rng() % 6) {
	case 0:
		insn.code = (uint8_t)rng();
		break;
	case 1:
		/* keep the operation, move it to another class (ALU to ALU64, JMP to JMP32, ...) */
		insn.code = (uint8_t)((insn.code & ~7) | classes[rng() % 8]);
		break;
	case 2:
		insn.dst_reg = (uint8_t)(rng() & 15);
		break;
	case 3:
		insn.src_reg = (uint8_t)(rng() & 15);
		break;
	case 4:
		insn.off = (int16_t)v;
		break;
	default:
		insn.imm = (int32_t)v;
		break;
	}
	memcpy(at, &insn, sizeof(insn));
	snprintf(what, len, "insn %zu of code section %zu: %02x %x %x %d %d", idx, sec, insn.code, insn.dst_reg,
		 insn.src_reg, insn.off, insn.imm);
}

static void mutate_bytes(struct image *img, char *what, size_t len)
{
	unsigned n = 1 + (unsigned)(rng() % 4);
	int used = snprintf(what, len, "bytes");

	for (unsigned i = 0; i < n; i++) {
		size_t off = rng() % img->size;

		img->buf[off] = (uint8_t)rng();
		if (used > 0 && (size_t)used < len)
			used += snprintf(what + used, len - (size_t)used, " %zu=%02x", off, img->buf[off]);
	}
}

struct counts {
	unsigned variants, not_loaded, rejected, explored, no_hook;
	uint64_t paths, mismatches;
};

static void explore(const struct mhse_object *obj, const struct mhse_prog *prog, const char *out_dir,
		    struct counts *c)
{
	struct explore_opts xo = {
		.engine = { .policy = POLICY_CONSISTENT, .search = SEARCH_DFS, .max_time_s = BUDGET_SECONDS,
			    .max_paths = BUDGET_PATHS, .max_insns = BUDGET_INSNS },
		.out_dir = out_dir,
	};
	struct run_stats stats = { 0 };
	struct mhse_hook *hook;

	if (prog->rejected) {
		c->rejected++;
		return;
	}
	if (mhse_hook__load(prog->hook ? prog->hook : "xdp", &hook)) {
		c->no_hook++;
		return;
	}
	if (!mhse_explore(obj, prog, hook, &xo, &stats)) {
		c->explored++;
		c->paths += stats.paths;
		c->mismatches += stats.self_check_mismatches;
	}
	run_stats__free(&stats);
	mhse_hook__free(hook);
}

int main(int argc, char **argv)
{
	struct image *imgs;
	struct counts c = { 0 };
	char out_dir[] = "/tmp/mhse-fuzz-engine-XXXXXX", cmd[64];
	double seconds, end;
	int n = argc - 2;

	if (argc < 3 || (seconds = strtod(argv[1], NULL)) <= 0) {
		fprintf(stderr, "usage: fuzz_engine SECONDS OBJECT...\n");
		return 2;
	}
	imgs = calloc((size_t)n, sizeof(*imgs));
	if (!imgs || !mkdtemp(out_dir))
		return 1;
	for (int i = 0; i < n; i++) {
		if (read_image(argv[i + 2], &imgs[i])) {
			fprintf(stderr, "%s: cannot read it\n", argv[i + 2]);
			return 1;
		}
	}
	mhse_set_log(drop_log);
	end = now_s() + seconds;
	for (unsigned round = 0; now_s() < end; round++) {
		struct image *img = &imgs[round % (unsigned)n];
		struct mhse_object *obj;
		char what[160];

		memcpy(img->buf, img->orig, img->size);
		if (img->code_cnt && rng() % 4)
			mutate_insn(img, what, sizeof(what));
		else
			mutate_bytes(img, what, sizeof(what));
		/* the round that crashes is the last line printed */
		printf("round %u: %s: %s\n", round, img->path, what);
		fflush(stdout);
		c.variants++;
		if (mhse_object__open_mem(img->buf, img->size, img->path, NULL, &obj)) {
			c.not_loaded++;
			continue;
		}
		for (size_t k = 0; k < obj->prog_cnt && k < PROGS_PER_VARIANT; k++)
			explore(obj, &obj->progs[(rng() % obj->prog_cnt + k) % obj->prog_cnt], out_dir, &c);
		mhse_object__close(obj);
	}
	printf("%u variants of %d objects: %u not loaded; programs: %u refused by the structural check, %u explored "
	       "(%llu paths, %llu self-check mismatches), %u under no known hook; no crash\n",
	       c.variants, n, c.not_loaded, c.rejected, c.explored, (unsigned long long)c.paths,
	       (unsigned long long)c.mismatches, c.no_hook);
	for (int i = 0; i < n; i++) {
		free(imgs[i].orig);
		free(imgs[i].buf);
	}
	free(imgs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out_dir);
	return system(cmd) ? 1 : 0;
}
