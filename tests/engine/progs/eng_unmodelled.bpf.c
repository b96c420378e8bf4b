// SPDX-License-Identifier: GPL-2.0
/*
 * What mhse does not model ends a path as unsupported, never as an error
 * of the program's, and the other paths go on: an extern no loader bound (a
 * kernel variable declared __ksym, whose value a test could not carry), and
 * a helper the kernel allows XDP programs but mhse does not model there.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=2
 * expect policy=alloc paths=3 errors=0 unsupported=2
 * expect policy=lookup paths=3 errors=0 unsupported=2
 * expect policy=concrete paths=3 errors=0 unsupported=2
 *
 * Counting: ingress_ifindex 7 passes (1); 8 loads the extern, unsupported
 * (1); any other calls ktime_get_tai_ns, unsupported (1). 1 + 1 + 1 = 3.
 * No map is used: every policy gives the same count.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;

SEC("xdp")
int eng_unmodelled(struct xdp_md *ctx)
{
	if (ctx->ingress_ifindex == 7)
		return XDP_PASS;
	if (ctx->ingress_ifindex == 8)
		return bpf_prog_active ? XDP_DROP : XDP_PASS;
	return bpf_ktime_get_tai_ns() & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
