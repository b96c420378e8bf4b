// SPDX-License-Identifier: GPL-2.0
/*
 * A string copied between two symbolic offsets of one large buffer, the
 * pattern of falco's path building: a kernel string of up to 300 bytes
 * goes to buf at a position the input picks (one layer over buf, its
 * length fresh), then up to 260 bytes of it go from there to a second
 * position. The second read is a bulk one: the 260 bytes it reads and the
 * 260 it may leave in place are read through the layer as an array, not
 * as the layer instantiated at each byte. Its length is the first's, cut
 * at 260; the byte compared is the object's byte 3, which the
 * interpreter's replay of each test compares.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=4 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths: the first read faults (1); the second string is cut at 260 bytes
 * (1); its byte 3 is 'Z' or not (2). 4 paths.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char buf[16384];

SEC("kprobe/do_sys_openat2")
int eng_bulk_layered(struct pt_regs *ctx)
{
	__u32 pos = ctx->rdx & 4095, at = (ctx->rsi & 4095) + 8192;
	long len = bpf_probe_read_kernel_str(&buf[pos], 300, (const void *)ctx->rdi);

	if (len <= 0)
		return 0;
	if (bpf_probe_read_kernel_str(&buf[at], 260, &buf[pos]) == 260)
		return 1;
	return buf[at + 3] == 'Z' ? 2 : 3;
}

char _license[] SEC("license") = "GPL";
