// SPDX-License-Identifier: MIT
/*
 * What one program refers to, gathered in one pass over its relocated
 * instructions, since every reference is explicit there: LD_IMM64 with a
 * pseudo source register names a map or an extern by index, a call names a
 * helper by id or a kfunc by extern index. Poisoned calls (CO-RE) are no
 * helpers.
 */
#include <stdlib.h>
#include "insn.h"
#include "prog_refs.h"

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

int prog_refs__collect(const struct mhse_object *obj, const struct mhse_prog *prog, struct prog_refs *refs)
{
	size_t unique = 0;

	refs->maps = calloc(obj->map_cnt + 1, sizeof(*refs->maps));
	refs->kfuncs = calloc(obj->extern_cnt + 1, sizeof(*refs->kfuncs));
	refs->helpers = malloc((prog->insn_cnt + 1) * sizeof(*refs->helpers));
	refs->helper_cnt = 0;
	if (!refs->maps || !refs->kfuncs || !refs->helpers)
		return -1;
	for (size_t i = 0; i < prog->insn_cnt; i++) {
		const struct bpf_insn *insn = &prog->insns[i];

		if (insn_is_ld_imm64(insn) && (insn->src_reg == MHSE_PSEUDO_MAP_IDX ||
					       insn->src_reg == MHSE_PSEUDO_MAP_IDX_VALUE) &&
		    (uint32_t)insn->imm < obj->map_cnt)
			refs->maps[insn->imm] = true;
		else if (insn_is_call(insn) && insn->src_reg == BPF_PSEUDO_KFUNC_CALL && (uint32_t)insn->imm < obj->extern_cnt)
			refs->kfuncs[insn->imm] = true;
		else if (insn_is_call(insn) && insn->src_reg == 0 && !mhse_prog__poisoned(prog, i))
			refs->helpers[refs->helper_cnt++] = insn->imm;
	}
	qsort(refs->helpers, refs->helper_cnt, sizeof(*refs->helpers), cmp_i32);
	for (size_t i = 0; i < refs->helper_cnt; i++)
		if (!unique || refs->helpers[unique - 1] != refs->helpers[i])
			refs->helpers[unique++] = refs->helpers[i];
	refs->helper_cnt = unique;
	return 0;
}

void prog_refs__free(struct prog_refs *refs)
{
	free(refs->maps);
	free(refs->kfuncs);
	free(refs->helpers);
}

bool prog_refs__calls(const struct prog_refs *refs, int32_t id)
{
	return bsearch(&id, refs->helpers, refs->helper_cnt, sizeof(*refs->helpers), cmp_i32) != NULL;
}

bool prog_refs__btf_pointers(const struct mhse_prog *prog)
{
	for (size_t i = 0; i < prog->insn_cnt; i++) {
		const struct bpf_insn *insn = &prog->insns[i];

		if (insn_is_call(insn) && insn->src_reg == 0 && !mhse_prog__poisoned(prog, i) &&
		    (insn->imm == BPF_FUNC_get_current_task_btf || insn->imm == BPF_FUNC_task_pt_regs))
			return true;
	}
	return false;
}
