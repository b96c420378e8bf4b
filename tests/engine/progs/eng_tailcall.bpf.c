// SPDX-License-Identifier: GPL-2.0
/*
 * A tail call through a program array, its index read from the packet.
 *
 * expect policy=consistent paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * A packet of 14 bytes has no index: 1 path (XDP_ABORTED). An index of 2 or
 * more is past the array: the call falls through (XDP_PASS), 1 path. For
 * index 0 or 1 the slot, not seen before, may hold any XDP program of the
 * object the kernel puts there (not eng_stage_devmap, of another expected
 * attach type) or nothing:
 *   eng_stage_drop                                              XDP_DROP
 *   eng_stage_tx                                                XDP_TX
 *   eng_tailcall itself: it reads the same index, finds itself in the
 *     same slot and jumps again until the tail-call limit, then falls
 *     through                                                   XDP_PASS
 *   empty: falls through                                        XDP_PASS
 * 1 + 1 + 4 = 6 under consistent and alloc; lookup is the same, as a
 * program array remembers its slots under every policy.
 *
 * concrete (no --maps file): every slot is empty, so an index in range
 * falls through like one past the array: 1 + 1 + 1 = 3. The stages are
 * never reached and, as no slot starts with them, do not count in the
 * coverage.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} stages SEC(".maps");

SEC("xdp")
int eng_stage_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int eng_stage_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

/* an XDP program for a device map: another expected attach type, which
 * the kernel keeps out of eng_tailcall's program array */
SEC("xdp/devmap")
int eng_stage_devmap(struct xdp_md *ctx)
{
	return XDP_REDIRECT;
}

SEC("xdp")
int eng_tailcall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *payload = data + ETH_HLEN;

	if ((void *)(payload + 1) > data_end)
		return XDP_ABORTED;
	bpf_tail_call(ctx, &stages, payload[0]);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
