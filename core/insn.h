/* SPDX-License-Identifier: MIT */
/*
 * eBPF instruction set: encoding constants, validation and disassembly.
 *
 * Instructions stay in their wire form (struct bpf_insn from the uapi header)
 * everywhere in mhse; the interpreter and the engine decode the opcode byte
 * in their own switch, the way uBPF and the kernel's ___bpf_prog_run do.
 * Constants that the installed uapi header predates (ISA v4, RFC 9669) are
 * defined here.
 */
#ifndef MHSE_INSN_H
#define MHSE_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending load mode (v4) */
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0 /* may_goto (v4 extension) */
#endif

/* Pseudo source registers that mhse's loader writes into LD_IMM64 and CALL
 * instructions once relocations are resolved. Kernel values are kept where
 * the kernel has one; MHSE_PSEUDO_EXTERN is mhse's own: imm indexes
 * mhse_object.externs. */
#define MHSE_PSEUDO_MAP_IDX BPF_PSEUDO_MAP_IDX             /* imm = map index */
#define MHSE_PSEUDO_MAP_IDX_VALUE BPF_PSEUDO_MAP_IDX_VALUE /* imm = map index, next imm = offset */
#define MHSE_PSEUDO_FUNC BPF_PSEUDO_FUNC                   /* imm = pc-relative insn offset */
#define MHSE_PSEUDO_EXTERN 0xe                             /* imm = extern index */
/* CALL src_reg values: 0 helper, BPF_PSEUDO_CALL local, BPF_PSEUDO_KFUNC_CALL kfunc. */

#define MHSE_STACK_SIZE 512
#define MHSE_MAX_CALL_FRAMES 8
#define MHSE_MAX_TAIL_CALLS 33

static inline uint8_t insn_class(const struct bpf_insn *insn) { return BPF_CLASS(insn->code); }

static inline bool insn_is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static inline bool insn_is_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL);
}

/* A call of helper id: neither a local call nor a kfunc's. */
static inline bool insn_is_helper_call(const struct bpf_insn *insn, int32_t id)
{
	return insn_is_call(insn) && insn->src_reg == 0 && insn->imm == id;
}

/* A conditional jump: a JMP or JMP32 instruction other than JA, CALL and
 * EXIT. These are the branches paths record; coverage counts those that
 * may go both ways (reach.h). */
static inline bool insn_is_cond_jump(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_JA && op != BPF_CALL && op != BPF_EXIT;
}

static inline uint64_t insn_imm64(const struct bpf_insn *insn)
{
	return (uint64_t)(uint32_t)insn[0].imm | ((uint64_t)(uint32_t)insn[1].imm << 32);
}

/* Checks what the kernel's verifier checks before it looks at data flow:
 * known opcodes, reserved fields zero, registers in range, jump targets inside
 * the program and not into the middle of an LD_IMM64, well-formed LD_IMM64
 * pairs. Returns 0, or -EINVAL with *bad_idx and msg set. */
int insn_check(const struct bpf_insn *insns, size_t cnt, size_t *bad_idx, char *msg, size_t msg_len);

/* insn_check, and the verifier's refusals of immediates whose result RFC 9669
 * defines (shifts by an immediate outside [0, width), division or modulo by an
 * immediate zero): what a program must pass before mhse explores or runs it,
 * as the kernel loads it. Same returns as insn_check. */
int insn_check_load(const struct bpf_insn *insns, size_t cnt, size_t *bad_idx, char *msg, size_t msg_len);

/* Where control may go from an instruction: the next one, a jump's target,
 * or a function's first instruction (a local call's, or a function
 * reference's, which a helper such as bpf_loop calls). */
enum insn_edge_kind { INSN_EDGE_NEXT, INSN_EDGE_JUMP, INSN_EDGE_FUNC };

struct insn_edge {
	size_t to;
	enum insn_edge_kind kind;
};

#define INSN_MAX_EDGES 2

/* The places inside [0, cnt) control may go from the instruction at idx,
 * in out; returns how many. An exit has none: where it returns to is the
 * caller's next instruction, which the call's edges do not name. */
size_t insn_edges(const struct bpf_insn *insns, size_t cnt, size_t idx, struct insn_edge out[INSN_MAX_EDGES]);

/* The index the jump, local call or function reference at idx names, in
 * *target; false for any other instruction. */
bool insn_target_of(const struct bpf_insn *insn, size_t idx, long *target);
/* Makes the jump, local call or function reference now at idx name target,
 * in the field its kind keeps it in. 0, or -E2BIG when a jump's 16-bit
 * offset cannot hold it. */
int insn_retarget(struct bpf_insn *insn, size_t idx, long target);

/* Disassembles the instruction at idx in llvm-objdump's syntax into buf.
 * Returns the number of instruction slots it took (2 for LD_IMM64). */
size_t insn_disasm(const struct bpf_insn *insns, size_t cnt, size_t idx, char *buf, size_t buf_len);

/* Helper name without the bpf_ prefix ("map_lookup_elem"), or NULL. */
const char *helper_name(int32_t id);
/* Helper id by name (with or without "bpf_"), or -1. */
int32_t helper_id(const char *name);

#endif
