// SPDX-License-Identifier: GPL-2.0
/*
 * skb_adjust_room with the encapsulation flags: the room is made as without
 * them; an outer L3 header (ENCAP_L3_IPV4/IPV6) is checked against the other
 * flags and against an skb encapsulated already (-EALREADY), and an outer
 * header of the other IP version becomes skb->protocol. ENCAP_L4 and
 * ENCAP_L2 flags without an outer L3 header are only room.
 *
 * expect policy=consistent paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=5 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: a packet shorter than an Ethernet and IPv6 header, which the
 * kernel's test run may refuse, passes (1). An IPv6 packet gets an outer
 * IPv4 header, and its protocol becomes IPv4: the return value is 0 when
 * both happened (1). Neither IPv4 nor IPv6 passes (1). An IPv4 packet with
 * a mark first gets 8 bytes of room with ENCAP_L4_UDP alone (1), without
 * a mark not (1); then both go through the same calls, whose results and
 * the packet's growth and protocol sum to 0 as the kernel gives them (no
 * branch: a different answer is a different return value). 1 + 1 + 1 + 2 = 5.
 * No map is used: every policy gives the same count.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define EINVAL 22
#define EALREADY 114
#define ETH_IPV6_LEN 54
#define GRE_ETH_ROOM (40 + 4 + 14) /* IPv6, GRE and the inner Ethernet header */

SEC("tc")
int eng_tc_encap(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	long rc;

	if (len < ETH_IPV6_LEN)
		return TC_ACT_OK;
	if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		rc = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
		return rc + (skb->protocol - bpf_htons(ETH_P_IP)) + (skb->len - len - 20);
	}
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (skb->mark) {
		rc = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L4_UDP);
		len += 8 + rc;
	}
	/* -EINVAL: two outer L3 protocols, or an inner MAC header longer than the room */
	rc = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
	rc += bpf_skb_adjust_room(skb, 2, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 | BPF_F_ADJ_ROOM_ENCAP_L2(4));
	rc += 2 * EINVAL;
	/* 0: IPv6 and GRE around an Ethernet frame */
	rc += bpf_skb_adjust_room(skb, GRE_ETH_ROOM, BPF_ADJ_ROOM_MAC,
				  BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 | BPF_F_ADJ_ROOM_ENCAP_L4_GRE | BPF_F_ADJ_ROOM_ENCAP_L2_ETH |
				  BPF_F_ADJ_ROOM_ENCAP_L2(14) | BPF_F_ADJ_ROOM_NO_CSUM_RESET | BPF_F_ADJ_ROOM_FIXED_GSO);
	rc += skb->protocol - bpf_htons(ETH_P_IPV6);
	/* -EALREADY: encapsulated already */
	rc += bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_NET, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4) + EALREADY;
	return rc + (skb->len - len - GRE_ETH_ROOM);
}

char _license[] SEC("license") = "GPL";
