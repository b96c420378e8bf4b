// SPDX-License-Identifier: GPL-2.0
/*
 * Destination NAT on tc ingress, written the way Cilium's and the kernel
 * samples' older code does it: no direct packet access, only
 * bpf_skb_load_bytes to read headers and bpf_skb_store_bytes to write them,
 * with the IPv4 header checksum patched by bpf_l3_csum_replace and the TCP or
 * UDP checksum (pseudo-header included) by bpf_l4_csum_replace. A rule may
 * also rewrite the DSCP and send the packet on with bpf_redirect.
 *
 * The original destination is left in skb->cb[] for a reverse-NAT stage.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF(field) (ETH_HLEN + offsetof(struct iphdr, field))

struct nat_key {
	__be32 daddr;
	__be16 dport;
	__u8 proto;
	__u8 pad;
};

struct nat_rule {
	__be32 to_addr;
	__be16 to_port;
	__u8 dscp;      /* 0 keeps the packet's */
	__u8 pad;
	__u32 ifindex;  /* redirect there when non-zero */
	__u32 mark;
	__u64 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct nat_key);
	__type(value, struct nat_rule);
} nat_rules SEC(".maps");

__u64 rewritten, csum_errors;

static __always_inline int rewrite_dscp(struct __sk_buff *skb, const struct iphdr *iph, __u8 dscp)
{
	__be16 old_word = *(const __be16 *)iph; /* version, ihl, tos */
	__u8 tos = (dscp << 2) | (iph->tos & 3);
	__be16 new_word;

	if (bpf_skb_store_bytes(skb, IP_OFF(tos), &tos, sizeof(tos), 0))
		return -1;
	new_word = bpf_htons((__u16)(*(const __u8 *)iph) << 8 | tos);
	return bpf_l3_csum_replace(skb, IP_OFF(check), old_word, new_word, sizeof(new_word));
}

SEC("tc")
int tc_dnat(struct __sk_buff *skb)
{
	struct nat_key key = {};
	struct nat_rule *rule;
	__u32 l4_off, csum_off;
	__u64 l4_flags = 0;
	struct iphdr iph;
	__be16 ports[2];

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &iph, sizeof(iph)))
		return TC_ACT_SHOT;
	if (iph.ihl < 5 || iph.frag_off & bpf_htons(0x1fff))
		return TC_ACT_OK;
	l4_off = ETH_HLEN + iph.ihl * 4;

	if (iph.protocol == IPPROTO_TCP) {
		csum_off = l4_off + offsetof(struct tcphdr, check);
	} else if (iph.protocol == IPPROTO_UDP) {
		csum_off = l4_off + offsetof(struct udphdr, check);
		/* A zero UDP checksum means none; it must stay zero. */
		l4_flags = BPF_F_MARK_MANGLED_0;
	} else {
		return TC_ACT_OK;
	}
	if (bpf_skb_load_bytes(skb, l4_off, ports, sizeof(ports)))
		return TC_ACT_OK;

	key.daddr = iph.daddr;
	key.dport = ports[1];
	key.proto = iph.protocol;
	rule = bpf_map_lookup_elem(&nat_rules, &key);
	if (!rule)
		return TC_ACT_OK;
	__sync_fetch_and_add(&rule->hits, 1);
	skb->cb[0] = iph.daddr;
	skb->cb[1] = ports[1];

	if (bpf_l4_csum_replace(skb, csum_off, iph.daddr, rule->to_addr,
				l4_flags | BPF_F_PSEUDO_HDR | sizeof(rule->to_addr)) ||
	    bpf_l3_csum_replace(skb, IP_OFF(check), iph.daddr, rule->to_addr, sizeof(rule->to_addr)) ||
	    bpf_skb_store_bytes(skb, IP_OFF(daddr), &rule->to_addr, sizeof(rule->to_addr), 0))
		goto bad_csum;

	if (rule->to_port && rule->to_port != ports[1]) {
		if (bpf_l4_csum_replace(skb, csum_off, ports[1], rule->to_port, l4_flags | sizeof(rule->to_port)) ||
		    bpf_skb_store_bytes(skb, l4_off + sizeof(ports[0]), &rule->to_port, sizeof(rule->to_port), 0))
			goto bad_csum;
	}
	if (rule->dscp && rewrite_dscp(skb, &iph, rule->dscp))
		goto bad_csum;

	__sync_fetch_and_add(&rewritten, 1);
	skb->mark = rule->mark;
	if (rule->ifindex)
		return bpf_redirect(rule->ifindex, 0);
	return TC_ACT_OK;

bad_csum:
	/* The packet is half rewritten: it must not leave. */
	__sync_fetch_and_add(&csum_errors, 1);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
