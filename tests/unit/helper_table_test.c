// SPDX-License-Identifier: MIT
/*
 * The helper table (core/helper_table.c) against the kernel's func_protos:
 * every (context, helper) pair the table allows is in the list
 * tests/helpers/func_protos.py read out of Linux 6.1's sources, and every
 * pair of the list is in the table. Then the modelled rows: each within what
 * the kernel allows somewhere, no two rows modelling one helper in one
 * context, and every row with both halves.
 *
 * usage: helper_table_test FUNC_PROTOS_LIST
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine_internal.h"
#include "insn.h"

static unsigned passed, failed;

static void check(int ok, const char *fmt, const char *a, const char *b)
{
	if (ok) {
		passed++;
		return;
	}
	if (failed++ < 40) {
		fprintf(stderr, "FAIL ");
		fprintf(stderr, fmt, a, b);
		fputc('\n', stderr);
	}
}

static int ctx_by_name(const char *name)
{
	for (int c = 0; c < HC_CNT; c++)
		if (!strcmp(helper_context_name(c), name))
			return c;
	return -1;
}

int main(int argc, char **argv)
{
	static uint64_t listed[1024];
	char ctx_name[64], helper[64];
	FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;
	int32_t max_id = 0;

	if (!f) {
		fprintf(stderr, "usage: helper_table_test FUNC_PROTOS_LIST\n");
		return 2;
	}
	while (fscanf(f, "%63s %63s", ctx_name, helper) == 2) {
		int c = ctx_by_name(ctx_name);
		int32_t id = helper_id(helper);

		check(c >= 0, "list names context %s%s, which the table does not know", ctx_name, "");
		check(id > 0 && id < 1024, "list names helper %s%s, which mhse does not know", helper, "");
		if (c >= 0 && id > 0 && id < 1024) {
			listed[id] |= UINT64_C(1) << c;
			max_id = id > max_id ? id : max_id;
		}
	}
	fclose(f);
	check(max_id > 200, "the list is too short%s%s", "", "");

	/* the kernel's rows, pair by pair */
	for (int32_t id = 1; id < 1024; id++) {
		uint64_t table = helper_kernel_contexts(id);

		for (int c = 0; c < HC_CNT; c++) {
			uint64_t bit = UINT64_C(1) << c;

			if ((table & bit) && !(listed[id] & bit))
				check(0, "table allows %s in %s; the kernel does not", helper_name(id),
				      helper_context_name(c));
			else if (!(table & bit) && (listed[id] & bit))
				check(0, "the kernel allows %s in %s; the table does not", helper_name(id),
				      helper_context_name(c));
			else
				passed++;
		}
	}

	/* the modelled rows */
	for (size_t m = 0; m < helper_module_cnt; m++) {
		const struct helper_module *mod = helper_modules[m];
		const struct sym_helper_module *sym = sym_helper_module_find(mod->name);

		check(sym && sym->cnt == mod->cnt, "module %s has no symbolic half of its rows%s", mod->name, "");
		for (size_t i = 0; i < mod->cnt; i++) {
			const struct helper_impl *h = &mod->helpers[i];
			uint64_t where = h->contexts & helper_kernel_contexts(h->id);
			const char *name = helper_name(h->id);

			check(where != 0, "%s's row for %s is allowed in no context", mod->name, name);
			check(h->run && sym_helper_of(mod, i), "%s's row for %s lacks a half", mod->name, name);
			for (int c = 0; c < HC_CNT; c++) {
				const struct helper_module *got;
				size_t row;

				if (!(where & (UINT64_C(1) << c)))
					continue;
				check(!helper_resolve(h->id, c, &got, &row) && got == mod && row == i,
				      "%s in %s resolves to another row", name, helper_context_name(c));
			}
			for (size_t n = 0; n < helper_module_cnt; n++)
				for (size_t j = 0; j < helper_modules[n]->cnt; j++) {
					const struct helper_impl *o = &helper_modules[n]->helpers[j];

					if ((n != m || j != i) && o->id == h->id)
						check(!(o->contexts & where), "two rows model %s (module %s) in one context",
						      name, helper_modules[n]->name);
				}
		}
	}

	/* resolution's three answers */
	{
		const struct helper_module *mod;
		size_t row;

		check(!helper_resolve(BPF_FUNC_redirect, HC_XDP, &mod, &row) && !strcmp(mod->name, "xdp"),
		      "redirect in xdp is not %s's%s", "xdp", "");
		check(!helper_resolve(BPF_FUNC_redirect, HC_SCHED_CLS, &mod, &row) && !strcmp(mod->name, "tc"),
		      "redirect in sched_cls is not %s's%s", "tc", "");
		check(helper_resolve(BPF_FUNC_skb_store_bytes, HC_XDP, &mod, &row) == -EACCES,
		      "%s is allowed in %s", "skb_store_bytes", "xdp");
		check(helper_resolve(BPF_FUNC_skb_get_xfrm_state, HC_SCHED_CLS, &mod, &row) == -EOPNOTSUPP,
		      "%s in %s is not unmodelled", "skb_get_xfrm_state", "sched_cls");
		check(helper_context(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT) ==
			      HC_CGROUP_SOCK_ADDR_CONNECT, "%s%s: connect6 is not the connect context", "", "");
		check(helper_only_prog_type(BPF_FUNC_xdp_adjust_head) == BPF_PROG_TYPE_XDP &&
			      helper_only_prog_type(BPF_FUNC_skb_vlan_push) == BPF_PROG_TYPE_SCHED_CLS &&
			      helper_only_prog_type(BPF_FUNC_map_lookup_elem) == BPF_PROG_TYPE_UNSPEC,
		      "%s%s: a helper's only program type is wrong", "", "");
		check(helper_context(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP) == HC_TRACING_TP_BTF,
		      "%s%s: tp_btf is not its context", "", "");
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
