// SPDX-License-Identifier: MIT
/*
 * The engine's sockets (sock.h has the model): socket helpers, the
 * context's socket, and the verifier's access rules on loads.
 *
 * Pointer or NULL is two paths, not a term: a lookup that may find a
 * socket forks one path where it does not (r0 is 0, whose dereference is
 * the engine's NULL error) and one where it does (r0 points at a new
 * socket); a cast forks on what the socket's fields decide (its state, its
 * protocol). A socket's values are fresh, recorded inputs, tied where the
 * kernel ties them: every socket is AF_INET or AF_INET6 in a TCP state,
 * the padding after dst_port reads 0, rx_queue_mapping is a queue or -1;
 * a lookup's socket has the lookup's protocol and, unless it is one that
 * waits for any peer (a TCP listener, an unconnected UDP socket, which a
 * netns's sk_lookup program may pick whatever the tuple), the tuple's
 * addresses and ports (the kernel's established-hash match), from the
 * other side; the context's socket is the one the context describes (its
 * family, state, addresses, ports, and for a tcp_sock the counters the
 * context shows too).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "mem.h"
#include "sock.h"
#include "sock_sym.h"

static int constrain(struct mhse_engine *e, struct state *s, Z3_ast c)
{
	return engine__constrain(e, s, engine__simplify(e, c));
}

/* size bytes at off of a region, as the program would load them. */
static Z3_ast bytes_at(struct mhse_engine *e, struct state *s, uint32_t region, uint32_t off, uint32_t size)
{
	return Z3_mk_extract(e->ctx.z, size * 8 - 1, 0,
			     sym_ast(&e->ctx, sregion__read(&e->ctx, s->regions[region], sval_conc(off), size)));
}

#define SOCK_FIELD(e, s, sk, name) \
	bytes_at(e, s, (sk) + SOCK_VIEW_FULL, offsetof(struct bpf_sock, name), 4)

static Z3_ast is_fullsock(struct mhse_engine *e, struct state *s, uint32_t sk)
{
	Z3_ast state = SOCK_FIELD(e, s, sk, state);

	return Z3_mk_not(e->ctx.z, term_or(e, term_eq(e, state, SOCK_STATE_TIME_WAIT), term_eq(e, state, SOCK_STATE_NEW_SYN_RECV)));
}

/* size fresh recorded bytes at the start of each region of regions[0..n). */
static int fresh_bytes(struct mhse_engine *e, struct state *s, int32_t helper, const int *regions, int n,
		       uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 8) {
		Z3_ast v = sym_ast(&e->ctx, engine__nondet(e, s, helper, 64));

		for (uint32_t b = 0; b < 8; b++)
			for (int r = 0; r < n; r++)
				if (sregion__set_byte(s->regions[regions[r]], i + b, Z3_mk_extract(e->ctx.z, 8 * b + 7, 8 * b, v)))
					return -ENOMEM;
	}
	return 0;
}

/* What every socket is (see the top). */
static Z3_ast well_formed(struct mhse_engine *e, struct state *s, uint32_t sk)
{
	Z3_context z = e->ctx.z;
	Z3_ast family = SOCK_FIELD(e, s, sk, family), state = SOCK_FIELD(e, s, sk, state);
	Z3_ast rx = SOCK_FIELD(e, s, sk, rx_queue_mapping);
	Z3_ast all[5] = {
		term_or(e, term_eq(e, family, AF_INET), term_eq(e, family, AF_INET6)),
		term_and(e, Z3_mk_bvuge(z, state, term_num(e, SOCK_STATE_ESTABLISHED, 32)),
		     Z3_mk_bvule(z, state, term_num(e, SOCK_STATE_NEW_SYN_RECV, 32))),
		term_eq(e, bytes_at(e, s, sk, offsetof(struct bpf_sock, dst_port) + 2, 2), 0),
		Z3_mk_bvule(z, SOCK_FIELD(e, s, sk, src_port), term_num(e, 0xffff, 32)),
		term_or(e, term_eq(e, rx, UINT32_MAX), Z3_mk_bvule(z, rx, term_num(e, 0xfffe, 32))),
	};

	return Z3_mk_and(z, 5, all);
}

/* A new socket from fresh recorded values (sock.h's order): its first
 * region, or -1 when memory ran out. */
static int new_socket(struct mhse_engine *e, struct state *s, bool referenced, int32_t helper)
{
	int ids[SOCK_VIEW_CNT];

	for (int v = 0; v < SOCK_VIEW_CNT; v++) {
		ids[v] = state__add_region(s, MEM_HELPER, sock_view_size(v), false, sock_owner(v, referenced));
		if (ids[v] < 0)
			return -1;
	}
	if (fresh_bytes(e, s, helper, (int[]){ ids[SOCK_VIEW_COMMON], ids[SOCK_VIEW_FULL] }, 2, SOCK_SIZE) ||
	    fresh_bytes(e, s, helper, &ids[SOCK_VIEW_TCP], 1, TCP_SOCK_SIZE))
		return -1;
	return constrain(e, s, well_formed(e, s, (uint32_t)ids[0])) ? -1 : ids[0];
}

static Z3_ast of_protocol(struct mhse_engine *e, struct state *s, uint32_t sk, int protocol)
{
	return term_and(e, term_eq(e, SOCK_FIELD(e, s, sk, protocol), (uint64_t)protocol),
		    term_eq(e, SOCK_FIELD(e, s, sk, type), protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM));
}

/* r0 = ptr where cond holds, NULL where it does not. */
static enum step pointer_if(struct mhse_engine *e, struct state *s, Z3_ast cond, uint64_t ptr)
{
	struct state *yes;

	switch (engine__split(e, s, cond, &yes)) {
	case -1:
		return STEP_DONE;
	case 1:
		s->regs[BPF_REG_0] = sval_conc(ptr);
		return STEP_CONTINUE;
	case 2:
		yes->regs[BPF_REG_0] = sval_conc(ptr);
		engine__finish_side(e, yes, STEP_CONTINUE);
		/* fall through */
	default:
		s->regs[BPF_REG_0] = sval_conc(0);
		return STEP_CONTINUE;
	}
}

/* The socket a helper argument points to (its first region), as sock.c's
 * socket_arg; -1 after ending s. */
static int socket_arg(struct mhse_engine *e, struct state *s, struct sval ptr, enum step *st)
{
	const char *name = helper_name(s->prog->insns[s->pc].imm);
	uint32_t id;
	int v;

	*st = STEP_DONE;
	if (sval_is_conc(ptr) && !ptr.c) {
		engine__end(e, s, PATH_ERROR, "%s of a socket that may be NULL", name);
		return -1;
	}
	id = sval_is_conc(ptr) ? mem_addr_region(ptr.c) : UINT32_MAX;
	if (id >= s->region_cnt || mem_addr_offset(ptr.c) ||
	    (v = sock_region_view(s->regions[id]->kind, s->regions[id]->owner)) < 0) {
		engine__end(e, s, PATH_ERROR, "%s of a value that is not a socket", name);
		return -1;
	}
	*st = STEP_CONTINUE;
	return (int)id - v;
}

/* ---- lookups ---- */

struct lookup {
	int protocol;           /* IPPROTO_TCP or IPPROTO_UDP */
	enum sock_view view;    /* what the helper returns */
	Z3_ast tuple;           /* struct bpf_sock_tuple, len * 8 bits */
	uint32_t len;
};

/* Tuple bytes [off, off + n) as loaded. */
static Z3_ast tuple_bytes(struct mhse_engine *e, const struct lookup *l, uint32_t off, uint32_t n)
{
	return Z3_mk_extract(e->ctx.z, 8 * (off + n) - 1, 8 * off, l->tuple);
}

/* The kernel's established-hash match: the socket's local side is the
 * tuple's destination, its peer the tuple's source. */
static Z3_ast tuple_match(struct mhse_engine *e, struct state *s, uint32_t sk, const struct lookup *l)
{
	Z3_context z = e->ctx.z;
	bool v4 = l->len == SOCK_TUPLE4_LEN;
	uint32_t addr = v4 ? 4 : 16, ports = 2 * addr;
	uint32_t src = v4 ? offsetof(struct bpf_sock, src_ip4) : offsetof(struct bpf_sock, src_ip6);
	uint32_t dst = v4 ? offsetof(struct bpf_sock, dst_ip4) : offsetof(struct bpf_sock, dst_ip6);
	Z3_ast all[4] = { Z3_mk_true(z), Z3_mk_true(z), NULL, NULL };

	for (uint32_t k = 0; k < addr; k += 4) {
		all[0] = term_and(e, all[0], Z3_mk_eq(z, bytes_at(e, s, sk + SOCK_VIEW_FULL, src + k, 4), tuple_bytes(e, l, addr + k, 4)));
		all[1] = term_and(e, all[1], Z3_mk_eq(z, bytes_at(e, s, sk + SOCK_VIEW_FULL, dst + k, 4), tuple_bytes(e, l, k, 4)));
	}
	all[2] = Z3_mk_eq(z, bytes_at(e, s, sk + SOCK_VIEW_FULL, offsetof(struct bpf_sock, dst_port), 2),
			  tuple_bytes(e, l, ports, 2));
	/* src_port is in host order, the tuple's dport in the network's */
	all[3] = Z3_mk_eq(z, SOCK_FIELD(e, s, sk, src_port),
			  Z3_mk_zero_ext(z, 16, Z3_mk_concat(z, tuple_bytes(e, l, ports + 2, 1), tuple_bytes(e, l, ports + 3, 1))));
	return Z3_mk_and(z, 4, all);
}

static enum step found(struct mhse_engine *e, struct state *s, const struct lookup *l)
{
	Z3_context z = e->ctx.z;
	int32_t helper = s->prog->insns[s->pc].imm;
	int sk = new_socket(e, s, true, helper);
	Z3_ast state, states, waiting;

	if (sk < 0)
		return STEP_FAILED;
	state = SOCK_FIELD(e, s, (uint32_t)sk, state);
	if (l->protocol == IPPROTO_UDP) {
		states = term_or(e, term_eq(e, state, SOCK_STATE_ESTABLISHED), term_eq(e, state, SOCK_STATE_CLOSE));
		waiting = term_eq(e, state, SOCK_STATE_CLOSE);
	} else {
		/* hashed sockets: never closed; only skc_lookup_tcp keeps what is no full socket */
		states = Z3_mk_not(z, term_eq(e, state, SOCK_STATE_CLOSE));
		if (l->view == SOCK_VIEW_FULL)
			states = term_and(e, states, is_fullsock(e, s, (uint32_t)sk));
		waiting = term_eq(e, state, SOCK_STATE_LISTEN);
	}
	if (constrain(e, s, of_protocol(e, s, (uint32_t)sk, l->protocol)) || constrain(e, s, states) ||
	    constrain(e, s, term_or(e, waiting, tuple_match(e, s, (uint32_t)sk, l))) ||
	    (l->len == SOCK_TUPLE6_LEN && constrain(e, s, term_eq(e, SOCK_FIELD(e, s, (uint32_t)sk, family), AF_INET6))))
		return STEP_FAILED;
	s->regs[BPF_REG_0] = sval_conc(MEM_ADDR((uint32_t)sk + l->view, 0));
	return STEP_CONTINUE;
}

static enum step lookup(struct mhse_engine *e, struct state *s, int protocol, enum sock_view view)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	int32_t helper = s->prog->insns[s->pc].imm;
	struct lookup l = { .protocol = protocol, .view = view };
	Z3_ast netns, args_ok, hit;
	struct state *with;
	enum step st;

	if (!sval_is_conc(r[3]))
		return engine__end(e, s, PATH_UNSUPPORTED, "%s with a symbolic tuple size", helper_name(helper));
	l.len = (uint32_t)r[3].c;
	if (!l.len)
		return engine__end(e, s, PATH_ERROR, "%s with an empty tuple (the verifier wants a positive size)",
				   helper_name(helper));
	if ((st = engine__read_bytes(e, s, r[2], l.len, &l.tuple)) != STEP_CONTINUE)
		return st;
	r[0] = sval_conc(0);
	if (l.len != SOCK_TUPLE4_LEN && l.len != SOCK_TUPLE6_LEN)
		return STEP_CONTINUE;
	netns = sym_ast(&e->ctx, r[4]);
	args_ok = term_and(e, term_eq(e, sym_ast(&e->ctx, r[5]), 0),
		       term_or(e, term_eq(e, Z3_mk_extract(z, 31, 31, netns), 1), Z3_mk_bvule(z, netns, term_num(e, INT32_MAX, 64))));
	if (!engine__split_ok(e, s, args_ok, 0, &st))
		return st;
	hit = sym_ast(&e->ctx, engine__nondet(e, s, helper, 64));
	if (constrain(e, s, Z3_mk_bvule(z, hit, term_num(e, 1, 64))))
		return STEP_FAILED;
	switch (engine__split(e, s, term_eq(e, hit, 1), &with)) {
	case -1:
		return STEP_DONE;
	case 1:
		return found(e, s, &l);
	case 2:
		if (engine__finish_side(e, with, found(e, with, &l)) == STEP_FAILED)
			return STEP_FAILED;
		/* fall through */
	default:
		return STEP_CONTINUE;
	}
}

static enum step sock_sk_lookup_tcp(struct mhse_engine *e, struct state *s)
{
	return lookup(e, s, IPPROTO_TCP, SOCK_VIEW_FULL);
}

static enum step sock_sk_lookup_udp(struct mhse_engine *e, struct state *s)
{
	return lookup(e, s, IPPROTO_UDP, SOCK_VIEW_FULL);
}

static enum step sock_skc_lookup_tcp(struct mhse_engine *e, struct state *s)
{
	return lookup(e, s, IPPROTO_TCP, SOCK_VIEW_COMMON);
}

/* A socket a sockmap or sockhash holds: a full TCP socket that is
 * established or listening, or a UDP socket (sock_map_sk_state_allowed). */
static enum step map_socket(struct mhse_engine *e, struct state *s)
{
	int sk = new_socket(e, s, true, BPF_FUNC_map_lookup_elem);
	Z3_ast state, tcp, udp;

	if (sk < 0)
		return STEP_FAILED;
	state = SOCK_FIELD(e, s, (uint32_t)sk, state);
	tcp = term_and(e, of_protocol(e, s, (uint32_t)sk, IPPROTO_TCP),
		       term_or(e, term_eq(e, state, SOCK_STATE_ESTABLISHED), term_eq(e, state, SOCK_STATE_LISTEN)));
	udp = term_and(e, of_protocol(e, s, (uint32_t)sk, IPPROTO_UDP),
		       term_or(e, term_eq(e, state, SOCK_STATE_ESTABLISHED), term_eq(e, state, SOCK_STATE_CLOSE)));
	if (constrain(e, s, term_or(e, tcp, udp)))
		return STEP_FAILED;
	s->regs[BPF_REG_0] = sval_conc(MEM_ADDR((uint32_t)sk + SOCK_VIEW_FULL, 0));
	return STEP_CONTINUE;
}

/* A sockmap or sockhash lookup (sock_map_lookup, sock_hash_lookup): the
 * socket the map holds at the key, which the program must release, or
 * NULL. Whether the key holds one, and the socket, are recorded values, as
 * for sk_lookup_tcp: a map of sockets holds no data a test could list.
 * may_hold false: the map is empty. */
enum step sock_sym_map_lookup(struct mhse_engine *e, struct state *s, bool may_hold)
{
	Z3_ast hit = sym_ast(&e->ctx, engine__nondet(e, s, BPF_FUNC_map_lookup_elem, 64));
	struct state *with;

	s->regs[BPF_REG_0] = sval_conc(0);
	if (constrain(e, s, Z3_mk_bvule(e->ctx.z, hit, term_num(e, may_hold, 64))))
		return STEP_FAILED;
	switch (engine__split(e, s, term_eq(e, hit, 1), &with)) {
	case -1:
		return STEP_DONE;
	case 1:
		return map_socket(e, s);
	case 2:
		if (engine__finish_side(e, with, map_socket(e, with)) == STEP_FAILED)
			return STEP_FAILED;
		/* fall through */
	default:
		return STEP_CONTINUE;
	}
}

/* ---- what a socket pointer gives ---- */

static enum step sock_sk_release(struct mhse_engine *e, struct state *s)
{
	enum step st;
	int sk = socket_arg(e, s, s->regs[BPF_REG_1], &st);

	if (sk < 0)
		return st;
	if (!sock_region_referenced(s->regions[sk]->owner))
		return engine__end(e, s, PATH_ERROR, "sk_release of a socket the program holds no reference to");
	for (int v = 0; v < SOCK_VIEW_CNT; v++) {
		struct sregion *r = state__writable_region(s, (uint32_t)sk + v);

		if (!r)
			return STEP_FAILED;
		r->kind = MEM_DEAD;
	}
	s->regs[BPF_REG_0] = sval_conc(0);
	return STEP_CONTINUE;
}

static enum step sock_sk_fullsock(struct mhse_engine *e, struct state *s)
{
	enum step st;
	int sk = socket_arg(e, s, s->regs[BPF_REG_1], &st);

	if (sk < 0)
		return st;
	return pointer_if(e, s, is_fullsock(e, s, (uint32_t)sk), MEM_ADDR((uint32_t)sk + SOCK_VIEW_FULL, 0));
}

static enum step sock_tcp_sock(struct mhse_engine *e, struct state *s)
{
	enum step st;
	int sk = socket_arg(e, s, s->regs[BPF_REG_1], &st);

	if (sk < 0)
		return st;
	return pointer_if(e, s, term_and(e, is_fullsock(e, s, (uint32_t)sk), term_eq(e, SOCK_FIELD(e, s, (uint32_t)sk, protocol), IPPROTO_TCP)),
			  MEM_ADDR((uint32_t)sk + SOCK_VIEW_TCP, 0));
}

/* A request socket's listener: a TCP socket of its own, which is gone
 * from LISTEN when it was closed while the request waited. */
static enum step listener_of(struct mhse_engine *e, struct state *s)
{
	int sk = new_socket(e, s, false, BPF_FUNC_get_listener_sock);

	if (sk < 0 || constrain(e, s, of_protocol(e, s, (uint32_t)sk, IPPROTO_TCP)))
		return STEP_FAILED;
	return pointer_if(e, s, term_eq(e, SOCK_FIELD(e, s, (uint32_t)sk, state), SOCK_STATE_LISTEN),
			  MEM_ADDR((uint32_t)sk + SOCK_VIEW_FULL, 0));
}

static enum step sock_get_listener_sock(struct mhse_engine *e, struct state *s)
{
	struct state *request;
	enum step st;
	int sk = socket_arg(e, s, s->regs[BPF_REG_1], &st);

	if (sk < 0)
		return st;
	switch (engine__split(e, s, term_eq(e, SOCK_FIELD(e, s, (uint32_t)sk, state), SOCK_STATE_NEW_SYN_RECV), &request)) {
	case -1:
		return STEP_DONE;
	case 1:
		return listener_of(e, s);
	case 2:
		if (engine__finish_side(e, request, listener_of(e, request)) == STEP_FAILED)
			return STEP_FAILED;
		/* fall through */
	default:
		return pointer_if(e, s, term_eq(e, SOCK_FIELD(e, s, (uint32_t)sk, state), SOCK_STATE_LISTEN),
				  MEM_ADDR((uint32_t)sk + SOCK_VIEW_FULL, 0));
	}
}

static const struct ctx_field *ctx_socket_field(const struct mhse_hook *hook)
{
	for (size_t i = 0; i < hook->field_cnt; i++)
		if (sock_ctx_field(&hook->fields[i]))
			return &hook->fields[i];
	return NULL;
}

static enum step set_ctx_socket(struct mhse_engine *e, struct state *s, const struct ctx_field *f, uint64_t value)
{
	struct sregion *ctx = state__writable_region(s, SREGION_CTX);

	if (!ctx)
		return STEP_FAILED;
	sregion__write(&e->ctx, ctx, sval_conc(f->offset), 8, sval_conc(value));
	return STEP_CONTINUE;
}

/* What it meets at ingress is recorded (sock.h); once assigned, the
 * socket is the context's. */
static enum step sock_sk_assign(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	const struct ctx_field *f = ctx_socket_field(e->hook);
	Z3_ast result, known = Z3_mk_false(z);
	struct state *assigned;
	enum step st;
	int sk = socket_arg(e, s, s->regs[BPF_REG_2], &st);

	if (sk < 0)
		return st;
	if (!engine__split_ok(e, s, term_eq(e, sym_ast(&e->ctx, s->regs[BPF_REG_3]), 0), (uint64_t)-EINVAL, &st))
		return st;
	result = sym_ast(&e->ctx, engine__nondet(e, s, BPF_FUNC_sk_assign, 64));
	for (unsigned i = 0; i < sock_assign_code_cnt; i++)
		known = term_or(e, known, term_eq(e, result, (uint64_t)sock_assign_codes[i]));
	if (constrain(e, s, known))
		return STEP_FAILED;
	switch (engine__split(e, s, term_eq(e, result, 0), &assigned)) {
	case -1:
		return STEP_DONE;
	case 1:
		assigned = s;
		break;
	case 2:
		break;
	default:
		s->regs[BPF_REG_0] = sym_from(&e->ctx, result, false);
		return STEP_CONTINUE;
	}
	assigned->regs[BPF_REG_0] = sval_conc(0);
	st = f ? set_ctx_socket(e, assigned, f, MEM_ADDR((uint32_t)sk + sock_ctx_view(e->hook), 0)) : STEP_CONTINUE;
	if (assigned == s)
		return st;
	if (engine__finish_side(e, assigned, st) == STEP_FAILED)
		return STEP_FAILED;
	s->regs[BPF_REG_0] = sym_from(&e->ctx, result, false);
	return STEP_CONTINUE;
}

/* ---- the context's socket ---- */

/* Fields of the context's socket that the context shows too. */
struct ctx_tie {
	uint8_t view;
	uint8_t size;
	uint16_t off;
	const char *ctx;
};

#define SOCK_TIE(field, name) { SOCK_VIEW_FULL, 4, offsetof(struct bpf_sock, field), name }
#define TCP_TIE(field) { SOCK_VIEW_TCP, sizeof(((struct bpf_tcp_sock *)0)->field), offsetof(struct bpf_tcp_sock, field), #field }

static const struct ctx_tie ctx_ties[] = {
	SOCK_TIE(family, "family"), SOCK_TIE(state, "state"), SOCK_TIE(src_ip4, "local_ip4"),
	SOCK_TIE(dst_ip4, "remote_ip4"), SOCK_TIE(src_port, "local_port"),
	SOCK_TIE(src_ip6[0], "local_ip6"), SOCK_TIE(src_ip6[1], "local_ip6"), SOCK_TIE(src_ip6[2], "local_ip6"),
	SOCK_TIE(src_ip6[3], "local_ip6"), SOCK_TIE(dst_ip6[0], "remote_ip6"), SOCK_TIE(dst_ip6[1], "remote_ip6"),
	SOCK_TIE(dst_ip6[2], "remote_ip6"), SOCK_TIE(dst_ip6[3], "remote_ip6"),
	TCP_TIE(snd_cwnd), TCP_TIE(srtt_us), TCP_TIE(rtt_min), TCP_TIE(snd_ssthresh), TCP_TIE(rcv_nxt),
	TCP_TIE(snd_nxt), TCP_TIE(snd_una), TCP_TIE(mss_cache), TCP_TIE(ecn_flags), TCP_TIE(rate_delivered),
	TCP_TIE(rate_interval_us), TCP_TIE(packets_out), TCP_TIE(retrans_out), TCP_TIE(total_retrans),
	TCP_TIE(segs_in), TCP_TIE(data_segs_in), TCP_TIE(segs_out), TCP_TIE(data_segs_out), TCP_TIE(lost_out),
	TCP_TIE(sacked_out), TCP_TIE(bytes_received), TCP_TIE(bytes_acked),
};

/* The context field of that name, element k, as the program reads it. */
static Z3_ast ctx_value(struct mhse_engine *e, struct state *s, const struct ctx_field *f, uint32_t k)
{
	return bytes_at(e, s, SREGION_CTX, f->offset + k * f->size, f->size);
}

static int tie_to_context(struct mhse_engine *e, struct state *s, uint32_t sk)
{
	const struct ctx_field *port = mhse_hook__field(e->hook, "remote_port");
	uint32_t element = 0;
	const char *last = "";

	for (size_t i = 0; i < sizeof(ctx_ties) / sizeof(ctx_ties[0]); i++) {
		const struct ctx_tie *t = &ctx_ties[i];
		const struct ctx_field *f = mhse_hook__field(e->hook, t->ctx);

		element = strcmp(last, t->ctx) ? 0 : element + 1;
		last = t->ctx;
		if (f && f->size == t->size && element < f->count &&
		    constrain(e, s, Z3_mk_eq(e->ctx.z, bytes_at(e, s, sk + t->view, t->off, t->size), ctx_value(e, s, f, element))))
			return -ENOMEM;
	}
	/* the context's remote_port is the network-order port in its upper half */
	if (port && constrain(e, s, Z3_mk_eq(e->ctx.z, ctx_value(e, s, port, 0),
					     Z3_mk_concat(e->ctx.z, bytes_at(e, s, sk + SOCK_VIEW_FULL, offsetof(struct bpf_sock, dst_port), 2),
							  term_num(e, 0, 16)))))
		return -ENOMEM;
	/* a context that says whether its socket is full is sock_ops's, which runs on TCP */
	if (sock_ctx_view(e->hook) == SOCK_VIEW_FULL && constrain(e, s, of_protocol(e, s, sk, IPPROTO_TCP)))
		return -ENOMEM;
	return 0;
}

/* Whether the context has its socket: the first value recorded. */
static Z3_ast ctx_socket_present(const struct mhse_engine *e)
{
	for (size_t i = 0; i < e->init->nondet_cnt; i++)
		if (e->init->nondet[i].helper == SOCK_CTX_HELPER)
			return e->init->nondet[i].e;
	return NULL;
}

int sock_sym_init(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	const struct ctx_field *f = sock_ctx_socket(e->obj, e->hook), *full = mhse_hook__field(e->hook, "is_fullsock");
	Z3_ast present;
	int sk;

	if (!f)
		return 0;
	present = sym_ast(&e->ctx, engine__nondet(e, s, SOCK_CTX_HELPER, 64));
	sk = new_socket(e, s, false, SOCK_CTX_HELPER);
	if (sk < 0 || constrain(e, s, f->nonnull ? term_eq(e, present, 1) : Z3_mk_bvule(z, present, term_num(e, 1, 64))) ||
	    tie_to_context(e, s, (uint32_t)sk) ||
	    (full && constrain(e, s, Z3_mk_eq(z, term_eq(e, present, 1), Z3_mk_not(z, term_eq(e, ctx_value(e, s, full, 0), 0))))))
		return -ENOMEM;
	return set_ctx_socket(e, s, f, MEM_ADDR((uint32_t)sk + sock_ctx_view(e->hook), 0)) == STEP_CONTINUE ? 0 : -ENOMEM;
}

enum step sock_sym_ctx_load(struct mhse_engine *e, struct state *s, const struct ctx_field *f, struct sval *val)
{
	struct sval initial = sregion__read(&e->ctx, e->init->regions[SREGION_CTX], sval_conc(f->offset), 8);
	struct sval cur = sregion__read(&e->ctx, s->regions[SREGION_CTX], sval_conc(f->offset), 8);
	Z3_ast present = ctx_socket_present(e);
	struct state *with;

	/* a socket sk_assign gave the context is there */
	if (!present || cur.c != initial.c) {
		*val = cur;
		return STEP_CONTINUE;
	}
	/* val may be the register the address came from: it is set only after
	 * the split, so that the copy loads through the context again */
	switch (engine__split(e, s, term_eq(e, present, 1), &with)) {
	case -1:
		return STEP_DONE;
	case 1:
		*val = cur;
		return STEP_CONTINUE;
	case 2:
		/* the copy loads the pointer again, and finds the socket */
		engine__queue_rerun(e, with);
		/* fall through */
	default:
		*val = sval_conc(0);
		return STEP_CONTINUE;
	}
}

enum step sock_sym_check_load(struct mhse_engine *e, struct state *s, uint32_t region, struct sval off, uint32_t size)
{
	int view = sock_region_view(s->regions[region]->kind, s->regions[region]->owner);

	if (view < 0)
		return STEP_CONTINUE;
	if (!sval_is_conc(off))
		return engine__end(e, s, PATH_ERROR, "%s read at a variable offset", sock_view_name(view));
	if (!sock_access_ok(view, (uint32_t)off.c, size))
		return engine__end(e, s, PATH_ERROR, "%s read of %u bytes at offset %u is not allowed",
				   sock_view_name(view), size, (uint32_t)off.c);
	return STEP_CONTINUE;
}

#define HELPER(name, contexts, concrete, symbolic) symbolic,
static const sym_helper_fn sock_helpers[] = {
#include "sock_helper_list.h"
};
#undef HELPER

const struct sym_helper_module sym_helpers_sock = { &helpers_sock, sock_helpers, sizeof(sock_helpers) / sizeof(sock_helpers[0]),
						    NULL };
