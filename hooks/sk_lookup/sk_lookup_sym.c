// SPDX-License-Identifier: MIT
/*
 * sk_lookup's bpf_sk_assign in the engine, the counterpart of
 * sk_lookup_helpers.c with the same rules (sk_lookup.h): the flags decide
 * the result, as one term.
 */
#include <errno.h>
#include "engine_internal.h"
#include "sk_lookup.h"
#include "sock.h"

static enum step sk_lookup_sk_assign(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	Z3_ast bad;

	if (!sval_is_conc(r[2]) || r[2].c)
		return engine__end(e, s, PATH_UNSUPPORTED, "sk_assign of a socket in sk_lookup is not modelled");
	if (sock_ctx_socket(e->obj, e->hook))
		return engine__end(e, s, PATH_UNSUPPORTED,
				   "sk_assign in an sk_lookup program that reads the selected socket is not modelled");
	if (sval_is_conc(r[3])) {
		r[0] = sval_conc(sk_lookup_assign_flags_ok(r[3].c) ? 0 : (uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	bad = Z3_mk_bvand(z, sym_ast(&e->ctx, r[3]),
			  term_num(e, ~(uint64_t)(BPF_SK_LOOKUP_F_REPLACE | BPF_SK_LOOKUP_F_NO_REUSEPORT), 64));
	r[0] = sym_from(&e->ctx, Z3_mk_ite(z, term_eq(e, bad, 0), term_num(e, 0, 64), term_num(e, (uint64_t)-EINVAL, 64)),
			false);
	return STEP_CONTINUE;
}

/* The addresses of the other family are 0 (sk_lookup.h). */
static int sk_lookup_prepare_ctx(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	Z3_ast family = engine__ctx_input(e, "family");

	for (uint32_t fam = AF_INET; family && fam <= AF_INET6; fam += AF_INET6 - AF_INET)
		for (const char *const *name = sk_lookup_zero_fields(fam); *name; name++) {
			const struct ctx_field *f = mhse_hook__field(e->hook, *name);

			for (uint32_t b = 0; f && b < f->size * f->count; b++) {
				Z3_ast byte = sym_byte(&e->ctx, sregion__read(&e->ctx, s->regions[SREGION_CTX],
									    sval_conc(f->offset + b), 1), 0);

				if (engine__constrain(e, s, engine__simplify(e, Z3_mk_implies(z, term_eq(e, family, fam),
											 term_eq(e, byte, 0)))))
					return -ENOMEM;
			}
		}
	return 0;
}

#define HELPER(name, contexts, concrete, symbolic) symbolic,
static const sym_helper_fn sk_lookup_helpers[] = {
#include "sk_lookup_helper_list.h"
};
#undef HELPER

const struct sym_helper_module sym_helpers_sk_lookup = { &helpers_sk_lookup, sk_lookup_helpers,
							 sizeof(sk_lookup_helpers) / sizeof(sk_lookup_helpers[0]),
							 sk_lookup_prepare_ctx };
