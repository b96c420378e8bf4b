// SPDX-License-Identifier: GPL-2.0
/*
 * Global data: a threshold in .data and a counter in .bss. Both start as
 * compiled, the same in every test, so reading them never forks.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Every path counts the packet in .bss (a changed map entry the self-check
 * compares). A packet of 14 bytes: XDP_ABORTED. Otherwise the byte after
 * the Ethernet header is above the threshold of 100 (XDP_DROP) or not
 * (XDP_TX). 1 + 2 = 3 under every policy: global data is not a map the
 * policies make symbolic.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

__u64 packets;
__u32 threshold = 100;

SEC("xdp")
int eng_global(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *payload = data + ETH_HLEN;

	packets++;
	if ((void *)(payload + 1) > data_end)
		return XDP_ABORTED;
	if (payload[0] > threshold)
		return XDP_DROP;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
