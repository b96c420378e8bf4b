// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_spin_lock around an update of an array value that holds the lock:
 * one program runs at a time, so the lock is the verifier's rules only,
 * and the value's counter decides the verdict read under the lock.
 *
 * expect policy=alloc paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=1 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths (an array lookup of key 0 always hits):
 *   the counter is below 10: it goes up                         TC_ACT_OK
 *   it is 10 or more: it is left                                TC_ACT_SHOT
 * 2 paths; the concrete policy's empty array holds 0: the first only.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct counted {
	struct bpf_spin_lock lock;
	__u32 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counted);
} counters SEC(".maps");

SEC("tc")
int eng_spin_lock(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct counted *c = bpf_map_lookup_elem(&counters, &key);
	int verdict = TC_ACT_OK;

	if (!c)
		return TC_ACT_UNSPEC;
	bpf_spin_lock(&c->lock);
	if (c->count < 10)
		c->count++;
	else
		verdict = TC_ACT_SHOT;
	bpf_spin_unlock(&c->lock);
	return verdict;
}

char _license[] SEC("license") = "GPL";
