// SPDX-License-Identifier: MIT
/*
 * Helpers every program type has: map operations, time and randomness,
 * checksums, trace output. Values the kernel would make up (time, random
 * numbers, the CPU) come from the run's nondeterministic inputs, in call
 * order, so that a test can say what each call returned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "helpers.h"
#include "trace_format.h"
#include "insn.h"
#include "map_ids.h"
#include "sock.h"
#include "vm_internal.h"

static int map_op_args(struct mhse_vm *vm, uint64_t *regs, struct map_state **ms, const uint8_t **key)
{
	*ms = vm_map(vm, regs[1]);
	if (!*ms)
		return -1;
	*key = mhse_vm__mem(vm, regs[2], (*ms)->def->key_size, false);
	return *key ? 0 : -1;
}

static int helper_map_lookup_elem(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms;
	const uint8_t *key;

	if (map_op_args(vm, regs, &ms, &key))
		return -1;
	if (ms->def->type == BPF_MAP_TYPE_PROG_ARRAY || ms->def->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	    ms->def->type == BPF_MAP_TYPE_RINGBUF)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "map_lookup_elem on %s map %s",
				     mhse_map_type__name(ms->def->type), ms->def->name);
	if (ms->def->type == BPF_MAP_TYPE_SOCKMAP || ms->def->type == BPF_MAP_TYPE_SOCKHASH)
		return sock_vm_map_lookup(vm, regs);
	regs[0] = map_state__lookup(ms, key);
	/* a map-in-map's value is the id of the map it holds, and the program gets that map */
	if (regs[0] && map_is_map_in_map(ms->def->type))
		regs[0] = VM_MAP_PTR(mem_load_le(mhse_vm__mem(vm, regs[0], 4, false), 4));
	return 0;
}

static int helper_map_update_elem(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms;
	const uint8_t *key, *value;

	if (map_op_args(vm, regs, &ms, &key))
		return -1;
	value = mhse_vm__mem(vm, regs[3], ms->def->value_size, false);
	if (!value)
		return -1;
	regs[0] = (uint64_t)(int64_t)map_state__update(ms, key, value, regs[4]);
	return 0;
}

static int helper_map_delete_elem(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms;
	const uint8_t *key;

	if (map_op_args(vm, regs, &ms, &key))
		return -1;
	regs[0] = (uint64_t)(int64_t)map_state__delete(ms, key);
	return 0;
}

static int helper_nondet_u64(struct mhse_vm *vm, uint64_t *regs)
{
	regs[0] = mhse_vm__nondet(vm);
	return 0;
}

static int helper_nondet_u32(struct mhse_vm *vm, uint64_t *regs)
{
	regs[0] = (uint32_t)mhse_vm__nondet(vm);
	return 0;
}

/* bpf_csum_diff: the checksum of the negated "from" words and the "to"
 * words on top of seed, as one csum_partial over a scratch buffer. */
static int helper_csum_diff(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t from_size = (uint32_t)regs[2], to_size = (uint32_t)regs[4];
	const uint8_t *from = NULL, *to = NULL;
	uint8_t diff[MHSE_STACK_SIZE];

	if (((from_size | to_size) & 3) || (uint64_t)from_size + to_size > sizeof(diff)) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if ((from_size && !(from = mhse_vm__mem(vm, regs[1], from_size, false))) ||
	    (to_size && !(to = mhse_vm__mem(vm, regs[3], to_size, false))))
		return -1;
	for (uint32_t i = 0; i < from_size; i++)
		diff[i] = (uint8_t)~from[i];
	if (to_size)
		memcpy(diff + from_size, to, to_size);
	regs[0] = csum_partial_words(diff, from_size + to_size, (uint32_t)regs[5]);
	return 0;
}

static void trace_append(struct mhse_vm *vm, const char *s, size_t len)
{
	if (vm->trace_len + len + 1 > vm->trace_cap) {
		size_t cap = (vm->trace_len + len + 1) * 2;
		char *t = realloc(vm->trace, cap);

		if (!t)
			return;
		vm->trace = t;
		vm->trace_cap = cap;
	}
	memcpy(vm->trace + vm->trace_len, s, len);
	vm->trace_len += len;
	vm->trace[vm->trace_len] = '\0';
}

static int vm_read_str(void *arg, uint64_t addr, char *buf, size_t len)
{
	struct mhse_vm *vm = arg;
	size_t i = 0;
	uint8_t *p;

	while (i + 1 < len && (p = mhse_vm__mem(vm, addr + i, 1, false)) && *p)
		buf[i++] = (char)*p;
	if (i + 1 < len && !p)
		return -1;
	buf[i] = '\0';
	return 0;
}

static int helper_trace_printk(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t fmt_size = (uint32_t)regs[2];
	const char *fmt = (const char *)mhse_vm__mem(vm, regs[1], fmt_size, false);
	char out[512];
	int len;

	if (!fmt)
		return -1;
	len = trace_format(fmt, fmt_size, &regs[3], vm_read_str, vm, out, sizeof(out));
	if (len == -EFAULT)
		return -1;
	if (len < 0) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	trace_append(vm, out, (size_t)len);
	trace_append(vm, "\n", 1);
	regs[0] = (uint64_t)len;
	return 0;
}

/* bpf_perf_event_output: data, then with BPF_F_CTXLEN_MASK that many bytes
 * of the packet. Every CPU slot is taken to hold an open perf buffer, as a
 * running user-space reader arranges. */
static int helper_perf_event_output(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms = vm_map(vm, regs[2]);
	uint64_t flags = regs[3], ctx_len = (flags & BPF_F_CTXLEN_MASK) >> 32, index = flags & BPF_F_INDEX_MASK;
	uint32_t size = (uint32_t)regs[5], pkt_len = 0;
	const uint8_t *data, *pkt = NULL;

	if (!ms)
		return -1;
	if (ms->def->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "perf_event_output to %s map %s",
				     mhse_map_type__name(ms->def->type), ms->def->name);
	data = mhse_vm__mem(vm, regs[4], size, false);
	if (!data)
		return -1;
	if (vm->hook && vm->hook->has_packet) {
		const struct mem_region *r = vm_packet(vm);

		pkt = r->buf + vm->pkt_data;
		pkt_len = r->hi - vm->pkt_data;
	}
	if (flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK) || (ctx_len && !pkt)) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if (ctx_len > pkt_len) {
		regs[0] = (uint64_t)-EFAULT;
		return 0;
	}
	if (index == BPF_F_CURRENT_CPU)
		index = 0;
	if (index >= ms->def->max_entries) {
		regs[0] = (uint64_t)-E2BIG;
		return 0;
	}
	/* a full buffer (a recorded input: non-zero) loses the record */
	if (mhse_vm__nondet(vm)) {
		regs[0] = (uint64_t)-ENOSPC;
		return 0;
	}
	regs[0] = 0;
	return vm__emit(vm, BPF_FUNC_perf_event_output, (uint32_t)ms->index_no, data, size, pkt, (uint32_t)ctx_len) ?
		       mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory") : 0;
}

static struct map_state *ringbuf(struct mhse_vm *vm, uint64_t ptr)
{
	struct map_state *ms = vm_map(vm, ptr);

	if (ms && ms->def->type != BPF_MAP_TYPE_RINGBUF) {
		mhse_vm__fail(vm, VM_ERR_HELPER, "ring-buffer helper on %s map %s", mhse_map_type__name(ms->def->type),
			      ms->def->name);
		return NULL;
	}
	return ms;
}

static int helper_ringbuf_output(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms = ringbuf(vm, regs[1]);
	uint32_t size = (uint32_t)regs[3];
	const uint8_t *data;

	if (!ms || !(data = mhse_vm__mem(vm, regs[2], size, false)))
		return -1;
	if (regs[4] & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	/* a full buffer (a recorded input: non-zero) refuses the record */
	if (mhse_vm__nondet(vm)) {
		regs[0] = (uint64_t)-EAGAIN;
		return 0;
	}
	regs[0] = 0;
	return vm__emit(vm, BPF_FUNC_ringbuf_output, (uint32_t)ms->index_no, data, size, NULL, 0) ?
		       mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory") : 0;
}

/* A reservation is a region of its own until it is submitted or discarded. */
static int helper_ringbuf_reserve(struct mhse_vm *vm, uint64_t *regs)
{
	struct map_state *ms = ringbuf(vm, regs[1]);
	int id;

	if (!ms)
		return -1;
	/* a full buffer (a recorded input: non-zero) refuses the reservation */
	if (regs[3] || regs[2] > ms->def->max_entries || mhse_vm__nondet(vm)) {
		regs[0] = 0;
		return 0;
	}
	id = mem_add_zeroed(&vm->mem, MEM_HELPER, (uint32_t)regs[2], true, ms->index_no);
	if (id < 0)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory");
	regs[0] = MEM_ADDR(id, 0);
	return 0;
}

static int ringbuf_commit(struct mhse_vm *vm, uint64_t *regs, bool submit)
{
	uint32_t id = mem_addr_region(regs[1]);
	struct mem_region *r = id < vm->mem.cnt ? &vm->mem.regions[id] : NULL;

	if (!r || r->kind != MEM_HELPER || mem_addr_offset(regs[1]) != r->lo)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "ringbuf_%s of memory that is not a reservation",
				     submit ? "submit" : "discard");
	r->kind = MEM_DEAD;
	if (submit && vm__emit(vm, BPF_FUNC_ringbuf_submit, (uint32_t)r->owner, r->buf + r->lo, r->hi - r->lo, NULL, 0))
		return mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory");
	return 0;
}

static int helper_ringbuf_submit(struct mhse_vm *vm, uint64_t *regs)
{
	return ringbuf_commit(vm, regs, true);
}

static int helper_ringbuf_discard(struct mhse_vm *vm, uint64_t *regs)
{
	return ringbuf_commit(vm, regs, false);
}

/* bpf_loop: the callback runs in a frame of its own (core/interp.c), once
 * per iteration until one returns non-zero. Where the verifier inlines the
 * call, the count is all of r1 and too many a 32-bit -E2BIG (reach.h). */
static int helper_loop(struct mhse_vm *vm, uint64_t *regs)
{
	bool inlined = mhse_prog__loop_inlined(vm->prog, vm->pc);
	uint64_t nr = inlined ? regs[1] : (uint32_t)regs[1];

	if (regs[4] || nr > BPF_MAX_LOOPS || !nr) {
		regs[0] = regs[4] ? (uint64_t)-EINVAL : !nr ? 0 : inlined ? (uint32_t)-E2BIG : (uint64_t)-E2BIG;
		return 0;
	}
	return vm_loop_enter(vm, regs[2], nr, regs[3]);
}

/* bpf_spin_lock and bpf_spin_unlock: one program runs at a time here, so a
 * lock is only the verifier's rules (a lock in a map value; nothing but
 * its unlock while held, checked at every call and exit; no second lock),
 * and its word, which user space never sees, is left as it is. */
static int spin_lock_op(struct mhse_vm *vm, uint64_t *regs, bool lock)
{
	uint32_t region;

	if (!mem_translate(&vm->mem, regs[1], 4, true, &region) ||
	    (vm->mem.regions[region].kind != MEM_MAP_VALUE && vm->mem.regions[region].kind != MEM_GLOBAL))
		return mhse_vm__fail(vm, VM_ERR_HELPER, "bpf_spin_%s of memory that is not a map value",
				     lock ? "lock" : "unlock");
	if (vm->spin_lock_held == lock)
		return mhse_vm__fail(vm, VM_ERR_HELPER, lock ? "bpf_spin_lock while a lock is held" :
							       "bpf_spin_unlock without a lock held");
	vm->spin_lock_held = lock;
	regs[0] = 0;
	return 0;
}

static int helper_spin_lock(struct mhse_vm *vm, uint64_t *regs)
{
	return spin_lock_op(vm, regs, true);
}

static int helper_spin_unlock(struct mhse_vm *vm, uint64_t *regs)
{
	return spin_lock_op(vm, regs, false);
}

#define HELPER(name, contexts, concrete, symbolic) { BPF_FUNC_##name, contexts, concrete },
static const struct helper_impl core_helpers[] = {
#include "core_helper_list.h"
};
#undef HELPER

const struct helper_module helpers_core = { "core", core_helpers, sizeof(core_helpers) / sizeof(core_helpers[0]), NULL };

const struct helper_module *const helper_modules[] = { &helpers_core, &helpers_xdp, &helpers_tc, &helpers_sockops,
						       &helpers_kprobe, &helpers_sock, &helpers_sockmap, &helpers_sk_lookup };
const size_t helper_module_cnt = sizeof(helper_modules) / sizeof(helper_modules[0]);

bool helper_changes_packet(int32_t id)
{
	switch (id) {
	case BPF_FUNC_skb_vlan_push:
	case BPF_FUNC_skb_vlan_pop:
	case BPF_FUNC_skb_store_bytes:
	case BPF_FUNC_skb_change_proto:
	case BPF_FUNC_skb_change_head:
	case BPF_FUNC_skb_change_tail:
	case BPF_FUNC_skb_adjust_room:
	case BPF_FUNC_skb_pull_data:
	case BPF_FUNC_clone_redirect:
	case BPF_FUNC_l3_csum_replace:
	case BPF_FUNC_l4_csum_replace:
	case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta:
	case BPF_FUNC_xdp_adjust_tail:
	case BPF_FUNC_msg_pull_data:
	case BPF_FUNC_msg_push_data:
	case BPF_FUNC_msg_pop_data:
	case BPF_FUNC_lwt_seg6_store_bytes:
	case BPF_FUNC_lwt_seg6_adjust_srh:
	case BPF_FUNC_lwt_seg6_action:
	case BPF_FUNC_lwt_push_encap:
	case BPF_FUNC_store_hdr_opt:
		return true;
	default:
		return false;
	}
}

bool helper_returns_recorded(int32_t id)
{
	for (size_t i = 0; i < helpers_core.cnt; i++)
		if (core_helpers[i].id == id)
			return core_helpers[i].run == helper_nondet_u64 || core_helpers[i].run == helper_nondet_u32;
	return false;
}

const struct helper_module *helper_module_find(const char *name)
{
	for (size_t i = 0; name && i < helper_module_cnt; i++)
		if (!strcmp(helper_modules[i]->name, name))
			return helper_modules[i];
	return NULL;
}
