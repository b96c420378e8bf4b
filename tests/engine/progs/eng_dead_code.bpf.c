// SPDX-License-Identifier: GPL-2.0
/*
 * A CO-RE feature check, as tracing programs make them: after relocation
 * the field's existence is a constant, the jump on it goes one way on every
 * path, and the verifier removes the other side as dead code. Coverage
 * counts what the verifier keeps, so exploring every path covers all of it.
 *
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=2 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: the field exists in the object's own BTF (the relocation's
 * target), so the fallback never runs; the packet holds 64 bytes (XDP_PASS)
 * or not (XDP_DROP): 2 paths. No map is used: every policy gives the same.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct feature {
	int present;
} __attribute__((preserve_access_index));

SEC("xdp")
int eng_dead_code(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (!bpf_core_field_exists(((struct feature *)0)->present))
		return data + 64 <= (unsigned char *)end ? data[40] : XDP_ABORTED;
	return data + 64 <= (unsigned char *)end ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
