/* SPDX-License-Identifier: MIT */
/*
 * What tc's concrete helpers and their symbolic models share of the
 * kernel's skb helpers (net/core/filter.c): limits, sizes and flag sets.
 */
#ifndef MHSE_HOOKS_SKB_H
#define MHSE_HOOKS_SKB_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define VLAN_HLEN 4
#define VLAN_ETH_HLEN 18
#define VLAN_TAG_AT 12 /* an in-band tag follows the two MAC addresses */
/* SKB_MAX_ALLOC on x86-64: four pages less struct skb_shared_info. */
#define SKB_MAX_LEN 16064
#define REDIR_NEIGH_SIZE 20 /* sizeof(struct bpf_redir_neigh) */
#define TUNNEL_KEY_SIZE 44  /* sizeof(struct bpf_tunnel_key) */
#define TUNNEL_FLAGS_AT 22   /* offsetof(struct bpf_tunnel_key, tunnel_flags) */
#define TUNNEL_OPTS_MAX 255  /* options_len of struct ip_tunnel_info is a u8 */
#define TUNNEL_KEY_FLAGS (BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER)
#define ADJ_ROOM_MAX 0xfff
#define PROTO_XLAT_DELTA 20  /* sizeof(struct ipv6hdr) - sizeof(struct iphdr) */
#define LOAD_RELATIVE_MAX 0xffff
#define INET_ECN_MASK 3
#define IPV6_ECN_BITS 0x30   /* the ECN bits in the IPv6 header's second byte */
#define CLONE_REDIRECT_MAX 3 /* NET_XMIT_CN, the largest code dev_queue_xmit returns */
#define ADJ_ROOM_ENCAP (BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)
#define ADJ_ROOM_ENCAP_L4 (BPF_F_ADJ_ROOM_ENCAP_L4_GRE | BPF_F_ADJ_ROOM_ENCAP_L4_UDP)
#define ADJ_ROOM_SHRINK_FLAGS (BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_NO_CSUM_RESET)
#define ADJ_ROOM_FLAGS (ADJ_ROOM_SHRINK_FLAGS | ADJ_ROOM_ENCAP | BPF_F_ADJ_ROOM_ENCAP_L4_GRE | \
			BPF_F_ADJ_ROOM_ENCAP_L4_UDP | BPF_F_ADJ_ROOM_ENCAP_L2_ETH | \
			BPF_F_ADJ_ROOM_ENCAP_L2(BPF_ADJ_ROOM_ENCAP_L2_MASK))

/* skb_set_tunnel_key takes the structure whole or in an older, shorter
 * layout: up to local_ipv6, tunnel_label, tunnel_ext or remote_ipv4. */
static inline bool tunnel_key_size_ok(uint32_t size)
{
	return size == TUNNEL_KEY_SIZE || size == 28 || size == 24 || size == 22 || size == 8;
}

/* skb_get_tunnel_key's answer (with BPF_F_TUNINFO_FLAGS) from what
 * skb_set_tunnel_key was given (set_flags, a key whose bytes past its size
 * are 0): byte at of the answer is byte *from of the key set, masked by the
 * return value; or, where *from is -1, the return value itself. The
 * addresses come back swapped (the key set says where the packet goes,
 * the key got where one came from), the flow label keeps 20 bits, an IPv4
 * key's other address bytes and label are 0, and the flags are the
 * tunnel's as a __be16: NOCACHE and KEY always, DONT_FRAGMENT, CSUM unless
 * ZERO_CSUM_TX, SEQ. */
static inline uint8_t tunnel_key_byte(uint32_t at, uint64_t set_flags, int *from)
{
	bool ipv6 = set_flags & BPF_F_TUNINFO_IPV6;

	*from = -1;
	if (at < 4 || at == 20 || at == 21) {
		*from = (int)at;
		return 0xff;
	}
	if (at == TUNNEL_FLAGS_AT)
		return 0x20 | (set_flags & BPF_F_DONT_FRAGMENT ? 0x01 : 0);
	if (at == TUNNEL_FLAGS_AT + 1)
		return (set_flags & BPF_F_ZERO_CSUM_TX ? 0 : 0x01) | 0x04 | (set_flags & BPF_F_SEQ_NUMBER ? 0x08 : 0);
	if (!ipv6 && ((at >= 8 && at < 28) || at >= 32))
		return 0;
	*from = at < 20 ? (int)at + 24 : at < 28 ? (int)at : (int)at - 24;
	return at == 26 ? 0x0f : at == 27 ? 0 : 0xff;
}

/* skb_get_tunnel_key's error asking a tunnel (ipv6: its family) for size
 * bytes with flags, or 0. The oldest layout (8 bytes) has no IPv6. */
static inline int tunnel_key_get_error(bool ipv6, uint32_t size, uint64_t flags)
{
	if (flags & ~(uint64_t)(BPF_F_TUNINFO_IPV6 | BPF_F_TUNINFO_FLAGS))
		return -EINVAL;
	if (!(flags & BPF_F_TUNINFO_IPV6) != !ipv6)
		return -EPROTO;
	return tunnel_key_size_ok(size) && !(ipv6 && size == 8) ? 0 : -EINVAL;
}

static inline bool eth_type_vlan(uint16_t ethertype)
{
	return ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD;
}

/* What skb_adjust_room refuses of a grow by len_diff that adds an outer
 * L3 header (flags with ADJ_ROOM_ENCAP), in bpf_skb_net_grow's order: two
 * outer L3 or L4 protocols, an inner Ethernet header shorter than one, an
 * skb encapsulated already, an inner MAC header longer than the room.
 * 0 when it goes ahead. */
static inline int adjust_room_encap_error(uint64_t flags, uint32_t len_diff, bool encapsulated)
{
	uint32_t inner_mac_len = (uint8_t)(flags >> BPF_ADJ_ROOM_ENCAP_L2_SHIFT);

	if ((flags & ADJ_ROOM_ENCAP) == ADJ_ROOM_ENCAP || (flags & ADJ_ROOM_ENCAP_L4) == ADJ_ROOM_ENCAP_L4 ||
	    ((flags & BPF_F_ADJ_ROOM_ENCAP_L2_ETH) && inner_mac_len < ETH_HLEN))
		return -EINVAL;
	if (encapsulated)
		return -EALREADY;
	return inner_mac_len > len_diff ? -EINVAL : 0;
}

/* What IP_ECN_set_ce adds to the IPv4 checksum, as the 16 bits lie in
 * memory, for the ECN code point + 1 (2: ECT(1), 3: ECT(0)). */
static inline uint16_t ecn_check_add(uint8_t ecn_plus_one)
{
	return (uint16_t)(0xFBFF + (ecn_plus_one << 8));
}

#endif
