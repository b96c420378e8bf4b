// SPDX-License-Identifier: GPL-2.0
/*
 * CO-RE relocations of every kind, each program returning one relocated
 * result. tests/loader/core_relo.sh runs every program twice: against this
 * object's own BTF (the default, where offsets are what the compiler
 * emitted) and against core_target.bpf.o (`--btf`), whose types have other
 * layouts (see its header); core_libbpf.c checks the patched instructions
 * against libbpf's.
 *
 * Fields are read directly from image, 64 bytes where byte i holds i, so a
 * value read shows the offset and size it was read at: a u32 at offset o is
 * o | (o+1) << 8 | (o+2) << 16 | (o+3) << 24.
 *
 * Local layout: pid at 0, removed at 4, uid (u16) at 8, nice (s16) at 10,
 * flags bits 96-98, prio 99-105, level (signed) 106-110, comm[8] at 14.
 * Target layout: pid at 12, no removed, uid (u32) at 16, nice (int) at 20,
 * flags bits 195-197, prio 198-204, level 205-209, comm[16] at 27.
 *
 * expect PROG OWN TARGET (return values; "error" where the path reaches a
 * poisoned instruction)
 * expect field_offset 50462976 252579084    pid: u32 at 0, or at 12
 * expect field_exists 1 0                   removed exists only locally
 * expect guarded_read 117835012 57005       removed at 4; else 0xdead, the poisoned load being dead code
 * expect poisoned_read 117835012 error      the same load, reached
 * expect resized 2312 319951120             uid: u16 at 8 (0x0908), or a u32 at 16
 * expect poisoned_resize 2826 error         nice: s16 at 10 (0x0b0a); a signed field cannot grow
 * expect bitfield_flags 4 3                 byte 12 (0x0c) bits 0-2: 100b; byte 24 (0x18) bits 3-5: 011b
 * expect bitfield_level 103 84              100 + level: byte 13 (0x0d) bits 2-6 = 00011b = 3;
 *                                           bits 5-9 of bytes 25-26 (0x1a19) = 10000b = -16
 * expect field_size 8 16                    comm is 8 bytes, or 16
 * expect array_elem 17 30                   comm[3]: byte 14 + 3, or 27 + 3
 * expect enum_value 2 9                     CORE_SLEEPING
 * expect enum_exists 1 0                    CORE_ZOMBIE
 * expect type_exists 1 0                    struct core_local_only
 * expect type_size 24 48                    struct core_task
 * expect flavor error 0                     core_task___old.removed: locally both core_task and
 *                                           core_task___old match, at different offsets
 *                                           (ambiguous: poisoned); the target's core_task has no removed
 *
 * expect-info OWN 26 25 1                  records, resolved, poisoned: one record per
 * expect-info TARGET 26 23 3               relocated value, guarded_read 2, a bitfield read 6
 *                                           (offset, size, left shift, sign, a right shift on
 *                                           each side of the sign test); own BTF poisons flavor,
 *                                           the target guarded_read's and poisoned_read's loads
 *                                           and poisoned_resize
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct core_task {
	int pid;
	int removed;
	unsigned short uid;
	short nice;
	unsigned int flags : 3;
	unsigned int prio : 7;
	int level : 5;
	char comm[8];
} __attribute__((preserve_access_index));

struct core_task___old {
	int removed;
} __attribute__((preserve_access_index));

enum core_state { CORE_RUNNING = 1, CORE_SLEEPING = 2, CORE_ZOMBIE = 4 };

struct core_local_only {
	int x;
};

#define B4(n) n, n + 1, n + 2, n + 3
#define B16(n) B4(n), B4(n + 4), B4(n + 8), B4(n + 12)
unsigned char image[64] __attribute__((aligned(8))) = { B16(0), B16(16), B16(32), B16(48) };

#define TASK ((struct core_task *)image)

SEC("kprobe/field_offset")
int field_offset(void *ctx)
{
	return TASK->pid;
}

SEC("kprobe/field_exists")
int field_exists(void *ctx)
{
	return bpf_core_field_exists(TASK->removed);
}

SEC("kprobe/guarded_read")
int guarded_read(void *ctx)
{
	if (bpf_core_field_exists(TASK->removed))
		return TASK->removed;
	return 0xdead;
}

SEC("kprobe/poisoned_read")
int poisoned_read(void *ctx)
{
	return TASK->removed;
}

SEC("kprobe/resized")
int resized(void *ctx)
{
	return TASK->uid;
}

SEC("kprobe/poisoned_resize")
int poisoned_resize(void *ctx)
{
	return TASK->nice;
}

SEC("kprobe/bitfield_flags")
int bitfield_flags(void *ctx)
{
	return BPF_CORE_READ_BITFIELD(TASK, flags);
}

SEC("kprobe/bitfield_level")
int bitfield_level(void *ctx)
{
	return 100 + (int)BPF_CORE_READ_BITFIELD(TASK, level);
}

SEC("kprobe/field_size")
int field_size(void *ctx)
{
	return bpf_core_field_size(TASK->comm);
}

SEC("kprobe/array_elem")
int array_elem(void *ctx)
{
	return TASK->comm[3];
}

SEC("kprobe/enum_value")
int enum_value(void *ctx)
{
	return bpf_core_enum_value(enum core_state, CORE_SLEEPING);
}

SEC("kprobe/enum_exists")
int enum_exists(void *ctx)
{
	return bpf_core_enum_value_exists(enum core_state, CORE_ZOMBIE);
}

SEC("kprobe/type_exists")
int type_exists(void *ctx)
{
	return bpf_core_type_exists(struct core_local_only);
}

SEC("kprobe/type_size")
int type_size(void *ctx)
{
	return bpf_core_type_size(struct core_task);
}

SEC("kprobe/flavor")
int flavor(void *ctx)
{
	return bpf_core_field_exists(((struct core_task___old *)image)->removed);
}

char _license[] SEC("license") = "GPL";
