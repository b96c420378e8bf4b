// SPDX-License-Identifier: GPL-2.0
/*
 * probe_read_kernel with a size the input decides (rsi & 15, at most 15 of
 * a 16-byte buffer, as the verifier proves): the bytes past the size keep
 * what the buffer held (zeroes), so byte 7 can be 'Z' only when the size
 * is past 7, the read did not fault and the kernel's byte 7 is 'Z'.
 *
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent max_insns=10 paths=2 errors=0 unsupported=0 budget=2
 *
 * Paths (n = rsi & 15):
 *   n = 0 (nothing read, no fault possible)                       0
 *   n > 7, no fault, kernel byte 7 is 'Z'                         1
 *   otherwise                                                     0
 * 3 paths.
 *
 * With a budget of 10 instructions each path stops at its 11th, the load
 * before the branch: the size-0 path (the call runs again in its copy, and
 * counts once, as its replay counts it) and the other: 2 budget paths.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_sys_openat2")
int eng_probe_sized(struct pt_regs *ctx)
{
	__u8 buf[16] = {};
	__u32 n = ctx->rsi & 15;

	bpf_probe_read_kernel(buf, n, (void *)ctx->rdi);
	return buf[7] == 'Z';
}

char _license[] SEC("license") = "GPL";
