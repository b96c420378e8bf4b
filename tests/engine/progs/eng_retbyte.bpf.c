// SPDX-License-Identifier: GPL-2.0
/*
 * A bug the engine must find: the program returns a packet byte, and XDP
 * knows only the actions 0 to 4.
 *
 * expect policy=consistent paths=3 errors=1 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=3 errors=1 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=3 errors=1 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=3 errors=1 unsupported=0 insn_coverage=100
 *
 * A packet of 14 bytes: XDP_PASS. Otherwise the exit forks on the return
 * value: byte 0..4 is an action (one exit path, whichever action), byte
 * 5..255 is an error test at the exit instruction. 1 + 1 + 1 = 3, 1 error.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int eng_retbyte(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *payload = data + ETH_HLEN;

	if ((void *)(payload + 1) > data_end)
		return XDP_PASS;
	return payload[0];
}

char LICENSE[] SEC("license") = "GPL";
