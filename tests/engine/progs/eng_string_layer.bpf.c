// SPDX-License-Identifier: GPL-2.0
/*
 * A string of 300 bytes from memory a read touched before (its bytes are
 * terms, so its length is a chain of choices over them) to a symbolic
 * offset of a large buffer: one layer over the buffer, the pattern of
 * falco's path copies. Byte 7 holds a marker before the copy: the kernel
 * form leaves it past the NUL, the user form zeroes it when the NUL is in
 * the first word. What the interpreter's replay of each test compares is
 * the bytes read back through the layer.
 *
 * expect policy=consistent paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=10 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths, for the kernel form (rcx even) and the user form (rcx odd):
 *   the first read fails                                  1 + 1
 *   n <= 0: the string read fails (or, user, is empty)    1 + 1
 *   byte 7 is the marker (kernel: the NUL before it, or
 *   the string's byte; user: the string's byte)           1 + 1
 *   otherwise byte 1 is the string's first byte or not    2 + 2
 * 5 + 5 = 10 paths.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char buf[16384];

SEC("kprobe/do_sys_openat2")
int eng_string_layer(struct pt_regs *ctx)
{
	const char *src = (const char *)ctx->rdi;
	__u32 pos = ctx->rdx & 4095;
	int user = ctx->rcx & 1;
	char head;
	long n;

	if (user ? bpf_probe_read_user(&head, 1, src) : bpf_probe_read_kernel(&head, 1, src))
		return 0;
	buf[pos + 7] = 0x55;
	if (user)
		n = bpf_probe_read_user_str(&buf[pos], 300, src);
	else
		n = bpf_probe_read_kernel_str(&buf[pos], 300, src);
	if (n <= 0)
		return 1;
	if (buf[pos + 7] == 0x55)
		return 2;
	return buf[pos + 1] == head ? 3 : 4;
}

char _license[] SEC("license") = "GPL";
