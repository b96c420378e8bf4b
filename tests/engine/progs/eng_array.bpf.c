// SPDX-License-Identifier: GPL-2.0
/*
 * Array map lookups: an index below max_entries always finds its slot, one
 * past it finds nothing; a second lookup of a constant index may or may not
 * name the slot the first one found.
 *
 * expect policy=consistent paths=6 errors=0 unsupported=0
 * expect policy=alloc      paths=6 errors=0 unsupported=0
 * expect policy=lookup     paths=5 errors=0 unsupported=0
 * expect policy=concrete   paths=4 errors=0 unsupported=0
 *
 * Paths under consistent (and alloc, which decides the same way):
 *   packet of 14 bytes, no index byte                        XDP_ABORTED
 *   index byte 4..255: out of range, NULL                    XDP_PASS
 *   index 0..3, its slot holds 7                             XDP_DROP
 *   index 0..3, slot not 7, then slot 0:
 *     index was 0: the same slot, known not to be 7          XDP_PASS
 *     index 1..3: slot 0 is new, holds 7                     XDP_TX
 *     index 1..3: slot 0 is new, holds something else        XDP_PASS
 * 1 + 1 + 1 + 3 = 6.
 *
 * Under concrete every slot holds zero, so neither value test forks, but the
 * second lookup still forks on whether the index was 0 (same slot or a new
 * one; both hold zero and pass): 1 + 1 + 2 = 4.
 *
 * lookup makes every lookup's slot fresh, ignoring the first: the second
 * lookup no longer forks on the index, so after "slot not 7" slot 0 holds 7
 * (XDP_TX) or not (XDP_PASS): 1 + 1 + 1 + 2 = 5. Both paths are real: with
 * an index of 1..3 the two lookups read different slots, so neither needs
 * a map that answers one key two ways, and no test may be spurious.
 *
 * The NULL test after the constant-index lookup cannot be true (index 0 is in
 * range), so its XDP_ABORTED is never reached by this lookup and coverage is
 * not claimed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define MARK 7

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

SEC("xdp")
int eng_array(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *payload = data + ETH_HLEN;
	__u32 index, first = 0;
	__u64 *slot, *slot0;

	if ((void *)(payload + 1) > data_end)
		return XDP_ABORTED;
	index = payload[0];
	slot = bpf_map_lookup_elem(&slots, &index);
	if (!slot)
		return XDP_PASS;
	if (*slot == MARK)
		return XDP_DROP;
	slot0 = bpf_map_lookup_elem(&slots, &first);
	if (!slot0)
		return XDP_ABORTED;
	if (*slot0 == MARK)
		return XDP_TX;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
