/* SPDX-License-Identifier: MIT */
/*
 * A hook model: what one program type sees, read from specs/<name>.yaml.
 *
 * This is the declarative form of what the kernel encodes per program type in
 * C (is_valid_access and convert_ctx_access): which context offsets may be
 * read or written and at which sizes, and what a load yields (a plain value,
 * or a packet start/end/meta pointer). The interpreter and the engine consult
 * it for every context access; nothing in core/ names a program type.
 */
#ifndef MHSE_HOOK_H
#define MHSE_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ctx_kind {
	CTX_SCALAR,     /* a value stored in the context */
	CTX_PKT_START,  /* loads a pointer to the first packet byte */
	CTX_PKT_END,    /* loads a pointer one past the last packet byte */
	CTX_PKT_META,   /* loads a pointer to the start of XDP metadata */
	CTX_PKT_LEN,    /* the packet length, derived (skb->len) */
	CTX_PTR,        /* a pointer to kernel memory the program may only pass on (e.g. skb->sk) */
};

struct ctx_field {
	char *name;
	uint32_t offset, size; /* size of one element */
	uint32_t count;        /* elements of an array field (cb[5]); 1 otherwise */
	uint8_t kind;          /* enum ctx_kind */
	bool read, write;
	bool narrow;           /* loads smaller than size are allowed (read the low bytes) */
	bool narrow_write;     /* stores smaller than size too, at an offset aligned to their size */
	bool nonnull;          /* a pointer the verifier types without _OR_NULL: never NULL */
	bool wide;             /* 8-byte aligned accesses across two elements are allowed too (bpf_ctx_wide_access_ok) */
	uint64_t attach_mask;  /* attach types (bit per enum bpf_attach_type) that see it; 0: all */
	uint64_t min, max;     /* value range of a scalar */
	uint64_t bits;         /* the bits a scalar may have set (all by default) */
	uint64_t values[4];    /* the only values a scalar may hold, when value_cnt is not 0 */
	uint32_t value_cnt;
	bool full_socket;      /* the context's socket as the verifier types it: a full one, not a sock_common */
	uint64_t dflt;         /* value when a test does not set it (what the kernel's test run gives) */
	bool kernel_settable;  /* BPF_PROG_TEST_RUN's ctx_in may set it */
	uint32_t spec_line;    /* line in the spec file, for messages */
};

enum hook_input {
	HOOK_INPUT_CTX,     /* r1 = context (which may describe a packet) */
	HOOK_INPUT_RAW_MEM, /* r1 = memory, r2 = its length (conformance vectors) */
};

/* What the kernel does with a return value outside a hook's domain. */
enum hook_ret_outside {
	HOOK_RET_REJECTED, /* the verifier refuses a program that may return it (check_return_code's
			    * ranges, on all 64 bits of r0): an error path */
	HOOK_RET_WARNED,   /* the kernel runs it and warns (XDP's invalid action, on the u32 it reads) */
	HOOK_RET_ALLOWED,  /* the domain only names values (tc: the verifier leaves r0 alone) */
};

struct hook_ret {
	int64_t value;
	char *name;
	uint64_t attach_mask;  /* attach types (bit per enum bpf_attach_type) it is allowed for; 0: all */
};

/* A packet the kernel's test run refuses: this EtherType shorter than min_len. */
struct hook_l3_min {
	uint16_t ethertype;
	uint32_t min_len;
};

struct mhse_hook {
	char *name;
	char *path;
	char *description;
	char *module;         /* hooks/<name> module with this hook's context quirks, or NULL */
	uint32_t prog_type;   /* enum bpf_prog_type used to load it in the kernel */
	enum hook_input input;
	uint32_t ctx_size;
	struct ctx_field *fields;
	size_t field_cnt;
	bool has_packet;
	uint32_t pkt_min, pkt_max;     /* packet length bounds */
	uint32_t headroom;             /* buffer bytes before the packet (adjust_head grows into them) */
	uint32_t frame_size;           /* buffer bytes up to where the packet may grow (adjust_tail) */
	struct hook_ret *rets;         /* return-value domain */
	size_t ret_cnt;
	enum hook_ret_outside ret_outside; /* what the kernel does with a value outside it */
	/* The context holds kernel pointers the program may read through
	 * directly (BTF-typed, as fentry's arguments): a read of memory no
	 * region of mhse's holds is kernel memory mhse does not model. */
	bool kernel_pointers;
	bool kernel_test_run;          /* BPF_PROG_TEST_RUN supports this type */
	uint32_t kernel_pkt_min;       /* shortest packet the kernel's test run accepts */
	bool kernel_ctx_packet_end;    /* the test run takes the packet length from ctx_in's packet-end field */
	bool kernel_ctx_in_only;       /* the test run takes ctx_in alone: no packet, output buffers or repeat */
	bool kernel_sleepable;         /* the kernel loads the type sleepable only (BPF_F_SLEEPABLE) */
	struct hook_l3_min *kernel_l3_min; /* per EtherType minimum lengths the test run enforces */
	size_t kernel_l3_min_cnt;
	/* The test run takes an Ethernet frame and strips kernel_l2_len bytes of
	 * it before the program's packet; the header's EtherType is what the
	 * context field kernel_l2_ethertype holds. 0 and NULL when the program
	 * sees the frame. */
	uint32_t kernel_l2_len;
	char *kernel_l2_ethertype;
};

/* Whether ret is outside hook's return domain as the kernel reads it: all
 * 64 bits where the verifier checks, the low 32 where the kernel warns;
 * never for a hook whose domain only names values. */
bool mhse_hook__ret_outside(const struct mhse_hook *hook, uint64_t ret);
/* The message of a path that returned outside the domain. */
void mhse_hook__ret_outside_message(const struct mhse_hook *hook, char *buf, size_t len);

/* Loads a spec by name (from the spec directory) or by path (contains '/'
 * or ends in .yaml). Returns 0 or a negative errno, logging "file:line: problem". */
int mhse_hook__load(const char *name_or_path, struct mhse_hook **hook);
void mhse_hook__free(struct mhse_hook *hook);
/* Narrows a loaded hook to one attach type, as the verifier's access rules
 * and check_return_code do from the program's expected_attach_type: drops
 * the fields and return values the spec gives to other attach types only.
 * MHSE_ATTACH_UNKNOWN (a program placed without one) keeps every attach
 * type's fields and values, the forms of a field merged into one. */
#define MHSE_ATTACH_UNKNOWN UINT32_MAX
void mhse_hook__select_attach(struct mhse_hook *hook, uint32_t attach_type);
/* Which hook each program of an object uses, for sections no convention
 * names (`--hooks FILE`): a YAML mapping from program name to hook name or
 * spec path. */
struct hook_map {
	char **progs, **hooks;
	size_t cnt;
};

int mhse_hook_map__load(const char *path, struct hook_map *map);
/* The hook named for prog, or NULL. */
const char *mhse_hook_map__find(const struct hook_map *map, const char *prog);
void mhse_hook_map__free(struct hook_map *map);

/* The directory specs are read from: $MHSE_SPEC_DIR, else the build's. */
const char *mhse_hook__spec_dir(void);

/* The field of that name, or NULL. */
const struct ctx_field *mhse_hook__field(const struct mhse_hook *hook, const char *name);
/* The field covering [off, off+size), or NULL. */
const struct ctx_field *mhse_hook__field_at(const struct mhse_hook *hook, uint32_t off, uint32_t size);
/* Whether an access of size bytes at off (inside f, as field_at found it)
 * has a size the field allows: its own; smaller for a narrow load; eight
 * bytes at an 8-aligned offset of a wide field. */
bool mhse_hook__access_size_ok(const struct ctx_field *f, uint32_t off, uint32_t size, bool write);

#endif
