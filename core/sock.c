// SPDX-License-Identifier: MIT
/*
 * Sockets (sock.h): the verifier's access rules for each view, the
 * context's socket, and the socket helpers in the interpreter, with the
 * kernel's semantics (net/core/filter.c). What only a real machine knows
 * (whether a lookup finds a socket, the socket's fields, what sk_assign
 * meets at ingress) is recorded in the test; the helpers here only replay
 * it, so they take the values in the order the engine records them
 * (sock_sym.c): a lookup's "found", then the found socket's 24 values.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include "helpers.h"
#include "insn.h"
#include "object.h"
#include "sock.h"
#include "vm_internal.h"

const char *sock_view_name(enum sock_view view)
{
	static const char *const names[] = { "struct bpf_sock (sock_common)", "struct bpf_sock",
					     "struct bpf_tcp_sock" };

	return names[view];
}

/* bpf_ctx_narrow_access_ok: a power of two up to the field's size. */
static bool narrow_ok(uint32_t size, uint32_t field_size)
{
	return size <= field_size && !(size & (size - 1));
}

static bool in_field(uint32_t off, uint32_t start, uint32_t len)
{
	return off >= start && off < start + len;
}

static bool bpf_sock_access_ok(uint32_t off, uint32_t size)
{
	if (off >= sizeof(struct bpf_sock) || !size || off % size)
		return false;
	switch (off) {
	case offsetof(struct bpf_sock, state):
	case offsetof(struct bpf_sock, family):
	case offsetof(struct bpf_sock, type):
	case offsetof(struct bpf_sock, protocol):
	case offsetof(struct bpf_sock, src_port):
	case offsetof(struct bpf_sock, rx_queue_mapping):
		return narrow_ok(size, 4);
	default:
		break;
	}
	if (in_field(off, offsetof(struct bpf_sock, src_ip4), 4) || in_field(off, offsetof(struct bpf_sock, src_ip6), 16) ||
	    in_field(off, offsetof(struct bpf_sock, dst_ip4), 4) || in_field(off, offsetof(struct bpf_sock, dst_ip6), 16))
		return narrow_ok(size, 4);
	/* dst_port is 16 bits; a 4-byte load reads it with its zero padding */
	if (in_field(off, offsetof(struct bpf_sock, dst_port), 2))
		return narrow_ok(size, size == 4 ? 4 : 2);
	if (in_field(off, offsetof(struct bpf_sock, dst_port) + 2, 2))
		return false;
	return size == 4;
}

static bool bpf_tcp_sock_access_ok(uint32_t off, uint32_t size)
{
	if (off >= TCP_SOCK_SIZE || !size || off % size)
		return false;
	if (off == offsetof(struct bpf_tcp_sock, bytes_received) || off == offsetof(struct bpf_tcp_sock, bytes_acked))
		return size == 8;
	return size == 4;
}

bool sock_access_ok(enum sock_view view, uint32_t off, uint32_t size)
{
	switch (view) {
	case SOCK_VIEW_COMMON:
		if (off >= offsetof(struct bpf_sock, type) && off < offsetof(struct bpf_sock, priority) + 4)
			return false;
		return bpf_sock_access_ok(off, size);
	case SOCK_VIEW_FULL:
		return bpf_sock_access_ok(off, size);
	default:
		return bpf_tcp_sock_access_ok(off, size);
	}
}

bool sock_ctx_field(const struct ctx_field *f)
{
	return f->kind == CTX_PTR && !strcmp(f->name, "sk");
}

enum sock_view sock_ctx_view(const struct mhse_hook *hook)
{
	const struct ctx_field *sk = mhse_hook__field(hook, "sk");

	return mhse_hook__field(hook, "is_fullsock") || (sk && (sk->nonnull || sk->full_socket)) ? SOCK_VIEW_FULL :
												    SOCK_VIEW_COMMON;
}

bool sock_nondet_is_socket(int32_t helper)
{
	switch (helper) {
	case SOCK_CTX_HELPER:
	case BPF_FUNC_sk_lookup_tcp:
	case BPF_FUNC_sk_lookup_udp:
	case BPF_FUNC_skc_lookup_tcp:
	case BPF_FUNC_get_listener_sock:
	case BPF_FUNC_sk_assign:
	case BPF_FUNC_map_lookup_elem: /* in a sockmap or sockhash: no other map lookup records values */
		return true;
	default:
		return false;
	}
}

const int64_t sock_assign_codes[] = { 0, -EOPNOTSUPP, -ENETUNREACH, -ESOCKTNOSUPPORT, -ENOENT };
const unsigned sock_assign_code_cnt = sizeof(sock_assign_codes) / sizeof(sock_assign_codes[0]);

/* ---- the interpreter ---- */

static void recorded_bytes(struct mhse_vm *vm, uint8_t *out, uint32_t len)
{
	for (uint32_t i = 0; i < len; i += 8)
		mem_store_le(out + i, 8, mhse_vm__nondet(vm));
}

/* A new socket from the recorded values: the region of its first view, or -1. */
static int new_socket(struct mhse_vm *vm, bool referenced)
{
	int common = mem_add_zeroed(&vm->mem, MEM_HELPER, SOCK_SIZE, false, sock_owner(SOCK_VIEW_COMMON, referenced));
	int full, tcp;

	if (common < 0)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory");
	full = mem_add(&vm->mem, MEM_HELPER, vm->mem.regions[common].buf, SOCK_SIZE, false, false,
		       sock_owner(SOCK_VIEW_FULL, referenced));
	tcp = full < 0 ? full : mem_add_zeroed(&vm->mem, MEM_HELPER, TCP_SOCK_SIZE, false,
					       sock_owner(SOCK_VIEW_TCP, referenced));
	if (tcp < 0)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "out of memory");
	recorded_bytes(vm, vm->mem.regions[common].buf, SOCK_SIZE);
	recorded_bytes(vm, vm->mem.regions[tcp].buf, TCP_SOCK_SIZE);
	return common;
}

static const struct ctx_field *ctx_socket_field(const struct mhse_hook *hook)
{
	for (size_t i = 0; hook && i < hook->field_cnt; i++)
		if (sock_ctx_field(&hook->fields[i]))
			return &hook->fields[i];
	return NULL;
}

const struct ctx_field *sock_ctx_socket(const struct mhse_object *obj, const struct mhse_hook *hook)
{
	const struct ctx_field *f = ctx_socket_field(hook);

	for (size_t p = 0; f && p < obj->prog_cnt; p++)
		for (size_t i = 0; i < obj->progs[p].insn_cnt; i++) {
			const struct bpf_insn *insn = &obj->progs[p].insns[i];

			if (insn->code == (BPF_LDX | BPF_MEM | BPF_DW) && insn->off == (int32_t)f->offset)
				return f;
		}
	return NULL;
}

int sock_vm_prepare_ctx(struct mhse_vm *vm)
{
	const struct ctx_field *f = vm->hook ? sock_ctx_socket(vm->obj, vm->hook) : NULL;
	uint64_t present;
	int sk;

	if (!f)
		return 0;
	present = mhse_vm__nondet(vm);
	sk = new_socket(vm, false);
	if (sk < 0)
		return -ENOMEM;
	mem_store_le(vm_ctx_field(vm, f->name), 8, present || f->nonnull ? MEM_ADDR(sk + sock_ctx_view(vm->hook), 0) : 0);
	return 0;
}

int sock_vm_check_load(struct mhse_vm *vm, uint64_t addr, uint32_t region, uint32_t size)
{
	const struct mem_region *r = &vm->mem.regions[region];
	int view = sock_region_view(r->kind, r->owner);

	if (view < 0 || sock_access_ok(view, mem_addr_offset(addr), size))
		return 0;
	return mhse_vm__fail(vm, VM_ERR_MEM, "%s read of %u bytes at offset %u is not allowed", sock_view_name(view), size,
			     mem_addr_offset(addr));
}

/* The first region of the socket a helper argument points to, and the
 * view it points with; -1 (after recording why) when it is none, as the
 * verifier refuses a scalar or a pointer not checked against NULL. */
static int socket_arg(struct mhse_vm *vm, uint64_t ptr, enum sock_view *view)
{
	uint32_t id = mem_addr_region(ptr);
	const char *name = helper_name(vm->prog->insns[vm->pc].imm);
	int v;

	if (!ptr)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "%s of a socket that may be NULL", name);
	if (id >= vm->mem.cnt || mem_addr_offset(ptr) ||
	    (v = sock_region_view(vm->mem.regions[id].kind, vm->mem.regions[id].owner)) < 0)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "%s of a value that is not a socket", name);
	*view = (enum sock_view)v;
	return (int)id - v;
}

static uint32_t sock_u32(struct mhse_vm *vm, int sk, uint32_t off)
{
	return (uint32_t)mem_load_le(vm->mem.regions[sk].buf + off, 4);
}

static bool is_fullsock(struct mhse_vm *vm, int sk)
{
	uint32_t state = sock_u32(vm, sk, offsetof(struct bpf_sock, state));

	return state != SOCK_STATE_TIME_WAIT && state != SOCK_STATE_NEW_SYN_RECV;
}

/* The lookups: the arguments the kernel refuses give NULL; otherwise
 * whether a socket is found is recorded. */
static int sk_lookup(struct mhse_vm *vm, uint64_t *regs, enum sock_view view)
{
	uint32_t len = (uint32_t)regs[3];
	int sk;

	if (!len)
		return mhse_vm__fail(vm, VM_ERR_HELPER, "%s with an empty tuple (the verifier wants a positive size)",
				     helper_name(vm->prog->insns[vm->pc].imm));
	if (!mhse_vm__mem(vm, regs[2], len, false))
		return -1;
	regs[0] = 0;
	if ((len != SOCK_TUPLE4_LEN && len != SOCK_TUPLE6_LEN) || regs[5] || !sock_netns_ok(regs[4]) ||
	    !mhse_vm__nondet(vm))
		return 0;
	sk = new_socket(vm, true);
	if (sk < 0)
		return -1;
	regs[0] = MEM_ADDR(sk + view, 0);
	return 0;
}

int sock_vm_map_lookup(struct mhse_vm *vm, uint64_t *regs)
{
	int sk;

	regs[0] = 0;
	if (!mhse_vm__nondet(vm))
		return 0;
	sk = new_socket(vm, true);
	if (sk < 0)
		return -1;
	regs[0] = MEM_ADDR(sk + SOCK_VIEW_FULL, 0);
	return 0;
}

static int sock_sk_lookup(struct mhse_vm *vm, uint64_t *regs)
{
	return sk_lookup(vm, regs, SOCK_VIEW_FULL);
}

static int sock_skc_lookup(struct mhse_vm *vm, uint64_t *regs)
{
	return sk_lookup(vm, regs, SOCK_VIEW_COMMON);
}

/* Only a socket the program holds a reference to; it is gone afterwards. */
static int sock_sk_release(struct mhse_vm *vm, uint64_t *regs)
{
	enum sock_view view;
	int sk = socket_arg(vm, regs[1], &view);

	if (sk < 0)
		return -1;
	if (!sock_region_referenced(vm->mem.regions[sk].owner))
		return mhse_vm__fail(vm, VM_ERR_HELPER, "sk_release of a socket the program holds no reference to");
	for (int v = 0; v < SOCK_VIEW_CNT; v++)
		vm->mem.regions[sk + v].kind = MEM_DEAD;
	regs[0] = 0;
	return 0;
}

static int sock_sk_fullsock(struct mhse_vm *vm, uint64_t *regs)
{
	enum sock_view view;
	int sk = socket_arg(vm, regs[1], &view);

	if (sk < 0)
		return -1;
	regs[0] = is_fullsock(vm, sk) ? MEM_ADDR(sk + SOCK_VIEW_FULL, 0) : 0;
	return 0;
}

static int sock_tcp_sock(struct mhse_vm *vm, uint64_t *regs)
{
	enum sock_view view;
	int sk = socket_arg(vm, regs[1], &view);

	if (sk < 0)
		return -1;
	regs[0] = is_fullsock(vm, sk) && sock_u32(vm, sk, offsetof(struct bpf_sock, protocol)) == IPPROTO_TCP ?
		MEM_ADDR(sk + SOCK_VIEW_TCP, 0) : 0;
	return 0;
}

/* A request socket's listener is another socket, recorded when asked for. */
static int sock_get_listener_sock(struct mhse_vm *vm, uint64_t *regs)
{
	enum sock_view view;
	int sk = socket_arg(vm, regs[1], &view);

	if (sk < 0)
		return -1;
	if (sock_u32(vm, sk, offsetof(struct bpf_sock, state)) == SOCK_STATE_NEW_SYN_RECV) {
		sk = new_socket(vm, false);
		if (sk < 0)
			return -1;
	}
	regs[0] = sock_u32(vm, sk, offsetof(struct bpf_sock, state)) == SOCK_STATE_LISTEN ?
		MEM_ADDR(sk + SOCK_VIEW_FULL, 0) : 0;
	return 0;
}

/* What it meets at ingress is recorded; once assigned, the socket is the
 * context's. */
static int sock_sk_assign(struct mhse_vm *vm, uint64_t *regs)
{
	const struct ctx_field *f = ctx_socket_field(vm->hook);
	enum sock_view view;
	int sk = socket_arg(vm, regs[2], &view);
	int64_t result = -EINVAL;

	if (sk < 0)
		return -1;
	if (!regs[3]) {
		uint64_t recorded = mhse_vm__nondet(vm);

		result = sock_assign_codes[0];
		for (unsigned i = 0; i < sock_assign_code_cnt; i++)
			if ((int64_t)recorded == sock_assign_codes[i])
				result = sock_assign_codes[i];
	}
	if (!result && f)
		mem_store_le(vm_ctx_field(vm, f->name), 8, MEM_ADDR(sk + sock_ctx_view(vm->hook), 0));
	regs[0] = (uint64_t)result;
	return 0;
}

#define HELPER(name, contexts, concrete, symbolic) { BPF_FUNC_##name, contexts, concrete },
static const struct helper_impl sock_helpers[] = {
#include "sock_helper_list.h"
};
#undef HELPER

const struct helper_module helpers_sock = { "sock", sock_helpers, sizeof(sock_helpers) / sizeof(sock_helpers[0]),
					    NULL };
