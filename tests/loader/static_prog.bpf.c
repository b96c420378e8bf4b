// SPDX-License-Identifier: GPL-2.0
/*
 * What libbpf 1.1 refuses to open, so that this object is not compared with
 * it: a static entry point (next to a global one in the same section,
 * calling a static function of that section, a call clang emits without a
 * relocation), and an extern without BTF, which a loader must patch.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int same_section_helper(int x)
{
	return x ^ 5;
}

SEC("xdp")
static int xdp_static(struct xdp_md *ctx)
{
	return same_section_helper(ctx->data_meta) & 3;
}

extern int undefined_value;

SEC("xdp")
int xdp_global(struct xdp_md *ctx)
{
	return same_section_helper(ctx->rx_queue_index + undefined_value) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
