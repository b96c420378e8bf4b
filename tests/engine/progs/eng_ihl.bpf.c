// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing at a variable offset: the UDP header starts where the IPv4
 * header's IHL says, 20 to 60 bytes after it, so its bounds check compares a
 * symbolic pointer with the symbolic packet end.
 *
 * expect policy=consistent paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=6 errors=0 unsupported=0 insn_coverage=100
 *
 * The checks in order, each feasible both ways given the ones before it:
 *   1. packet shorter than 34 bytes (no room for IPv4)      XDP_PASS
 *   2. EtherType not IPv4                                    XDP_PASS
 *   3. IHL below 5 (bytes 14's low nibble 0..4)              XDP_DROP
 *   4. IHL 5..15 but the packet ends before the UDP header   XDP_DROP
 *      (length below 14 + 4 * IHL + 8: possible for every IHL)
 *   5. UDP destination port 53                               XDP_TX
 *   6. any other port                                        XDP_PASS
 * One fork per check, the last one two-sided: 6 paths. No map is used.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_ihl(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (iph->ihl < 5)
		return XDP_DROP;
	udp = (void *)iph + iph->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_DROP;
	if (udp->dest == bpf_htons(53))
		return XDP_TX;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
