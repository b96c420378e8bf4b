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
#include "object.h"

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

static inline bool eth_type_vlan(uint16_t ethertype)
{
	return ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD;
}

/* Whether some program of obj calls helper id. */
static inline bool object_calls_helper(const struct mhse_object *obj, int32_t id)
{
	for (size_t p = 0; p < obj->prog_cnt; p++)
		for (size_t i = 0; i < obj->progs[p].insn_cnt; i++) {
			const struct bpf_insn *insn = &obj->progs[p].insns[i];

			if (insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == 0 && insn->imm == id)
				return true;
		}
	return false;
}

/* What IP_ECN_set_ce adds to the IPv4 checksum, as the 16 bits lie in
 * memory, for the ECN code point + 1 (2: ECT(1), 3: ECT(0)). */
static inline uint16_t ecn_check_add(uint8_t ecn_plus_one)
{
	return (uint16_t)(0xFBFF + (ecn_plus_one << 8));
}

#endif
