// SPDX-License-Identifier: GPL-2.0
/*
 * A syscall program on the syscall spec, refereed by the kernel's test
 * run: the caller's buffer read and written at several sizes, a map the
 * program fills, and any return value.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0
 * expect policy=alloc paths=4 errors=0 unsupported=0
 * expect policy=lookup paths=4 errors=0 unsupported=0
 * expect policy=concrete paths=4 errors=0 unsupported=0
 *
 * Counting: command 1 stores the second word in the map and returns 0 (1);
 * command 2 writes a 4-byte and a 2-byte result into the buffer and returns
 * its third byte (1); command 3 returns -1 (1); any other returns the
 * first word's high half (1). 4 paths. The map is only written (an array's
 * update always succeeds), the same under every policy.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args {
	__u32 cmd;
	__u32 pad;
	__u64 value;
	__u32 out32;
	__u16 out16;
	__u8 byte;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} store SEC(".maps");

SEC("syscall")
int eng_syscall(struct args *a)
{
	__u32 key = 0;

	if (a->cmd == 1) {
		/* a helper may not read the context: the value goes by the stack */
		__u64 value = a->value;

		bpf_map_update_elem(&store, &key, &value, BPF_ANY);
		return 0;
	}
	if (a->cmd == 2) {
		a->out32 = 7;
		a->out16 = 9;
		return a->byte;
	}
	if (a->cmd == 3)
		return -1;
	return a->pad;
}

char _license[] SEC("license") = "GPL";
