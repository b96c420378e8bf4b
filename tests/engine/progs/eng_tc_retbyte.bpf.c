// SPDX-License-Identifier: GPL-2.0
/*
 * A tc program that returns a packet byte: the verifier does not restrict a
 * tc program's return value (check_return_code has no range for
 * BPF_PROG_TYPE_SCHED_CLS), and tc acts on a verdict it does not know as its
 * own rules say, so no value is an error or a warning.
 *
 * expect policy=consistent paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc      paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup     paths=2 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete   paths=2 errors=0 unsupported=0 insn_coverage=100
 *
 * A packet of 14 bytes (tc's shortest): TC_ACT_OK. Otherwise the byte after
 * the Ethernet header is returned, whatever it is: 1 path. 2 paths.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int eng_tc_retbyte(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u8 *payload = data + ETH_HLEN;

	if ((void *)(payload + 1) > data_end)
		return TC_ACT_OK;
	return payload[0];
}

char LICENSE[] SEC("license") = "GPL";
