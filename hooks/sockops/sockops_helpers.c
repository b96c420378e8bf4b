// SPDX-License-Identifier: MIT
/*
 * sock_ops's own helpers and context quirks, with the kernel's rules
 * (net/core/filter.c, net/core/sock_map.c) decided here once for the
 * interpreter and the engine (sockops.h says how). What the kernel's socket
 * decides is a recorded input: setsockopt's result, getsockopt's value, the
 * header options a segment carries, whether a socket map takes the socket.
 * sock_ops_cb_flags_set changes what the context's bpf_sock_ops_cb_flags
 * reads afterwards, as the kernel's does. Without a full socket the kernel
 * reads the tcp_sock fields of the context as 0, and the helpers that need
 * one fail.
 */
#include <errno.h>
#include <string.h>
#include "helpers.h"
#include "sockops.h"
#include "vm_internal.h"

#define SOL_IP 0
#define SOL_SOCKET 1
#define SOL_TCP 6
#define SOL_IPV6 41
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_EXP 254
#define TCPOPT_EXP_OTHER 253 /* the second experimental kind (RFC 6994) */
#define TCP_CA_NAME_MAX 16

const char *const sockops_fullsock_fields[] = {
	"snd_cwnd",       "srtt_us",       "bpf_sock_ops_cb_flags", "rtt_min",      "snd_ssthresh",
	"rcv_nxt",        "snd_nxt",       "snd_una",               "mss_cache",    "ecn_flags",
	"rate_delivered", "rate_interval_us", "packets_out",        "retrans_out",  "total_retrans",
	"segs_in",        "data_segs_in",  "segs_out",              "data_segs_out", "lost_out",
	"sacked_out",     "sk_txhash",     "bytes_received",        "bytes_acked",
};
const size_t sockops_fullsock_field_cnt = sizeof(sockops_fullsock_fields) / sizeof(sockops_fullsock_fields[0]);

/* ---- the kernel's rules ---- */

static void outcomes_add(struct sockops_outcomes *o, int64_t code)
{
	o->codes[o->code_cnt++] = code;
}

static void outcomes_init(struct sockops_outcomes *o)
{
	*o = (struct sockops_outcomes){ .lo = 1, .hi = 0 };
}

int64_t sockops_pick(const struct sockops_outcomes *o, uint64_t recorded)
{
	int64_t v = (int64_t)recorded;

	for (size_t i = 0; i < o->code_cnt; i++)
		if (o->codes[i] == v)
			return v;
	if (o->lo <= v && v <= o->hi)
		return v;
	return o->code_cnt ? o->codes[0] : o->lo;
}

struct getsockopt_rule sockops_getsockopt_rule(int32_t level, int32_t optname, uint32_t optlen)
{
	struct getsockopt_rule refused = { GETSOCKOPT_REFUSED, FAMILY_ANY };
	struct getsockopt_rule rule = { GETSOCKOPT_INT, FAMILY_ANY };

	switch (level) {
	case SOL_SOCKET:
		switch (optname) {
		case 2: case 7: case 8: case 9: case 12: case 15: case 18: case 36: case 47: case 62: case 74:
			/* SO_REUSEADDR, SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, SO_PRIORITY, SO_REUSEPORT,
			 * SO_RCVLOWAT, SO_MARK, SO_MAX_PACING_RATE, SO_BINDTOIFINDEX, SO_TXREHASH */
			return optlen == 4 ? rule : refused;
		default:
			return refused; /* SO_BINDTODEVICE may only be set */
		}
	case SOL_TCP:
		switch (optname) {
		case 1: case 2: case 4: case 5: case 6: case 7: case 10: case 16: case 18: case 25: case 27:
			/* TCP_NODELAY, TCP_MAXSEG, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_SYNCNT,
			 * TCP_WINDOW_CLAMP, TCP_THIN_LINEAR_TIMEOUTS, TCP_USER_TIMEOUT,
			 * TCP_NOTSENT_LOWAT, TCP_SAVE_SYN */
			return optlen == 4 ? rule : refused;
		case 13: /* TCP_CONGESTION */
			rule.kind = GETSOCKOPT_CONGESTION;
			return optlen >= 2 ? rule : refused;
		case 28: /* TCP_SAVED_SYN */
			rule.kind = GETSOCKOPT_SAVED_SYN;
			return optlen >= 1 ? rule : refused;
		case TCP_BPF_SYN: case TCP_BPF_SYN_IP: case TCP_BPF_SYN_MAC:
			rule.kind = GETSOCKOPT_SYN_HEADERS;
			return rule;
		default:
			return refused;
		}
	case SOL_IP:
		rule.family = FAMILY_INET;
		return optname == 1 /* IP_TOS */ && optlen == 4 ? rule : refused;
	case SOL_IPV6:
		rule.family = FAMILY_INET6;
		/* IPV6_TCLASS, IPV6_AUTOFLOWLABEL */
		return (optname == 67 || optname == 70) && optlen == 4 ? rule : refused;
	default:
		return refused;
	}
}

void sockops_getsockopt_outcomes(int32_t optname, const struct getsockopt_rule *rule, uint32_t optlen,
				 bool v6_maybe_only, struct sockops_outcomes *o)
{
	/* a SYN's TCP header is 20 to 60 bytes; with the IP header, 40 or more */
	int64_t syn_min = optname == TCP_BPF_SYN ? TCP_HEADER_MIN : 2 * TCP_HEADER_MIN;
	int64_t syn_max = optname == TCP_BPF_SYN ? TCP_HEADER_MIN + TCP_OPTION_SPACE : INT32_MAX;

	outcomes_init(o);
	switch (rule->kind) {
	case GETSOCKOPT_REFUSED:
		outcomes_add(o, -EINVAL);
		break;
	case GETSOCKOPT_INT:
		outcomes_add(o, 0);
		if (v6_maybe_only)
			outcomes_add(o, -EINVAL);
		break;
	case GETSOCKOPT_CONGESTION:
		outcomes_add(o, 0);
		break;
	case GETSOCKOPT_SAVED_SYN:
		/* no SYN saved, or shorter than optlen */
		outcomes_add(o, 0);
		outcomes_add(o, -EINVAL);
		break;
	case GETSOCKOPT_SYN_HEADERS:
		outcomes_add(o, -ENOENT);
		if ((int64_t)optlen < syn_max)
			outcomes_add(o, -ENOSPC);
		o->lo = syn_min;
		o->hi = syn_max < (int64_t)optlen ? syn_max : (int64_t)optlen;
		break;
	}
}

uint32_t sockops_getsockopt_max_copied(const struct getsockopt_rule *rule, uint32_t optlen)
{
	return sockops_getsockopt_copied(rule, optlen, rule->kind == GETSOCKOPT_SYN_HEADERS ? -ENOSPC : 0);
}

uint32_t sockops_getsockopt_copied(const struct getsockopt_rule *rule, uint32_t optlen, int64_t result)
{
	if (rule->kind == GETSOCKOPT_SYN_HEADERS)
		return result > 0 ? (uint32_t)result : result == -ENOSPC ? optlen : 0;
	if (result)
		return 0;
	switch (rule->kind) {
	case GETSOCKOPT_INT:
		return 4;
	case GETSOCKOPT_CONGESTION:
		/* the last byte is the string's end */
		return optlen - 1 < TCP_CA_NAME_MAX ? optlen - 1 : TCP_CA_NAME_MAX;
	case GETSOCKOPT_SAVED_SYN:
		return optlen;
	default:
		return 0;
	}
}

int sockops_hdr_search(uint8_t kind, uint8_t kind_len, uint32_t len, uint32_t *magic_len)
{
	if (kind_len > len || kind == TCPOPT_NOP || kind == TCPOPT_EOL)
		return -EINVAL;
	if (kind == TCPOPT_EXP || kind == TCPOPT_EXP_OTHER) {
		/* a 16- or 32-bit magic after kind and length */
		if (kind_len != 4 && kind_len != 6)
			return -EINVAL;
		*magic_len = kind_len - 2u;
		return 0;
	}
	if (kind_len)
		return -EINVAL;
	*magic_len = 0;
	return 0;
}

void sockops_load_hdr_outcomes(uint32_t len, uint32_t magic_len, bool load_syn, struct sockops_outcomes *o)
{
	outcomes_init(o);
	outcomes_add(o, -ENOMSG); /* not found, or the options end first */
	outcomes_add(o, -EFAULT); /* a malformed option on the way */
	if (load_syn)
		outcomes_add(o, -ENOENT); /* no SYN saved */
	if (len < TCP_OPTION_SPACE)
		outcomes_add(o, -ENOSPC); /* found, longer than the buffer */
	o->lo = 2 + magic_len;
	o->hi = len < TCP_OPTION_SPACE ? len : TCP_OPTION_SPACE;
}

uint32_t sockops_load_hdr_body_len(uint32_t len, uint32_t magic_len)
{
	return (len < TCP_OPTION_SPACE ? len : TCP_OPTION_SPACE) - 2 - magic_len;
}

void sockops_long_option_outcomes(uint32_t len, struct sockops_outcomes *o)
{
	outcomes_init(o);
	outcomes_add(o, TCP_OPTION_SPACE);
	o->lo = len + 1;
	o->hi = TCP_OPTION_SPACE;
}

int sockops_store_hdr_check(uint8_t kind, uint8_t kind_len, uint32_t len)
{
	return kind_len > len || kind == TCPOPT_NOP || kind == TCPOPT_EOL ? -EINVAL : 0;
}

void sockops_store_hdr_outcomes(uint8_t kind, uint8_t kind_len, struct sockops_outcomes *o)
{
	outcomes_init(o);
	/* the room left is checked first: it is never more than the option space */
	outcomes_add(o, -ENOSPC);
	if (kind_len > TCP_OPTION_SPACE)
		return;
	if ((kind == TCPOPT_EXP || kind == TCPOPT_EXP_OTHER) && kind_len < 4) {
		outcomes_add(o, -EINVAL);
		return;
	}
	outcomes_add(o, 0);
	outcomes_add(o, -EEXIST); /* the header has it already */
	outcomes_add(o, -EFAULT); /* a malformed option in the header */
}

void sockops_reserve_hdr_outcomes(uint32_t len, struct sockops_outcomes *o)
{
	outcomes_init(o);
	outcomes_add(o, -ENOSPC);
	if (len <= TCP_OPTION_SPACE)
		outcomes_add(o, 0);
}

bool sockops_op_may_update_map(uint32_t op)
{
	return op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB || op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ||
	       op == BPF_SOCK_OPS_TCP_LISTEN_CB;
}

void sockops_sock_map_outcomes(uint32_t map_type, uint64_t flags, struct sockops_outcomes *o)
{
	outcomes_init(o);
	outcomes_add(o, 0);
	/* sock_map_link: the socket cannot take a psock (a ULP, user data) or memory ran out */
	outcomes_add(o, -ENOMEM);
	outcomes_add(o, -EBUSY);
	if (flags == BPF_NOEXIST)
		outcomes_add(o, -EEXIST);
	else if (flags == BPF_EXIST)
		outcomes_add(o, -ENOENT);
	if (map_type == BPF_MAP_TYPE_SOCKHASH && flags != BPF_EXIST)
		outcomes_add(o, -E2BIG); /* full */
}

/* ---- the interpreter's helpers ---- */

static uint32_t ctx_u32(struct mhse_vm *vm, const char *field)
{
	const uint8_t *p = vm_ctx_field(vm, field);

	return p ? (uint32_t)mem_load_le(p, 4) : 0;
}

static void set_result(uint64_t *regs, int64_t v)
{
	regs[0] = (uint64_t)v;
}

/* Fills len bytes from recorded values, eight to a value. */
static void recorded_bytes(struct mhse_vm *vm, uint8_t *out, uint32_t len)
{
	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t v = mhse_vm__nondet(vm);

		for (uint32_t b = 0; b < 8 && i + b < len; b++)
			out[i + b] = (uint8_t)(v >> (8 * b));
	}
}

static int sockops_setsockopt(struct mhse_vm *vm, uint64_t *regs)
{
	if (!mhse_vm__mem(vm, regs[4], (uint32_t)regs[5], false))
		return -1;
	regs[0] = mhse_vm__nondet(vm);
	return 0;
}

/* A call whose arguments pass the checks that need no socket consumes its
 * recorded values first, whatever the context then decides (the engine
 * records them before it knows). */
static int sockops_getsockopt(struct mhse_vm *vm, uint64_t *regs)
{
	int32_t level = (int32_t)regs[2], optname = (int32_t)regs[3];
	uint32_t optlen = (uint32_t)regs[5], family = ctx_u32(vm, "family");
	struct getsockopt_rule rule = sockops_getsockopt_rule(level, optname, optlen);
	uint8_t *optval = mhse_vm__mem(vm, regs[4], optlen, true);
	struct sockops_outcomes o;
	uint64_t recorded;
	uint32_t copied;
	int64_t result;

	if (!optval)
		return -1;
	if (!optlen)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "getsockopt with length 0 (the verifier wants a positive size)");
	if (rule.kind == GETSOCKOPT_REFUSED) {
		memset(optval, 0, optlen);
		set_result(regs, -EINVAL);
		return 0;
	}
	recorded = mhse_vm__nondet(vm);
	recorded_bytes(vm, optval, sockops_getsockopt_max_copied(&rule, optlen));
	sockops_getsockopt_outcomes(optname, &rule, optlen, rule.family == FAMILY_INET && family == AF_INET6, &o);
	if ((rule.kind != GETSOCKOPT_SYN_HEADERS && !ctx_u32(vm, "is_fullsock")) ||
	    (rule.family == FAMILY_INET && family != AF_INET && family != AF_INET6) ||
	    (rule.family == FAMILY_INET6 && family != AF_INET6))
		result = -EINVAL;
	else
		result = sockops_pick(&o, recorded);
	copied = sockops_getsockopt_copied(&rule, optlen, result);
	memset(optval + copied, 0, optlen - copied);
	set_result(regs, result);
	return 0;
}

static int sockops_cb_flags_set(struct mhse_vm *vm, uint64_t *regs)
{
	uint8_t *flags = vm_ctx_field(vm, "bpf_sock_ops_cb_flags");
	int32_t argval = (int32_t)regs[2];

	if (!flags || !ctx_u32(vm, "is_fullsock")) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	mem_store_le(flags, 4, (uint32_t)(argval & BPF_SOCK_OPS_ALL_CB_FLAGS));
	regs[0] = (uint64_t)(int64_t)(argval & ~BPF_SOCK_OPS_ALL_CB_FLAGS);
	return 0;
}

static int sockops_load_hdr_opt(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t len = (uint32_t)regs[3], magic_len, op = ctx_u32(vm, "op");
	bool load_syn = regs[4] & BPF_LOAD_HDR_OPT_TCP_SYN;
	uint8_t *buf = mhse_vm__mem(vm, regs[2], len, true), body[TCP_OPTION_SPACE];
	struct sockops_outcomes o;
	uint64_t recorded, recorded_len;
	int64_t result;

	if (!buf)
		return -1;
	if (len < 2 || (regs[4] & ~(uint64_t)BPF_LOAD_HDR_OPT_TCP_SYN) ||
	    sockops_hdr_search(buf[0], buf[1], len, &magic_len)) {
		set_result(regs, -EINVAL);
		return 0;
	}
	recorded = mhse_vm__nondet(vm);
	recorded_len = mhse_vm__nondet(vm);
	recorded_bytes(vm, body, sockops_load_hdr_body_len(len, magic_len));
	/* without the saved SYN, only a callback with a segment may search it */
	if (!load_syn && (!ctx_u32(vm, "skb_len") || op == BPF_SOCK_OPS_HDR_OPT_LEN_CB)) {
		set_result(regs, -EPERM);
		return 0;
	}
	sockops_load_hdr_outcomes(len, magic_len, load_syn, &o);
	result = sockops_pick(&o, recorded);
	if (result > 0 || result == -ENOSPC) {
		uint32_t copied = result > 0 ? (uint32_t)result : len;

		sockops_long_option_outcomes(len, &o);
		buf[1] = (uint8_t)(result > 0 ? result : sockops_pick(&o, recorded_len));
		memcpy(buf + 2 + magic_len, body, copied - 2 - magic_len);
	}
	set_result(regs, result);
	return 0;
}

static int sockops_store_hdr_opt(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t len = (uint32_t)regs[3];
	const uint8_t *from = mhse_vm__mem(vm, regs[2], len, false);
	struct sockops_outcomes o;
	int64_t result;

	if (!from)
		return -1;
	if (len < 2 || regs[4] || sockops_store_hdr_check(from[0], from[1], len)) {
		result = -EINVAL;
	} else {
		sockops_store_hdr_outcomes(from[0], from[1], &o);
		result = sockops_pick(&o, mhse_vm__nondet(vm));
	}
	set_result(regs, ctx_u32(vm, "op") == BPF_SOCK_OPS_WRITE_HDR_OPT_CB ? result : -EPERM);
	return 0;
}

static int sockops_reserve_hdr_opt(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t len = (uint32_t)regs[2];
	struct sockops_outcomes o;
	int64_t result;

	if (regs[3] || len < 2) {
		result = -EINVAL;
	} else {
		sockops_reserve_hdr_outcomes(len, &o);
		result = sockops_pick(&o, mhse_vm__nondet(vm));
	}
	set_result(regs, ctx_u32(vm, "op") == BPF_SOCK_OPS_HDR_OPT_LEN_CB ? result : -EPERM);
	return 0;
}

/* The socket itself is not stored: what a map holds is no input a test can give. */
static int sock_map_update(struct mhse_vm *vm, uint64_t *regs, uint32_t map_type)
{
	struct map_state *ms = vm_map(vm, regs[2]);
	const uint8_t *key;
	struct sockops_outcomes o;
	int64_t result;

	if (!ms)
		return -1;
	if (ms->def->type != map_type)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "%s_update on %s map %s", mhse_map_type__name(map_type),
				     mhse_map_type__name(ms->def->type), ms->def->name);
	key = mhse_vm__mem(vm, regs[3], ms->def->key_size, false);
	if (!key)
		return -1;
	if (regs[4] > BPF_EXIST) {
		result = -EINVAL;
	} else {
		sockops_sock_map_outcomes(map_type, regs[4], &o);
		result = sockops_pick(&o, mhse_vm__nondet(vm));
		if (map_type == BPF_MAP_TYPE_SOCKMAP && mem_load_le(key, 4) >= ms->def->max_entries)
			result = -E2BIG;
	}
	set_result(regs, sockops_op_may_update_map(ctx_u32(vm, "op")) ? result : -EOPNOTSUPP);
	return 0;
}

static int sockops_sock_map_update(struct mhse_vm *vm, uint64_t *regs)
{
	return sock_map_update(vm, regs, BPF_MAP_TYPE_SOCKMAP);
}

static int sockops_sock_hash_update(struct mhse_vm *vm, uint64_t *regs)
{
	return sock_map_update(vm, regs, BPF_MAP_TYPE_SOCKHASH);
}

/* The kernel reads the tcp_sock fields as 0 without a full socket, and a
 * segment's length and flags as 0 without a segment. */
static void sockops_prepare_ctx(struct mhse_vm *vm)
{
	const struct ctx_field *f;
	uint8_t *flags;

	if (!ctx_u32(vm, "is_fullsock"))
		for (size_t i = 0; i < sockops_fullsock_field_cnt; i++)
			if ((f = mhse_hook__field(vm->hook, sockops_fullsock_fields[i])))
				memset(vm_ctx_field(vm, f->name), 0, f->size);
	if (!ctx_u32(vm, "skb_len") && (flags = vm_ctx_field(vm, "skb_tcp_flags")))
		memset(flags, 0, 4);
}

#define HELPER(name, contexts, concrete, symbolic) { BPF_FUNC_##name, contexts, concrete },
static const struct helper_impl sockops_helpers[] = {
#include "sockops_helper_list.h"
};
#undef HELPER

const struct helper_module helpers_sockops = { "sockops", sockops_helpers,
					       sizeof(sockops_helpers) / sizeof(sockops_helpers[0]),
					       sockops_prepare_ctx };
