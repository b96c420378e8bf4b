/* SPDX-License-Identifier: MIT */
/*
 * sock_ops's helpers: HELPER(name, contexts, concrete, symbolic); see
 * core/helpers.h. Same names in sockops_helpers.c and sockops_sym.c.
 */
HELPER(setsockopt, HC(SOCK_OPS), sockops_setsockopt, sockops_setsockopt)
HELPER(getsockopt, HC(SOCK_OPS), sockops_getsockopt, sockops_getsockopt)
HELPER(sock_ops_cb_flags_set, HC(SOCK_OPS), sockops_cb_flags_set, sockops_cb_flags_set)
HELPER(load_hdr_opt, HC(SOCK_OPS), sockops_load_hdr_opt, sockops_load_hdr_opt)
HELPER(store_hdr_opt, HC(SOCK_OPS), sockops_store_hdr_opt, sockops_store_hdr_opt)
HELPER(reserve_hdr_opt, HC(SOCK_OPS), sockops_reserve_hdr_opt, sockops_reserve_hdr_opt)
HELPER(sock_map_update, HC(SOCK_OPS), sockops_sock_map_update, sockops_sock_map_update)
HELPER(sock_hash_update, HC(SOCK_OPS), sockops_sock_hash_update, sockops_sock_hash_update)
