// SPDX-License-Identifier: GPL-2.0
/*
 * Bounds at an offset the packet decides: a header found through a length
 * byte is checked once, then read field by field out of order, below the
 * first field read, and once past what was checked. mhse proves the reads
 * inside the checked range in bounds without a solver query (the range a
 * path has proven, kept per symbolic base), and must still find the read
 * past it, or before the packet's start, out of bounds on some packet.
 *
 * expect policy=consistent paths=12 errors=2 unsupported=0
 * expect policy=alloc paths=12 errors=2 unsupported=0
 * expect policy=lookup paths=12 errors=2 unsupported=0
 * expect policy=concrete paths=12 errors=2 unsupported=0
 *
 * Counting: the XDP spec's packets are 14 to 1514 bytes long. A 14-byte
 * packet has no byte 14 (1 path, XDP_PASS). The header h starts at
 * 15 + 4 * (byte 14 & 63), and a packet too short for its 4 bytes is
 * dropped (1 path). Then: h[2] == 1 (1 path, XDP_TX); else h[0] == 2
 * returns on the low bit of h[1] (2 paths); else h[3] == 3 reads h[5],
 * past the 4 checked bytes: out of bounds on a packet that ends within
 * 6 bytes of h (1 error path), else its low bit decides (2 paths); else
 * h[3] == 4 reads 16 bytes before h, one byte before the packet when
 * byte 14 & 63 is 0 (1 error path), else its low bit decides (2 paths);
 * else XDP_PASS (1 path). No map is used: 12 paths under every policy.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_windows(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	volatile unsigned char *h;

	if (data + 15 > end)
		return XDP_PASS;
	h = data + 15 + (data[14] & 63) * 4;
	if ((unsigned char *)h + 4 > end)
		return XDP_DROP;
	if (h[2] == 1)
		return XDP_TX;
	if (h[0] == 2)
		return h[1] & 1 ? XDP_PASS : XDP_DROP;
	if (h[3] == 3)
		return h[5] & 1 ? XDP_PASS : XDP_DROP;
	if (h[3] == 4)
		return *(h - 16) & 1 ? XDP_PASS : XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
