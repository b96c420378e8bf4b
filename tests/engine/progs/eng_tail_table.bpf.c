// SPDX-License-Identifier: GPL-2.0
/*
 * An object whose program array starts with a stage in it, and a program
 * that never tail-calls: its coverage is its own code, not the stage's,
 * which only the dispatcher can reach.
 *
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=2 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: a packet of 14 bytes is XDP_ABORTED, a longer one XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_tail_stage(struct xdp_md *ctx)
{
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} stages SEC(".maps") = {
	.values = { [0] = (void *)&eng_tail_stage },
};

SEC("xdp")
int eng_tail_dispatch(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &stages, 0);
	return XDP_PASS;
}

SEC("xdp")
int eng_tail_table(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + ETH_HLEN + 1 > data_end)
		return XDP_ABORTED;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
