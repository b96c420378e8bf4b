/* SPDX-License-Identifier: MIT */
/*
 * sk_lookup's helpers: HELPER(name, contexts, concrete, symbolic); see
 * core/helpers.h. bpf_sk_lookup_assign_proto, not tc's sk_assign.
 */
HELPER(sk_assign, HC(SK_LOOKUP), sk_lookup_sk_assign, sk_lookup_sk_assign)
