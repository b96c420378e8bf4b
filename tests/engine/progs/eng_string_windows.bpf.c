// SPDX-License-Identifier: GPL-2.0
/*
 * Strings of more than 4 KiB whose bytes are terms already: from the
 * program's own 256 KiB scratch value (left by writes at fixed and
 * symbolic offsets, 128 KiB read) and from kernel memory a read touched
 * before (4,200 bytes). mhse looks for the NUL 256 bytes at a time, a path
 * per window it may be in, so that a path costs the bytes up to its NUL,
 * not the size; a read past a window runs again without a second fault
 * input, which the replay would see.
 *
 * expect policy=consistent paths=23 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=23 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=23 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=21 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: the lookup of key 0 always finds the value.
 * - rcx & 2: kernel memory at rsi. Its first byte is not 'x' (or the read
 *   failed): 1 path. Otherwise the string read fails (1 path) or its NUL is
 *   among bytes 1 to 255, in one of the 15 windows of 256 bytes from 256
 *   to 4,095, or among bytes 4,096 to 4,199 (the last the NUL of a
 *   truncated string): 17 paths. 19 in all.
 * - else rcx & 1: a user read of the program's memory fails: 1 path.
 * - else the string at HALF has byte 300 set to 0 and byte rdx & 255 to
 *   rsi. Where the value's contents are inputs (every policy but
 *   concrete), its first NUL is among bytes 0 to 255 or not (1 path); if
 *   not, among bytes 256 to 300: a length of 301 (byte 300 the NUL) or of
 *   257 to 300: 2 paths; 3 in all. Under concrete the value is zeroes:
 *   byte 1 or byte 0 is the first NUL: 1 path.
 * 23 paths; 21 under concrete.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

#define SCRATCH_SIZE (256 * 1024)
#define HALF (SCRATCH_SIZE / 2)

struct scratch {
	char data[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

SEC("kprobe/do_sys_openat2")
int eng_string_windows(struct pt_regs *ctx)
{
	__u32 zero = 0, to = ctx->r8 & (HALF - 1);
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	const void *name = (const void *)ctx->rsi;
	char first = 0;
	long n;

	if (!s)
		return 0;
	if (ctx->rcx & 2) {
		bpf_probe_read_kernel(&first, 1, name);
		if (first != 'x')
			return 0;
		return bpf_probe_read_kernel_str(&s->data[to], 4200, name);
	}
	s->data[HALF + 300] = 0;
	s->data[HALF + (ctx->rdx & 255)] = (char)ctx->rsi;
	if (ctx->rcx & 1)
		return bpf_probe_read_user_str(&s->data[to], HALF, &s->data[HALF]);
	n = bpf_probe_read_kernel_str(&s->data[to], HALF, &s->data[HALF]);
	return n == 301 ? 1 : n;
}

char _license[] SEC("license") = "GPL";
