/* SPDX-License-Identifier: MIT */
/*
 * The checksum arithmetic of csum.h on terms, for helpers whose operands
 * are symbolic. tests/unit/csum_test.c holds the two to each other.
 */
#ifndef MHSE_CSUM_SYM_H
#define MHSE_CSUM_SYM_H

#include "expr.h"

/* 32-bit terms unless said otherwise */
Z3_ast csum_sym_add(struct sym_ctx *ctx, Z3_ast a, Z3_ast b);
Z3_ast csum_sym_sub(struct sym_ctx *ctx, Z3_ast a, Z3_ast b);
/* 16-bit terms */
Z3_ast csum_sym16_add(struct sym_ctx *ctx, Z3_ast sum, Z3_ast addend);
/* 32-bit in, 16-bit out */
Z3_ast csum_sym_fold(struct sym_ctx *ctx, Z3_ast sum);

#endif
