// SPDX-License-Identifier: GPL-2.0
/*
 * Bounds at an offset the packet decides: a header found through a length
 * byte is checked once, then read field by field out of order, below the
 * first field read, and once past what was checked. mhse proves the reads
 * inside the checked range in bounds without a solver query (what a
 * comparison with the packet's end and the reads before have proven, kept
 * per symbolic base), and must still find the read past it, before the
 * packet's start, or on the side of a check that failed, out of bounds on
 * some packet; a comparison of two packet pointers neither of which is the
 * end proves nothing about the end.
 *
 * expect policy=consistent paths=17 errors=5 unsupported=0
 * expect policy=alloc paths=17 errors=5 unsupported=0
 * expect policy=lookup paths=17 errors=5 unsupported=0
 * expect policy=concrete paths=17 errors=5 unsupported=0
 *
 * Counting: the XDP spec's packets are 14 to 1514 bytes long. A 14-byte
 * packet fails the first check and reads its byte 14, always past the end
 * (1 error path). The header h starts at 15 + 4 * (byte 14 & 63). When h
 * is 60 or more bytes in, byte 59 is read: past the end of a shorter
 * packet (1 error path), else its low bit decides (2 paths). Else a
 * packet too short for h's 4 bytes reads h[0], out of bounds when h is
 * the end (1 error path), else its low bit decides (2 paths). Then:
 * h[2] == 1 (1 path, XDP_TX); else h[0] == 2 returns on the low bit of h[1]
 * (2 paths); else h[3] == 3 reads h[5], past the 4 checked bytes: out of
 * bounds on a packet that ends within 6 bytes of h (1 error path), else
 * its low bit decides (2 paths); else h[3] == 4 reads 16 bytes before h,
 * one byte before the packet when byte 14 & 63 is 0 (1 error path), else
 * its low bit decides (2 paths); else XDP_PASS (1 path). No map is used:
 * 17 paths, 5 of them errors, under every policy.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_windows(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	volatile unsigned char *h;
	unsigned char *mark;

	if (data + 15 > end)
		return data[14] & 1 ? XDP_PASS : XDP_DROP;
	h = data + 15 + (data[14] & 63) * 4;
	mark = data + 60;
	/* kept a pointer, so that the compiler compares pointers, not offsets */
	asm volatile("" : "+r"(mark));
	if ((unsigned char *)h >= mark)
		return data[59] & 1 ? XDP_PASS : XDP_DROP;
	if ((unsigned char *)h + 4 > end)
		return h[0] & 1 ? XDP_PASS : XDP_DROP;
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
