// SPDX-License-Identifier: MIT
/*
 * XDP's own helpers, on the packet buffer as the kernel lays it out for a
 * test run: the spec's headroom before the data (the first bytes of which
 * hold struct xdp_frame and may never be data), metadata growing down from
 * the data, and the frame ending frame_size bytes after the buffer start.
 * Bounds and return codes follow net/core/filter.c. The three adjust
 * helpers change the packet: the program's packet pointers die with the
 * call (helper_changes_packet, for every hook).
 */
#include <errno.h>
#include <string.h>
#include "helpers.h"
#include "hooks/tc/fib.h"
#include "hooks/tc/mtu.h"
#include "vm_internal.h"

#define XDP_FRAME_SIZE 40 /* sizeof(struct xdp_frame): never part of data or metadata */
#define ETH_HLEN 14
#define XDP_METALEN_MAX 32
#define XDP_ACTION_MASK 3 /* XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX */

static int xdp_adjust_head(struct mhse_vm *vm, uint64_t *regs)
{
	struct mem_region *pkt = vm_packet(vm);
	int64_t offset = (int32_t)regs[2], metalen = vm->pkt_data - pkt->lo;
	int64_t data = vm->pkt_data + offset;

	if (data < XDP_FRAME_SIZE + metalen || data > (int64_t)pkt->hi - ETH_HLEN) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if (metalen)
		memmove(pkt->buf + pkt->lo + offset, pkt->buf + pkt->lo, metalen);
	pkt->lo = (uint32_t)(pkt->lo + offset);
	vm->pkt_data = (uint32_t)data;
	regs[0] = 0;
	return 0;
}

static int xdp_adjust_tail(struct mhse_vm *vm, uint64_t *regs)
{
	struct mem_region *pkt = vm_packet(vm);
	int64_t offset = (int32_t)regs[2], end = pkt->hi + offset;

	if (end > pkt->cap || end < vm->pkt_data + ETH_HLEN) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if (offset > 0)
		memset(pkt->buf + pkt->hi, 0, offset);
	pkt->hi = (uint32_t)end;
	regs[0] = 0;
	return 0;
}

static int xdp_adjust_meta(struct mhse_vm *vm, uint64_t *regs)
{
	struct mem_region *pkt = vm_packet(vm);
	int64_t meta = pkt->lo + (int64_t)(int32_t)regs[2], metalen = vm->pkt_data - meta;

	if (meta < XDP_FRAME_SIZE || meta > vm->pkt_data) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if ((metalen & 3) || metalen > XDP_METALEN_MAX) {
		regs[0] = (uint64_t)-EACCES;
		return 0;
	}
	pkt->lo = (uint32_t)meta;
	regs[0] = 0;
	return 0;
}

static int xdp_redirect(struct mhse_vm *vm, uint64_t *regs)
{
	if (regs[2]) {
		regs[0] = XDP_ABORTED;
		return 0;
	}
	vm->redirect_target = (uint32_t)regs[1];
	regs[0] = XDP_REDIRECT;
	return 0;
}

static int xdp_redirect_map(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms = vm_map(vm, regs[1]);
	uint64_t flags = regs[3], flag_mask = 0;
	uint32_t key = (uint32_t)regs[2];

	/* the verifier takes no other map here */
	if (!ms || !map_is_redirect_target(ms->def->type))
		return -1;
	/* Only device maps broadcast. */
	if (ms->def->type == BPF_MAP_TYPE_DEVMAP || ms->def->type == BPF_MAP_TYPE_DEVMAP_HASH)
		flag_mask = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
	if (flags & ~(XDP_ACTION_MASK | flag_mask)) {
		regs[0] = XDP_ABORTED;
		return 0;
	}
	if (!map_state__value(ms, &key) && !(flags & BPF_F_BROADCAST)) {
		regs[0] = flags & XDP_ACTION_MASK;
		return 0;
	}
	vm->redirect_target = key;
	regs[0] = XDP_REDIRECT;
	return 0;
}

/* xdp_load_bytes / xdp_store_bytes on a linear (single-buffer) packet. */
static uint8_t *xdp_bytes(struct mhse_vm *vm, uint64_t *regs)
{
	struct mem_region *pkt = vm_packet(vm);
	uint32_t offset = (uint32_t)regs[2], len = (uint32_t)regs[4];

	if (offset > 0xffff || len > 0xffff) {
		regs[0] = (uint64_t)-EFAULT;
		return NULL;
	}
	if ((uint64_t)offset + len > pkt->hi - vm->pkt_data) {
		regs[0] = (uint64_t)-EINVAL;
		return NULL;
	}
	regs[0] = 0;
	return pkt->buf + vm->pkt_data + offset;
}

static int xdp_load_bytes(struct mhse_vm *vm, uint64_t *regs)
{
	uint8_t *buf = mhse_vm__mem(vm, regs[3], (uint32_t)regs[4], true), *src;

	if (!buf)
		return -1;
	if ((src = xdp_bytes(vm, regs)))
		memcpy(buf, src, (uint32_t)regs[4]);
	return 0;
}

/* bpf_xdp_get_buff_len: the packet's length, from its data (no fragments here) */
static int xdp_get_buff_len(struct mhse_vm *vm, uint64_t *regs)
{
	regs[0] = vm_packet(vm)->hi - vm->pkt_data;
	return 0;
}

static int xdp_store_bytes(struct mhse_vm *vm, uint64_t *regs)
{
	const uint8_t *buf = mhse_vm__mem(vm, regs[3], (uint32_t)regs[4], false);
	uint8_t *dst;

	if (!buf)
		return -1;
	if ((dst = xdp_bytes(vm, regs)))
		memcpy(dst, buf, (uint32_t)regs[4]);
	return 0;
}

/* XDP checks the MTU against the route's, never against a device (fib.h). */
static int xdp_fib_lookup(struct mhse_vm *vm, uint64_t *regs)
{
	return fib_lookup_run(vm, regs, false);
}

static int xdp_check_mtu(struct mhse_vm *vm, uint64_t *regs)
{
	return check_mtu_run(vm, regs, vm_packet(vm)->hi - vm->pkt_data, false);
}

#define HELPER(name, contexts, concrete, symbolic) { BPF_FUNC_##name, contexts, concrete },
static const struct helper_impl xdp_helpers[] = {
#include "xdp_helper_list.h"
};
#undef HELPER

const struct helper_module helpers_xdp = { "xdp", xdp_helpers, sizeof(xdp_helpers) / sizeof(xdp_helpers[0]), NULL };
