// SPDX-License-Identifier: MIT
/*
 * The concrete interpreter.
 *
 * One switch over the opcode byte per instruction; what each instruction
 * computes comes from sem.h, shared with the symbolic engine. Everything the
 * program touches is a region (mem.h): eight stack frames, the context, the
 * packet and a raw-memory input occupy fixed region ids created once per VM,
 * so that map values created while running can be dropped by truncating the
 * region table. Context accesses never reach memory directly: the hook model
 * decides what each offset is, as the kernel's convert_ctx_access does.
 *
 * Special values a program can hold besides data and region addresses: a map
 * (LD_IMM64 of a map, or a map-in-map lookup) is VM_MAP_PTR(index) and a
 * function (LD_IMM64 of a function, for callbacks and callx) is
 * VM_FUNC_PTR(insn). Neither names a region, so dereferencing one is an
 * out-of-bounds access, as it would be for the verifier.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include "interp.h"
#include "log.h"
#include "map_ids.h"
#include "packet_edit.h"
#include "prog_refs.h"
#include "sem.h"
#include "sock.h"
#include "vm_internal.h"

enum {
	REGION_STACK0 = 0,
	REGION_CTX = MHSE_MAX_CALL_FRAMES,
	REGION_PKT,
	REGION_RAW,
	FIXED_REGIONS,
};

#define DEFAULT_INSN_BUDGET (1u << 24)

int mhse_vm__fail(struct mhse_vm *vm, enum vm_status status, const char *fmt, ...)
{
	va_list args;

	vm->status = status;
	vm->err_pc = vm->pc;
	va_start(args, fmt);
	vsnprintf(vm->err_msg, sizeof(vm->err_msg), fmt, args);
	va_end(args);
	return -1;
}

uint8_t *mhse_vm__mem(struct mhse_vm *vm, uint64_t addr, uint32_t len, bool write)
{
	uint32_t region;
	uint8_t *p = mem_translate(&vm->mem, addr, len, write, &region);
	char where[96];

	if (p)
		return p;
	/* a load through a kernel pointer (BPF_PROBE_MEM) */
	if (!write && mem_addr_region(addr) >= vm->mem.cnt && len <= sizeof(vm->kernel_load) &&
	    ((vm->hook && vm->hook->kernel_pointers) || (vm->prog && prog_refs__btf_pointers(vm->prog)))) {
		mhse_vm__kernel_read(vm, addr, vm->kernel_load, len);
		return vm->kernel_load;
	}
	mem_describe(&vm->mem, addr, where, sizeof(where));
	mhse_vm__fail(vm, VM_ERR_MEM, "invalid %s of %u bytes at %s", write ? "write" : "read", len, where);
	return NULL;
}

void mhse_vm__kernel_read(const struct mhse_vm *vm, uint64_t addr, uint8_t *out, uint32_t len)
{
	memset(out, 0, len);
	for (size_t i = 0; i < vm->kmem_cnt; i++) {
		const struct path_kmem *k = &vm->kmem[i];

		for (uint32_t b = 0; b < len; b++)
			if (addr + b >= k->addr && addr + b - k->addr < k->len)
				out[b] = k->bytes[addr + b - k->addr];
	}
}

uint64_t mhse_vm__nondet(struct mhse_vm *vm)
{
	return vm->nondet_used < vm->nondet_cnt ? vm->nondet[vm->nondet_used++] : (vm->nondet_used++, 0);
}

struct map_state *vm_map(struct mhse_vm *vm, uint64_t ptr)
{
	if ((ptr & ~VM_PTR_INDEX_MASK) != VM_MAP_PTR(0) || (ptr & VM_PTR_INDEX_MASK) >= vm->map_cnt) {
		mhse_vm__fail(vm, VM_ERR_MEM, "0x%llx is not a map", (unsigned long long)ptr);
		return NULL;
	}
	return &vm->maps[ptr & VM_PTR_INDEX_MASK];
}

void vm__clear_events(struct mhse_vm *vm)
{
	for (size_t i = 0; i < vm->event_cnt; i++)
		free(vm->events[i].data);
	free(vm->events);
	vm->events = NULL;
	vm->event_cnt = 0;
}

int vm__emit(struct mhse_vm *vm, int32_t helper, uint32_t map, const uint8_t *data, uint32_t len,
	     const uint8_t *more, uint32_t more_len)
{
	struct path_event *ev = realloc(vm->events, (vm->event_cnt + 1) * sizeof(*ev));
	uint8_t *copy = malloc(len + more_len ? len + more_len : 1);

	if (ev)
		vm->events = ev;
	if (!ev || !copy) {
		free(copy);
		return -ENOMEM;
	}
	memcpy(copy, data, len);
	if (more_len)
		memcpy(copy + len, more, more_len);
	ev[vm->event_cnt++] = (struct path_event){ .helper = helper, .map = map, .data = copy, .len = len + more_len };
	return 0;
}

int mhse_vm__new(const struct mhse_object *obj, const struct mhse_hook *hook, struct mhse_vm **out)
{
	struct mhse_vm *vm = calloc(1, sizeof(*vm));
	int err = -ENOMEM;

	if (!vm)
		return -ENOMEM;
	vm->obj = obj;
	vm->hook = hook;
	vm->insn_budget = DEFAULT_INSN_BUDGET;
	vm->hook_module = hook && hook->module ? helper_module_find(hook->module) : NULL;
	for (int i = 0; i < MHSE_MAX_CALL_FRAMES; i++)
		if (mem_add_zeroed(&vm->mem, MEM_STACK, MHSE_STACK_SIZE, true, i) < 0)
			goto fail;
	if (mem_add_zeroed(&vm->mem, MEM_CTX, hook && hook->ctx_size ? hook->ctx_size : 1, true, -1) < 0 ||
	    mem_add(&vm->mem, MEM_PACKET, NULL, 0, true, true, -1) < 0 ||
	    mem_add(&vm->mem, MEM_RAW, NULL, 0, true, true, -1) < 0)
		goto fail;
	vm->fixed_regions = FIXED_REGIONS;
	vm->maps = calloc(obj->map_cnt ? obj->map_cnt : 1, sizeof(*vm->maps));
	if (!vm->maps)
		goto fail;
	for (size_t i = 0; i < obj->map_cnt; i++) {
		err = map_state__init(&vm->maps[i], &obj->maps[i], &vm->mem, (int32_t)i);
		vm->map_cnt = (uint32_t)i + 1;
		if (err)
			goto fail;
	}
	*out = vm;
	return 0;
fail:
	mhse_vm__free(vm);
	return err;
}

void mhse_vm__free(struct mhse_vm *vm)
{
	if (!vm)
		return;
	for (size_t i = 0; vm->maps && i < vm->map_cnt; i++)
		map_state__free(&vm->maps[i]);
	free(vm->maps);
	mem_free(&vm->mem);
	free(vm->trace);
	vm__clear_events(vm);
	free(vm);
}

void mhse_vm__reset_maps(struct mhse_vm *vm)
{
	mem_truncate(&vm->mem, vm->fixed_regions);
	for (; vm->map_cnt > vm->obj->map_cnt; vm->map_cnt--)
		map_state__free(&vm->maps[vm->map_cnt - 1]);
	for (size_t i = 0; i < vm->obj->map_cnt; i++)
		map_state__reset(&vm->maps[i]);
}

int mhse_vm__add_inner(struct mhse_vm *vm, uint32_t outer, uint32_t *id)
{
	const struct mhse_map *def = map_ids__inner_def(vm->obj, outer);

	if (!def)
		return -EINVAL;
	*id = vm->map_cnt;
	return map_states__add(&vm->maps, &vm->map_cnt, def, &vm->mem);
}

/* Replaces a fixed region's buffer with a copy of data framed by room bytes
 * of headroom and tailroom. */
static int region_fill(struct mem_region *r, const uint8_t *data, uint32_t len, uint32_t headroom, uint32_t tailroom)
{
	uint32_t cap = headroom + len + tailroom;
	uint8_t *buf = calloc(1, cap ? cap : 1);

	if (!buf)
		return -ENOMEM;
	if (len)
		memcpy(buf + headroom, data, len);
	free(r->buf);
	r->buf = buf;
	r->cap = cap;
	r->lo = headroom;
	r->hi = headroom + len;
	return 0;
}

static int setup_input(struct mhse_vm *vm, const struct vm_input *in)
{
	const struct mhse_hook *hook = vm->hook;
	struct mem_region *ctx = &vm->mem.regions[REGION_CTX];
	uint32_t headroom = hook ? hook->headroom : 0;
	uint32_t tailroom = hook && hook->frame_size > headroom + in->packet_len ?
				    hook->frame_size - headroom - in->packet_len : 0;

	if (region_fill(&vm->mem.regions[REGION_PKT], in->packet, in->packet_len, headroom, tailroom) ||
	    region_fill(&vm->mem.regions[REGION_RAW], in->raw, in->raw_len, 0, 0))
		return -ENOMEM;
	vm->pkt_data = headroom;
	memset(ctx->buf, 0, ctx->cap);
	for (size_t i = 0; hook && i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		if (f->kind != CTX_SCALAR || f->size > sizeof(uint64_t))
			continue;
		for (uint32_t e = 0; e < f->count; e++)
			mem_store_le(ctx->buf + f->offset + e * f->size, f->size, f->dflt);
	}
	if (in->ctx)
		memcpy(ctx->buf, in->ctx, in->ctx_len < ctx->cap ? in->ctx_len : ctx->cap);
	vm->nondet = in->nondet;
	vm->nondet_cnt = in->nondet_cnt;
	vm->nondet_used = 0;
	vm->kmem = in->kmem;
	vm->kmem_cnt = in->kmem_cnt;
	if (sock_vm_prepare_ctx(vm))
		return -ENOMEM;
	vm->trace_len = 0;
	vm__clear_events(vm);
	vm->redirect_target = 0;
	vm->insns_executed = 0;
	vm->tail_calls = 0;
	vm->spin_lock_held = false;
	vm->depth = 0;
	vm->status = VM_OK;
	vm->err_msg[0] = '\0';
	if (hook && vm->hook_module && vm->hook_module->prepare_ctx)
		vm->hook_module->prepare_ctx(vm);
	return 0;
}

const uint8_t *mhse_vm__packet(const struct mhse_vm *vm, uint32_t *len)
{
	bool raw = vm->hook && vm->hook->input == HOOK_INPUT_RAW_MEM;
	const struct mem_region *r = &vm->mem.regions[raw ? REGION_RAW : REGION_PKT];

	*len = r->hi - r->lo;
	return r->buf + r->lo;
}

const uint8_t *mhse_vm__ctx(const struct mhse_vm *vm, uint32_t *len)
{
	const struct mem_region *r = &vm->mem.regions[REGION_CTX];

	*len = r->hi;
	return r->buf;
}

struct mem_region *vm_packet(struct mhse_vm *vm)
{
	return &vm->mem.regions[REGION_PKT];
}

uint8_t *vm_ctx_field(struct mhse_vm *vm, const char *name)
{
	const struct ctx_field *f = vm->hook ? mhse_hook__field(vm->hook, name) : NULL;

	return f ? vm->mem.regions[REGION_CTX].buf + f->offset : NULL;
}

/* A load from the context: what the kernel's convert_ctx_access turns it into. */
static int ctx_load(struct mhse_vm *vm, uint8_t code, uint32_t off, uint64_t *val)
{
	unsigned size = sem_size_bytes(code);
	const struct ctx_field *f = vm->hook ? mhse_hook__field_at(vm->hook, off, size) : NULL;
	const struct mem_region *pkt = &vm->mem.regions[REGION_PKT];

	if (!f || !f->read)
		return mhse_vm__fail(vm, VM_ERR_CTX, "context read of %u bytes at offset %u is not allowed", size, off);
	if (!mhse_hook__access_size_ok(f, off, size, false))
		return mhse_vm__fail(vm, VM_ERR_CTX, "context field %s is %u bytes, read as %u", f->name, f->size, size);
	switch (f->kind) {
	case CTX_PKT_START: *val = MEM_ADDR(REGION_PKT, vm->pkt_data); return 0;
	case CTX_PKT_END: *val = MEM_ADDR(REGION_PKT, pkt->hi); return 0;
	case CTX_PKT_META: *val = MEM_ADDR(REGION_PKT, pkt->lo); return 0;
	case CTX_PKT_LEN: *val = sem_load_value(code, pkt->hi - vm->pkt_data); return 0;
	case CTX_PTR:
		/* the context's socket, set up with the input (sock.h); no other pointer is modelled */
		*val = sock_ctx_field(f) ? mem_load_le(vm->mem.regions[REGION_CTX].buf + off, 8) : 0;
		return 0;
	default:
		*val = sem_load_value(code, mem_load_le(vm->mem.regions[REGION_CTX].buf + off, size));
		return 0;
	}
}

static int ctx_store(struct mhse_vm *vm, uint32_t off, uint32_t size, uint64_t val)
{
	const struct ctx_field *f = vm->hook ? mhse_hook__field_at(vm->hook, off, size) : NULL;

	if (!f || !f->write || f->kind != CTX_SCALAR)
		return mhse_vm__fail(vm, VM_ERR_CTX, "context write of %u bytes at offset %u is not allowed", size, off);
	if (!mhse_hook__access_size_ok(f, off, size, true))
		return mhse_vm__fail(vm, VM_ERR_CTX, "context field %s is %u bytes, written as %u", f->name, f->size, size);
	mem_store_le(vm->mem.regions[REGION_CTX].buf + off, size, val);
	return 0;
}

static bool is_ctx(uint64_t addr)
{
	return mem_addr_region(addr) == REGION_CTX;
}

static int mem_load(struct mhse_vm *vm, uint8_t code, uint64_t addr, uint64_t *val)
{
	unsigned size = sem_size_bytes(code);
	uint8_t *p;

	if (is_ctx(addr))
		return ctx_load(vm, code, mem_addr_offset(addr), val);
	p = mhse_vm__mem(vm, addr, size, false);
	if (!p || (p != vm->kernel_load && sock_vm_check_load(vm, addr, mem_addr_region(addr), size)))
		return -1;
	*val = sem_load_value(code, mem_load_le(p, size));
	return 0;
}

static int mem_store(struct mhse_vm *vm, uint8_t code, uint64_t addr, uint64_t val)
{
	unsigned size = sem_size_bytes(code);
	uint8_t *p;

	if (is_ctx(addr))
		return ctx_store(vm, mem_addr_offset(addr), size, val);
	p = mhse_vm__mem(vm, addr, size, true);
	if (!p)
		return -1;
	mem_store_le(p, size, val);
	return 0;
}

static int atomic_op(struct mhse_vm *vm, const struct bpf_insn *insn)
{
	unsigned size = sem_size_bytes(insn->code);
	uint64_t *regs = vm->regs, mask = size == 8 ? UINT64_MAX : UINT32_MAX;
	uint8_t *p = mhse_vm__mem(vm, regs[insn->dst_reg] + insn->off, size, true);
	uint64_t old, src = regs[insn->src_reg] & mask;

	if (!p)
		return -1;
	old = mem_load_le(p, size);
	if (insn->imm == BPF_CMPXCHG) {
		if (old == (regs[BPF_REG_0] & mask))
			mem_store_le(p, size, src);
		regs[BPF_REG_0] = old;
		return 0;
	}
	mem_store_le(p, size, sem_atomic_op(insn->imm, old, src));
	if (insn->imm & BPF_FETCH)
		regs[insn->src_reg] = old;
	return 0;
}

/* The byte at offset off from the packet data, off >= -l2_len: below the
 * data, the link-layer header the hook's test run strips (its addresses
 * zero, its EtherType the context's, as core/replay.c builds it). */
static uint8_t packet_byte(struct mhse_vm *vm, int64_t off)
{
	const struct mem_region *pkt = &vm->mem.regions[REGION_PKT];
	const uint8_t *ethertype;
	int64_t l2 = off + vm->hook->kernel_l2_len;

	if (off >= 0)
		return pkt->buf[vm->pkt_data + off];
	ethertype = vm_ctx_field(vm, vm->hook->kernel_l2_ethertype);
	return l2 < 12 || !ethertype ? 0 : ethertype[l2 - 12];
}

/* The legacy packet loads of socket filters and tc: network byte order, at
 * a signed 32-bit offset from the packet data or, as the kernel's
 * bpf_internal_load_pointer_neg_helper reads, from the network header
 * (SKF_NET_OFF + k) or the link-layer header (SKF_LL_OFF + k). A load past
 * the packet ends the program with 0, as the kernel's bpf_skb_load_helper_*
 * calls make it. Returns 1 when the program ended. */
static int legacy_packet_load(struct mhse_vm *vm, const struct bpf_insn *insn)
{
	const struct mem_region *pkt = &vm->mem.regions[REGION_PKT];
	unsigned size = sem_size_bytes(insn->code);
	int64_t off = insn->imm, len = (int64_t)pkt->hi - vm->pkt_data;
	uint64_t be = 0;

	if (!vm->hook || !vm->hook->has_packet) {
		vm->regs[BPF_REG_0] = 0;
		return 1;
	}
	if (BPF_MODE(insn->code) == BPF_IND)
		off = (int32_t)((uint32_t)vm->regs[insn->src_reg] + (uint32_t)insn->imm);
	if (off < SKF_LL_OFF)
		off = INT64_MIN;
	else if (off < SKF_NET_OFF)
		off += -(int64_t)SKF_LL_OFF - vm->hook->kernel_l2_len;
	else if (off < 0)
		off += -(int64_t)SKF_NET_OFF + vm->skb_net_off;
	if (off == INT64_MIN || off + size > len) {
		vm->regs[BPF_REG_0] = 0;
		return 1;
	}
	for (unsigned i = 0; i < size; i++)
		be = be << 8 | packet_byte(vm, off + i);
	vm->regs[BPF_REG_0] = be;
	return 0;
}

static int ld_imm64(struct mhse_vm *vm, const struct bpf_insn *insn)
{
	uint64_t *dst = &vm->regs[insn->dst_reg];
	const struct mhse_object *obj = vm->obj;

	switch (insn->src_reg) {
	case 0:
		*dst = insn_imm64(insn);
		return 0;
	case MHSE_PSEUDO_MAP_IDX:
		*dst = VM_MAP_PTR((uint32_t)insn->imm);
		return 0;
	case MHSE_PSEUDO_MAP_IDX_VALUE: {
		static const uint32_t zero;
		uint64_t value = (uint32_t)insn->imm < obj->map_cnt ? map_state__lookup(&vm->maps[insn->imm], &zero) : 0;

		if (!value)
			return mhse_vm__fail(vm, VM_ERR_INSN, "direct value access to map %d without a value", insn->imm);
		*dst = value + (uint32_t)insn[1].imm;
		return 0;
	}
	case MHSE_PSEUDO_FUNC:
		*dst = VM_FUNC_PTR(vm->pc + 1 + (int64_t)insn->imm);
		return 0;
	case MHSE_PSEUDO_EXTERN: {
		const struct mhse_extern *ext = (uint32_t)insn->imm < obj->extern_cnt ? &obj->externs[insn->imm] : NULL;

		if (!ext || !ext->bound)
			return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "extern %s has no value (bind it with --const)",
					     ext ? ext->name : "?");
		*dst = ext->value;
		return 0;
	}
	default:
		return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "ld_imm64 with src_reg %u", insn->src_reg);
	}
}

static const struct helper_impl *find_helper(struct mhse_vm *vm, int32_t id, int *err)
{
	const struct helper_module *mod = vm->extra_helpers;
	size_t row;

	for (size_t i = 0; mod && i < mod->cnt; i++)
		if (mod->helpers[i].id == id)
			return &mod->helpers[i];
	*err = helper_resolve(id, vm->helper_ctx, &mod, &row);
	return *err ? NULL : &mod->helpers[row];
}

static int call_helper(struct mhse_vm *vm, int32_t id)
{
	int err = 0;
	const struct helper_impl *impl = find_helper(vm, id, &err);
	const char *name = helper_name(id);
	const char *poisoned = id == MHSE_CORE_POISON_CALL ? mhse_prog__poisoned(vm->prog, vm->pc) : NULL;

	/* the verifier rejects a reachable poisoned call: a program that cannot load */
	if (poisoned)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "%s", poisoned);
	/* as the verifier: a helper the program's type may not call */
	if (err == -EACCES)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "helper %s (%d) is not allowed in %s programs",
				     name ? name : "?", id, helper_context_name(vm->helper_ctx));
	if (!impl)
		return mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "helper %s (%d) is not modelled in hook %s",
				     name ? name : "?", id, vm->hook ? vm->hook->name : "-");
	/* the verifier's rule: only bpf_spin_unlock while a lock is held */
	if (vm->spin_lock_held && id != BPF_FUNC_spin_unlock)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "helper %s called while a bpf_spin_lock is held", name ? name : "?");
	if (helper_changes_packet(id))
		vm_packet_invalidate(vm);
	return impl->run(vm, vm->regs);
}

static int call_local(struct mhse_vm *vm, size_t target)
{
	struct vm_frame *f;

	if (target >= vm->prog->insn_cnt)
		return mhse_vm__fail(vm, VM_ERR_CALL, "call target %zu outside the program", target);
	if (vm->depth + 1 >= MHSE_MAX_CALL_FRAMES)
		return mhse_vm__fail(vm, VM_ERR_CALL, "call depth over %d frames", MHSE_MAX_CALL_FRAMES);
	if (vm->spin_lock_held)
		return mhse_vm__fail(vm, VM_ERR_CALL, "function call while a bpf_spin_lock is held");
	f = &vm->frames[vm->depth++];
	f->prog = vm->prog;
	f->ret_pc = vm->pc + 1;
	f->loop = false;
	memcpy(f->saved, &vm->regs[BPF_REG_6], sizeof(f->saved));
	vm->regs[BPF_REG_10] = MEM_ADDR(REGION_STACK0 + vm->depth, MHSE_STACK_SIZE);
	vm->pc = target;
	return 0;
}

/* Sets up iteration f->loop_index of a bpf_loop in f's frame (depth). */
static void loop_iteration(struct mhse_vm *vm, struct vm_frame *f)
{
	uint64_t *regs = vm->regs;

	memset(&regs[BPF_REG_1], 0, 5 * sizeof(*regs));
	regs[BPF_REG_1] = f->loop_index;
	regs[BPF_REG_2] = f->loop_ctx;
	regs[BPF_REG_10] = MEM_ADDR(REGION_STACK0 + vm->depth, MHSE_STACK_SIZE);
	vm->pc = f->loop_callback;
}

int vm_loop_enter(struct mhse_vm *vm, uint64_t callback, uint32_t nr, uint64_t ctx)
{
	struct vm_frame *f;

	if ((callback & ~VM_PTR_INDEX_MASK) != VM_FUNC_PTR(0))
		return mhse_vm__fail(vm, VM_ERR_HELPER, "bpf_loop callback 0x%llx is not a function",
				     (unsigned long long)callback);
	if (call_local(vm, callback & VM_PTR_INDEX_MASK))
		return -1;
	f = &vm->frames[vm->depth - 1];
	f->loop = true;
	f->loop_index = 0;
	f->loop_nr = nr;
	f->loop_callback = vm->pc;
	f->loop_ctx = ctx;
	loop_iteration(vm, f);
	return 1;
}

/* At the exit of a bpf_loop callback's frame f: the next iteration (true),
 * or the loop's result in r0 (false): the iterations run, as bpf_loop
 * counts them, stopping after the one whose callback returned non-zero. */
static bool loop_next(struct mhse_vm *vm, struct vm_frame *f)
{
	uint64_t *regs = vm->regs;

	if (!regs[BPF_REG_0] && ++f->loop_index < f->loop_nr) {
		loop_iteration(vm, f);
		return true;
	}
	regs[BPF_REG_0] = regs[BPF_REG_0] ? f->loop_index + 1 : f->loop_nr;
	f->loop = false;
	return false;
}

static int callx(struct mhse_vm *vm, uint64_t target)
{
	/* clang's callx carries a function address; the conformance vectors
	 * carry a helper id instead, as their original runners define it. */
	if ((target & ~VM_PTR_INDEX_MASK) == VM_FUNC_PTR(0))
		return call_local(vm, target & VM_PTR_INDEX_MASK);
	if (target <= INT32_MAX) {
		int moved = call_helper(vm, (int32_t)target);

		if (moved < 0)
			return -1;
		vm->pc += !moved;
		return 0;
	}
	return mhse_vm__fail(vm, VM_ERR_CALL, "callx to 0x%llx, not a function", (unsigned long long)target);
}

int vm_tail_call(struct mhse_vm *vm, uint64_t map_ptr, uint64_t index)
{
	struct map_state *ms = vm_map(vm, map_ptr);
	uint32_t idx = (uint32_t)index;
	const uint8_t *slot;
	uint32_t prog_idx;
	char why[256];

	if (!ms)
		return -1;
	if (ms->def->type != BPF_MAP_TYPE_PROG_ARRAY)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "tail call through map %s, not a program array", ms->def->name);
	if (idx >= ms->def->max_entries || vm->tail_calls >= MHSE_MAX_TAIL_CALLS ||
	    !(slot = map_state__value(ms, &idx)))
		return 0;
	memcpy(&prog_idx, slot, sizeof(prog_idx));
	if (prog_idx >= vm->obj->prog_cnt)
		return mhse_vm__fail(vm, VM_ERR_CALL, "program array %s slot %u holds no program", ms->def->name, idx);
	if (mhse_prog__tail_call_target(vm->prog, &vm->obj->progs[prog_idx], why, sizeof(why)))
		return mhse_vm__fail(vm, vm->obj->progs[prog_idx].rejected ? VM_ERR_INSN : VM_ERR_CALL,
				     "program array %s slot %u holds %s, %s", ms->def->name, idx,
				     vm->obj->progs[prog_idx].name, why);
	vm->tail_calls++;
	vm->prog = &vm->obj->progs[prog_idx];
	vm->pc = 0;
	return 1;
}

/* bpf_tail_call is a jump, not a helper: it is handled here, where pc lives. */
static int tail_call(struct mhse_vm *vm)
{
	int jumped = vm_tail_call(vm, vm->regs[BPF_REG_2], vm->regs[BPF_REG_3]);

	if (jumped < 0)
		return -1;
	if (!jumped)
		vm->pc++;
	return 0;
}

int mhse_vm__run(struct mhse_vm *vm, const struct mhse_prog *prog, const struct vm_input *in, uint64_t *ret)
{
	uint64_t *regs = vm->regs;
	int err;

	if (setup_input(vm, in))
		return -ENOMEM;
	memset(regs, 0, sizeof(vm->regs));
	if (vm->hook && vm->hook->input == HOOK_INPUT_RAW_MEM) {
		if (in->raw_len) {
			regs[BPF_REG_1] = MEM_ADDR(REGION_RAW, 0);
			regs[BPF_REG_2] = in->raw_len;
		}
	} else {
		regs[BPF_REG_1] = MEM_ADDR(REGION_CTX, 0);
	}
	regs[BPF_REG_10] = MEM_ADDR(REGION_STACK0, MHSE_STACK_SIZE);
	vm->prog = prog;
	vm->pc = 0;
	if (prog->rejected) {
		vm->pc = prog->rejected_insn;
		mhse_vm__fail(vm, VM_ERR_INSN, "the kernel would not load the program: %s", prog->rejected);
		return -EINVAL;
	}
	vm->helper_ctx = vm->hook ? helper_context(vm->hook->prog_type, prog->expected_attach_type) : -1;

	for (;;) {
		const struct bpf_insn *insn;
		uint64_t src;

		if (vm->pc >= vm->prog->insn_cnt) {
			mhse_vm__fail(vm, VM_ERR_INSN, "execution fell off the end of the program");
			break;
		}
		if (vm->insns_executed++ >= vm->insn_budget) {
			mhse_vm__fail(vm, VM_ERR_BUDGET, "instruction budget of %llu exhausted",
				      (unsigned long long)vm->insn_budget);
			break;
		}
		if (vm->on_insn && vm->on_insn(vm->on_insn_arg, vm, vm->pc, regs)) {
			mhse_vm__fail(vm, VM_ERR_BUDGET, "stopped by the instruction hook");
			break;
		}
		insn = &vm->prog->insns[vm->pc];
		src = BPF_SRC(insn->code) == BPF_X ? regs[insn->src_reg] : (uint64_t)(int64_t)insn->imm;

		switch (BPF_CLASS(insn->code)) {
		case BPF_ALU:
		case BPF_ALU64:
			if (BPF_OP(insn->code) == BPF_END)
				regs[insn->dst_reg] = sem_bswap(insn->code, insn->imm, regs[insn->dst_reg]);
			else
				regs[insn->dst_reg] = sem_alu(insn->code, insn->off, regs[insn->dst_reg], src);
			vm->pc++;
			continue;
		case BPF_JMP:
		case BPF_JMP32:
			switch (BPF_OP(insn->code)) {
			case BPF_EXIT:
				if (!vm->depth && vm->spin_lock_held) {
					mhse_vm__fail(vm, VM_ERR_INSN, "exit while a bpf_spin_lock is held");
					break;
				}
				if (!vm->depth) {
					*ret = regs[BPF_REG_0];
					return 0;
				}
				if (vm->frames[vm->depth - 1].loop && loop_next(vm, &vm->frames[vm->depth - 1]))
					continue;
				{
					struct vm_frame *f = &vm->frames[--vm->depth];

					memcpy(&regs[BPF_REG_6], f->saved, sizeof(f->saved));
					regs[BPF_REG_10] = MEM_ADDR(REGION_STACK0 + vm->depth, MHSE_STACK_SIZE);
					vm->prog = f->prog;
					vm->pc = f->ret_pc;
				}
				continue;
			case BPF_CALL:
				if (BPF_SRC(insn->code) == BPF_X)
					err = callx(vm, regs[insn->dst_reg]);
				else if (insn->src_reg == BPF_PSEUDO_CALL)
					err = call_local(vm, vm->pc + 1 + (int64_t)insn->imm);
				else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
					err = mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "kfunc %s is not modelled",
							    (uint32_t)insn->imm < vm->obj->extern_cnt ?
								    vm->obj->externs[insn->imm].name : "?");
				else if (insn->imm == BPF_FUNC_tail_call)
					err = tail_call(vm);
				else
					err = (err = call_helper(vm, insn->imm)) < 0 ? -1 : (vm->pc += !err, 0);
				if (err)
					break;
				continue;
			case BPF_JA:
				vm->pc += 1 + (BPF_CLASS(insn->code) == BPF_JMP32 ? insn->imm : insn->off);
				continue;
			default:
				vm->pc += 1 + (sem_cond(insn->code, regs[insn->dst_reg], src) ? insn->off : 0);
				continue;
			}
			break;
		case BPF_LDX:
			if (mem_load(vm, insn->code, regs[insn->src_reg] + insn->off, &regs[insn->dst_reg]))
				break;
			vm->pc++;
			continue;
		case BPF_ST:
			if (mem_store(vm, insn->code, regs[insn->dst_reg] + insn->off, (uint64_t)(int64_t)insn->imm))
				break;
			vm->pc++;
			continue;
		case BPF_STX:
			if (BPF_MODE(insn->code) == BPF_ATOMIC ? atomic_op(vm, insn) :
			    mem_store(vm, insn->code, regs[insn->dst_reg] + insn->off, regs[insn->src_reg]))
				break;
			vm->pc++;
			continue;
		case BPF_LD:
			if (insn_is_ld_imm64(insn)) {
				if (ld_imm64(vm, insn))
					break;
				vm->pc += 2;
				continue;
			}
			err = legacy_packet_load(vm, insn);
			if (err < 0)
				break;
			if (err > 0 && !vm->depth) {
				*ret = 0;
				return 0;
			}
			if (err > 0) {
				mhse_vm__fail(vm, VM_ERR_UNSUPPORTED, "packet load failure inside a subprogram");
				break;
			}
			vm->pc++;
			continue;
		default:
			break;
		}
		if (vm->status == VM_OK)
			mhse_vm__fail(vm, VM_ERR_INSN, "invalid instruction 0x%02x", insn->code);
		break;
	}
	return vm->status == VM_ERR_MEM ? -EFAULT : vm->status == VM_ERR_UNSUPPORTED ? -EOPNOTSUPP : -EINVAL;
}
