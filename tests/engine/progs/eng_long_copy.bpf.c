// SPDX-License-Identifier: GPL-2.0
/*
 * probe_read_kernel of up to 8,191 bytes (more than mhse copies byte by
 * byte), the size and the offset into global data the input decides:
 * bytes past the size keep what they held, and a failed read zeroes the
 * size's bytes, which the interpreter's replay of each test compares.
 *
 * expect policy=consistent paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=6 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths (n = rsi & 8191):
 *   n = 0, a user address (-ERANGE) or a kernel one (0)           2
 *   n > 0, the read failed                                        1
 *   n > 0, it did not: n <= 5000, or byte 5000 is 'Z' or not      3
 * 6 paths.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char big[12288];

SEC("kprobe/do_sys_openat2")
int eng_long_copy(struct pt_regs *ctx)
{
	__u32 off = ctx->rdx & 4095, n = ctx->rsi & 8191;

	if (bpf_probe_read_kernel(&big[off], n, (void *)ctx->rdi))
		return 0;
	if (n <= 5000)
		return 1;
	return big[off + 5000] == 'Z' ? 2 : 3;
}

char _license[] SEC("license") = "GPL";
