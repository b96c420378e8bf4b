// SPDX-License-Identifier: GPL-2.0
/*
 * An lsm program on the lsm spec: the hook's arguments as u64 inputs,
 * read-only, and no return domain (an lsm program may return any errno).
 *
 * expect policy=consistent paths=4 errors=1 unsupported=0
 * expect policy=alloc paths=4 errors=1 unsupported=0
 * expect policy=lookup paths=4 errors=1 unsupported=0
 * expect policy=concrete paths=4 errors=1 unsupported=0
 *
 * Counting: a second argument other than 0 is returned as it is, any value
 * allowed (1); a NULL first argument is refused with -EPERM (1); a first
 * argument of 8 writes the context (1 error); any other returns 0 (1).
 * 4 paths, 1 error. No map is used.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("lsm/file_open")
int eng_lsm(unsigned long long *ctx)
{
	if (ctx[1])
		return (int)ctx[1];
	if (!ctx[0])
		return -1;
	if (ctx[0] == 8) {
		ctx[0] = 0;
		return 0;
	}
	return 0;
}

char _license[] SEC("license") = "GPL";
