// SPDX-License-Identifier: GPL-2.0
/*
 * Lookups in a sockmap and a sockhash give the socket the map holds, which
 * the program must release, or NULL. A map of sockets is no data a test
 * lists: whether the key holds a socket, and the socket's fields, are
 * recorded values, as for sk_lookup_tcp.
 *
 * expect policy=consistent paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=1 errors=0 unsupported=0
 *
 * Counting: the sockmap's slot holds nothing, a UDP socket or a TCP one (3);
 * then the sockhash's key holds nothing, a listening socket or another (3):
 * 9 paths. concrete: both maps are empty: 1 path.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} by_port SEC(".maps");

SEC("tc")
int eng_sockmap_lookup(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_sock *sk;
	int ret = TC_ACT_OK;

	sk = bpf_map_lookup_elem(&socks, &key);
	if (sk) {
		if (sk->protocol == IPPROTO_UDP)
			ret = TC_ACT_SHOT;
		bpf_sk_release(sk);
	}
	sk = bpf_map_lookup_elem(&by_port, &key);
	if (!sk)
		return ret;
	if (sk->state == 10) /* TCP_LISTEN */
		ret = TC_ACT_RECLASSIFY;
	bpf_sk_release(sk);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
