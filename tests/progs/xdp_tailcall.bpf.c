// SPDX-License-Identifier: GPL-2.0
/*
 * A protocol dispatcher built from tail calls, the way XDP pipelines chain
 * independent stages: xdp_dispatch looks at the EtherType and jumps through
 * a program array to an IPv4 or IPv6 router stage; a jump to an empty slot
 * falls through and the packet is passed up. The routers decrement the TTL
 * (patching the IPv4 checksum incrementally, RFC 1624) and bounce the
 * packet back out.
 *
 * xdp_chain jumps to itself until the kernel's tail-call limit stops it and
 * records how many times it ran, which pins that limit (33 jumps, 34 runs).
 *
 * Slots hold the object's programs in their order in the object: the test
 * harness fills slot i with program i, so the slot numbers below follow the
 * order of the functions in this file.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SLOT_IPV4 0
#define SLOT_IPV6 1
#define SLOT_CHAIN 2
#define ETH_P_CHAIN_TEST 0x88b5 /* IEEE local experimental EtherType */

enum stage_stat {
	STAT_DISPATCHED,
	STAT_ROUTED,
	STAT_EXPIRED,
	STAT_FELL_THROUGH,
	STAT_MAX,
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stage_stats SEC(".maps");

__u32 chain_runs;

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&stage_stats, &stat);

	if (v)
		*v += 1;
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

SEC("xdp")
int xdp_ipv4(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 check;

	if ((void *)(iph + 1) > data_end || iph->ihl < 5)
		return XDP_DROP;
	if (iph->ttl <= 1) {
		count(STAT_EXPIRED);
		return XDP_DROP;
	}
	/* TTL is the high byte of its 16-bit word: the sum drops by 0x0100
	 * (ip_decrease_ttl's end-around carry).
	 */
	check = iph->check;
	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl--;
	swap_macs(eth);
	count(STAT_ROUTED);
	return XDP_TX;
}

SEC("xdp")
int xdp_ipv6(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	/* Neighbour discovery is the host stack's business. */
	if (ip6->nexthdr == IPPROTO_ICMPV6)
		return XDP_PASS;
	if (ip6->hop_limit <= 1) {
		count(STAT_EXPIRED);
		return XDP_DROP;
	}
	ip6->hop_limit--;
	swap_macs(eth);
	count(STAT_ROUTED);
	return XDP_TX;
}

SEC("xdp")
int xdp_chain(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&chain_runs, 1);
	bpf_tail_call(ctx, &jmp_table, SLOT_CHAIN);
	count(STAT_FELL_THROUGH);
	return chain_runs > 1 ? XDP_DROP : XDP_ABORTED;
}

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	count(STAT_DISPATCHED);
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_IP):
		bpf_tail_call(ctx, &jmp_table, SLOT_IPV4);
		break;
	case bpf_htons(ETH_P_IPV6):
		bpf_tail_call(ctx, &jmp_table, SLOT_IPV6);
		break;
	case bpf_htons(ETH_P_CHAIN_TEST):
		bpf_tail_call(ctx, &jmp_table, SLOT_CHAIN);
		break;
	}
	count(STAT_FELL_THROUGH);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
