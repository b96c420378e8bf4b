// SPDX-License-Identifier: GPL-2.0
/*
 * Not a program: the "kernel" that core_reloc.bpf.c's CO-RE relocations are
 * resolved against (`mhse --btf core_target.bpf.o`), through this object's
 * .BTF. The types core_reloc.bpf.c reads have other layouts here:
 *
 *   struct core_task  a new leading field moves pid from 0 to 12; removed is
 *                     gone; uid grows from u16 to u32 (a safe resize) and
 *                     nice from s16 to int (an unsafe one); three bits before
 *                     flags move the bitfields to bits 195 (flags), 198 (prio)
 *                     and 205 (level); comm grows to 16 bytes at offset 28;
 *                     the struct is 48 bytes.
 *   enum core_state   RUNNING is 5, SLEEPING 9, ZOMBIE is gone.
 *   struct core_local_only does not exist.
 */
struct core_task {
	long state;
	unsigned int pad;
	int pid;
	unsigned int uid;
	int nice;
	unsigned int other : 3;
	unsigned int flags : 3;
	unsigned int prio : 7;
	int level : 5;
	char comm[16];
};

enum core_state { CORE_RUNNING = 5, CORE_SLEEPING = 9 };

/* Variables, so that the types are in .BTF. */
struct core_task target_task;
enum core_state target_state;
