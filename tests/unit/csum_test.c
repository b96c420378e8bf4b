// SPDX-License-Identifier: MIT
/*
 * The symbolic checksum arithmetic (csum_sym.c) against the concrete one
 * (csum.h), on edge values and random ones: tc's checksum helpers are built
 * from both, and a difference would make a test replay differently.
 */
#include <stdio.h>
#include "csum.h"
#include "csum_sym.h"

static struct sym_ctx ctx;
static unsigned passed, failed;

static uint64_t eval(Z3_ast e)
{
	uint64_t v = 0;

	Z3_get_numeral_uint64(ctx.z, Z3_simplify(ctx.z, e), &v);
	return v;
}

static void expect(const char *what, uint64_t a, uint64_t b, uint64_t want, uint64_t got)
{
	if (want == got) {
		passed++;
		return;
	}
	if (failed++ < 20)
		fprintf(stderr, "FAIL %s a=0x%llx b=0x%llx: concrete 0x%llx symbolic 0x%llx\n", what,
			(unsigned long long)a, (unsigned long long)b, (unsigned long long)want, (unsigned long long)got);
}

int main(void)
{
	static const uint32_t edges[] = { 0, 1, 0xfffe, 0xffff, 0x10000, 0x1ffff, 0x7fffffff, 0x80000000,
					  0xfffeffff, 0xffff0000, 0xfffffffe, 0xffffffff };
	uint32_t vals[48];
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	if (sym_ctx__init(&ctx))
		return 1;
	for (size_t i = 0; i < 48; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		vals[i] = i < sizeof(edges) / sizeof(edges[0]) ? edges[i] : (uint32_t)seed;
	}
	for (size_t i = 0; i < 48; i++) {
		for (size_t j = 0; j < 48; j++) {
			uint32_t a = vals[i], b = vals[j];
			Z3_ast sa = sym_num(&ctx, a, 32), sb = sym_num(&ctx, b, 32);
			Z3_ast ha = sym_num(&ctx, a & 0xffff, 16), hb = sym_num(&ctx, b & 0xffff, 16);

			expect("csum_add", a, b, csum_add(a, b), eval(csum_sym_add(&ctx, sa, sb)));
			expect("csum_sub", a, b, csum_sub(a, b), eval(csum_sym_sub(&ctx, sa, sb)));
			expect("csum16_add", a, b, csum16_add((uint16_t)a, (uint16_t)b), eval(csum_sym16_add(&ctx, ha, hb)));
		}
		expect("csum_fold", vals[i], 0, csum_fold(vals[i]), eval(csum_sym_fold(&ctx, sym_num(&ctx, vals[i], 32))));
	}
	sym_ctx__fini(&ctx);
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
