// SPDX-License-Identifier: MIT
/*
 * Replay, with the kernel as referee (see replay.h for the interface and
 * docs/replay.md for what users see).
 *
 * A test is a claim: these inputs make the program do this. The interpreter
 * checks the claim first (the self-check's replay); the kernel then runs
 * the same inputs through BPF_PROG_TEST_RUN and must do the same: return
 * value (the low 32 bits, all the kernel reports), output packet, and every
 * entry of every map a program can write, as the test lists it or else as
 * it started. The redirect target, trace_printk output and the context
 * after the run are not compared: the test run does not report the first
 * two, and tests do not record the third.
 *
 * Tests the kernel cannot replay are classified with the reason, never
 * dropped: paths that did not exit (the verifier would reject a program
 * that can fault), spurious paths, events (no reader is attached in the
 * kernel), nondeterministic values the loaded program cannot be given (the
 * answer of a helper that does more than return it, a full ring buffer;
 * other helper results it reads from the test, as kernel_nondet.h says),
 * sockets (the context's, or a lookup's: the test run has none to give),
 * packets the test run refuses, map entries the kernel refuses (a redirect
 * target that is no device here), and contexts the test run cannot give.
 *
 * The context is the subtle one. The test run copies only some fields of
 * ctx_in (those the spec marks kernel_settable) and wants every other byte
 * zero; a settable field whose spec default is not zero (an ifindex) reads
 * 0 as "not set" and gives the program the default. The context the
 * program will see in the kernel can therefore differ from the test's.
 * When it does, the interpreter runs the test on both contexts: if the two
 * runs agree (same branches, return value, packet and maps), the difference
 * does not matter to this path and the kernel referees the test's
 * expectations on its own context; otherwise the test is not replayable,
 * naming the field. The test's expectations are not what decides this, so
 * that a wrong expectation still reaches the kernel and shows as a
 * disagreement.
 *
 * Speed: a program and its maps are loaded once per run (mhse_kernel__open);
 * per test, maps are reset and only the test's initial entries written.
 * Comparing maps lists every entry of hash-like maps (they hold what the test
 * and the program put there) and of arrays up to ARRAY_SCAN_MAX entries, an
 * array in one batch; larger arrays are checked at the entries the test
 * lists, to keep a test's replay short.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <yaml.h>
#include "insn.h"
#include "interp.h"
#include "json_writer.h"
#include "kernel.h"
#include "kernel_nondet.h"
#include "log.h"
#include "map_ids.h"
#include "maps.h"
#include "mem.h"
#include "replay.h"
#include "selfcheck.h"
#include "sock.h"
#include "testwriter.h"
#include "yaml_file.h"

#define ARRAY_SCAN_MAX 1024
#define PACKET_OUT_CAP (64u << 10)
#define ETH_HLEN 14
#define ETH_P_802_3_MIN 0x0600
#define ETH_P_802_3 0x0001
#define ETH_P_802_2 0x0004

static const char spurious_reason[] =
	"spurious: the path needs a map to answer one key two ways, which no real map does";

struct replay_kernel {
	const struct mhse_object *obj;
	const struct mhse_prog *prog;
	const struct mhse_hook *hook;
	struct mhse_kernel *k;          /* NULL when unavailable */
	char unavailable[192];          /* why no test of this program is replayable, or "" */
	struct mhse_vm *vm;             /* replays on the kernel's context */
	bool pass_ctx;                  /* the hook has fields a test run takes from ctx_in */
	uint8_t *ctx_in, *ctx_view;     /* ctx_size bytes each */
	uint8_t *out;                   /* PACKET_OUT_CAP */
	uint8_t *frame;                 /* the hook's link-layer header and PACKET_OUT_CAP, when the test run strips one */
	const struct ctx_field *l2_ethertype; /* the context field the stripped header's EtherType sets */
	uint8_t *keys[2], *value, *zeroes; /* the object's largest key and value sizes */
	uint8_t *array;                 /* an array's values, array_cap bytes */
	size_t array_cap;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Sets the verdict and its reason. Returns 1, "decided", for the checks
 * below, which return 0 while the test goes on. */
__attribute__((format(printf, 3, 4))) static int verdict(struct replay_result *res, enum replay_verdict v,
							 const char *fmt, ...)
{
	va_list ap;

	res->verdict = v;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	return 1;
}

int replay_kernel__open(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
			struct replay_kernel **rkp)
{
	struct replay_kernel *rk = calloc(1, sizeof(*rk));
	uint32_t key_max = 4, value_max = 8;
	int err;

	*rkp = NULL;
	if (!rk)
		return -ENOMEM;
	rk->obj = obj;
	rk->prog = prog;
	rk->hook = hook;
	for (size_t i = 0; i < hook->field_cnt; i++) {
		rk->pass_ctx |= hook->fields[i].kernel_settable;
		if (hook->kernel_l2_ethertype && !strcmp(hook->fields[i].name, hook->kernel_l2_ethertype))
			rk->l2_ethertype = &hook->fields[i];
	}
	for (size_t i = 0; i < obj->map_cnt; i++) {
		key_max = obj->maps[i].key_size > key_max ? obj->maps[i].key_size : key_max;
		value_max = obj->maps[i].value_size > value_max ? obj->maps[i].value_size : value_max;
	}
	rk->ctx_in = calloc(1, hook->ctx_size + 1);
	rk->ctx_view = calloc(1, hook->ctx_size + 1);
	rk->out = malloc(PACKET_OUT_CAP);
	if (hook->kernel_l2_len)
		rk->frame = malloc(hook->kernel_l2_len + PACKET_OUT_CAP);
	rk->keys[0] = malloc(key_max);
	rk->keys[1] = malloc(key_max);
	rk->value = malloc(value_max);
	rk->zeroes = calloc(1, value_max);
	err = !rk->ctx_in || !rk->ctx_view || !rk->out || (hook->kernel_l2_len && !rk->frame) || !rk->keys[0] ||
			      !rk->keys[1] || !rk->value || !rk->zeroes ?
		      -ENOMEM : mhse_vm__new(obj, hook, &rk->vm);
	if (err)
		goto err;

	if (!hook->kernel_test_run) {
		snprintf(rk->unavailable, sizeof(rk->unavailable), "hook %s has no kernel test run", hook->name);
	} else if ((err = mhse_kernel__open(obj, prog, hook, &rk->k))) {
		if (err == -EPERM || err == -ENOMEM)
			goto err;
		/* kernel.c logged why (the verifier's verdict, a kfunc, an unbound extern) */
		snprintf(rk->unavailable, sizeof(rk->unavailable), "the kernel does not load %s: %s", prog->name,
			 strerror(-err));
	}
	*rkp = rk;
	return 0;
err:
	replay_kernel__close(rk);
	return err;
}

void replay_kernel__close(struct replay_kernel *rk)
{
	if (!rk)
		return;
	mhse_kernel__close(rk->k);
	mhse_vm__free(rk->vm);
	free(rk->ctx_in);
	free(rk->ctx_view);
	free(rk->out);
	free(rk->frame);
	free(rk->keys[0]);
	free(rk->keys[1]);
	free(rk->value);
	free(rk->zeroes);
	free(rk->array);
	free(rk);
}

/* Returns 1 with *res set when the path itself keeps the kernel out. */
static int path_not_replayable(const struct path_result *p, struct replay_result *res)
{
	size_t recorded = 0;

	if (!path_returned(p->kind))
		return verdict(res, REPLAY_NOT_REPLAYABLE, "error path (%s%s%s)", test_kind_name(p->kind),
				p->message[0] ? ": " : "", p->message);
	if (p->event_cnt)
		return verdict(res, REPLAY_NOT_REPLAYABLE,
				"emitted %zu event%s (%s): the kernel has no reader attached to compare them",
				p->event_cnt, p->event_cnt == 1 ? "" : "s", helper_name(p->events[0].helper) ?: "?");
	if (p->kmem_cnt)
		return verdict(res, REPLAY_NOT_REPLAYABLE, "the path reads kernel memory (%zu range%s): the kernel's "
			       "test run cannot supply it", p->kmem_cnt, p->kmem_cnt == 1 ? "" : "s");
	for (size_t i = 0; i < p->nondet_cnt; i++) {
		const struct path_nondet *n = &p->nondet[i];
		const char *name = helper_name(n->helper);
		char number[32];

		/* whether there is a socket, and what it holds: the test run's skb has
		 * a dummy socket of its own, and lookups find this machine's sockets */
		if (sock_nondet_is_socket(n->helper))
			return verdict(res, REPLAY_NOT_REPLAYABLE, "the path depends on %s: the kernel's test run cannot "
				       "supply sockets", n->helper == SOCK_CTX_HELPER ? "the context's socket" :
				       helper_name(n->helper));
		/* the loaded program reads these from the test (kernel_nondet.h) */
		if (helper_returns_recorded(n->helper)) {
			if (++recorded > KERNEL_NONDET_MAX)
				return verdict(res, REPLAY_NOT_REPLAYABLE, "more than %u results of nondeterministic "
					       "helpers: a test run takes at most that many", KERNEL_NONDET_MAX);
			continue;
		}
		if (!name) {
			snprintf(number, sizeof(number), "helper %" PRId32, n->helper);
			name = number;
		}
		return verdict(res, REPLAY_NOT_REPLAYABLE,
			       "nondeterministic %s returned %" PRIu64 ": the kernel will not return it again", name,
			       n->value);
	}
	return 0;
}

/* The value a scalar context field has in the test: the test's, or the
 * spec's default when the test's context does not reach it. */
static uint64_t test_ctx_value(const struct path_result *p, const struct ctx_field *f)
{
	return p->ctx_in && f->offset + f->size <= p->ctx_len ? mem_load_le(p->ctx_in + f->offset, f->size) : f->dflt;
}

/* The packet the test run gets: the test's, behind the link-layer header the
 * test run strips when the hook has one. That header carries the context's
 * EtherType, in the field's byte order (the network's, as skb->protocol). */
static const uint8_t *kernel_packet(struct replay_kernel *rk, const struct path_result *p, uint32_t *len)
{
	uint32_t l2_len = rk->hook->kernel_l2_len;
	uint64_t ethertype;

	*len = p->packet_in_len;
	if (!l2_len)
		return p->packet_in;
	ethertype = test_ctx_value(p, rk->l2_ethertype);
	memset(rk->frame, 0, l2_len);
	rk->frame[12] = (uint8_t)ethertype;
	rk->frame[13] = (uint8_t)(ethertype >> 8);
	memcpy(rk->frame + l2_len, p->packet_in, p->packet_in_len);
	*len += l2_len;
	return rk->frame;
}

/* The protocol eth_type_trans() makes of the header kernel_packet built, in
 * the context field's byte order: an EtherType below 0x0600 is an 802.3
 * length, and the packet raw 802.3 when it starts with 0xffff, else 802.2. */
static uint64_t l2_protocol(const struct replay_kernel *rk, const struct path_result *p)
{
	uint16_t proto = (uint16_t)(rk->frame[12] << 8 | rk->frame[13]);

	if (proto < ETH_P_802_3_MIN)
		proto = p->packet_in_len >= 2 && p->packet_in[0] == 0xff && p->packet_in[1] == 0xff ? ETH_P_802_3 :
											       ETH_P_802_2;
	return __builtin_bswap16(proto);
}

/* Returns 1 with *res set for a packet the hook's test run refuses. */
static int packet_refused(const struct replay_kernel *rk, const uint8_t *pkt, uint32_t len,
			  struct replay_result *res)
{
	if (!rk->hook->has_packet)
		return 0;
	if (len < rk->hook->kernel_pkt_min)
		return verdict(res, REPLAY_NOT_REPLAYABLE, "packet of %u bytes: the kernel's test run needs at least %u",
				len, rk->hook->kernel_pkt_min);
	for (size_t i = 0; i < rk->hook->kernel_l3_min_cnt; i++) {
		const struct hook_l3_min *l3 = &rk->hook->kernel_l3_min[i];

		if (len >= ETH_HLEN && (pkt[12] << 8 | pkt[13]) == l3->ethertype && len < l3->min_len)
			return verdict(res, REPLAY_NOT_REPLAYABLE,
				       "packet of %u bytes with EtherType 0x%04x: the kernel's test run needs %u",
				       len, l3->ethertype, l3->min_len);
	}
	return 0;
}

/* Fills rk->ctx_in (what the test run gets) and rk->ctx_view (what the
 * program will see) from the test's context. Call kernel_packet first. */
static void kernel_ctx(struct replay_kernel *rk, const struct path_result *p)
{
	const struct mhse_hook *hook = rk->hook;

	memset(rk->ctx_in, 0, hook->ctx_size);
	memset(rk->ctx_view, 0, hook->ctx_size);
	if (p->ctx_in)
		memcpy(rk->ctx_view, p->ctx_in, p->ctx_len < hook->ctx_size ? p->ctx_len : hook->ctx_size);
	for (size_t i = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		if (f->kind == CTX_PKT_END && hook->kernel_ctx_packet_end && f->offset + f->size <= hook->ctx_size)
			mem_store_le(rk->ctx_in + f->offset, f->size, p->packet_in_len);
		if (f->kind != CTX_SCALAR)
			continue;
		for (uint32_t e = 0; e < f->count; e++) {
			uint32_t off = f->offset + e * f->size;
			uint64_t v, seen = f->dflt;

			if (off + f->size > hook->ctx_size)
				continue;
			v = p->ctx_in && off + f->size <= p->ctx_len ? mem_load_le(p->ctx_in + off, f->size) : f->dflt;
			if (f->kernel_settable) {
				mem_store_le(rk->ctx_in + off, f->size, v);
				seen = v || !f->dflt ? v : f->dflt;
			}
			if (f == rk->l2_ethertype)
				seen = l2_protocol(rk, p);
			mem_store_le(rk->ctx_view + off, f->size, seen);
		}
	}
}

/* The first context field the program sees differently in the kernel. */
static const struct ctx_field *ctx_view_differs(const struct replay_kernel *rk, const struct path_result *p,
						uint32_t *elem)
{
	const struct mhse_hook *hook = rk->hook;

	for (size_t i = 0; p->ctx_in && i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		for (uint32_t e = 0; f->kind == CTX_SCALAR && e < f->count; e++) {
			uint32_t off = f->offset + e * f->size;

			if (off + f->size <= p->ctx_len && off + f->size <= hook->ctx_size &&
			    memcmp(p->ctx_in + off, rk->ctx_view + off, f->size)) {
				*elem = e;
				return f;
			}
		}
	}
	return NULL;
}

/* Returns 1 with *res set when the program sees a context field differently
 * in the kernel and that changes the run: the interpreter runs the test on
 * its own context and on the kernel's, and the two runs must agree. Call
 * kernel_ctx first. */
static int ctx_matters(struct replay_kernel *rk, const struct path_result *p, struct replay_result *res)
{
	struct path_result on_kernel_ctx = *p, as_tested = { 0 }, as_kernel = { 0 };
	const struct ctx_field *f;
	char why[160], field[64];
	uint32_t elem, off;
	int err;

	f = ctx_view_differs(rk, p, &elem);
	if (!f)
		return 0;
	on_kernel_ctx.ctx_in = rk->ctx_view;
	on_kernel_ctx.ctx_len = rk->hook->ctx_size;
	err = selfcheck__run(rk->vm, rk->prog, p, NULL, &as_tested);
	if (!err)
		err = selfcheck__run(rk->vm, rk->prog, &on_kernel_ctx, NULL, &as_kernel);
	if (!err)
		err = selfcheck__compare(rk->obj, &as_tested, &as_kernel, why, sizeof(why));
	path_result__free(&as_tested);
	path_result__free(&as_kernel);
	if (err == -EINVAL)
		return verdict(res, REPLAY_NOT_REPLAYABLE, "the interpreter cannot set up the test's maps");
	if (err <= 0)
		return err;
	off = f->offset + elem * f->size;
	if (f->count > 1)
		snprintf(field, sizeof(field), "%s[%u]", f->name, elem);
	else
		snprintf(field, sizeof(field), "%s", f->name);
	return verdict(res, REPLAY_NOT_REPLAYABLE,
		       "context %s %" PRIu64 ": the kernel's test run gives the program %" PRIu64
		       ", and this path depends on it (run on that: %s)",
		       field, mem_load_le(p->ctx_in + off, f->size), mem_load_le(rk->ctx_view + off, f->size), why);
}

/* Resets the kernel's maps and writes the test's initial entries, making
 * each inner map as the entry holding it comes. Returns 0, or 1 with *res
 * set when the kernel refuses one. */
static int fill_maps(struct replay_kernel *rk, const struct path_result *p, struct replay_result *res)
{
	char key[72], value[72], name[MAP_ID_NAME_MAX];
	int err = mhse_kernel__reset(rk->k);

	if (err)
		return verdict(res, REPLAY_NOT_REPLAYABLE, "the kernel's maps do not reset: %s", strerror(-err));
	for (size_t i = 0; i < p->map_in_cnt; i++) {
		const struct path_map_entry *e = &p->map_in[i];
		const struct mhse_map *m = map_ids__def(rk->obj, p, e->map);
		uint32_t id;

		map_ids__name(rk->obj, p, e->map, name, sizeof(name));
		if (map_ids__holds_inner(rk->obj, p, e)) {
			err = mhse_kernel__add_inner(rk->k, (int)e->map, &id);
			if (err || id != map_ids__held(e))
				return verdict(res, REPLAY_NOT_REPLAYABLE, "map %s key %s: the kernel does not make its inner map (%s)",
					       name, mhse_hex(key, sizeof(key), e->key, m->key_size),
					       err ? strerror(-err) : "out of order");
		}
		if (e->value) {
			err = mhse_kernel__map_update(rk->k, (int)e->map, e->key, e->value, BPF_ANY);
			if (err)
				return verdict(res, REPLAY_NOT_REPLAYABLE, "map %s key %s: the kernel refuses %s (%s)%s",
					       name, mhse_hex(key, sizeof(key), e->key, m->key_size),
					       mhse_hex(value, sizeof(value), e->value, m->value_size), strerror(-err),
					       map_is_redirect_target(m->type) ? ": a redirect target needs a real device" : "");
		} else if (m->init_slot_cnt &&
			   mhse_kernel__map_lookup(rk->k, (int)e->map, e->key, rk->value) != -ENOENT) {
			/* only declared program and map array slots are there after a reset */
			return verdict(res, REPLAY_NOT_REPLAYABLE,
				       "map %s key %s: the object declares the slot, and the test needs it empty", name,
				       mhse_hex(key, sizeof(key), e->key, m->key_size));
		}
	}
	return 0;
}

static const struct path_map_entry *find_entry(const struct path_map_entry *entries, size_t cnt, uint32_t map,
					       const uint8_t *key, uint32_t key_size)
{
	for (size_t i = 0; i < cnt; i++)
		if (entries[i].map == map && !memcmp(entries[i].key, key, key_size))
			return &entries[i];
	return NULL;
}

/* What an entry the test does not list holds: global data its initial
 * bytes, an array slot zeroes, anything else nothing. */
static const uint8_t *initial_value(const struct replay_kernel *rk, const struct mhse_map *m)
{
	if (m->origin == MHSE_MAP_GLOBAL)
		return m->init ? m->init : rk->zeroes;
	return map_is_array_like(m->type) ? rk->zeroes : NULL;
}

/* Compares the kernel's value of map_idx at key, actual (NULL: absent),
 * with expected (NULL: absent). Returns 1 with *res set when they differ. */
static int value_differs(struct replay_kernel *rk, const struct path_result *p, int map_idx, const uint8_t *key,
			 const uint8_t *expected, const uint8_t *actual, struct replay_result *res)
{
	const struct mhse_map *m = map_ids__def(rk->obj, p, (uint32_t)map_idx);
	char khex[72], ehex[72], ahex[72], name[MAP_ID_NAME_MAX];

	if (!expected == !actual && (!actual || !memcmp(expected, actual, m->value_size)))
		return 0;
	return verdict(res, REPLAY_DISAGREE, "map %s key %s: %s, kernel %s",
		       map_ids__name(rk->obj, p, (uint32_t)map_idx, name, sizeof(name)),
		       mhse_hex(khex, sizeof(khex), key, m->key_size), mhse_hex(ehex, sizeof(ehex), expected, m->value_size),
		       mhse_hex(ahex, sizeof(ahex), actual, m->value_size));
}

/* Compares the kernel's entry of map_idx at key with expected (NULL:
 * absent). Returns 1 with *res set when they differ. */
static int entry_differs(struct replay_kernel *rk, const struct path_result *p, int map_idx, const uint8_t *key,
			 const uint8_t *expected, struct replay_result *res)
{
	const struct mhse_map *m = map_ids__def(rk->obj, p, (uint32_t)map_idx);
	char khex[72], name[MAP_ID_NAME_MAX];
	int err = mhse_kernel__map_lookup(rk->k, map_idx, key, rk->value);

	if (err && err != -ENOENT)
		return verdict(res, REPLAY_DISAGREE, "map %s key %s: the kernel's lookup fails: %s",
			       map_ids__name(rk->obj, p, (uint32_t)map_idx, name, sizeof(name)),
			       mhse_hex(khex, sizeof(khex), key, m->key_size), strerror(-err));
	return value_differs(rk, p, map_idx, key, expected, err ? NULL : rk->value, res);
}

/* Whether the entry is one the test lists, as changed or as relied on. */
static bool listed(const struct path_result *p, uint32_t map_idx, const uint8_t *key, uint32_t key_size)
{
	return find_entry(p->map_out, p->map_out_cnt, map_idx, key, key_size) ||
	       find_entry(p->map_in, p->map_in_cnt, map_idx, key, key_size);
}

/* The indices of an array the test does not list, read in one batch,
 * each as the object initialises it. */
static int unlisted_indices_differ(struct replay_kernel *rk, const struct path_result *p, int map_idx,
				   struct replay_result *res)
{
	const struct mhse_map *m = map_ids__def(rk->obj, p, (uint32_t)map_idx);
	size_t size = (size_t)m->max_entries * m->value_size;
	uint8_t *values = size > rk->array_cap ? realloc(rk->array, size) : rk->array;
	char name[MAP_ID_NAME_MAX];
	int err = values ? 0 : -ENOMEM;

	if (values && size > rk->array_cap) {
		rk->array = values;
		rk->array_cap = size;
	}
	err = err ?: mhse_kernel__array_values(rk->k, map_idx, rk->array);
	if (err)
		return verdict(res, REPLAY_DISAGREE, "map %s: the kernel's listing fails: %s",
			       map_ids__name(rk->obj, p, (uint32_t)map_idx, name, sizeof(name)), strerror(-err));
	for (uint32_t i = 0; i < m->max_entries; i++) {
		uint8_t key[sizeof(i)];

		mem_store_le(key, sizeof(key), i);
		if (!listed(p, (uint32_t)map_idx, key, sizeof(key)) &&
		    value_differs(rk, p, map_idx, key, initial_value(rk, m), rk->array + (size_t)i * m->value_size, res))
			return 1;
	}
	return 0;
}

/* Every entry of one map as the test says: those it lists as changed with
 * their final values, those it relied on as they started, and every other
 * one the kernel holds as the object initialises it. */
static int map_differs(struct replay_kernel *rk, const struct path_result *p, int map_idx, struct replay_result *res)
{
	const struct mhse_map *m = map_ids__def(rk->obj, p, (uint32_t)map_idx);
	char name[MAP_ID_NAME_MAX];
	uint32_t mi = (uint32_t)map_idx;
	int cur = 0, err;

	for (size_t i = 0; i < p->map_out_cnt; i++)
		if (p->map_out[i].map == mi && entry_differs(rk, p, map_idx, p->map_out[i].key, p->map_out[i].value, res))
			return 1;
	for (size_t i = 0; i < p->map_in_cnt; i++) {
		const struct path_map_entry *e = &p->map_in[i];

		if (e->map == mi && !find_entry(p->map_out, p->map_out_cnt, mi, e->key, m->key_size) &&
		    entry_differs(rk, p, map_idx, e->key, e->value, res))
			return 1;
	}
	if (map_is_array_like(m->type))
		return m->max_entries > ARRAY_SCAN_MAX ? 0 : unlisted_indices_differ(rk, p, map_idx, res);
	/* two key buffers in turn: get_next_key wants the previous key */
	for (bool first = true; !(err = mhse_kernel__map_next(rk->k, map_idx, first ? NULL : rk->keys[cur],
							       rk->keys[!cur]));
	     first = false) {
		cur = !cur;
		if (!listed(p, mi, rk->keys[cur], m->key_size) &&
		    entry_differs(rk, p, map_idx, rk->keys[cur], initial_value(rk, m), res))
			return 1;
	}
	if (err != -ENOENT)
		return verdict(res, REPLAY_DISAGREE, "map %s: the kernel's listing fails: %s",
			       map_ids__name(rk->obj, p, (uint32_t)map_idx, name, sizeof(name)), strerror(-err));
	return 0;
}

static void ret_text(const struct mhse_hook *hook, uint64_t ret, char *buf, size_t size)
{
	const char *name = test_return_name(hook, ret);

	snprintf(buf, size, "%" PRId32 "%s%s%s", (int32_t)ret, name ? " (" : "", name ? name : "", name ? ")" : "");
}

/* The first difference between the kernel's run and the test, or 0. */
static int run_differs(struct replay_kernel *rk, const struct path_result *p, uint32_t kret, uint32_t out_len,
		       struct replay_result *res)
{
	char want[64], got[64];

	if ((uint32_t)p->ret != kret) {
		ret_text(rk->hook, p->ret, want, sizeof(want));
		ret_text(rk->hook, kret, got, sizeof(got));
		return verdict(res, REPLAY_DISAGREE, "return %s, kernel %s", want, got);
	}
	if (rk->hook->has_packet && out_len != p->packet_out_len)
		return verdict(res, REPLAY_DISAGREE, "packet length %u, kernel %u", p->packet_out_len, out_len);
	for (uint32_t i = 0; rk->hook->has_packet && i < out_len; i++)
		if (p->packet_out[i] != rk->out[i])
			return verdict(res, REPLAY_DISAGREE, "packet byte %u: 0x%02x, kernel 0x%02x", i, p->packet_out[i],
				       rk->out[i]);
	/* the object's maps, then the test's inner maps */
	for (uint32_t i = 0; map_ids__def(rk->obj, p, i); i++)
		if (map_holds_data(map_ids__def(rk->obj, p, i)->type) && mhse_kernel__has_map(rk->k, (int)i) &&
		    map_differs(rk, p, (int)i, res))
			return 1;
	return 0;
}

/* The results the loaded program reads in place of its nondeterministic
 * helper calls: the test's, in call order. */
static int set_recorded_results(struct replay_kernel *rk, const struct path_result *p)
{
	uint64_t values[KERNEL_NONDET_MAX];
	size_t cnt = 0;

	for (size_t i = 0; i < p->nondet_cnt; i++)
		if (helper_returns_recorded(p->nondet[i].helper) && cnt < KERNEL_NONDET_MAX)
			values[cnt++] = p->nondet[i].value;
	return mhse_kernel__set_nondet(rk->k, values, cnt);
}

static int referee(struct replay_kernel *rk, const struct path_result *p, struct replay_result *res)
{
	uint32_t kret = 0, out_len = PACKET_OUT_CAP, pkt_len, l2_len = rk->hook->kernel_l2_len;
	const uint8_t *pkt;
	int err;

	if (rk->unavailable[0]) {
		verdict(res, REPLAY_NOT_REPLAYABLE, "%s", rk->unavailable);
		return 0;
	}
	if (path_not_replayable(p, res))
		return 0;
	if (p->packet_in_len > PACKET_OUT_CAP) {
		verdict(res, REPLAY_NOT_REPLAYABLE, "packet of %u bytes: replays take at most %u", p->packet_in_len,
			PACKET_OUT_CAP);
		return 0;
	}
	pkt = kernel_packet(rk, p, &pkt_len);
	if (packet_refused(rk, pkt, pkt_len, res))
		return 0;
	kernel_ctx(rk, p);
	err = ctx_matters(rk, p, res);
	if (err)
		return err < 0 ? err : 0;
	if (fill_maps(rk, p, res))
		return 0;
	err = set_recorded_results(rk, p);
	if (err)
		return err;
	err = mhse_kernel__test_run(rk->k, pkt, pkt_len, rk->pass_ctx ? rk->ctx_in : NULL, rk->hook->ctx_size, &kret,
				    rk->out, &out_len);
	/* the test run puts back a zeroed header of that length: the program's packet follows it */
	if (!err && l2_len) {
		out_len = out_len > l2_len ? out_len - l2_len : 0;
		memmove(rk->out, rk->out + l2_len, out_len);
	}
	if (err)
		verdict(res, REPLAY_NOT_REPLAYABLE, "the kernel's test run refuses the input: %s", strerror(-err));
	else if (!run_differs(rk, p, kret, out_len, res))
		verdict(res, REPLAY_AGREE, "%s", "");
	return 0;
}

int replay_kernel__test(struct replay_kernel *rk, const struct path_result *path, struct replay_result *res)
{
	double start = now_ms();
	int err;

	*res = (struct replay_result){ .by = REPLAY_BY_KERNEL };
	if (path->spurious) {
		res->by = REPLAY_BY_INTERPRETER;
		verdict(res, REPLAY_NOT_REPLAYABLE, "%s", spurious_reason);
		return 0;
	}
	err = referee(rk, path, res);
	res->kernel_ms = now_ms() - start;
	return err;
}

/* ---- reports ---- */

int replay_report__init(struct replay_report *r, const char *program, const char *hook, bool kernel)
{
	*r = (struct replay_report){ .kernel = kernel };
	r->program = program ? strdup(program) : NULL;
	r->hook = strdup(hook);
	if ((program && !r->program) || !r->hook) {
		replay_report__free(r);
		return -ENOMEM;
	}
	return 0;
}

void replay_report__free(struct replay_report *r)
{
	for (size_t i = 0; i < r->test_cnt; i++)
		free(r->tests[i].name);
	free(r->tests);
	free(r->program);
	free(r->hook);
	*r = (struct replay_report){ 0 };
}

int replay_report__add(struct replay_report *r, const char *name, const struct replay_result *res)
{
	struct replay_test *t;

	if (r->test_cnt == r->test_cap) {
		size_t cap = r->test_cap ? 2 * r->test_cap : 64;
		struct replay_test *tests = realloc(r->tests, cap * sizeof(*tests));

		if (!tests)
			return -ENOMEM;
		r->tests = tests;
		r->test_cap = cap;
	}
	t = &r->tests[r->test_cnt];
	t->name = strdup(name);
	if (!t->name)
		return -ENOMEM;
	t->result = *res;
	r->test_cnt++;

	if (res->by == REPLAY_BY_KERNEL) {
		r->interp_agree++;
		r->kernel_agree += res->verdict == REPLAY_AGREE;
		r->kernel_disagree += res->verdict == REPLAY_DISAGREE;
		r->kernel_not_replayable += res->verdict == REPLAY_NOT_REPLAYABLE;
		/* a test that reached the test run was compared, agreeing or not */
		if (res->verdict != REPLAY_NOT_REPLAYABLE) {
			r->kernel_runs++;
			r->kernel_ms += res->kernel_ms;
		}
		return 0;
	}
	r->interp_agree += res->verdict == REPLAY_AGREE;
	r->interp_disagree += res->verdict == REPLAY_DISAGREE;
	r->interp_not_replayable += res->verdict == REPLAY_NOT_REPLAYABLE;
	/* spurious tests are not replayable anywhere */
	r->kernel_not_replayable += r->kernel && res->verdict == REPLAY_NOT_REPLAYABLE;
	return 0;
}

static const char *verdict_name(enum replay_verdict v)
{
	return v == REPLAY_AGREE ? "agree" : v == REPLAY_DISAGREE ? "disagree" : "not replayable";
}

void replay_print_line(FILE *f, const char *name, const struct replay_result *res)
{
	bool interp_disagrees = res->by == REPLAY_BY_INTERPRETER && res->verdict == REPLAY_DISAGREE;

	fprintf(f, "%s: %s%s%s%s\n", name, verdict_name(res->verdict), res->verdict == REPLAY_AGREE ? "" : ": ",
		interp_disagrees ? "interpreter: " : "", res->reason);
}

static double kernel_ms_per_test(const struct replay_report *r)
{
	return r->kernel_runs ? r->kernel_ms / (double)r->kernel_runs : 0;
}

void replay_report__print_summary(FILE *f, const struct replay_report *r)
{
	fprintf(f, "%s (%s): %zu tests; interpreter: %" PRIu64 " agree, %" PRIu64 " disagree, %" PRIu64
		   " not replayable",
		r->program ? r->program : "-", r->hook, r->test_cnt, r->interp_agree, r->interp_disagree,
		r->interp_not_replayable);
	if (r->kernel)
		fprintf(f, "; kernel: %" PRIu64 " agree, %" PRIu64 " disagree, %" PRIu64
			   " not replayable, %.3f ms per test run",
			r->kernel_agree, r->kernel_disagree, r->kernel_not_replayable, kernel_ms_per_test(r));
	fputc('\n', f);
}

void replay_report__print(FILE *f, const struct replay_report *r)
{
	for (size_t i = 0; i < r->test_cnt; i++)
		replay_print_line(f, r->tests[i].name, &r->tests[i].result);
	replay_report__print_summary(f, r);
}

void replay_report__print_json(FILE *f, const struct replay_report *r)
{
	struct json_writer w = { .f = f, .first = true };

	jsonw_object(&w, NULL, false);
	jsonw_string(&w, "program", r->program);
	jsonw_string(&w, "hook", r->hook);
	jsonw_bool(&w, "kernel", r->kernel);
	jsonw_array(&w, "tests", false);
	for (size_t i = 0; i < r->test_cnt; i++) {
		const struct replay_result *res = &r->tests[i].result;

		jsonw_object(&w, NULL, true);
		jsonw_string(&w, "test", r->tests[i].name);
		jsonw_string(&w, "verdict", verdict_name(res->verdict));
		jsonw_string(&w, "by", res->by == REPLAY_BY_KERNEL ? "kernel" : "interpreter");
		jsonw_string(&w, "reason", res->reason);
		jsonw_end(&w);
	}
	jsonw_end(&w);
	jsonw_uint(&w, "interpreter_agree", r->interp_agree);
	jsonw_uint(&w, "interpreter_disagree", r->interp_disagree);
	jsonw_uint(&w, "interpreter_not_replayable", r->interp_not_replayable);
	if (r->kernel) {
		jsonw_uint(&w, "kernel_agree", r->kernel_agree);
		jsonw_uint(&w, "kernel_disagree", r->kernel_disagree);
		jsonw_uint(&w, "kernel_not_replayable", r->kernel_not_replayable);
		jsonw_double(&w, "kernel_ms_per_test", kernel_ms_per_test(r), 3);
	} else {
		jsonw_null(&w, "kernel_agree");
		jsonw_null(&w, "kernel_disagree");
		jsonw_null(&w, "kernel_not_replayable");
		jsonw_null(&w, "kernel_ms_per_test");
	}
	jsonw_end(&w);
	fputc('\n', f);
}

/* ---- a directory of tests ---- */

static int is_test_file(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return !strncmp(d->d_name, "test-", 5) && len > 10 && !strcmp(d->d_name + len - 5, ".json");
}

/* The interpreter's verdict, as the self-check gives it. */
static int interpreter_verdict(struct mhse_vm *vm, uint64_t budget, const struct mhse_prog *prog,
			       const struct path_result *p, struct replay_result *res)
{
	int err;

	*res = (struct replay_result){ .by = REPLAY_BY_INTERPRETER };
	if (p->spurious) {
		verdict(res, REPLAY_NOT_REPLAYABLE, "%s", spurious_reason);
		return 0;
	}
	vm->insn_budget = selfcheck__insn_budget(p, budget);
	err = selfcheck__path(vm, prog, p, NULL, res->reason, sizeof(res->reason));
	if (err < 0)
		return err;
	res->verdict = err ? REPLAY_DISAGREE : REPLAY_AGREE;
	return 0;
}

int mhse_replay(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		const char *dir, const struct replay_opts *opts, struct replay_report *report)
{
	const struct mhse_prog *kernel_prog = NULL;
	struct replay_kernel *rk = NULL;
	struct mhse_vm *vm = NULL;
	struct dirent **names = NULL;
	uint64_t budget;
	int n, err;

	err = replay_report__init(report, prog ? prog->name : NULL, hook->name, opts->kernel);
	if (err)
		return err;
	n = scandir(dir, &names, is_test_file, alphasort);
	if (n < 0) {
		err = -errno;
		pr_err("%s: %s\n", dir, strerror(errno));
		return err;
	}
	err = mhse_vm__new(obj, hook, &vm);
	budget = vm ? vm->insn_budget : 0;
	for (int i = 0; i < n && !err; i++) {
		const struct mhse_prog *test_prog;
		struct replay_result res;
		struct path_result p;
		char file[4096];

		snprintf(file, sizeof(file), "%s/%s", dir, names[i]->d_name);
		err = test_reader__load(file, obj, hook, &p, &test_prog);
		if (err)
			break;
		if (prog && test_prog != prog) {
			pr_err("%s: a test of program %s, not %s\n", file, test_prog->name, prog->name);
			err = -EINVAL;
		}
		if (!err && !report->program && !(report->program = strdup(test_prog->name)))
			err = -ENOMEM;
		if (!err)
			err = interpreter_verdict(vm, budget, test_prog, &p, &res);
		if (!err && opts->kernel && res.verdict == REPLAY_AGREE) {
			if (kernel_prog != test_prog) {
				replay_kernel__close(rk);
				rk = NULL;
				kernel_prog = test_prog;
				err = replay_kernel__open(obj, test_prog, hook, &rk);
			}
			if (!err)
				err = replay_kernel__test(rk, &p, &res);
		}
		if (!err) {
			names[i]->d_name[strlen(names[i]->d_name) - 5] = '\0'; /* the name without ".json" */
			err = replay_report__add(report, names[i]->d_name, &res);
		}
		path_result__free(&p);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	replay_kernel__close(rk);
	mhse_vm__free(vm);
	return err;
}

/* ---- stats.json ---- */

static const char *const count_keys[] = { "kernel_agree", "kernel_disagree", "kernel_not_replayable" };
#define COUNT_KEYS (sizeof(count_keys) / sizeof(count_keys[0]))

struct stats_doc {
	yaml_document_t doc;
	const struct replay_report *r;
	bool combined;                /* "programs" and "total" */
	uint64_t mine[COUNT_KEYS];    /* r's counts */
	uint64_t total[COUNT_KEYS];   /* over the programs of a combined file */
};

static yaml_node_t *doc_node(struct stats_doc *sd, int id)
{
	return yaml_document_get_node(&sd->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *doc_member(struct stats_doc *sd, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(doc_node(sd, p->key));

		if (k && !strcmp(k, key))
			return doc_node(sd, p->value);
	}
	return NULL;
}

static bool is_count_key(const char *key)
{
	for (size_t i = 0; i < COUNT_KEYS; i++)
		if (!strcmp(key, count_keys[i]))
			return true;
	return false;
}

/* The report's program entry of a combined file. */
static bool is_mine(struct stats_doc *sd, const yaml_node_t *entry)
{
	const char *program = scalar(doc_member(sd, entry, "program"));

	return program && sd->r->program && !strcmp(program, sd->r->program);
}

/* A scalar as the writer wrote it: quoted strings, and plain null, booleans,
 * integers and fixed-point numbers, keeping their decimals. */
static void emit_scalar(struct json_writer *w, const char *key, const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value, *dot = strchr(s, '.');

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		jsonw_string(w, key, s);
	else if (!strcmp(s, "null"))
		jsonw_null(w, key);
	else if (!strcmp(s, "true") || !strcmp(s, "false"))
		jsonw_bool(w, key, s[0] == 't');
	else if (dot)
		jsonw_double(w, key, strtod(s, NULL), (int)strlen(dot + 1));
	else if (s[0] == '-')
		jsonw_int(w, key, strtoll(s, NULL, 10));
	else
		jsonw_uint(w, key, strtoull(s, NULL, 10));
}

static void emit_node(struct json_writer *w, const char *key, struct stats_doc *sd, yaml_node_t *n,
		      const uint64_t *counts);

/* A mapping, with counts (when not NULL) replacing its kernel counts. */
static void emit_mapping(struct json_writer *w, const char *key, struct stats_doc *sd, yaml_node_t *n,
			 const uint64_t *counts)
{
	bool root = n == yaml_document_get_root_node(&sd->doc);

	jsonw_object(w, key, n->start_mark.line == n->end_mark.line);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = scalar(doc_node(sd, p->key));
		yaml_node_t *v = doc_node(sd, p->value);

		if (!k || !v || (counts && is_count_key(k)))
			continue;
		if (root && sd->combined && !strcmp(k, "total"))
			emit_node(w, k, sd, v, sd->total);
		else
			emit_node(w, k, sd, v, NULL);
	}
	for (size_t i = 0; counts && i < COUNT_KEYS; i++)
		jsonw_uint(w, count_keys[i], counts[i]);
	jsonw_end(w);
}

static void emit_node(struct json_writer *w, const char *key, struct stats_doc *sd, yaml_node_t *n,
		      const uint64_t *counts)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		emit_scalar(w, key, n);
		break;
	case YAML_SEQUENCE_NODE:
		jsonw_array(w, key, n->start_mark.line == n->end_mark.line);
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			yaml_node_t *item = doc_node(sd, *i);

			if (item)
				emit_node(w, NULL, sd, item, item->type == YAML_MAPPING_NODE && is_mine(sd, item) ?
								     sd->mine : NULL);
		}
		jsonw_end(w);
		break;
	case YAML_MAPPING_NODE:
		emit_mapping(w, key, sd, n, counts);
		break;
	default:
		jsonw_null(w, key);
		break;
	}
}

static void emit_stats(struct json_writer *w, const void *arg)
{
	struct stats_doc *sd = (struct stats_doc *)arg;
	yaml_node_t *root = yaml_document_get_root_node(&sd->doc);

	emit_mapping(w, NULL, sd, root, sd->combined ? NULL : sd->mine);
}

/* The kernel counts of a combined file's total: every program's, r's own
 * replacing what its entry held. */
static void sum_programs(struct stats_doc *sd, yaml_node_t *programs)
{
	for (yaml_node_item_t *i = programs->data.sequence.items.start; i < programs->data.sequence.items.top; i++) {
		yaml_node_t *entry = doc_node(sd, *i);
		bool mine = is_mine(sd, entry);

		for (size_t c = 0; c < COUNT_KEYS; c++) {
			const char *v = scalar(doc_member(sd, entry, count_keys[c]));

			sd->total[c] += mine ? sd->mine[c] : v ? strtoull(v, NULL, 10) : 0;
		}
	}
}

int replay_stats__update(const char *dir, const struct replay_report *r)
{
	struct stats_doc sd = { .r = r, .mine = { r->kernel_agree, r->kernel_disagree, r->kernel_not_replayable } };
	char path[4096], tmp[4112];
	yaml_node_t *root, *programs;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/stats.json", dir);
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		if (err != -ENOENT)
			pr_err("%s: %s\n", path, strerror(-err));
		return err;
	}
	err = yaml_file__read(f, path, &sd.doc);
	fclose(f);
	if (err)
		return err;
	root = yaml_document_get_root_node(&sd.doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		pr_err("%s: expected a JSON object\n", path);
		err = -EINVAL;
		goto out;
	}
	programs = doc_member(&sd, root, "programs");
	sd.combined = programs && programs->type == YAML_SEQUENCE_NODE;
	if (sd.combined)
		sum_programs(&sd, programs);
	/* a new file renamed over the old: a failed write leaves the old one */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	err = jsonw_write_file(tmp, emit_stats, &sd);
	if (!err && rename(tmp, path)) {
		err = -errno;
		pr_err("%s: %s\n", path, strerror(errno));
	}
	if (err)
		unlink(tmp);
out:
	yaml_document_delete(&sd.doc);
	return err;
}
