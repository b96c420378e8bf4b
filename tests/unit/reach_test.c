// SPDX-License-Identifier: MIT
/*
 * The verifier's view of a program's constants (core/reach.c): a jump on
 * known operands takes one side, and a bpf_loop call is inlined only when
 * every way to it brings flags 0 and one callback, held in a register or
 * copied to it. A way that sets other flags, another callback, or leaves
 * the flags to a call in between keeps the helper call. The interpreter
 * returns what each form returns (core/helpers.c).
 */
#include <stdio.h>
#include "hook.h"
#include "interp.h"
#include "reach.h"
#include "unit_check.h"

#define MOV_K(reg, v) { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = (reg), .imm = (v) }
#define MOV_X(dst, src) { .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = (dst), .src_reg = (src) }
#define FUNC(reg, rel) { .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = (reg), .src_reg = BPF_PSEUDO_FUNC, .imm = (rel) }, { 0 }
#define JEQ_K(reg, v, rel) { .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = (reg), .imm = (v), .off = (rel) }
#define CALL(id) { .code = BPF_JMP | BPF_CALL, .imm = (id) }
#define EXIT { .code = BPF_JMP | BPF_EXIT }
#define MAX_INSNS 16

/* The REACH_* bits prog__reach gives instruction at of the cnt in insns. */
static int reach_at(const struct bpf_insn *insns, size_t cnt, size_t at)
{
	struct mhse_prog prog = { .insns = (struct bpf_insn *)insns, .insn_cnt = cnt };
	uint8_t reach[MAX_INSNS];

	if (cnt > MAX_INSNS || prog__reach(&prog, reach))
		return -1;
	return reach[at];
}

#define REACH_AT(insns, at) reach_at(insns, sizeof(insns) / sizeof(insns[0]), at)

static void test_known_jump(void)
{
	const struct bpf_insn prog[] = {
		/* 0 */ MOV_K(BPF_REG_1, 1),
		/* 1 */ JEQ_K(BPF_REG_1, 1, 1),
		/* 2 */ MOV_K(BPF_REG_0, 2),
		/* 3 */ EXIT,
	};

	expect("a jump on a known register jumps only", REACH_INSN | REACH_JUMPS, REACH_AT(prog, 1));
	expect("what it jumps over is dead", 0, REACH_AT(prog, 2));
}

static void test_loop_inlined(void)
{
	const struct bpf_insn prog[] = {
		/* 0 */ MOV_K(BPF_REG_1, 10),
		/* 1 */ FUNC(BPF_REG_2, 6),          /* the callback at 8 */
		/* 3 */ MOV_K(BPF_REG_3, 0),
		/* 4 */ MOV_K(BPF_REG_4, 0),
		/* 5 */ CALL(BPF_FUNC_loop),
		/* 6 */ MOV_K(BPF_REG_0, 0),
		/* 7 */ EXIT,
		/* 8 */ MOV_K(BPF_REG_0, 1),
		/* 9 */ EXIT,
	};

	expect("flags 0 and one callback: inlined", REACH_INSN | REACH_LOOP_INLINED, REACH_AT(prog, 5));
}

static void test_loop_callback_copied(void)
{
	const struct bpf_insn prog[] = {
		/* 0 */ FUNC(BPF_REG_7, 7),          /* the callback at 8 */
		/* 2 */ MOV_K(BPF_REG_4, 0),
		/* 3 */ MOV_X(BPF_REG_2, BPF_REG_7),
		/* 4 */ MOV_K(BPF_REG_1, 10),
		/* 5 */ CALL(BPF_FUNC_loop),
		/* 6 */ MOV_K(BPF_REG_0, 0),
		/* 7 */ EXIT,
		/* 8 */ MOV_K(BPF_REG_0, 1),
		/* 9 */ EXIT,
	};

	expect("a callback copied into r2: inlined", REACH_INSN | REACH_LOOP_INLINED, REACH_AT(prog, 5));
}

static void test_loop_flags_differ(void)
{
	const struct bpf_insn prog[] = {
		/* 0 */ FUNC(BPF_REG_2, 7),          /* the callback at 8 */
		/* 2 */ MOV_K(BPF_REG_4, 0),
		/* 3 */ JEQ_K(BPF_REG_6, 0, 1),      /* r6 is not known */
		/* 4 */ MOV_K(BPF_REG_4, 1),
		/* 5 */ CALL(BPF_FUNC_loop),
		/* 6 */ MOV_K(BPF_REG_0, 0),
		/* 7 */ EXIT,
		/* 8 */ MOV_K(BPF_REG_0, 1),
		/* 9 */ EXIT,
	};

	expect("flags 0 on one way, 1 on another: a helper call", REACH_INSN, REACH_AT(prog, 5));
}

static void test_loop_callbacks_differ(void)
{
	const struct bpf_insn prog[] = {
		/* 0 */ FUNC(BPF_REG_2, 9),          /* the callback at 10 */
		/* 2 */ JEQ_K(BPF_REG_6, 0, 2),
		/* 3 */ FUNC(BPF_REG_2, 8),          /* the callback at 12 */
		/* 5 */ MOV_K(BPF_REG_4, 0),
		/* 6 */ MOV_K(BPF_REG_1, 10),
		/* 7 */ CALL(BPF_FUNC_loop),
		/* 8 */ MOV_K(BPF_REG_0, 0),
		/* 9 */ EXIT,
		/* 10 */ MOV_K(BPF_REG_0, 1),
		/* 11 */ EXIT,
		/* 12 */ MOV_K(BPF_REG_0, 0),
		/* 13 */ EXIT,
	};

	expect("two callbacks: a helper call", REACH_INSN, REACH_AT(prog, 7));
}

static void test_loop_flags_forgotten(void)
{
	const struct bpf_insn prog[] = {
		/* 0 */ MOV_K(BPF_REG_4, 0),
		/* 1 */ CALL(BPF_FUNC_ktime_get_ns), /* leaves r0 to r5 unknown */
		/* 2 */ FUNC(BPF_REG_2, 4),          /* the callback at 7 */
		/* 4 */ CALL(BPF_FUNC_loop),
		/* 5 */ MOV_K(BPF_REG_0, 0),
		/* 6 */ EXIT,
		/* 7 */ MOV_K(BPF_REG_0, 1),
		/* 8 */ EXIT,
	};

	expect("flags set before another call: a helper call", REACH_INSN, REACH_AT(prog, 4));
}

/* What the interpreter's bpf_loop returns for nr_loops 2^32 + 1 with flags 0
 * set by mov_flags: a 32-bit -E2BIG where the call is inlined, one
 * iteration (its callback stops the loop) where the helper cuts the count
 * to its low 32 bits. */
static long long loop_result(struct bpf_insn mov_flags)
{
	struct bpf_insn prog[] = {
		/* 0 */ mov_flags,
		/* 1 */ { .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .imm = 1 }, { .imm = 1 },
		/* 3 */ FUNC(BPF_REG_2, 4),          /* the callback at 8 */
		/* 5 */ MOV_K(BPF_REG_3, 0),
		/* 6 */ CALL(BPF_FUNC_loop),
		/* 7 */ EXIT,
		/* 8 */ MOV_K(BPF_REG_0, 1),
		/* 9 */ EXIT,
	};
	struct mhse_object *obj = NULL;
	struct mhse_hook *hook = NULL;
	struct mhse_vm *vm = NULL;
	struct vm_input in = { 0 };
	uint64_t r0 = 0;
	long long ret = -1;

	if (!mhse_hook__load("raw", &hook) && !mhse_object__from_insns(prog, sizeof(prog) / sizeof(prog[0]), "loop", &obj) &&
	    !mhse_vm__new(obj, hook, &vm) && !mhse_vm__run(vm, &obj->progs[0], &in, &r0))
		ret = (long long)r0;
	else if (vm)
		fprintf(stderr, "run: insn %zu: %s\n", vm->err_pc, vm->err_msg);
	mhse_vm__free(vm);
	mhse_object__close(obj);
	mhse_hook__free(hook);
	return ret;
}

static void test_loop_results(void)
{
	expect("inlined: 64-bit count, 32-bit -E2BIG", 0xfffffff9, loop_result((struct bpf_insn)MOV_K(BPF_REG_4, 0)));
	/* flags: the raw hook's memory length, r2 at entry (0 here, not known
	 * to the verifier) */
	expect("a helper call: the count's low 32 bits, one iteration", 1,
	       loop_result((struct bpf_insn)MOV_X(BPF_REG_4, BPF_REG_2)));
}

int main(void)
{
	test_known_jump();
	test_loop_inlined();
	test_loop_callback_copied();
	test_loop_flags_differ();
	test_loop_callbacks_differ();
	test_loop_flags_forgotten();
	test_loop_results();
	return checks_done();
}
