// SPDX-License-Identifier: GPL-2.0
/*
 * Packet bounds checks: each "data + n > data_end" test is a fork between a
 * packet too short for the header and one long enough.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * The XDP spec's packets are 14 to 1514 bytes long. The IPv4 header ends at
 * byte 34 and the UDP header at byte 42, so the length splits in three:
 *   14..33    too short for IPv4            XDP_DROP
 *   34..41    IPv4 fits, UDP does not       XDP_ABORTED
 *   42..1514  both fit                      XDP_PASS
 * No map is used, so every policy gives the same 3 paths.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_bounds(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct udphdr *udp = (void *)(iph + 1);

	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
