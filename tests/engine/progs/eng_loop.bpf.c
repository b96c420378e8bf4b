// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded loop the compiler keeps as a loop: it scans the four bytes
 * after the Ethernet header for a zero byte and stops at the first.
 *
 * expect policy=consistent paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=6 errors=0 unsupported=0 insn_coverage=100
 *
 * A packet shorter than 18 bytes is one path (XDP_PASS). Otherwise the
 * first zero byte is at index 0, 1, 2 or 3, or there is none: 5 paths, each
 * leaving the loop with a concrete count, so the final comparison does not
 * fork. 1 + 5 = 6.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define SCAN_LEN 4

SEC("xdp")
int eng_loop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *payload = data + ETH_HLEN;
	int i;

	if ((void *)(payload + SCAN_LEN) > data_end)
		return XDP_PASS;
#pragma clang loop unroll(disable)
	for (i = 0; i < SCAN_LEN; i++)
		if (!payload[i])
			break;
	return i == SCAN_LEN ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
