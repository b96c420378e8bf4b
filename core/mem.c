// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "mem.h"

int mem_add(struct mem *mem, enum mem_kind kind, void *buf, uint32_t size, bool writable, bool owned,
	    int32_t owner)
{
	if (mem->cnt == mem->cap) {
		uint32_t cap = mem->cap ? mem->cap * 2 : 64;
		struct mem_region *r = realloc(mem->regions, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		mem->regions = r;
		mem->cap = cap;
	}
	mem->regions[mem->cnt] = (struct mem_region){
		.buf = buf, .lo = 0, .hi = size, .cap = size, .kind = (uint8_t)kind,
		.writable = writable, .owned = owned, .owner = owner,
	};
	return (int)mem->cnt++;
}

int mem_add_zeroed(struct mem *mem, enum mem_kind kind, uint32_t size, bool writable, int32_t owner)
{
	void *buf = calloc(1, size ? size : 1);
	int id;

	if (!buf)
		return -ENOMEM;
	id = mem_add(mem, kind, buf, size, writable, true, owner);
	if (id < 0)
		free(buf);
	return id;
}

void mem_truncate(struct mem *mem, uint32_t first)
{
	for (uint32_t i = first; i < mem->cnt; i++)
		if (mem->regions[i].owned)
			free(mem->regions[i].buf);
	if (first < mem->cnt)
		mem->cnt = first;
}

void mem_free(struct mem *mem)
{
	mem_truncate(mem, 0);
	free(mem->regions);
	*mem = (struct mem){0};
}

uint8_t *mem_translate(const struct mem *mem, uint64_t addr, uint32_t len, bool write, uint32_t *region)
{
	uint32_t id = mem_addr_region(addr), off = mem_addr_offset(addr);
	const struct mem_region *r;

	if (id >= mem->cnt)
		return NULL;
	*region = id;
	r = &mem->regions[id];
	if (r->kind == MEM_DEAD || (write && !r->writable))
		return NULL;
	if (off < r->lo || off > r->hi || len > r->hi - off)
		return NULL;
	return r->buf + off;
}

static const char *const kind_names[] = {
	[MEM_STACK] = "stack", [MEM_CTX] = "ctx", [MEM_PACKET] = "packet", [MEM_MAP_VALUE] = "map value",
	[MEM_GLOBAL] = "global data", [MEM_RAW] = "memory", [MEM_HELPER] = "helper memory", [MEM_DEAD] = "freed memory",
	[MEM_KERNEL] = "kernel memory",
};

void mem_describe(const struct mem *mem, uint64_t addr, char *buf, size_t len)
{
	uint32_t id = mem_addr_region(addr);
	int64_t off;

	if (addr == 0) {
		snprintf(buf, len, "NULL");
		return;
	}
	if (id >= mem->cnt) {
		snprintf(buf, len, "0x%llx (not a pointer)", (unsigned long long)addr);
		return;
	}
	const struct mem_region *r = &mem->regions[id];
	/* Stack offsets read as the program wrote them: from the frame pointer. */
	off = (int64_t)mem_addr_offset(addr) - (r->kind == MEM_STACK ? r->hi : r->lo);
	snprintf(buf, len, "%s%+lld (size %u)", kind_names[r->kind], (long long)off, r->hi - r->lo);
}
