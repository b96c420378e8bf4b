/* SPDX-License-Identifier: MIT */
/*
 * The concrete interpreter: runs one program of an object on a context, a
 * packet and map contents, with the kernel's semantics to the bit.
 *
 * A plain switch over opcodes, as uBPF and the kernel's ___bpf_prog_run.
 * Values come from sem.h, memory accesses go through mem.h regions, context
 * accesses through the hook model, helper calls through the helper table
 * (helpers.h). An optional per-instruction hook sees every instruction
 * before it executes: coverage, tracing and the engine's replay check use it.
 */
#ifndef MHSE_INTERP_H
#define MHSE_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helpers.h"
#include "hook.h"
#include "insn.h"
#include "maps.h"
#include "mem.h"
#include "object.h"
#include "path.h"

enum vm_status {
	VM_OK = 0,        /* the program exited */
	VM_ERR_MEM,       /* out-of-bounds, NULL or read-only access */
	VM_ERR_CTX,       /* context access the hook does not allow */
	VM_ERR_INSN,      /* invalid or unsupported instruction */
	VM_ERR_HELPER,    /* unknown helper, or a helper not allowed by the hook */
	VM_ERR_CALL,      /* call depth or tail-call limit, bad call target */
	VM_ERR_BUDGET,    /* instruction budget exhausted */
	VM_ERR_UNSUPPORTED, /* something mhse does not model (helper, map type, kfunc) */
};

struct mhse_vm;

/* Called before each instruction; returning non-zero stops the run with VM_ERR_BUDGET. */
typedef int (*vm_insn_hook)(void *arg, const struct mhse_vm *vm, size_t pc, const uint64_t *regs);

struct vm_frame {
	const struct mhse_prog *prog; /* a tail call from a subprogram returns into another program */
	size_t ret_pc;
	uint64_t saved[4]; /* r6-r9 */
	uint32_t stack;    /* stack region of the frame */
	/* a bpf_loop callback's frame: iteration loop_index of loop_nr runs
	 * loop_callback with (index, loop_ctx) */
	bool loop;
	uint32_t loop_index, loop_nr;
	size_t loop_callback;
	uint64_t loop_ctx;
};

struct mhse_vm {
	const struct mhse_object *obj;
	const struct mhse_hook *hook;
	const struct helper_module *hook_module; /* the hook's own module (spec key "module"), or NULL */
	int helper_ctx;              /* the running program's helper context (helpers.h), -1 for none */
	struct mem mem;
	uint32_t fixed_regions;      /* regions that live across runs (map values of global data) */
	struct map_state *maps;      /* by map id (map_ids.h): the object's maps, then inner maps */
	uint32_t map_cnt;
	const struct mhse_prog *prog;
	uint64_t regs[11];
	size_t pc;
	struct vm_frame frames[MHSE_MAX_CALL_FRAMES];
	unsigned depth;
	unsigned tail_calls;
	bool spin_lock_held;         /* between bpf_spin_lock and bpf_spin_unlock */
	uint32_t pkt_data;           /* where the data starts in the packet buffer; the region's
				      * window starts at the metadata before it */
	uint32_t skb_net_off;        /* tc: the skb's network header, in bytes from the packet data */
	bool skb_encapsulated;       /* tc: skb_adjust_room encapsulated the packet (skb->encapsulation) */
	/* tc: the tunnel info skb_set_tunnel_key gave the skb, as skb_get_tunnel_key
	 * returns it with BPF_F_TUNINFO_FLAGS (a struct bpf_tunnel_key) */
	bool skb_tunnel_set, skb_tunnel_ipv6;
	uint8_t skb_tunnel_key[44];
	/* Values returned in order by nondeterministic helpers (ktime, prandom, cpu id, ...). */
	const uint64_t *nondet;
	size_t nondet_cnt, nondet_used;
	/* Kernel memory the test gives, by address; what it leaves out reads as zero. */
	const struct path_kmem *kmem;
	size_t kmem_cnt;
	uint8_t kernel_load[8];      /* a load's bytes through a kernel pointer */
	/* trace_printk output */
	char *trace;
	size_t trace_len, trace_cap;
	/* Records emitted by perf and ring-buffer helpers, in order. */
	struct path_event *events;
	size_t event_cnt;
	/* Redirect target set by redirect helpers (ifindex or map/key), for test output. */
	uint64_t redirect_target;
	uint64_t insn_budget, insns_executed;
	vm_insn_hook on_insn;
	void *on_insn_arg;
	/* Helpers looked up before the hook's own (a test harness's). */
	const struct helper_module *extra_helpers;
	/* Error of the last run. */
	enum vm_status status;
	size_t err_pc;
	char err_msg[192];
};

struct vm_input {
	const uint8_t *packet;
	uint32_t packet_len;
	const uint8_t *ctx;      /* ctx bytes in the program's view (struct xdp_md, __sk_buff...); NULL = spec defaults */
	uint32_t ctx_len;
	const uint8_t *raw;      /* HOOK_INPUT_RAW_MEM */
	uint32_t raw_len;
	const uint64_t *nondet;
	size_t nondet_cnt;
	const struct path_kmem *kmem;
	size_t kmem_cnt;
};

/* Creates a VM for obj under hook with maps at their initial contents. */
int mhse_vm__new(const struct mhse_object *obj, const struct mhse_hook *hook, struct mhse_vm **vm);
void mhse_vm__free(struct mhse_vm *vm);
/* Returns maps to their initial contents and drops per-run regions and
 * inner maps. */
void mhse_vm__reset_maps(struct mhse_vm *vm);
/* A fresh, empty inner map for map-in-map outer: its id in *id (the next
 * one, map_ids.h). 0, -EINVAL when outer has no inner definition, or -ENOMEM. */
int mhse_vm__add_inner(struct mhse_vm *vm, uint32_t outer, uint32_t *id);

/* Runs prog. Returns 0 and sets *ret to r0 at exit, or a negative errno with
 * vm->status, vm->err_pc and vm->err_msg describing where and why it stopped. */
int mhse_vm__run(struct mhse_vm *vm, const struct mhse_prog *prog, const struct vm_input *in, uint64_t *ret);

/* The packet as the program left it, XDP metadata included as the kernel's
 * test run returns it; for raw-memory hooks, the memory (valid until the
 * next run). */
const uint8_t *mhse_vm__packet(const struct mhse_vm *vm, uint32_t *len);
/* The context bytes as the program left them. */
const uint8_t *mhse_vm__ctx(const struct mhse_vm *vm, uint32_t *len);

/* For helpers: the next nondeterministic value (0 when the input ran out). */
uint64_t mhse_vm__nondet(struct mhse_vm *vm);
/* For helpers: len bytes of kernel memory at addr (an address of no
 * region), as the test gives them, zero where it gives none. */
void mhse_vm__kernel_read(const struct mhse_vm *vm, uint64_t addr, uint8_t *out, uint32_t len);
/* For helpers: records an error that stops the run. Returns -1. */
__attribute__((format(printf, 3, 4))) int mhse_vm__fail(struct mhse_vm *vm, enum vm_status status, const char *fmt, ...);
/* For helpers: host pointer of len bytes at a program address, or NULL after recording VM_ERR_MEM. */
uint8_t *mhse_vm__mem(struct mhse_vm *vm, uint64_t addr, uint32_t len, bool write);

#endif
