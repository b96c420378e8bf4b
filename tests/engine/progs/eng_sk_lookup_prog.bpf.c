// SPDX-License-Identifier: GPL-2.0
/*
 * An sk_lookup program on the sk_lookup spec, refereed by the kernel's test
 * run (which is why every return is in the domain: the verifier refuses a
 * program that may return another value): the lookup's family and
 * protocol, its addresses (the other family's read as 0), ports, and
 * sk_assign of NULL.
 *
 * expect policy=consistent paths=9 errors=0 unsupported=0
 * expect policy=alloc paths=9 errors=0 unsupported=0
 * expect policy=lookup paths=9 errors=0 unsupported=0
 * expect policy=concrete paths=9 errors=0 unsupported=0
 *
 * Counting: UDP passes (1). For TCP: local port 7 is dropped (1); an IPv4
 * lookup with an IPv6 address is never (0); an IPv6 lookup from ::1 is
 * dropped (1). Two ways go on (IPv4; IPv6 from elsewhere), each to three
 * paths: remote port 9 selects no socket with flags 0 (0: SK_PASS) or 4
 * (-EINVAL: SK_DROP), any other port passes. 1 + 1 + 1 + 2 * 3 = 9.
 * No map is used.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2
#define AF_INET6 10

SEC("sk_lookup")
int eng_sk_lookup_prog(struct bpf_sk_lookup *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return SK_PASS;
	if (ctx->local_port == 7)
		return SK_DROP;
	if (ctx->family == AF_INET && ctx->local_ip6[0])
		return SK_DROP;
	if (ctx->family == AF_INET6 && ctx->remote_ip6[3] == bpf_htonl(1))
		return SK_DROP;
	if (ctx->remote_port == bpf_htons(9))
		return bpf_sk_assign(ctx, NULL, ctx->local_port & 4) ? SK_DROP : SK_PASS;
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
