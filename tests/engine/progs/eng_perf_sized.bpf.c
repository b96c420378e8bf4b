// SPDX-License-Identifier: GPL-2.0
/*
 * perf_event_output with a size the input decides (rx_queue_index & 15, at
 * most 15 of a 16-byte buffer, as the verifier proves): the event holds that
 * many bytes, which the interpreter's replay of each test compares. The
 * perf buffer takes the event or, full, loses it (-ENOSPC): 2 paths each.
 *
 * expect policy=alloc paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=4 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths (n = rx_queue_index & 15):
 *   n <= 8: an event of n bytes, taken or lost                    XDP_PASS
 *   n > 8: an event of n bytes, taken or lost                     XDP_DROP
 * 4 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("xdp")
int eng_perf_sized(struct xdp_md *ctx)
{
	__u8 buf[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	__u32 n = ctx->rx_queue_index & 15;

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, buf, n);
	return n > 8 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
