// SPDX-License-Identifier: MIT
/*
 * An object around bare instructions: a conformance vector or an assembled
 * program has no ELF, maps, BTF or relocations. Local calls in such a program
 * are already pc-relative within its one instruction array, so the program is
 * complete as given and its entry subprogram spans all of it. Its bpf_loop
 * calls are looked at as the ELF loader looks at them: the kernel would
 * inline them alike.
 *
 * Everything is heap-allocated the way the ELF loader allocates it, so that
 * mhse_object__close frees both kinds of object alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "object.h"

int mhse_object__from_insns(const struct bpf_insn *insns, size_t cnt, const char *name, struct mhse_object **objp)
{
	struct mhse_object *obj;
	struct mhse_prog *prog;

	*objp = NULL;
	if (!insns || !cnt || !name)
		return -EINVAL;
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return -ENOMEM;
	obj->progs = calloc(1, sizeof(*obj->progs));
	if (!obj->progs)
		goto nomem;
	obj->prog_cnt = 1;
	obj->path = strdup(name);
	prog = &obj->progs[0];
	prog->name = strdup(name);
	prog->section = strdup("raw");
	prog->type = BPF_PROG_TYPE_UNSPEC;
	prog->insns = malloc(cnt * sizeof(*insns));
	prog->subprogs = calloc(1, sizeof(*prog->subprogs));
	if (!obj->path || !prog->name || !prog->section || !prog->insns || !prog->subprogs)
		goto nomem;
	memcpy(prog->insns, insns, cnt * sizeof(*insns));
	prog->insn_cnt = cnt;
	prog->subprog_cnt = 1;
	prog->subprogs[0].name = strdup(name);
	if (!prog->subprogs[0].name)
		goto nomem;
	prog->subprogs[0].cnt = cnt;
	if (mhse_prog__find_inlined_loops(prog))
		goto nomem;
	*objp = obj;
	return 0;

nomem:
	mhse_object__close(obj);
	return -ENOMEM;
}
