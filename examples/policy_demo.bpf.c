// SPDX-License-Identifier: MIT
/*
 * Two lookups of the same key: the smallest program on which the map
 * policies disagree (docs/policies.md counts its paths under each).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
int policy_demo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u64 *first, *second;
	__u32 key;

	if (data + sizeof(key) > end)
		return XDP_DROP;
	key = *(__u32 *)data;
	first = bpf_map_lookup_elem(&seen, &key);
	second = bpf_map_lookup_elem(&seen, &key);
	if (!first)
		return XDP_PASS;
	if (!second)
		return XDP_ABORTED; /* a real map cannot answer the same key two ways */
	return *first == *second ? XDP_TX : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
