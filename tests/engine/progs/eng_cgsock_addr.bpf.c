// SPDX-License-Identifier: GPL-2.0
/*
 * A cgroup connect6 program on the cgroup_sock_addr spec: user_ip6 written
 * 8 bytes at a time (as LLVM merges stores), user_ip4 refused (an IPv4
 * field in an IPv6 attach type), user_family always AF_INET6, and the
 * return domain of connect programs, 0..1 (bind's 3 is outside it).
 *
 * expect policy=consistent paths=5 errors=2 unsupported=0
 * expect policy=alloc paths=5 errors=2 unsupported=0
 * expect policy=lookup paths=5 errors=2 unsupported=0
 * expect policy=concrete paths=5 errors=2 unsupported=0
 *
 * Counting: port 53 is rewritten to [::1]:5353 (1); port 80 reads
 * user_ip4 (1 error); an address ending in ::1 is refused (1); a datagram
 * socket returns 3 (1 error); every other connect returns whether
 * user_family is AF_INET6, which it always is (1). 5 paths, 2 errors.
 * No map is used.
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define AF_INET6 10
#define SOCK_DGRAM 2

SEC("cgroup/connect6")
int eng_cgsock_addr(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == bpf_htons(53)) {
		*(volatile __u64 *)&ctx->user_ip6[0] = 0;
		*(volatile __u64 *)&ctx->user_ip6[2] = (__u64)bpf_htonl(1) << 32;
		ctx->user_port = bpf_htons(5353);
		return 1;
	}
	if (ctx->user_port == bpf_htons(80))
		return ctx->user_ip4 != 0;
	if (ctx->user_ip6[3] == bpf_htonl(1))
		return 0;
	if (ctx->type == SOCK_DGRAM)
		return 3;
	return ctx->user_family == AF_INET6;
}

char _license[] SEC("license") = "GPL";
