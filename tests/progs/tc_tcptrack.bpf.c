// SPDX-License-Identifier: GPL-2.0
/*
 * A passive TCP flow tracker on tc: per flow it follows the sequence space
 * and flags reordering, retransmission and TTL changes (a route flap or a
 * spoofer), the way monitoring tools estimate path health without seeing
 * both directions.
 *
 * Sequence arithmetic is signed 32-bit by nature (RFC 1982 serial numbers)
 * and payload lengths computed from headers can go negative on malformed
 * packets, so the code divides and takes remainders of signed,
 * packet-derived values and sign-extends narrow fields (the TTL drift as an
 * s8, window changes as an s16). Built for ISA v4 these are sdiv/smod,
 * movsx and sign-extending loads; byte order is swapped with
 * __builtin_bswap*, which v4 emits as bswap.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_TTL_DRIFT 8

struct tcp_flow_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
};

struct tcp_flow {
	__u32 next_seq;
	__u32 last_ack;
	__s64 avg_delta;    /* running mean of the sequence delta */
	__s32 last_delta;
	__s32 worst_reorder;
	__s32 segs_behind;  /* last delta in units of the segment size */
	__s32 win_offset;   /* where the delta falls within the (signed) window */
	__u32 segs;
	__u32 reordered;
	__s16 win_change;
	__u16 last_win;
	__s8 ttl_drift;
	__u8 init_ttl;
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct tcp_flow_key);
	__type(value, struct tcp_flow);
} tcp_flows SEC(".maps");

__u64 route_changes;
__s64 total_payload;

static __always_inline void track(struct tcp_flow *f, struct iphdr *iph, struct tcphdr *tcp, int payload)
{
	__u32 seq = __builtin_bswap32(tcp->seq);
	__u16 win = __builtin_bswap16(tcp->window);
	long delta = (int)(seq - f->next_seq);
	long worst = f->worst_reorder;

	f->segs++;
	f->last_delta = delta;
	if (delta < 0) {
		f->reordered++;
		if (delta < worst)
			f->worst_reorder = delta;
	}
	f->avg_delta = (f->avg_delta * (__s64)f->segs + delta) / ((__s64)f->segs + 1);
	if (payload)
		f->segs_behind = (int)delta / payload;
	f->win_change = (short)(win - f->last_win);
	/* Stacks that mis-scale the window announce it negative as a short. */
	if (win)
		f->win_offset = (int)delta % (short)win;
	f->last_win = win;
	f->last_ack = __builtin_bswap32(tcp->ack_seq);
	if (delta >= 0)
		f->next_seq = seq + payload;
	f->ttl_drift = (signed char)(iph->ttl - f->init_ttl);
}

SEC("tc")
int tc_tcptrack(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct iphdr *iph = data + ETH_HLEN;
	struct tcp_flow_key key = {};
	struct tcp_flow *f;
	struct tcphdr *tcp;
	long prev_drift;
	int payload;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if ((void *)(iph + 1) > data_end || iph->ihl < 5 || iph->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	tcp = (void *)iph + iph->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;

	payload = (int)__builtin_bswap16(iph->tot_len) - iph->ihl * 4 - tcp->doff * 4;
	__sync_fetch_and_add(&total_payload, (long)payload);
	key.saddr = iph->saddr;
	key.daddr = iph->daddr;
	key.sport = tcp->source;
	key.dport = tcp->dest;

	f = bpf_map_lookup_elem(&tcp_flows, &key);
	if (!f) {
		struct tcp_flow fresh = {
			.next_seq = __builtin_bswap32(tcp->seq) + payload,
			.last_win = __builtin_bswap16(tcp->window),
			.init_ttl = iph->ttl,
			.segs = 1,
		};

		bpf_map_update_elem(&tcp_flows, &key, &fresh, BPF_NOEXIST);
		return TC_ACT_OK;
	}

	prev_drift = f->ttl_drift;
	track(f, iph, tcp, payload);
	/* A TTL that jumps by more than a few hops mid-flow is a new path. */
	if (prev_drift - f->ttl_drift > MAX_TTL_DRIFT || f->ttl_drift - prev_drift > MAX_TTL_DRIFT) {
		__sync_fetch_and_add(&route_changes, 1);
		skb->mark = (__u32)(long)(signed char)iph->ttl;
		return TC_ACT_PIPE;
	}
	/* Far outside the window: a blind injection attempt. */
	if (f->last_delta < -(1 << 30))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
