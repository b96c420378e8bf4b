// SPDX-License-Identifier: MIT
/*
 * Instruction validation, disassembly and the helper name table.
 *
 * insn_check follows the kernel verifier's checks that need no data flow
 * (resolve_pseudo_ldimm64, check_subprogs and the per-class field checks of
 * do_check), extended to the RFC 9669 instruction set (ISA v4). Each
 * instruction is first decoded into a form: its name and how it uses each
 * field. One generic pass then enforces that unused fields are zero and used
 * registers are valid, so the reserved-field rules are not repeated per
 * class. A second pass splits the program into subprograms at local call and
 * function-reference targets, as the kernel does, and checks jump targets and
 * the fall-through at the end of each subprogram.
 *
 * Two kernel refusals are not encoding errors in insn_check: shifts by an
 * immediate outside [0, width) and division or modulo by an immediate zero.
 * RFC 9669 defines their results (sem.h computes them) and the conformance
 * vectors run them; they are the verifier's policy (check_alu_op), which
 * insn_check_load adds for programs meant to be loaded: what the kernel
 * would not load, mhse does not explore or run.
 *
 * insn_disasm prints llvm-objdump 14's BPF syntax: decimal signed immediates
 * and offsets, "r" registers for loads and stores. Where LLVM 14 has no
 * syntax it uses that of later LLVM releases (s/=, (s8), bswap16, *(s8 *),
 * gotol, may_goto). Choices of mhse's own, since objdump prints relocations
 * and symbol names mhse does not have at this level:
 *   call 1 <map_lookup_elem>     helper call, with the name when it is known
 *   call +3                      local call, pc-relative like a jump
 *   call kfunc 42                kfunc call by its imm (BTF id or extern index)
 *   callx r2                     indirect call, register in dst_reg
 *   r1 = map[3] ll               LD_IMM64 pseudo forms name the map, map value,
 *   r1 = map_value[3] + 8 ll     BTF id, extern or function by index or offset
 *   r1 = btf_id[7] ll            (map_fd[3] and map_value_fd[3] for the
 *   r1 = extern[2] ll            kernel's fd forms); callers that know the
 *   r1 = func +5 ll              names append them
 *   r0 = *(u8 *)skb[r2 + 4]      legacy LD_IND keeps the imm objdump drops
 *   lock *(u32 *)(r1 + 0) += w2  32-bit atomics use "w" registers, as objdump
 *                                does for alu32 objects
 * Jump targets are printed relative (goto +5), without objdump's <label>.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "insn.h"

#define MAX_REG BPF_REG_10

enum reg_use {
	REG_RESERVED, /* the field must be zero */
	REG_READ,
	REG_WRITE,
	REG_KIND,     /* not a register: a pseudo kind the decoder has checked */
};

/* How one instruction uses its fields. */
struct insn_form {
	char name[24];  /* as the conformance assembler spells it: "add32 imm", "lock fetch or" */
	uint8_t dst, src; /* enum reg_use */
	bool off_used, imm_used;
};

/* Per-instruction marks of the program-level pass. */
enum {
	SLOT_IMM64_HI = 1 << 0,   /* second slot of an LD_IMM64 */
	SLOT_SUBPROG_START = 1 << 1,
};

__attribute__((format(printf, 3, 4))) static int fail(char *msg, size_t msg_len, const char *fmt, ...)
{
	va_list args;

	if (msg && msg_len) {
		va_start(args, fmt);
		vsnprintf(msg, msg_len, fmt, args);
		va_end(args);
	}
	return -EINVAL;
}

static const char *const size_suffix[] = {
	[BPF_W >> 3] = "w", [BPF_H >> 3] = "h", [BPF_B >> 3] = "b", [BPF_DW >> 3] = "dw",
};

static const char *const alu_names[16] = {
	[BPF_ADD >> 4] = "add", [BPF_SUB >> 4] = "sub", [BPF_MUL >> 4] = "mul",
	[BPF_DIV >> 4] = "div", [BPF_OR >> 4] = "or",   [BPF_AND >> 4] = "and",
	[BPF_LSH >> 4] = "lsh", [BPF_RSH >> 4] = "rsh", [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "mod", [BPF_XOR >> 4] = "xor", [BPF_MOV >> 4] = "mov",
	[BPF_ARSH >> 4] = "arsh",
};

static const char *const jmp_names[16] = {
	[BPF_JEQ >> 4] = "jeq",   [BPF_JGT >> 4] = "jgt",   [BPF_JGE >> 4] = "jge",
	[BPF_JSET >> 4] = "jset", [BPF_JNE >> 4] = "jne",   [BPF_JSGT >> 4] = "jsgt",
	[BPF_JSGE >> 4] = "jsge", [BPF_JLT >> 4] = "jlt",   [BPF_JLE >> 4] = "jle",
	[BPF_JSLT >> 4] = "jslt", [BPF_JSLE >> 4] = "jsle",
};

static int unknown_opcode(const struct bpf_insn *insn, char *why, size_t len)
{
	return fail(why, len, "unknown opcode 0x%02x", insn->code);
}

static void form_set(struct insn_form *form, uint8_t dst, uint8_t src, bool off_used, bool imm_used)
{
	form->dst = dst;
	form->src = src;
	form->off_used = off_used;
	form->imm_used = imm_used;
}

static int decode_alu(const struct bpf_insn *insn, struct insn_form *form, char *why, size_t len)
{
	bool is64 = insn_class(insn) == BPF_ALU64;
	bool reg = BPF_SRC(insn->code) == BPF_X;
	uint8_t op = BPF_OP(insn->code);
	const char *width = is64 ? "" : "32";
	const char *name = alu_names[op >> 4];
	bool off_used = false;

	if (op == BPF_END) {
		/* In ALU the source bit picks le/be; ALU64 has only the unconditional swap. */
		const char *swap = is64 ? "bswap" : reg ? "be" : "le";

		if (is64 && reg)
			return unknown_opcode(insn, why, len);
		if (insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
			return fail(why, len, "invalid width %d in %s (must be 16, 32 or 64)", insn->imm, swap);
		snprintf(form->name, sizeof(form->name), "%s%d", swap, insn->imm);
		form_set(form, REG_WRITE, REG_RESERVED, false, true);
		return 0;
	}
	if (!name || (op == BPF_NEG && reg))
		return unknown_opcode(insn, why, len);
	if (op == BPF_NEG) {
		snprintf(form->name, sizeof(form->name), "neg%s", width);
		form_set(form, REG_WRITE, REG_RESERVED, false, false);
		return 0;
	}

	snprintf(form->name, sizeof(form->name), "%s%s %s", name, width, reg ? "reg" : "imm");
	if (op == BPF_DIV || op == BPF_MOD) {
		/* off 1 selects the signed variant (v4) */
		if (insn->off == 1)
			snprintf(form->name, sizeof(form->name), "s%s%s %s", name, width, reg ? "reg" : "imm");
		else if (insn->off)
			return fail(why, len, "invalid offset %d in %s (must be 0, or 1 for signed)", insn->off,
				    form->name);
		off_used = true;
	} else if (op == BPF_MOV && reg) {
		/* off is the sign-extension width of movsx (v4) */
		if (insn->off == 8 || insn->off == 16 || (is64 && insn->off == 32))
			snprintf(form->name, sizeof(form->name), "movsx%d%s", insn->off, is64 ? "64" : "32");
		else if (insn->off)
			return fail(why, len, "invalid sign-extension width %d in %s (must be %s)", insn->off,
				    form->name, is64 ? "0, 8, 16 or 32" : "0, 8 or 16");
		off_used = true;
	}
	form_set(form, REG_WRITE, reg ? REG_READ : REG_RESERVED, off_used, !reg);
	return 0;
}

static int decode_ld(const struct bpf_insn *insn, struct insn_form *form, char *why, size_t len)
{
	uint8_t mode = BPF_MODE(insn->code), size = BPF_SIZE(insn->code);

	if (insn_is_ld_imm64(insn)) {
		snprintf(form->name, sizeof(form->name), "lddw");
		form_set(form, REG_WRITE, REG_KIND, false, true);
		return 0;
	}
	/* Legacy packet loads: r0 = packet[imm] or packet[src + imm], implicitly. */
	if ((mode != BPF_ABS && mode != BPF_IND) || size == BPF_DW)
		return unknown_opcode(insn, why, len);
	snprintf(form->name, sizeof(form->name), "%s%s", mode == BPF_ABS ? "ldabs" : "ldind",
		 size_suffix[size >> 3]);
	form_set(form, REG_RESERVED, mode == BPF_IND ? REG_READ : REG_RESERVED, false, true);
	return 0;
}

/* BPF_STX | BPF_ATOMIC: the operation is in imm. */
static int decode_atomic(const struct bpf_insn *insn, struct insn_form *form, char *why, size_t len)
{
	const char *width = BPF_SIZE(insn->code) == BPF_W ? "32" : "";
	uint8_t src_use = REG_WRITE; /* a fetching atomic loads the old value into src */

	switch (insn->imm) {
	case BPF_ADD:
	case BPF_OR:
	case BPF_AND:
	case BPF_XOR:
		src_use = REG_READ;
		/* fall through */
	case BPF_ADD | BPF_FETCH:
	case BPF_OR | BPF_FETCH:
	case BPF_AND | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
		snprintf(form->name, sizeof(form->name), "lock %s%s%s", insn->imm & BPF_FETCH ? "fetch " : "",
			 alu_names[(insn->imm & ~BPF_FETCH) >> 4], width);
		break;
	case BPF_XCHG:
		snprintf(form->name, sizeof(form->name), "lock xchg%s", width);
		break;
	case BPF_CMPXCHG:
		/* compares with and loads into r0; src only supplies the new value */
		snprintf(form->name, sizeof(form->name), "lock cmpxchg%s", width);
		src_use = REG_READ;
		break;
	default:
		return fail(why, len, "invalid atomic operation 0x%x in lock%s", (unsigned)insn->imm, width);
	}
	form_set(form, REG_READ, src_use, true, true);
	return 0;
}

static int decode_mem(const struct bpf_insn *insn, struct insn_form *form, char *why, size_t len)
{
	uint8_t mode = BPF_MODE(insn->code), size = BPF_SIZE(insn->code);
	const char *suffix = size_suffix[size >> 3];

	switch (insn_class(insn)) {
	case BPF_LDX:
		if (mode != BPF_MEM && (mode != BPF_MEMSX || size == BPF_DW))
			return unknown_opcode(insn, why, len);
		snprintf(form->name, sizeof(form->name), "ldx%s%s", mode == BPF_MEMSX ? "s" : "", suffix);
		form_set(form, REG_WRITE, REG_READ, true, false);
		return 0;
	case BPF_ST:
		if (mode != BPF_MEM)
			return unknown_opcode(insn, why, len);
		snprintf(form->name, sizeof(form->name), "st%s", suffix);
		form_set(form, REG_READ, REG_RESERVED, true, true);
		return 0;
	default: /* BPF_STX */
		if (mode == BPF_ATOMIC && (size == BPF_W || size == BPF_DW))
			return decode_atomic(insn, form, why, len);
		if (mode != BPF_MEM)
			return unknown_opcode(insn, why, len);
		snprintf(form->name, sizeof(form->name), "stx%s", suffix);
		form_set(form, REG_READ, REG_READ, true, false);
		return 0;
	}
}

static int decode_jmp(const struct bpf_insn *insn, struct insn_form *form, char *why, size_t len)
{
	bool is32 = insn_class(insn) == BPF_JMP32;
	bool reg = BPF_SRC(insn->code) == BPF_X;
	uint8_t op = BPF_OP(insn->code);

	switch (op) {
	case BPF_JA:
		if (reg)
			return unknown_opcode(insn, why, len);
		/* JMP32 JA is gotol (v4): its target is in imm, wider than off. */
		snprintf(form->name, sizeof(form->name), "%s", is32 ? "ja32" : "ja");
		form_set(form, REG_RESERVED, REG_RESERVED, !is32, is32);
		return 0;
	case BPF_CALL:
		if (is32)
			return unknown_opcode(insn, why, len);
		if (reg) {
			/* callx: clang's indirect call, target register in dst_reg.
			 * The 6.1 verifier rejects it; mhse runs it (see interp.c). */
			snprintf(form->name, sizeof(form->name), "callx");
			form_set(form, REG_READ, REG_RESERVED, false, false);
			return 0;
		}
		switch (insn->src_reg) {
		case 0:
			snprintf(form->name, sizeof(form->name), "call");
			break;
		case BPF_PSEUDO_CALL:
			snprintf(form->name, sizeof(form->name), "call local");
			break;
		case BPF_PSEUDO_KFUNC_CALL:
			/* off selects the module BTF the kfunc's id belongs to */
			snprintf(form->name, sizeof(form->name), "call kfunc");
			form_set(form, REG_RESERVED, REG_KIND, true, true);
			return 0;
		default:
			return fail(why, len, "invalid call kind src_reg %u (0 helper, %d local, %d kfunc)",
				    insn->src_reg, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL);
		}
		form_set(form, REG_RESERVED, REG_KIND, false, true);
		return 0;
	case BPF_EXIT:
		if (is32 || reg)
			return unknown_opcode(insn, why, len);
		snprintf(form->name, sizeof(form->name), "exit");
		form_set(form, REG_RESERVED, REG_RESERVED, false, false);
		return 0;
	case BPF_JCOND:
		/* may_goto is the only JCOND; its kind BPF_MAY_GOTO is src_reg 0 */
		if (is32 || reg)
			return unknown_opcode(insn, why, len);
		snprintf(form->name, sizeof(form->name), "may_goto");
		form_set(form, REG_RESERVED, REG_RESERVED, true, false);
		return 0;
	}
	if (!jmp_names[op >> 4])
		return unknown_opcode(insn, why, len);
	snprintf(form->name, sizeof(form->name), "%s%s %s", jmp_names[op >> 4], is32 ? "32" : "",
		 reg ? "reg" : "imm");
	form_set(form, REG_READ, reg ? REG_READ : REG_RESERVED, true, !reg);
	return 0;
}

static int decode(const struct bpf_insn *insn, struct insn_form *form, char *why, size_t len)
{
	switch (insn_class(insn)) {
	case BPF_ALU:
	case BPF_ALU64:
		return decode_alu(insn, form, why, len);
	case BPF_LD:
		return decode_ld(insn, form, why, len);
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return decode_mem(insn, form, why, len);
	default: /* BPF_JMP, BPF_JMP32 */
		return decode_jmp(insn, form, why, len);
	}
}

static int check_reg(uint8_t use, uint8_t regno, const char *field, const char *name, char *why, size_t len)
{
	if (use == REG_RESERVED && regno)
		return fail(why, len, "reserved field %s must be 0 in %s", field, name);
	if ((use == REG_READ || use == REG_WRITE) && regno > MAX_REG)
		return fail(why, len, "invalid register r%u in %s %s", regno, name, field);
	if (use == REG_WRITE && regno == BPF_REG_10)
		return fail(why, len, "%s writes r10, the read-only frame pointer", name);
	return 0;
}

static int check_fields(const struct bpf_insn *insn, char *why, size_t len)
{
	struct insn_form form;
	int err;

	err = decode(insn, &form, why, len);
	if (err)
		return err;
	err = check_reg(form.dst, insn->dst_reg, "dst_reg", form.name, why, len);
	if (!err)
		err = check_reg(form.src, insn->src_reg, "src_reg", form.name, why, len);
	if (err)
		return err;
	if (!form.off_used && insn->off)
		return fail(why, len, "reserved field off must be 0 in %s", form.name);
	if (!form.imm_used && insn->imm)
		return fail(why, len, "reserved field imm must be 0 in %s", form.name);
	return 0;
}

static int check_ld_imm64(const struct bpf_insn *insns, size_t cnt, size_t i, char *why, size_t len)
{
	const struct bpf_insn *hi = &insns[i + 1];

	if (i + 1 == cnt)
		return fail(why, len, "lddw is missing its second slot");
	if (hi->code || hi->dst_reg || hi->src_reg || hi->off)
		return fail(why, len, "second slot of lddw must have code, dst_reg, src_reg and off 0");
	switch (insns[i].src_reg) {
	case 0:
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
	case BPF_PSEUDO_BTF_ID:
	case BPF_PSEUDO_FUNC:
	case MHSE_PSEUDO_EXTERN:
		return 0;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
		/* only the value forms carry an offset in the second imm */
		if (hi->imm)
			return fail(why, len, "reserved field imm of the second slot must be 0 in lddw of a map");
		return 0;
	default:
		return fail(why, len, "invalid pseudo source src_reg %u in lddw", insns[i].src_reg);
	}
}

/* The pc-relative target of a local call or function reference, or of a
 * jump; has_target false for everything else. */
static long insn_target(const struct bpf_insn *insn, size_t i, bool *is_jump, bool *has_target)
{
	uint8_t cls = insn_class(insn), op = BPF_OP(insn->code);

	*has_target = true;
	*is_jump = false;
	if (insn_is_ld_imm64(insn) && insn->src_reg == BPF_PSEUDO_FUNC)
		return (long)i + insn->imm + 1;
	if (cls == BPF_JMP && op == BPF_CALL && BPF_SRC(insn->code) == BPF_K && insn->src_reg == BPF_PSEUDO_CALL)
		return (long)i + insn->imm + 1;
	if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT) {
		*is_jump = true;
		return (long)i + (cls == BPF_JMP32 && op == BPF_JA ? insn->imm : insn->off) + 1;
	}
	*has_target = false;
	return 0;
}

bool insn_target_of(const struct bpf_insn *insn, size_t idx, long *target)
{
	bool is_jump, has_target;

	*target = insn_target(insn, idx, &is_jump, &has_target);
	return has_target;
}

int insn_retarget(struct bpf_insn *insn, size_t idx, long target)
{
	long rel = target - (long)idx - 1;
	uint8_t op = BPF_OP(insn->code);

	/* function references, local calls and JMP32's JA (gotol) hold it in imm */
	if (insn_is_ld_imm64(insn) || op == BPF_CALL || (insn_class(insn) == BPF_JMP32 && op == BPF_JA)) {
		insn->imm = (int32_t)rel;
		return 0;
	}
	if (rel < INT16_MIN || rel > INT16_MAX)
		return -E2BIG;
	insn->off = (int16_t)rel;
	return 0;
}

static bool is_terminal(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_EXIT) || insn->code == (BPF_JMP | BPF_JA) ||
	       insn->code == (BPF_JMP32 | BPF_JA);
}

/* Per-instruction fields, LD_IMM64 pairs, and the subprogram starts the
 * calls and function references name. */
static int check_insns(const struct bpf_insn *insns, size_t cnt, uint8_t *slots, size_t *bad_idx, char *msg,
		       size_t msg_len)
{
	char why[160];

	for (size_t i = 0; i < cnt; i++) {
		bool is_jump, has_target;
		long target;
		int err;

		err = check_fields(&insns[i], why, sizeof(why));
		if (!err && insn_is_ld_imm64(&insns[i]))
			err = check_ld_imm64(insns, cnt, i, why, sizeof(why));
		if (err) {
			*bad_idx = i;
			return fail(msg, msg_len, "insn %zu: %s", i, why);
		}
		target = insn_target(&insns[i], i, &is_jump, &has_target);
		if (has_target && !is_jump) {
			if (target < 0 || (size_t)target >= cnt) {
				*bad_idx = i;
				return fail(msg, msg_len, "insn %zu: call to %ld is outside the program (0..%zu)", i,
					    target, cnt - 1);
			}
			slots[target] |= SLOT_SUBPROG_START;
		}
		if (insn_is_ld_imm64(&insns[i]))
			slots[++i] |= SLOT_IMM64_HI;
	}
	slots[0] |= SLOT_SUBPROG_START;
	return 0;
}

static int check_target(const uint8_t *slots, size_t cnt, size_t start, size_t end, size_t i, long target,
			bool is_jump, char *msg, size_t msg_len)
{
	if (is_jump && (target < 0 || (size_t)target >= cnt))
		return fail(msg, msg_len, "insn %zu: jump to %ld is outside the program (0..%zu)", i, target, cnt - 1);
	if (is_jump && ((size_t)target < start || (size_t)target >= end))
		return fail(msg, msg_len, "insn %zu: jump to %ld leaves the subprogram at insns %zu..%zu", i, target,
			    start, end - 1);
	if (slots[target] & SLOT_IMM64_HI)
		return fail(msg, msg_len, "insn %zu: %s to %ld lands in the second slot of lddw at %ld", i,
			    is_jump ? "jump" : "call", target, target - 1);
	return 0;
}

/* Jump and call targets, and that no subprogram falls through its end. */
static int check_flow(const struct bpf_insn *insns, size_t cnt, const uint8_t *slots, size_t *bad_idx, char *msg,
		      size_t msg_len)
{
	size_t start, end, last;

	for (start = 0; start < cnt; start = end) {
		for (end = start + 1; end < cnt && !(slots[end] & SLOT_SUBPROG_START); end++)
			;
		for (size_t i = start; i < end; i++) {
			bool is_jump, has_target;
			long target;

			if (slots[i] & SLOT_IMM64_HI)
				continue;
			target = insn_target(&insns[i], i, &is_jump, &has_target);
			if (has_target && check_target(slots, cnt, start, end, i, target, is_jump, msg, msg_len)) {
				*bad_idx = i;
				return -EINVAL;
			}
		}
		last = slots[end - 1] & SLOT_IMM64_HI ? end - 2 : end - 1;
		if (is_terminal(&insns[last]))
			continue;
		*bad_idx = last;
		if (start == 0 && end == cnt)
			return fail(msg, msg_len,
				    "insn %zu: execution falls off the end: the last instruction must be exit or ja", last);
		return fail(msg, msg_len,
			    "insn %zu: execution falls off the end of the subprogram at insns %zu..%zu (must end in exit or ja)",
			    last, start, end - 1);
	}
	return 0;
}

int insn_check(const struct bpf_insn *insns, size_t cnt, size_t *bad_idx, char *msg, size_t msg_len)
{
	size_t unused_idx;
	uint8_t *slots;
	int err;

	if (!bad_idx)
		bad_idx = &unused_idx;
	*bad_idx = 0;
	if (!cnt)
		return fail(msg, msg_len, "empty program");
	slots = calloc(cnt, sizeof(*slots));
	if (!slots) {
		fail(msg, msg_len, "out of memory");
		return -ENOMEM;
	}
	err = check_insns(insns, cnt, slots, bad_idx, msg, msg_len);
	if (!err)
		err = check_flow(insns, cnt, slots, bad_idx, msg, msg_len);
	free(slots);
	return err;
}

/* The immediates check_alu_op refuses; why names the first. */
static int check_alu_imm(const struct bpf_insn *insn, char *why, size_t len)
{
	uint8_t op = BPF_OP(insn->code);
	int32_t width = insn_class(insn) == BPF_ALU64 ? 64 : 32;

	if (BPF_SRC(insn->code) != BPF_K)
		return 0;
	if ((op == BPF_DIV || op == BPF_MOD) && !insn->imm)
		return fail(why, len, "%s by an immediate zero", op == BPF_DIV ? "division" : "modulo");
	if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && (insn->imm < 0 || insn->imm >= width))
		return fail(why, len, "invalid shift by %d (must be 0..%d)", insn->imm, width - 1);
	return 0;
}

int insn_check_load(const struct bpf_insn *insns, size_t cnt, size_t *bad_idx, char *msg, size_t msg_len)
{
	size_t unused_idx;
	char why[96];
	int err = insn_check(insns, cnt, bad_idx, msg, msg_len);

	if (err)
		return err;
	if (!bad_idx)
		bad_idx = &unused_idx;
	for (size_t i = 0; i < cnt; i += insn_is_ld_imm64(&insns[i]) ? 2 : 1) {
		uint8_t cls = insn_class(&insns[i]);

		if ((cls == BPF_ALU || cls == BPF_ALU64) && check_alu_imm(&insns[i], why, sizeof(why))) {
			*bad_idx = i;
			return fail(msg, msg_len, "insn %zu: %s", i, why);
		}
	}
	return 0;
}

/* Disassembly */

static const char *const alu_ops[16] = {
	[BPF_ADD >> 4] = "+=", [BPF_SUB >> 4] = "-=",  [BPF_MUL >> 4] = "*=", [BPF_DIV >> 4] = "/=",
	[BPF_OR >> 4] = "|=",  [BPF_AND >> 4] = "&=",  [BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=",
	[BPF_MOD >> 4] = "%=", [BPF_XOR >> 4] = "^=",  [BPF_MOV >> 4] = "=",  [BPF_ARSH >> 4] = "s>>=",
};

static const char *const jmp_ops[16] = {
	[BPF_JEQ >> 4] = "==",  [BPF_JGT >> 4] = ">",   [BPF_JGE >> 4] = ">=",  [BPF_JSET >> 4] = "&",
	[BPF_JNE >> 4] = "!=",  [BPF_JSGT >> 4] = "s>", [BPF_JSGE >> 4] = "s>=", [BPF_JLT >> 4] = "<",
	[BPF_JLE >> 4] = "<=",  [BPF_JSLT >> 4] = "s<", [BPF_JSLE >> 4] = "s<=",
};

static const char *const mem_sizes[] = {
	[BPF_W >> 3] = "32", [BPF_H >> 3] = "16", [BPF_B >> 3] = "8", [BPF_DW >> 3] = "64",
};

#define UNKNOWN "<unknown>"

/* "(r1 + 4)" and "(r1 - 4)", as objdump writes a base and offset. */
static void mem_operand(char *buf, size_t len, const struct bpf_insn *insn, uint8_t base)
{
	snprintf(buf, len, "r%u %c %d", base, insn->off < 0 ? '-' : '+', insn->off < 0 ? -insn->off : insn->off);
}

static void disasm_alu(const struct bpf_insn *insn, char *buf, size_t len)
{
	char r = insn_class(insn) == BPF_ALU64 ? 'r' : 'w';
	uint8_t op = BPF_OP(insn->code);
	const char *sign = "";

	switch (op) {
	case BPF_END:
		if (r == 'r' && BPF_SRC(insn->code) == BPF_X)
			snprintf(buf, len, UNKNOWN);
		else if (r == 'r')
			snprintf(buf, len, "r%u = bswap%d r%u", insn->dst_reg, insn->imm, insn->dst_reg);
		else
			snprintf(buf, len, "r%u = %s%d r%u", insn->dst_reg,
				 BPF_SRC(insn->code) == BPF_TO_BE ? "be" : "le", insn->imm, insn->dst_reg);
		return;
	case BPF_NEG:
		if (BPF_SRC(insn->code) == BPF_X)
			snprintf(buf, len, UNKNOWN);
		else
			snprintf(buf, len, "%c%u = -%c%u", r, insn->dst_reg, r, insn->dst_reg);
		return;
	case BPF_MOV:
		if (BPF_SRC(insn->code) == BPF_X && insn->off) {
			snprintf(buf, len, "%c%u = (s%d)%c%u", r, insn->dst_reg, insn->off, r, insn->src_reg);
			return;
		}
		break;
	case BPF_DIV:
	case BPF_MOD:
		if (insn->off == 1)
			sign = "s";
		break;
	}
	if (!alu_ops[op >> 4])
		snprintf(buf, len, UNKNOWN);
	else if (BPF_SRC(insn->code) == BPF_X)
		snprintf(buf, len, "%c%u %s%s %c%u", r, insn->dst_reg, sign, alu_ops[op >> 4], r, insn->src_reg);
	else
		snprintf(buf, len, "%c%u %s%s %d", r, insn->dst_reg, sign, alu_ops[op >> 4], insn->imm);
}

static size_t disasm_ld(const struct bpf_insn *insns, size_t cnt, size_t idx, char *buf, size_t len)
{
	const struct bpf_insn *insn = &insns[idx];
	uint8_t mode = BPF_MODE(insn->code);
	const char *size = mem_sizes[BPF_SIZE(insn->code) >> 3];

	if (insn_is_ld_imm64(insn)) {
		if (idx + 1 >= cnt) {
			snprintf(buf, len, UNKNOWN);
			return 1;
		}
		switch (insn->src_reg) {
		case 0:
			snprintf(buf, len, "r%u = %lld ll", insn->dst_reg, (long long)insn_imm64(insn));
			break;
		case BPF_PSEUDO_MAP_FD:
		case BPF_PSEUDO_MAP_IDX:
			snprintf(buf, len, "r%u = map%s[%d] ll", insn->dst_reg,
				 insn->src_reg == BPF_PSEUDO_MAP_FD ? "_fd" : "", insn->imm);
			break;
		case BPF_PSEUDO_MAP_VALUE:
		case BPF_PSEUDO_MAP_IDX_VALUE:
			snprintf(buf, len, "r%u = map_value%s[%d] + %u ll", insn->dst_reg,
				 insn->src_reg == BPF_PSEUDO_MAP_VALUE ? "_fd" : "", insn->imm, (uint32_t)insn[1].imm);
			break;
		case BPF_PSEUDO_BTF_ID:
			snprintf(buf, len, "r%u = btf_id[%d] ll", insn->dst_reg, insn->imm);
			break;
		case BPF_PSEUDO_FUNC:
			snprintf(buf, len, "r%u = func %+d ll", insn->dst_reg, insn->imm);
			break;
		case MHSE_PSEUDO_EXTERN:
			snprintf(buf, len, "r%u = extern[%d] ll", insn->dst_reg, insn->imm);
			break;
		default:
			snprintf(buf, len, UNKNOWN);
			break;
		}
		return 2;
	}
	if (mode == BPF_ABS && BPF_SIZE(insn->code) != BPF_DW)
		snprintf(buf, len, "r0 = *(u%s *)skb[%d]", size, insn->imm);
	else if (mode == BPF_IND && BPF_SIZE(insn->code) != BPF_DW && insn->imm)
		snprintf(buf, len, "r0 = *(u%s *)skb[r%u %c %lld]", size, insn->src_reg, insn->imm < 0 ? '-' : '+',
			 insn->imm < 0 ? -(long long)insn->imm : (long long)insn->imm);
	else if (mode == BPF_IND && BPF_SIZE(insn->code) != BPF_DW)
		snprintf(buf, len, "r0 = *(u%s *)skb[r%u]", size, insn->src_reg);
	else
		snprintf(buf, len, UNKNOWN);
	return 1;
}

static void disasm_atomic(const struct bpf_insn *insn, char *buf, size_t len, const char *addr)
{
	bool is64 = BPF_SIZE(insn->code) == BPF_DW;
	char r = is64 ? 'r' : 'w';
	const char *bits = is64 ? "64" : "32";
	static const char *const lock_ops[16] = {
		[BPF_ADD >> 4] = "+=", [BPF_OR >> 4] = "|=", [BPF_AND >> 4] = "&=", [BPF_XOR >> 4] = "^=",
	};

	switch (insn->imm) {
	case BPF_ADD:
	case BPF_OR:
	case BPF_AND:
	case BPF_XOR:
		snprintf(buf, len, "lock *(u%s *)(%s) %s %c%u", bits, addr, lock_ops[insn->imm >> 4], r,
			 insn->src_reg);
		break;
	case BPF_ADD | BPF_FETCH:
	case BPF_OR | BPF_FETCH:
	case BPF_AND | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
		snprintf(buf, len, "%c%u = atomic_fetch_%s((u%s *)(%s), %c%u)", r, insn->src_reg,
			 alu_names[(insn->imm & ~BPF_FETCH) >> 4], bits, addr, r, insn->src_reg);
		break;
	case BPF_XCHG:
		snprintf(buf, len, "%c%u = xchg%s_%s(%s, %c%u)", r, insn->src_reg, is64 ? "" : "32", bits, addr, r,
			 insn->src_reg);
		break;
	case BPF_CMPXCHG:
		snprintf(buf, len, "%c0 = cmpxchg%s_%s(%s, %c0, %c%u)", r, is64 ? "" : "32", bits, addr, r, r,
			 insn->src_reg);
		break;
	default:
		snprintf(buf, len, UNKNOWN);
		break;
	}
}

static void disasm_mem(const struct bpf_insn *insn, char *buf, size_t len)
{
	uint8_t mode = BPF_MODE(insn->code);
	const char *size = mem_sizes[BPF_SIZE(insn->code) >> 3];
	char addr[32];

	switch (insn_class(insn)) {
	case BPF_LDX:
		mem_operand(addr, sizeof(addr), insn, insn->src_reg);
		if (mode == BPF_MEM || (mode == BPF_MEMSX && BPF_SIZE(insn->code) != BPF_DW))
			snprintf(buf, len, "r%u = *(%c%s *)(%s)", insn->dst_reg, mode == BPF_MEMSX ? 's' : 'u', size,
				 addr);
		else
			snprintf(buf, len, UNKNOWN);
		return;
	case BPF_ST:
		mem_operand(addr, sizeof(addr), insn, insn->dst_reg);
		if (mode == BPF_MEM)
			snprintf(buf, len, "*(u%s *)(%s) = %d", size, addr, insn->imm);
		else
			snprintf(buf, len, UNKNOWN);
		return;
	default: /* BPF_STX */
		mem_operand(addr, sizeof(addr), insn, insn->dst_reg);
		if (mode == BPF_MEM)
			snprintf(buf, len, "*(u%s *)(%s) = r%u", size, addr, insn->src_reg);
		else if (mode == BPF_ATOMIC && (BPF_SIZE(insn->code) == BPF_W || BPF_SIZE(insn->code) == BPF_DW))
			disasm_atomic(insn, buf, len, addr);
		else
			snprintf(buf, len, UNKNOWN);
		return;
	}
}

static void disasm_jmp(const struct bpf_insn *insn, char *buf, size_t len)
{
	bool is32 = insn_class(insn) == BPF_JMP32;
	char r = is32 ? 'w' : 'r';
	uint8_t op = BPF_OP(insn->code);
	bool reg = BPF_SRC(insn->code) == BPF_X;
	const char *helper;

	switch (insn->code) {
	case BPF_JMP | BPF_JA:
		snprintf(buf, len, "goto %+d", insn->off);
		return;
	case BPF_JMP32 | BPF_JA:
		snprintf(buf, len, "gotol %+d", insn->imm);
		return;
	case BPF_JMP | BPF_EXIT:
		snprintf(buf, len, "exit");
		return;
	case BPF_JMP | BPF_JCOND:
		snprintf(buf, len, "may_goto %+d", insn->off);
		return;
	case BPF_JMP | BPF_CALL | BPF_X:
		snprintf(buf, len, "callx r%u", insn->dst_reg);
		return;
	case BPF_JMP | BPF_CALL:
		helper = helper_name(insn->imm);
		if (insn->src_reg == BPF_PSEUDO_CALL)
			snprintf(buf, len, "call %+d", insn->imm);
		else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
			snprintf(buf, len, "call kfunc %d", insn->imm);
		else if (helper)
			snprintf(buf, len, "call %d <%s>", insn->imm, helper);
		else
			snprintf(buf, len, "call %d", insn->imm);
		return;
	}
	if (!jmp_ops[op >> 4])
		snprintf(buf, len, UNKNOWN);
	else if (reg)
		snprintf(buf, len, "if %c%u %s %c%u goto %+d", r, insn->dst_reg, jmp_ops[op >> 4], r, insn->src_reg,
			 insn->off);
	else
		snprintf(buf, len, "if %c%u %s %d goto %+d", r, insn->dst_reg, jmp_ops[op >> 4], insn->imm, insn->off);
}

size_t insn_edges(const struct bpf_insn *insns, size_t cnt, size_t idx, struct insn_edge out[INSN_MAX_EDGES])
{
	const struct bpf_insn *insn = &insns[idx];
	uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
	int64_t next = (int64_t)idx + 1, targets[INSN_MAX_EDGES];
	enum insn_edge_kind kinds[INSN_MAX_EDGES];
	size_t n = 0, kept = 0;

	if (insn_is_ld_imm64(insn)) {
		if (insn->src_reg == BPF_PSEUDO_FUNC) {
			targets[n] = next + insn->imm;
			kinds[n++] = INSN_EDGE_FUNC;
		}
		targets[n] = next + 1;
		kinds[n++] = INSN_EDGE_NEXT;
	} else if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_CALL) {
		if (insn_is_call(insn) && insn->src_reg == BPF_PSEUDO_CALL) {
			targets[n] = next + insn->imm;
			kinds[n++] = INSN_EDGE_FUNC;
		}
		targets[n] = next;
		kinds[n++] = INSN_EDGE_NEXT;
	} else if (op == BPF_JA) {
		targets[n] = next + (cls == BPF_JMP32 ? insn->imm : insn->off);
		kinds[n++] = INSN_EDGE_JUMP;
	} else if (op != BPF_EXIT) {
		targets[n] = next + insn->off;
		kinds[n++] = INSN_EDGE_JUMP;
		targets[n] = next;
		kinds[n++] = INSN_EDGE_NEXT;
	}
	for (size_t i = 0; i < n; i++)
		if (targets[i] >= 0 && (uint64_t)targets[i] < cnt)
			out[kept++] = (struct insn_edge){ (size_t)targets[i], kinds[i] };
	return kept;
}

size_t insn_disasm(const struct bpf_insn *insns, size_t cnt, size_t idx, char *buf, size_t buf_len)
{
	const struct bpf_insn *insn = &insns[idx];

	if (!buf_len)
		return 1;
	if (idx >= cnt) {
		snprintf(buf, buf_len, UNKNOWN);
		return 1;
	}
	switch (insn_class(insn)) {
	case BPF_ALU:
	case BPF_ALU64:
		disasm_alu(insn, buf, buf_len);
		return 1;
	case BPF_LD:
		return disasm_ld(insns, cnt, idx, buf, buf_len);
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		disasm_mem(insn, buf, buf_len);
		return 1;
	default: /* BPF_JMP, BPF_JMP32 */
		disasm_jmp(insn, buf, buf_len);
		return 1;
	}
}

/* Helper ids from the uapi's __BPF_FUNC_MAPPER. The list is frozen at 211
 * (new kernel functionality comes as kfuncs); 210 and 211 are from 6.2, newer
 * than the installed header. */
static const char *const helper_names[] = {
	[1] = "map_lookup_elem",
	[2] = "map_update_elem",
	[3] = "map_delete_elem",
	[4] = "probe_read",
	[5] = "ktime_get_ns",
	[6] = "trace_printk",
	[7] = "get_prandom_u32",
	[8] = "get_smp_processor_id",
	[9] = "skb_store_bytes",
	[10] = "l3_csum_replace",
	[11] = "l4_csum_replace",
	[12] = "tail_call",
	[13] = "clone_redirect",
	[14] = "get_current_pid_tgid",
	[15] = "get_current_uid_gid",
	[16] = "get_current_comm",
	[17] = "get_cgroup_classid",
	[18] = "skb_vlan_push",
	[19] = "skb_vlan_pop",
	[20] = "skb_get_tunnel_key",
	[21] = "skb_set_tunnel_key",
	[22] = "perf_event_read",
	[23] = "redirect",
	[24] = "get_route_realm",
	[25] = "perf_event_output",
	[26] = "skb_load_bytes",
	[27] = "get_stackid",
	[28] = "csum_diff",
	[29] = "skb_get_tunnel_opt",
	[30] = "skb_set_tunnel_opt",
	[31] = "skb_change_proto",
	[32] = "skb_change_type",
	[33] = "skb_under_cgroup",
	[34] = "get_hash_recalc",
	[35] = "get_current_task",
	[36] = "probe_write_user",
	[37] = "current_task_under_cgroup",
	[38] = "skb_change_tail",
	[39] = "skb_pull_data",
	[40] = "csum_update",
	[41] = "set_hash_invalid",
	[42] = "get_numa_node_id",
	[43] = "skb_change_head",
	[44] = "xdp_adjust_head",
	[45] = "probe_read_str",
	[46] = "get_socket_cookie",
	[47] = "get_socket_uid",
	[48] = "set_hash",
	[49] = "setsockopt",
	[50] = "skb_adjust_room",
	[51] = "redirect_map",
	[52] = "sk_redirect_map",
	[53] = "sock_map_update",
	[54] = "xdp_adjust_meta",
	[55] = "perf_event_read_value",
	[56] = "perf_prog_read_value",
	[57] = "getsockopt",
	[58] = "override_return",
	[59] = "sock_ops_cb_flags_set",
	[60] = "msg_redirect_map",
	[61] = "msg_apply_bytes",
	[62] = "msg_cork_bytes",
	[63] = "msg_pull_data",
	[64] = "bind",
	[65] = "xdp_adjust_tail",
	[66] = "skb_get_xfrm_state",
	[67] = "get_stack",
	[68] = "skb_load_bytes_relative",
	[69] = "fib_lookup",
	[70] = "sock_hash_update",
	[71] = "msg_redirect_hash",
	[72] = "sk_redirect_hash",
	[73] = "lwt_push_encap",
	[74] = "lwt_seg6_store_bytes",
	[75] = "lwt_seg6_adjust_srh",
	[76] = "lwt_seg6_action",
	[77] = "rc_repeat",
	[78] = "rc_keydown",
	[79] = "skb_cgroup_id",
	[80] = "get_current_cgroup_id",
	[81] = "get_local_storage",
	[82] = "sk_select_reuseport",
	[83] = "skb_ancestor_cgroup_id",
	[84] = "sk_lookup_tcp",
	[85] = "sk_lookup_udp",
	[86] = "sk_release",
	[87] = "map_push_elem",
	[88] = "map_pop_elem",
	[89] = "map_peek_elem",
	[90] = "msg_push_data",
	[91] = "msg_pop_data",
	[92] = "rc_pointer_rel",
	[93] = "spin_lock",
	[94] = "spin_unlock",
	[95] = "sk_fullsock",
	[96] = "tcp_sock",
	[97] = "skb_ecn_set_ce",
	[98] = "get_listener_sock",
	[99] = "skc_lookup_tcp",
	[100] = "tcp_check_syncookie",
	[101] = "sysctl_get_name",
	[102] = "sysctl_get_current_value",
	[103] = "sysctl_get_new_value",
	[104] = "sysctl_set_new_value",
	[105] = "strtol",
	[106] = "strtoul",
	[107] = "sk_storage_get",
	[108] = "sk_storage_delete",
	[109] = "send_signal",
	[110] = "tcp_gen_syncookie",
	[111] = "skb_output",
	[112] = "probe_read_user",
	[113] = "probe_read_kernel",
	[114] = "probe_read_user_str",
	[115] = "probe_read_kernel_str",
	[116] = "tcp_send_ack",
	[117] = "send_signal_thread",
	[118] = "jiffies64",
	[119] = "read_branch_records",
	[120] = "get_ns_current_pid_tgid",
	[121] = "xdp_output",
	[122] = "get_netns_cookie",
	[123] = "get_current_ancestor_cgroup_id",
	[124] = "sk_assign",
	[125] = "ktime_get_boot_ns",
	[126] = "seq_printf",
	[127] = "seq_write",
	[128] = "sk_cgroup_id",
	[129] = "sk_ancestor_cgroup_id",
	[130] = "ringbuf_output",
	[131] = "ringbuf_reserve",
	[132] = "ringbuf_submit",
	[133] = "ringbuf_discard",
	[134] = "ringbuf_query",
	[135] = "csum_level",
	[136] = "skc_to_tcp6_sock",
	[137] = "skc_to_tcp_sock",
	[138] = "skc_to_tcp_timewait_sock",
	[139] = "skc_to_tcp_request_sock",
	[140] = "skc_to_udp6_sock",
	[141] = "get_task_stack",
	[142] = "load_hdr_opt",
	[143] = "store_hdr_opt",
	[144] = "reserve_hdr_opt",
	[145] = "inode_storage_get",
	[146] = "inode_storage_delete",
	[147] = "d_path",
	[148] = "copy_from_user",
	[149] = "snprintf_btf",
	[150] = "seq_printf_btf",
	[151] = "skb_cgroup_classid",
	[152] = "redirect_neigh",
	[153] = "per_cpu_ptr",
	[154] = "this_cpu_ptr",
	[155] = "redirect_peer",
	[156] = "task_storage_get",
	[157] = "task_storage_delete",
	[158] = "get_current_task_btf",
	[159] = "bprm_opts_set",
	[160] = "ktime_get_coarse_ns",
	[161] = "ima_inode_hash",
	[162] = "sock_from_file",
	[163] = "check_mtu",
	[164] = "for_each_map_elem",
	[165] = "snprintf",
	[166] = "sys_bpf",
	[167] = "btf_find_by_name_kind",
	[168] = "sys_close",
	[169] = "timer_init",
	[170] = "timer_set_callback",
	[171] = "timer_start",
	[172] = "timer_cancel",
	[173] = "get_func_ip",
	[174] = "get_attach_cookie",
	[175] = "task_pt_regs",
	[176] = "get_branch_snapshot",
	[177] = "trace_vprintk",
	[178] = "skc_to_unix_sock",
	[179] = "kallsyms_lookup_name",
	[180] = "find_vma",
	[181] = "loop",
	[182] = "strncmp",
	[183] = "get_func_arg",
	[184] = "get_func_ret",
	[185] = "get_func_arg_cnt",
	[186] = "get_retval",
	[187] = "set_retval",
	[188] = "xdp_get_buff_len",
	[189] = "xdp_load_bytes",
	[190] = "xdp_store_bytes",
	[191] = "copy_from_user_task",
	[192] = "skb_set_tstamp",
	[193] = "ima_file_hash",
	[194] = "kptr_xchg",
	[195] = "map_lookup_percpu_elem",
	[196] = "skc_to_mptcp_sock",
	[197] = "dynptr_from_mem",
	[198] = "ringbuf_reserve_dynptr",
	[199] = "ringbuf_submit_dynptr",
	[200] = "ringbuf_discard_dynptr",
	[201] = "dynptr_read",
	[202] = "dynptr_write",
	[203] = "dynptr_data",
	[204] = "tcp_raw_gen_syncookie_ipv4",
	[205] = "tcp_raw_gen_syncookie_ipv6",
	[206] = "tcp_raw_check_syncookie_ipv4",
	[207] = "tcp_raw_check_syncookie_ipv6",
	[208] = "ktime_get_tai_ns",
	[209] = "user_ringbuf_drain",
	[210] = "cgrp_storage_get",
	[211] = "cgrp_storage_delete",
};

const char *helper_name(int32_t id)
{
	if (id <= 0 || (size_t)id >= sizeof(helper_names) / sizeof(helper_names[0]))
		return NULL;
	return helper_names[id];
}

int32_t helper_id(const char *name)
{
	if (!strncmp(name, "bpf_", 4))
		name += 4;
	for (size_t id = 1; id < sizeof(helper_names) / sizeof(helper_names[0]); id++)
		if (!strcmp(helper_names[id], name))
			return (int32_t)id;
	return -1;
}
