// SPDX-License-Identifier: GPL-2.0
/*
 * Lookups of two keys in a hash map of one entry: the initial contents a
 * path assumes must fit the map, so both keys cannot be there.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=1 errors=0 unsupported=0
 *
 * consistent (and alloc): key 1 is present or absent (2 cases); key 2
 * differs from it, so with key 1 present the map is full and key 2 is
 * absent (1 path, XDP_DROP), and with key 1 absent key 2 is present
 * (XDP_PASS) or absent (XDP_ABORTED): 1 + 2 = 3. XDP_TX would need both.
 *
 * lookup: each lookup is decided afresh, but never so that the map would
 * hold more than it can: the same 3 paths.
 *
 * concrete: the map starts empty, both lookups miss: 1 path.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} one SEC(".maps");

SEC("xdp")
int eng_map_full(struct xdp_md *ctx)
{
	__u32 first = 1, second = 2;
	int found = 0;

	if (bpf_map_lookup_elem(&one, &first))
		found |= 1;
	if (bpf_map_lookup_elem(&one, &second))
		found |= 2;
	return found; /* XDP_ABORTED, XDP_DROP, XDP_PASS or XDP_TX */
}

char _license[] SEC("license") = "GPL";
