/* SPDX-License-Identifier: MIT */
/*
 * CO-RE relocations: the instructions .BTF.ext's core_relo records name,
 * patched for a target BTF the way libbpf patches them when it loads an
 * object (see core_relo.c). A loader internal of core/object.c.
 */
#ifndef MHSE_CORE_RELO_H
#define MHSE_CORE_RELO_H

#include <stddef.h>
#include "object.h"

/* Resolves every record of recs (local types from local, candidates from
 * target) and patches secs[rec.sec].insns in place; a relocation that cannot
 * be satisfied poisons its instruction and is listed in that section's
 * poisons, counted in *poisoned. Returns 0, or a negative errno after logging
 * "file: CO-RE relocation #N ...: problem" for what libbpf refuses to load. */
int mhse_core__relocate(const char *file, const struct btf *local, const struct btf *target,
			const struct mhse_core_rec *recs, size_t cnt, struct mhse_code_sec *secs, size_t *poisoned);

#endif
