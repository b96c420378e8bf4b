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
 * A region's bytes live in pages of SPAGE_SIZE bytes, grouped in
 * directories, and both are shared copy-on-write: a fork copies a region's
 * directory table, a write copies one directory and one page. A page exists
 * only once a path touched it; every other byte is the region's origin,
 * what it held before the program ran: zeroes, concrete initial content
 * (global data), or fresh symbolic bytes (a map value whose contents are an
 * input), the elements of one Z3 array named for the region, so that the
 * same byte read twice is the same term and nothing is made for bytes no
 * path reads. Memory and time follow what a path touches, not region sizes.
 * Pages remember which origin bytes a path read: a test lists those inputs
 * and no others (bytes it does not list are zero, and no path reads them).
 *
 * An access at a symbolic offset into a small region is one case per
 * offset it can take. Into a larger one, the region's bytes become an array
 * term as KLEE's update lists do: the written bytes are stored over the
 * origin's array (flushed), a symbolic write stores into it and makes every
 * byte unknown to the pages, and a read selects from it, past the stores
 * its index cannot hit. A copy of kilobytes (a string of symbolic length)
 * is one layer in that list, a lambda over the byte index, which a read
 * instantiates at its index, unless it is a bulk read that leaves it to the
 * solver (state__read_byte's bulk). The packet is an array
 * from the start (index: 64-bit offset in the buffer, element: a byte),
 * because programs read it at offsets the packet itself decides, and its end
 * is the symbolic term pkt_hi.
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

#define SPAGE_SHIFT 7
#define SPAGE_SIZE (1u << SPAGE_SHIFT)
#define SPAGE_WORDS (SPAGE_SIZE / 64)
#define SDIR_SHIFT 6
#define SDIR_PAGES (1u << SDIR_SHIFT)
#define SDIR_BYTES (SDIR_PAGES * SPAGE_SIZE)
/* Regions up to this size take a symbolic offset as one case per offset. */
#define SREGION_CASES_MAX 4096

struct spage {
	unsigned refs;
	uint64_t set[SPAGE_WORDS];     /* bytes holding a value of their own */
	uint64_t flushed[SPAGE_WORDS]; /* set bytes the region's update array holds as well */
	uint64_t dirty[SPAGE_WORDS];   /* bytes ever written (their value may differ from the origin's) */
	uint64_t read[SPAGE_WORDS];    /* bytes read while not set: inputs when the origin is fresh */
	uint8_t conc[SPAGE_SIZE];
	Z3_ast *sym;                   /* SPAGE_SIZE entries, NULL where concrete; NULL while all are */
	int32_t ptr_tag[SPAGE_SIZE / 8]; /* per 8-byte slot: region of a symbolic pointer spilled there, or -1 */
};

struct sdir {
	unsigned refs;
	struct spage *pages[SDIR_PAGES];
};

enum sorigin_kind {
	SORIGIN_BYTES, /* concrete initial content */
	SORIGIN_FRESH, /* fresh symbolic bytes: the elements of an array constant */
};

/* What a region held before the program ran (shared by its copies). */
struct sorigin {
	unsigned refs;
	uint8_t kind;      /* enum sorigin_kind */
	bool owned;        /* bytes is freed with the origin */
	const uint8_t *bytes;
	Z3_ast array;      /* fresh: the array constant; bytes: the content as an array, once needed */
};

/* An access at a symbolic offset: the bytes it covers are known only in a model. */
struct sym_access {
	Z3_ast off;
	uint32_t len;
	Z3_ast covered; /* of those, how many a model takes (64 bits), or NULL: len */
	bool write;
};

/* Bytes [off, off + len) of a region, of which the first covered (a
 * 64-bit term, at most len) are the ones a model takes; NULL: all. */
struct sregion_span {
	struct sval off;
	uint32_t len;
	Z3_ast covered;
};

struct sregion {
	unsigned refs;
	uint8_t kind;      /* enum mem_kind */
	bool writable;
	int32_t owner;
	uint32_t size;
	struct sorigin *origin; /* NULL: zeroes */
	struct sdir **dirs;     /* one per SDIR_BYTES, NULL while untouched */
	Z3_ast updates;         /* after a symbolic-offset access to a large region: its bytes as an array */
	struct sym_access *accesses;
	uint32_t access_cnt;
	Z3_ast array;      /* array-backed regions (the packet): the current array term */
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
	Z3_ast realisable; /* lookup policy: when this answer agrees with what the map held then, else NULL */
};

struct trace_call {
	const char *fmt;   /* owned by the engine */
	uint32_t fmt_len;
	Z3_ast args[3];
};

/* An event's bytes stay in the memory they were emitted from: a reference
 * to the region as it was then (copy-on-write keeps it so), read in the
 * path's model only when its test is written, and only as many bytes as
 * the model gives the event. A helper emitting 256 KiB of scratch memory
 * thus costs a reference, not a term of two million bits. */
struct event_record {
	int32_t helper;
	uint32_t map;
	struct sregion *mem; /* the region the bytes come from, as it was then, or NULL */
	uint32_t mem_id;     /* its id: the origin bytes the whole path reads are inputs */
	struct sval mem_off;
	uint32_t len;        /* bytes from mem */
	Z3_ast len_term;     /* the number of them the event keeps (64 bits, at most len), or NULL: all */
	Z3_ast tail;         /* tail_len bytes after them from elsewhere (the packet), byte 0 lowest, or NULL */
	uint32_t tail_len;
};

struct nondet_value {
	int32_t helper;
	Z3_ast e;
};

/* Kernel memory a kernel pointer names: an object of its own per pointer
 * term (state.c's region of fresh bytes), the pointer at KOBJ_SPAN / 2 in
 * it, so that fields before it (container_of) and after it read alike,
 * and a buffer of up to 512 KiB from it (a 256 KiB probe_read of a user
 * buffer into a scratch area). */
#define KOBJ_SPAN 1048576

struct kobject {
	Z3_ast base;       /* the pointer, 64 bits */
	uint32_t region;
};

struct state {
	struct sval regs[11];
	const struct mhse_prog *prog;
	size_t pc;
	struct sframe frames[MHSE_MAX_CALL_FRAMES];
	unsigned depth, tail_calls;
	uint32_t tail_next;      /* a tail call run again for its open slot's next case (policy.c's tail_case) */
	uint32_t string_scan;    /* a long string read run again past bytes known not NUL (kprobe_sym.c's own_string) */
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
	size_t nondet_before;  /* of them, recorded before the instruction running */
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
	struct kobject *kobjs;
	size_t kobj_cnt;
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
/* Appends an event (a copy of ev; its region is shared). Returns 0 or -ENOMEM. */
int state__add_event(struct state *s, const struct event_record *ev);

/* Gives a new region (no byte touched yet) its origin: concrete bytes
 * (copied unless borrowed, which must outlive the engine), or fresh
 * symbolic bytes, the elements of array (bit-vector 64 to 8). */
int sregion__set_bytes(struct sregion *r, const uint8_t *bytes, bool borrowed);
int sregion__set_fresh(struct sregion *r, Z3_ast array);
/* Resizes a region no path touched yet. */
int sregion__resize(struct sregion *r, uint32_t size);

/* Reads size bytes at byte offset off (a term or a number) of region id as
 * the program does: the bytes read from a fresh origin become the path's
 * inputs. Returns 0 or -ENOMEM. */
int state__read(struct sym_ctx *ctx, struct state *s, uint32_t id, struct sval off, unsigned size, struct sval *out);
/* As state__read, one byte as an 8-bit term. With bulk, for a part of a
 * bulk read (a copy or a string of hundreds of bytes): at a symbolic
 * offset, a copy layer is read as an array, left to the solver, rather
 * than instantiated at the byte. */
int state__read_byte(struct sym_ctx *ctx, struct state *s, uint32_t id, struct sval off, bool bulk, Z3_ast *out);
/* Reads size bytes at a concrete offset, or at a symbolic one of a small
 * region, recording nothing: for what the hook or the engine itself looks
 * at (context fields, spilled pointers). */
struct sval sregion__read(struct sym_ctx *ctx, const struct sregion *r, struct sval off, unsigned size);
/* size bytes at off as a number, for bytes only numbers are written to
 * (a map-in-map entry's inner map, a program array slot): a byte that is a
 * term reads as zero. */
uint64_t sregion__number(const struct sregion *r, uint32_t off, unsigned size);
/* All bytes of a small region as one term, byte 0 lowest (NULL when empty). */
Z3_ast sregion__term(struct sym_ctx *ctx, const struct sregion *r);
/* All bytes of a region as an array term (index 64 bits, element 8). */
Z3_ast sregion__array(struct sym_ctx *ctx, const struct sregion *r);
/* Writes into a writable region (state__writable_region). Returns 0 or -ENOMEM. */
int sregion__write(struct sym_ctx *ctx, struct sregion *r, struct sval off, unsigned size, struct sval v);
/* Writes n bytes (each a one-byte value) from off on, as n one-byte writes,
 * but at a symbolic offset into a large region at the cost of one. */
int sregion__write_bytes(struct sym_ctx *ctx, struct sregion *r, struct sval off, uint32_t n, const struct sval *bytes);
/* Lays a copy over a large region's bytes: byte j of the span's covered
 * bytes becomes value (a term of the 64-bit constant j), the others stay
 * as they were, and the span is an access (a write, or a read of the
 * origin) that a test lists. Reads at any offset see the layer as a
 * choice, so that kilobytes copied at a symbolic offset or with a symbolic
 * length cost a term, not a term per byte. */
int sregion__write_layer(struct sym_ctx *ctx, struct sregion *r, Z3_ast j, Z3_ast value, struct sregion_span span,
			 bool write);
/* Marks a span as read, inputs a test lists, for a copy that reads them
 * through sregion__array. */
int sregion__mark_span(struct sym_ctx *ctx, struct sregion *r, struct sregion_span span);
/* Whether a region of fresh bytes is as it was made: nothing read or written. */
bool sregion__untouched(const struct sregion *r);
/* Sets one byte to a term (8 bits). */
int sregion__set_byte(struct sregion *r, uint32_t off, Z3_ast byte);

/* Whether a bit-vector term's value lies in [lo, hi] whatever its
 * variables, by its shape (masks, shifts, sums that cannot wrap). */
bool term_within(struct sym_ctx *ctx, Z3_ast t, uint64_t lo, uint64_t hi);

/* Values of terms in a path's model: bound is the value of the variable a
 * copy layer's byte term holds (its index), 0 for other terms; an array
 * term's value is its element at index bound. */
typedef uint64_t (*sregion_eval_fn)(void *arg, Z3_ast term, uint64_t bound);
/* The region's bytes now (out: size bytes): bytes no path touched as the
 * origin has them, zero for a fresh origin. 0 or -ENOMEM. */
int sregion__eval(struct sym_ctx *ctx, const struct sregion *r, sregion_eval_fn eval, void *arg, uint8_t *out);
/* The origin's bytes the path read (others zero, or the concrete content). */
int sregion__eval_origin(struct sym_ctx *ctx, const struct sregion *r, sregion_eval_fn eval, void *arg, uint8_t *out);
/* Bytes [off, off + len) of then, a region as it was earlier in the path:
 * the bytes written by then as they were, the others as the origin gives
 * them (input: sregion__eval_origin of the region at the path's end, since
 * a byte the path reads later is an input all the same). Returns 0 or
 * -ENOMEM. */
int sregion__eval_span(struct sym_ctx *ctx, const struct sregion *then, uint32_t off, uint32_t len,
		       const uint8_t *input, sregion_eval_fn eval, void *arg, uint8_t *out);

#endif
