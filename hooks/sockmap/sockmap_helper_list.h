/* SPDX-License-Identifier: MIT */
/*
 * The socket-map redirects and sk_msg's byte verdicts: HELPER(name,
 * contexts, concrete, symbolic); see core/helpers.h. Same names in
 * sockmap_helpers.c and sockmap_sym.c.
 */
HELPER(msg_redirect_map, HC(SK_MSG), sockmap_msg_redirect_map, sockmap_msg_redirect_map)
HELPER(msg_redirect_hash, HC(SK_MSG), sockmap_msg_redirect_hash, sockmap_msg_redirect_hash)
HELPER(sk_redirect_map, HC(SK_SKB), sockmap_sk_redirect_map, sockmap_sk_redirect_map)
HELPER(sk_redirect_hash, HC(SK_SKB), sockmap_sk_redirect_hash, sockmap_sk_redirect_hash)
HELPER(msg_apply_bytes, HC(SK_MSG), sockmap_msg_bytes, sockmap_msg_bytes)
HELPER(msg_cork_bytes, HC(SK_MSG), sockmap_msg_bytes, sockmap_msg_bytes)
