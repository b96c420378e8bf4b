/* SPDX-License-Identifier: MIT */
/*
 * The instructions of a program control may reach, as the kernel verifier
 * sees them: a conditional jump whose operands are the same constants on
 * every way to it (a CO-RE feature check after relocation: r1 = 1; if r1
 * == 0 goto) takes one side, and what only the other side reaches is dead
 * code, which the verifier removes before the program runs. Coverage counts
 * what is left, and only the jumps with two sides as branches.
 */
#ifndef MHSE_REACH_H
#define MHSE_REACH_H

#include <stdint.h>
#include "object.h"

enum {
	REACH_INSN = 1,  /* control may reach the instruction */
	REACH_FALLS = 2, /* a conditional jump that may fall through */
	REACH_JUMPS = 4, /* a conditional jump that may jump */
	/* a bpf_loop call the verifier replaces by the loop: flags 0 and one
	 * callback on every way to it. The loop it writes compares all 64 bits
	 * of nr_loops (the helper, only its low 32) and sets -E2BIG with a
	 * 32-bit move, so a program sees 0xfffffff9, not -7. */
	REACH_LOOP_INLINED = 8,
};

/* Sets reach[i] (prog->insn_cnt entries) to the REACH_* bits of each
 * instruction. 0 or -ENOMEM. */
int prog__reach(const struct mhse_prog *prog, uint8_t *reach);

/* Whether reach marks a conditional jump with both sides. */
static inline bool reach_is_branch(uint8_t reach)
{
	return (reach & (REACH_FALLS | REACH_JUMPS)) == (REACH_FALLS | REACH_JUMPS);
}

#endif
