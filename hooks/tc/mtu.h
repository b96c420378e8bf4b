/* SPDX-License-Identifier: MIT */
/*
 * bpf_check_mtu, for tc and XDP (net/core/filter.c): one check in both,
 * differing in the flags each takes (BPF_MTU_CHK_SEGS only for an skb,
 * which may then give no length of its own) and in the answer to a
 * length over the MTU (the test run's skb is no GSO packet, so
 * FRAG_NEEDED for both). The length checked is the packet's, or
 * *mtu_len (an L3 length) plus the device's hard header, plus len_diff,
 * against the device's MTU plus its hard header; *mtu_len gets the MTU,
 * and keeps its value after an error (as the 6.18 kernel's test run
 * shows; 6.1 wrote 0 there).
 *
 * The device of ifindex 0 is the test run's, the netns's loopback (also
 * ifindex 1): its MTU is 65536 and its hard header ETH_HLEN. Any other
 * ifindex is the machine's: the answer is a nondeterministic input, drawn
 * as the return code (SUCCESS, FRAG_NEEDED, or -ENODEV for no such device)
 * then the MTU (unused with -ENODEV), whatever the flags.
 */
#ifndef MHSE_HOOKS_MTU_H
#define MHSE_HOOKS_MTU_H

#include <stdbool.h>
#include <stdint.h>
#include "engine_internal.h"
#include "interp.h"

#define LOOPBACK_IFINDEX 1
#define LOOPBACK_MTU 65536
#define LOOPBACK_HARD_HEADER 14

/* pkt_len: the skb's length or the XDP frame's data_end - data. */
int check_mtu_run(struct mhse_vm *vm, uint64_t *regs, uint32_t pkt_len, bool skb);
/* pkt_len: a 32-bit term. */
enum step sym_check_mtu(struct mhse_engine *e, struct state *s, Z3_ast pkt_len, bool skb);

#endif
