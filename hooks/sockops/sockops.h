/* SPDX-License-Identifier: MIT */
/*
 * What sock_ops's concrete helpers (sockops_helpers.c) and their symbolic
 * models (sockops_sym.c) share: the kernel's rules, decided once.
 *
 * A sock_ops program runs on a socket the test cannot describe: its options,
 * the TCP header options of the segment in flight, the room left for new
 * ones, what a socket map already holds. Where the kernel's answer depends on
 * such state, the helper's result is a recorded nondeterministic value: a
 * set of outcomes lists the codes the kernel can return for the arguments
 * given, and the recorded value picks one (a value that is none of them picks
 * the first), so that a test replays the same way in the interpreter and the
 * engine. Bytes the socket writes into the program's memory are recorded the
 * same way, eight to a value.
 */
#ifndef MHSE_SOCKOPS_H
#define MHSE_SOCKOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AF_INET 2
#define AF_INET6 10

/* The room for options in a TCP header (MAX_TCP_OPTION_SPACE): no option is longer. */
#define TCP_OPTION_SPACE 40
#define TCP_HEADER_MIN 20

/* Context fields the kernel reads from the tcp_sock only for a full socket
 * (sock_ops_convert_ctx_access's SOCK_OPS_GET_FIELD): 0 otherwise. */
extern const char *const sockops_fullsock_fields[];
extern const size_t sockops_fullsock_field_cnt;

/* The codes a helper may return, and a range [lo, hi] of successful lengths
 * when lo <= hi. */
struct sockops_outcomes {
	int64_t codes[5];
	size_t code_cnt;
	int64_t lo, hi;
};

/* The outcome a recorded value picks. */
int64_t sockops_pick(const struct sockops_outcomes *o, uint64_t recorded);

/* bpf_getsockopt in sock_ops (net/core/filter.c bpf_sock_ops_getsockopt):
 * what the level, option and length decide before the socket has a say. */
enum getsockopt_kind {
	GETSOCKOPT_REFUSED,       /* -EINVAL whatever the socket */
	GETSOCKOPT_INT,           /* a full socket's int: 0 and four bytes */
	GETSOCKOPT_CONGESTION,    /* a full socket's congestion control name */
	GETSOCKOPT_SAVED_SYN,     /* a full socket's saved SYN: optlen bytes, or -EINVAL */
	GETSOCKOPT_SYN_HEADERS,   /* TCP_BPF_SYN*: the SYN's headers, any socket */
};

/* Which address families a getsockopt level needs of the socket. */
enum getsockopt_family {
	FAMILY_ANY,
	FAMILY_INET,   /* AF_INET, or an AF_INET6 socket that is not v6-only (a recorded outcome) */
	FAMILY_INET6,  /* AF_INET6 only */
};

struct getsockopt_rule {
	enum getsockopt_kind kind;
	enum getsockopt_family family;
};

struct getsockopt_rule sockops_getsockopt_rule(int32_t level, int32_t optname, uint32_t optlen);
/* The results a call of that rule may give once the socket is full and of
 * the right family (v6_maybe_only: an AF_INET6 socket asked at SOL_IP). */
void sockops_getsockopt_outcomes(int32_t optname, const struct getsockopt_rule *rule, uint32_t optlen,
				 bool v6_maybe_only, struct sockops_outcomes *o);
/* How many bytes of optval a result fills (the rest is zeroed), and the
 * most any result fills: the recorded bytes a call consumes. */
uint32_t sockops_getsockopt_copied(const struct getsockopt_rule *rule, uint32_t optlen, int64_t result);
uint32_t sockops_getsockopt_max_copied(const struct getsockopt_rule *rule, uint32_t optlen);

/* bpf_load_hdr_opt: the search option (kind, length) the program passes,
 * checked as the kernel does. Returns 0 and the magic's length, or -EINVAL. */
int sockops_hdr_search(uint8_t kind, uint8_t kind_len, uint32_t len, uint32_t *magic_len);
/* The results of a search that got as far as the header (load_syn: the saved SYN's). */
void sockops_load_hdr_outcomes(uint32_t len, uint32_t magic_len, bool load_syn, struct sockops_outcomes *o);
/* The recorded bytes of the option after kind, length and magic. */
uint32_t sockops_load_hdr_body_len(uint32_t len, uint32_t magic_len);
/* The length byte of an option too long for the buffer (-ENOSPC). */
void sockops_long_option_outcomes(uint32_t len, struct sockops_outcomes *o);
/* bpf_store_hdr_opt: the option to write, checked as the kernel does
 * before it looks at the header (0 or -EINVAL); then its results. */
int sockops_store_hdr_check(uint8_t kind, uint8_t kind_len, uint32_t len);
void sockops_store_hdr_outcomes(uint8_t kind, uint8_t kind_len, struct sockops_outcomes *o);
/* bpf_reserve_hdr_opt's results for a valid length. */
void sockops_reserve_hdr_outcomes(uint32_t len, struct sockops_outcomes *o);

/* bpf_sock_map_update and bpf_sock_hash_update: the ops that may add their
 * socket to a map (sock_map_op_okay), and the results of an update whose
 * flags and key the map accepts. */
bool sockops_op_may_update_map(uint32_t op);
void sockops_sock_map_outcomes(uint32_t map_type, uint64_t flags, struct sockops_outcomes *o);

#endif
