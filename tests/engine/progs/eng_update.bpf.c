// SPDX-License-Identifier: GPL-2.0
/*
 * A hash map update, then a lookup of a key that may or may not be the one
 * just written.
 *
 * expect policy=consistent paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=3 errors=0 unsupported=0
 *
 * Keys a (bytes 14..17) and b (bytes 18..21); a packet shorter than 22
 * bytes is 1 path (XDP_ABORTED). The update with BPF_ANY needs no knowledge
 * of what the map held, so it does not fork.
 *
 * consistent (and alloc): the lookup of b forks on b == a: then it finds the
 * 1 just written (XDP_TX). Otherwise b is a key not seen before: absent
 * (XDP_PASS), or present with a value that is 1 (XDP_TX) or not (XDP_DROP).
 * 1 + 1 + 1 + 2 = 5.
 *
 * concrete: b == a finds the write (XDP_TX); any other key is absent from
 * the empty map (XDP_PASS). 1 + 2 = 3; XDP_DROP is never reached.
 *
 * lookup: the lookup of b decides afresh, ignoring what the path did
 * before, its own update included, so there is no b == a fork: absent
 * (XDP_PASS), or present with a value that is 1 (XDP_TX) or not (XDP_DROP):
 * 1 + 3 = 4. Each is real with b != a (the update then writes another key),
 * so no test may be spurious and each must replay.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} seen SEC(".maps");

SEC("xdp")
int eng_update(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *payload = data + ETH_HLEN;
	__u32 written, looked_up, one = 1, *value;

	if ((void *)(payload + 2) > data_end)
		return XDP_ABORTED;
	written = payload[0];
	looked_up = payload[1];
	bpf_map_update_elem(&seen, &written, &one, BPF_ANY);
	value = bpf_map_lookup_elem(&seen, &looked_up);
	if (!value)
		return XDP_PASS;
	return *value == 1 ? XDP_TX : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
