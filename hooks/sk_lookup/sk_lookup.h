/* SPDX-License-Identifier: MIT */
/*
 * sk_lookup's own bpf_sk_assign (net/core/filter.c bpf_sk_lookup_assign),
 * shared by its concrete (sk_lookup_helpers.c) and symbolic
 * (sk_lookup_sym.c) halves.
 *
 * The program selects the socket the lookup returns, or NULL to return none
 * (ARG_PTR_TO_SOCKET_OR_NULL): flags other than BPF_SK_LOOKUP_F_REPLACE and
 * BPF_SK_LOOKUP_F_NO_REUSEPORT are -EINVAL, and a selection made before
 * (the context's sk, which an earlier program of the chain may have set) is
 * -EEXIST unless the flags ask to replace it. NULL is modelled; a socket is
 * not yet (sockets come from socket-map lookups, and the kernel checks
 * their state, protocol and family against the lookup's): such a call ends
 * its path as unsupported, and so does a call in a program that reads the
 * context's sk, whose selection mhse does not tie to the call.
 *
 * The context holds one lookup's addresses: an IPv4 lookup reads its IPv6
 * addresses as 0 (the kernel's v6 pointers are NULL) and an IPv6 lookup its
 * IPv4 ones, so the module ties those fields to the family.
 */
#ifndef MHSE_SK_LOOKUP_H
#define MHSE_SK_LOOKUP_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

#define AF_INET 2
#define AF_INET6 10

/* The fields a lookup of that family reads as 0. */
static inline const char *const *sk_lookup_zero_fields(uint32_t family)
{
	static const char *const ip4[] = { "remote_ip6", "local_ip6", NULL };
	static const char *const ip6[] = { "remote_ip4", "local_ip4", NULL };

	return family == AF_INET ? ip4 : ip6;
}

static inline bool sk_lookup_assign_flags_ok(uint64_t flags)
{
	return !(flags & ~(uint64_t)(BPF_SK_LOOKUP_F_REPLACE | BPF_SK_LOOKUP_F_NO_REUSEPORT));
}

#endif
