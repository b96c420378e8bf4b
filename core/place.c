// SPDX-License-Identifier: MIT
/*
 * Hook placement: which program type, and so which hook, each program of an
 * object is, when its section name does not say it by libbpf's rules.
 *
 * A real object usually says what it is somewhere else. The rules, in the
 * order they are tried:
 *
 *  1. the section, by libbpf's SEC() rules (core/section.c);
 *  2. the context type of the program's BTF signature: the kernel gives
 *     every program type its own context struct (struct xdp_md *, struct
 *     bpf_sock_addr *, ...), so the first argument's type names it.
 *     struct __sk_buff * is shared: the section's pre-1.0 prefix or a helper
 *     one type alone calls (rules 3 and 5) picks among the skb types, tc
 *     when neither does;
 *  3. the section by libbpf's rules before 1.0 (most as plain prefixes,
 *     "xdp_fw") and iproute2's conventions ("tc_packet_hook0");
 *  4. a slot of a program array a placed program tail-calls through (as
 *     iproute2's "N/K" sections put a program into array N): the kernel
 *     wants the same type as the caller's;
 *  5. a helper only one program type may call (its *_func_proto alone
 *     offers it): a program calling xdp_adjust_head is XDP;
 *  6. an iproute2 "N/K" section that no placed program tail-calls into
 *     takes the type all the object's placed programs share: iproute2
 *     loads every program of an object as the one type its command names
 *     (tc's classifier, ip link's XDP), its tail-call sections included,
 *     whether or not program array N exists.
 *
 * Rules 4 to 6 are retried until nothing changes, since a program placed
 * by one may place the programs it tail-calls. Each placement records its
 * rule and why, for `mhse info` and the run summary; a program no rule
 * places records what each rule found.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "helpers.h"
#include "insn.h"
#include "object.h"
#include "prog_refs.h"

/* Program types by the context struct the kernel gives them. */
#define CTX(name, type) { name, BPF_PROG_TYPE_##type, false }
static const struct {
	const char *ctx;
	uint32_t type;
	bool prefix; /* ctx is a prefix of the struct's name (bpf_iter__task) */
} ctx_types[] = {
	CTX("xdp_md", XDP),
	CTX("__sk_buff", SCHED_CLS),
	CTX("bpf_sock_addr", CGROUP_SOCK_ADDR),
	CTX("bpf_sock", CGROUP_SOCK),
	CTX("sk_msg_md", SK_MSG),
	CTX("bpf_sock_ops", SOCK_OPS),
	CTX("pt_regs", KPROBE),
	CTX("user_pt_regs", KPROBE),
	CTX("bpf_sk_lookup", SK_LOOKUP),
	CTX("bpf_sockopt", CGROUP_SOCKOPT),
	CTX("bpf_perf_event_data", PERF_EVENT),
	CTX("bpf_raw_tracepoint_args", RAW_TRACEPOINT),
	CTX("sk_reuseport_md", SK_REUSEPORT),
	CTX("bpf_sysctl", CGROUP_SYSCTL),
	CTX("bpf_cgroup_dev_ctx", CGROUP_DEVICE),
	{ "bpf_iter__", BPF_PROG_TYPE_TRACING, true }, /* every iterator target's */
};

/* The program types whose context is struct __sk_buff. */
static bool is_skb_type(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_LWT_SEG6LOCAL:
	case BPF_PROG_TYPE_SK_SKB:
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
		return true;
	default:
		return false;
	}
}

static int place(struct mhse_prog *prog, enum mhse_hook_rule rule, uint32_t type, uint32_t attach, const char *hook,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int place(struct mhse_prog *prog, enum mhse_hook_rule rule, uint32_t type, uint32_t attach, const char *hook,
		 const char *fmt, ...)
{
	va_list args;
	char *why;

	va_start(args, fmt);
	if (vasprintf(&why, fmt, args) < 0)
		why = NULL;
	va_end(args);
	if (!why)
		return -ENOMEM;
	free(prog->hook_why);
	prog->hook_why = why;
	prog->hook_rule = rule;
	prog->type = type;
	prog->expected_attach_type = attach;
	prog->hook = hook ? hook : mhse_prog_type__hook(type);
	return 0;
}

/* The struct the first argument of prog's BTF signature points to, or NULL
 * (why says what the signature holds instead). */
static const char *btf_ctx_struct(const struct mhse_object *obj, const struct mhse_prog *prog, const char **why)
{
	const struct btf_type *t;
	int id;

	*why = "the object has no BTF";
	if (!obj->btf)
		return NULL;
	*why = "its BTF has no signature for it";
	id = btf__find_by_name_kind(obj->btf, prog->name, BTF_KIND_FUNC);
	t = id > 0 ? btf__type_by_id(obj->btf, (uint32_t)id) : NULL;
	t = t ? btf__type_by_id(obj->btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return NULL;
	*why = "its BTF signature has no pointer argument";
	if (!btf_vlen(t))
		return NULL;
	t = mhse_btf__skip_mods(obj->btf, btf_params(t)[0].type, NULL);
	if (!t || !btf_is_ptr(t))
		return NULL;
	*why = "its BTF signature's first argument points to no struct";
	t = mhse_btf__skip_mods(obj->btf, t->type, NULL);
	if (!t || !btf_is_struct(t))
		return NULL;
	return btf__name_by_offset(obj->btf, t->name_off);
}

/* The type of the only-one-type helper (core/helper_table.c) with the
 * lowest id prog calls, or UNSPEC. */
static uint32_t helper_type(const struct prog_refs *refs, int32_t *helper)
{
	for (int32_t id = 1; helper_name(id); id++) {
		uint32_t type = helper_only_prog_type(id);

		if (type != BPF_PROG_TYPE_UNSPEC && prog_refs__calls(refs, id)) {
			*helper = id;
			return type;
		}
	}
	return BPF_PROG_TYPE_UNSPEC;
}

static int place_by_btf(const struct mhse_object *obj, struct mhse_prog *prog, const struct prog_refs *refs,
			const char **tried)
{
	const char *name = btf_ctx_struct(obj, prog, tried), *hook;
	uint32_t type = BPF_PROG_TYPE_UNSPEC, legacy_type, attach;
	int32_t helper;

	if (!name)
		return 0;
	for (size_t i = 0; i < sizeof(ctx_types) / sizeof(ctx_types[0]); i++)
		if (ctx_types[i].prefix ? !strncmp(name, ctx_types[i].ctx, strlen(ctx_types[i].ctx)) :
					  !strcmp(name, ctx_types[i].ctx))
			type = ctx_types[i].type;
	*tried = "its BTF signature's context type is no program type's";
	if (type == BPF_PROG_TYPE_UNSPEC)
		return 0;
	if (type == BPF_PROG_TYPE_TRACING)
		return place(prog, MHSE_RULE_BTF, type, BPF_TRACE_ITER, "iter", "context type struct %s *", name);
	if (type != BPF_PROG_TYPE_SCHED_CLS)
		return place(prog, MHSE_RULE_BTF, type, 0, NULL, "context type struct %s *", name);
	if (mhse_section__classify_legacy(prog->section, &legacy_type, &attach, &hook) && is_skb_type(legacy_type))
		return place(prog, MHSE_RULE_BTF, legacy_type, attach, hook,
			     "context type struct __sk_buff *, section prefix of %s", mhse_prog_type__name(legacy_type));
	legacy_type = helper_type(refs, &helper);
	if (is_skb_type(legacy_type))
		return place(prog, MHSE_RULE_BTF, legacy_type, 0, NULL,
			     "context type struct __sk_buff *, calls %s (%s alone)", helper_name(helper),
			     mhse_prog_type__name(legacy_type));
	return place(prog, MHSE_RULE_BTF, type, 0, NULL, "context type struct __sk_buff * (tc: no section or helper says another skb type)");
}

static int place_by_prefix(struct mhse_prog *prog)
{
	uint32_t type, attach;
	const char *hook, *prefix = mhse_section__classify_legacy(prog->section, &type, &attach, &hook);

	if (!prefix)
		return 0;
	return place(prog, MHSE_RULE_PREFIX, type, attach, hook, "section prefix '%s' (libbpf before 1.0, iproute2)",
		     prefix);
}

/* Whether prog sits in a slot of program array map. */
static bool in_slot(const struct mhse_object *obj, const struct mhse_map *map, const struct mhse_prog *prog)
{
	for (uint32_t k = 0; map->type == BPF_MAP_TYPE_PROG_ARRAY && k < map->init_slot_cnt; k++)
		if (map->init_slots[k] >= 0 && &obj->progs[map->init_slots[k]] == prog)
			return true;
	return false;
}

static int place_by_tail_call(const struct mhse_object *obj, struct mhse_prog *prog, const struct prog_refs *all)
{
	for (size_t m = 0; m < obj->map_cnt; m++) {
		if (!in_slot(obj, &obj->maps[m], prog))
			continue;
		for (size_t q = 0; q < obj->prog_cnt; q++) {
			const struct mhse_prog *caller = &obj->progs[q];

			if (caller == prog || !caller->hook || !all[q].maps[m] ||
			    !prog_refs__calls(&all[q], BPF_FUNC_tail_call))
				continue;
			return place(prog, MHSE_RULE_TAIL_CALL, caller->type, caller->expected_attach_type, caller->hook,
				     "tail-called through program array %s by %s", obj->maps[m].name, caller->name);
		}
	}
	return 0;
}

static int place_by_helpers(struct mhse_prog *prog, const struct prog_refs *refs)
{
	int32_t helper;
	uint32_t type = helper_type(refs, &helper);

	if (type == BPF_PROG_TYPE_UNSPEC)
		return 0;
	return place(prog, MHSE_RULE_HELPERS, type, 0, NULL, "calls %s, which %s programs alone may call",
		     helper_name(helper), mhse_prog_type__name(type));
}

static int place_with_object(const struct mhse_object *obj, struct mhse_prog *prog)
{
	const struct mhse_prog *typed = NULL;
	unsigned id, key;

	if (!mhse_section__iproute2_slot(prog->section, &id, &key))
		return 0;
	for (size_t q = 0; q < obj->prog_cnt; q++) {
		const struct mhse_prog *other = &obj->progs[q];

		if (!other->hook)
			continue;
		if (typed && (typed->type != other->type || strcmp(typed->hook, other->hook)))
			return 0;
		typed = other;
	}
	if (!typed)
		return 0;
	return place(prog, MHSE_RULE_OBJECT, typed->type, typed->expected_attach_type, typed->hook,
		     "iproute2 tail-call section '%s' of an object whose programs are all %s (as %s is)", prog->section,
		     mhse_prog_type__name(typed->type), typed->name);
}

int mhse_object__place_hooks(struct mhse_object *obj)
{
	struct prog_refs *refs = calloc(obj->prog_cnt + 1, sizeof(*refs));
	const char **btf_tried = calloc(obj->prog_cnt + 1, sizeof(*btf_tried));
	bool progress = true;
	int err = refs && btf_tried ? 0 : -ENOMEM;

	for (size_t p = 0; !err && p < obj->prog_cnt; p++) {
		struct mhse_prog *prog = &obj->progs[p];

		if (prog_refs__collect(obj, prog, &refs[p]))
			err = -ENOMEM;
		else if (prog->hook)
			err = place(prog, MHSE_RULE_SECTION, prog->type, prog->expected_attach_type, prog->hook,
				    "section '%s' (libbpf)", prog->section);
		else
			err = place_by_btf(obj, prog, &refs[p], &btf_tried[p]) ?: place_by_prefix(prog);
	}
	/* the last two rules, until no program is placed anew */
	while (!err && progress) {
		progress = false;
		for (size_t p = 0; !err && p < obj->prog_cnt; p++)
			if (!obj->progs[p].hook) {
				err = place_by_tail_call(obj, &obj->progs[p], refs);
				progress |= obj->progs[p].hook != NULL;
			}
		for (size_t p = 0; !err && !progress && p < obj->prog_cnt; p++)
			if (!obj->progs[p].hook) {
				err = place_by_helpers(&obj->progs[p], &refs[p]);
				progress |= obj->progs[p].hook != NULL;
			}
		for (size_t p = 0; !err && !progress && p < obj->prog_cnt; p++)
			if (!obj->progs[p].hook) {
				err = place_with_object(obj, &obj->progs[p]);
				progress |= obj->progs[p].hook != NULL;
			}
	}
	for (size_t p = 0; !err && p < obj->prog_cnt; p++) {
		struct mhse_prog *prog = &obj->progs[p];

		if (prog->hook)
			continue;
		free(prog->hook_why);
		if (asprintf(&prog->hook_why,
			     "no rule places it: section '%s' follows no libbpf rule, old or new, nor iproute2's; %s; "
			     "no program array a placed program tail-calls through holds it; it calls no helper of one "
			     "program type alone; it is no iproute2 tail-call section of an object of one type",
			     prog->section, btf_tried[p]) < 0) {
			prog->hook_why = NULL;
			err = -ENOMEM;
		}
	}
	for (size_t p = 0; refs && p < obj->prog_cnt; p++)
		prog_refs__free(&refs[p]);
	free(refs);
	free(btf_tried);
	return err;
}

const char *mhse_hook_rule__name(enum mhse_hook_rule rule)
{
	static const char *const names[] = {
		[MHSE_RULE_NONE] = NULL,           [MHSE_RULE_SECTION] = "section", [MHSE_RULE_BTF] = "btf",
		[MHSE_RULE_PREFIX] = "section-prefix", [MHSE_RULE_TAIL_CALL] = "tail-call",
		[MHSE_RULE_HELPERS] = "helpers", [MHSE_RULE_OBJECT] = "object",
	};

	return (size_t)rule < sizeof(names) / sizeof(names[0]) ? names[rule] : NULL;
}
