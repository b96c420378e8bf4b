// SPDX-License-Identifier: GPL-2.0
/*
 * Programs with paths the kernel cannot replay, for reasons the test
 * programs of tests/progs do not reach: the replay test checks that each
 * reason is reported. Every program also has paths the kernel does replay.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* The kernel's XDP test run never gives the program ingress_ifindex 0: a
 * ctx_in holding 0 means the loopback device. */
SEC("xdp")
int xdp_ifindex(struct xdp_md *ctx)
{
	if (ctx->ingress_ifindex == 0)
		return XDP_DROP;
	return XDP_PASS;
}

/* Neither does the skb test run give ifindex 0. */
SEC("tc")
int tc_ifindex(struct __sk_buff *skb)
{
	if (skb->ifindex == 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

/* A record no reader collects in the kernel. */
SEC("xdp")
int xdp_events(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	if (len > 100)
		bpf_ringbuf_output(&events, &len, sizeof(len), 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
