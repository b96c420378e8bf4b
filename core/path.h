/* SPDX-License-Identifier: MIT */
/*
 * A finished path, made concrete: everything a test needs, and the only
 * thing the engine hands to the writers. The engine builds it from the
 * solver's model of the path; the test writer, the coverage writer and the
 * self-check read it and nothing else, so that output never reaches into the
 * engine.
 */
#ifndef MHSE_PATH_H
#define MHSE_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum path_kind {
	PATH_EXIT,        /* the program returned */
	PATH_ERROR,       /* a bug: out-of-bounds or NULL access, return outside a domain the verifier enforces */
	PATH_UNSUPPORTED, /* reached something mhse does not model */
	PATH_BUDGET,      /* over the per-path instruction budget */
	PATH_TIMEOUT,     /* a solver query on this path timed out */
	PATH_WARNING,     /* the program returned a value the kernel warns about at run time (XDP's
			   * invalid action, bpf_warn_invalid_xdp_action): a return, not an error */
};

/* Whether the program returned on the path (its return value, packet and
 * maps are the test's expectations). */
static inline bool path_returned(enum path_kind kind)
{
	return kind == PATH_EXIT || kind == PATH_WARNING;
}

struct path_map_entry {
	uint32_t map;     /* index in the object's maps */
	uint8_t *key;     /* key_size bytes */
	uint8_t *value;   /* value_size bytes; NULL: the key is absent (initial) or was deleted (final) */
};

struct path_nondet {
	int32_t helper;   /* helper id that returned it */
	uint64_t value;
};

/* A record a program emitted: perf_event_output, ringbuf_output or a
 * submitted ring-buffer reservation. */
struct path_event {
	int32_t helper;   /* helper id that emitted it */
	uint32_t map;     /* the perf event array or ring buffer */
	uint8_t *data;
	uint32_t len;
};

/* Kernel memory a path read through a kernel pointer: bytes at an address
 * (bytes not listed are zero, as a faulting read gives). */
struct path_kmem {
	uint64_t addr;
	uint8_t *bytes;
	uint32_t len;
};

struct path_branch {
	uint32_t prog;    /* program index (tail calls change it) */
	uint32_t pc;      /* the conditional jump */
	bool taken;
};

struct path_result {
	enum path_kind kind;
	char message[192];       /* for errors and unsupported: what happened */
	uint32_t err_prog;       /* program index and instruction of the error */
	uint32_t err_pc;
	uint64_t ret;            /* r0 at exit (path_returned) */
	/* inputs */
	uint8_t *packet_in;
	uint32_t packet_in_len;
	uint8_t *ctx_in;         /* the context in the program's view */
	uint32_t ctx_len;
	struct path_nondet *nondet;
	size_t nondet_cnt;
	struct path_kmem *kmem;  /* kernel memory read, by address */
	size_t kmem_cnt;
	struct path_map_entry *map_in;  /* initial entries the path relies on (present or absent) */
	size_t map_in_cnt;
	/* expected outputs */
	uint8_t *packet_out;
	uint32_t packet_out_len;
	struct path_map_entry *map_out; /* entries whose final value differs from the initial one */
	size_t map_out_cnt;
	uint64_t redirect_target;
	char *trace;             /* trace_printk output */
	struct path_event *events;
	size_t event_cnt;
	/* how it got there */
	struct path_branch *branches;
	size_t branch_cnt;
	uint64_t insns;
	/* The path needs a map to answer one key two ways (possible only under
	 * the lookup policy): no real map takes it, so its test cannot replay. */
	bool spurious;
	/* The path ended after the exploration did: a state the time budget
	 * left, run along its model with no other side explored. */
	bool completed;
};

void path_result__free(struct path_result *p);

#endif
