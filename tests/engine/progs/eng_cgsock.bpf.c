// SPDX-License-Identifier: GPL-2.0
/*
 * A cgroup sock_create program on the cgroup_sock spec: the fields the
 * attach type lets it read and write (mark and priority written, src_port
 * refused: only post_bind programs may read it), family and type within
 * the values a socket has, and the return domain 0..1.
 *
 * expect policy=consistent paths=11 errors=4 unsupported=0
 * expect policy=alloc paths=11 errors=4 unsupported=0
 * expect policy=lookup paths=11 errors=4 unsupported=0
 * expect policy=concrete paths=11 errors=4 unsupported=0
 *
 * Counting: an IPv6 raw socket is refused (1). Two ways go past that test
 * (family not AF_INET6; AF_INET6 of another type), and each goes on to
 * five paths: a UDP socket gets a mark and a priority (1); bound_dev_if 9
 * reads src_port, which sock_create may not (1 error); bound_dev_if 5
 * returns its type: SOCK_STREAM (1) is in the domain, SOCK_DGRAM or
 * SOCK_RAW outside it (1 error); anything else is allowed (1).
 * 1 + 2 * 5 = 11, of which 4 errors. No map is used.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#define AF_INET6 10
#define SOCK_RAW 3

SEC("cgroup/sock_create")
int eng_cgsock(struct bpf_sock *sk)
{
	if (sk->family == AF_INET6 && sk->type == SOCK_RAW)
		return 0;
	if (sk->protocol == IPPROTO_UDP) {
		sk->mark = 7;
		sk->priority = 3;
		return 1;
	}
	if (sk->bound_dev_if == 9)
		return sk->src_port != 0;
	if (sk->bound_dev_if == 5)
		return sk->type;
	return 1;
}

char _license[] SEC("license") = "GPL";
