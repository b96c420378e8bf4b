// SPDX-License-Identifier: MIT
/* The smallest XDP program: one path, no packet access, no maps. Exploring it
 * costs little more than mhse's start-up, which is what bench/bench.py times. */
#include <linux/bpf.h>

__attribute__((section("xdp"), used))
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
