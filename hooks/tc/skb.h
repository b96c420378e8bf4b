/* SPDX-License-Identifier: MIT */
/*
 * What tc's concrete helpers and their symbolic models share of the
 * kernel's skb helpers (net/core/filter.c): limits, sizes and flag sets.
 */
#ifndef MHSE_HOOKS_SKB_H
#define MHSE_HOOKS_SKB_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
/* SKB_MAX_ALLOC on x86-64: four pages less struct skb_shared_info. */
#define SKB_MAX_LEN 16064
#define REDIR_NEIGH_SIZE 20 /* sizeof(struct bpf_redir_neigh) */
#define TUNNEL_KEY_SIZE 44  /* sizeof(struct bpf_tunnel_key) */
#define TUNNEL_KEY_FLAGS (BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER)
#define ADJ_ROOM_MAX 0xfff
#define PROTO_XLAT_DELTA 20  /* sizeof(struct ipv6hdr) - sizeof(struct iphdr) */
#define LOAD_RELATIVE_MAX 0xffff
#define INET_ECN_MASK 3
#define IPV6_ECN_BITS 0x30   /* the ECN bits in the IPv6 header's second byte */
#define CLONE_REDIRECT_MAX 3 /* NET_XMIT_CN, the largest code dev_queue_xmit returns */
#define ADJ_ROOM_ENCAP (BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)
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

/* What IP_ECN_set_ce adds to the IPv4 checksum, as the 16 bits lie in
 * memory, for the ECN code point + 1 (2: ECT(1), 3: ECT(0)). */
static inline uint16_t ecn_check_add(uint8_t ecn_plus_one)
{
	return (uint16_t)(0xFBFF + (ecn_plus_one << 8));
}

#endif
