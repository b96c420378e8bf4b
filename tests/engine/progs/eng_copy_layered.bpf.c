// SPDX-License-Identifier: GPL-2.0
/*
 * A copy from kernel memory a string read touched before, to a symbolic
 * offset of a large buffer, the pattern of falco's argument copies: the
 * user string at rdi goes to buf at a position the input picks, then 200
 * bytes from 16 past the same pointer follow it at the position the
 * string's length sets. The second copy is one layer over buf reading
 * through the string's layer over the object; the byte compared is the
 * object's byte 116 as the string read left it (1 where it was 0 before
 * the NUL), which the interpreter's replay of each test compares.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=4 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths: the string read fails or the string is empty (1); the second read
 * fails (1); byte 116 is 'Z' or not (2). 4 paths.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char buf[16384];

SEC("kprobe/do_sys_openat2")
int eng_copy_layered(struct pt_regs *ctx)
{
	const char *src = (const char *)ctx->rdi;
	__u32 pos = ctx->rdx & 4095;
	long len = bpf_probe_read_user_str(&buf[pos], 4096, src);

	if (len <= 0)
		return 0;
	pos = (pos + len) & 8191;
	if (bpf_probe_read_user(&buf[pos], 200, src + 16))
		return 1;
	return buf[pos + 100] == 'Z' ? 2 : 3;
}

char _license[] SEC("license") = "GPL";
