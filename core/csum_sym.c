// SPDX-License-Identifier: MIT
#include "csum_sym.h"

/* r = a + b; r + (r < b): the end-around carry */
static Z3_ast add_carry(struct sym_ctx *ctx, Z3_ast a, Z3_ast b, unsigned bits)
{
	Z3_context z = ctx->z;
	Z3_ast r = Z3_mk_bvadd(z, a, b);

	return Z3_mk_bvadd(z, r, Z3_mk_ite(z, Z3_mk_bvult(z, r, b), sym_num(ctx, 1, bits), sym_num(ctx, 0, bits)));
}

Z3_ast csum_sym_add(struct sym_ctx *ctx, Z3_ast a, Z3_ast b)
{
	return add_carry(ctx, a, b, 32);
}

Z3_ast csum_sym_sub(struct sym_ctx *ctx, Z3_ast a, Z3_ast b)
{
	return add_carry(ctx, a, Z3_mk_bvnot(ctx->z, b), 32);
}

Z3_ast csum_sym16_add(struct sym_ctx *ctx, Z3_ast sum, Z3_ast addend)
{
	return add_carry(ctx, sum, addend, 16);
}

Z3_ast csum_sym_fold(struct sym_ctx *ctx, Z3_ast sum)
{
	Z3_context z = ctx->z;

	for (int i = 0; i < 2; i++)
		sum = Z3_mk_bvadd(z, Z3_mk_zero_ext(z, 16, Z3_mk_extract(z, 15, 0, sum)),
				  Z3_mk_zero_ext(z, 16, Z3_mk_extract(z, 31, 16, sum)));
	return Z3_mk_bvnot(z, Z3_mk_extract(z, 15, 0, sum));
}
