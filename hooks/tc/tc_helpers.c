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
#include <sys/socket.h>
#include <linux/pkt_cls.h>
#include <string.h>
#include "csum.h"
#include "fib.h"
#include "helpers.h"
#include "mtu.h"
#include "packet_edit.h"
#include "skb.h"
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

/* The protocol eth_type_trans() and vlan_set_encap_proto() make of an
 * EtherType with avail bytes from it to the packet's end: a value below
 * 0x0600 is an 802.3 length, the packet raw 802.3 when 0xffff follows,
 * else 802.2. */
static uint16_t ethertype_protocol(const uint8_t *type, uint32_t avail)
{
	uint16_t h_proto = (uint16_t)(type[0] << 8 | type[1]);

	if (h_proto >= ETH_P_802_3_MIN)
		return h_proto;
	return avail >= 4 && type[2] == 0xff && type[3] == 0xff ? ETH_P_802_3 : ETH_P_802_2;
}

/* The test run's skb carries no VLAN tag outside its data (a hw-accel tag):
 * vlan_present, vlan_tci and vlan_proto start at 0. */
static void tc_prepare_ctx(struct mhse_vm *vm)
{
	static const uint8_t zero_mac[ETH_ALEN];
	const uint8_t *eth = skb_data(vm);
	uint32_t len = skb_len(vm), proto = 0, pkt_type = PACKET_HOST;
	uint8_t *wire_len = vm_ctx_field(vm, "wire_len");

	if (len >= 2 * ETH_ALEN + 2) {
		proto = ethertype_protocol(eth + 2 * ETH_ALEN, len - 2 * ETH_ALEN);
		/* The loopback device's address and broadcast address are all zeroes. */
		if (memcmp(eth, zero_mac, ETH_ALEN))
			pkt_type = (eth[0] & 1) ? PACKET_MULTICAST : PACKET_OTHERHOST;
	}
	vm->skb_net_off = ETH_HLEN;
	vm->skb_encapsulated = false;
	vm->skb_tunnel_set = false;
	set_field(vm, "protocol", __builtin_bswap16((uint16_t)proto));
	set_field(vm, "pkt_type", pkt_type);
	set_field(vm, "vlan_present", 0);
	set_field(vm, "vlan_tci", 0);
	set_field(vm, "vlan_proto", 0);
	if (wire_len && !mem_load_le(wire_len, 4))
		mem_store_le(wire_len, 4, len);
}

/* Copies len bytes at offset from start (bytes from the data) to the
 * program's buffer; an offset over max_off, or bytes past the packet,
 * clear the buffer and fail. A start past the packet (an invalid header)
 * fails whatever the offset. */
static int load_bytes(struct mhse_vm *vm, uint64_t *regs, uint32_t start, uint32_t max_off)
{
	uint32_t offset = (uint32_t)regs[2], len = (uint32_t)regs[4];
	uint8_t *to = mhse_vm__mem(vm, regs[3], len, true);

	if (!to)
		return -1;
	if (offset > max_off || (uint64_t)start + offset + len > skb_len(vm)) {
		memset(to, 0, len);
		regs[0] = (uint64_t)-EFAULT;
		return 0;
	}
	memcpy(to, skb_data(vm) + start + offset, len);
	regs[0] = 0;
	return 0;
}

static int tc_skb_load_bytes(struct mhse_vm *vm, uint64_t *regs)
{
	return load_bytes(vm, regs, 0, INT_MAX);
}

/* From the MAC header (the data, in tc) or the network header. */
static int tc_skb_load_bytes_relative(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t header = (uint32_t)regs[5];

	if (header > BPF_HDR_START_NET)
		return load_bytes(vm, regs, UINT32_MAX, 0);
	return load_bytes(vm, regs, header == BPF_HDR_START_NET ? vm->skb_net_off : 0, LOAD_RELATIVE_MAX);
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

/* A 4-byte context field's value (0 when the spec has no such field). */
static uint32_t field_value(struct mhse_vm *vm, const char *name)
{
	const uint8_t *f = vm_ctx_field(vm, name);

	return f ? (uint32_t)mem_load_le(f, 4) : 0;
}

/* skb->protocol, in host byte order. */
static uint16_t skb_protocol(struct mhse_vm *vm)
{
	return __builtin_bswap16((uint16_t)field_value(vm, "protocol"));
}

/* The IP header length skb->protocol names (bpf_skb_net_base_len), or 0. */
static uint32_t net_base_len(struct mhse_vm *vm)
{
	uint16_t ethertype = skb_protocol(vm);

	return ethertype == ETH_P_IP ? 20 : ethertype == ETH_P_IPV6 ? 40 : 0;
}

static int tc_skb_change_tail(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t len = (uint32_t)regs[2];

	if (regs[3] || len > SKB_MAX_LEN || len < vm->skb_net_off) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	regs[0] = 0;
	return vm_packet_set_len(vm, len) ? mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory") : 0;
}

/* Zeroes in front of the data; the network header stays where it was. */
static int tc_skb_change_head(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t room = (uint32_t)regs[2], len = skb_len(vm);

	if (regs[3] || len + room > SKB_MAX_LEN || len + room < len) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	vm->skb_net_off += room;
	regs[0] = 0;
	return vm_packet_splice(vm, 0, (int32_t)room) ? mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory") : 0;
}

/* An outer L3 header of another protocol than the packet's becomes
 * skb->protocol; the network header stays after the MAC header. */
static void encapsulate(struct mhse_vm *vm, uint64_t flags)
{
	uint16_t proto = skb_protocol(vm);

	vm->skb_encapsulated = true;
	if (proto == ETH_P_IP && (flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6))
		set_field(vm, "protocol", __builtin_bswap16(ETH_P_IPV6));
	else if (proto == ETH_P_IPV6 && (flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV4))
		set_field(vm, "protocol", __builtin_bswap16(ETH_P_IP));
}

/* Room at the MAC or network header: the headers before the offset move
 * with the data, so the network header keeps its distance from it. */
static int tc_skb_adjust_room(struct mhse_vm *vm, uint64_t *regs)
{
	int32_t diff = (int32_t)regs[2];
	uint32_t mode = (uint32_t)regs[3], size = diff < 0 ? -(uint32_t)diff : (uint32_t)diff;
	uint32_t base = net_base_len(vm), len = skb_len(vm), cur = len - vm->skb_net_off;
	uint32_t off = vm->skb_net_off + (mode == BPF_ADJ_ROOM_NET ? base : 0);
	uint64_t flags = regs[4];
	int64_t err = 0;

	if (flags & ~ADJ_ROOM_FLAGS)
		err = -EINVAL;
	else if (size > ADJ_ROOM_MAX)
		err = -EFAULT;
	else if (!base || mode > BPF_ADJ_ROOM_MAC)
		err = -ENOTSUPP;
	else if (diff < 0 ? size >= cur || cur - size < base : len + size > SKB_MAX_LEN)
		err = -ENOTSUPP;
	else if (diff < 0 && (flags & ~ADJ_ROOM_SHRINK_FLAGS))
		err = -EINVAL;
	else if (diff < 0 && off + size > len)
		err = -ENOMEM;
	else if (diff >= 0 && (flags & ADJ_ROOM_ENCAP))
		err = adjust_room_encap_error(flags, size, vm->skb_encapsulated);
	if (!err && off > len)
		return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "skb_adjust_room past the end of the packet");
	regs[0] = (uint64_t)err;
	if (err)
		return 0;
	if (diff >= 0 && (flags & ADJ_ROOM_ENCAP))
		encapsulate(vm, flags);
	return vm_packet_splice(vm, off, diff) ? mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory") : 0;
}

/* IPv4 to IPv6 and back: the 20 bytes the IPv6 header is longer go in, or
 * come out, after the MAC header; the hash is cleared. */
static int tc_skb_change_proto(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t base = net_base_len(vm), to = __builtin_bswap16((uint16_t)regs[2]);
	int32_t delta = to == ETH_P_IPV6 ? PROTO_XLAT_DELTA : -PROTO_XLAT_DELTA;

	if (regs[3]) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if (!((base == 20 && to == ETH_P_IPV6) || (base == 40 && to == ETH_P_IP))) {
		regs[0] = (uint64_t)-ENOTSUPP;
		return 0;
	}
	if (delta < 0 && vm->skb_net_off + PROTO_XLAT_DELTA > skb_len(vm)) {
		regs[0] = (uint64_t)-ENOMEM;
		return 0;
	}
	set_field(vm, "protocol", __builtin_bswap16((uint16_t)to));
	set_field(vm, "hash", 0);
	regs[0] = 0;
	return vm_packet_splice(vm, vm->skb_net_off, delta) ? mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory") : 0;
}

/* Marks an ECN-capable IP packet Congestion Experienced (INET_ECN_set_ce):
 * 1 when the packet is CE now, 0 when it is no IP packet, too short for
 * its header, or not ECN-capable. IPv4 updates its header checksum. */
static int tc_skb_ecn_set_ce(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t base = net_base_len(vm);
	uint8_t *ip = skb_data(vm) + vm->skb_net_off, ecn;

	regs[0] = 0;
	if (!base || vm->skb_net_off + base > skb_len(vm))
		return 0;
	if (base == 40) {
		if (ip[1] & IPV6_ECN_BITS) {
			ip[1] |= IPV6_ECN_BITS;
			regs[0] = 1;
		}
		return 0;
	}
	ecn = (uint8_t)((ip[1] + 1) & INET_ECN_MASK);
	if (!(ecn & 2)) {
		regs[0] = !ecn;
		return 0;
	}
	mem_store_le(ip + 10, 2, csum16_add((uint16_t)mem_load_le(ip + 10, 2), ecn_check_add(ecn)));
	ip[1] |= INET_ECN_MASK;
	regs[0] = 1;
	return 0;
}

/* The clone goes out through a device of the machine: what that answers
 * (0, a NET_XMIT code, or an error such as -EINVAL for no such device) is
 * nondeterministic; only the flags are checked first. */
static int tc_clone_redirect(struct mhse_vm *vm, uint64_t *regs)
{
	regs[0] = regs[3] & ~(uint64_t)BPF_F_INGRESS ? (uint64_t)-EINVAL : (uint64_t)(int64_t)(int32_t)mhse_vm__nondet(vm);
	return 0;
}

/* The skb (in a test run, and in tc) is no GSO packet: only the arguments
 * decide, and the tunnel info they give replaces any before. */
static int tc_skb_set_tunnel_key(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t size = (uint32_t)regs[3];
	const uint8_t *key = mhse_vm__mem(vm, regs[2], size, false);
	uint64_t flags = regs[4];

	if (!key)
		return -1;
	regs[0] = (uint64_t)-EINVAL;
	if ((flags & ~(uint64_t)TUNNEL_KEY_FLAGS) || !tunnel_key_size_ok(size))
		return 0;
	/* tunnel_label (bytes 24..27) only for IPv6, tunnel_ext (22..23) never */
	if ((size > 24 && !(flags & BPF_F_TUNINFO_IPV6) && mem_load_le(key + 24, 4)) || (size > 22 && mem_load_le(key + 22, 2)))
		return 0;
	for (uint32_t at = 0; at < TUNNEL_KEY_SIZE; at++) {
		int from;
		uint8_t v = tunnel_key_byte(at, flags, &from);

		vm->skb_tunnel_key[at] = from < 0 ? v : (uint32_t)from < size ? key[from] & v : 0;
	}
	vm->skb_tunnel_set = true;
	vm->skb_tunnel_ipv6 = flags & BPF_F_TUNINFO_IPV6;
	regs[0] = 0;
	return 0;
}

/* The hash the skb has, or one the flow dissector computes with the boot's
 * random seed: nondeterministic, never 0. */
static int tc_get_hash_recalc(struct mhse_vm *vm, uint64_t *regs)
{
	uint8_t *hash = vm_ctx_field(vm, "hash");
	uint32_t h = hash ? (uint32_t)mem_load_le(hash, 4) : 0;

	if (!h) {
		h = (uint32_t)mhse_vm__nondet(vm);
		set_field(vm, "hash", h);
	}
	regs[0] = h;
	return 0;
}

/* The redirects differ in their argument checks only; the test run does
 * not act on the redirect. */
static int redirect_if(struct mhse_vm *vm, uint64_t *regs, bool ok)
{
	if (!ok) {
		regs[0] = TC_ACT_SHOT;
		return 0;
	}
	vm->redirect_target = (uint32_t)regs[1];
	regs[0] = TC_ACT_REDIRECT;
	return 0;
}

static int tc_redirect(struct mhse_vm *vm, uint64_t *regs)
{
	return redirect_if(vm, regs, !(regs[2] & ~(uint64_t)BPF_F_INGRESS));
}

static int tc_redirect_peer(struct mhse_vm *vm, uint64_t *regs)
{
	return redirect_if(vm, regs, !regs[2]);
}

/* params (NULL when plen is 0) name the next hop; it is only copied. */
static int tc_redirect_neigh(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t plen = (uint32_t)regs[3];

	if (plen && !mhse_vm__mem(vm, regs[2], plen, false))
		return -1;
	return redirect_if(vm, regs, !((plen && plen < REDIR_NEIGH_SIZE) || regs[4]));
}

static int tc_fib_lookup(struct mhse_vm *vm, uint64_t *regs)
{
	return fib_lookup_run(vm, regs, true);
}

int fib_lookup_run(struct mhse_vm *vm, uint64_t *regs, bool skb)
{
	uint32_t plen = (uint32_t)regs[3], flags = (uint32_t)regs[4];
	uint8_t *p = plen ? mhse_vm__mem(vm, regs[2], plen, true) : NULL;
	uint64_t v[FIB_DRAWS];
	bool frag_after_route, route, v4;
	int32_t rc;

	if (plen && !p)
		return -1;
	if ((int32_t)plen < FIB_PARAMS_SIZE || (flags & ~(uint32_t)FIB_LOOKUP_FLAGS)) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if (p[0] != AF_INET && p[0] != AF_INET6) {
		regs[0] = (uint64_t)-EAFNOSUPPORT;
		return 0;
	}
	if (flags & BPF_FIB_LOOKUP_SRC)
		return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "fib_lookup with BPF_FIB_LOOKUP_SRC");
	for (int i = 0; i < FIB_DRAWS; i++)
		v[i] = mhse_vm__nondet(vm);
	rc = (int32_t)v[0];
	v4 = p[0] == AF_INET;
	frag_after_route = skb && !mem_load_le(p + 6, 2) && rc == BPF_FIB_LKUP_RET_FRAG_NEEDED;
	route = rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH || frag_after_route;
	if ((flags & (BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID)) == (BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID) &&
	    rc != -ENODEV && rc != BPF_FIB_LKUP_RET_FWD_DISABLED)
		mem_store_le(p + 48, 4, 0);
	if (route) {
		mem_store_le(p + 8, 4, v[1]);
		mem_store_le(p + 12, 4, v[2]);
		mem_store_le(p + 32, v4 ? 4 : 8, v[3]);
		if (!v4)
			mem_store_le(p + 40, 8, v[4]);
	}
	if ((rc == BPF_FIB_LKUP_RET_SUCCESS || frag_after_route) && !(flags & BPF_FIB_LOOKUP_SKIP_NEIGH)) {
		mem_store_le(p + 52, 8, v[5]);
		mem_store_le(p + 60, 4, v[6]);
	}
	if (rc == BPF_FIB_LKUP_RET_SUCCESS || frag_after_route)
		mem_store_le(p + 48, 4, 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		mem_store_le(p + 6, 2, v[7]);
	regs[0] = (uint64_t)(int64_t)rc;
	return 0;
}

static int tc_check_mtu(struct mhse_vm *vm, uint64_t *regs)
{
	return check_mtu_run(vm, regs, skb_len(vm), true);
}

int check_mtu_run(struct mhse_vm *vm, uint64_t *regs, uint32_t pkt_len, bool skb)
{
	uint32_t ifindex = (uint32_t)regs[2], len_diff = (uint32_t)regs[4], given, len, rc, mtu;
	uint8_t *mtu_len = mhse_vm__mem(vm, regs[3], 4, true);
	uint64_t flags = regs[5];

	if (!mtu_len)
		return -1;
	given = (uint32_t)mem_load_le(mtu_len, 4);
	if (ifindex && ifindex != LOOPBACK_IFINDEX) {
		rc = (uint32_t)mhse_vm__nondet(vm);
		mtu = (uint32_t)mhse_vm__nondet(vm);
	} else {
		len = given ? given + LOOPBACK_HARD_HEADER : pkt_len;
		rc = (int32_t)(len + len_diff) <= LOOPBACK_MTU + LOOPBACK_HARD_HEADER ? BPF_MTU_CHK_RET_SUCCESS :
											 BPF_MTU_CHK_RET_FRAG_NEEDED;
		mtu = LOOPBACK_MTU;
	}
	if ((flags & ~(uint64_t)(skb ? BPF_MTU_CHK_SEGS : 0)) || ((flags & BPF_MTU_CHK_SEGS) && (len_diff || given)))
		rc = (uint32_t)-EINVAL;
	if (rc == BPF_MTU_CHK_RET_SUCCESS || rc == BPF_MTU_CHK_RET_FRAG_NEEDED)
		mem_store_le(mtu_len, 4, mtu);
	regs[0] = (uint64_t)(int64_t)(int32_t)rc;
	return 0;
}

/* The skb's tag outside its data (the hw-accel tag): proto in network
 * byte order, 0 for none. */
static void set_vlan_tag(struct mhse_vm *vm, uint16_t proto, uint16_t tci)
{
	set_field(vm, "vlan_present", proto != 0);
	set_field(vm, "vlan_proto", proto);
	set_field(vm, "vlan_tci", tci);
}

/* A tag outside the data is pushed into it when another comes (as the
 * kernel's test run shows: only the last tag pushed stays outside). */
static int tc_skb_vlan_push(struct mhse_vm *vm, uint64_t *regs)
{
	uint16_t proto = (uint16_t)regs[2], tci = (uint16_t)regs[3];

	if (!eth_type_vlan(__builtin_bswap16(proto)))
		proto = __builtin_bswap16(ETH_P_8021Q);
	if (field_value(vm, "vlan_present")) {
		uint16_t old_proto = (uint16_t)field_value(vm, "vlan_proto"), old_tci = (uint16_t)field_value(vm, "vlan_tci");
		uint8_t *tag;

		if (vm_packet_splice(vm, VLAN_TAG_AT, VLAN_HLEN))
			return mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory");
		tag = skb_data(vm) + VLAN_TAG_AT;
		mem_store_le(tag, 2, old_proto);
		mem_store_le(tag + 2, 2, __builtin_bswap16(old_tci));
		set_field(vm, "protocol", old_proto);
		vm->skb_net_off += VLAN_HLEN;
	}
	set_vlan_tag(vm, proto, tci);
	regs[0] = 0;
	return 0;
}

/* Takes the tag after the MAC addresses out of the data (__skb_vlan_pop):
 * its TCI in *tci, the protocol it encapsulates becomes skb->protocol, and
 * the network header stays after the Ethernet header. -ENOMEM when the
 * packet is too short to hold a tag. */
static int pop_inband_tag(struct mhse_vm *vm, uint16_t *tci)
{
	const uint8_t *eth = skb_data(vm);
	uint32_t len = skb_len(vm);

	if (len < VLAN_ETH_HLEN)
		return -ENOMEM;
	*tci = (uint16_t)(eth[VLAN_TAG_AT + 2] << 8 | eth[VLAN_TAG_AT + 3]);
	set_field(vm, "protocol", __builtin_bswap16(ethertype_protocol(eth + VLAN_ETH_HLEN - 2, len - VLAN_ETH_HLEN + 2)));
	vm->skb_net_off = vm->skb_net_off < ETH_HLEN + VLAN_HLEN ? ETH_HLEN : vm->skb_net_off - VLAN_HLEN;
	return vm_packet_splice(vm, VLAN_TAG_AT, -VLAN_HLEN);
}

/* The tag outside the data goes, else an in-band one; then an in-band tag
 * under it, if any, moves outside (skb_vlan_pop). */
static int tc_skb_vlan_pop(struct mhse_vm *vm, uint64_t *regs)
{
	uint16_t proto, tci;
	int err = 0;

	if (field_value(vm, "vlan_present"))
		set_vlan_tag(vm, 0, 0);
	else if (eth_type_vlan(skb_protocol(vm)))
		err = pop_inband_tag(vm, &tci);
	proto = skb_protocol(vm);
	if (!err && eth_type_vlan(proto) && !(err = pop_inband_tag(vm, &tci)))
		set_vlan_tag(vm, __builtin_bswap16(proto), tci);
	regs[0] = (uint64_t)(int64_t)err;
	return 0;
}

/* The getters clear the buffer (r2, r3 bytes) and fail with err (the test
 * run's skb has no tunnel info until skb_set_tunnel_key gives it some):
 * the buffer, or NULL after failing the run. */
static uint8_t *tunnel_buffer(struct mhse_vm *vm, uint64_t *regs, int err)
{
	uint32_t size = (uint32_t)regs[3];
	uint8_t *buf = mhse_vm__mem(vm, regs[2], size, true);

	if (buf) {
		memset(buf, 0, size);
		regs[0] = (uint64_t)(int64_t)err;
	}
	return buf;
}

static int tc_skb_get_tunnel_key(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t size = (uint32_t)regs[3];
	int err = vm->skb_tunnel_set ? tunnel_key_get_error(vm->skb_tunnel_ipv6, size, regs[4]) : -EINVAL;
	uint8_t *buf = tunnel_buffer(vm, regs, err);

	if (!buf)
		return -1;
	if (err)
		return 0;
	memcpy(buf, vm->skb_tunnel_key, size);
	if (!(regs[4] & BPF_F_TUNINFO_FLAGS) && size > TUNNEL_FLAGS_AT)
		memset(buf + TUNNEL_FLAGS_AT, 0, 2);
	regs[0] = 0;
	return 0;
}

/* Tunnel options are never present: skb_set_tunnel_opt, the only way to
 * them, is not modelled. */
static int tc_skb_get_tunnel_opt(struct mhse_vm *vm, uint64_t *regs)
{
	return tunnel_buffer(vm, regs, -ENOENT) ? 0 : -1;
}

/* Options go only onto tunnel info skb_set_tunnel_key gave, in 4-byte
 * words up to what the info's u8 length holds. */
static int tc_skb_set_tunnel_opt(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t size = (uint32_t)regs[3];

	if (!mhse_vm__mem(vm, regs[2], size, false))
		return -1;
	if (!vm->skb_tunnel_set || (size & 3))
		regs[0] = (uint64_t)-EINVAL;
	else if (size > TUNNEL_OPTS_MAX)
		regs[0] = (uint64_t)-ENOMEM;
	else
		return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "skb_set_tunnel_opt: tunnel options are not kept");
	return 0;
}

/* The test run's skb has a full socket (its own), so the kernel checks
 * the index, then whether the slot holds a cgroup and the socket's cgroup
 * lies under it: mhse keeps no cgroups, so that answer (-EAGAIN, 0 or 1)
 * is nondeterministic. */
static int tc_skb_under_cgroup(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms = vm_map(vm, regs[2]);

	if (!ms)
		return -1;
	if (ms->def->type != BPF_MAP_TYPE_CGROUP_ARRAY)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "skb_under_cgroup on a map that is not a cgroup array");
	if ((uint32_t)regs[3] >= ms->def->max_entries)
		regs[0] = (uint64_t)-E2BIG;
	else
		regs[0] = (uint64_t)(int64_t)(int32_t)mhse_vm__nondet(vm);
	return 0;
}

#define HELPER(name, contexts, concrete, symbolic) { BPF_FUNC_##name, contexts, concrete },
static const struct helper_impl tc_helpers[] = {
#include "tc_helper_list.h"
};
#undef HELPER

const struct helper_module helpers_tc = { "tc", tc_helpers, sizeof(tc_helpers) / sizeof(tc_helpers[0]), tc_prepare_ctx };
