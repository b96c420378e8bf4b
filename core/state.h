/* SPDX-License-Identifier: MIT */
/*
 * Execution states of the symbolic engine, and their memory.
 *
 * A state is one path in progress: registers, call frames, regions and the
 * path constraints. Regions use the interpreter's region ids (interp.c's
 * fixed layout: eight stack frames, context, packet, raw memory, then map
 * values), so a concrete pointer means the same in both. States fork
 * copy-on-write: regions are shared, with a reference count, until written.
 *
 * A region's bytes are concrete, or 8-bit terms where symbolic. The packet
 * is a Z3 array instead (index: 64-bit offset in the buffer, element: a
 * byte), because programs read it at offsets the packet itself decides,
 * and its end is the symbolic term pkt_hi.
 */
#ifndef MHSE_STATE_H
#define MHSE_STATE_H

#include "engine.h"
#include "expr.h"
#include "insn.h"
#include "solver.h"

enum {
	SREGION_STACK0 = 0,
	SREGION_CTX = MHSE_MAX_CALL_FRAMES,
	SREGION_PKT,
	SREGION_RAW,
	SREGION_FIXED,
};

struct sregion {
	unsigned refs;
	uint8_t kind;      /* enum mem_kind */
	bool writable;
	int32_t owner;
	uint32_t size;
	uint8_t *conc;     /* size bytes */
	Z3_ast *sym;       /* size entries, NULL where the byte is concrete; NULL when all are */
	Z3_ast array;      /* array-backed regions (the packet): the current array term */
	int32_t *ptr_tag;  /* per aligned 8-byte slot: region of a symbolic pointer spilled there, or -1 */
};

struct sframe {
	const struct mhse_prog *prog;
	size_t ret_pc;
	struct sval saved[4];
	/* a bpf_loop callback's frame: iteration loop_index of loop_nr (a u32
	 * term) runs loop_callback with (index, loop_ctx) */
	bool loop;
	uint32_t loop_index;
	size_t loop_callback;
	struct sval loop_nr, loop_ctx;
};

/* What a path learned about one map key (the consistent and lookup policies). */
struct map_record {
	uint32_t map;
	Z3_ast key;        /* key_size * 8 bits */
	bool present;
	bool initial;      /* describes the initial contents (a test input), not a write */
	uint32_t region;   /* value region when present */
	uint32_t init_region; /* for initial records: the value region as first read (a copy kept for the test) */
	Z3_ast realisable; /* lookup policy: when this answer agrees with what the map held then, else NULL */
};

struct trace_call {
	const char *fmt;   /* owned by the engine */
	uint32_t fmt_len;
	Z3_ast args[3];
};

struct event_record {
	int32_t helper;
	uint32_t map;
	Z3_ast data;       /* len * 8 bits, as the bytes were when emitted; NULL when len is 0 */
	uint32_t len;
	Z3_ast len_term;   /* the event's length (64 bits, at most len) when a value decides it, or NULL */
};

struct nondet_value {
	int32_t helper;
	Z3_ast e;
};

struct state {
	struct sval regs[11];
	const struct mhse_prog *prog;
	size_t pc;
	struct sframe frames[MHSE_MAX_CALL_FRAMES];
	unsigned depth, tail_calls;
	bool spin_lock_held;     /* between bpf_spin_lock and bpf_spin_unlock */
	struct sregion **regions;
	uint32_t region_cnt, region_cap;
	const struct constraint **path;
	size_t path_cnt, path_cap;
	struct path_model model; /* the path's model, and how much of the path it satisfies */
	/* packet window: data starts at pkt_lo (concrete), ends at pkt_hi (term) */
	uint32_t pkt_lo, pkt_meta;
	Z3_ast pkt_hi;
	uint64_t pkt_len_proven; /* pkt_hi - pkt_lo >= this is implied by the path */
	uint32_t pkt_low_water;  /* lowest buffer offset ever exposed: below it, the buffer is zeroes */
	uint32_t skb_net_off;    /* tc: the skb's network header, in bytes from the packet data */
	bool skb_encapsulated;   /* tc: skb_adjust_room encapsulated the packet (skb->encapsulation) */
	/* tc: the tunnel info skb_set_tunnel_key gave the skb, as skb_get_tunnel_key
	 * returns it with BPF_F_TUNINFO_FLAGS (a struct bpf_tunnel_key, 352 bits,
	 * byte 0 lowest), or NULL */
	Z3_ast skb_tunnel_key;
	bool skb_tunnel_ipv6;
	struct nondet_value *nondet;
	size_t nondet_cnt;
	struct map_record *records;
	size_t record_cnt;
	/* the inner maps the path's map-in-map lookups found: inner map k, id
	 * obj->map_cnt + k, was found in map-in-map inner_outer[k] */
	uint32_t *inner_outer;
	uint32_t inner_cnt;
	struct path_branch *branches;
	size_t branch_cnt;
	struct sval redirect;
	struct event_record *events;
	size_t event_cnt;
	struct trace_call *traces; /* trace_printk calls, formatted when the path ends */
	size_t trace_cnt;
	uint64_t insns;
	uint64_t depth_in_tree; /* forks on the way here, for random-path search */
	uint64_t *fork_bits;    /* the decision at each of them (partition.h) */
	bool owned;             /* the paths below are this process's share of the tree */
	uint64_t fresh_cnt;     /* fresh variables made on the way here */
	struct proven_window *windows;
	size_t window_cnt;
};

/* Bytes [base + lo, base + hi) of a region that the path has proven in
 * bounds, base symbolic (a header whose offset the packet decides): an
 * access inside needs no solver query. A packet window holds while the
 * packet's start and end stay where they were proven. */
struct proven_window {
	Z3_ast base;
	Z3_ast end;        /* the packet's end (pkt_hi) when proven; NULL in other regions */
	uint64_t start;    /* the packet's start (pkt_meta) likewise */
	int64_t lo, hi;
	uint32_t region;
};

struct engine;

struct state *state__new(void);
struct state *state__fork(const struct state *s);
void state__free(struct state *s);

/* Adds a region and returns its id (or -ENOMEM). */
int state__add_region(struct state *s, uint8_t kind, uint32_t size, bool writable, int32_t owner);
/* A second id for region id (the same bytes until either is written). */
int state__share_region(struct state *s, uint32_t id);
/* The region, made private to s for writing. */
struct sregion *state__writable_region(struct state *s, uint32_t id);
/* Appends a constraint (owned by the engine's arena). */
int state__constrain(struct state *s, const struct constraint *c);

/* Reads size bytes at byte offset off (a term or a number) of region id. */
struct sval sregion__read(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size);
/* All bytes of a byte-backed region as one term, byte 0 lowest (NULL when empty). */
Z3_ast sregion__term(struct sym_ctx *ctx, const struct sregion *r);
void sregion__write(struct sym_ctx *ctx, struct sregion *r, struct sval off, unsigned size, struct sval v);

#endif
