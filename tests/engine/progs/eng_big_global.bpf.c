// SPDX-License-Identifier: GPL-2.0
/*
 * A lookup table of 64 KiB in global data, indexed by the first two bytes
 * after the Ethernet header: a read
 * at a symbolic offset into a region that large would be a term of a case
 * per offset, so the path ends as unsupported, naming the region, instead
 * of exhausting memory.
 *
 * expect policy=consistent paths=2 errors=0 unsupported=1
 * expect policy=alloc paths=2 errors=0 unsupported=1
 * expect policy=lookup paths=2 errors=0 unsupported=1
 * expect policy=concrete paths=2 errors=0 unsupported=1
 *
 * Counting: a packet with less than two bytes after its Ethernet header
 * passes (1 path); otherwise the table read is unsupported (1 path).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u8 verdict_by_tag[65536];

SEC("xdp")
int eng_big_global(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 *tag = data + 14;

	if ((void *)(tag + 1) > data_end)
		return XDP_PASS;
	return verdict_by_tag[*tag];
}

char LICENSE[] SEC("license") = "GPL";
