// SPDX-License-Identifier: GPL-2.0
/*
 * iproute2's conventions for tc objects: struct bpf_elf_map in SEC("maps")
 * with ids linking a map-in-map to its inner map (inserted at inner_idx),
 * and tail-called programs in sections named "ID/KEY", placed in slot KEY of
 * the program array whose id is ID. The entry point's section follows no
 * loader's naming.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

#define JMP_MAP_ID 1
#define INNER_ID 2

struct bpf_elf_map jmp_map SEC("maps") = {
	.type = BPF_MAP_TYPE_PROG_ARRAY,
	.id = JMP_MAP_ID,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 4,
};

struct bpf_elf_map map_inner SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.id = INNER_ID,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 1,
	.inner_idx = 2,
	.pinning = 2,
};

struct bpf_elf_map map_outer SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 3,
	.inner_id = INNER_ID,
};

SEC("1/0")
int tail_zero(struct __sk_buff *skb)
{
	return TC_ACT_SHOT;
}

SEC("1/3")
int tail_three(struct __sk_buff *skb)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&map_outer, &key) ? TC_ACT_OK : TC_ACT_UNSPEC;
}

SEC("from-netdev")
int entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_map, skb->mark & 3);
	return TC_ACT_OK;
}

char __license[] SEC("license") = "GPL";
