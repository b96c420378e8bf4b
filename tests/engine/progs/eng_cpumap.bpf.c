// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_redirect_map into a CPU map: a slot holds a CPU's queue only with a
 * queue size of 1 to 16384 (qsize 0 empties the slot, as the kernel's
 * cpu_map_update_elem does), so a test that redirects gives its entry one.
 *
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=1 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: slot 1 is empty (XDP_ABORTED, the action flags 0 give) or
 * holds a queue (XDP_REDIRECT): 2 paths. concrete: the map starts empty: 1.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct bpf_cpumap_val));
	__uint(max_entries, 4);
} cpus SEC(".maps");

SEC("xdp")
int eng_cpumap(struct xdp_md *ctx)
{
	return bpf_redirect_map(&cpus, 1, 0);
}

char _license[] SEC("license") = "GPL";
