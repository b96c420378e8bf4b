// SPDX-License-Identifier: GPL-2.0
/*
 * A cgroup egress filter that asks for congestion notification: an IPv4
 * packet whose ECN field says Congestion Experienced passes with notification
 * (3), or is dropped with notification (2) when the skb is marked 1. The
 * section makes the hook cgroup_skb_egress, whose return values are 0..3; the
 * kernel referees it (BPF_PROG_TEST_RUN runs egress programs).
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=4 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=4 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths:
 *   shorter than an IPv4 header            1 (pass)
 *   ECN not CE                             1 (pass)
 *   CE, mark 1                             1 (2: drop, notify)
 *   CE, another mark                       1 (3: pass, notify)
 * 4 paths, none outside the egress domain (under the ingress hook, the last
 * two would be errors). No map is used, so every policy gives the same count.
 */
#include <linux/bpf.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

#define INET_ECN_CE 3

SEC("cgroup_skb/egress")
int eng_cgskb_egress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;

	if ((void *)(ip + 1) > data_end)
		return 1;
	if ((ip->tos & INET_ECN_CE) != INET_ECN_CE)
		return 1;
	return skb->mark == 1 ? 2 : 3;
}

char _license[] SEC("license") = "GPL";
