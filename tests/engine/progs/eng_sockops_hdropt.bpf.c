// SPDX-License-Identifier: GPL-2.0
/*
 * A TCP header option of the experimental kind 253 with a 16-bit magic:
 * room asked for in HDR_OPT_LEN_CB, written in WRITE_HDR_OPT_CB, looked for
 * in PARSE_HDR_OPT_CB. Elsewhere the kernel refuses the header-option
 * helpers with -EPERM.
 *
 * expect policy=consistent paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=alloc paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=lookup paths=7 errors=0 unsupported=0 insn_coverage=100
 * expect policy=concrete paths=7 errors=0 unsupported=0 insn_coverage=100
 *
 * Counting, per op: HDR_OPT_LEN_CB, reserve_hdr_opt of 4 bytes fits or
 * not (0 or -ENOSPC, the room left is the socket's): 2 paths.
 * WRITE_HDR_OPT_CB, store_hdr_opt succeeds or not (-ENOSPC, -EEXIST,
 * -EFAULT): 2. PARSE_HDR_OPT_CB, which always has a segment, load_hdr_opt
 * finds the option (4 bytes, the buffer's size) or not (-ENOMSG, -EFAULT,
 * -ENOSPC): 2. Any other op: reserve_hdr_opt is -EPERM, 1 path, whatever
 * the socket. 7. No map is used, so every policy gives the same count.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define EPERM 1

SEC("sockops")
int eng_sockops_hdropt(struct bpf_sock_ops *skops)
{
	__u8 opt[4] = { 253, 4, 0xeb, 0x9f };

	switch (skops->op) {
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		if (bpf_reserve_hdr_opt(skops, sizeof(opt), 0))
			skops->reply = 1;
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		if (bpf_store_hdr_opt(skops, opt, sizeof(opt), 0))
			skops->reply = 2;
		break;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		if (bpf_load_hdr_opt(skops, opt, sizeof(opt), 0) > 0)
			skops->reply = opt[1];
		break;
	default:
		if (bpf_reserve_hdr_opt(skops, sizeof(opt), 0) != -EPERM)
			skops->reply = 3;
		break;
	}
	return 1;
}

char _license[] SEC("license") = "GPL";
