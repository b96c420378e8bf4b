// SPDX-License-Identifier: GPL-2.0
/*
 * Packet pointers after bpf_xdp_adjust_head: the verifier forgets every
 * packet pointer a program holds across a helper that changes the packet,
 * so a pointer kept from before the call is stale and reading through it
 * is an error, while pointers loaded from the context again are good.
 * (The verifier rejects the stale read; mhse explores it and reports it.)
 *
 * expect policy=consistent paths=5 errors=1 unsupported=0
 * expect policy=alloc paths=5 errors=1 unsupported=0
 * expect policy=lookup paths=5 errors=1 unsupported=0
 * expect policy=concrete paths=5 errors=1 unsupported=0
 *
 * Counting: the XDP spec's packets are 14 to 1514 bytes long. Moving the
 * data start 4 bytes on must leave an Ethernet header: it fails for 14..17
 * bytes (1 path, XDP_ABORTED). After it, rx_queue_index 1 reads the
 * Ethernet header through the pointer loaded before the call (1 error
 * path); any other queue loads data and data_end again and drops a
 * packet left shorter than 20 bytes (18..23 bytes before the call: 1 path),
 * else returns on the low bit of byte 19 (2 paths). No map is used: 5 paths
 * under every policy. Coverage is not stated: what the compiler emits after
 * the stale read runs on no path.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_xdp_stale(struct xdp_md *ctx)
{
	struct ethhdr *stale = (void *)(long)ctx->data;
	unsigned char *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_ABORTED;
	if (ctx->rx_queue_index == 1)
		return stale->h_proto;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + 20 > data_end)
		return XDP_DROP;
	return data[19] & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
