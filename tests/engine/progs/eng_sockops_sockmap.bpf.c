// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets go into a socket map by local port, after the program notes
 * (in reply) whether their MSS, read with bpf_getsockopt, is above 1400.
 *
 * expect policy=consistent paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=5 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=5 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: getsockopt(SOL_TCP, TCP_MAXSEG) fails (-EINVAL) without a full
 * socket (1 path); with one it succeeds and the MSS, a recorded value, is
 * above 1400 or not (2 ways). Then sock_map_update fails or succeeds (2
 * ways each): it is -EOPNOTSUPP outside the ESTABLISHED and LISTEN
 * callbacks, -E2BIG for a slot past the map's 4, and in a slot of the map
 * 0 or, as the socket and the map decide (a recorded result), -EEXIST,
 * -ENOMEM or -EBUSY. 1 + 2 x 2 = 5. What the map holds is no input (the
 * result is), so every policy gives the same count.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SOL_TCP 6
#define TCP_MAXSEG 2

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

SEC("sockops")
int eng_sockops_sockmap(struct bpf_sock_ops *skops)
{
	__u32 key = skops->local_port & 7;
	int mss = 0;

	if (bpf_getsockopt(skops, SOL_TCP, TCP_MAXSEG, &mss, sizeof(mss)))
		return 0;
	if (mss > 1400)
		skops->reply = 1;
	if (bpf_sock_map_update(skops, &socks, &key, BPF_NOEXIST))
		return 0;
	return 1;
}

char _license[] SEC("license") = "GPL";
