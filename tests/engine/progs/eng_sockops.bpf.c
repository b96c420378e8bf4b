// SPDX-License-Identifier: GPL-2.0
/*
 * A sock_ops tuner of the usual shape: on an established connection, ask
 * for RTT callbacks and set a larger initial window; reply to the
 * timeout-init query. The hook is the section's (sockops).
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=4 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: op is BPF_SOCK_OPS_TIMEOUT_INIT (reply 10, 1 path); or
 * ACTIVE_ESTABLISHED, which the kernel runs only on a full socket, so
 * sock_ops_cb_flags_set succeeds, and then setsockopt's result is 0 (1 path)
 * or not (1 path); or any other op (1 path): 4. No map is used, so every
 * policy gives the same count.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SOL_TCP 6
#define TCP_BPF_IW 1001

SEC("sockops")
int eng_sockops(struct bpf_sock_ops *skops)
{
	int iw = 40;

	switch (skops->op) {
	case BPF_SOCK_OPS_TIMEOUT_INIT:
		skops->reply = 10;
		return 1;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		if (bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG) < 0)
			return 0;
		if (bpf_setsockopt(skops, SOL_TCP, TCP_BPF_IW, &iw, sizeof(iw)))
			return 0;
		skops->reply = skops->bpf_sock_ops_cb_flags;
		return 1;
	default:
		return 1;
	}
}

char _license[] SEC("license") = "GPL";
