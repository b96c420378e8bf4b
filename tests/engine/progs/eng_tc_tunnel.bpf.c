// SPDX-License-Identifier: GPL-2.0
/*
 * The tunnel info skb_set_tunnel_key gives the skb, as skb_get_tunnel_key
 * returns it: the addresses swapped (the key set names where the packet
 * goes, the key got where it came from), the flow label cut to 20 bits,
 * the tunnel's flags with BPF_F_TUNINFO_FLAGS (NOCACHE, DONT_FRAGMENT, KEY
 * and CSUM here), -EPROTO for the other family, the older layouts, and the
 * getters and set_tunnel_opt before any tunnel info. Every check adds 0 to
 * the return value when the answer is the kernel's, so a wrong one shows as
 * another return value, not as a path.
 *
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=2 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting: an IPv6 tunnel (cb[1] not 0) (1) or an IPv4 one (1); nothing
 * else branches. 1 + 1 = 2. No map is used: every policy
 * gives the same count.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define EINVAL 22
#define ENOENT 2
#define EPROTO 71
#define FLOW_LABEL_MASK 0xfffff
#define TUNNEL_ID 0x11223344
#define REMOTE 0x0a000001
#define REMOTE_LOW 0x0b
#define LOCAL 0x0a000002
#define LOCAL_LOW 0x0c
#define LABEL 0xfff12345
/* TUNNEL_NOCACHE | TUNNEL_DONT_FRAGMENT | TUNNEL_KEY | TUNNEL_CSUM */
#define TUNNEL_FLAGS 0x2105
#define OLDEST_KEY_SIZE 8  /* up to remote_ipv4 */
#define LABEL_KEY_SIZE 24  /* up to tunnel_label */

static __always_inline long tunnel(struct __sk_buff *skb, __u64 ipv6)
{
	struct bpf_tunnel_key key = {}, got;
	__u32 opt[2] = { 1, 2 };
	long rc;

	__builtin_memset(&got, 0xff, sizeof(got));
	rc = bpf_skb_get_tunnel_key(skb, &got, sizeof(got), 0) + EINVAL + got.tunnel_id;
	rc += bpf_skb_set_tunnel_opt(skb, opt, sizeof(opt)) + EINVAL;
	rc += bpf_skb_get_tunnel_opt(skb, opt, sizeof(opt)) + ENOENT + opt[1];

	key.tunnel_id = TUNNEL_ID;
	key.remote_ipv6[0] = REMOTE;
	key.remote_ipv6[3] = REMOTE_LOW;
	key.tunnel_ttl = 64;
	key.tunnel_label = ipv6 ? LABEL : 0;
	key.local_ipv6[0] = LOCAL;
	key.local_ipv6[3] = LOCAL_LOW;
	rc += bpf_skb_set_tunnel_key(skb, &key, sizeof(key), ipv6 | BPF_F_DONT_FRAGMENT);
	rc += bpf_skb_get_tunnel_key(skb, &got, sizeof(got), ipv6 | BPF_F_TUNINFO_FLAGS);
	rc += (got.tunnel_id ^ TUNNEL_ID) + (got.tunnel_ttl ^ 64) + (got.tunnel_flags ^ bpf_htons(TUNNEL_FLAGS));
	rc += (got.remote_ipv6[0] ^ LOCAL) + (got.local_ipv6[0] ^ REMOTE);
	rc += (got.remote_ipv6[3] ^ (ipv6 ? LOCAL_LOW : 0)) + (got.local_ipv6[3] ^ (ipv6 ? REMOTE_LOW : 0));
	rc += got.tunnel_label ^ (ipv6 ? LABEL & FLOW_LABEL_MASK : 0);
	rc += bpf_skb_get_tunnel_key(skb, &got, sizeof(got), ipv6 ^ BPF_F_TUNINFO_IPV6) + EPROTO + got.local_ipv6[0];
	rc += bpf_skb_get_tunnel_opt(skb, opt, sizeof(opt)) + ENOENT + opt[0];

	/* the older layouts: without BPF_F_TUNINFO_FLAGS, tunnel_ext is 0;
	 * the oldest has no IPv6 */
	__builtin_memset(&got, 0xff, sizeof(got));
	rc += bpf_skb_get_tunnel_key(skb, &got, LABEL_KEY_SIZE, ipv6) + got.tunnel_ext + (got.tunnel_label ^ 0xffffffff);
	rc += bpf_skb_get_tunnel_key(skb, &got, OLDEST_KEY_SIZE, ipv6) + (ipv6 ? EINVAL + got.tunnel_id : 0);
	/* a key in the oldest layout replaces the tunnel info: local is 0 */
	rc += bpf_skb_set_tunnel_key(skb, &key, OLDEST_KEY_SIZE, 0);
	rc += bpf_skb_get_tunnel_key(skb, &got, sizeof(got), 0) + got.remote_ipv4 + (got.local_ipv4 ^ REMOTE);
	return rc;
}

SEC("tc")
int eng_tc_tunnel(struct __sk_buff *skb)
{
	return skb->cb[1] ? tunnel(skb, BPF_F_TUNINFO_IPV6) : tunnel(skb, 0);
}

char _license[] SEC("license") = "GPL";
