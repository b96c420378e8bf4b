/* SPDX-License-Identifier: MIT */
/* XDP's helpers: HELPER(name, contexts, concrete, symbolic); see core/helpers.h. */
HELPER(xdp_adjust_head, HC(XDP), xdp_adjust_head, sym_xdp_adjust_head)
HELPER(xdp_adjust_tail, HC(XDP), xdp_adjust_tail, sym_xdp_adjust_tail)
HELPER(xdp_adjust_meta, HC(XDP), xdp_adjust_meta, sym_xdp_adjust_meta)
HELPER(redirect, HC(XDP), xdp_redirect, sym_xdp_redirect)
HELPER(redirect_map, HC(XDP), xdp_redirect_map, sym_xdp_redirect_map)
HELPER(xdp_load_bytes, HC(XDP), xdp_load_bytes, sym_xdp_load_bytes)
HELPER(xdp_store_bytes, HC(XDP), xdp_store_bytes, sym_xdp_store_bytes)
HELPER(fib_lookup, HC(XDP), xdp_fib_lookup, sym_xdp_fib_lookup)
HELPER(check_mtu, HC(XDP), xdp_check_mtu, sym_xdp_check_mtu)
HELPER(xdp_get_buff_len, HC(XDP), xdp_get_buff_len, sym_xdp_get_buff_len)
