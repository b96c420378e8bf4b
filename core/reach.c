// SPDX-License-Identifier: MIT
/*
 * Reachability with the constants the verifier knows: a forward walk that
 * keeps, per instruction, which registers hold the same constant on every
 * way to it (set by an immediate, or computed from such by ALU
 * instructions, as the verifier's exact scalars are). A conditional jump
 * on two known operands goes one way only. The walk runs to a fixed point:
 * a register forgotten on a later way makes a jump's other side reachable
 * then. Anything loaded from memory is unknown, so the answer errs toward
 * reachable, never the other way.
 *
 * The same walk keeps which registers refer to one function (BPF_PSEUDO_FUNC)
 * on every way, for the one rewrite whose result a program can see: the
 * verifier replaces a bpf_loop call by the loop itself when, on every way
 * to it, the flags are 0 and the callback is one function
 * (update_loop_inline_state, optimize_bpf_loop).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include "insn.h"
#include "reach.h"
#include "sem.h"

/* The registers a way brings to an instruction: bit r of known when r holds
 * the number v[r], of func when it refers to the function at instruction
 * v[r]. */
struct consts {
	uint16_t known;
	uint16_t func;
	uint64_t v[MAX_BPF_REG];
};

struct walk {
	const struct mhse_prog *prog;
	uint8_t *reach;
	struct consts *in;  /* per instruction: what every way so far agrees on */
	size_t *stack;
	bool *queued;
	size_t top;
};

static bool is_known(const struct consts *c, uint8_t reg)
{
	return reg < MAX_BPF_REG && (c->known >> reg & 1);
}

static bool is_func(const struct consts *c, uint8_t reg)
{
	return reg < MAX_BPF_REG && (c->func >> reg & 1);
}

static void set_kind(struct consts *c, uint8_t reg, bool known, bool func, uint64_t v)
{
	uint16_t bit = (uint16_t)(1u << reg);

	if (reg >= MAX_BPF_REG)
		return;
	c->known = known ? c->known | bit : c->known & (uint16_t)~bit;
	c->func = func ? c->func | bit : c->func & (uint16_t)~bit;
	c->v[reg] = v;
}

static void set(struct consts *c, uint8_t reg, bool known, uint64_t v)
{
	set_kind(c, reg, known, false, v);
}

/* Of the registers in mask, those a and b give the same value. */
static uint16_t agreed(uint16_t mask, const struct consts *a, const struct consts *b)
{
	for (uint8_t r = 0; r < MAX_BPF_REG; r++)
		if ((mask >> r & 1) && a->v[r] != b->v[r])
			mask &= (uint16_t)~(1u << r);
	return mask;
}

/* Control may go from here to target with c: target keeps what both agree on. */
static void flow(struct walk *w, int64_t target, const struct consts *c)
{
	struct consts *in;
	uint16_t known, func;

	if (target < 0 || (uint64_t)target >= w->prog->insn_cnt)
		return;
	in = &w->in[target];
	if (!(w->reach[target] & REACH_INSN)) {
		w->reach[target] |= REACH_INSN;
		*in = *c;
	} else {
		known = agreed(in->known & c->known, in, c);
		func = agreed(in->func & c->func, in, c);
		if (known == in->known && func == in->func)
			return;
		in->known = known;
		in->func = func;
	}
	if (!w->queued[target]) {
		w->queued[target] = true;
		w->stack[w->top++] = (size_t)target;
	}
}

static void alu(struct consts *c, const struct bpf_insn *insn)
{
	uint8_t op = BPF_OP(insn->code), dst = insn->dst_reg;
	bool src_known = BPF_SRC(insn->code) == BPF_K || is_known(c, insn->src_reg);
	uint64_t src = BPF_SRC(insn->code) == BPF_K ? (uint64_t)(int64_t)insn->imm :
		       insn->src_reg < MAX_BPF_REG ? c->v[insn->src_reg] : 0;
	uint64_t dst_v = dst < MAX_BPF_REG ? c->v[dst] : 0;

	/* a program the structural check refused has instructions sem.h does
	 * not define (a sign extension of 25856 bits): their results are unknown */
	if (op == BPF_MOV && insn->off && insn->off != 8 && insn->off != 16 && insn->off != 32)
		set(c, dst, false, 0);
	else if (op == BPF_MOV && BPF_CLASS(insn->code) == BPF_ALU64 && BPF_SRC(insn->code) == BPF_X &&
		 !insn->off && is_func(c, insn->src_reg))
		set_kind(c, dst, false, true, c->v[insn->src_reg]);
	else if (op == BPF_END)
		set(c, dst, is_known(c, dst), sem_bswap(insn->code, insn->imm, dst_v));
	else
		set(c, dst, (op == BPF_NEG || src_known) && (op == BPF_MOV || is_known(c, dst)),
		    sem_alu(insn->code, insn->off, dst_v, src));
}

/* What a call leaves: r0 to r5 unknown, the caller's r6 to r9 as they were. */
static void forget_call(struct consts *c)
{
	c->known &= (uint16_t)~0x3fu;
	c->func &= (uint16_t)~0x3fu;
}

/* What the instruction at pc leaves in the registers, on every way out of it. */
static void transfer(struct consts *c, const struct bpf_insn *insns, size_t pc, bool has_second_slot)
{
	const struct bpf_insn *insn = &insns[pc];
	long target;

	if (insn_is_ld_imm64(insn)) {
		if (insn->src_reg == BPF_PSEUDO_FUNC && insn_target_of(insn, pc, &target))
			set_kind(c, insn->dst_reg, false, true, (uint64_t)target);
		else
			set(c, insn->dst_reg, insn->src_reg == 0 && has_second_slot,
			    has_second_slot ? insn_imm64(insn) : 0);
		return;
	}
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		alu(c, insn);
		break;
	case BPF_LDX:
		set(c, insn->dst_reg, false, 0);
		break;
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_ATOMIC && insn->imm == BPF_CMPXCHG)
			set(c, BPF_REG_0, false, 0);
		else if (BPF_MODE(insn->code) == BPF_ATOMIC && (insn->imm & BPF_FETCH))
			set(c, insn->src_reg, false, 0);
		break;
	case BPF_LD: /* a legacy packet load: r0, and r1 to r5 clobbered */
		forget_call(c);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (BPF_OP(insn->code) == BPF_CALL)
			forget_call(c);
		break;
	}
}

static void step(struct walk *w, size_t pc)
{
	static const struct consts none;
	const struct bpf_insn *insn = &w->prog->insns[pc];
	struct consts c = w->in[pc];
	struct insn_edge edges[INSN_MAX_EDGES];
	size_t n = insn_edges(w->prog->insns, w->prog->insn_cnt, pc, edges);
	bool conditional = insn_is_cond_jump(insn);
	uint8_t sides = REACH_JUMPS | REACH_FALLS;

	transfer(&c, w->prog->insns, pc, pc + 1 < w->prog->insn_cnt);
	if (conditional && is_known(&c, insn->dst_reg) && (BPF_SRC(insn->code) == BPF_K || is_known(&c, insn->src_reg)))
		sides = sem_cond(insn->code, c.v[insn->dst_reg],
				 BPF_SRC(insn->code) == BPF_K ? (uint64_t)(int64_t)insn->imm : c.v[insn->src_reg]) ?
				REACH_JUMPS : REACH_FALLS;
	if (conditional)
		w->reach[pc] |= sides;
	for (size_t i = 0; i < n; i++) {
		if (edges[i].kind == INSN_EDGE_FUNC)
			flow(w, (int64_t)edges[i].to, &none);
		else if (!conditional || (sides & (edges[i].kind == INSN_EDGE_JUMP ? REACH_JUMPS : REACH_FALLS)))
			flow(w, (int64_t)edges[i].to, &c);
	}
}

int prog__reach(const struct mhse_prog *prog, uint8_t *reach)
{
	static const struct consts none;
	size_t n = prog->insn_cnt ? prog->insn_cnt : 1;
	struct walk w = { .prog = prog, .reach = reach };
	int err = 0;

	w.in = calloc(n, sizeof(*w.in));
	w.stack = calloc(n, sizeof(*w.stack));
	w.queued = calloc(n, sizeof(*w.queued));
	if (!w.in || !w.stack || !w.queued) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < prog->insn_cnt; i++)
		reach[i] = 0;
	flow(&w, 0, &none);
	while (w.top) {
		size_t pc = w.stack[--w.top];

		w.queued[pc] = false;
		step(&w, pc);
	}
	for (size_t pc = 0; pc < prog->insn_cnt; pc++)
		if ((reach[pc] & REACH_INSN) && insn_is_helper_call(&prog->insns[pc], BPF_FUNC_loop) &&
		    is_known(&w.in[pc], BPF_REG_4) && !w.in[pc].v[BPF_REG_4] && is_func(&w.in[pc], BPF_REG_2))
			reach[pc] |= REACH_LOOP_INLINED;
out:
	free(w.in);
	free(w.stack);
	free(w.queued);
	return err;
}
