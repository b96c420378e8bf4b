// SPDX-License-Identifier: GPL-2.0
/*
 * Socket lookups from tc: a lookup the kernel refuses (flags, a tuple of
 * neither size) gives NULL on one path, which the kernel referees; one it
 * takes may find a socket or not, which no test run can decide (those
 * tests are not replayable). A found TCP socket is full and TCP, so
 * tcp_sock always gives it back; it listens, or it is the tuple's own
 * connection, whose local port is the tuple's destination port.
 *
 * expect policy=consistent paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=9 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=9 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: mark 1 (flags 1) and mark 2 (an 11-byte tuple) get NULL
 * without a lookup: 2 paths, TC_ACT_OK. Any other mark looks up: not found
 * (1 path, TC_ACT_OK), or found. A found socket's local port is not 8080
 * only when it listens (1 way), is 8080 and it listens (1), or is 8080 and
 * it does not (1): 3 ways, each with a snd_cwnd above 10 or not: 6 paths.
 * 2 + 1 + 6 = 9. No map is used, so every policy gives the same count.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int eng_sk_lookup(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_tcp_sock *tp;
	struct bpf_sock *sk;
	int ret;

	t.ipv4.daddr = bpf_htonl(0x7f000001);
	t.ipv4.dport = bpf_htons(8080);
	if (skb->mark == 1)
		sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 1);
	else if (skb->mark == 2)
		sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4) - 1, BPF_F_CURRENT_NETNS, 0);
	else
		sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	if (sk->src_port != 8080)
		ret = TC_ACT_PIPE;
	else if (sk->state == BPF_TCP_LISTEN)
		ret = TC_ACT_STOLEN;
	else
		ret = TC_ACT_SHOT;
	tp = bpf_tcp_sock(sk);
	if (tp && tp->snd_cwnd > 10)
		ret = TC_ACT_QUEUED;
	bpf_sk_release(sk);
	return ret;
}

char _license[] SEC("license") = "GPL";
