// SPDX-License-Identifier: GPL-2.0
/*
 * skb_load_bytes over bytes the path has proven in the packet: a load
 * below one that fitted, at a fixed offset or at an offset the packet
 * decides (a header after a variable-length one), needs no solver query;
 * a load past what is proven asks one.
 *
 * expect policy=consistent jobs=1 paths=4 errors=0 unsupported=0 insn_coverage=100 queries_skb_load_bytes=6
 * expect policy=alloc jobs=1 paths=4 errors=0 unsupported=0 insn_coverage=100 queries_skb_load_bytes=6
 * expect policy=lookup jobs=1 paths=4 errors=0 unsupported=0 insn_coverage=100 queries_skb_load_bytes=6
 * expect policy=concrete jobs=1 paths=4 errors=0 unsupported=0 insn_coverage=100 queries_skb_load_bytes=6
 *
 * Counting: the first 20 bytes fit or not (a tc packet holds 14 at
 * least; 1 path returns 1; a split, two queries: one per side). Bytes
 * 2-5 lie within them (no query). The 4 bytes at 21 + 4 * (byte 0 & 7)
 * fit or not (1 path returns 3; two queries); the 2 at 1 more lie within
 * them (no query). 4 bytes at 60 fit or not (returns 5, and 0 as the sum
 * is at most 510: 2 paths; two queries). 4 paths, 6 queries.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_load_bytes_proven(struct __sk_buff *skb)
{
	__u8 head[20], word[4], half[2];
	__u32 off;

	if (bpf_skb_load_bytes(skb, 0, head, sizeof(head)))
		return 1;
	if (bpf_skb_load_bytes(skb, 2, word, sizeof(word)))
		return 2;
	off = 21 + (head[0] & 7) * 4;
	if (bpf_skb_load_bytes(skb, off, word, sizeof(word)))
		return 3;
	if (bpf_skb_load_bytes(skb, off + 1, half, sizeof(half)))
		return 4;
	if (bpf_skb_load_bytes(skb, 60, word, sizeof(word)))
		return 5;
	return word[0] + half[0] > 512 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
