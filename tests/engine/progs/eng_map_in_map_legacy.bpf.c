// SPDX-License-Identifier: GPL-2.0
/*
 * A hash of maps defined the legacy way (libbpf's struct bpf_map_def in
 * SEC("maps")), whose inner definition is another definition of the section
 * named by inner_map_idx: the inner maps a lookup finds have that map's
 * shape, not its contents.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=1 errors=0 unsupported=0
 *
 * Counting: the outer key (the ingress ifindex) holds no map, and the
 * template array's own slot 0 is over 100 (1) or not (1); or it holds an
 * array of two counters, whose slot 1 is over 100 (1) or not (1): 4 paths
 * (an array's slot always exists). concrete: the outer map is empty and the
 * template holds zeroes: 1 path.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct bpf_map_def SEC("maps") counters_template = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 2,
};

struct bpf_map_def SEC("maps") per_device = {
	.type = BPF_MAP_TYPE_HASH_OF_MAPS,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 8,
	.inner_map_idx = 0,
};

SEC("xdp")
int eng_map_in_map_legacy(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex, zero = 0, one = 1;
	__u64 *count;
	void *inner;

	inner = bpf_map_lookup_elem(&per_device, &ifindex);
	if (!inner) {
		count = bpf_map_lookup_elem(&counters_template, &zero);
		return count && *count > 100 ? XDP_DROP : XDP_PASS;
	}
	count = bpf_map_lookup_elem(inner, &one);
	if (!count)
		return XDP_ABORTED;
	return *count > 100 ? XDP_DROP : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
