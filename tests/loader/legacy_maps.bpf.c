// SPDX-License-Identifier: GPL-2.0
/*
 * Maps the way objects defined them before BTF: libbpf's struct bpf_map_def
 * in SEC("maps"), in its 20-byte form and in the 28-byte form of the
 * kernel's samples/bpf with inner_map_idx (the index of the inner map's
 * definition in the section) and numa_node.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_full {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct bpf_map_def_full counts SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 16,
};

struct bpf_map_def_full templ SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 32,
	.numa_node = 1,
};

struct bpf_map_def_full outer_legacy SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH_OF_MAPS,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 4,
	.inner_map_idx = 1,
};

struct bpf_map_def_full perf SEC("maps") = {
	.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
};

SEC("socket1")
int count_packets(struct __sk_buff *skb)
{
	__u32 key = skb->protocol & 15;
	__u64 *value = bpf_map_lookup_elem(&counts, &key);

	if (value)
		__sync_fetch_and_add(value, skb->len);
	if (bpf_map_lookup_elem(&outer_legacy, &key))
		bpf_perf_event_output(skb, &perf, BPF_F_CURRENT_CPU, &key, sizeof(key));
	return 0;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x050a00;
