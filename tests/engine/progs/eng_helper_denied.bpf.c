// SPDX-License-Identifier: GPL-2.0
/*
 * A helper the kernel does not let XDP programs call (skb_store_bytes is
 * tc's, lwt_xmit's and sk_skb's): the verifier would reject the program, so
 * a path that reaches the call is an error, not unsupported, naming it.
 *
 * expect policy=alloc paths=2 errors=1 unsupported=0 insn_coverage=75
 * expect policy=lookup paths=2 errors=1 unsupported=0 insn_coverage=75
 * expect policy=consistent paths=2 errors=1 unsupported=0 insn_coverage=75
 * expect policy=concrete paths=2 errors=1 unsupported=0 insn_coverage=75
 *
 * Paths:
 *   ingress_ifindex is 7                                         XDP_PASS
 *   it is not: the call, an error (the instructions after it: 75% covered)
 * 2 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_helper_denied(struct xdp_md *ctx)
{
	__u8 byte = 0;

	if (ctx->ingress_ifindex == 7)
		return XDP_PASS;
	return bpf_skb_store_bytes((struct __sk_buff *)ctx, 0, &byte, 1, 0) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
