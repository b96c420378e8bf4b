// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic accounting at the driver: packets and bytes per EtherType in a
 * hash map, a log2 packet-size histogram, and a few global counters shared
 * by every CPU, all updated with atomics because XDP runs on all RX queues
 * at once.
 *
 * Each atomic flavour is here for a reason a real counter has: a plain add
 * when nobody reads the result, fetch-add to sample every Nth packet, xchg
 * to publish the latest length while learning the previous one, a
 * compare-and-swap loop to keep a maximum, fetch-or/and/xor on flag words.
 * Needs atomics with fetch (-mcpu=v3 or later).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SIZE_BUCKETS 12
#define MAX_CAS_RETRIES 4

struct proto_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __be16);
	__type(value, struct proto_stats);
} proto_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIZE_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} size_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} cpu_packets SEC(".maps");

/* Tunables the control plane may change at run time. */
__u32 sample_every = 8;
__u32 runt_len = 60;

__u64 total_packets;
__u64 sampled;
__u32 last_len;
__u32 max_len;
__u64 dest_kinds;   /* bit 0 unicast, 1 multicast, 2 broadcast seen */
__u64 parity;       /* xor of every length, a cheap change detector */
__u64 kinds_before; /* dest_kinds as the last packet found it */

static __always_inline __u32 size_bucket(__u32 len)
{
	__u32 bucket = 0;

	for (int i = 0; i < SIZE_BUCKETS - 1; i++) {
		if (len <= 1)
			break;
		len >>= 1;
		bucket++;
	}
	return bucket;
}

static __always_inline void count_proto(__be16 proto, __u32 len)
{
	struct proto_stats *st = bpf_map_lookup_elem(&proto_count, &proto);

	if (!st) {
		struct proto_stats zero = {};

		/* Another CPU may have inserted it meanwhile: NOEXIST keeps its counts. */
		bpf_map_update_elem(&proto_count, &proto, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&proto_count, &proto);
		if (!st)
			return;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, len);
}

static __always_inline void update_max(__u32 len)
{
	for (int i = 0; i < MAX_CAS_RETRIES; i++) {
		__u32 old = max_len;

		if (len <= old || __sync_val_compare_and_swap(&max_len, old, len) == old)
			break;
	}
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 len = data_end - data;
	struct ethhdr *eth = data;
	__u32 cpu = bpf_get_smp_processor_id() & 7;
	__u32 bucket = size_bucket(len);
	__u64 *slot, n, kind;
	__u32 prev;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;

	n = __sync_fetch_and_add(&total_packets, 1);
	prev = __sync_lock_test_and_set(&last_len, len);
	update_max(len);
	__sync_fetch_and_xor(&parity, len);

	if (eth->h_dest[0] == 0xff && eth->h_dest[1] == 0xff)
		kind = 4;
	else if (eth->h_dest[0] & 1)
		kind = 2;
	else
		kind = 1;
	kinds_before = __sync_fetch_and_or(&dest_kinds, kind);
	/* A unicast packet clears the broadcast-storm bit. */
	if (kind == 1)
		__sync_fetch_and_and(&dest_kinds, ~4ULL);

	count_proto(eth->h_proto, len);
	slot = bpf_map_lookup_elem(&size_hist, &bucket);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	slot = bpf_map_lookup_elem(&cpu_packets, &cpu);
	if (slot)
		*slot += 1;

	/* Back-to-back runts of one size are a flood, not traffic. */
	if (len < runt_len && prev == len)
		return XDP_DROP;
	if (sample_every && n % sample_every == 0)
		__sync_fetch_and_add(&sampled, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
