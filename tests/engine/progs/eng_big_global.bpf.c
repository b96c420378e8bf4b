// SPDX-License-Identifier: GPL-2.0
/*
 * A lookup table of 64 KiB in global data, two of its entries set,
 * indexed by the first two bytes after the Ethernet header: a read at a
 * symbolic offset into a region that large is a read of an array term
 * (the table's bytes, its non-zero ones stored over zeroes), so the tag
 * decides which entry the program sees, and a count of 64 KiB in .bss is
 * bumped at the same symbolic offset.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0
 * expect policy=alloc paths=4 errors=0 unsupported=0
 * expect policy=lookup paths=4 errors=0 unsupported=0
 * expect policy=concrete paths=4 errors=0 unsupported=0
 *
 * Counting: a packet with less than two bytes after its Ethernet header
 * passes (1 path); otherwise the tag names entry 0x0008 (bytes 08 00 in
 * the packet: verdict 2, XDP_PASS), entry 0xdd86 (verdict 1, XDP_DROP), or
 * any other (verdict 0: XDP_TX), 3 paths. The count at the tag's entry is
 * 1 after the bump whatever the tag, so it decides nothing.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u8 verdict_by_tag[65536] = { [0x0008] = 2, [0xdd86] = 1 };
__u8 seen_by_tag[65536];

SEC("xdp")
int eng_big_global(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 *tag = data + 14;
	__u8 verdict;

	if ((void *)(tag + 1) > data_end)
		return XDP_PASS;
	seen_by_tag[*tag]++;
	if (seen_by_tag[*tag] != 1)
		return XDP_ABORTED;
	verdict = verdict_by_tag[*tag];
	if (verdict == 2)
		return XDP_PASS;
	if (verdict == 1)
		return XDP_DROP;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
