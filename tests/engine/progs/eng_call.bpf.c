// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF-to-BPF call: a subprogram that forks three ways, called twice on
 * different packet bytes, so its paths multiply across the calls.
 *
 * expect policy=consistent paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=10 errors=0 unsupported=0 insn_coverage=100
 *
 * A packet shorter than 16 bytes is one path (XDP_ABORTED). byte_class()
 * puts a byte in one of three classes (below 16, 0xff, other), all possible
 * for either byte, and the two bytes are independent: 3 * 3 = 9 paths.
 * Whether the classes are equal is then known on each path, so the last
 * comparison does not fork. 1 + 9 = 10.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int byte_class(__u8 b)
{
	if (b < 16)
		return 1;
	if (b == 0xff)
		return 2;
	return 0;
}

SEC("xdp")
int eng_call(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *payload = data + ETH_HLEN;

	if ((void *)(payload + 2) > data_end)
		return XDP_ABORTED;
	if (byte_class(payload[0]) == byte_class(payload[1]))
		return XDP_PASS;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
