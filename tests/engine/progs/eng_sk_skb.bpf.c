// SPDX-License-Identifier: GPL-2.0
/*
 * An sk_skb stream verdict program on the sk_skb spec and the sockmap
 * module: the stream's bytes as a packet, priority writable and mark
 * refused, a remote_port whose low 16 bits are always 0, and a redirect
 * through a socket map.
 *
 * expect policy=consistent paths=5 errors=1 unsupported=0
 * expect policy=alloc paths=5 errors=1 unsupported=0
 * expect policy=lookup paths=5 errors=1 unsupported=0
 * expect policy=concrete paths=5 errors=1 unsupported=0
 *
 * Counting: no bytes are dropped (1); the remote_port test never holds (0);
 * 'M' writes mark, which sk_skb may not (1 error); 'R' redirects to slot 1,
 * which the map holds a socket in or not (2); anything else passes (1).
 * 5 paths, 1 error. The only map use is the redirect.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} socks SEC(".maps");

SEC("sk_skb/stream_verdict")
int eng_sk_skb(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (p + 1 > end)
		return SK_DROP;
	if (skb->remote_port & 0xffff)
		return 9;
	skb->priority = 3;
	if (p[0] == 'M') {
		skb->mark = 1;
		return SK_PASS;
	}
	if (p[0] == 'R')
		return bpf_sk_redirect_map(skb, &socks, 1, 0) == SK_PASS ? SK_PASS : SK_DROP;
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
