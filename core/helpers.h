/* SPDX-License-Identifier: MIT */
/*
 * Helper functions, by table.
 *
 * Which program may call which helper is the kernel's to say: its
 * *_func_proto functions answer per program type, and for a few types per
 * expected attach type (sock_addr's bind, cgroup sockopt, tracing's
 * trampolines). core/helper_table.c holds that answer for Linux 6.1 as one
 * row per helper with the set of program contexts (enum helper_ctx) that
 * may call it; tests/unit/helper_table_test.c holds the rows to the list
 * tests/helpers/func_protos.py reads out of the kernel's sources.
 *
 * What mhse models is one row per helper and module: the helper's id, the
 * contexts where the model is the kernel's (HC_ALL: wherever the kernel
 * allows it), its concrete half (this layer) and its symbolic half (the
 * engine's), both made from the module's one list, an X-macro file:
 * core/core_helper_list.h, core/sock_helper_list.h, hooks/<name>/<name>_helper_list.h
 * with rows HELPER(name, contexts, concrete fn, symbolic fn). Its concrete
 * file expands the rows into its struct helper_impl table, its symbolic file
 * into the same rows' symbolic functions, in the same order, so that a row
 * is one entry with both halves and the interpreter links without the engine.
 *
 * A call resolves, for the calling program's context, to a modelled row; to
 * unsupported (the kernel allows it, mhse does not model it there, and the
 * path ends naming it); or to an error (the verifier would reject the
 * program: the kernel does not allow the helper for that program type).
 */
#ifndef MHSE_HELPERS_H
#define MHSE_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's own "operation not supported" (helpers return it; the uapi
 * errno.h does not have it). */
#define ENOTSUPP 524

struct mhse_vm;

/* bpf_loop's limit on nr_loops (the kernel's BPF_MAX_LOOPS). */
#define BPF_MAX_LOOPS (1u << 23)

/* Runs the helper on regs[1..5] and sets regs[0]. Returns 0; 1 when it
 * moved the program counter instead (bpf_loop entered its callback); or -1
 * after recording why the run stops with mhse_vm__fail. */
typedef int (*helper_fn)(struct mhse_vm *vm, uint64_t *regs);

/* The program contexts the kernel's func_protos tell apart: a program type,
 * refined by attach type where a func_proto looks at it. */
enum helper_ctx {
	HC_SOCKET_FILTER,
	HC_KPROBE,
	HC_SCHED_CLS,
	HC_SCHED_ACT,
	HC_TRACEPOINT,
	HC_XDP,
	HC_PERF_EVENT,
	HC_CGROUP_SKB,
	HC_CGROUP_SOCK,
	HC_LWT_IN,
	HC_LWT_OUT,
	HC_LWT_XMIT,
	HC_SOCK_OPS,
	HC_SK_SKB,
	HC_CGROUP_DEVICE,
	HC_SK_MSG,
	HC_RAW_TRACEPOINT,
	HC_CGROUP_SOCK_ADDR_BIND,     /* BPF_CGROUP_INET{4,6}_BIND */
	HC_CGROUP_SOCK_ADDR_CONNECT,  /* BPF_CGROUP_INET{4,6}_CONNECT: bind allowed */
	HC_CGROUP_SOCK_ADDR_SENDMSG,  /* BPF_CGROUP_UDP{4,6}_SENDMSG */
	HC_CGROUP_SOCK_ADDR_RECVMSG,  /* BPF_CGROUP_UDP{4,6}_RECVMSG: no get/set_retval */
	HC_CGROUP_SOCK_ADDR_GETNAME,  /* BPF_CGROUP_INET{4,6}_GET{PEER,SOCK}NAME: no get/set_retval */
	HC_LWT_SEG6LOCAL,
	HC_SK_REUSEPORT,
	HC_FLOW_DISSECTOR,
	HC_CGROUP_SYSCTL,
	HC_RAW_TRACEPOINT_WRITABLE,
	HC_CGROUP_SOCKOPT_GET,
	HC_CGROUP_SOCKOPT_SET,        /* setsockopt and getsockopt allowed */
	HC_TRACING_FENTRY,            /* fentry, fexit, fmod_ret: a trampoline */
	HC_TRACING_TP_BTF,
	HC_TRACING_ITER,
	HC_LSM,
	HC_SK_LOOKUP,
	HC_SYSCALL,
	HC_CNT,
};

#define HC(ctx) (UINT64_C(1) << HC_##ctx)
#define HC_ALL ((UINT64_C(1) << HC_CNT) - 1)
#define HC_TC (HC(SCHED_CLS) | HC(SCHED_ACT))

/* A modelled helper: one row of a module's list. */
struct helper_impl {
	int32_t id;
	uint64_t contexts; /* where the model holds, within what the kernel allows */
	helper_fn run;
};

struct helper_module {
	const char *name;                 /* "core", "xdp", "tc", ... as spec files name it */
	const struct helper_impl *helpers;
	size_t cnt;
	/* Derives context fields from the packet the way the kernel does when it
	 * builds the context (skb->protocol from the Ethernet header); optional. */
	void (*prepare_ctx)(struct mhse_vm *vm);
};

extern const struct helper_module helpers_core;
extern const struct helper_module helpers_xdp;
extern const struct helper_module helpers_tc;
extern const struct helper_module helpers_sockops;
extern const struct helper_module helpers_kprobe;
extern const struct helper_module helpers_sock;
extern const struct helper_module helpers_sockmap;
extern const struct helper_module helpers_sk_lookup;

/* Whether helper id may change the packet, so that the program's packet
 * pointers die with the call: the verifier's bpf_helper_changes_pkt_data
 * list, enforced by the interpreter and the engine before the helper runs. */
bool helper_changes_packet(int32_t id);

/* Whether helper id's one effect is its result, which a test records (a
 * clock, a random number, the CPU): the interpreter and the kernel referee
 * take it from the test instead of calling the helper. */
bool helper_returns_recorded(int32_t id);

/* The module of that name, or NULL. */
const struct helper_module *helper_module_find(const char *name);
/* Every module, for the symbolic half's join and the table's test. */
extern const struct helper_module *const helper_modules[];
extern const size_t helper_module_cnt;

/* The context of a program of that type and expected attach type, or -1
 * when mhse knows no helper set for it (unspec, struct_ops, ext). */
int helper_context(uint32_t prog_type, uint32_t attach_type);
const char *helper_context_name(int ctx);
/* The contexts the kernel lets call helper id (0 for an unknown id). */
uint64_t helper_kernel_contexts(int32_t id);

/* The one program type whose programs alone may call helper id (tc's
 * sched_cls for sched_cls and sched_act, whose func_proto is one), or
 * BPF_PROG_TYPE_UNSPEC: what a call of it says of an unplaced program. */
uint32_t helper_only_prog_type(int32_t id);

/* The row modelling id in ctx: 0 with *mod and *row set; -EOPNOTSUPP when
 * the kernel allows it there but mhse does not model it; -EACCES when the
 * kernel does not allow it (the verifier rejects the program). In no
 * context (ctx -1) any modelled row answers. */
int helper_resolve(int32_t id, int ctx, const struct helper_module **mod, size_t *row);

#endif
