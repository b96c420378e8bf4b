// SPDX-License-Identifier: GPL-2.0
/*
 * A 256 KiB scratch value, as tracing programs keep one per CPU to build
 * their events in: written and read at fixed offsets and read at an offset
 * the packet decides. Only the bytes a path reads become inputs (its test
 * lists them, and no others), whatever the value's size.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0
 * expect policy=alloc paths=4 errors=0 unsupported=0
 * expect policy=lookup paths=4 errors=0 unsupported=0
 * expect policy=concrete paths=2 errors=0 unsupported=0
 *
 * Counting: a packet with less than two bytes after its Ethernet header
 * passes (1 path). Otherwise
 * the lookup of key 0 always finds the value (an array). Byte 200000
 * becomes 7. Then, where the value's contents are inputs (every policy but
 * concrete): byte 131072 is 5 (XDP_DROP, 1 path) or not; if not, the byte
 * at 4 * (those two bytes, big-endian) is 9 (XDP_TX) or not
 * (XDP_PASS): both can be, at any index but 200000, which holds 7: 2 paths;
 * 4 paths. Under concrete the value is zeroes: neither 5 nor 9, XDP_PASS:
 * 2 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SCRATCH_SIZE (256 * 1024)

struct scratch {
	__u8 data[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

SEC("xdp")
int eng_scratch(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct scratch *s;
	__u32 zero = 0, idx;

	if (data + 16 > data_end)
		return XDP_PASS;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return XDP_ABORTED;
	idx = ((__u32)data[14] << 8 | data[15]) << 2;
	s->data[200000] = 7;
	if (s->data[131072] == 5)
		return XDP_DROP;
	if (s->data[idx & (SCRATCH_SIZE - 1)] == 9)
		return XDP_TX;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
