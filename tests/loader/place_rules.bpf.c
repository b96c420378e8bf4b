// SPDX-License-Identifier: GPL-2.0
/*
 * Hook placement (core/place.c), one program per rule, none of them in a
 * section libbpf 1.x places:
 *
 *   by_btf       section "odd", context struct bpf_sock_addr *: cgroup_sock_addr
 *   by_btf_skb   section "odd", context struct __sk_buff *: tc
 *   by_prefix    section "xdp_fw", untyped context: xdp (libbpf before 1.0)
 *   tc_prefix    section "tc_hook0", untyped context: tc (iproute2)
 *   tail_entry   section "classifier_main", untyped: tc; tail-calls through
 *                jmp_map (iproute2 id 3)
 *   tail_target  section "3/0", untyped: slot 0 of jmp_map, so tc
 *   by_helper    section "prog", untyped, calls xdp_adjust_head: xdp
 *   unplaced     section "prog", untyped, no helper of one type: none
 *
 * place_rules.sh checks each program's hook and rule with mhse info -j.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

struct bpf_elf_map jmp_map SEC("maps") = {
	.type = BPF_MAP_TYPE_PROG_ARRAY,
	.id = 3,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 2,
};

SEC("odd") int by_btf(struct bpf_sock_addr *ctx)
{
	return ctx->user_port != 0;
}

SEC("odd") int by_btf_skb(struct __sk_buff *skb)
{
	return skb->mark;
}

SEC("xdp_fw") int by_prefix(void *ctx)
{
	return XDP_PASS;
}

SEC("tc_hook0") int tc_prefix(void *ctx)
{
	return 0;
}

SEC("classifier_main") int tail_entry(void *ctx)
{
	bpf_tail_call(ctx, &jmp_map, 0);
	return 0;
}

SEC("3/0") int tail_target(void *ctx)
{
	return 1;
}

SEC("prog") int by_helper(void *ctx)
{
	return bpf_xdp_adjust_head(ctx, 4) ? XDP_DROP : XDP_PASS;
}

SEC("prog") int unplaced(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
