/* SPDX-License-Identifier: MIT */
/*
 * Internet checksum arithmetic as the kernel does it on x86-64
 * (arch/x86/include/asm/checksum_64.h and include/net/checksum.h): 32-bit
 * partial sums with end-around carry, folded to 16 bits only at the end.
 * Values are taken as they sit in memory, loaded little-endian, so network
 * byte order needs no conversion.
 */
#ifndef MHSE_CSUM_H
#define MHSE_CSUM_H

#include <stdint.h>
#include "mem.h"

static inline uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;
	return r + (r < b);
}

static inline uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return csum_add(a, ~b);
}

static inline uint16_t csum16_add(uint16_t sum, uint16_t addend)
{
	uint16_t r = (uint16_t)(sum + addend);
	return (uint16_t)(r + (r < addend));
}

static inline uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* csum_partial over len bytes (a multiple of 4) with initial sum seed. */
static inline uint32_t csum_partial_words(const uint8_t *buf, uint32_t len, uint32_t seed)
{
	uint64_t sum = seed;

	for (uint32_t i = 0; i < len; i += 4)
		sum += (uint32_t)mem_load_le(buf + i, 4);
	while (sum >> 32)
		sum = (sum & UINT32_MAX) + (sum >> 32);
	return (uint32_t)sum;
}

#endif
