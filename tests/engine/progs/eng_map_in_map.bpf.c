// SPDX-License-Identifier: GPL-2.0
/*
 * Maps of maps: an array of hash maps and a hash of array maps. A lookup in
 * the outer map gives one inner map or nothing, and the inner map then
 * behaves as its own type under the outer map's policy.
 *
 * expect policy=consistent paths=6 errors=0 unsupported=0
 * expect policy=alloc paths=6 errors=0 unsupported=0
 * expect policy=lookup paths=8 errors=0 unsupported=0 spurious=3
 * expect policy=concrete paths=2 errors=0 unsupported=0
 *
 * Counting (consistent, alloc): a packet without a 15th byte (1 path);
 * flows[0] holds no map (1); the flow's hash map lacks the byte's key: it is
 * inserted and found again with the value written (1); it has the key, and
 * totals[1] holds no map (1) or an array whose slot 0 adds the count: a total
 * over 7 (1) or not (1). 6 paths. (The array's slot 0 always exists: the
 * check for it is dead.)
 * lookup: the second lookup after the insert finds nothing, a value other
 * than 1, or 1: 2 paths more. Each answer is held to every earlier record of
 * the key, the initial absence included, so all three are spurious. 8 paths.
 * concrete: the maps are empty: the short packet, and flows[0] empty. 2 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_counts {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct flow_counts);
} flows SEC(".maps");

struct total {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct total);
} totals SEC(".maps");

SEC("xdp")
int eng_map_in_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, one = 1, key;
	__u32 *count;
	__u64 *total;
	void *inner;

	if (data + 15 > data_end)
		return XDP_ABORTED;
	key = ((__u8 *)data)[14];
	inner = bpf_map_lookup_elem(&flows, &zero);
	if (!inner)
		return XDP_PASS;
	count = bpf_map_lookup_elem(inner, &key);
	if (!count) {
		bpf_map_update_elem(inner, &key, &one, BPF_ANY);
		count = bpf_map_lookup_elem(inner, &key);
		if (!count)
			return XDP_ABORTED;
		return *count == 1 ? XDP_TX : XDP_DROP;
	}
	inner = bpf_map_lookup_elem(&totals, &one);
	if (!inner)
		return XDP_DROP;
	total = bpf_map_lookup_elem(inner, &zero);
	if (!total)
		return XDP_ABORTED;
	*total += *count;
	return *total > 7 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
