/* SPDX-License-Identifier: MIT */
/*
 * The kernel side of replay: one program of a struct mhse_object loaded into
 * the running kernel with its maps, run through BPF_PROG_TEST_RUN.
 *
 * Only libbpf's low-level API is used (bpf_map_create, bpf_prog_load,
 * bpf_prog_test_run_opts, ...), never bpf_object: the instructions loaded
 * are mhse's own loader output, so the kernel runs exactly what mhse
 * interprets, but for calls of helpers whose one effect is their result,
 * which read the test's results instead (kernel_nondet.h). A program that
 * refers to functions (callbacks) gets the object's BTF and a function
 * record per subprogram, as libbpf gives them: the verifier wants them. A map is created the first time a loaded program refers to it,
 * at its declared sizes; global data is an array of one value holding the
 * section's initial bytes, .rodata frozen after it is written.
 *
 * Maps are named by their id (map_ids.h), programs by their index in the
 * object.
 * Values are in mhse's model of them:
 *   - per-CPU maps: one value, CPU 0's. Updates write CPU 0's slot and zero
 *     the others; lookups return CPU 0's slot; test runs execute on CPU 0,
 *     whatever CPU id the program reads (mhse_kernel__set_nondet).
 *   - program arrays: a 4-byte program index; map-in-map: a 4-byte map index.
 *
 * A run loads once and calls mhse_kernel__reset before each test: every map
 * returns to its state right after open (hash-like maps empty, arrays zero,
 * global data at its initial bytes, program and map arrays holding only the
 * object's declared initial slots, no inner maps).
 */
#ifndef MHSE_KERNEL_H
#define MHSE_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include "hook.h"
#include "object.h"

struct mhse_kernel;

/* Loads prog (with the program type of hook) and the maps it uses. Returns 0,
 * -EPERM when bpf() is unusable here (not root, no CAP_BPF, no bpf syscall)
 * with a one-line reason logged, -EOPNOTSUPP when the hook has no kernel test
 * run or the program needs what cannot be loaded (kfuncs, unbound externs),
 * or another negative errno (verifier rejection: the log is printed). */
int mhse_kernel__open(const struct mhse_object *obj, const struct mhse_prog *prog, const struct mhse_hook *hook,
		      struct mhse_kernel **k);
void mhse_kernel__close(struct mhse_kernel *k);

/* Puts program prog_idx of the object (loaded on first use, with the same
 * program type) into slot of program array map_idx. Slots set here are
 * emptied by reset. */
int mhse_kernel__set_prog_slot(struct mhse_kernel *k, int map_idx, uint32_t slot, int prog_idx);

/* Creates an inner map of map-in-map outer from its inner definition, as
 * the next map id (map_ids.h), in *id. Reset closes it. 0, or a negative errno. */
int mhse_kernel__add_inner(struct mhse_kernel *k, int outer, uint32_t *id);

/* Whether map_idx exists in the kernel (some program loaded so far uses it). */
bool mhse_kernel__has_map(const struct mhse_kernel *k, int map_idx);

/* bpf_map_update_elem with BPF_ANY/BPF_NOEXIST/BPF_EXIST. Returns 0 or the kernel's negative errno. */
int mhse_kernel__map_update(struct mhse_kernel *k, int map_idx, const void *key, const void *value, uint64_t flags);
/* The key after key (NULL: the first). Returns 0, -ENOENT past the last, or a negative errno. */
int mhse_kernel__map_next(struct mhse_kernel *k, int map_idx, const void *key, void *next_key);
/* Returns 0 with value filled, -ENOENT when absent, or a negative errno. */
int mhse_kernel__map_lookup(struct mhse_kernel *k, int map_idx, const void *key, void *value);

/* Every value of array map_idx (an array or per-CPU array), index by
 * index, into values (max_entries * value_size bytes), in a syscall or
 * two. Returns 0 or a negative errno. */
int mhse_kernel__array_values(struct mhse_kernel *k, int map_idx, uint8_t *values);

/* Returns every map to its state right after open. */
int mhse_kernel__reset(struct mhse_kernel *k);

/* The results of helpers whose one effect is their result
 * (helper_returns_recorded), in call order, for the next test runs: the
 * loaded programs read them in place of calling those helpers, 0 past the
 * last (kernel_nondet.h). Returns 0, or -E2BIG past KERNEL_NONDET_MAX. */
int mhse_kernel__set_nondet(struct mhse_kernel *k, const uint64_t *values, size_t cnt);

/* One BPF_PROG_TEST_RUN (repeat 1) of the program on CPU 0. ctx, when not
 * NULL, is ctx_in and receives ctx_out (ctx_len bytes; the kernel accepts
 * only the fields its test run may set, the rest must be zero). *out_len is
 * out's capacity on entry and the output packet's length on return. For a
 * hook whose test run takes ctx_in only (kernel_ctx_in_only), ctx_in is all
 * it gets: pkt and out are not passed, ctx receives nothing, and *out_len
 * is 0 on return. Returns 0
 * with *retval set, or the kernel's negative errno (-EINVAL for an input the
 * test run refuses, -ENOSPC when out is too small). */
int mhse_kernel__test_run(struct mhse_kernel *k, const void *pkt, uint32_t len, void *ctx, uint32_t ctx_len,
			  uint32_t *retval, void *out, uint32_t *out_len);

#endif
