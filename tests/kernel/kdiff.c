// SPDX-License-Identifier: MIT
/*
 * kernel-diff: mhse's interpreter against the running kernel, packet by
 * packet, for every XDP and tc program of the objects given on the command
 * line.
 *
 * Each program is loaded once on each side (mhse_vm__new, and
 * mhse_kernel__open for BPF_PROG_TEST_RUN) and run on the same list of
 * inputs: crafted frames (Ethernet with up to two VLAN tags, IPv4 with
 * options, IPv6 with extension headers, TCP, UDP, ICMP, ARP, odd
 * EtherTypes; addresses and ports drawn mostly from the values the test
 * programs and the seeded map entries care about), every truncation of a
 * set of them across all header boundaries, random bytes, and crafted frames
 * with random bytes flipped. One seed (-s) makes the whole list.
 *
 * Before each input both sides get the same state: maps reset, program
 * arrays holding the object's programs in object order (slot i, program i),
 * a few entries seeded so that lookups hit, and for one input in four random
 * bytes in the writable global data. tc programs also get the same
 * __sk_buff with random values in the fields BPF_PROG_TEST_RUN lets a test
 * set and a program may write; XDP programs get the test run's defaults.
 *
 * Compared afterwards: the return value (as the kernel's u32), the output
 * packet's length and bytes (from data_meta, as the kernel copies it), those
 * writable context fields, and every map a program can write (arrays: an
 * index mhse never touched equals zeroes; per-CPU maps: CPU 0's value).
 *
 * Inputs the kernel's skb test run refuses (an IPv4 or IPv6 EtherType with
 * less than that header behind it) are not run and not counted. A count is
 * one program and one input: the run ends with "N passed, N failed" and
 * exits 1 if any failed, 77 (skip) if bpf() is not usable here.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include "interp.h"
#include "kernel.h"
#include "log.h"
#include "maps.h"

#define EXIT_SKIP 77
#define MAX_PKT 1500
#define OUT_CAP 8192
#define MAX_CTX 256
#define DETAILS_PER_PROG 3

#define CRAFTED_CNT 1200
#define TRUNCATED_BASES 24
#define RANDOM_CNT 300
#define MUTATED_CNT 300

struct test_case {
	uint8_t pkt[MAX_PKT];
	uint32_t len;
	uint64_t seed; /* for the context and the global data of this input */
	bool random_globals;
	char desc[112];
};

struct test_list {
	struct test_case *tests;
	size_t cnt, cap;
};

struct rng {
	uint64_t state;
};

/* splitmix64: tiny, and one seed reproduces the list. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

static bool rng_chance(struct rng *r, uint32_t one_in)
{
	return rng_below(r, one_in) == 0;
}

static void rng_bytes(struct rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next(r);
}

#define PICK(r, pool) ((pool)[rng_below(r, sizeof(pool) / sizeof((pool)[0]))])

/* Values the test programs and the seeds below single out. */
static const uint32_t ipv4_pool[] = {
	0x0a000001, /* 10.0.0.1: xdp_lb's VIP, nat_rules */
	0x0a000002, /* 10.0.0.2: nat_rules */
	0x0a000005, /* 10.0.0.5: the seeded tcp_flows flow */
	0x0a010203, /* 10.1.2.3: inside xdp_adjust's tunnelled prefix */
	0x0a090909, /* 10.9.9.9: the seeded conntrack flow */
	0xc0a8014d, /* 192.168.1.77: deny_v4 /24 */
	0x0a420304, /* 10.66.3.4: deny_v4 /16 */
	0xc6336407, /* 198.51.100.7: deny_v4 /32 */
	0xc6336408, /* 198.51.100.8: next to it */
};
static const uint16_t port_pool[] = { 80, 443, 53, 22, 23, 25, 123, 1234, 1235, 1236, 1900, 8080, 9999, 40000 };
static const uint8_t tcp_flag_pool[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x03, 0x00, 0xff, 0x29 };
static const uint8_t ttl_pool[] = { 0, 1, 2, 64, 128, 255 };
static const uint8_t dscp_pool[] = { 0, 46, 10, 63 };
static const uint16_t frag_pool[] = { 0, 0x4000, 0x2000, 0x0010, 0x4001 };
static const uint16_t window_pool[] = { 0, 0xffff, 0x8000, 0x7fff, 1 };
static const uint32_t payload_pool[] = { 0, 1, 6, 20, 64, 200, 512, 1000, 1400 };
static const uint8_t ipv6_ext_pool[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT };
/* tcp_flows' seeded flow expects this sequence number next, at this TTL. */
#define SEEDED_NEXT_SEQ 0x10000000u
#define SEEDED_TTL 64

/* Flows the programs and seeds single out; a zero field is drawn freely. */
static const struct flow_target {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t proto;
	bool near_seq; /* a sequence number around SEEDED_NEXT_SEQ */
} flow_pool[] = {
	{ 0, 0x0a000001, 0, 80, IPPROTO_TCP, false },          /* xdp_lb's VIP, a tc_nat rule */
	{ 0, 0x0a000001, 0, 80, IPPROTO_UDP, false },          /* xdp_lb's VIP */
	{ 0x0a090909, 0x0a000001, 1234, 80, IPPROTO_TCP, false }, /* seeded conntrack entries */
	{ 0x0a090909, 0x0a000001, 1235, 80, IPPROTO_TCP, false },
	{ 0x0a090909, 0x0a000001, 1236, 80, IPPROTO_UDP, false },
	{ 0, 0x0a000001, 0, 53, IPPROTO_UDP, false },          /* tc_nat rules */
	{ 0, 0x0a000002, 0, 443, IPPROTO_TCP, false },
	{ 0, 0x0a000002, 0, 1234, IPPROTO_UDP, false },
	{ 0x0a000005, 0x0a000001, 40000, 80, IPPROTO_TCP, true }, /* the seeded tcp_flows flow */
};

struct builder {
	uint8_t *buf;
	uint32_t len;
	char *desc;
	size_t desc_len;
};

static void put(struct builder *w, const void *p, uint32_t n)
{
	if (w->len + n > MAX_PKT)
		n = MAX_PKT - w->len;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put8(struct builder *w, uint8_t v)
{
	put(w, &v, 1);
}

static void put16(struct builder *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, sizeof(b));
}

static void put32(struct builder *w, uint32_t v)
{
	put16(w, (uint16_t)(v >> 16));
	put16(w, (uint16_t)v);
}

static void put_random(struct builder *w, struct rng *r, uint32_t n)
{
	uint8_t b[MAX_PKT];

	rng_bytes(r, b, n < MAX_PKT ? n : MAX_PKT);
	put(w, b, n);
}

static void set16(struct builder *w, uint32_t off, uint16_t v)
{
	if (off + 2 <= w->len) {
		w->buf[off] = (uint8_t)(v >> 8);
		w->buf[off + 1] = (uint8_t)v;
	}
}

__attribute__((format(printf, 2, 3))) static void describe(struct builder *w, const char *fmt, ...)
{
	size_t used = strlen(w->desc);
	va_list ap;

	if (used + 1 >= w->desc_len)
		return;
	va_start(ap, fmt);
	vsnprintf(w->desc + used, w->desc_len - used, fmt, ap);
	va_end(ap);
}

/* One's complement sum of big-endian 16-bit words. */
static uint32_t sum16(const uint8_t *p, uint32_t n, uint32_t sum)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pick_ipv4(struct rng *r)
{
	return rng_chance(r, 4) ? (uint32_t)rng_next(r) : PICK(r, ipv4_pool);
}

static uint16_t pick_port(struct rng *r)
{
	return rng_chance(r, 4) ? (uint16_t)rng_next(r) : PICK(r, port_pool);
}

static uint32_t payload_room(const struct builder *w, uint32_t want)
{
	uint32_t room = MAX_PKT - w->len;

	return want < room ? want : room;
}

struct l3_info {
	bool ipv6;
	const struct flow_target *flow; /* or NULL */
	uint32_t pseudo_sum; /* the addresses' share of the L4 pseudo-header sum */
};

/* Writes a TCP, UDP or ICMP header and payload after an IP header; returns
 * the protocol and sets *hdr_end past the L4 header. */
static uint8_t put_l4(struct builder *w, struct rng *r, const struct l3_info *l3, uint32_t *hdr_end)
{
	const struct flow_target *flow = l3->flow;
	uint32_t kind = rng_below(r, 20), start = w->len, payload = PICK(r, payload_pool), csum_off;
	uint16_t sport = flow && flow->sport ? flow->sport : pick_port(r);
	uint16_t dport = flow ? flow->dport : pick_port(r);
	uint8_t proto;

	/* Out of 20: TCP 9, UDP 7, ICMP 2, a protocol without ports 2. */
	if (flow)
		kind = flow->proto == IPPROTO_TCP ? 0 : 9;
	if (kind < 9) {
		uint8_t doff = rng_chance(r, 3) ? (uint8_t)(5 + rng_below(r, 11)) : 5;
		uint8_t flags = rng_chance(r, 5) ? (uint8_t)rng_next(r) : PICK(r, tcp_flag_pool);
		uint32_t seq = (uint32_t)rng_next(r);

		/* Around the seeded flow's next sequence number, or half the space away. */
		if (flow && flow->near_seq) {
			seq = SEEDED_NEXT_SEQ + rng_below(r, 10000) - 5000;
			if (rng_chance(r, 5))
				seq ^= 0x80000000u;
		}
		put16(w, sport);
		put16(w, dport);
		put32(w, seq);
		put32(w, (uint32_t)rng_next(r));
		put8(w, (uint8_t)(doff << 4));
		put8(w, flags);
		put16(w, rng_chance(r, 2) ? PICK(r, window_pool) : (uint16_t)rng_next(r));
		put16(w, 0); /* checksum */
		put16(w, 0); /* urgent pointer */
		put_random(w, r, (doff - 5u) * 4);
		describe(w, " tcp %u>%u flags=0x%02x doff=%u", sport, dport, flags, doff);
		proto = IPPROTO_TCP;
		csum_off = start + 16;
	} else if (kind < 16) {
		put16(w, sport);
		put16(w, dport);
		put16(w, 0); /* length, set below */
		put16(w, 0);
		describe(w, " udp %u>%u", sport, dport);
		proto = IPPROTO_UDP;
		csum_off = start + 6;
	} else if (kind < 18) {
		put8(w, l3->ipv6 ? 128 : 8); /* echo request */
		put8(w, 0);
		put16(w, 0);
		put32(w, (uint32_t)rng_next(r));
		describe(w, " icmp");
		proto = l3->ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		csum_off = start + 2;
	} else {
		proto = rng_chance(r, 2) ? IPPROTO_GRE : IPPROTO_IPIP;
		describe(w, " proto=%u", proto);
		csum_off = 0;
	}
	*hdr_end = w->len;
	put_random(w, r, payload_room(w, payload));
	describe(w, " payload=%u", w->len - *hdr_end);
	if (proto == IPPROTO_UDP)
		set16(w, start + 4, rng_chance(r, 8) ? (uint16_t)rng_next(r) : (uint16_t)(w->len - start));

	/* Mostly right checksums, now and then a wrong one, and UDP's "none" (zero). */
	if (!csum_off || (proto == IPPROTO_UDP && rng_chance(r, 4)))
		return proto;
	if (rng_chance(r, 8)) {
		set16(w, csum_off, (uint16_t)rng_next(r));
	} else {
		uint32_t sum = proto == IPPROTO_ICMP ? 0 : l3->pseudo_sum + proto + (w->len - start);

		set16(w, csum_off, fold(sum16(w->buf + start, w->len - start, sum)));
	}
	return proto;
}

static void put_ipv4(struct builder *w, struct rng *r, uint32_t *hdr_end)
{
	const struct flow_target *flow = rng_chance(r, 2) ? &PICK(r, flow_pool) : NULL;
	uint32_t start = w->len;
	uint32_t saddr = flow && flow->saddr ? flow->saddr : pick_ipv4(r);
	uint32_t daddr = flow ? flow->daddr : pick_ipv4(r);
	uint8_t ihl = rng_chance(r, 3) ? (uint8_t)(6 + rng_below(r, 10)) : 5;
	uint8_t dscp = rng_chance(r, 4) ? (uint8_t)rng_below(r, 64) : PICK(r, dscp_pool);
	uint8_t ttl = rng_chance(r, 4) ? (uint8_t)rng_next(r) : PICK(r, ttl_pool);
	uint16_t frag = rng_chance(r, 4) ? PICK(r, frag_pool) : 0;
	struct l3_info l3 = {
		.flow = flow,
		.pseudo_sum = (saddr >> 16) + (saddr & 0xffff) + (daddr >> 16) + (daddr & 0xffff),
	};
	uint8_t proto;

	/* The tracked flow mostly keeps its path: within a few hops of the seeded TTL. */
	if (flow && flow->near_seq && rng_chance(r, 2))
		ttl = (uint8_t)(SEEDED_TTL - 6 + rng_below(r, 13));
	put8(w, (uint8_t)(0x40 | ihl));
	put8(w, (uint8_t)(dscp << 2 | rng_below(r, 4)));
	put16(w, 0); /* total length, set below */
	put16(w, (uint16_t)rng_next(r));
	put16(w, frag);
	put8(w, ttl);
	put8(w, 0); /* protocol, set below */
	put16(w, 0);
	put32(w, saddr);
	put32(w, daddr);
	/* Options: NOPs, or anything. */
	for (uint32_t i = 20; i < ihl * 4u; i++)
		put8(w, rng_chance(r, 2) ? 1 : (uint8_t)rng_next(r));
	describe(w, " ipv4 ihl=%u ttl=%u dscp=%u frag=0x%04x %08x>%08x", ihl, ttl, dscp, frag, saddr, daddr);

	proto = put_l4(w, r, &l3, hdr_end);
	if (start + 10 <= w->len)
		w->buf[start + 9] = proto;
	set16(w, start + 2, rng_chance(r, 8) ? (uint16_t)rng_next(r) : (uint16_t)(w->len - start));
	if (start + ihl * 4u <= w->len)
		set16(w, start + 10, rng_chance(r, 8) ? (uint16_t)rng_next(r) : fold(sum16(w->buf + start, ihl * 4u, 0)));
}

static void put_ipv6_addr(struct builder *w, struct rng *r, uint32_t *sum)
{
	static const uint8_t pool[][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, /* deny_v6 /48 */
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	};
	uint8_t addr[16];

	if (rng_chance(r, 3))
		rng_bytes(r, addr, sizeof(addr));
	else
		memcpy(addr, PICK(r, pool), sizeof(addr));
	put(w, addr, sizeof(addr));
	*sum = sum16(addr, sizeof(addr), *sum);
}

static void put_ipv6(struct builder *w, struct rng *r, uint32_t *hdr_end)
{
	uint32_t start = w->len, ext_cnt = rng_chance(r, 3) ? 1 + rng_below(r, 3) : 0;
	uint8_t dscp = rng_chance(r, 4) ? (uint8_t)rng_below(r, 64) : PICK(r, dscp_pool);
	uint8_t hops = rng_chance(r, 4) ? (uint8_t)rng_next(r) : PICK(r, ttl_pool);
	struct l3_info l3 = { .ipv6 = true };
	uint32_t next_off = start + 6;

	put32(w, 0x60000000u | (uint32_t)dscp << 22 | (rng_next(r) & 0xfffff));
	put16(w, 0); /* payload length, set below */
	put8(w, 0);  /* next header, set below */
	put8(w, hops);
	put_ipv6_addr(w, r, &l3.pseudo_sum);
	put_ipv6_addr(w, r, &l3.pseudo_sum);
	describe(w, " ipv6 dscp=%u hops=%u ext=%u", dscp, hops, ext_cnt);
	for (uint32_t i = 0; i < ext_cnt; i++) {
		uint8_t type = PICK(r, ipv6_ext_pool), len = (uint8_t)rng_below(r, 3);

		if (next_off < w->len)
			w->buf[next_off] = type;
		next_off = w->len;
		put8(w, 0);
		put8(w, type == IPPROTO_FRAGMENT ? 0 : len);
		put_random(w, r, type == IPPROTO_FRAGMENT ? 6 : (len + 1u) * 8 - 2);
	}
	{
		uint8_t proto = put_l4(w, r, &l3, hdr_end);

		if (next_off < w->len)
			w->buf[next_off] = proto;
	}
	set16(w, start + 4, rng_chance(r, 8) ? (uint16_t)rng_next(r) : (uint16_t)(w->len - start - 40));
}

/* A frame of some kind the programs tell apart; *hdr_end is where its
 * headers end, for truncation. */
static void craft_frame(struct rng *r, struct test_case *t, const char *prefix, uint32_t *hdr_end)
{
	static const uint8_t mac_pool[][ETH_ALEN] = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0, 0, 0, 0, 0, 0 }, /* the loopback device's own address */
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
	};
	struct builder w = { .buf = t->pkt, .desc = t->desc, .desc_len = sizeof(t->desc) };
	uint32_t tags = rng_chance(r, 3) ? 1 + rng_below(r, 2) : 0, kind = rng_below(r, 20);
	uint8_t mac[ETH_ALEN];

	snprintf(t->desc, sizeof(t->desc), "%s", prefix);
	if (rng_chance(r, 2))
		memcpy(mac, PICK(r, mac_pool), ETH_ALEN);
	else
		rng_bytes(r, mac, ETH_ALEN);
	put(&w, mac, ETH_ALEN);
	put_random(&w, r, ETH_ALEN);
	for (uint32_t i = 0; i < tags; i++) {
		put16(&w, tags == 2 && i == 0 ? ETH_P_8021AD : ETH_P_8021Q);
		put16(&w, (uint16_t)rng_next(r));
	}
	describe(&w, "vlan=%u", tags);

	if (kind < 9) {
		put16(&w, ETH_P_IP);
		put_ipv4(&w, r, hdr_end);
	} else if (kind < 15) {
		put16(&w, ETH_P_IPV6);
		put_ipv6(&w, r, hdr_end);
	} else if (kind < 16) {
		put16(&w, ETH_P_ARP);
		put16(&w, 1);
		put16(&w, ETH_P_IP);
		put8(&w, ETH_ALEN);
		put8(&w, 4);
		put16(&w, (uint16_t)(1 + rng_below(r, 2)));
		put_random(&w, r, 20);
		*hdr_end = w.len;
		describe(&w, " arp");
	} else {
		/* The dispatcher's chain EtherType, LLDP, an 802.3 length, anything. */
		static const uint16_t types[] = { 0x88b5, 0x88cc, 0x0040, 0x05dc, 0x1234, 0xffff };
		uint16_t type = rng_chance(r, 4) ? (uint16_t)rng_next(r) : PICK(r, types);

		put16(&w, type);
		*hdr_end = w.len;
		put_random(&w, r, payload_room(&w, PICK(r, payload_pool)));
		describe(&w, " type=0x%04x len=%u", type, w.len);
	}
	t->len = w.len;
}

static struct test_case *add_test(struct test_list *list, struct rng *r)
{
	struct test_case *t;

	if (list->cnt == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 1024;
		struct test_case *tests = realloc(list->tests, cap * sizeof(*tests));

		if (!tests) {
			fprintf(stderr, "kernel-diff: out of memory\n");
			exit(1);
		}
		list->tests = tests;
		list->cap = cap;
	}
	t = &list->tests[list->cnt++];
	memset(t, 0, sizeof(*t));
	t->seed = rng_next(r);
	t->random_globals = rng_chance(r, 4);
	return t;
}

static void build_tests(struct test_list *list, uint64_t seed, uint32_t min_len)
{
	struct rng r = { seed };
	uint32_t hdr_end;

	for (size_t i = 0; i < CRAFTED_CNT; i++)
		craft_frame(&r, add_test(list, &r), "crafted ", &hdr_end);
	for (size_t i = 0; i < TRUNCATED_BASES; i++) {
		struct test_case base = {};

		craft_frame(&r, &base, "", &hdr_end);
		for (uint32_t len = min_len; len <= hdr_end + 1 && len <= base.len; len++) {
			struct test_case *t = add_test(list, &r);

			memcpy(t->pkt, base.pkt, len);
			t->len = len;
			snprintf(t->desc, sizeof(t->desc), "truncated to %u of %.80s", len, base.desc);
		}
	}
	for (size_t i = 0; i < RANDOM_CNT; i++) {
		struct test_case *t = add_test(list, &r);

		/* Short ones are where header checks go wrong: half stay under 128 bytes. */
		t->len = min_len + rng_below(&r, (rng_chance(&r, 2) ? 128 : MAX_PKT) - min_len + 1);
		rng_bytes(&r, t->pkt, t->len);
		snprintf(t->desc, sizeof(t->desc), "random bytes, %u", t->len);
	}
	for (size_t i = 0; i < MUTATED_CNT; i++) {
		struct test_case *t = add_test(list, &r);
		uint32_t flips = 1 + rng_below(&r, 4);
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "%u bytes flipped in ", flips);
		craft_frame(&r, t, prefix, &hdr_end);
		for (uint32_t f = 0; f < flips; f++)
			t->pkt[rng_below(&r, hdr_end < t->len ? hdr_end : t->len)] ^= (uint8_t)(1 + rng_below(&r, 255));
	}
}

/* Map entries written on both sides before each input, so that lookups hit:
 * by map name, key and value as the bytes in memory (hex, spaces ignored). */
static const struct seed {
	const char *map, *key, *value;
} seeds[] = {
	/* xdp_firewall: sources denied by prefix, ports by policy, a per-CPU counter */
	{ "deny_v4", "18000000 c0a80100", "07000000" }, /* 192.168.1.0/24 */
	{ "deny_v4", "10000000 0a420000", "09000000" }, /* 10.66.0.0/16 */
	{ "deny_v4", "20000000 c6336407", "0b000000" }, /* 198.51.100.7/32 */
	{ "deny_v6", "30000000 20010db80bad0000 0000000000000000", "15000000" }, /* 2001:db8:bad::/48 */
	{ "port_policy", "06000017", "02" }, /* tcp/23 drop */
	{ "port_policy", "06000016", "01" }, /* tcp/22 allow */
	{ "port_policy", "1100076c", "02" }, /* udp/1900 drop */
	{ "port_policy", "11000035", "01" }, /* udp/53 allow */
	{ "verdicts", "02000000", "0a00000000000000 e803000000000000" },
	/* xdp_lb: backends (2 is a hole), a device map slot, flows already tracked */
	{ "backends", "00000000", "0a00010a 02000000010a 0000 00000000" },
	{ "backends", "01000000", "0a00010b 02000000010b 0000 00000000" },
	{ "backends", "03000000", "0a00010d 02000000010d 0100 01000000" }, /* via tx_ports[1] */
	{ "backends", "05000000", "0a00010f 02000000010f 0200 01000000" }, /* via the empty tx_ports[2] */
	{ "tx_ports", "01000000", "01000000" }, /* the loopback device */
	{ "conntrack", "0a090909 0a000001 04d2 0050 06 000000", "01000000 00000000 0500000000000000" },
	{ "conntrack", "0a090909 0a000001 04d3 0050 06 000000", "05000000 00000000 0100000000000000" },
	{ "conntrack", "0a090909 0a000001 04d4 0050 11 000000", "03000000 00000000 0100000000000000" },
	/* xdp_counters */
	{ "proto_count", "0800", "6400000000000000 0019000000000000" },
	/* tc_classify: DSCP classes and a verdict per destination port, every TC_ACT_* */
	{ "dscp_classes", "2e000000", "06000000 01000100" }, /* EF */
	{ "dscp_classes", "0a000000", "02000000 02000100" }, /* AF11 */
	{ "dscp_classes", "3f000000", "07000000 00000000" },
	{ "port_verdicts", "1700", "02000000" }, /* 23: TC_ACT_SHOT */
	{ "port_verdicts", "1900", "04000000" }, /* 25: TC_ACT_STOLEN */
	{ "port_verdicts", "3500", "05000000" }, /* 53: TC_ACT_QUEUED */
	{ "port_verdicts", "7b00", "06000000" }, /* 123: TC_ACT_REPEAT */
	{ "port_verdicts", "901f", "08000000" }, /* 8080: TC_ACT_TRAP */
	{ "port_verdicts", "6c07", "03000000" }, /* 1900: TC_ACT_PIPE */
	{ "port_verdicts", "1600", "07000000" }, /* 22: TC_ACT_REDIRECT */
	{ "port_verdicts", "bb01", "00000000" }, /* 443: TC_ACT_OK */
	{ "port_verdicts", "0f27", "45230100" }, /* 9999: no such action */
	/* tc_nat: address, port and DSCP rewrites, one redirecting */
	{ "nat_rules", "0a000001 0050 06 00", "0a00010a 1f90 00 00 00000000 00010000 0000000000000000" },
	{ "nat_rules", "0a000001 0035 11 00", "0a000135 0000 2e 00 01000000 00020000 0000000000000000" },
	{ "nat_rules", "0a000002 01bb 06 00", "0a00010c 01bb 0a 00 00000000 00030000 0000000000000000" },
	{ "nat_rules", "0a000002 04d2 11 00", "0a000002 10e1 00 00 00000000 00000000 0000000000000000" },
	/* tc_tcptrack: 10.0.0.5:40000 > 10.0.0.1:80, next sequence number SEEDED_NEXT_SEQ */
	{ "tcp_flows", "0a000005 0a000001 9c40 0050",
	  "00000010 00000000 0000000000000000 00000000 00000000 00000000 00000000 03000000 00000000 0000 0020 00 40 "
	  "0000" },
};

/* Parses hex into exactly size bytes. */
static int parse_hex(const char *hex, uint8_t *out, uint32_t size)
{
	uint32_t n = 0;

	for (const char *p = hex; *p; p++) {
		unsigned int byte;

		if (*p == ' ')
			continue;
		if (n == size || sscanf(p, "%2x", &byte) != 1)
			return -EINVAL;
		out[n++] = (uint8_t)byte;
		p++;
	}
	return n == size ? 0 : -EINVAL;
}

static void hex(const uint8_t *p, size_t n, char *buf, size_t len)
{
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < n && used + 6 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%02x", p[i]);
	if (i < n)
		snprintf(buf + used, len - used, "...");
}

/* The context both sides get: the test run's defaults, and random values in
 * the fields a test may set and the program may write. The kernel's copy
 * holds only what BPF_PROG_TEST_RUN accepts. */
struct ctx_pair {
	uint8_t vm[MAX_CTX], kernel[MAX_CTX];
	uint32_t len;
	bool used;
};

static bool ctx_field_is_input(const struct ctx_field *f)
{
	return f->kernel_settable && f->write && f->kind == CTX_SCALAR && f->size <= sizeof(uint64_t);
}

static void make_ctx(const struct mhse_hook *hook, uint64_t seed, struct ctx_pair *c)
{
	static const uint64_t interesting[] = { 0, 1, 1u << 31, 1u << 30, 0xffffffff };
	struct rng r = { seed };

	memset(c, 0, sizeof(*c));
	c->len = hook->ctx_size;
	for (size_t i = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		for (uint32_t e = 0; e < f->count; e++) {
			uint32_t off = f->offset + e * f->size;

			if (off + f->size > MAX_CTX || f->kind != CTX_SCALAR || f->size > sizeof(uint64_t))
				continue;
			mem_store_le(c->vm + off, f->size, f->dflt);
			if (ctx_field_is_input(f)) {
				c->used = true;
				mem_store_le(c->vm + off, f->size,
					     rng_chance(&r, 2) ? PICK(&r, interesting) : rng_next(&r));
			}
			if (f->kernel_settable)
				memcpy(c->kernel + off, c->vm + off, f->size);
		}
	}
}

struct map_dump {
	uint8_t *records; /* key then value, sorted by key */
	size_t cnt, cap;
	uint32_t key_size, rec_size;
};

static int dump_add(struct map_dump *d, const uint8_t *key, const uint8_t *value, bool drop_zero)
{
	const uint8_t *v = value;
	uint32_t value_size = d->rec_size - d->key_size;

	if (drop_zero) {
		while (v < value + value_size && !*v)
			v++;
		if (v == value + value_size)
			return 0;
	}
	if (d->cnt == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		uint8_t *records = realloc(d->records, cap * d->rec_size);

		if (!records)
			return -ENOMEM;
		d->records = records;
		d->cap = cap;
	}
	memcpy(d->records + d->cnt * d->rec_size, key, d->key_size);
	memcpy(d->records + d->cnt * d->rec_size + d->key_size, value, value_size);
	d->cnt++;
	return 0;
}

static int record_cmp(const void *a, const void *b, void *key_size)
{
	return memcmp(a, b, *(const uint32_t *)key_size);
}

static void dump_sort(struct map_dump *d)
{
	if (d->cnt)
		qsort_r(d->records, d->cnt, d->rec_size, record_cmp, &d->key_size);
}

struct harness {
	char name[160];
	const struct mhse_object *obj;
	const struct mhse_prog *prog;
	const struct mhse_hook *hook;
	struct mhse_vm *vm;
	struct mhse_kernel *k;
	uint8_t out[OUT_CAP];
	char kind[64];  /* what differed first: "retval", "packet", "map flows", ... */
	char diff[768]; /* and how */
};

__attribute__((format(printf, 3, 4))) static bool differ(struct harness *h, const char *kind, const char *fmt, ...)
{
	va_list ap;

	snprintf(h->kind, sizeof(h->kind), "%s", kind);
	va_start(ap, fmt);
	vsnprintf(h->diff, sizeof(h->diff), fmt, ap);
	va_end(ap);
	return true;
}

static int dump_maps(struct harness *h, int map_idx, struct map_dump *vm_dump, struct map_dump *k_dump)
{
	const struct mhse_map *m = &h->obj->maps[map_idx];
	bool array = map_is_array_like(m->type) || m->origin == MHSE_MAP_GLOBAL;
	uint8_t *buf = malloc(2 * (size_t)m->key_size + m->value_size + 1), *keys[2], *value;
	const uint8_t *vkey, *vvalue;
	uint32_t pos = 0;
	bool first = true;
	int cur = 0, err = 0;

	if (!buf)
		return -ENOMEM;
	keys[0] = buf;
	keys[1] = buf + m->key_size;
	value = buf + 2 * m->key_size;
	vm_dump->key_size = k_dump->key_size = m->key_size;
	vm_dump->rec_size = k_dump->rec_size = m->key_size + m->value_size;
	while (!err && map_state__next(&h->vm->maps[map_idx], &pos, &vkey, &vvalue))
		err = dump_add(vm_dump, vkey, vvalue, array);
	/* Two key buffers in turn: get_next_key needs the previous key. */
	while (!err && !(err = mhse_kernel__map_next(h->k, map_idx, first ? NULL : keys[cur], keys[!cur]))) {
		cur = !cur;
		first = false;
		err = mhse_kernel__map_lookup(h->k, map_idx, keys[cur], value);
		if (!err)
			err = dump_add(k_dump, keys[cur], value, array);
		else if (err == -ENOENT) /* listed but gone: not there */
			err = 0;
	}
	if (err == -ENOENT)
		err = 0;
	dump_sort(vm_dump);
	dump_sort(k_dump);
	free(buf);
	return err;
}

static bool maps_differ(struct harness *h, int map_idx)
{
	const struct mhse_map *m = &h->obj->maps[map_idx];
	struct map_dump vm_dump = {}, k_dump = {};
	char kind[64], khex[200], vhex[200], keyhex[120];
	bool found = false;
	size_t i = 0, j = 0;
	int err;

	snprintf(kind, sizeof(kind), "map %s", m->name);
	err = dump_maps(h, map_idx, &vm_dump, &k_dump);
	if (err) {
		found = differ(h, kind, "cannot list map %s: %s", m->name, strerror(-err));
		goto out;
	}
	while (!found && (i < k_dump.cnt || j < vm_dump.cnt)) {
		const uint8_t *kr = i < k_dump.cnt ? k_dump.records + i * k_dump.rec_size : NULL;
		const uint8_t *vr = j < vm_dump.cnt ? vm_dump.records + j * vm_dump.rec_size : NULL;
		int order = !kr ? 1 : !vr ? -1 : memcmp(kr, vr, m->key_size);

		if (order < 0) {
			hex(kr, m->key_size, keyhex, sizeof(keyhex));
			hex(kr + m->key_size, m->value_size, khex, sizeof(khex));
			found = differ(h, kind, "map %s key %s: kernel has %s, mhse has no entry", m->name, keyhex, khex);
		} else if (order > 0) {
			hex(vr, m->key_size, keyhex, sizeof(keyhex));
			hex(vr + m->key_size, m->value_size, vhex, sizeof(vhex));
			found = differ(h, kind, "map %s key %s: mhse has %s, the kernel has no entry", m->name, keyhex,
				       vhex);
		} else if (memcmp(kr + m->key_size, vr + m->key_size, m->value_size)) {
			hex(kr, m->key_size, keyhex, sizeof(keyhex));
			hex(kr + m->key_size, m->value_size, khex, sizeof(khex));
			hex(vr + m->key_size, m->value_size, vhex, sizeof(vhex));
			found = differ(h, kind, "map %s key %s: kernel %s, mhse %s", m->name, keyhex, khex, vhex);
		}
		i += order <= 0;
		j += order >= 0;
	}
out:
	free(vm_dump.records);
	free(k_dump.records);
	return found;
}

static const char *ret_name(const struct mhse_hook *hook, uint32_t ret)
{
	for (size_t i = 0; i < hook->ret_cnt; i++)
		if ((uint32_t)hook->rets[i].value == ret)
			return hook->rets[i].name;
	return "?";
}

/* Finds the first difference between the runs; false when they agree. */
static bool runs_differ(struct harness *h, int vm_err, uint64_t vm_ret, uint32_t k_ret, uint32_t k_len,
			const struct ctx_pair *ctx)
{
	const uint8_t *pkt, *vm_ctx;
	uint32_t len, ctx_len;

	if (vm_err)
		return differ(h, "mhse error", "mhse stopped at insn %zu (%s), the kernel returned %u (%s)",
			      h->vm->err_pc, h->vm->err_msg, k_ret, ret_name(h->hook, k_ret));
	/* The kernel's test run reports the program's return value as a u32. */
	if ((uint32_t)vm_ret != k_ret)
		return differ(h, "retval", "return value: kernel %u (%s), mhse %u (%s)", k_ret, ret_name(h->hook, k_ret),
			      (uint32_t)vm_ret, ret_name(h->hook, (uint32_t)vm_ret));
	pkt = mhse_vm__packet(h->vm, &len);
	if (len != k_len)
		return differ(h, "packet length", "output packet length: kernel %u, mhse %u", k_len, len);
	for (uint32_t i = 0; i < len; i++)
		if (pkt[i] != h->out[i])
			return differ(h, "packet bytes", "output packet byte %u: kernel 0x%02x, mhse 0x%02x", i, h->out[i],
				      pkt[i]);
	vm_ctx = mhse_vm__ctx(h->vm, &ctx_len);
	for (size_t i = 0; ctx->used && i < h->hook->field_cnt; i++) {
		const struct ctx_field *f = &h->hook->fields[i];

		if (!ctx_field_is_input(f))
			continue;
		for (uint32_t e = 0; e < f->count; e++) {
			uint32_t off = f->offset + e * f->size;
			char kind[64];

			if (off + f->size > ctx_len || !memcmp(vm_ctx + off, ctx->kernel + off, f->size))
				continue;
			snprintf(kind, sizeof(kind), "ctx %s", f->name);
			return differ(h, kind, "context %s[%u] after the run: kernel 0x%llx, mhse 0x%llx", f->name, e,
				      (unsigned long long)mem_load_le(ctx->kernel + off, f->size),
				      (unsigned long long)mem_load_le(vm_ctx + off, f->size));
		}
	}
	for (size_t i = 0; i < h->obj->map_cnt; i++)
		if (map_holds_data(h->obj->maps[i].type) && mhse_kernel__has_map(h->k, (int)i) && maps_differ(h, (int)i))
			return true;
	return false;
}

static int seed_both(struct harness *h, int map_idx, const uint8_t *key, const uint8_t *value)
{
	int err = map_state__update(&h->vm->maps[map_idx], key, value, BPF_ANY);

	if (err) {
		fprintf(stderr, "kernel-diff: %s: mhse refused a seed of map %s: %s\n", h->name,
			h->obj->maps[map_idx].name, strerror(-err));
		return err;
	}
	err = mhse_kernel__map_update(h->k, map_idx, key, value, BPF_ANY);
	if (err)
		fprintf(stderr, "kernel-diff: %s: the kernel refused a seed of map %s: %s\n", h->name,
			h->obj->maps[map_idx].name, strerror(-err));
	return err;
}

/* The same starting state on both sides: reset, program arrays filled,
 * seeds written, and maybe random global data. */
static int prepare(struct harness *h, const struct test_case *t)
{
	struct rng r = { t->seed };
	uint8_t key[256], value[256];
	int err;

	mhse_vm__reset_maps(h->vm);
	err = mhse_kernel__reset(h->k);
	if (err)
		return err;
	for (size_t i = 0; i < h->obj->map_cnt; i++) {
		const struct mhse_map *m = &h->obj->maps[i];

		if (m->type == BPF_MAP_TYPE_PROG_ARRAY) {
			for (uint32_t slot = 0; slot < m->max_entries && slot < h->obj->prog_cnt; slot++) {
				err = map_state__update(&h->vm->maps[i], &slot, &slot, BPF_ANY) ?:
				      mhse_kernel__set_prog_slot(h->k, (int)i, slot, (int)slot);
				if (err)
					return err;
			}
		}
		for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
			if (strcmp(seeds[s].map, m->name))
				continue;
			if (m->key_size > sizeof(key) || m->value_size > sizeof(value) ||
			    parse_hex(seeds[s].key, key, m->key_size) || parse_hex(seeds[s].value, value, m->value_size)) {
				fprintf(stderr, "kernel-diff: %s: the seed of map %s does not fit its key or value size\n",
					h->name, m->name);
				return -EINVAL;
			}
			err = seed_both(h, (int)i, key, value);
			if (err)
				return err;
		}
		if (t->random_globals && m->origin == MHSE_MAP_GLOBAL && !m->readonly && m->value_size <= sizeof(value)) {
			uint32_t zero = 0;

			rng_bytes(&r, value, m->value_size);
			err = seed_both(h, (int)i, (const uint8_t *)&zero, value);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Inputs the kernel's skb test run refuses (bpf_prog_test_run_skb): an IPv4
 * or IPv6 EtherType needs that header in the linear data. */
static bool kernel_refuses(const struct mhse_hook *hook, const struct test_case *t)
{
	uint16_t proto;

	if (t->len < hook->kernel_pkt_min)
		return true;
	if (hook->prog_type != BPF_PROG_TYPE_SCHED_CLS && hook->prog_type != BPF_PROG_TYPE_SCHED_ACT)
		return false;
	proto = (uint16_t)(t->pkt[12] << 8 | t->pkt[13]);
	return (proto == ETH_P_IP && t->len < ETH_HLEN + 20) || (proto == ETH_P_IPV6 && t->len < ETH_HLEN + 40);
}

static void print_failure(const struct harness *h, size_t idx, const struct test_case *t)
{
	printf("FAIL %s input %zu (%s)\n  %s\n  packet (%u bytes):", h->name, idx, t->desc, h->diff, t->len);
	for (uint32_t i = 0; i < t->len; i++)
		printf("%s%02x", i % 32 ? " " : "\n    ", t->pkt[i]);
	printf("\n");
}

struct kind_count {
	char kind[64];
	size_t cnt;
};

struct totals {
	size_t passed, failed, refused;
};

/* Runs every input through one program; -EPERM when bpf() is unusable. */
static int diff_prog(struct harness *h, const struct test_list *tests, struct totals *all)
{
	struct kind_count kinds[16] = {};
	struct totals t = {};
	int err;

	err = mhse_vm__new(h->obj, h->hook, &h->vm);
	if (err) {
		printf("FAIL %s: mhse cannot create a VM: %s\n", h->name, strerror(-err));
		all->failed++;
		return 0;
	}
	err = mhse_kernel__open(h->obj, h->prog, h->hook, &h->k);
	if (err) {
		mhse_vm__free(h->vm);
		if (err == -EPERM)
			return err;
		printf("FAIL %s: the kernel does not load it: %s\n", h->name, strerror(-err));
		all->failed++;
		return 0;
	}

	for (size_t i = 0; i < tests->cnt; i++) {
		const struct test_case *tc = &tests->tests[i];
		struct vm_input in = { .packet = tc->pkt, .packet_len = tc->len };
		uint32_t k_ret = 0, k_len = sizeof(h->out);
		struct ctx_pair ctx;
		uint64_t vm_ret = 0;
		int vm_err = 0;
		bool failed;

		if (kernel_refuses(h->hook, tc)) {
			t.refused++;
			continue;
		}
		make_ctx(h->hook, tc->seed, &ctx);
		if (ctx.used) {
			in.ctx = ctx.vm;
			in.ctx_len = ctx.len;
		}
		err = prepare(h, tc);
		if (!err) {
			vm_err = mhse_vm__run(h->vm, h->prog, &in, &vm_ret);
			err = mhse_kernel__test_run(h->k, tc->pkt, tc->len, ctx.used ? ctx.kernel : NULL, ctx.len, &k_ret,
						    h->out, &k_len);
		}
		if (err)
			failed = differ(h, "harness", "cannot set up or run the kernel side: %s", strerror(-err));
		else
			failed = runs_differ(h, vm_err, vm_ret, k_ret, k_len, &ctx);
		if (!failed) {
			t.passed++;
			continue;
		}
		if (t.failed++ < DETAILS_PER_PROG)
			print_failure(h, i, tc);
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			if (!kinds[k].cnt || !strcmp(kinds[k].kind, h->kind)) {
				snprintf(kinds[k].kind, sizeof(kinds[k].kind), "%s", h->kind);
				kinds[k].cnt++;
				break;
			}
		}
	}

	printf("%s: %zu passed, %zu failed, %zu not run (the kernel refuses them)\n", h->name, t.passed, t.failed,
	       t.refused);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && kinds[k].cnt; k++)
		printf("  first difference %s: %zu\n", kinds[k].kind, kinds[k].cnt);
	all->passed += t.passed;
	all->failed += t.failed;
	mhse_kernel__close(h->k);
	mhse_vm__free(h->vm);
	return 0;
}

struct hook_tests {
	struct mhse_hook *hook;
	struct test_list tests;
};

static struct hook_tests *hook_tests_get(struct hook_tests *cache, size_t cap, const char *name, uint64_t seed)
{
	size_t i;

	for (i = 0; i < cap && cache[i].hook; i++)
		if (!strcmp(cache[i].hook->name, name))
			return &cache[i];
	if (i == cap || mhse_hook__load(name, &cache[i].hook))
		return NULL;
	build_tests(&cache[i].tests, seed, cache[i].hook->kernel_pkt_min);
	return &cache[i];
}

int main(int argc, char **argv)
{
	static const char *const hooks[] = { "xdp", "tc" };
	struct hook_tests cache[sizeof(hooks) / sizeof(hooks[0])] = {};
	uint64_t seed = 0x6d687365; /* "mhse" */
	struct totals all = {};
	int opt, ret = 0;

	while ((opt = getopt(argc, argv, "s:")) != -1) {
		if (opt != 's') {
			fprintf(stderr, "usage: %s [-s SEED] OBJECT...\n", argv[0]);
			return 2;
		}
		seed = strtoull(optarg, NULL, 0);
	}

	for (int a = optind; a < argc && !ret; a++) {
		struct mhse_object *obj;
		const char *base = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];

		if (mhse_object__open(argv[a], NULL, &obj)) {
			printf("FAIL %s: mhse cannot open it\n", argv[a]);
			all.failed++;
			continue;
		}
		for (size_t p = 0; p < obj->prog_cnt && !ret; p++) {
			const struct mhse_prog *prog = &obj->progs[p];
			struct harness *h;
			struct hook_tests *ht;
			bool ours = false;

			for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
				ours |= prog->hook && !strcmp(prog->hook, hooks[i]);
			if (!ours)
				continue;
			ht = hook_tests_get(cache, sizeof(cache) / sizeof(cache[0]), prog->hook, seed);
			if (!ht) {
				printf("FAIL %s:%s: no %s hook spec\n", base, prog->name, prog->hook);
				all.failed++;
				continue;
			}
			h = calloc(1, sizeof(*h));
			if (!h) {
				fprintf(stderr, "kernel-diff: out of memory\n");
				return 1;
			}
			snprintf(h->name, sizeof(h->name), "%s:%s", base, prog->name);
			h->obj = obj;
			h->prog = prog;
			h->hook = ht->hook;
			if (diff_prog(h, &ht->tests, &all) == -EPERM)
				ret = EXIT_SKIP;
			free(h);
		}
		mhse_object__close(obj);
	}
	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		mhse_hook__free(cache[i].hook);
		free(cache[i].tests.tests);
	}
	if (ret == EXIT_SKIP)
		return ret;
	printf("%zu passed, %zu failed\n", all.passed, all.failed);
	return all.failed ? 1 : 0;
}
