// SPDX-License-Identifier: GPL-2.0
/*
 * struct bpf_sock_ops's socket: there exactly when the context has a full
 * socket, and the one it describes: its family, local port and (through
 * tcp_sock, always a TCP socket here) congestion window are the context's.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=3 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=3 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: no full socket, no socket (1 path). With one, the family, the
 * local port and snd_cwnd always agree with the context's and tcp_sock
 * never fails, so only snd_cwnd above 10 or not forks: 2 paths. 1 + 2 = 3.
 * No map is used, so every policy gives the same count.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sockops")
int eng_sk_sockops(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	struct bpf_tcp_sock *tp;

	if (!sk)
		return 1;
	if (sk->family != skops->family || sk->src_port != skops->local_port)
		return 0;
	tp = bpf_tcp_sock(sk);
	if (!tp || tp->snd_cwnd != skops->snd_cwnd)
		return 0;
	if (tp->snd_cwnd > 10)
		skops->reply = 2;
	return 1;
}

char _license[] SEC("license") = "GPL";
