// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage first: the default search (interleaved) runs the states in the
 * entry program's own run before those a tail call took elsewhere, whose
 * code does not count in the entry's coverage. Odd first bytes tail-call
 * through a slot the object leaves empty, into a program of 256 paths or
 * back into this one; even ones run a chain of eight tests, a path each.
 *
 * expect policy=consistent paths=268 errors=0 unsupported=0 insn_coverage=100 branch_coverage=100
 * expect policy=alloc paths=268 errors=0 unsupported=0 insn_coverage=100 branch_coverage=100
 * expect policy=lookup paths=268 errors=0 unsupported=0 insn_coverage=100 branch_coverage=100
 * expect policy=concrete paths=11 errors=0 unsupported=0 insn_coverage=100 branch_coverage=100
 * expect policy=consistent jobs=1 max_paths=11 paths=11 branch_coverage=100
 * expect policy=consistent jobs=1 max_paths=11 search=random-path paths=11 branch_coverage=85
 *
 * Counting: a packet under 24 bytes is XDP_ABORTED (1). An odd first byte
 * tail-calls through next_stage's slot 0, which no record names: empty, the
 * call fails and gives XDP_PASS (1); eng_search_bits, 2^8 paths over bits
 * 1-8 (256); eng_search again, which takes the same slot, again and again
 * until the kernel's limit of 33 tail calls fails the call (1). An even first
 * byte returns at the first of bytes 1-8 equal to its index (8), or runs
 * through to XDP_PASS (1). 1 + 258 + 9 = 268. The concrete policy's slot is
 * empty: 1 + 1 + 9 = 11.
 *
 * The entry's 20 branch sides (the length check, the first byte's bit, the
 * chain's eight tests) need those 11 paths at the least, one each: the two
 * lengths, an odd byte, and the chain's nine ends. Within 11 paths the
 * default search finds exactly them (one worker: two split the tree between
 * them). random-path alone spends three of them on odd first bytes (the
 * empty slot, eng_search_bits, and eng_search again) where one would do,
 * and never reaches the chain's last test (17 of 20 sides).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} next_stage SEC(".maps");

SEC("xdp")
int eng_search_bits(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	volatile int seen = 0;

	if (data + 24 > (unsigned char *)end)
		return XDP_ABORTED;
#pragma unroll
	for (int i = 1; i < 9; i++)
		if (data[i] & 1)
			seen = i;
	return XDP_DROP;
}

SEC("xdp")
int eng_search(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + 24 > (unsigned char *)end)
		return XDP_ABORTED;
	if (data[0] & 1) {
		bpf_tail_call(ctx, &next_stage, 0);
		return XDP_PASS;
	}
#pragma unroll
	for (int i = 1; i < 9; i++)
		if (data[i] == i)
			return XDP_TX;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
