// SPDX-License-Identifier: GPL-2.0
/*
 * A tc ingress classifier for a QoS setup: it maps the DSCP of IPv4 and IPv6
 * packets (behind an optional 802.1Q tag) to a qdisc priority and class,
 * accounts flows by skb->len, leaves what it learned in skb->cb[] for the
 * next program in the chain, and applies per-port verdicts from a table the
 * control plane fills with TC_ACT_* values.
 *
 * It reads the packet directly (data/data_end) and the metadata the stack
 * already computed (skb->protocol, skb->pkt_type, skb->len, skb->mark); it
 * writes mark, priority, tc_index, tc_classid and cb[]. Flow counters are
 * per-CPU, so they need no atomics.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MARK_CLASSIFIED 0x80000000u
#define MARK_RECLASSIFY 0x40000000u

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct dscp_class {
	__u32 priority;
	__u32 classid;
};

struct flow_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct dscp_class);
} dscp_classes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16);
	__type(value, __s32);
} port_verdicts SEC(".maps");

__u64 non_ip;

static __always_inline void account(struct flow_key *key, __u32 len)
{
	struct flow_stats *st = bpf_map_lookup_elem(&flows, key);

	if (!st) {
		struct flow_stats fresh = { .packets = 1, .bytes = len };

		bpf_map_update_elem(&flows, key, &fresh, BPF_ANY);
		return;
	}
	st->packets++;
	st->bytes += len;
}

static __always_inline void classify(struct __sk_buff *skb, __u32 dscp)
{
	struct dscp_class *cls = bpf_map_lookup_elem(&dscp_classes, &dscp);

	skb->tc_index = dscp;
	if (!cls || !cls->classid) {
		skb->mark = MARK_CLASSIFIED;
		return;
	}
	skb->priority = cls->priority;
	skb->tc_classid = cls->classid;
	skb->mark = MARK_CLASSIFIED | cls->classid;
}

SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct flow_key key = {};
	__be16 proto = skb->protocol;
	void *hdr = data + ETH_HLEN;
	__u32 l4_off, dscp;
	__s32 *verdict;
	__u16 dport;

	if (skb->mark & MARK_CLASSIFIED)
		return TC_ACT_OK;
	if (skb->mark & MARK_RECLASSIFY) {
		skb->mark &= ~MARK_RECLASSIFY;
		return TC_ACT_RECLASSIFY;
	}
	/* Later stages police broadcast and multicast apart. */
	skb->cb[3] = skb->pkt_type;

	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct vlan_hdr *vlan = hdr;

		if ((void *)(vlan + 1) > data_end)
			return TC_ACT_SHOT;
		skb->cb[2] = bpf_ntohs(vlan->tci) & 0x0fff;
		proto = vlan->encap_proto;
		hdr = vlan + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = hdr;

		if ((void *)(iph + 1) > data_end || iph->ihl < 5)
			return TC_ACT_SHOT;
		dscp = iph->tos >> 2;
		key.saddr = iph->saddr;
		key.daddr = iph->daddr;
		key.proto = iph->protocol;
		hdr += iph->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = hdr;

		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_SHOT;
		dscp = ((ip6->priority << 4) | (ip6->flow_lbl[0] >> 4)) >> 2;
		/* Fold the addresses: the table is IPv4-sized. */
		key.saddr = ip6->saddr.in6_u.u6_addr32[3] ^ ip6->saddr.in6_u.u6_addr32[0];
		key.daddr = ip6->daddr.in6_u.u6_addr32[3] ^ ip6->daddr.in6_u.u6_addr32[0];
		key.proto = ip6->nexthdr;
		hdr = ip6 + 1;
	} else {
		__sync_fetch_and_add(&non_ip, 1);
		skb->cb[4] = bpf_ntohs(proto);
		return proto == bpf_htons(ETH_P_ARP) ? TC_ACT_OK : TC_ACT_PIPE;
	}

	classify(skb, dscp);
	l4_off = hdr - data;
	skb->cb[0] = l4_off;

	if (key.proto == IPPROTO_TCP || key.proto == IPPROTO_UDP) {
		/* Source and destination ports lead both headers. */
		__be16 *ports = hdr;

		if ((void *)(ports + 2) > data_end)
			return TC_ACT_SHOT;
		key.sport = ports[0];
		key.dport = ports[1];
		skb->cb[1] = (__u32)bpf_ntohs(key.sport) << 16 | bpf_ntohs(key.dport);
	}
	account(&key, skb->len);

	dport = bpf_ntohs(key.dport);
	verdict = bpf_map_lookup_elem(&port_verdicts, &dport);
	if (verdict)
		return *verdict;
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
