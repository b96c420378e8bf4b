/* SPDX-License-Identifier: MIT */
/*
 * bpf_fib_lookup, for every hook that has it: the kernel runs one lookup
 * for skbs and XDP frames (net/core/filter.c) and differs in one point, the
 * MTU check: XDP always checks against the route's MTU, an skb only when
 * the program gave tot_len, and otherwise checks the skb against the
 * egress device after a successful lookup (FRAG_NEEDED then comes with
 * everything a success writes). So both models take skb to say which.
 *
 * The routing tables, neighbours and devices are the machine's: what a
 * lookup answers is a nondeterministic input. The argument checks (size,
 * flags, family) are the kernel's and deterministic. The answer is the
 * return code, then the values the lookup writes, drawn in this order
 * whatever the code (so that a test replays by position): egress ifindex,
 * route metric, gateway (16 bytes as two draws), source and destination
 * MAC (8 + 4 bytes), MTU. Which of them land in the parameters depends on
 * the code as in the kernel: a route (ifindex, metric, gateway) with
 * SUCCESS and NO_NEIGH, the MACs with SUCCESS unless SKIP_NEIGH, the MTU
 * with SUCCESS and FRAG_NEEDED; SUCCESS clears the VLAN fields, and a
 * DIRECT|TBID lookup that reached the table clears tbid (the same bytes).
 * BPF_FIB_LOOKUP_SRC (the source address the route prefers) is not modelled.
 */
#ifndef MHSE_HOOKS_FIB_H
#define MHSE_HOOKS_FIB_H

#include <stdbool.h>
#include <stdint.h>
#include "engine_internal.h"
#include "interp.h"

#define FIB_PARAMS_SIZE 64 /* sizeof(struct bpf_fib_lookup) */
#define FIB_LOOKUP_FLAGS (BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SKIP_NEIGH | \
			  BPF_FIB_LOOKUP_TBID | BPF_FIB_LOOKUP_SRC)
#define FIB_DRAWS 8        /* nondeterministic values per lookup that passed its checks */

int fib_lookup_run(struct mhse_vm *vm, uint64_t *regs, bool skb);
enum step sym_fib_lookup(struct mhse_engine *e, struct state *s, bool skb);

#endif
