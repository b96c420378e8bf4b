// SPDX-License-Identifier: MIT
/*
 * Assembler for the uBPF syntax of the conformance vectors.
 *
 * One pass over the lines emits instructions and records every label
 * reference; a second pass patches the references once all labels are known.
 * As in the assemblers the vectors were written for, "exit" is also an
 * implicit label naming the first exit instruction.
 *
 * The assembler only rejects what cannot be encoded: an unknown mnemonic, a
 * wrong operand count or kind, a number that does not fit its field, an
 * undefined label. Whether an encodable instruction is valid is insn_check's
 * question, so registers r11-r15 (which fit the 4-bit fields) assemble and
 * are rejected there.
 *
 * Numbers are decimal or 0x-hex with an optional sign. A number fits an
 * n-bit field when it is in the signed n-bit range, or when it is written as
 * unsigned hex of at most n bits: 0xffffffff is the 32-bit immediate -1, but
 * the decimal 2147483648 does not fit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "asm.h"
#include "insn.h"

#define MAX_ENCODABLE_REG 15
#define MAX_OPERANDS 4

enum asm_kind {
	ASM_ALU,   /* add dst, src|imm */
	ASM_NEG,   /* neg dst */
	ASM_END,   /* be16 dst */
	ASM_MOVSX, /* movsx832 dst, src */
	ASM_LDX,   /* ldxw dst, [src+off] */
	ASM_ST,    /* stw [dst+off], imm */
	ASM_STX,   /* stxw [dst+off], src */
	ASM_LDDW,  /* lddw dst, imm64 */
	ASM_JA,    /* ja target */
	ASM_JCOND, /* jeq dst, src|imm, target */
	ASM_CALL,  /* call imm, call %rN, call local target */
	ASM_EXIT,
	ASM_LOCK,  /* lock [fetch] op[32] [dst+off], src */
};

struct asm_mnemonic {
	const char *name;
	uint8_t kind; /* enum asm_kind */
	uint8_t code; /* opcode, without the source bit where operands choose it */
	int16_t off;
	int32_t imm;
};

static const struct asm_mnemonic fixed_mnemonics[] = {
	{ "ldxb", ASM_LDX, BPF_LDX | BPF_MEM | BPF_B, 0, 0 },
	{ "ldxh", ASM_LDX, BPF_LDX | BPF_MEM | BPF_H, 0, 0 },
	{ "ldxw", ASM_LDX, BPF_LDX | BPF_MEM | BPF_W, 0, 0 },
	{ "ldxdw", ASM_LDX, BPF_LDX | BPF_MEM | BPF_DW, 0, 0 },
	{ "ldxsb", ASM_LDX, BPF_LDX | BPF_MEMSX | BPF_B, 0, 0 },
	{ "ldxsh", ASM_LDX, BPF_LDX | BPF_MEMSX | BPF_H, 0, 0 },
	{ "ldxsw", ASM_LDX, BPF_LDX | BPF_MEMSX | BPF_W, 0, 0 },
	{ "stb", ASM_ST, BPF_ST | BPF_MEM | BPF_B, 0, 0 },
	{ "sth", ASM_ST, BPF_ST | BPF_MEM | BPF_H, 0, 0 },
	{ "stw", ASM_ST, BPF_ST | BPF_MEM | BPF_W, 0, 0 },
	{ "stdw", ASM_ST, BPF_ST | BPF_MEM | BPF_DW, 0, 0 },
	{ "stxb", ASM_STX, BPF_STX | BPF_MEM | BPF_B, 0, 0 },
	{ "stxh", ASM_STX, BPF_STX | BPF_MEM | BPF_H, 0, 0 },
	{ "stxw", ASM_STX, BPF_STX | BPF_MEM | BPF_W, 0, 0 },
	{ "stxdw", ASM_STX, BPF_STX | BPF_MEM | BPF_DW, 0, 0 },
	{ "le16", ASM_END, BPF_ALU | BPF_END | BPF_TO_LE, 0, 16 },
	{ "le32", ASM_END, BPF_ALU | BPF_END | BPF_TO_LE, 0, 32 },
	{ "le64", ASM_END, BPF_ALU | BPF_END | BPF_TO_LE, 0, 64 },
	{ "be16", ASM_END, BPF_ALU | BPF_END | BPF_TO_BE, 0, 16 },
	{ "be32", ASM_END, BPF_ALU | BPF_END | BPF_TO_BE, 0, 32 },
	{ "be64", ASM_END, BPF_ALU | BPF_END | BPF_TO_BE, 0, 64 },
	{ "swap16", ASM_END, BPF_ALU64 | BPF_END, 0, 16 },
	{ "swap32", ASM_END, BPF_ALU64 | BPF_END, 0, 32 },
	{ "swap64", ASM_END, BPF_ALU64 | BPF_END, 0, 64 },
	{ "bswap16", ASM_END, BPF_ALU64 | BPF_END, 0, 16 },
	{ "bswap32", ASM_END, BPF_ALU64 | BPF_END, 0, 32 },
	{ "bswap64", ASM_END, BPF_ALU64 | BPF_END, 0, 64 },
	{ "movsx832", ASM_MOVSX, BPF_ALU | BPF_MOV | BPF_X, 8, 0 },
	{ "movsx1632", ASM_MOVSX, BPF_ALU | BPF_MOV | BPF_X, 16, 0 },
	{ "movsx864", ASM_MOVSX, BPF_ALU64 | BPF_MOV | BPF_X, 8, 0 },
	{ "movsx1664", ASM_MOVSX, BPF_ALU64 | BPF_MOV | BPF_X, 16, 0 },
	{ "movsx3264", ASM_MOVSX, BPF_ALU64 | BPF_MOV | BPF_X, 32, 0 },
	{ "lddw", ASM_LDDW, BPF_LD | BPF_IMM | BPF_DW, 0, 0 },
	{ "ja", ASM_JA, BPF_JMP | BPF_JA, 0, 0 },
	{ "ja32", ASM_JA, BPF_JMP32 | BPF_JA, 0, 0 },
	{ "call", ASM_CALL, BPF_JMP | BPF_CALL, 0, 0 },
	{ "exit", ASM_EXIT, BPF_JMP | BPF_EXIT, 0, 0 },
	{ "lock", ASM_LOCK, BPF_STX | BPF_ATOMIC, 0, 0 },
};

/* Operation names. ALU and jump mnemonics add "32" for the 32-bit class (ALU
 * also takes "64"), lock operations "32" for a word access; off selects sdiv
 * and smod. */
static const struct asm_op {
	const char *name;
	uint8_t op;
	int16_t off;
} alu_ops[] = {
	{ "add", BPF_ADD, 0 },   { "sub", BPF_SUB, 0 },   { "mul", BPF_MUL, 0 },   { "div", BPF_DIV, 0 },
	{ "sdiv", BPF_DIV, 1 },  { "or", BPF_OR, 0 },     { "and", BPF_AND, 0 },   { "lsh", BPF_LSH, 0 },
	{ "rsh", BPF_RSH, 0 },   { "arsh", BPF_ARSH, 0 }, { "neg", BPF_NEG, 0 },   { "mod", BPF_MOD, 0 },
	{ "smod", BPF_MOD, 1 },  { "xor", BPF_XOR, 0 },   { "mov", BPF_MOV, 0 },
}, jmp_ops[] = {
	{ "jeq", BPF_JEQ, 0 },   { "jgt", BPF_JGT, 0 },   { "jge", BPF_JGE, 0 },   { "jset", BPF_JSET, 0 },
	{ "jne", BPF_JNE, 0 },   { "jsgt", BPF_JSGT, 0 }, { "jsge", BPF_JSGE, 0 }, { "jlt", BPF_JLT, 0 },
	{ "jle", BPF_JLE, 0 },   { "jslt", BPF_JSLT, 0 }, { "jsle", BPF_JSLE, 0 },
}, lock_ops[] = {
	{ "add", BPF_ADD, 0 },   { "or", BPF_OR, 0 },     { "and", BPF_AND, 0 },   { "xor", BPF_XOR, 0 },
	{ "xchg", BPF_XCHG, 0 }, { "cmpxchg", BPF_CMPXCHG, 0 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct asm_label {
	char *name;
	size_t idx;
};

/* A label reference to patch: into off, or into imm (ja32, call local). */
struct asm_fixup {
	char *label;
	size_t idx;
	unsigned line;
	bool in_imm;
};

struct asm_state {
	struct bpf_insn *insns;
	size_t cnt, cap;
	struct asm_label *labels;
	size_t label_cnt, label_cap;
	struct asm_fixup *fixups;
	size_t fixup_cnt, fixup_cap;
	bool have_exit;
	size_t first_exit;
	unsigned line;
	char *err;
	size_t err_len;
};

__attribute__((format(printf, 2, 3))) static int asm_error(struct asm_state *st, const char *fmt, ...)
{
	char why[192];
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	if (st->err && st->err_len)
		snprintf(st->err, st->err_len, "line %u: %s", st->line, why);
	return -EINVAL;
}

/* arr with room for need elements: arr itself or a reallocation of it, or
 * NULL (arr untouched) when out of memory. */
static void *grow(void *arr, size_t *cap, size_t need, size_t elem_size)
{
	size_t new_cap;
	void *p;

	if (need <= *cap)
		return arr;
	new_cap = *cap ? *cap * 2 : 16;
	p = realloc(arr, new_cap * elem_size);
	if (p)
		*cap = new_cap;
	return p;
}

static int emit(struct asm_state *st, struct bpf_insn insn)
{
	struct bpf_insn *insns = grow(st->insns, &st->cap, st->cnt + 1, sizeof(insn));

	if (!insns)
		return -ENOMEM;
	st->insns = insns;
	st->insns[st->cnt++] = insn;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Splits off the next whitespace-delimited word of *cursor. */
static char *next_word(char **cursor)
{
	char *word = *cursor, *end;

	while (isspace((unsigned char)*word))
		word++;
	end = word;
	while (*end && !isspace((unsigned char)*end))
		end++;
	*cursor = *end ? end + 1 : end;
	*end = '\0';
	return word;
}

static bool is_identifier(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_' && *s != '.')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return false;
	return true;
}

/* Parses text as a number that must fit a field of bits bits (see the note
 * at the top). *value gets the field's bit pattern, sign-extended. */
static int parse_number(struct asm_state *st, const char *text, unsigned bits, const char *what, int64_t *value)
{
	const char *p = text;
	bool negative = false, hex;
	uint64_t magnitude, signed_max = (UINT64_C(1) << (bits - 1)) - 1;
	char *end;

	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
	if (hex)
		p += 2;
	if (!isxdigit((unsigned char)*p) || (!hex && !isdigit((unsigned char)*p)))
		return asm_error(st, "invalid %s '%s'", what, text);
	errno = 0;
	magnitude = strtoull(p, &end, hex ? 16 : 10);
	if (*end)
		return asm_error(st, "invalid %s '%s'", what, text);
	if (errno == ERANGE || (negative && magnitude > signed_max + 1) ||
	    (!negative && !hex && magnitude > signed_max) ||
	    (!negative && hex && bits < 64 && magnitude >> bits))
		return asm_error(st, "%s %s does not fit in %u bits", what, text, bits);
	if (negative)
		*value = -(int64_t)(magnitude - 1) - 1; /* no overflow at the most negative value */
	else if (bits < 64 && magnitude > signed_max)
		*value = (int64_t)(magnitude - (UINT64_C(1) << bits));
	else
		*value = (int64_t)magnitude;
	return 0;
}

static int parse_register(struct asm_state *st, const char *text, uint8_t *reg)
{
	char *end;
	unsigned long n;

	if (text[0] != '%' || text[1] != 'r' || !isdigit((unsigned char)text[2]))
		return asm_error(st, "invalid register '%s'", text);
	n = strtoul(text + 2, &end, 10);
	if (*end || n > MAX_ENCODABLE_REG)
		return asm_error(st, "invalid register '%s'", text);
	*reg = (uint8_t)n;
	return 0;
}

static bool is_register(const char *text)
{
	return text[0] == '%';
}

/* "[%r1+12]", "[%r10-8]", "[%r1]" */
static int parse_memory(struct asm_state *st, char *text, uint8_t *reg, int16_t *off)
{
	size_t len = strlen(text);
	char *sign, *base;
	int64_t value = 0;
	int err;

	if (len < 2 || text[0] != '[' || text[len - 1] != ']')
		return asm_error(st, "expected a memory operand [%%rN+offset], got '%s'", text);
	text[len - 1] = '\0';
	base = text + 1;
	sign = strpbrk(base, "+-");
	if (sign) {
		char *offset = trim(sign + 1);
		char signed_offset[64];

		snprintf(signed_offset, sizeof(signed_offset), "%c%s", *sign, offset);
		*sign = '\0';
		err = parse_number(st, signed_offset, 16, "offset", &value);
		if (err)
			return err;
	}
	*off = (int16_t)value;
	return parse_register(st, trim(base), reg);
}

static int parse_imm32(struct asm_state *st, const char *text, int32_t *imm)
{
	int64_t value = 0;
	int err = parse_number(st, text, 32, "immediate", &value);

	*imm = (int32_t)value;
	return err;
}

/* A register into *src, or an immediate into insn->imm; sets BPF_X or BPF_K. */
static int parse_source(struct asm_state *st, const char *text, struct bpf_insn *insn, uint8_t *src)
{
	if (!is_register(text)) {
		insn->code |= BPF_K;
		return parse_imm32(st, text, &insn->imm);
	}
	insn->code |= BPF_X;
	return parse_register(st, text, src);
}

static int add_fixup(struct asm_state *st, const char *label, bool in_imm)
{
	struct asm_fixup *fixups = grow(st->fixups, &st->fixup_cap, st->fixup_cnt + 1, sizeof(*fixups));
	struct asm_fixup *fixup;

	if (!fixups)
		return -ENOMEM;
	st->fixups = fixups;
	fixup = &fixups[st->fixup_cnt];
	fixup->label = strdup(label);
	if (!fixup->label)
		return -ENOMEM;
	fixup->idx = st->cnt;
	fixup->line = st->line;
	fixup->in_imm = in_imm;
	st->fixup_cnt++;
	return 0;
}

/* "+3", "-1" or a label, for the instruction about to be emitted. */
static int parse_target(struct asm_state *st, const char *text, bool in_imm, struct bpf_insn *insn)
{
	int64_t value = 0;
	int err;

	if (text[0] != '+' && text[0] != '-') {
		if (!is_identifier(text))
			return asm_error(st, "invalid jump target '%s' (a label, or +N/-N)", text);
		return add_fixup(st, text, in_imm);
	}
	err = parse_number(st, text, in_imm ? 32 : 16, "jump offset", &value);
	if (in_imm)
		insn->imm = (int32_t)value;
	else
		insn->off = (int16_t)value;
	return err;
}

static int define_label(struct asm_state *st, const char *name)
{
	struct asm_label *labels;

	if (!is_identifier(name))
		return asm_error(st, "invalid label '%s'", name);
	for (size_t i = 0; i < st->label_cnt; i++)
		if (!strcmp(st->labels[i].name, name))
			return asm_error(st, "duplicate label '%s'", name);
	labels = grow(st->labels, &st->label_cap, st->label_cnt + 1, sizeof(*labels));
	if (!labels)
		return -ENOMEM;
	st->labels = labels;
	st->labels[st->label_cnt].name = strdup(name);
	if (!st->labels[st->label_cnt].name)
		return -ENOMEM;
	st->labels[st->label_cnt++].idx = st->cnt;
	return 0;
}

/* The mnemonic of an ALU or jump family ("add32", "jsgt"), built from the
 * tables above. */
static bool lookup_family(const char *name, struct asm_mnemonic *mn)
{
	char base[16];
	size_t len = strlen(name);
	bool is32 = len > 2 && !strcmp(name + len - 2, "32");
	bool is64 = len > 2 && !strcmp(name + len - 2, "64");

	if (len >= sizeof(base))
		return false;
	memcpy(base, name, len + 1);
	if (is32 || is64)
		base[len - 2] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(alu_ops); i++) {
		if (strcmp(base, alu_ops[i].name))
			continue;
		mn->kind = alu_ops[i].op == BPF_NEG ? ASM_NEG : ASM_ALU;
		mn->code = (is32 ? BPF_ALU : BPF_ALU64) | alu_ops[i].op;
		mn->off = alu_ops[i].off;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(jmp_ops) && !is64; i++) {
		if (strcmp(base, jmp_ops[i].name))
			continue;
		mn->kind = ASM_JCOND;
		mn->code = (is32 ? BPF_JMP32 : BPF_JMP) | jmp_ops[i].op;
		return true;
	}
	return false;
}

static bool lookup_mnemonic(const char *name, struct asm_mnemonic *mn)
{
	memset(mn, 0, sizeof(*mn));
	for (size_t i = 0; i < ARRAY_SIZE(fixed_mnemonics); i++) {
		if (!strcmp(name, fixed_mnemonics[i].name)) {
			*mn = fixed_mnemonics[i];
			return true;
		}
	}
	return lookup_family(name, mn);
}

static size_t split_operands(char *rest, char **operands)
{
	size_t n = 0;
	char *comma;

	rest = trim(rest);
	if (!*rest)
		return 0;
	for (;;) {
		comma = strchr(rest, ',');
		if (comma)
			*comma = '\0';
		if (n < MAX_OPERANDS)
			operands[n] = trim(rest);
		n++;
		if (!comma)
			return n;
		rest = comma + 1;
	}
}

static int expect_operands(struct asm_state *st, const char *name, size_t got, size_t want)
{
	if (got == want)
		return 0;
	return asm_error(st, "%s takes %zu operand%s, got %zu", name, want, want == 1 ? "" : "s", got);
}

/* "lock [fetch] op[32]": reads the words after "lock" from *rest. */
static int parse_lock(struct asm_state *st, char **rest, struct bpf_insn *insn, char *name, size_t name_len)
{
	char *word = next_word(rest);
	bool fetch = !strcmp(word, "fetch");
	size_t len;

	if (fetch)
		word = next_word(rest);
	if (!*word)
		return asm_error(st, "lock needs an operation: lock [fetch] op[32] [%%rN+offset], %%rM");
	snprintf(name, name_len, "lock %s%s", fetch ? "fetch " : "", word);
	len = strlen(word);
	if (len > 2 && !strcmp(word + len - 2, "32")) {
		word[len - 2] = '\0';
		insn->code |= BPF_W;
	} else {
		insn->code |= BPF_DW;
	}
	for (size_t i = 0; i < ARRAY_SIZE(lock_ops); i++) {
		if (strcmp(word, lock_ops[i].name))
			continue;
		if (fetch && (lock_ops[i].op & BPF_FETCH))
			return asm_error(st, "%s always fetches: write it without 'fetch'", word);
		insn->imm = lock_ops[i].op | (fetch ? BPF_FETCH : 0);
		return 0;
	}
	return asm_error(st, "invalid lock operation '%s' (add, and, or, xor, xchg or cmpxchg, optionally with 32)",
			 word);
}

static int parse_call(struct asm_state *st, char *rest, struct bpf_insn *insn)
{
	char *operands[MAX_OPERANDS];
	bool local;
	size_t n;
	int err;

	rest = trim(rest);
	local = !strncmp(rest, "local", 5) && (!rest[5] || isspace((unsigned char)rest[5]));
	n = split_operands(local ? rest + 5 : rest, operands);

	err = expect_operands(st, local ? "call local" : "call", n, 1);
	if (err)
		return err;
	if (local) {
		insn->src_reg = BPF_PSEUDO_CALL;
		return parse_target(st, operands[0], true, insn);
	}
	if (is_register(operands[0])) {
		uint8_t reg = 0;

		/* callx: the register is in dst_reg, as clang encodes it */
		insn->code |= BPF_X;
		err = parse_register(st, operands[0], &reg);
		insn->dst_reg = reg;
		return err;
	}
	return parse_imm32(st, operands[0], &insn->imm);
}

/* Operands of the forms that are not calls. */
static int encode(struct asm_state *st, const struct asm_mnemonic *mn, const char *name, char **op, size_t n,
		  struct bpf_insn *insn)
{
	static const size_t operand_count[] = {
		[ASM_ALU] = 2, [ASM_NEG] = 1, [ASM_END] = 1, [ASM_MOVSX] = 2, [ASM_LDX] = 2, [ASM_ST] = 2,
		[ASM_STX] = 2, [ASM_LDDW] = 2, [ASM_JA] = 1, [ASM_JCOND] = 3, [ASM_EXIT] = 0, [ASM_LOCK] = 2,
	};
	uint8_t dst = 0, src = 0;
	int64_t imm64 = 0;
	int err;

	err = expect_operands(st, name, n, operand_count[mn->kind]);
	if (err)
		return err;
	switch (mn->kind) {
	case ASM_ALU:
	case ASM_NEG:
	case ASM_END:
	case ASM_MOVSX:
	case ASM_JCOND:
		err = parse_register(st, op[0], &dst);
		if (!err && mn->kind == ASM_MOVSX)
			err = parse_register(st, op[1], &src);
		else if (!err && (mn->kind == ASM_ALU || mn->kind == ASM_JCOND))
			err = parse_source(st, op[1], insn, &src);
		if (!err && mn->kind == ASM_JCOND)
			err = parse_target(st, op[2], false, insn);
		break;
	case ASM_LDX:
		err = parse_register(st, op[0], &dst);
		if (!err)
			err = parse_memory(st, op[1], &src, &insn->off);
		break;
	case ASM_ST:
	case ASM_STX:
	case ASM_LOCK:
		err = parse_memory(st, op[0], &dst, &insn->off);
		if (!err && mn->kind == ASM_ST)
			err = parse_imm32(st, op[1], &insn->imm);
		else if (!err)
			err = parse_register(st, op[1], &src);
		break;
	case ASM_LDDW:
		err = parse_register(st, op[0], &dst);
		if (!err)
			err = parse_number(st, op[1], 64, "immediate", &imm64);
		if (!err)
			insn->imm = (int32_t)imm64;
		break;
	case ASM_JA:
		err = parse_target(st, op[0], insn->code == (BPF_JMP32 | BPF_JA), insn);
		break;
	}
	insn->dst_reg = dst;
	insn->src_reg = src;
	if (err || mn->kind != ASM_LDDW)
		return err;
	err = emit(st, *insn);
	*insn = (struct bpf_insn){ .imm = (int32_t)((uint64_t)imm64 >> 32) };
	return err;
}

static int assemble_line(struct asm_state *st, char *line)
{
	char *operands[MAX_OPERANDS], *rest = line, *word;
	char name[64];
	struct asm_mnemonic mn;
	struct bpf_insn insn = {};
	size_t len;
	int err = 0;

	word = next_word(&rest);
	len = strlen(word);
	if (len && word[len - 1] == ':') {
		word[len - 1] = '\0';
		err = define_label(st, word);
		if (err)
			return err;
		word = next_word(&rest);
	}
	if (!*word)
		return 0;
	if (!lookup_mnemonic(word, &mn))
		return asm_error(st, "invalid mnemonic '%s'", word);
	snprintf(name, sizeof(name), "%s", word);
	insn.code = mn.code;
	insn.off = mn.off;
	insn.imm = mn.imm;
	if (mn.kind == ASM_CALL) {
		err = parse_call(st, rest, &insn);
	} else {
		if (mn.kind == ASM_LOCK)
			err = parse_lock(st, &rest, &insn, name, sizeof(name));
		if (!err)
			err = encode(st, &mn, name, operands, split_operands(rest, operands), &insn);
	}
	if (err)
		return err;
	if (mn.kind == ASM_EXIT && !st->have_exit) {
		st->have_exit = true;
		st->first_exit = st->cnt;
	}
	return emit(st, insn);
}

static int resolve_fixups(struct asm_state *st)
{
	for (size_t i = 0; i < st->fixup_cnt; i++) {
		struct asm_fixup *fixup = &st->fixups[i];
		long target = -1, delta;

		for (size_t j = 0; j < st->label_cnt && target < 0; j++)
			if (!strcmp(st->labels[j].name, fixup->label))
				target = (long)st->labels[j].idx;
		if (target < 0 && st->have_exit && !strcmp(fixup->label, "exit"))
			target = (long)st->first_exit;
		st->line = fixup->line;
		if (target < 0)
			return asm_error(st, "undefined label '%s'", fixup->label);
		delta = target - (long)fixup->idx - 1;
		if (fixup->in_imm) {
			st->insns[fixup->idx].imm = (int32_t)delta;
		} else {
			if (delta < INT16_MIN || delta > INT16_MAX)
				return asm_error(st, "label '%s' is %ld instructions away, beyond a 16-bit jump offset",
						 fixup->label, delta);
			st->insns[fixup->idx].off = (int16_t)delta;
		}
	}
	return 0;
}

static void asm_state_free(struct asm_state *st)
{
	for (size_t i = 0; i < st->label_cnt; i++)
		free(st->labels[i].name);
	for (size_t i = 0; i < st->fixup_cnt; i++)
		free(st->fixups[i].label);
	free(st->labels);
	free(st->fixups);
	free(st->insns);
}

int asm_assemble(const char *text, struct bpf_insn **insns, size_t *cnt, char *err_buf, size_t err_len)
{
	struct asm_state st = { .err = err_buf, .err_len = err_len };
	char *copy = strdup(text), *line, *next;
	int err = 0;

	*insns = NULL;
	*cnt = 0;
	if (!copy)
		return -ENOMEM;
	for (line = copy; line && !err; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		st.line++;
		line[strcspn(line, "#")] = '\0';
		err = assemble_line(&st, line);
	}
	if (!err)
		err = resolve_fixups(&st);
	if (err == -ENOMEM && err_buf && err_len)
		snprintf(err_buf, err_len, "out of memory");
	free(copy);
	if (!err) {
		*insns = st.insns;
		*cnt = st.cnt;
		st.insns = NULL;
	}
	asm_state_free(&st);
	return err;
}
