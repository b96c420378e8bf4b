// SPDX-License-Identifier: GPL-2.0
/*
 * probe_read_kernel with a size the input decides (rsi & 15) into global
 * data at an offset the input decides (rdx & 31): the bytes past the size
 * keep what they held there, so byte 14 of the copy is either copied (a
 * size of 15) or still the letter 'A' + its offset.
 *
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=95.65
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=95.65
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=95.65
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=95.65
 *
 * Counting: a size of 0 (which reads nothing), of 1 to 14, and of 15; each
 * returns 1, as the other side of the comparison is infeasible (its one
 * instruction, r0 = 0, is the one not covered: 22 of 23): 3 paths.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char letters[48] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnop";

SEC("kprobe/do_sys_openat2")
int eng_probe_sized_at(struct pt_regs *ctx)
{
	__u32 n = ctx->rsi & 15, off = ctx->rdx & 31;

	bpf_probe_read_kernel(&letters[off], n, (void *)ctx->rdi);
	return n == 15 || *(volatile char *)&letters[off + 14] == 'A' + off + 14;
}

char _license[] SEC("license") = "GPL";
