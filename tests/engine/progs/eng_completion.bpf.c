// SPDX-License-Identifier: GPL-2.0
/*
 * 2^32 paths, one per way the top bits of 32 packet bytes may fall: no
 * budget of seconds explores them. When --max-time ends the exploration,
 * the states it left are completed along their models in the time kept for
 * that, each a whole path with a test that replays (budgets.sh counts them).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BYTES 32

SEC("xdp")
int eng_completion(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 sum = 0;

	if (data + BYTES > (unsigned char *)end)
		return XDP_PASS;
#pragma unroll
	for (int i = 0; i < BYTES; i++)
		if (data[i] & 0x80) {
			sum += i + 1;
			/* a jump per byte: the compiler may not turn it into arithmetic */
			asm volatile("" : "+r"(sum));
		}
	return sum & 1 ? XDP_DROP : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
