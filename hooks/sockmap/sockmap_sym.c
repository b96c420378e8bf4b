// SPDX-License-Identifier: MIT
/*
 * The socket-map verdict helpers in the engine, the counterparts of
 * sockmap_helpers.c with the same rules (sockmap.h): a redirect's verdict is
 * one term over the key, the flags and the recorded value, not a fork per
 * outcome; the program's own branches on it split the path.
 */
#include "engine_internal.h"
#include "object.h"
#include "sockmap.h"
#include "vm_internal.h"

static enum step redirect(struct mhse_engine *e, struct state *s, int32_t helper)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	uint32_t type = sockmap_redirect_map_type(helper);
	const struct mhse_map *def;
	Z3_ast key, drop, pass;
	enum step st;

	if (!sval_is_conc(r[2]) || (r[2].c & ~VM_PTR_INDEX_MASK) != VM_MAP_PTR(0) ||
	    (r[2].c & VM_PTR_INDEX_MASK) >= e->obj->map_cnt)
		return engine__end(e, s, PATH_UNSUPPORTED, "%s on a value that is not a map", helper_name(helper));
	def = &e->obj->maps[r[2].c & VM_PTR_INDEX_MASK];
	if (def->type != type)
		return engine__end(e, s, PATH_ERROR, "%s on %s map %s", helper_name(helper), mhse_map_type__name(def->type),
				   def->name);
	if (type == BPF_MAP_TYPE_SOCKHASH && (st = engine__read_bytes(e, s, r[3], def->key_size, &key)) != STEP_CONTINUE)
		return st;
	drop = Z3_mk_not(z, term_eq(e, Z3_mk_bvand(z, sym_ast(&e->ctx, r[4]), term_num(e, ~(uint64_t)BPF_F_INGRESS, 64)), 0));
	if (type == BPF_MAP_TYPE_SOCKMAP)
		drop = term_or(e, drop, Z3_mk_bvuge(z, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, r[3])),
						    term_num(e, def->max_entries, 32)));
	pass = term_and(e, Z3_mk_not(z, drop), term_eq(e, sym_ast(&e->ctx, engine__nondet(e, s, helper, 64)), 1));
	pass = engine__simplify(e, pass);
	if (Z3_get_bool_value(z, pass) != Z3_L_UNDEF)
		r[0] = sval_conc(Z3_get_bool_value(z, pass) == Z3_L_TRUE ? SK_PASS : SK_DROP);
	else
		r[0] = sym_from(&e->ctx, Z3_mk_ite(z, pass, term_num(e, SK_PASS, 32), term_num(e, SK_DROP, 32)), false);
	return STEP_CONTINUE;
}

static enum step sockmap_msg_redirect_map(struct mhse_engine *e, struct state *s)
{
	return redirect(e, s, BPF_FUNC_msg_redirect_map);
}

static enum step sockmap_msg_redirect_hash(struct mhse_engine *e, struct state *s)
{
	return redirect(e, s, BPF_FUNC_msg_redirect_hash);
}

static enum step sockmap_sk_redirect_map(struct mhse_engine *e, struct state *s)
{
	return redirect(e, s, BPF_FUNC_sk_redirect_map);
}

static enum step sockmap_sk_redirect_hash(struct mhse_engine *e, struct state *s)
{
	return redirect(e, s, BPF_FUNC_sk_redirect_hash);
}

static enum step sockmap_msg_bytes(struct mhse_engine *e, struct state *s)
{
	(void)e;
	s->regs[BPF_REG_0] = sval_conc(0);
	return STEP_CONTINUE;
}

#define HELPER(name, contexts, concrete, symbolic) symbolic,
static const sym_helper_fn sockmap_helpers[] = {
#include "sockmap_helper_list.h"
};
#undef HELPER

const struct sym_helper_module sym_helpers_sockmap = { &helpers_sockmap, sockmap_helpers,
						       sizeof(sockmap_helpers) / sizeof(sockmap_helpers[0]), NULL };
