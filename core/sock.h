/* SPDX-License-Identifier: MIT */
/*
 * Sockets as the kernel hands them to programs: read-only kernel objects
 * seen through the types the verifier gives them (struct bpf_sock_common,
 * struct bpf_sock, struct bpf_tcp_sock), shared by every hook that meets
 * them (tc, cgroup skb, sock_ops), in the interpreter (sock.c) and the
 * engine (sock_sym.c) alike.
 *
 * A socket is three regions made at once, one per view, in this order: the
 * sock_common view and the full-socket view hold the same struct bpf_sock
 * bytes (the first view may read fewer of them), the tcp_sock view holds
 * struct bpf_tcp_sock's. Casts between views of one socket are then region
 * arithmetic, and a socket reads the same through any of them. Every byte
 * is an input of the test: the 24 values of a socket (struct bpf_sock, then
 * struct bpf_tcp_sock, eight bytes to a value) are recorded nondeterministic
 * values, taken when the socket comes into being, so that the interpreter
 * rebuilds the same socket. The engine ties the values together where the
 * kernel does (sock_sym.c).
 *
 * A region's owner says it is a socket view, which one, and whether the
 * program holds a reference it must release (lookups): values below
 * SOCK_OWNER_BASE, which no map, frame or ring buffer uses.
 *
 * A lookup in a sockmap or sockhash finds a socket of the map the same
 * way, found or not a recorded value: the map's contents are sockets, not
 * data a test lists. Each lookup is on its own (two lookups of one key may
 * find two sockets).
 *
 * The context's socket (the `sk` pointer field of struct __sk_buff and
 * struct bpf_sock_ops) is made with the input, before the program runs,
 * when any program of the object may load that field (a doubleword load at
 * its offset): the first nondeterministic values of every test, attributed
 * to no helper (SOCK_CTX_HELPER), say whether the context has a socket and
 * then what it holds; the context field holds the socket's address, or
 * NULL. The engine decides whether there is one when a path first loads it.
 * Over-approximated: a test whose path never loads it carries the values
 * too, and the kernel cannot replay it.
 */
#ifndef MHSE_SOCK_H
#define MHSE_SOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "hook.h"
#include "mem.h"

enum sock_view {
	SOCK_VIEW_COMMON, /* PTR_TO_SOCK_COMMON: struct bpf_sock without type..priority */
	SOCK_VIEW_FULL,   /* PTR_TO_SOCKET: struct bpf_sock */
	SOCK_VIEW_TCP,    /* PTR_TO_TCP_SOCK: struct bpf_tcp_sock */
	SOCK_VIEW_CNT,
};

#define SOCK_SIZE 80      /* sizeof(struct bpf_sock) */
#define TCP_SOCK_SIZE 112 /* sizeof(struct bpf_tcp_sock) */
#define SOCK_VALUES ((SOCK_SIZE + TCP_SOCK_SIZE) / 8)

#define SOCK_OWNER_BASE (-16)
/* The nondeterministic values of the context's socket belong to no helper. */
#define SOCK_CTX_HELPER (-1)

/* Socket states (include/net/tcp_states.h), as struct bpf_sock reads them. */
enum {
	SOCK_STATE_ESTABLISHED = 1,
	SOCK_STATE_TIME_WAIT = 6,
	SOCK_STATE_CLOSE = 7,
	SOCK_STATE_LISTEN = 10,
	SOCK_STATE_NEW_SYN_RECV = 12,
};

static inline int32_t sock_owner(enum sock_view view, bool referenced)
{
	return SOCK_OWNER_BASE - (int32_t)view - (referenced ? SOCK_VIEW_CNT : 0);
}

/* The view a region of that kind and owner is, or -1 when it is no socket. */
static inline int sock_region_view(uint8_t kind, int32_t owner)
{
	if (kind != MEM_HELPER || owner > SOCK_OWNER_BASE || owner <= SOCK_OWNER_BASE - 2 * SOCK_VIEW_CNT)
		return -1;
	return (SOCK_OWNER_BASE - owner) % SOCK_VIEW_CNT;
}

static inline bool sock_region_referenced(int32_t owner)
{
	return SOCK_OWNER_BASE - owner >= SOCK_VIEW_CNT;
}

static inline uint32_t sock_view_size(enum sock_view view)
{
	return view == SOCK_VIEW_TCP ? TCP_SOCK_SIZE : SOCK_SIZE;
}

/* "struct bpf_sock" and the like, for messages. */
const char *sock_view_name(enum sock_view view);
/* Whether the verifier lets a program load size bytes at off of a view
 * (bpf_sock_common_is_valid_access, bpf_sock_is_valid_access,
 * bpf_tcp_sock_is_valid_access). */
bool sock_access_ok(enum sock_view view, uint32_t off, uint32_t size);

/* Whether f is the context's socket pointer, and the view the verifier
 * gives it: a full socket where the context says whether it has one (struct
 * bpf_sock_ops's is_fullsock, the kernel's SOCK_OPS_GET_SK) or where the
 * field is never NULL (`nonnull`: struct bpf_sock_addr's, struct
 * sk_msg_md's, PTR_TO_SOCKET), else a sock_common (struct __sk_buff's). */
bool sock_ctx_field(const struct ctx_field *f);
enum sock_view sock_ctx_view(const struct mhse_hook *hook);
struct mhse_object;
/* The context's socket field when the hook has one and a program of obj
 * may load it, else NULL. */
const struct ctx_field *sock_ctx_socket(const struct mhse_object *obj, const struct mhse_hook *hook);

/* Whether a nondeterministic value of that helper describes a socket, which
 * the kernel's test run cannot supply (the context's, or a lookup's). */
bool sock_nondet_is_socket(int32_t helper);

/* Tuple lengths of struct bpf_sock_tuple (IPv4, IPv6) and the lookup flags
 * and netns ids the kernel accepts (__bpf_skc_lookup). */
#define SOCK_TUPLE4_LEN 12
#define SOCK_TUPLE6_LEN 36
static inline bool sock_netns_ok(uint64_t netns_id)
{
	return (int32_t)netns_id < 0 || netns_id <= INT32_MAX;
}

/* bpf_sk_assign's results at tc ingress once the flags are 0 (the test
 * run's skb is never at ingress: -EOPNOTSUPP), in the order a recorded
 * value picks them. */
extern const int64_t sock_assign_codes[];
extern const unsigned sock_assign_code_cnt;

struct mhse_vm;
/* The interpreter's context socket, from the test (see above); -ENOMEM. */
int sock_vm_prepare_ctx(struct mhse_vm *vm);
/* A lookup in a sockmap or sockhash: r0 the socket the recorded values
 * describe (the program must release it), or NULL. 0, or -1 after
 * recording the error. */
int sock_vm_map_lookup(struct mhse_vm *vm, uint64_t *regs);
/* A load of size bytes at addr (a valid address of region): -1 after
 * recording the error when the region is a socket view the verifier does
 * not let the program read there, else 0. */
int sock_vm_check_load(struct mhse_vm *vm, uint64_t addr, uint32_t region, uint32_t size);

#endif
