// SPDX-License-Identifier: GPL-2.0
/*
 * A ring buffer inside an array of maps: the program finds the buffer of
 * slot 0 and writes one record into it by ringbuf_output and one by a
 * reservation, both to the inner map the lookup gave.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=1 errors=0 unsupported=0
 *
 * Counting: slot 0 holds no ring buffer (1 path); it holds one, and the
 * output finds the buffer full (1) or succeeds, and then the reservation
 * finds it full (1) or not (1). 4 paths under every policy but concrete,
 * where the array of maps is empty: 1 path.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct events {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct events);
} buffers SEC(".maps");

SEC("xdp")
int eng_map_in_map_ringbuf(struct xdp_md *ctx)
{
	__u32 zero = 0, len = ctx->data_end - ctx->data;
	__u32 *record;
	void *rb;

	rb = bpf_map_lookup_elem(&buffers, &zero);
	if (!rb)
		return XDP_PASS;
	if (bpf_ringbuf_output(rb, &len, sizeof(len), 0))
		return XDP_ABORTED;
	record = bpf_ringbuf_reserve(rb, sizeof(*record), 0);
	if (!record)
		return XDP_DROP;
	*record = ctx->ingress_ifindex;
	bpf_ringbuf_submit(record, 0);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
