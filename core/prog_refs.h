/* SPDX-License-Identifier: MIT */
/*
 * The maps, kfuncs and helpers a program refers to (mhse info, hook placement).
 */
#ifndef MHSE_PROG_REFS_H
#define MHSE_PROG_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "object.h"

struct prog_refs {
	bool *maps;       /* by map index */
	bool *kfuncs;     /* by extern index */
	int32_t *helpers; /* helper ids, sorted and unique */
	size_t helper_cnt;
};

/* Fills refs; -1 when out of memory (free refs either way). */
int prog_refs__collect(const struct mhse_object *obj, const struct mhse_prog *prog, struct prog_refs *refs);
void prog_refs__free(struct prog_refs *refs);
/* Whether the program calls helper id. */
bool prog_refs__calls(const struct prog_refs *refs, int32_t id);
/* Whether the program calls a helper that gives it a BTF pointer to read
 * through directly, as BPF_PROBE_MEM loads (get_current_task_btf,
 * task_pt_regs), in any hook. */
bool prog_refs__btf_pointers(const struct mhse_prog *prog);

#endif
