// SPDX-License-Identifier: GPL-2.0
/*
 * An array of 56-byte structures in global data indexed by a 5-bit field of
 * the packet, read and written at that symbolic offset: the engine's cases
 * are the index's 32 values, not the region's 1,792 byte offsets.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: a packet with under 2 bytes after its Ethernet header is
 * XDP_ABORTED. Otherwise entry (byte 0 + 1) % 32 of those is stamped with
 * byte 1, which reads back as written
 * (the XDP_TX side is infeasible), and its action is XDP_DROP for entries
 * 0-7 (byte 0 of 255 or 0-6) and XDP_PASS for entries 8-31: 1 + 2 = 3.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct entry {
	__u32 action;
	__u16 port;
	__u8 stamp;
	__u8 pad[49];
};

struct entry table[32] = {
	[0 ... 7] = { .action = XDP_DROP, .port = 53 },
	[8 ... 31] = { .action = XDP_PASS, .port = 80 },
};

SEC("xdp")
int eng_struct_index(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data + ETH_HLEN;
	__u32 i;

	if ((void *)(p + 2) > data_end)
		return XDP_ABORTED;
	i = (p[0] + 1) & 31;
	table[i].stamp = p[1];
	if (*(volatile __u8 *)&table[(p[0] + 1) & 31].stamp != p[1])
		return XDP_TX;
	if (table[i].action == XDP_DROP && table[i].port == 53)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
