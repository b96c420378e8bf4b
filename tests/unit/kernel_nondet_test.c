// SPDX-License-Identifier: MIT
/*
 * The kernel referee's stand-ins for nondeterministic helper calls
 * (core/kernel_nondet.c): which calls are replaced, and every instruction
 * that names another (a jump forwards or backwards, a gotol, a local call, a
 * function reference) still names it across the longer sequences; a jump that no
 * longer fits its 16-bit offset is refused. The kernel referee's tests
 * (tests/engine/kernel_referee.sh) run stood-in programs through the
 * verifier and compare their results.
 */
#include <errno.h>
#include <stdlib.h>
#include "kernel_nondet.h"
#include "unit_check.h"

#define TABLE_FD 42

static void expect_stand_in(const char *what, const struct bpf_insn *at)
{
	expect(what, BPF_LD | BPF_DW | BPF_IMM, at[0].code);
	expect(what, BPF_PSEUDO_MAP_VALUE, at[0].src_reg);
	expect(what, TABLE_FD, at[0].imm);
	expect(what, BPF_LDX | BPF_DW | BPF_MEM, at[KERNEL_NONDET_STAND_IN_LEN - 1].code);
	expect(what, BPF_REG_0, at[KERNEL_NONDET_STAND_IN_LEN - 1].dst_reg);
}

static void test_targets(void)
{
	const struct bpf_insn prog[] = {
		/* 0 */ { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_6 },
		/* 1 */ { .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_1, .off = 2 },   /* to 4, over 2 */
		/* 2 */ { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_ktime_get_ns },
		/* 3 */ { .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_CALL, .imm = 5 },   /* to 9, over 6 */
		/* 4 */ { .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2, .src_reg = BPF_PSEUDO_FUNC, .imm = 4 },
		/* 5 */ { 0 },                                                                  /* to 9, over 6 */
		/* 6 */ { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_smp_processor_id },
		/* 7 */ { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
		/* 8 */ { .code = BPF_JMP | BPF_EXIT },
		/* 9 */ { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		/* 10 */ { .code = BPF_JMP | BPF_JA, .off = -10 },                               /* to 1, over 6 and 2 */
		/* 11 */ { .code = BPF_JMP32 | BPF_JA, .imm = -9 },                              /* gotol to 3, over 6 */
		/* 12 */ { .code = BPF_JMP | BPF_EXIT },
	};
	const size_t cnt = sizeof(prog) / sizeof(prog[0]);
	/* where each instruction lands: 2 and 6 grow by KERNEL_NONDET_STAND_IN_LEN - 1 */
	size_t at[13];
	struct bpf_insn *out;
	size_t out_cnt, n = 0;
	int err;

	for (size_t i = 0; i < cnt; i++) {
		at[i] = n;
		n += i == 2 || i == 6 ? KERNEL_NONDET_STAND_IN_LEN : 1;
	}
	expect("calls stood in for", 2, (long long)kernel_nondet__calls(prog, cnt));
	err = kernel_nondet__rewrite(prog, cnt, TABLE_FD, &out, &out_cnt);
	expect("rewrite", 0, err);
	if (err)
		return;
	expect("length", (long long)n, (long long)out_cnt);
	expect("jump over a call", (long long)at[4] - (long long)at[1] - 1, out[at[1]].off);
	expect("local call over a call", (long long)at[9] - (long long)at[3] - 1, out[at[3]].imm);
	expect("function reference over a call", (long long)at[9] - (long long)at[4] - 1, out[at[4]].imm);
	expect("backward jump over two calls", (long long)at[1] - (long long)at[10] - 1, out[at[10]].off);
	expect("gotol back over a call, in imm", (long long)at[3] - (long long)at[11] - 1, out[at[11]].imm);
	expect("gotol's offset field untouched", 0, out[at[11]].off);
	expect_stand_in("ktime_get_ns stood in", &out[at[2]]);
	expect_stand_in("get_smp_processor_id stood in", &out[at[6]]);
	expect("map_lookup_elem kept", BPF_FUNC_map_lookup_elem, out[at[7]].imm);
	expect("exit kept", BPF_JMP | BPF_EXIT, out[at[8]].code);
	free(out);
}

/* A jump of 32767 forward (the most an offset holds) across a call. */
static void test_too_far(void)
{
	const size_t cnt = 32769;
	struct bpf_insn *prog = calloc(cnt, sizeof(*prog)), *out;
	size_t out_cnt;

	if (!prog) {
		expect("memory", 0, -ENOMEM);
		return;
	}
	for (size_t i = 0; i < cnt; i++)
		prog[i] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 };
	prog[0] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = 32767 };
	prog[1] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_prandom_u32 };
	prog[cnt - 1] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	expect("a jump past 16 bits", -E2BIG, kernel_nondet__rewrite(prog, cnt, TABLE_FD, &out, &out_cnt));
	expect("nothing made", 1, out == NULL);
	free(prog);
}

int main(void)
{
	test_targets();
	test_too_far();
	return checks_done();
}
