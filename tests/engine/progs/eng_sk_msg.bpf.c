// SPDX-License-Identifier: GPL-2.0
/*
 * An sk_msg program on the sk_msg spec and the sockmap module: the message
 * as a packet, its size, a remote_port whose low 16 bits are always 0, and
 * redirects through a socket map (a bad flag and a key past max_entries
 * drop; otherwise the recorded map contents decide).
 *
 * expect policy=consistent paths=8 errors=1 unsupported=0
 * expect policy=alloc paths=8 errors=1 unsupported=0
 * expect policy=lookup paths=8 errors=1 unsupported=0
 * expect policy=concrete paths=8 errors=1 unsupported=0
 *
 * Counting: an empty message passes (1); the remote_port test never holds
 * (0); 'X' redirects with a bad flag, always SK_DROP (1); 'R' redirects to
 * slot local_port: it passes when the port is below 4 and the map holds a
 * socket there, else drops (2); 'H' returns the second byte, which a
 * one-byte message does not have (1 error, 1 path); anything else corks
 * and passes one-byte messages only (2). 1 + 1 + 2 + 2 + 2 = 8, 1 error.
 * The only map use is the redirect, the same under every policy.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} socks SEC(".maps");

SEC("sk_msg")
int eng_sk_msg(struct sk_msg_md *msg)
{
	__u8 *p = msg->data, *end = msg->data_end;

	if (p + 1 > end)
		return SK_PASS;
	if (msg->remote_port & 0xffff)
		return 7;
	if (p[0] == 'X')
		return bpf_msg_redirect_map(msg, &socks, 0, 2);
	if (p[0] == 'R')
		return bpf_msg_redirect_map(msg, &socks, msg->local_port, BPF_F_INGRESS) == SK_PASS ? SK_PASS : SK_DROP;
	if (p[0] == 'H')
		return p[1];
	bpf_msg_cork_bytes(msg, 10);
	return msg->size == 1 ? SK_PASS : SK_DROP;
}

char _license[] SEC("license") = "GPL";
