// SPDX-License-Identifier: GPL-2.0
/*
 * Branches the solver layer answers in C, without Z3: the empty path's
 * model (every input 0) takes the first branches, a repair of it the
 * sides it does not take, and the bounds the path put on the packet's
 * length refute what they rule out.
 *
 * expect policy=consistent jobs=1 paths=3 errors=0 unsupported=0 insn_coverage=100 z3_calls=0
 * expect policy=alloc jobs=1 paths=3 errors=0 unsupported=0 insn_coverage=100 z3_calls=0
 * expect policy=lookup jobs=1 paths=3 errors=0 unsupported=0 insn_coverage=100 z3_calls=0
 * expect policy=concrete jobs=1 paths=3 errors=0 unsupported=0 insn_coverage=100 z3_calls=0
 *
 * Counting: a tc packet holds 14 to 1514 bytes, so the first check always
 * passes and the second never does (the bounds decide both). Byte 0 is 5
 * (return 1), or byte 1 is above 200 (return 2), or neither (return 3):
 * 3 paths. clang sets each return value before its check: every
 * instruction runs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_no_solver(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u8 *p = data;

	if (data + 2 > end)
		return 4;
	if (data + 1600 <= end)
		return 5;
	if (p[0] == 5)
		return 1;
	return p[1] > 200 ? 2 : 3;
}

char LICENSE[] SEC("license") = "GPL";
