// SPDX-License-Identifier: MIT
/*
 * The kernel referee's stand-in for nondeterministic helper calls (see
 * kernel_nondet.h).
 *
 * The stand-in is inline rather than a subprogram: a subprogram would add
 * its frame to the program's stack depth (the verifier counts at least 32
 * bytes per frame against 512) and need BTF function records when the
 * program has them. It uses r1 and r2, which the call clobbers anyway (the
 * verifier lets no program read r1-r5 after a call), and bounds the index
 * so that the verifier accepts the table read.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "helpers.h"
#include "insn.h"
#include "kernel_nondet.h"

static bool is_stand_in_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == 0 && helper_returns_recorded(insn->imm);
}

size_t kernel_nondet__calls(const struct bpf_insn *insns, size_t cnt)
{
	size_t n = 0;

	for (size_t i = 0; i < cnt; i++)
		n += is_stand_in_call(&insns[i]);
	return n;
}

size_t kernel_nondet__moved(const struct bpf_insn *insns, size_t idx)
{
	return idx + (KERNEL_NONDET_STAND_IN_LEN - 1) * kernel_nondet__calls(insns, idx);
}

/* r0 = table->next < KERNEL_NONDET_MAX ? table->values[table->next++] : 0 */
static void write_stand_in(struct bpf_insn *out, int table_fd)
{
	const struct bpf_insn seq[KERNEL_NONDET_STAND_IN_LEN] = {
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_0, .src_reg = BPF_PSEUDO_MAP_VALUE, .imm = table_fd },
		{ 0 }, /* offset 0 into the table */
		{ .code = BPF_LDX | BPF_W | BPF_MEM, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_JLT | BPF_K, .dst_reg = BPF_REG_1, .off = 2, .imm = KERNEL_NONDET_MAX },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_JA, .off = 6 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_1 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_W | BPF_MEM, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1 },
		{ .code = BPF_ALU64 | BPF_LSH | BPF_K, .dst_reg = BPF_REG_2, .imm = 3 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_X, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_2 },
		{ .code = BPF_LDX | BPF_DW | BPF_MEM, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_0,
		  .off = offsetof(struct kernel_nondet_table, values) },
	};

	for (size_t i = 0; i < KERNEL_NONDET_STAND_IN_LEN; i++)
		out[i] = seq[i];
}

int kernel_nondet__rewrite(const struct bpf_insn *insns, size_t cnt, int table_fd, struct bpf_insn **out,
			   size_t *out_cnt)
{
	size_t *moved = malloc((cnt + 1) * sizeof(*moved)), n = 0;
	struct bpf_insn *to;
	int err = 0;

	*out = NULL;
	if (!moved)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		moved[i] = n;
		n += is_stand_in_call(&insns[i]) ? KERNEL_NONDET_STAND_IN_LEN : 1;
	}
	moved[cnt] = n;
	to = malloc(n * sizeof(*to));
	if (!to) {
		free(moved);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cnt && !err; i++) {
		struct bpf_insn *at = &to[moved[i]];
		long target;

		if (is_stand_in_call(&insns[i])) {
			write_stand_in(at, table_fd);
			continue;
		}
		*at = insns[i];
		/* a target out of the program is the verifier's to refuse */
		if (insn_target_of(&insns[i], i, &target) && target >= 0 && target <= (long)cnt)
			err = insn_retarget(at, moved[i], (long)moved[target]);
	}
	free(moved);
	if (err) {
		free(to);
		return err;
	}
	*out = to;
	*out_cnt = n;
	return 0;
}
