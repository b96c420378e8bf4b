// SPDX-License-Identifier: GPL-2.0
/*
 * One object with most constructs the loader resolves, all of which libbpf
 * opens too: BTF-defined maps with map-in-map and program-array
 * initialisers, global data in every kind of section, several programs in
 * one section, BPF-to-BPF calls into .text, a bpf_loop callback, kconfig and
 * ksym externs, a kfunc, and a program libbpf loads only when asked
 * (SEC("?tc")).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [1] = &inner_a, [3] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
} ring SEC(".maps");

int counter = 7;
const volatile __u32 limit = 100;
__u64 hits;
__u32 custom SEC(".data.custom") = 0xabcd;
static const char greeting[] = "hello";

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_MHSE_TEST __kconfig __weak;
extern const int bpf_prog_active __ksym;
extern void bpf_rcu_read_lock(void) __ksym;

static __noinline int add_one(int x)
{
	return x + (int)limit;
}

__noinline int global_helper(int x)
{
	return add_one(x) * 2;
}

static int loop_body(__u32 index, void *ctx)
{
	*(int *)ctx += index;
	return 0;
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u64 *value = bpf_map_lookup_elem(&flows, &key);
	int sum = 0;

	if (value)
		__sync_fetch_and_add(value, 1);
	bpf_loop(4, loop_body, &sum, 0);
	hits++;
	custom++;
	bpf_trace_printk(greeting, sizeof(greeting));
	return global_helper(sum + counter) > 3 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	return add_one(ctx->rx_queue_index) ? XDP_PASS : XDP_ABORTED;
}

SEC("tc")
int tc_main(struct __sk_buff *skb)
{
	if (CONFIG_MHSE_TEST)
		return 1;
	bpf_rcu_read_lock();
	return LINUX_KERNEL_VERSION > 0 && bpf_prog_active > 0;
}

SEC("kretprobe/do_sys_open")
int probe_ret(void *ctx)
{
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &counter, sizeof(counter));
	return 0;
}

SEC("tc/ingress")
int tail_target(struct __sk_buff *skb)
{
	return bpf_ringbuf_output(&ring, &skb->len, 4, 0) ? 2 : 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(struct __sk_buff *));
} jumps SEC(".maps") = {
	.values = { [2] = (void *)&tail_target },
};

SEC("tc")
int tc_jump(struct __sk_buff *skb)
{
	void *inner = bpf_map_lookup_elem(&outer, &skb->mark);

	if (inner)
		return 1;
	bpf_tail_call(skb, &jumps, 2);
	return 0;
}

SEC("?tc")
int tc_optional(struct __sk_buff *skb)
{
	return skb->mark ? 2 : 0;
}

char _license[] SEC("license") = "GPL";
