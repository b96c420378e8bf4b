/* SPDX-License-Identifier: MIT */
/*
 * The verdict helpers of the socket-map program types (sk_msg, sk_skb),
 * shared by their concrete (sockmap_helpers.c) and symbolic
 * (sockmap_sym.c) halves: the kernel's rules, decided once.
 *
 * A redirect (net/core/sock_map.c bpf_msg_redirect_map, bpf_sk_redirect_map
 * and their _hash forms) answers SK_DROP for flags other than BPF_F_INGRESS
 * and for a sockmap key past max_entries, else SK_PASS when the map holds a
 * socket that may take the redirect, SK_DROP when not. What a socket map
 * holds is no input a test can give (its values are sockets), so that last
 * answer is a recorded nondeterministic value: SK_PASS when it is 1,
 * SK_DROP otherwise, the same in the interpreter and the engine. Every call
 * whose map is right takes one, whatever the flags and key say, so that a
 * test consumes the same values on every path through the call.
 * msg_apply_bytes and msg_cork_bytes set how much of the message the
 * verdict covers, which the program cannot read back: they return 0.
 */
#ifndef MHSE_SOCKMAP_H
#define MHSE_SOCKMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

/* The map type each redirect helper needs (check_map_func_compatibility),
 * and whether it takes its key by value (the map ones) or by pointer. */
static inline uint32_t sockmap_redirect_map_type(int32_t helper)
{
	return helper == BPF_FUNC_msg_redirect_hash || helper == BPF_FUNC_sk_redirect_hash ? BPF_MAP_TYPE_SOCKHASH :
											      BPF_MAP_TYPE_SOCKMAP;
}

static inline bool sockmap_flags_ok(uint64_t flags)
{
	return !(flags & ~(uint64_t)BPF_F_INGRESS);
}

#endif
