// SPDX-License-Identifier: GPL-2.0
/*
 * A perf_event program on the perf_event spec: the sample's registers,
 * read 8 bytes at a time (a narrower read is refused), and sample_period,
 * which may be read narrower; no return domain.
 *
 * expect policy=consistent paths=4 errors=1 unsupported=0
 * expect policy=alloc paths=4 errors=1 unsupported=0
 * expect policy=lookup paths=4 errors=1 unsupported=0
 * expect policy=concrete paths=4 errors=1 unsupported=0
 *
 * Counting: an ip of 0 returns the low half of sample_period (1); an ip of
 * 1 reads 4 bytes of a register (1 error); an ip of 2 returns 7 (1); any
 * other returns 0 (1). 4 paths, 1 error. No map is used.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("perf_event")
int eng_perf_event(void *ctx)
{
	__u64 ip = *(volatile __u64 *)(ctx + 128);

	if (ip == 0)
		return *(volatile __u32 *)(ctx + 168);
	if (ip == 1)
		return *(volatile __u32 *)(ctx + 80);
	if (ip == 2)
		return 7;
	return 0;
}

char _license[] SEC("license") = "GPL";
