// SPDX-License-Identifier: GPL-2.0
/*
 * tc's VLAN helpers, and the helpers the test run's skb answers by what it
 * lacks or has: no tunnel (skb_get_tunnel_key clears the key and fails with
 * -EINVAL, skb_get_tunnel_opt clears its buffer and fails with -ENOENT,
 * skb_set_tunnel_opt fails with -EINVAL) and a socket of its own
 * (skb_under_cgroup checks the index against the cgroup array, and answers
 * from the machine's cgroups past it). skb_vlan_pop takes what the packet
 * holds; two pushes then put the first tag into the data and keep the
 * second outside it. Every result and the skb's VLAN fields land in a
 * global array, and the packet is compared byte for byte, so the kernel
 * referees each one.
 *
 * expect policy=consistent paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=10 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=10 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: the tunnel helpers' outcomes are fixed. skb_under_cgroup with
 * index mark fails with -E2BIG for a mark of 2 or more, and answers a
 * recorded value otherwise: 2 ways. skb_vlan_pop on a packet whose
 * EtherType is no VLAN protocol returns 0 (1 way); on an 802.1Q or 802.1ad
 * one it fails with -ENOMEM below the 18 bytes of a tagged header (1 way),
 * takes the tag out and returns 0 when the EtherType under it is no VLAN
 * protocol (1 way), and otherwise fails below 22 bytes (1 way) or moves the
 * inner tag outside the data (1 way): 5 ways. Nothing branches on the
 * results and the pushes always succeed: 2 * 5 = 10 paths, under every
 * policy (the program looks nothing up). The 5 with a mark of 2 or more
 * replay in the kernel; the others carry the recorded answer.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cgroups SEC(".maps");

long res[26];

static __always_inline void vlan_fields(struct __sk_buff *skb, int at)
{
	res[at] = skb->vlan_present;
	res[at + 1] = skb->vlan_tci;
	res[at + 2] = skb->vlan_proto;
	res[at + 3] = skb->protocol;
	res[at + 4] = skb->len;
}

SEC("tc")
int eng_tc_vlan(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key;
	__u64 opt;

	res[0] = bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0);
	res[1] = key.tunnel_id | key.remote_ipv4 | key.tunnel_ttl;
	res[2] = bpf_skb_get_tunnel_opt(skb, &opt, sizeof(opt));
	res[3] = opt;
	res[4] = bpf_skb_set_tunnel_opt(skb, &opt, sizeof(opt));
	res[5] = bpf_skb_under_cgroup(skb, &cgroups, skb->mark);
	res[6] = bpf_skb_vlan_pop(skb);
	vlan_fields(skb, 7);
	res[12] = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), 0x2007);
	vlan_fields(skb, 13);
	/* not a VLAN protocol: the kernel pushes 802.1Q */
	res[18] = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_IP), 0xf005);
	vlan_fields(skb, 19);
	res[24] = bpf_skb_vlan_pop(skb);
	res[25] = skb->vlan_present;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
