// SPDX-License-Identifier: GPL-2.0
/*
 * A socket filter that reads the packet the classic way: LD_ABS, LD_IND and
 * skb_load_bytes, with the packet starting at the IPv4 header. It keeps DNS
 * over UDP whole and drops the rest (returns 0 bytes).
 *
 * expect policy=consistent paths=9 errors=0 unsupported=0 insn_coverage=100
 *
 * Paths (a legacy load past the packet ends the program with 0):
 *   protocol is not IPv4                                        0
 *   empty packet: the LD_ABS of byte 0 fails                    0
 *   version is not 4                                            0
 *   shorter than 10 bytes: the LD_ABS of byte 9 fails           0
 *   not UDP                                                     0
 *   shorter than ihl * 4 + 4: the LD_IND of the port fails      0
 *   port is not 53                                              0
 *   shorter than ihl * 4 + 8: skb_load_bytes fails              0
 *   a whole UDP header                                          len
 * 9 paths.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* LLVM's intrinsics for LD_ABS and LD_IND (r6 is the skb) */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

SEC("socket")
int eng_socket(struct __sk_buff *skb)
{
	__u8 udp[8];
	__u32 ihl_len;
	__u8 first;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	first = load_byte(skb, 0);
	if (first >> 4 != 4)
		return 0;
	if (load_byte(skb, 9) != IPPROTO_UDP)
		return 0;
	ihl_len = (first & 0xf) * 4;
	if (load_half(skb, ihl_len + 2) != 53)
		return 0;
	if (bpf_skb_load_bytes(skb, ihl_len, udp, sizeof(udp)))
		return 0;
	return skb->len;
}

char _license[] SEC("license") = "GPL";
