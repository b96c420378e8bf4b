// SPDX-License-Identifier: GPL-2.0
/*
 * A hash map of two entries, filled by the initial contents a path assumes
 * and by the program: an insert into the full map fails with -E2BIG
 * (kernel/bpf/hashtab.c), a delete makes room again, and the initial
 * entries a path assumes must leave room for the inserts it saw succeed.
 * Every result is checked against what the kernel gives for the entries
 * held; a wrong one returns XDP_ABORTED, which no path may reach.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0
 * expect policy=alloc      paths=4 errors=0 unsupported=0
 * expect policy=lookup     paths=4 errors=0 unsupported=0
 * expect policy=concrete   paths=1 errors=0 unsupported=0
 *
 * consistent (and alloc): keys 7 and 8 are each initially present or
 * absent, and both fit: 2 x 2 = 4 cases, holding 0, 1 (two ways) or 2
 * entries. Keys 1 and 2 go in (BPF_ANY) while there is room: with 0 held
 * both do, with 1 only key 1, with 2 neither (-E2BIG). Key 3 (BPF_NOEXIST)
 * is refused in every case: it differs from every key the path knows, so
 * it is absent from a map holding two of them. Key 9 cannot have been there
 * from the start, as it would have refused an insert the path saw succeed
 * or overfilled the map, so its lookup misses without forking. Deleting key 1
 * makes room for key 3 unless the map held 7 and 8 (key 1 never went in).
 * Each case ends on its own return: XDP_PASS (0 held), XDP_TX (1 held, 2
 * paths) or XDP_DROP (2 held). 4 paths.
 *
 * lookup: its lookups of 7, 8 and 9 decide afresh, but 7 and 8 are looked up
 * once each, and 9 is capped as above: the same 4 paths.
 *
 * concrete: the map starts empty: the case holding nothing, 1 path.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define E2BIG 7

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} two SEC(".maps");

SEC("xdp")
int eng_map_capacity(struct xdp_md *ctx)
{
	__u32 seven = 7, eight = 8, one = 1, second = 2, three = 3, nine = 9, value = 0;
	int held = (bpf_map_lookup_elem(&two, &seven) != 0) + (bpf_map_lookup_elem(&two, &eight) != 0);

	if (bpf_map_update_elem(&two, &one, &value, BPF_ANY) != (held < 2 ? 0 : -E2BIG))
		return XDP_ABORTED;
	if (bpf_map_update_elem(&two, &second, &value, BPF_ANY) != (held < 1 ? 0 : -E2BIG))
		return XDP_ABORTED;
	if (bpf_map_update_elem(&two, &three, &value, BPF_NOEXIST) != -E2BIG)
		return XDP_ABORTED;
	if (bpf_map_lookup_elem(&two, &nine))
		return XDP_ABORTED;
	bpf_map_delete_elem(&two, &one);
	if (bpf_map_update_elem(&two, &three, &value, BPF_NOEXIST) != (held < 2 ? 0 : -E2BIG))
		return XDP_ABORTED;
	return held == 0 ? XDP_PASS : held == 1 ? XDP_TX : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
