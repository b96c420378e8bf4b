// SPDX-License-Identifier: GPL-2.0
/*
 * A bpf_loop callback in tc, for the kernel referee: the kernel loads a
 * program that refers to a function only with a BTF record per function,
 * as libbpf gives them (kernel_referee.sh --replayable).
 *
 * expect policy=alloc paths=4 errors=0 unsupported=0
 * expect policy=lookup paths=4 errors=0 unsupported=0
 * expect policy=consistent paths=4 errors=0 unsupported=0
 * expect policy=concrete paths=4 errors=0 unsupported=0
 *
 * Paths (n = skb->priority & 3, the iterations asked for; the callback
 * stops the loop at index 2):
 *   n = 0: no iteration                                  return 0
 *   n = 1, n = 2: n iterations                           return 1, 2
 *   n = 3: stopped after its third iteration             return 3
 * 4 paths; the callback's count always equals what bpf_loop returns.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long count(__u32 index, void *data)
{
	(*(__u32 *)data)++;
	return index == 2;
}

SEC("tc")
int eng_loop_callback_tc(struct __sk_buff *skb)
{
	__u32 runs = 0;
	long n = bpf_loop(skb->priority & 3, count, &runs, 0);

	return n == runs ? n : -2;
}

char _license[] SEC("license") = "GPL";
