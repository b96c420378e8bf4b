// SPDX-License-Identifier: GPL-2.0
/*
 * What a tc program learns from the machine: fib_lookup's answer (the
 * routing tables and neighbours), get_hash_recalc's flow hash (the boot's
 * random seed), get_route_realm, get_cgroup_classid and what the device a
 * clone_redirect sends to answers. All are nondeterministic inputs the
 * tests record. And a packet pointer used after
 * a helper that may change the packet: the kernel's verifier would refuse
 * the program, mhse reports the path as an error.
 *
 * expect policy=consistent paths=8 errors=2 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=8 errors=2 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=8 errors=2 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=8 errors=2 unsupported=0 insn_coverage=100
 *
 * Counting: a packet shorter than Ethernet and IPv4 headers returns (1
 * path). The lookup answers SUCCESS (rewrite the destination MAC,
 * redirect: 1 path), NO_NEIGH (redirect_neigh: 1 path), -ENODEV (the
 * only negative answer: 1 path) or another code. Then the skb's hash is
 * either set already (the context's, any value) or recomputed (any value
 * but 0); either may be odd (the verdict is mark & 3: 2 paths) or even,
 * and an even one reaches the read through eth after clone_redirect and
 * skb_change_tail (either one invalidates it): 2 error paths.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define AF_INET 2

__u64 learned;
long cloned;

SEC("tc")
int eng_tc_route(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct bpf_fib_lookup fib = { .family = AF_INET };
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 verdict;
	long rc;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	fib.ifindex = skb->ingress_ifindex;
	fib.ipv4_src = ip->saddr;
	fib.ipv4_dst = ip->daddr;
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
		return bpf_redirect(fib.ifindex, 0);
	}
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return bpf_redirect_neigh(fib.ifindex, 0, 0, 0);
	if (rc < 0)
		return TC_ACT_SHOT;
	verdict = skb->mark;
	if (!(bpf_get_hash_recalc(skb) & 1)) {
		learned = bpf_get_route_realm(skb) + ((__u64)bpf_get_cgroup_classid(skb) << 32);
		cloned = bpf_clone_redirect(skb, 1, 0);
		bpf_skb_change_tail(skb, skb->len, 0);
		verdict = eth->h_source[0];
	}
	return verdict & 3;
}

char _license[] SEC("license") = "GPL";
