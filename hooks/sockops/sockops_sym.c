// SPDX-License-Identifier: MIT
/*
 * Symbolic models of sock_ops's own helpers, the counterparts of
 * sockops_helpers.c.
 */
#include <errno.h>
#include "engine_internal.h"
#include "mem.h"

static enum step sockops_setsockopt(struct mhse_engine *e, struct state *s)
{
	Z3_ast optval;
	enum step st;

	if (!sval_is_conc(s->regs[BPF_REG_5]))
		return engine__end(e, s, PATH_UNSUPPORTED, "setsockopt with a symbolic length");
	if ((uint32_t)s->regs[BPF_REG_5].c &&
	    (st = engine__read_bytes(e, s, s->regs[BPF_REG_4], (uint32_t)s->regs[BPF_REG_5].c, &optval)) != STEP_CONTINUE)
		return st;
	s->regs[BPF_REG_0] = engine__nondet(e, s, BPF_FUNC_setsockopt, 64);
	return STEP_CONTINUE;
}

static enum step sockops_cb_flags_set(struct mhse_engine *e, struct state *s)
{
	const struct ctx_field *full = mhse_hook__field(e->hook, "is_fullsock");
	const struct ctx_field *flags = mhse_hook__field(e->hook, "bpf_sock_ops_cb_flags");
	struct sval argval = sym_alu(&e->ctx, BPF_ALU | BPF_MOV | BPF_X, 0, sval_conc(0), s->regs[BPF_REG_2]);
	struct sval fullsock;
	struct sregion *ctx;
	enum step st;

	if (!full || !flags) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	fullsock = sregion__read(&e->ctx, s->regions[SREGION_CTX], sval_conc(full->offset), 4);
	if (sval_is_conc(fullsock) ? !fullsock.c : false) {
		s->regs[BPF_REG_0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (!sval_is_conc(fullsock) &&
	    !engine__split_ok(e, s, Z3_mk_not(e->ctx.z, Z3_mk_eq(e->ctx.z, Z3_mk_extract(e->ctx.z, 31, 0, fullsock.e),
								  sym_num(&e->ctx, 0, 32))),
			      (uint64_t)-EINVAL, &st))
		return st;
	ctx = state__writable_region(s, SREGION_CTX);
	if (!ctx)
		return STEP_FAILED;
	sregion__write(&e->ctx, ctx, sval_conc(flags->offset), 4,
		       sym_alu(&e->ctx, BPF_ALU | BPF_AND | BPF_K, 0, argval, sval_conc(BPF_SOCK_OPS_ALL_CB_FLAGS)));
	/* the int result, sign-extended as a 64-bit return value */
	s->regs[BPF_REG_0] = sym_alu(&e->ctx, BPF_ALU64 | BPF_MOV | BPF_X, 32, sval_conc(0),
				     sym_alu(&e->ctx, BPF_ALU | BPF_AND | BPF_K, 0, argval,
					     sval_conc((uint32_t)~BPF_SOCK_OPS_ALL_CB_FLAGS)));
	return STEP_CONTINUE;
}

static const struct sym_helper sockops_helpers[] = {
	{ BPF_FUNC_setsockopt, sockops_setsockopt },
	{ BPF_FUNC_sock_ops_cb_flags_set, sockops_cb_flags_set },
};

const struct sym_helper_module sym_helpers_sockops = { "sockops", sockops_helpers,
						       sizeof(sockops_helpers) / sizeof(sockops_helpers[0]), NULL };
