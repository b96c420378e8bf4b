// SPDX-License-Identifier: GPL-2.0
/*
 * ringbuf_output of global data at an offset and with a size the input
 * decides (off = rx_queue_index & 31, n = (rx_queue_index >> 8) & 15, as
 * the verifier proves within the 48 bytes): the record holds those n bytes
 * from off, which the interpreter's replay of each test compares.
 *
 * expect policy=alloc paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=6 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths, each a record of n bytes from off, which the ring buffer takes or,
 * full, refuses (-EAGAIN: 2 paths each):
 *   n <= 8                                                       XDP_PASS
 *   n > 8, the record starts with 'C' (off = 2)                  XDP_DROP
 *   n > 8, it does not                                           XDP_TX
 * 6 paths.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} records SEC(".maps");

char letters[48] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnop";

SEC("xdp")
int eng_ringbuf_sized(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index, off = q & 31, n = (q >> 8) & 15;

	bpf_ringbuf_output(&records, &letters[off], n, 0);
	if (n <= 8)
		return XDP_PASS;
	return letters[off] == 'C' ? XDP_DROP : XDP_TX;
}

char _license[] SEC("license") = "GPL";
