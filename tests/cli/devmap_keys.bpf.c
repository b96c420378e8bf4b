// SPDX-License-Identifier: GPL-2.0
/* A device map with 8-byte keys: the kernel creates device, CPU and socket
 * maps with 4-byte keys only, so mhse refuses the object. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u64);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int devmap_keys(struct xdp_md *ctx)
{
	return bpf_redirect_map(&ports, ctx->ingress_ifindex, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
