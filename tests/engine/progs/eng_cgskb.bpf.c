// SPDX-License-Identifier: GPL-2.0
/*
 * A cgroup ingress filter with direct packet access (the packet starts at
 * the IPv4 header): it drops ICMP unless the skb is marked 7.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths:
 *   shorter than an IPv4 header            1 (pass)
 *   not ICMP                               1
 *   ICMP, mark 7                           1
 *   ICMP, another mark                     0 (drop)
 * 4 paths.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int eng_cgskb(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;

	if ((void *)(ip + 1) > data_end)
		return 1;
	if (ip->protocol == IPPROTO_ICMP && skb->mark != 7)
		return 0;
	return 1;
}

char _license[] SEC("license") = "GPL";
