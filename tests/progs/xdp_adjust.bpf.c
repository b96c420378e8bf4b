// SPDX-License-Identifier: GPL-2.0
/*
 * Two programs that change the packet's extent, the XDP operations that
 * move data and data_end and invalidate every packet pointer a program holds.
 *
 * xdp_encap is a tunnel edge: it pops an 802.1Q tag from tagged frames
 * (bpf_xdp_adjust_head forward) and wraps IPv4 packets bound for the tunnelled
 * prefix in an outer IPv4 header (IP-in-IP, bpf_xdp_adjust_head backward into
 * the headroom), checksummed by a BPF-to-BPF call.
 *
 * xdp_sample is a packet sampler feeding a capture port: it stores the
 * original length in XDP metadata (bpf_xdp_adjust_meta), cuts long packets
 * to the snap length and pads runts to the Ethernet minimum
 * (bpf_xdp_adjust_tail both ways), then redirects to the capture interface.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_MIN_FRAME 60

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct sample_meta {
	__u32 orig_len;
	__u16 proto;
	__u16 truncated;
};

const volatile __be32 tunnel_local = bpf_htonl(0xc0000201);  /* 192.0.2.1 */
const volatile __be32 tunnel_remote = bpf_htonl(0xc0000202); /* 192.0.2.2 */
const volatile __be32 tunnel_net = bpf_htonl(0x0a010000);    /* 10.1.0.0/16 */
const volatile __be32 tunnel_mask = bpf_htonl(0xffff0000);

__u32 snap_len = 128;
__u32 capture_ifindex = 1;
__u64 redirect_flags;
__u64 encapsulated, decapsulated, adjust_failed;

static __noinline __u16 ipv4_csum(const __u16 *words)
{
	__u32 sum = 0;

	for (int i = 0; i < sizeof(struct iphdr) / 2; i++)
		sum += words[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum += sum >> 16;
	return (__u16)~sum;
}

static __always_inline int pop_vlan(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct vlan_hdr *vlan = (void *)(eth + 1);
	struct ethhdr copy;

	if ((void *)(vlan + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(&copy, eth, sizeof(copy));
	copy.h_proto = vlan->encap_proto;

	if (bpf_xdp_adjust_head(ctx, (int)sizeof(*vlan))) {
		__sync_fetch_and_add(&adjust_failed, 1);
		return XDP_ABORTED;
	}
	data_end = (void *)(long)ctx->data_end;
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth, &copy, sizeof(copy));
	__sync_fetch_and_add(&decapsulated, 1);
	return XDP_PASS;
}

static __always_inline int push_ipip(struct xdp_md *ctx, const struct iphdr *inner)
{
	struct iphdr outer = {
		.version = 4,
		.ihl = 5,
		.tos = inner->tos,
		.frag_off = bpf_htons(0x4000), /* DF */
		.ttl = 64,
		.protocol = IPPROTO_IPIP,
		.saddr = tunnel_local,
		.daddr = tunnel_remote,
	};
	struct ethhdr *eth = (void *)(long)ctx->data;
	__u32 inner_len = ctx->data_end - ctx->data - sizeof(*eth);
	struct ethhdr copy;
	void *data_end;

	__builtin_memcpy(&copy, eth, sizeof(copy));
	outer.tot_len = bpf_htons(inner_len + sizeof(outer));
	outer.check = ipv4_csum((const __u16 *)&outer);

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(outer))) {
		__sync_fetch_and_add(&adjust_failed, 1);
		return XDP_ABORTED;
	}
	data_end = (void *)(long)ctx->data_end;
	eth = (void *)(long)ctx->data;
	if ((void *)eth + sizeof(*eth) + sizeof(outer) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth, &copy, sizeof(copy));
	__builtin_memcpy(eth + 1, &outer, sizeof(outer));
	__sync_fetch_and_add(&encapsulated, 1);
	return XDP_TX;
}

SEC("xdp")
int xdp_encap(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q))
		return pop_vlan(ctx);
	if (eth->h_proto != bpf_htons(ETH_P_IP) || (void *)(iph + 1) > data_end)
		return XDP_PASS;
	if ((iph->daddr & tunnel_mask) != tunnel_net)
		return XDP_PASS;
	return push_ipip(ctx, iph);
}

SEC("xdp")
int xdp_sample(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	struct sample_meta *meta;
	struct ethhdr *eth;
	__u16 proto;
	int delta = 0;

	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	proto = bpf_ntohs(eth->h_proto);

	if (len > snap_len)
		delta = (int)snap_len - (int)len;
	else if (len < ETH_MIN_FRAME)
		delta = ETH_MIN_FRAME - (int)len;
	/* A snap length below the Ethernet header makes the kernel refuse the cut. */
	if (delta && bpf_xdp_adjust_tail(ctx, delta))
		__sync_fetch_and_add(&adjust_failed, 1);

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return XDP_ABORTED;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	meta->orig_len = len;
	meta->proto = proto;
	meta->truncated = delta < 0;

	if (!capture_ifindex)
		return XDP_PASS;
	return bpf_redirect(capture_ifindex, redirect_flags);
}

char LICENSE[] SEC("license") = "GPL";
