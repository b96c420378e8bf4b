// SPDX-License-Identifier: GPL-2.0
/*
 * Strings of up to 4,097 bytes (longer than mhse copies byte by byte) read
 * from kernel or user memory into global data at an offset the input
 * decides: the length, the NUL, the bytes before it and, for a user string
 * read a word at a time, the zeroes after it are what the interpreter's
 * replay of each test compares.
 *
 * expect policy=consistent paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=9 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths, for the kernel read (rcx even) and the user read (rcx odd), n
 * the length returned:
 *                                         kernel  user
 *   n < 0: the read failed                     1     1
 *   n = 1: an empty string                     1     0 (the user form gives 0)
 *   n = 4097: a truncated string               1     1
 *   otherwise, starting with '/' or not        2     2 (an empty user string: not)
 * 5 + 4 = 9 paths.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char names[8192];

SEC("kprobe/do_sys_openat2")
int eng_long_string(struct pt_regs *ctx)
{
	__u32 off = ctx->rdx & 4095;
	const void *src = (const void *)ctx->rsi;
	long n;

	if (ctx->rcx & 1)
		n = bpf_probe_read_user_str(&names[off], 4097, src);
	else
		n = bpf_probe_read_kernel_str(&names[off], 4097, src);
	if (n < 0)
		return 0;
	if (n == 1)
		return 1;
	if (n == 4097)
		return 2;
	return names[off] == '/' ? 3 : 4;
}

char _license[] SEC("license") = "GPL";
