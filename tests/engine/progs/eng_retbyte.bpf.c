// SPDX-License-Identifier: GPL-2.0
/*
 * What the engine must flag: the program returns a packet byte, and XDP
 * knows only the actions 0 to 4. The verifier does not restrict an XDP
 * program's return value; the kernel runs an unknown action, warns
 * (bpf_warn_invalid_xdp_action) and drops the packet: a warning test.
 *
 * expect policy=consistent paths=3 errors=0 warnings=1 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=3 errors=0 warnings=1 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=3 errors=0 warnings=1 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=3 errors=0 warnings=1 unsupported=0 insn_coverage=100
 *
 * A packet of 14 bytes: XDP_PASS. Otherwise the exit forks on the return
 * value: byte 0..4 is an action (one exit path, whichever action), byte
 * 5..255 is a warning test at the exit instruction. 1 + 1 + 1 = 3, 1
 * warning.
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
