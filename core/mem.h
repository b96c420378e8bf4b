/* SPDX-License-Identifier: MIT */
/*
 * Memory as separate regions, not a flat address space.
 *
 * Every piece of memory a program can reach (a stack frame, the context, the
 * packet, one map value, one global-data section, a conformance vector's
 * input) is a region with its own bounds. A pointer the program holds is the
 * 64-bit value MEM_ADDR(id, offset): region id + 1 in the upper half, so that
 * no valid pointer is NULL and pointer arithmetic, comparisons and spills
 * behave as plain integers, while every access is translated back and checked
 * against the region it names. An access that leaves its region is an error
 * the caller reports with the instruction; it can never touch host memory.
 *
 * A region may expose a window [lo, hi) of a larger buffer: the packet keeps
 * its XDP headroom and tailroom in the buffer, and adjust_head/adjust_tail
 * move the window.
 */
#ifndef MHSE_MEM_H
#define MHSE_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mem_kind {
	MEM_STACK,
	MEM_CTX,
	MEM_PACKET,
	MEM_MAP_VALUE,
	MEM_GLOBAL, /* .data/.rodata/.bss/.kconfig: a map value too, named apart for messages */
	MEM_RAW,    /* input memory of a conformance vector or a raw-memory hook */
	MEM_HELPER, /* memory a helper hands out: ringbuf records, socket objects */
	MEM_DEAD,   /* freed: any access is an error */
	MEM_KERNEL, /* kernel memory a kernel pointer names (the symbolic engine's, state.h) */
};

struct mem_region {
	uint8_t *buf;
	uint32_t lo, hi; /* accessible window of buf */
	uint32_t cap;    /* bytes allocated in buf */
	uint8_t kind;    /* enum mem_kind */
	bool writable;
	bool owned;      /* buf is freed with the region table */
	int32_t owner;   /* map index for MEM_MAP_VALUE/MEM_GLOBAL, frame for MEM_STACK, else -1 */
};

struct mem {
	struct mem_region *regions;
	uint32_t cnt, cap;
};

#define MEM_ADDR(id, off) ((((uint64_t)(id) + 1) << 32) + (uint64_t)(uint32_t)(off))
/* Addresses of regions, as far as any run numbers them (the first 4095 ids). */
#define MEM_REGION_SPACE_END MEM_ADDR(0xfff, 0)

static inline uint32_t mem_addr_region(uint64_t addr) { return (uint32_t)(addr >> 32) - 1; }
static inline uint32_t mem_addr_offset(uint64_t addr) { return (uint32_t)addr; }

/* Adds a region over buf (taking ownership when owned) with window [0, size).
 * Returns its id, or -ENOMEM. */
int mem_add(struct mem *mem, enum mem_kind kind, void *buf, uint32_t size, bool writable, bool owned,
	    int32_t owner);
/* Adds a zero-filled owned region of size bytes. */
int mem_add_zeroed(struct mem *mem, enum mem_kind kind, uint32_t size, bool writable, int32_t owner);
/* Drops every region from first on (frees owned buffers). */
void mem_truncate(struct mem *mem, uint32_t first);
void mem_free(struct mem *mem);

/* Translates an access of len bytes at addr. Returns the host pointer, or
 * NULL when addr names no live region, the bytes leave its window, or a write
 * hits a read-only region; *region is set whenever addr names a region. */
uint8_t *mem_translate(const struct mem *mem, uint64_t addr, uint32_t len, bool write, uint32_t *region);

/* A one-line description of an address for messages ("stack[1]-8", "packet+14", "map 'flows' value+4"). */
void mem_describe(const struct mem *mem, uint64_t addr, char *buf, size_t len);

/* The next run of non-zero bytes in p[from, size), gap zeroes in a row
 * ending it: [*start, *end). False when none is left. Large values and
 * kernel memory are listed this way, the rest being zero. */
static inline bool mem_next_run(const uint8_t *p, uint32_t size, uint32_t from, uint32_t gap, uint32_t *start,
				uint32_t *end)
{
	uint32_t zeros = 0, k;

	while (from < size && !p[from])
		from++;
	if (from >= size)
		return false;
	for (k = from; k < size && zeros < gap; k++)
		zeros = p[k] ? 0 : zeros + 1;
	*start = from;
	*end = k - zeros;
	return true;
}

static inline uint64_t mem_load_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void mem_store_le(uint8_t *p, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
