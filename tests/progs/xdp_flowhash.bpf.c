// SPDX-License-Identifier: GPL-2.0
/*
 * Keyed flow hashing for receive steering: a SipHash-style PRF of the
 * IPv4 5-tuple under a secret key, so that senders cannot aim their flows at
 * one queue. The hash goes to the AF_XDP consumer in XDP metadata, in
 * network byte order, and picks the queue counter to bump.
 *
 * This program is built for ISA v4 only, because it is here for its size:
 * the rounds are fully unrolled (a hardened build trading code size for
 * constant time), which puts tens of thousands of instructions between the
 * protocol check and its target, further than a 16-bit jump offset reaches.
 * The compiler has to emit gotol there.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SIP_ROUNDS 1200
#define MAX_QUEUES 16

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u64);
} queue_packets SEC(".maps");

const volatile __u64 hash_key[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
__s64 queues = 4;

static __always_inline __u64 flow_prf(__u64 m0, __u64 m1)
{
	__u64 v0 = 0x736f6d6570736575ULL ^ hash_key[0];
	__u64 v1 = 0x646f72616e646f6dULL ^ hash_key[1];
	__u64 v2 = 0x6c7967656e657261ULL ^ hash_key[0];
	__u64 v3 = 0x7465646279746573ULL ^ hash_key[1] ^ m0;

#pragma clang loop unroll(full)
	for (int i = 0; i < SIP_ROUNDS; i++) {
		v0 += v1;
		v1 = ROTL(v1, 13);
		v1 ^= v0;
		v0 = ROTL(v0, 32);
		v2 += v3;
		v3 = ROTL(v3, 16);
		v3 ^= v2;
		v0 += v3;
		v3 = ROTL(v3, 21);
		v3 ^= v0;
		v2 += v1;
		v1 = ROTL(v1, 17);
		v1 ^= v2;
		v2 = ROTL(v2, 32);
		if (i == SIP_ROUNDS / 2) {
			v0 ^= m0;
			v3 ^= m1;
		}
	}
	return v0 ^ v1 ^ v2 ^ v3;
}

SEC("xdp")
int xdp_flowhash(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct iphdr *iph = (void *)(eth + 1);
	__be16 *ports;
	__u64 hash, *count;
	__u32 queue;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl < 5)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	ports = (void *)iph + iph->ihl * 4;
	if ((void *)(ports + 2) > data_end)
		return XDP_PASS;

	hash = flow_prf((__u64)iph->saddr << 32 | iph->daddr,
			(__u64)ports[0] << 32 | (__u64)ports[1] << 16 | iph->protocol);

	/* A misconfigured queue count must not divide by zero. */
	queue = queues > 0 ? (__u64)((__s64)hash % queues) % MAX_QUEUES : 0;
	count = bpf_map_lookup_elem(&queue_packets, &queue);
	if (count)
		__sync_fetch_and_add(count, 1);

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(hash)) == 0) {
		__u64 *meta = (void *)(long)ctx->data_meta;

		if ((void *)(meta + 1) <= (void *)(long)ctx->data)
			*meta = __builtin_bswap64(hash);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
