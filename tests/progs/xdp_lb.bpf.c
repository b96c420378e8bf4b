// SPDX-License-Identifier: GPL-2.0
/*
 * An XDP layer-4 load balancer in the style of Katran's simpler cousins:
 * TCP and UDP packets for the virtual IP and port are steered to a backend
 * chosen by a hash of the 5-tuple, remembered in an LRU connection table so
 * that a flow keeps its backend, and sent back out with the destination
 * address and MACs rewritten (XDP_TX), or through a device map for backends
 * on another port (XDP_REDIRECT).
 *
 * The checksums are patched incrementally with bpf_csum_diff, the IPv4
 * header's and the L4 pseudo-header's, as forwarding code must. The hash and
 * the checksum fold are real BPF-to-BPF calls. A FIN or RST ends the
 * connection's entry.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_BACKENDS 16
#define BACKEND_REMOTE_PORT 0x1 /* reached through tx_ports, not back out the wire */

struct flow {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct backend {
	__be32 addr;
	__u8 mac[ETH_ALEN];
	__u16 tx_port;
	__u32 flags;
};

struct conn {
	__u32 backend;
	__u32 pad;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow);
	__type(value, struct conn);
} conntrack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

const volatile __be32 vip_addr = bpf_htonl(0x0a000001); /* 10.0.0.1 */
const volatile __be16 vip_port = bpf_htons(80);

__u32 backend_count = 4;
__u64 no_backend;
__u64 new_flows;

static __noinline __u32 flow_hash(const struct flow *f)
{
	const __u32 *word = (const __u32 *)f;
	__u32 h = 0x9e3779b9;

	for (int i = 0; i < sizeof(*f) / sizeof(__u32); i++) {
		h ^= word[i];
		h *= 0x85ebca6b;
		h ^= h >> 13;
		h = (h << 5) | (h >> 27);
	}
	return h;
}

static __noinline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

/* The new value of a checksum field after old was replaced by new (4 bytes). */
static __always_inline __u16 csum_replace4(__u16 check, __be32 old, __be32 new)
{
	__s64 diff = bpf_csum_diff(&old, sizeof(old), &new, sizeof(new), (__u16)~check);

	return csum_fold((__u32)diff);
}

static __always_inline struct conn *pick_backend(struct flow *f)
{
	struct conn *c = bpf_map_lookup_elem(&conntrack, f);
	struct conn fresh = {};

	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		return c;
	}
	if (!backend_count)
		return NULL;
	fresh.backend = flow_hash(f) % backend_count;
	fresh.packets = 1;
	if (bpf_map_update_elem(&conntrack, f, &fresh, BPF_NOEXIST))
		return NULL;
	__sync_fetch_and_add(&new_flows, 1);
	return bpf_map_lookup_elem(&conntrack, f);
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct flow f = {};
	bool closing = false;
	struct backend *be;
	struct conn *c;
	__u16 *l4_check;
	void *l4;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl < 5 || iph->daddr != vip_addr)
		return XDP_PASS;
	l4 = (void *)iph + iph->ihl * 4;

	if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		f.sport = tcp->source;
		f.dport = tcp->dest;
		l4_check = &tcp->check;
		closing = tcp->fin || tcp->rst;
	} else if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		f.sport = udp->source;
		f.dport = udp->dest;
		l4_check = udp->check ? &udp->check : NULL;
	} else {
		return XDP_PASS;
	}
	if (f.dport != vip_port)
		return XDP_PASS;
	f.saddr = iph->saddr;
	f.daddr = iph->daddr;
	f.proto = iph->protocol;

	c = pick_backend(&f);
	if (!c)
		return XDP_ABORTED;
	be = bpf_map_lookup_elem(&backends, &c->backend);
	if (!be || !be->addr) {
		bpf_printk("xdp_lb: backend %u is gone", c->backend);
		__sync_fetch_and_add(&no_backend, 1);
		return XDP_DROP;
	}
	/* The last packet of a connection still goes to its backend; the entry does not outlive it. */
	if (closing)
		bpf_map_delete_elem(&conntrack, &f);

	if (l4_check)
		*l4_check = csum_replace4(*l4_check, iph->daddr, be->addr);
	iph->check = csum_replace4(iph->check, iph->daddr, be->addr);
	iph->daddr = be->addr;
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);

	if (be->flags & BACKEND_REMOTE_PORT)
		return bpf_redirect_map(&tx_ports, be->tx_port, XDP_PASS);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
