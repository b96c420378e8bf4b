/* SPDX-License-Identifier: MIT */
/*
 * What an object holds, for people and for scripts: `mhse info` and
 * `mhse disasm`.
 */
#ifndef MHSE_INFO_H
#define MHSE_INFO_H

#include <stdbool.h>
#include <stdio.h>
#include "object.h"

/* Per program: name, section, hook, type, instruction count, subprograms,
 * maps, helpers and kfuncs it uses; per map: type, sizes, max_entries,
 * flags, inner map; then the externs nothing has bound. With json, one JSON
 * document with top-level "programs", "maps" and "externs" arrays. */
void mhse_object__print_info(const struct mhse_object *obj, FILE *out, bool json);

/* The program's instructions as llvm-objdump -d -S prints them: a label per
 * subprogram, "; source" whenever the line changes, index and text, with the
 * names of maps, externs, functions and kfuncs that instructions refer to. */
void mhse_prog__print_disasm(const struct mhse_object *obj, const struct mhse_prog *prog, FILE *out);

#endif
