// SPDX-License-Identifier: GPL-2.0
/*
 * skb_load_bytes within what a direct bounds check proved, its offset the
 * same sum of two packet-decided lengths written in another order: the
 * check's window holds the load, and it needs no solver query.
 *
 * expect policy=consistent jobs=1 paths=3 errors=0 unsupported=0 insn_coverage=100 queries_skb_load_bytes=0
 * expect policy=alloc jobs=1 paths=3 errors=0 unsupported=0 insn_coverage=100 queries_skb_load_bytes=0
 * expect policy=lookup jobs=1 paths=3 errors=0 unsupported=0 insn_coverage=100 queries_skb_load_bytes=0
 * expect policy=concrete jobs=1 paths=3 errors=0 unsupported=0 insn_coverage=100 queries_skb_load_bytes=0
 *
 * Counting: a tc packet holds 14 bytes at least, so the first check always
 * passes. The bytes below b + a + 24 (a and b at most 28) are in the
 * packet or not (returns 2). The 4 bytes at a + b + 20 lie within them:
 * the load cannot fail (return 3 is never reached), and its first byte is
 * 1 or not (TC_ACT_SHOT, TC_ACT_OK). 3 paths, no skb_load_bytes query.
 * clang sets each return value before its check: every instruction runs.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_load_bytes_summed(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u8 *p = data, word[4];
	__u32 a, b;

	if (data + 2 > end)
		return 1;
	a = (p[0] & 7) * 4;
	b = (p[1] & 7) * 4;
	if (data + b + a + 24 > end)
		return 2;
	if (bpf_skb_load_bytes(skb, a + b + 20, word, sizeof(word)))
		return 3;
	return word[0] == 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
