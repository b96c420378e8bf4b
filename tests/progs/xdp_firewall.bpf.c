// SPDX-License-Identifier: GPL-2.0
/*
 * A stateless XDP firewall of the usual shape: parse Ethernet with up to two
 * VLAN tags, IPv4 with options or IPv6 with a few extension headers, then
 * TCP or UDP; drop sources listed in LPM tries, apply a per-port policy from
 * a hash map, and count packets and bytes per verdict in a per-CPU array.
 *
 * Every header sits at an offset the packet decides (tags, IHL, extension
 * header lengths), so each bounds check is against a variable offset.
 * Malformed packets (a header cut short after Ethernet) end in XDP_ABORTED,
 * as firewalls that want them visible in the xdp:xdp_exception tracepoint do.
 * An IPv4 source caught sending scan packets (SYN+FIN, no flags) is banned:
 * the program adds it to the deny trie itself.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_VLAN_DEPTH 2
#define MAX_IPV6_EXT 4

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct lpm_v4_key {
	__u32 prefixlen;
	__be32 addr;
};

struct lpm_v6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct port_key {
	__u8 proto;
	__u8 pad;
	__be16 port;
};

enum policy {
	POLICY_ALLOW = 1,
	POLICY_DROP = 2,
};

#define RULE_AUTO_BAN 0xffff
#define SCAN 0x100 /* l4_verdict: a scan packet, drop and ban its source */

struct verdict_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
} deny_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v6_key);
	__type(value, __u32);
} deny_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct port_key);
	__type(value, __u8);
} port_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, __u32);
	__type(value, struct verdict_stats);
} verdicts SEC(".maps");

/* Set by the loader before load; the verifier sees them as constants. */
const volatile __u8 drop_ip_fragments = 1;
const volatile __u8 default_policy = POLICY_ALLOW;

/* Which rule matched last, for the control plane to read. */
__u32 last_rule;

static __always_inline int record(struct xdp_md *ctx, __u32 action)
{
	struct verdict_stats *st = bpf_map_lookup_elem(&verdicts, &action);

	if (st) {
		st->packets++;
		st->bytes += ctx->data_end - ctx->data;
	}
	return action;
}

static __always_inline int port_verdict(__u8 proto, __be16 port)
{
	struct port_key key = { .proto = proto, .port = port };
	__u8 *policy = bpf_map_lookup_elem(&port_policy, &key);

	if (!policy)
		return default_policy == POLICY_DROP ? XDP_DROP : XDP_PASS;
	return *policy == POLICY_DROP ? XDP_DROP : XDP_PASS;
}

/* Returns the verdict for an L4 header at l4 of protocol proto. */
static __always_inline int l4_verdict(void *l4, void *data_end, __u8 proto)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return XDP_ABORTED;
		/* SYN+FIN and the null scan have no legitimate use. */
		if ((tcp->syn && tcp->fin) || !(((__u8 *)tcp)[13]))
			return SCAN;
		return port_verdict(proto, tcp->dest);
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return XDP_ABORTED;
		if (bpf_ntohs(udp->len) < sizeof(*udp))
			return XDP_DROP;
		return port_verdict(proto, udp->dest);
	}
	return XDP_PASS;
}

static __always_inline int ipv4_verdict(struct iphdr *iph, void *data_end)
{
	struct lpm_v4_key key = { .prefixlen = 32 };
	__u32 *rule, ban = RULE_AUTO_BAN;
	__u32 hdr_len;
	int verdict;

	if ((void *)(iph + 1) > data_end)
		return XDP_ABORTED;
	if (iph->version != 4 || iph->ihl < 5)
		return XDP_DROP;
	hdr_len = iph->ihl * 4;
	if ((void *)iph + hdr_len > data_end)
		return XDP_ABORTED;

	key.addr = iph->saddr;
	rule = bpf_map_lookup_elem(&deny_v4, &key);
	if (rule) {
		last_rule = *rule;
		return XDP_DROP;
	}
	if (iph->frag_off & bpf_htons(0x3fff))
		return drop_ip_fragments ? XDP_DROP : XDP_PASS;
	verdict = l4_verdict((void *)iph + hdr_len, data_end, iph->protocol);
	if (verdict == SCAN) {
		bpf_map_update_elem(&deny_v4, &key, &ban, BPF_NOEXIST);
		return XDP_DROP;
	}
	return verdict;
}

static __always_inline int ipv6_verdict(struct ipv6hdr *ip6, void *data_end)
{
	struct lpm_v6_key key = { .prefixlen = 128 };
	void *hdr = ip6 + 1;
	__u32 *rule;
	int verdict;
	__u8 next;

	if ((void *)(ip6 + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(key.addr, &ip6->saddr, sizeof(key.addr));
	rule = bpf_map_lookup_elem(&deny_v6, &key);
	if (rule) {
		last_rule = *rule;
		return XDP_DROP;
	}

	next = ip6->nexthdr;
	for (int i = 0; i < MAX_IPV6_EXT; i++) {
		struct ipv6_opt_hdr *opt = hdr;

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS)
			break;
		if ((void *)(opt + 1) > data_end)
			return XDP_ABORTED;
		next = opt->nexthdr;
		hdr += (opt->hdrlen + 1) * 8;
	}
	if (next == IPPROTO_FRAGMENT)
		return drop_ip_fragments ? XDP_DROP : XDP_PASS;
	verdict = l4_verdict(hdr, data_end, next);
	return verdict == SCAN ? XDP_DROP : verdict;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	void *hdr = eth + 1;
	__be16 proto;

	if ((void *)(eth + 1) > data_end)
		return record(ctx, XDP_DROP);
	proto = eth->h_proto;

	for (int i = 0; i < MAX_VLAN_DEPTH; i++) {
		struct vlan_hdr *vlan = hdr;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlan + 1) > data_end)
			return record(ctx, XDP_ABORTED);
		proto = vlan->encap_proto;
		hdr = vlan + 1;
	}

	if (proto == bpf_htons(ETH_P_IP))
		return record(ctx, ipv4_verdict(hdr, data_end));
	if (proto == bpf_htons(ETH_P_IPV6))
		return record(ctx, ipv6_verdict(hdr, data_end));
	if (proto == bpf_htons(ETH_P_ARP))
		return record(ctx, XDP_PASS);
	/* Anything else is not ours to let in. */
	return record(ctx, XDP_DROP);
}

char LICENSE[] SEC("license") = "GPL";
