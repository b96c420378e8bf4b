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
#include "insn.h"
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
	regs[0] = map_state__lookup(ms, key);
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

/* Formats one bpf_trace_printk conversion (flags, width, l/ll/h modifiers,
 * d i u x X c s p %) into out; returns the bytes written or -1. */
static int format_conversion(struct mhse_vm *vm, const char **fmtp, const char *end, uint64_t arg, char *out,
			     size_t out_len)
{
	const char *f = *fmtp;
	char spec[24] = "%";
	size_t n = 1;
	int longs = 0;

	while (f < end && strchr("-+ #0123456789", *f) && n < 12)
		spec[n++] = *f++;
	while (f < end && (*f == 'l' || *f == 'h'))
		longs += *f++ == 'l';
	if (f >= end)
		return -1;
	*fmtp = f + 1;
	switch (*f) {
	case 'd': case 'i':
		spec[n++] = 'l', spec[n++] = 'l', spec[n++] = 'd';
		return snprintf(out, out_len, spec, longs ? (long long)arg : (long long)(int32_t)arg);
	case 'u': case 'x': case 'X':
		spec[n++] = 'l', spec[n++] = 'l', spec[n++] = *f;
		return snprintf(out, out_len, spec, (unsigned long long)(longs ? arg : (uint32_t)arg));
	case 'c':
		spec[n++] = 'c';
		return snprintf(out, out_len, spec, (char)arg);
	case 'p':
		return snprintf(out, out_len, "0x%llx", (unsigned long long)arg);
	case 's': {
		char str[128];
		size_t i = 0;
		uint8_t *p;

		while (i + 1 < sizeof(str) && (p = mhse_vm__mem(vm, arg + i, 1, false)) && *p)
			str[i++] = (char)*p;
		if (!p)
			return -1;
		str[i] = '\0';
		spec[n++] = 's';
		return snprintf(out, out_len, spec, str);
	}
	default:
		return -1;
	}
}

static int helper_trace_printk(struct mhse_vm *vm, uint64_t *regs)
{
	uint32_t fmt_size = (uint32_t)regs[2];
	const char *fmt = (const char *)mhse_vm__mem(vm, regs[1], fmt_size, false), *end;
	char out[512];
	size_t len = 0;
	unsigned argi = 0;

	if (!fmt)
		return -1;
	end = memchr(fmt, '\0', fmt_size);
	if (!end) {
		regs[0] = (uint64_t)-EINVAL;
		return 0;
	}
	while (fmt < end && len + 1 < sizeof(out)) {
		int w;

		if (*fmt != '%' || (fmt + 1 < end && fmt[1] == '%')) {
			out[len++] = *fmt;
			fmt += *fmt == '%' ? 2 : 1;
			continue;
		}
		fmt++;
		if (argi >= 3 || (w = format_conversion(vm, &fmt, end, regs[3 + argi++], out + len, sizeof(out) - len)) < 0) {
			if (vm->status != VM_OK)
				return -1;
			regs[0] = (uint64_t)-EINVAL;
			return 0;
		}
		len += (size_t)w < sizeof(out) - len ? (size_t)w : sizeof(out) - len - 1;
	}
	trace_append(vm, out, len);
	trace_append(vm, "\n", 1);
	regs[0] = len;
	return 0;
}

static const struct helper_impl core_helpers[] = {
	{ BPF_FUNC_map_lookup_elem, helper_map_lookup_elem },
	{ BPF_FUNC_map_update_elem, helper_map_update_elem },
	{ BPF_FUNC_map_delete_elem, helper_map_delete_elem },
	{ BPF_FUNC_ktime_get_ns, helper_nondet_u64 },
	{ BPF_FUNC_ktime_get_boot_ns, helper_nondet_u64 },
	{ BPF_FUNC_ktime_get_coarse_ns, helper_nondet_u64 },
	{ BPF_FUNC_jiffies64, helper_nondet_u64 },
	{ BPF_FUNC_get_prandom_u32, helper_nondet_u32 },
	{ BPF_FUNC_get_smp_processor_id, helper_nondet_u32 },
	{ BPF_FUNC_get_numa_node_id, helper_nondet_u32 },
	{ BPF_FUNC_csum_diff, helper_csum_diff },
	{ BPF_FUNC_trace_printk, helper_trace_printk },
};

const struct helper_module helpers_core = { "core", core_helpers, sizeof(core_helpers) / sizeof(core_helpers[0]), NULL };

static const struct helper_module *const modules[] = { &helpers_core, &helpers_xdp, &helpers_tc };

const struct helper_module *helper_module_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(modules) / sizeof(modules[0]); i++)
		if (!strcmp(modules[i]->name, name))
			return modules[i];
	return NULL;
}

const struct helper_impl *helper_module_lookup(const struct helper_module *mod, int32_t id)
{
	for (size_t i = 0; mod && i < mod->cnt; i++)
		if (mod->helpers[i].id == id)
			return &mod->helpers[i];
	return NULL;
}
