// SPDX-License-Identifier: GPL-2.0
/*
 * Two lookups of the same key in a hash map: where the map policies differ.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0
 * expect policy=alloc      paths=3 errors=0 unsupported=0
 * expect policy=lookup     paths=4 errors=0 unsupported=0 spurious=1
 * expect policy=concrete   paths=2 errors=0 unsupported=0
 *
 * A packet shorter than 18 bytes has no key: 1 path (XDP_ABORTED).
 *
 * consistent (and alloc): the first lookup forks absent (XDP_PASS) or
 * present; the second names the same key, so it finds the same entry and
 * its NULL test does not fork (XDP_TX). 1 + 1 + 1 = 3.
 *
 * lookup: each lookup decides hit or miss afresh. First miss: XDP_PASS.
 * First hit, second miss: XDP_DROP. Both hit: XDP_TX. 1 + 1 + 1 + 1 = 4.
 * The hit-then-miss path needs a map that answers one key two ways (the
 * key is the same), so its test is marked spurious and not replayed: 1
 * spurious test. The values are never read, so the two fresh values a
 * hit-hit path makes up for one key may agree, and that path is real.
 *
 * concrete: the map starts empty, the first lookup misses: 1 + 1 = 2.
 *
 * XDP_DROP is reachable under lookup only, so coverage is not claimed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} flows SEC(".maps");

SEC("xdp")
int eng_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *payload = data + ETH_HLEN;
	__u32 key;

	if ((void *)(payload + 1) > data_end)
		return XDP_ABORTED;
	key = payload[0];
	if (!bpf_map_lookup_elem(&flows, &key))
		return XDP_PASS;
	if (!bpf_map_lookup_elem(&flows, &key))
		return XDP_DROP;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
