/* SPDX-License-Identifier: MIT */
/*
 * The value semantics of eBPF instructions, on concrete 64-bit values.
 *
 * This is the one place where what an ALU, jump, byte-swap, sign-extending
 * load or atomic instruction computes is written down. The concrete
 * interpreter calls it for every instruction and the symbolic engine calls it
 * whenever all operands are concrete, so both agree with each other and, bit
 * for bit, with the kernel (kernel/bpf/core.c): division by zero gives 0,
 * modulo by zero leaves the dividend, signed division of the minimum by -1
 * gives the minimum, shift amounts are masked to the operand width, and every
 * 32-bit result is zero-extended.
 */
#ifndef MHSE_SEM_H
#define MHSE_SEM_H

#include <stdbool.h>
#include <stdint.h>
#include "insn.h"

static inline uint64_t sem_sext(uint64_t v, unsigned bits)
{
	unsigned shift = 64 - bits;
	return (uint64_t)((int64_t)(v << shift) >> shift);
}

/* ALU and ALU64 except BPF_END. code is the full opcode byte; off selects
 * the v4 signed division/modulo (1) and movsx width (8, 16, 32). */
static inline uint64_t sem_alu(uint8_t code, int16_t off, uint64_t dst, uint64_t src)
{
	bool is64 = BPF_CLASS(code) == BPF_ALU64;
	unsigned width = is64 ? 64 : 32;
	uint64_t mask = is64 ? UINT64_MAX : UINT32_MAX;
	uint64_t r;

	if (!is64) {
		dst &= mask;
		src &= mask;
	}
	switch (BPF_OP(code)) {
	case BPF_ADD: r = dst + src; break;
	case BPF_SUB: r = dst - src; break;
	case BPF_MUL: r = dst * src; break;
	case BPF_OR: r = dst | src; break;
	case BPF_AND: r = dst & src; break;
	case BPF_XOR: r = dst ^ src; break;
	case BPF_LSH: r = dst << (src & (width - 1)); break;
	case BPF_RSH: r = dst >> (src & (width - 1)); break;
	case BPF_ARSH: r = (uint64_t)((int64_t)sem_sext(dst, width) >> (src & (width - 1))); break;
	case BPF_NEG: r = -dst; break;
	case BPF_MOV: r = off ? sem_sext(src, (unsigned)off) : src; break;
	case BPF_DIV:
		if (!src) {
			r = 0;
		} else if (off == 1) {
			int64_t a = (int64_t)sem_sext(dst, width), b = (int64_t)sem_sext(src, width);
			r = b == -1 ? -(uint64_t)a : (uint64_t)(a / b);
		} else {
			r = dst / src;
		}
		break;
	case BPF_MOD:
		if (!src) {
			r = dst;
		} else if (off == 1) {
			int64_t a = (int64_t)sem_sext(dst, width), b = (int64_t)sem_sext(src, width);
			r = b == -1 ? 0 : (uint64_t)(a % b);
		} else {
			r = dst % src;
		}
		break;
	default: r = dst; break;
	}
	return r & mask;
}

/* BPF_END: to-little/to-big endian in class ALU (host is little-endian, so
 * "le" only truncates), unconditional swap in class ALU64 (v4). */
static inline uint64_t sem_bswap(uint8_t code, int32_t width, uint64_t dst)
{
	bool swap = BPF_CLASS(code) == BPF_ALU64 || BPF_SRC(code) == BPF_TO_BE;

	switch (width) {
	case 16: return swap ? __builtin_bswap16((uint16_t)dst) : (uint16_t)dst;
	case 32: return swap ? __builtin_bswap32((uint32_t)dst) : (uint32_t)dst;
	default: return swap ? __builtin_bswap64(dst) : dst;
	}
}

/* Conditional jumps of JMP (64-bit compare) and JMP32 (low halves). */
static inline bool sem_cond(uint8_t code, uint64_t a, uint64_t b)
{
	if (BPF_CLASS(code) == BPF_JMP32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	unsigned width = BPF_CLASS(code) == BPF_JMP32 ? 32 : 64;
	int64_t sa = (int64_t)sem_sext(a, width), sb = (int64_t)sem_sext(b, width);

	switch (BPF_OP(code)) {
	case BPF_JA: return true;
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSET: return (a & b) != 0;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	case BPF_JSLE: return sa <= sb;
	default: return false;
	}
}

static inline unsigned sem_size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

/* The register value of a load of `bytes` bytes whose raw little-endian
 * value is raw: zero-extended, or sign-extended for BPF_MEMSX. */
static inline uint64_t sem_load_value(uint8_t code, uint64_t raw)
{
	unsigned bits = sem_size_bytes(code) * 8;
	if (bits < 64)
		raw &= (UINT64_C(1) << bits) - 1;
	return BPF_MODE(code) == BPF_MEMSX ? sem_sext(raw, bits) : raw;
}

/* The value an atomic read-modify-write stores, from the old memory value and
 * the source operand (cmpxchg and xchg are the caller's: they need r0). */
static inline uint64_t sem_atomic_op(int32_t imm, uint64_t old, uint64_t src)
{
	switch (imm & ~BPF_FETCH) {
	case BPF_ADD: return old + src;
	case BPF_OR: return old | src;
	case BPF_AND: return old & src;
	case BPF_XOR: return old ^ src;
	default: return src; /* BPF_XCHG */
	}
}

#endif
