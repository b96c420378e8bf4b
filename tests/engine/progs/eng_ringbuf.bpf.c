// SPDX-License-Identifier: GPL-2.0
/*
 * Reports long packets through a ring buffer and counts the reports it had
 * to drop: a reservation fails when the buffer is full, which its reader
 * decides, so the engine takes both outcomes and the test records which.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: a packet under 64 bytes passes (1 path); a longer one is
 * reported when the buffer has room (1) or counted as dropped when it is
 * full (1): 3 paths under every policy, since the drop counter is a global
 * the program only adds to.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct report {
	__u32 len;
	__u32 ifindex;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} reports SEC(".maps");

__u64 dropped;

SEC("xdp")
int eng_ringbuf(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	struct report *r;

	if (len < 64)
		return XDP_PASS;
	r = bpf_ringbuf_reserve(&reports, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&dropped, 1);
		return XDP_DROP;
	}
	r->len = len;
	r->ifindex = ctx->ingress_ifindex;
	bpf_ringbuf_submit(r, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
