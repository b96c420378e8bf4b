// SPDX-License-Identifier: GPL-2.0
/*
 * Lookups in an xskmap (the AF_XDP socket's queue id, read-only) and a
 * devmap_hash (the device's ifindex, read-only), each followed by a
 * redirect through the same map and key.
 *
 * expect policy=consistent paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=2 errors=0 unsupported=0
 *
 * Counting: the receive queue is past the xskmap (1), or its slot is empty
 * (1), or holds a socket bound to another queue (1), each going on to the
 * devmap_hash; or to this queue, and the redirect finds the socket (1).
 * The devmap_hash holds no device at that key (1), the receiving device
 * (1) or another, and the redirect finds it (1): 3 x 3 + 1 = 10 paths.
 * concrete: both maps are empty: the queue past the xskmap or not, then no
 * device: 2 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devs SEC(".maps");

SEC("xdp")
int eng_devmap_lookup(struct xdp_md *ctx)
{
	__u32 queue = ctx->rx_queue_index;
	struct bpf_xdp_sock *xsk;
	__u32 *ifindex;

	xsk = bpf_map_lookup_elem(&xsks, &queue);
	if (xsk && xsk->queue_id == queue)
		return bpf_redirect_map(&xsks, queue, XDP_DROP);
	ifindex = bpf_map_lookup_elem(&devs, &queue);
	if (!ifindex)
		return XDP_PASS;
	if (*ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect_map(&devs, queue, 0);
}

char LICENSE[] SEC("license") = "GPL";
