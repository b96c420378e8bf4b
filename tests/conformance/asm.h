/* SPDX-License-Identifier: MIT */
/*
 * An assembler for the uBPF assembler syntax the conformance vectors are
 * written in: "mov %r0, 1", "ldxh %r3, [%r1+12]", "jne %r3, 0x81, L1",
 * "lock fetch add32 [%r10-4], %r1", labels "L1:", "#" comments.
 */
#ifndef MHSE_CONFORMANCE_ASM_H
#define MHSE_CONFORMANCE_ASM_H

#include <stddef.h>
#include <linux/bpf.h>

/* Assembles text. Returns 0 with a malloc'd array in *insns and its length
 * in *cnt, or a negative errno with "line N: reason" in err (lines counted
 * from 1 at the start of text). */
int asm_assemble(const char *text, struct bpf_insn **insns, size_t *cnt, char *err, size_t err_len);

#endif
