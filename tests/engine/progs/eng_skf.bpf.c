// SPDX-License-Identifier: GPL-2.0
/*
 * A socket filter that reads its headers the way filters attached to UDP
 * sockets do, relative to the link-layer and network headers: LD_ABS at
 * SKF_LL_OFF + 12 (a word: the EtherType, then the first two bytes of the
 * packet) and SKF_NET_OFF, LD_IND at SKF_NET_OFF + ihl * 4 + 2. The test
 * run's link-layer header is the 14 bytes it strips before the packet (the
 * EtherType the context's protocol); the network header is the packet's
 * start. A load past the packet ends the program with 0.
 *
 * expect policy=alloc paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=consistent paths=6 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=6 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths:
 *   shorter than 2 bytes: the word at SKF_LL_OFF + 12 fails        0
 *   EtherType is not IPv4                                          1
 *   version is not 4                                               2
 *   shorter than ihl * 4 + 4: the LD_IND of the port fails         0
 *   port is not 53                                                 3
 *   a DNS packet                                                   4
 * 6 paths.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

/* LLVM's intrinsics for LD_ABS and LD_IND (r6 is the skb) */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int eng_skf(struct __sk_buff *skb)
{
	__u32 ihl_len;
	__u8 first;

	if (load_word(skb, SKF_LL_OFF + 12) >> 16 != ETH_P_IP)
		return 1;
	first = load_byte(skb, SKF_NET_OFF);
	if (first >> 4 != 4)
		return 2;
	ihl_len = (first & 0xf) * 4;
	if (load_half(skb, SKF_NET_OFF + ihl_len + 2) != 53)
		return 3;
	return 4;
}

char _license[] SEC("license") = "GPL";
