/* SPDX-License-Identifier: MIT */
/*
 * tc's helpers, and the skb packet loads other skb programs share:
 * HELPER(name, contexts, concrete, symbolic); see core/helpers.h. The
 * concrete and symbolic functions have the same names, in tc_helpers.c and
 * tc_sym.c.
 */
/* bpf_skb_load_bytes(_relative)_proto: every skb program but sk_reuseport's and
 * the flow dissector's, which have protos of their own */
#define HC_SKB_LOAD (HC_ALL & ~(HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR)))
HELPER(skb_load_bytes, HC_SKB_LOAD, tc_skb_load_bytes, tc_skb_load_bytes)
HELPER(skb_load_bytes_relative, HC_SKB_LOAD, tc_skb_load_bytes_relative, tc_skb_load_bytes_relative)
HELPER(skb_store_bytes, HC_TC | HC(SK_SKB), tc_skb_store_bytes, tc_skb_store_bytes)
HELPER(l3_csum_replace, HC_TC, tc_l3_csum_replace, tc_l3_csum_replace)
HELPER(l4_csum_replace, HC_TC, tc_l4_csum_replace, tc_l4_csum_replace)
HELPER(redirect, HC_TC, tc_redirect, tc_redirect)
HELPER(set_hash, HC_TC, tc_set_hash, tc_set_hash)
HELPER(skb_change_type, HC_TC, tc_skb_change_type, tc_skb_change_type)
HELPER(csum_update, HC_TC, tc_csum_update, tc_csum_update)
HELPER(skb_pull_data, HC_TC, tc_skb_pull_data, tc_skb_pull_data)
HELPER(skb_change_tail, HC_TC, tc_skb_change_tail, tc_skb_change_tail)
HELPER(skb_change_head, HC_TC, tc_skb_change_head, tc_skb_change_head)
HELPER(skb_adjust_room, HC_TC, tc_skb_adjust_room, tc_skb_adjust_room)
HELPER(skb_set_tunnel_key, HC_TC, tc_skb_set_tunnel_key, tc_skb_set_tunnel_key)
HELPER(get_hash_recalc, HC_TC, tc_get_hash_recalc, tc_get_hash_recalc)
HELPER(redirect_peer, HC_TC, tc_redirect_peer, tc_redirect_peer)
HELPER(redirect_neigh, HC_TC, tc_redirect_neigh, tc_redirect_neigh)
HELPER(fib_lookup, HC_TC, tc_fib_lookup, tc_fib_lookup)
HELPER(skb_change_proto, HC_TC, tc_skb_change_proto, tc_skb_change_proto)
HELPER(skb_ecn_set_ce, HC_TC, tc_skb_ecn_set_ce, tc_skb_ecn_set_ce)
HELPER(clone_redirect, HC_TC, tc_clone_redirect, tc_clone_redirect)
HELPER(skb_vlan_push, HC_TC, tc_skb_vlan_push, tc_skb_vlan_push)
HELPER(skb_vlan_pop, HC_TC, tc_skb_vlan_pop, tc_skb_vlan_pop)
HELPER(skb_get_tunnel_key, HC_TC, tc_skb_get_tunnel_key, tc_skb_get_tunnel_key)
HELPER(skb_get_tunnel_opt, HC_TC, tc_skb_get_tunnel_opt, tc_skb_get_tunnel_opt)
HELPER(skb_set_tunnel_opt, HC_TC, tc_skb_set_tunnel_opt, tc_skb_set_tunnel_opt)
HELPER(skb_under_cgroup, HC_TC, tc_skb_under_cgroup, tc_skb_under_cgroup)
HELPER(check_mtu, HC_TC, tc_check_mtu, tc_check_mtu)
#undef HC_SKB_LOAD
