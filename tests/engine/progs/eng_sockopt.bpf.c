// SPDX-License-Identifier: GPL-2.0
/*
 * A cgroup getsockopt program on the cgroup_sockopt spec: the option's
 * buffer as a packet, retval and optlen writable, optname read-only at
 * getsockopt, and the return domain 0..1.
 *
 * expect policy=consistent paths=6 errors=1 unsupported=0
 * expect policy=alloc paths=6 errors=1 unsupported=0
 * expect policy=lookup paths=6 errors=1 unsupported=0
 * expect policy=concrete paths=6 errors=1 unsupported=0
 *
 * Counting: another level than SOL_TCP goes on (1); option 1 is cleared
 * (1); option 2 writes optname (1 error); an empty buffer is refused (1);
 * a first byte of 7 is refused, any other accepted (2). 6 paths, 1 error.
 * No map is used.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SOL_TCP 6

SEC("cgroup/getsockopt")
int eng_sockopt(struct bpf_sockopt *ctx)
{
	__u8 *p = ctx->optval, *end = ctx->optval_end;

	if (ctx->level != SOL_TCP)
		return 1;
	if (ctx->optname == 1) {
		/* two 4-byte stores: clang would merge them into one 8-byte
		 * store, which the verifier refuses */
		*(volatile __s32 *)&ctx->retval = 0;
		*(volatile __s32 *)&ctx->optlen = 0;
		return 1;
	}
	if (ctx->optname == 2) {
		ctx->optname = 3;
		return 1;
	}
	if (p + 1 > end)
		return 0;
	if (p[0] == 7)
		return 0;
	return 1;
}

char _license[] SEC("license") = "GPL";
