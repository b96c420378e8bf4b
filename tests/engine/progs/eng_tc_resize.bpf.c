// SPDX-License-Identifier: GPL-2.0
/*
 * tc helpers that resize the packet (skb_change_tail, skb_change_head,
 * skb_adjust_room, skb_change_proto), skb_ecn_set_ce and
 * skb_load_bytes_relative, and the helpers whose outcome only their
 * arguments decide in a test run (redirect_peer, redirect_neigh,
 * skb_set_tunnel_key, the argument checks of fib_lookup and clone_redirect). Every result lands in a global array and
 * the packet is compared byte for byte, so the kernel referees each one.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: a packet that is not IPv4 (1 path) and an IPv4 packet shorter
 * than the 34 bytes of its Ethernet and IP headers (1 path) return at once.
 * On the IPv4 packets left every helper's outcome is fixed: the tail grows
 * to len + 4 (always within 14..16064), 4 bytes go in front (len + 4 + 4 is
 * far below 16064), 8 bytes go in after the IP header and 4 come out after
 * the Ethernet header (the 4 pushed ones; len + 8 - 18 keeps 20 bytes of
 * IP header), IPv4 becomes IPv6 (20 bytes more after the 18 before the
 * network header) and back (the packet is long enough for it), the ECN
 * marks are set on headers the packet always holds whole (they change the
 * bytes, not the path), and the failing calls fail on their arguments
 * alone: 1 path.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#define AF_UNIX 1
#define AF_INET 2
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

long res[36];

SEC("tc")
int eng_tc_resize(struct __sk_buff *skb)
{
	struct bpf_redir_neigh nh = { .nh_family = AF_INET, .ipv4_nh = 0x0100000a };
	struct bpf_tunnel_key key = { .tunnel_id = 42, .remote_ipv4 = 0x0a000001, .tunnel_ttl = 64 };
	struct bpf_fib_lookup fib = { .family = AF_UNIX, .ifindex = 1 };
	__u32 word = 0;

	if (skb->protocol != bpf_htons(ETH_P_IP) || skb->len < 34)
		return TC_ACT_OK;
	res[0] = bpf_skb_change_tail(skb, 13, 0);
	res[1] = bpf_skb_change_tail(skb, skb->len + 4, 0);
	res[2] = bpf_skb_change_head(skb, 4, 1);
	res[3] = bpf_skb_change_head(skb, 4, 0);
	res[4] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, 0);
	res[5] = bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_MAC, 0);
	res[6] = bpf_skb_adjust_room(skb, 8, 7, 0);
	res[7] = bpf_skb_adjust_room(skb, 0x1000, BPF_ADJ_ROOM_MAC, 0);
	res[8] = bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_MAC, 1ULL << 40);
	res[9] = bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L4_GRE);
	res[10] = bpf_skb_adjust_room(skb, -2000, BPF_ADJ_ROOM_MAC, 0);
	res[11] = bpf_redirect_peer(3, 1);
	res[12] = bpf_redirect_neigh(3, &nh, 8, 0);
	res[13] = bpf_redirect_neigh(3, &nh, sizeof(nh), 1);
	res[14] = bpf_redirect_neigh(3, 0, 0, 0);
	res[15] = bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_ZERO_CSUM_TX);
	res[16] = bpf_skb_set_tunnel_key(skb, &key, 10, 0);
	key.tunnel_label = 5;
	res[17] = bpf_skb_set_tunnel_key(skb, &key, sizeof(key), 0);
	res[18] = bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_TUNINFO_IPV6);
	res[19] = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	res[20] = bpf_fib_lookup(skb, &fib, sizeof(fib), 1 << 20);
	res[21] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	res[22] = bpf_skb_ecn_set_ce(skb);
	res[23] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	res[24] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 1);
	res[25] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0);
	res[26] = bpf_skb_ecn_set_ce(skb);
	res[27] = skb->protocol;
	res[28] = bpf_skb_load_bytes_relative(skb, 0, &word, sizeof(word), BPF_HDR_START_NET);
	res[29] = word;
	res[30] = bpf_skb_load_bytes_relative(skb, 0x10000, &word, sizeof(word), BPF_HDR_START_MAC);
	res[31] = bpf_skb_load_bytes_relative(skb, 2, &word, sizeof(word), 2);
	res[32] = bpf_skb_load_bytes_relative(skb, 6, &word, sizeof(word), BPF_HDR_START_MAC);
	res[33] = word;
	res[34] = bpf_clone_redirect(skb, 1, 2);
	res[35] = skb->len;
	return bpf_redirect_peer(3, 0);
}

char _license[] SEC("license") = "GPL";
