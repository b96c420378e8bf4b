/* SPDX-License-Identifier: MIT */
/*
 * A test's nondeterministic helper results, stood in for the helper calls
 * of a program the kernel referee loads (core/kernel.c).
 *
 * The kernel will not read the same clock, random number or CPU id twice,
 * so a test whose path depends on one could not be refereed. The program
 * loaded instead reads each such result from a table, in call order: a
 * call of a helper whose one effect is its result (helper_returns_recorded)
 * becomes a short sequence that takes the next value from an array map of
 * one struct kernel_nondet_table, and 0 once the table runs out, as the
 * interpreter does. Everything else the program does, the kernel does.
 */
#ifndef MHSE_KERNEL_NONDET_H
#define MHSE_KERNEL_NONDET_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* The most results one test run can be given. */
#define KERNEL_NONDET_MAX 256
/* The instructions of one stand-in. */
#define KERNEL_NONDET_STAND_IN_LEN 12

struct kernel_nondet_table {
	uint32_t next;
	uint32_t pad;
	uint64_t values[KERNEL_NONDET_MAX];
};

/* How many calls of such helpers insns holds. */
size_t kernel_nondet__calls(const struct bpf_insn *insns, size_t cnt);

/* Where instruction idx of insns lands once rewritten. */
size_t kernel_nondet__moved(const struct bpf_insn *insns, size_t idx);

/* insns with each such call replaced by a read of the table in map
 * table_fd: a new array in *out (*out_cnt instructions), jumps, calls and
 * function references adjusted across the longer sequences. Returns 0, or
 * -ENOMEM, or -E2BIG when a jump no longer fits its 16-bit offset. */
int kernel_nondet__rewrite(const struct bpf_insn *insns, size_t cnt, int table_fd, struct bpf_insn **out,
			   size_t *out_cnt);

#endif
