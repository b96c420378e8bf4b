// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_xdp_get_buff_len: the packet's length (a linear buffer: from data to
 * data_end), here compared with 100.
 *
 * expect policy=alloc paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=2 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths:
 *   at most 100 bytes                                            XDP_PASS
 *   more                                                         XDP_DROP
 * 2 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_xdp_buff_len(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx) > 100 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
