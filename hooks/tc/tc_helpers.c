// SPDX-License-Identifier: MIT
/*
 * tc's own helpers and context quirks. The packet is skb->data .. skb->len,
 * starting at the Ethernet header; helpers that read or write at an offset
 * refuse what lies past skb->len with the kernel's error codes
 * (net/core/filter.c). The context is prepared as the kernel's test run
 * builds an skb: protocol and pkt_type from eth_type_trans() on the
 * loopback device, wire_len defaulting to the packet length.
 */
#include <errno.h>
#include <limits.h>
#include <linux/pkt_cls.h>
#include <string.h>
#include "csum.h"
#include "helpers.h"
#include "vm_internal.h"

#define ETH_ALEN 6
#define ETH_P_802_3_MIN 0x0600
#define ETH_P_802_3 0x0001
#define ETH_P_802_2 0x0004
#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define CSUM_MANGLED_0 0xffff

static uint32_t skb_len(struct mhse_vm *vm)
{
	const struct mem_region *pkt = vm_packet(vm);

	return pkt->hi - vm->pkt_data;
}

static uint8_t *skb_data(struct mhse_vm *vm)
{
	struct mem_region *pkt = vm_packet(vm);

	return pkt->buf + vm->pkt_data;
}

static void set_field(struct mhse_vm *vm, const char *name, uint32_t value)
{
	uint8_t *f = vm_ctx_field(vm, name);

	if (f)
		mem_store_le(f, 4, value);
}

static void tc_prepare_ctx(struct mhse_vm *vm)
{
	static const uint8_t zero_mac[ETH_ALEN];
	const uint8_t *eth = skb_data(vm);
	uint32_t len = skb_len(vm), proto = 0, pkt_type = PACKET_HOST;
	uint8_t *wire_len = vm_ctx_field(vm, "wire_len");

	if (len >= 2 * ETH_ALEN + 2) {
		uint16_t h_proto = (uint16_t)(eth[12] << 8 | eth[13]);

		if (h_proto >= ETH_P_802_3_MIN)
			proto = h_proto;
		else if (len >= 16 && eth[14] == 0xff && eth[15] == 0xff)
			proto = ETH_P_802_3;
		else
			proto = ETH_P_802_2;
		/* The loopback device's address and broadcast address are all zeroes. */
		if (memcmp(eth, zero_mac, ETH_ALEN))
			pkt_type = (eth[0] & 1) ? PACKET_MULTICAST : PACKET_OTHERHOST;
	}
	set_field(vm, "protocol", __builtin_bswap16((uint16_t)proto));
	set_field(vm, "pkt_type", pkt_type);
	if (wire_len && !mem_load_le(wire_len, 4))
		mem_store_le(wire_len, 4, len);
}

static int tc_skb_load_bytes(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t offset = (uint32_t)regs[2], len = (uint32_t)regs[4];
	uint8_t *to = mhse_vm__mem(vm, regs[3], len, true);

	if (!to)
		return -1;
	if (offset > INT_MAX || (uint64_t)offset + len > skb_len(vm)) {
		memset(to, 0, len);
		regs[0] = (uint64_t)-EFAULT;
		return 0;
	}
	memcpy(to, skb_data(vm) + offset, len);
	regs[0] = 0;
	return 0;
}

static int tc_skb_store_bytes(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t offset = (uint32_t)regs[2], len = (uint32_t)regs[4];
	const uint8_t *from = mhse_vm__mem(vm, regs[3], len, false);

	if (!from)
		return -1;
	if (regs[5] & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH))
		regs[0] = (uint64_t)-EINVAL;
	else if (offset > INT_MAX || (uint64_t)offset + len > skb_len(vm))
		regs[0] = (uint64_t)-EFAULT;
	else {
		memmove(skb_data(vm) + offset, from, len);
		if (regs[5] & BPF_F_INVALIDATE_HASH)
			set_field(vm, "hash", 0);
		regs[0] = 0;
	}
	return 0;
}

/* The 16-bit checksum field at offset, or NULL with the error in regs[0]. */
static uint8_t *csum_field(struct mhse_vm *vm, uint64_t *regs, uint64_t allowed_flags)
{
	uint32_t offset = (uint32_t)regs[2];

	if (regs[5] & ~allowed_flags) {
		regs[0] = (uint64_t)-EINVAL;
		return NULL;
	}
	if (offset > 0xffff || (offset & 1) || offset + 2 > skb_len(vm)) {
		regs[0] = (uint64_t)-EFAULT;
		return NULL;
	}
	regs[0] = 0;
	return skb_data(vm) + offset;
}

static int tc_l3_csum_replace(struct mhse_vm *vm, uint64_t *regs)
{
	uint8_t *ptr = csum_field(vm, regs, BPF_F_HDR_FIELD_MASK);
	uint16_t sum;

	if (!ptr)
		return 0;
	sum = (uint16_t)mem_load_le(ptr, 2);
	switch (regs[5] & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (regs[3]) {
			regs[0] = (uint64_t)-EINVAL;
			return 0;
		}
		sum = csum_fold(csum_add((uint32_t)regs[4], ~(uint32_t)sum));
		break;
	case 2:
		sum = (uint16_t)~csum16_add(csum16_add((uint16_t)~sum, (uint16_t)~regs[3]), (uint16_t)regs[4]);
		break;
	case 4:
		sum = csum_fold(csum_add(csum_sub(~(uint32_t)sum, (uint32_t)regs[3]), (uint32_t)regs[4]));
		break;
	default:
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	mem_store_le(ptr, 2, sum);
	return 0;
}

/* The test run's skb is not CHECKSUM_PARTIAL, so the pseudo-header flag
 * changes only skb->csum, which no program reads. */
static int tc_l4_csum_replace(struct mhse_vm *vm, uint64_t *regs)
{
	uint64_t flags = regs[5];
	uint8_t *ptr = csum_field(vm, regs, BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR |
						    BPF_F_HDR_FIELD_MASK | BPF_F_IPV6);
	uint32_t sum, from = (uint32_t)regs[3], to = (uint32_t)regs[4];
	uint8_t diff[8];

	if (!ptr)
		return 0;
	sum = (uint16_t)mem_load_le(ptr, 2);
	if ((flags & BPF_F_MARK_MANGLED_0) && !(flags & BPF_F_MARK_ENFORCE) && !sum)
		return 0;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from) {
			regs[0] = (uint64_t)-EINVAL;
			return 0;
		}
		sum = csum_fold(csum_add(to, ~sum));
		break;
	case 2:
		from = (uint16_t)from;
		to = (uint16_t)to;
		/* fall through */
	case 4:
		mem_store_le(diff, 4, ~from);
		mem_store_le(diff + 4, 4, to);
		sum = csum_fold(csum_partial_words(diff, sizeof(diff), ~sum));
		break;
	default:
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if ((flags & BPF_F_MARK_MANGLED_0) && !sum)
		sum = CSUM_MANGLED_0;
	mem_store_le(ptr, 2, sum);
	return 0;
}

static int tc_redirect(struct mhse_vm *vm, uint64_t *regs)
{
	if (regs[2] & ~(uint64_t)BPF_F_INGRESS) {
		regs[0] = TC_ACT_SHOT;
		return 0;
	}
	vm->redirect_target = (uint32_t)regs[1];
	regs[0] = TC_ACT_REDIRECT;
	return 0;
}

static int tc_set_hash(struct mhse_vm *vm, uint64_t *regs)
{
	set_field(vm, "hash", (uint32_t)regs[2]);
	regs[0] = 0;
	return 0;
}

/* Only host, broadcast, multicast and other-host may be set, from one of them. */
static int tc_skb_change_type(struct mhse_vm *vm, uint64_t *regs)
{
	uint8_t *pkt_type = vm_ctx_field(vm, "pkt_type");

	if (!pkt_type || mem_load_le(pkt_type, 4) > PACKET_OTHERHOST || (uint32_t)regs[2] > PACKET_OTHERHOST) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	mem_store_le(pkt_type, 4, (uint32_t)regs[2]);
	regs[0] = 0;
	return 0;
}

/* The test run's skb is linear: pulling succeeds up to its length (0
 * means all of it), and past it pskb_may_pull fails. */
static int tc_skb_pull_data(struct mhse_vm *vm, uint64_t *regs)
{
	regs[0] = (uint32_t)regs[2] > skb_len(vm) ? (uint64_t)-ENOMEM : 0;
	return 0;
}

/* The test run's skb is not CHECKSUM_COMPLETE: the kernel refuses. */
static int tc_csum_update(struct mhse_vm *vm, uint64_t *regs)
{
	(void)vm;
	regs[0] = (uint64_t)-ENOTSUPP;
	return 0;
}

static const struct helper_impl tc_helpers[] = {
	{ BPF_FUNC_skb_load_bytes, tc_skb_load_bytes },
	{ BPF_FUNC_skb_store_bytes, tc_skb_store_bytes },
	{ BPF_FUNC_l3_csum_replace, tc_l3_csum_replace },
	{ BPF_FUNC_l4_csum_replace, tc_l4_csum_replace },
	{ BPF_FUNC_redirect, tc_redirect },
	{ BPF_FUNC_set_hash, tc_set_hash },
	{ BPF_FUNC_skb_change_type, tc_skb_change_type },
	{ BPF_FUNC_csum_update, tc_csum_update },
	{ BPF_FUNC_skb_pull_data, tc_skb_pull_data },
};

const struct helper_module helpers_tc = { "tc", tc_helpers, sizeof(tc_helpers) / sizeof(tc_helpers[0]), tc_prepare_ctx };
