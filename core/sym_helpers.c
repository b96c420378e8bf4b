// SPDX-License-Identifier: MIT
/*
 * Symbolic models of the generic helpers. A value the kernel makes up (time,
 * random numbers, the CPU) becomes a fresh variable recorded in call order,
 * which is how the concrete interpreter consumes a test's nondeterministic
 * values; map helpers go to the map policy.
 */
#include <errno.h>
#include <string.h>
#include "engine_internal.h"
#include "insn.h"
#include "trace_format.h"

static enum step sym_map_lookup(struct mhse_engine *e, struct state *s)
{
	return policy__lookup(e, s);
}

static enum step sym_map_update(struct mhse_engine *e, struct state *s)
{
	return policy__update(e, s);
}

static enum step sym_map_delete(struct mhse_engine *e, struct state *s)
{
	return policy__delete(e, s);
}

static enum step nondet_u64(struct mhse_engine *e, struct state *s, int32_t id)
{
	s->regs[BPF_REG_0] = engine__nondet(e, s, id, 64);
	return STEP_CONTINUE;
}

static enum step nondet_u32(struct mhse_engine *e, struct state *s, int32_t id)
{
	s->regs[BPF_REG_0] = engine__nondet(e, s, id, 32);
	return STEP_CONTINUE;
}

#define NONDET(helper, bits)                                                     \
	static enum step sym_##helper(struct mhse_engine *e, struct state *s)    \
	{                                                                        \
		return nondet_u##bits(e, s, BPF_FUNC_##helper);                  \
	}
NONDET(ktime_get_ns, 64)
NONDET(ktime_get_boot_ns, 64)
NONDET(ktime_get_coarse_ns, 64)
NONDET(jiffies64, 64)
NONDET(get_prandom_u32, 32)
NONDET(get_smp_processor_id, 32)
NONDET(get_numa_node_id, 32)

/* bpf_csum_diff on terms: the same 64-bit sum of 32-bit words and the same
 * two folds as helpers.c's csum_partial_words. */
static enum step sym_csum_diff(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	Z3_ast sum, bytes;
	uint64_t sizes[2];

	if (!sval_is_conc(r[2]) || !sval_is_conc(r[4]))
		return engine__end(e, s, PATH_UNSUPPORTED, "csum_diff with symbolic sizes");
	sizes[0] = (uint32_t)r[2].c;
	sizes[1] = (uint32_t)r[4].c;
	if (((sizes[0] | sizes[1]) & 3) || sizes[0] + sizes[1] > MHSE_STACK_SIZE) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	sum = Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, r[5])));
	for (int side = 0; side < 2; side++) {
		enum step st;

		if (!sizes[side])
			continue;
		st = engine__read_bytes(e, s, r[1 + 2 * side], (uint32_t)sizes[side], &bytes);
		if (st != STEP_CONTINUE)
			return st;
		for (uint32_t w = 0; w < sizes[side] / 4; w++) {
			Z3_ast word = Z3_mk_extract(z, 32 * w + 31, 32 * w, bytes);

			sum = Z3_mk_bvadd(z, sum, Z3_mk_zero_ext(z, 32, side ? word : Z3_mk_bvnot(z, word)));
		}
	}
	for (int fold = 0; fold < 2; fold++)
		sum = Z3_mk_bvadd(z, Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sum)),
				  Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 63, 32, sum)));
	r[0] = sym_from(&e->ctx, Z3_simplify(z, sum), false);
	if (Z3_is_numeral_ast(z, r[0].e)) {
		uint64_t v;

		Z3_get_numeral_uint64(z, r[0].e, &v);
		r[0] = sval_conc(v);
	}
	return STEP_CONTINUE;
}

static int no_strings(void *arg, uint64_t addr, char *buf, size_t len)
{
	(void)arg, (void)addr, (void)buf, (void)len;
	return -1;
}

/* bpf_trace_printk: the format must be concrete; the line is formatted
 * when the path ends, with the arguments' values. The length it returns
 * depends on those values, so it is exact only for concrete arguments;
 * otherwise it is a fresh value the program is not expected to use. */
static enum step sym_trace_printk(struct mhse_engine *e, struct state *s)
{
	struct sval *r = s->regs;
	char fmt[256], line[512];
	uint64_t args[3];
	bool concrete = true;
	Z3_ast bytes;
	enum step st;
	int n;

	if (!sval_is_conc(r[2]) || (uint32_t)r[2].c > sizeof(fmt) || !(uint32_t)r[2].c)
		return engine__end(e, s, PATH_UNSUPPORTED, "trace_printk with a symbolic or oversized format length");
	st = engine__read_bytes(e, s, r[1], (uint32_t)r[2].c, &bytes);
	if (st != STEP_CONTINUE)
		return st;
	for (uint32_t i = 0; i < (uint32_t)r[2].c; i++) {
		Z3_ast b = Z3_simplify(e->ctx.z, Z3_mk_extract(e->ctx.z, 8 * i + 7, 8 * i, bytes));
		uint64_t v;

		if (!Z3_get_numeral_uint64(e->ctx.z, b, &v))
			return engine__end(e, s, PATH_UNSUPPORTED, "trace_printk with a symbolic format");
		fmt[i] = (char)v;
	}
	for (int a = 0; a < 3; a++) {
		concrete &= sval_is_conc(r[3 + a]);
		args[a] = r[3 + a].c;
	}
	if (engine__trace(e, s, fmt, (uint32_t)r[2].c, &r[3]))
		return STEP_FAILED;
	/* strings are read at the end; here only the length matters */
	n = concrete ? trace_format(fmt, (uint32_t)r[2].c, args, no_strings, NULL, line, sizeof(line)) : -EAGAIN;
	if (n == -EAGAIN || n == -EFAULT)
		r[0] = sym_from(&e->ctx, sym_fresh(&e->ctx, "trace_printk_len", 32), false);
	else
		r[0] = sval_conc((uint64_t)(int64_t)n);
	return STEP_CONTINUE;
}

static const struct sym_helper core_helpers[] = {
	{ BPF_FUNC_map_lookup_elem, sym_map_lookup },
	{ BPF_FUNC_map_update_elem, sym_map_update },
	{ BPF_FUNC_map_delete_elem, sym_map_delete },
	{ BPF_FUNC_ktime_get_ns, sym_ktime_get_ns },
	{ BPF_FUNC_ktime_get_boot_ns, sym_ktime_get_boot_ns },
	{ BPF_FUNC_ktime_get_coarse_ns, sym_ktime_get_coarse_ns },
	{ BPF_FUNC_jiffies64, sym_jiffies64 },
	{ BPF_FUNC_get_prandom_u32, sym_get_prandom_u32 },
	{ BPF_FUNC_get_smp_processor_id, sym_get_smp_processor_id },
	{ BPF_FUNC_get_numa_node_id, sym_get_numa_node_id },
	{ BPF_FUNC_csum_diff, sym_csum_diff },
	{ BPF_FUNC_trace_printk, sym_trace_printk },
};

const struct sym_helper_module sym_helpers_core = { "core", core_helpers, sizeof(core_helpers) / sizeof(core_helpers[0]) };

static const struct sym_helper_module *const modules[] = { &sym_helpers_core, &sym_helpers_xdp };

sym_helper_fn sym_helper_find(const char *module, int32_t id)
{
	for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++) {
		if (strcmp(modules[m]->name, module))
			continue;
		for (size_t i = 0; i < modules[m]->cnt; i++)
			if (modules[m]->helpers[i].id == id)
				return modules[m]->helpers[i].run;
	}
	return NULL;
}
