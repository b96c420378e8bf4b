// SPDX-License-Identifier: MIT
/*
 * Replaying a path and comparing.
 *
 * Branch decisions are taken from the registers before the jump executes,
 * with the interpreter's own sem_cond, rather than from where control lands:
 * a jump with offset 0 lands on the next instruction either way, and the
 * engine records the condition.
 *
 * Map changes are found against a second copy of the maps, built the same
 * way as the VM's (reset, then the path's initial entries) in a memory of
 * its own, so that "initial" means exactly what maps.c makes of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "map_ids.h"
#include "sem.h"
#include "selfcheck.h"
#include "testwriter.h"

/* What the instruction hook gathers during a run. */
struct recorder {
	struct coverage *cov;
	struct path_branch *branches;
	size_t branch_cnt, branch_cap;
	struct path_nondet *nondet;
	size_t nondet_cnt, nondet_cap;
	int32_t last_helper; /* the helper call that ran last: whoever consumed a new nondeterministic value */
	bool nomem;
};

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static int record_nondet(struct recorder *rec, const struct mhse_vm *vm)
{
	for (; rec->nondet_cnt < vm->nondet_used; rec->nondet_cnt++) {
		size_t i = rec->nondet_cnt;

		if (grow((void **)&rec->nondet, &rec->nondet_cap, i + 1, sizeof(*rec->nondet)))
			return -ENOMEM;
		rec->nondet[i] = (struct path_nondet){ .helper = rec->last_helper,
						       .value = i < vm->nondet_cnt ? vm->nondet[i] : 0 };
	}
	return 0;
}

static int record_insn(void *arg, const struct mhse_vm *vm, size_t pc, const uint64_t *regs)
{
	struct recorder *rec = arg;
	const struct bpf_insn *insn = &vm->prog->insns[pc];
	uint32_t prog = (uint32_t)(vm->prog - vm->obj->progs);
	uint64_t src;
	bool taken;

	if (record_nondet(rec, vm))
		goto nomem;
	if (rec->cov && coverage__hit(rec->cov, prog, pc))
		goto nomem;
	if (insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg)
		rec->last_helper = insn->imm;
	else if (insn->code == (BPF_JMP | BPF_CALL | BPF_X) && regs[insn->dst_reg] <= INT32_MAX)
		rec->last_helper = (int32_t)regs[insn->dst_reg]; /* callx by helper number */
	if (!insn_is_cond_jump(insn))
		return 0;
	src = BPF_SRC(insn->code) == BPF_X ? regs[insn->src_reg] : (uint64_t)(int64_t)insn->imm;
	taken = sem_cond(insn->code, regs[insn->dst_reg], src);
	if (rec->cov && coverage__branch(rec->cov, prog, pc, taken))
		goto nomem;
	if (grow((void **)&rec->branches, &rec->branch_cap, rec->branch_cnt + 1, sizeof(*rec->branches)))
		goto nomem;
	rec->branches[rec->branch_cnt++] = (struct path_branch){ .prog = prog, .pc = (uint32_t)pc, .taken = taken };
	return 0;
nomem:
	rec->nomem = true;
	return 1;
}

static void *memdup(const void *p, size_t len)
{
	void *q;

	if (!p)
		return NULL;
	q = malloc(len ? len : 1);
	if (q && len)
		memcpy(q, p, len);
	return q;
}

/* Appends {map, key, value} with copies; value NULL stays NULL. */
static int add_entry(struct path_map_entry **arr, size_t *cnt, const struct mhse_map *def, uint32_t map,
		     const uint8_t *key, const uint8_t *value)
{
	struct path_map_entry *a = realloc(*arr, (*cnt + 1) * sizeof(*a));
	struct path_map_entry *e;

	if (!a)
		return -ENOMEM;
	*arr = a;
	e = &a[*cnt];
	e->map = map;
	e->key = memdup(key, def->key_size);
	e->value = memdup(value, def->value_size);
	if (!e->key || (value && !e->value)) {
		free(e->key);
		free(e->value);
		return -ENOMEM;
	}
	(*cnt)++;
	return 0;
}

/* A set of maps by id (map_ids.h): the object's, then the inner maps the
 * path's initial entries hold. */
struct map_set {
	struct map_state **maps;
	uint32_t *cnt;
	struct mem *mem;
};

/* Puts the path's initial entries into the maps of set, making each inner
 * map as the entry holding it comes. Returns 0, 1 with a reason when an
 * entry names no map or a map refuses it, or -ENOMEM. */
static int load_map_in(const struct map_set *set, const struct mhse_object *obj, const struct path_result *p,
		       char *reason, size_t reason_len)
{
	for (size_t i = 0; i < p->map_in_cnt; i++) {
		const struct path_map_entry *e = &p->map_in[i];
		const struct mhse_map *def = e->map < *set->cnt ? (*set->maps)[e->map].def : NULL;
		char name[MAP_ID_NAME_MAX];
		int err;

		if (!def) {
			snprintf(reason, reason_len, "initial entry %zu names map %u of %u", i, e->map, *set->cnt);
			return 1;
		}
		if (!e->value)
			continue;
		if (map_ids__holds_inner(obj, p, e)) {
			if (map_ids__held(e) != *set->cnt || !map_ids__inner_def(obj, e->map)) {
				snprintf(reason, reason_len, "initial entry %zu holds inner map %u, expected %u", i,
					 map_ids__held(e), *set->cnt);
				return 1;
			}
			err = map_states__add(set->maps, set->cnt, map_ids__inner_def(obj, e->map), set->mem);
			if (err)
				return err;
		}
		err = map_state__update(&(*set->maps)[e->map], e->key, e->value, BPF_ANY);
		if (err) {
			snprintf(reason, reason_len, "map %s refused initial entry %zu: %s",
				 map_ids__name(obj, p, e->map, name, sizeof(name)), i, strerror(-err));
			return 1;
		}
	}
	return 0;
}

/* The maps as the run found them, apart from the VM's. */
struct initial_maps {
	struct mem mem;
	struct map_state *maps;
	uint32_t cnt;
};

static void initial_maps__free(struct initial_maps *im)
{
	for (size_t i = 0; i < im->cnt; i++)
		map_state__free(&im->maps[i]);
	free(im->maps);
	mem_free(&im->mem);
}

static int initial_maps__init(struct initial_maps *im, const struct mhse_object *obj, const struct path_result *p,
			      char *reason, size_t reason_len)
{
	struct map_set set = { &im->maps, &im->cnt, &im->mem };
	int err;

	*im = (struct initial_maps){ 0 };
	for (size_t i = 0; i < obj->map_cnt; i++) {
		err = map_states__add(&im->maps, &im->cnt, &obj->maps[i], &im->mem);
		if (err)
			return err;
	}
	return load_map_in(&set, obj, p, reason, reason_len);
}

/* A map's value for key, where an array slot or global data never written
 * holds zeroes; NULL when absent. */
static const uint8_t *value_or_zeroes(struct map_state *ms, const uint8_t *key, const uint8_t *zeroes)
{
	const uint8_t *v = map_state__value(ms, key);

	if (v)
		return v;
	return map_is_array_like(ms->def->type) || ms->def->origin == MHSE_MAP_GLOBAL ? zeroes : NULL;
}

/* Every entry of the VM's maps whose value differs from the initial one. */
static int diff_maps(struct mhse_vm *vm, struct initial_maps *im, struct path_result *out)
{
	for (uint32_t m = 0; m < vm->map_cnt && m < im->cnt; m++) {
		const struct mhse_map *def = vm->maps[m].def;
		uint8_t *zeroes = calloc(1, def->value_size ? def->value_size : 1);
		const uint8_t *key, *value, *other;
		uint32_t pos = 0;
		int err = 0;

		if (!zeroes)
			return -ENOMEM;
		while (!err && map_state__next(&vm->maps[m], &pos, &key, &value)) {
			other = value_or_zeroes(&im->maps[m], key, zeroes);
			if (!other || memcmp(other, value, def->value_size))
				err = add_entry(&out->map_out, &out->map_out_cnt, def, m, key, value);
		}
		for (pos = 0; !err && map_state__next(&im->maps[m], &pos, &key, &value);)
			if (!value_or_zeroes(&vm->maps[m], key, zeroes))
				err = add_entry(&out->map_out, &out->map_out_cnt, def, m, key, NULL);
		free(zeroes);
		if (err)
			return err;
	}
	return 0;
}

static int copy_inputs(const struct mhse_object *obj, const struct path_result *in, struct path_result *out)
{
	out->packet_in_len = in->packet_in_len;
	out->packet_in = memdup(in->packet_in, in->packet_in_len);
	out->ctx_len = in->ctx_len;
	out->ctx_in = memdup(in->ctx_in, in->ctx_len);
	if ((in->packet_in && !out->packet_in) || (in->ctx_in && !out->ctx_in))
		return -ENOMEM;
	for (size_t i = 0; i < in->map_in_cnt; i++) {
		const struct path_map_entry *e = &in->map_in[i];

		const struct mhse_map *def = map_ids__def(obj, in, e->map);

		if (!def || add_entry(&out->map_in, &out->map_in_cnt, def, e->map, e->key, e->value))
			return -ENOMEM;
	}
	return 0;
}

/* Fills what the run did into out, after mhse_vm__run returned run_err. */
static int describe_run(struct mhse_vm *vm, int run_err, uint64_t ret, struct recorder *rec, struct path_result *out)
{
	const struct mhse_hook *hook = vm->hook;
	uint32_t prog = (uint32_t)(vm->prog - vm->obj->progs);

	out->insns = vm->insns_executed;
	out->redirect_target = vm->redirect_target;
	if (run_err) {
		out->kind = vm->status == VM_ERR_UNSUPPORTED ? PATH_UNSUPPORTED :
			    vm->status == VM_ERR_BUDGET ? PATH_BUDGET : PATH_ERROR;
		snprintf(out->message, sizeof(out->message), "%s", vm->err_msg);
		out->err_prog = prog;
		out->err_pc = (uint32_t)vm->err_pc;
	} else if (hook && mhse_hook__ret_outside(hook, ret)) {
		out->kind = hook->ret_outside == HOOK_RET_REJECTED ? PATH_ERROR : PATH_WARNING;
		mhse_hook__ret_outside_message(hook, out->message, sizeof(out->message));
		out->err_prog = prog;
		out->err_pc = (uint32_t)vm->pc;
	} else {
		out->kind = PATH_EXIT;
	}
	out->ret = path_returned(out->kind) ? ret : 0;
	/* raw-memory hooks report their memory where packet hooks report the packet */
	if (hook && (hook->has_packet || hook->input == HOOK_INPUT_RAW_MEM)) {
		uint32_t len;
		const uint8_t *pkt = mhse_vm__packet(vm, &len);

		out->packet_out_len = len;
		out->packet_out = memdup(pkt, len);
		if (!out->packet_out)
			return -ENOMEM;
	}
	if (vm->trace_len && !(out->trace = strndup(vm->trace, vm->trace_len)))
		return -ENOMEM;
	/* the events move to the result */
	out->events = vm->events;
	out->event_cnt = vm->event_cnt;
	vm->events = NULL;
	vm->event_cnt = 0;
	out->branches = rec->branches;
	out->branch_cnt = rec->branch_cnt;
	out->nondet = rec->nondet;
	out->nondet_cnt = rec->nondet_cnt;
	rec->branches = NULL;
	rec->nondet = NULL;
	return 0;
}

/* selfcheck__run, with a refused initial entry reported as 1 and a reason. */
static int run_path(struct mhse_vm *vm, const struct mhse_prog *prog, const struct path_result *in,
		    struct coverage *cov, struct path_result *out, char *reason, size_t reason_len)
{
	struct recorder rec = { .cov = cov, .last_helper = -1 };
	vm_insn_hook saved_hook = vm->on_insn;
	void *saved_arg = vm->on_insn_arg;
	struct initial_maps initial;
	uint64_t *nondet = calloc(in->nondet_cnt ? in->nondet_cnt : 1, sizeof(*nondet));
	struct vm_input input = {
		.packet = in->packet_in,
		.packet_len = in->packet_in_len,
		/* raw-memory hooks carry their memory in the packet fields */
		.raw = in->packet_in,
		.raw_len = in->packet_in_len,
		.ctx = in->ctx_in,
		.ctx_len = in->ctx_len,
		.nondet = nondet,
		.nondet_cnt = in->nondet_cnt,
		.kmem = in->kmem,
		.kmem_cnt = in->kmem_cnt,
	};
	uint64_t ret = 0;
	int err, run_err;

	*out = (struct path_result){ 0 };
	if (!nondet)
		return -ENOMEM;
	for (size_t i = 0; i < in->nondet_cnt; i++)
		nondet[i] = in->nondet[i].value;
	mhse_vm__reset_maps(vm);
	err = initial_maps__init(&initial, vm->obj, in, reason, reason_len);
	if (!err)
		err = load_map_in(&(struct map_set){ &vm->maps, &vm->map_cnt, &vm->mem }, vm->obj, in, reason,
				  reason_len);
	if (!err)
		err = copy_inputs(vm->obj, in, out);
	if (err)
		goto out;

	vm->on_insn = record_insn;
	vm->on_insn_arg = &rec;
	run_err = mhse_vm__run(vm, prog, &input, &ret);
	vm->on_insn = saved_hook;
	vm->on_insn_arg = saved_arg;
	if (rec.nomem || record_nondet(&rec, vm) || (run_err == -ENOMEM && vm->status == VM_OK)) {
		err = -ENOMEM;
		goto out;
	}
	err = describe_run(vm, run_err, ret, &rec, out);
	if (!err)
		err = diff_maps(vm, &initial, out);
out:
	if (err) {
		path_result__free(out);
		*out = (struct path_result){ 0 };
	}
	initial_maps__free(&initial);
	free(rec.branches);
	free(rec.nondet);
	free(nondet);
	return err;
}

int selfcheck__run(struct mhse_vm *vm, const struct mhse_prog *prog, const struct path_result *in,
		   struct coverage *cov, struct path_result *out)
{
	char reason[256];
	int err = run_path(vm, prog, in, cov, out, reason, sizeof(reason));

	if (err == 1) {
		pr_err("%s: %s\n", prog->name, reason);
		return -EINVAL;
	}
	return err;
}

__attribute__((format(printf, 3, 4))) static int mismatch(char *reason, size_t reason_len, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(reason, reason_len, fmt, args);
	va_end(args);
	return 1;
}

/* " of <program>" when a and b are in different programs, so that a reason
 * names programs only when a tail call is what differs. */
static const char *of_prog(const struct mhse_object *obj, uint32_t prog, uint32_t other, char *buf, size_t size)
{
	if (prog == other)
		return "";
	snprintf(buf, size, " of %s", prog < obj->prog_cnt ? obj->progs[prog].name : "?");
	return buf;
}

/* With prefix, the run may go on past the path's last branch. */
static int compare_branches(const struct mhse_object *obj, const struct path_result *e, const struct path_result *a,
			    bool prefix, char *reason, size_t reason_len)
{
	size_t n = e->branch_cnt < a->branch_cnt ? e->branch_cnt : a->branch_cnt;
	char pa[80], pe[80];

	for (size_t i = 0; i < n; i++) {
		const struct path_branch *eb = &e->branches[i], *ab = &a->branches[i];

		if (eb->prog != ab->prog || eb->pc != ab->pc)
			return mismatch(reason, reason_len, "branch %zu at insn %u%s, expected insn %u%s", i, ab->pc,
					of_prog(obj, ab->prog, eb->prog, pa, sizeof(pa)), eb->pc,
					of_prog(obj, eb->prog, ab->prog, pe, sizeof(pe)));
		if (eb->taken != ab->taken)
			return mismatch(reason, reason_len, "branch %zu at insn %u %s, expected %s", i, ab->pc,
					ab->taken ? "taken" : "not taken", eb->taken ? "taken" : "not taken");
	}
	if (a->branch_cnt > n && !prefix)
		return mismatch(reason, reason_len, "branch %zu at insn %u is past the path's %zu branches", n,
				a->branches[n].pc, e->branch_cnt);
	if (e->branch_cnt > n)
		return mismatch(reason, reason_len, "the run took %zu branches, expected %zu", a->branch_cnt,
				e->branch_cnt);
	return 0;
}

static int compare_ending(const struct mhse_object *obj, const struct path_result *e, const struct path_result *a,
			  char *reason, size_t reason_len)
{
	char pa[80], pe[80];

	if (e->kind == PATH_EXIT && a->kind == PATH_EXIT)
		return 0;
	if (e->kind == PATH_EXIT)
		return mismatch(reason, reason_len, "%s at insn %u (%s), expected exit", test_kind_name(a->kind), a->err_pc,
				a->message);
	if (a->kind == PATH_EXIT)
		return mismatch(reason, reason_len, "exit with return %" PRId64 ", expected %s at insn %u",
				(int64_t)a->ret, test_kind_name(e->kind), e->err_pc);
	/* a warning is an exit: the rest compares its return, packet and maps */
	if (e->kind == PATH_WARNING && a->kind == PATH_WARNING)
		return 0;
	if (e->kind != a->kind || e->err_prog != a->err_prog || e->err_pc != a->err_pc)
		return mismatch(reason, reason_len, "%s at insn %u%s (%s), expected %s at insn %u%s",
				test_kind_name(a->kind), a->err_pc, of_prog(obj, a->err_prog, e->err_prog, pa, sizeof(pa)),
				a->message, test_kind_name(e->kind), e->err_pc,
				of_prog(obj, e->err_prog, a->err_prog, pe, sizeof(pe)));
	return 0;
}

static int compare_nondet(const struct path_result *e, const struct path_result *a, char *reason, size_t reason_len)
{
	if (e->nondet_cnt != a->nondet_cnt)
		return mismatch(reason, reason_len, "the run used %zu nondeterministic values, expected %zu",
				a->nondet_cnt, e->nondet_cnt);
	for (size_t i = 0; i < e->nondet_cnt; i++) {
		const char *ah = helper_name(a->nondet[i].helper), *eh = helper_name(e->nondet[i].helper);

		if (e->nondet[i].helper != a->nondet[i].helper)
			return mismatch(reason, reason_len, "nondeterministic value %zu went to %s, expected %s", i,
					ah ? ah : "?", eh ? eh : "?");
	}
	return 0;
}

static int compare_packet(const struct path_result *e, const struct path_result *a, char *reason, size_t reason_len)
{
	if (e->packet_out_len != a->packet_out_len)
		return mismatch(reason, reason_len, "packet length %u, expected %u", a->packet_out_len,
				e->packet_out_len);
	for (uint32_t i = 0; i < e->packet_out_len; i++)
		if (e->packet_out[i] != a->packet_out[i])
			return mismatch(reason, reason_len, "packet byte %u: 0x%02x, expected 0x%02x", i, a->packet_out[i],
					e->packet_out[i]);
	return 0;
}

static const struct path_map_entry *find_entry(const struct path_result *p, const struct mhse_map *def,
					       const struct path_map_entry *like)
{
	for (size_t i = 0; i < p->map_out_cnt; i++)
		if (p->map_out[i].map == like->map && !memcmp(p->map_out[i].key, like->key, def->key_size))
			return &p->map_out[i];
	return NULL;
}

/* An entry's final state as a reason tells it; no entry means unchanged. */
static const char *entry_state(const struct path_map_entry *entry, const struct mhse_map *def, char *buf, size_t size)
{
	if (!entry)
		return "unchanged";
	if (!entry->value)
		return "deleted";
	return mhse_hex(buf, size, entry->value, def->value_size);
}

/* The run's and the path's final state of one key of map def, at least one of them given. */
static int compare_entry(const struct mhse_object *obj, const struct path_result *e, const struct mhse_map *def,
			 const struct path_map_entry *ae, const struct path_map_entry *ee, char *reason,
			 size_t reason_len)
{
	const struct path_map_entry *any = ae ? ae : ee;
	char key[80], av[80], ev[80], name[MAP_ID_NAME_MAX];

	mhse_hex(key, sizeof(key), any->key, def->key_size);
	map_ids__name(obj, e, any->map, name, sizeof(name));
	if (!ae || !ee || !ae->value != !ee->value)
		return mismatch(reason, reason_len, "map %s key %s: %s, expected %s", name, key,
				entry_state(ae, def, av, sizeof(av)), entry_state(ee, def, ev, sizeof(ev)));
	for (uint32_t i = 0; ae->value && i < def->value_size; i++)
		if (ae->value[i] != ee->value[i])
			return mismatch(reason, reason_len, "map %s key %s: value byte %u is 0x%02x, expected 0x%02x",
					name, key, i, ae->value[i], ee->value[i]);
	return 0;
}

/* The run's maps are the path's: it was set up from the path's initial entries. */
static int compare_maps(const struct mhse_object *obj, const struct path_result *e, const struct path_result *a,
			char *reason, size_t reason_len)
{
	for (size_t i = 0; i < e->map_out_cnt; i++) {
		const struct mhse_map *def = map_ids__def(obj, e, e->map_out[i].map);

		if (!def)
			return mismatch(reason, reason_len, "final entry %zu names map %u, which the test does not have",
					i, e->map_out[i].map);
		if (compare_entry(obj, e, def, find_entry(a, def, &e->map_out[i]), &e->map_out[i], reason, reason_len))
			return 1;
	}
	for (size_t i = 0; i < a->map_out_cnt; i++) {
		const struct mhse_map *def = map_ids__def(obj, e, a->map_out[i].map);

		if (def && !find_entry(e, def, &a->map_out[i]) &&
		    compare_entry(obj, e, def, &a->map_out[i], NULL, reason, reason_len))
			return 1;
	}
	return 0;
}

static int compare_trace(const struct path_result *e, const struct path_result *a, char *reason, size_t reason_len)
{
	const char *et = e->trace ? e->trace : "", *at = a->trace ? a->trace : "";
	size_t i = 0;

	while (et[i] && et[i] == at[i])
		i++;
	if (et[i] != at[i])
		return mismatch(reason, reason_len, "trace_printk output differs from byte %zu on", i);
	return 0;
}

static int compare_events(const struct mhse_object *obj, const struct path_result *e, const struct path_result *a,
			  char *reason, size_t reason_len)
{
	if (e->event_cnt != a->event_cnt)
		return mismatch(reason, reason_len, "%zu events, expected %zu", a->event_cnt, e->event_cnt);
	for (size_t i = 0; i < e->event_cnt; i++) {
		const struct path_event *x = &e->events[i], *y = &a->events[i];

		char name[MAP_ID_NAME_MAX];

		if (x->helper != y->helper || x->map != y->map || x->len != y->len || memcmp(x->data, y->data, x->len))
			return mismatch(reason, reason_len, "event %zu (%s to map %s) differs", i,
					helper_name(x->helper) ? helper_name(x->helper) : "?",
					map_ids__name(obj, e, x->map, name, sizeof(name)));
	}
	return 0;
}

int selfcheck__compare(const struct mhse_object *obj, const struct path_result *e, const struct path_result *a,
		       char *reason, size_t reason_len)
{
	if (e->kind == PATH_TIMEOUT)
		return 0;
	if (e->kind == PATH_UNSUPPORTED)
		return compare_branches(obj, e, a, true, reason, reason_len);
	if (compare_branches(obj, e, a, false, reason, reason_len) || compare_ending(obj, e, a, reason, reason_len) ||
	    compare_nondet(e, a, reason, reason_len))
		return 1;
	if (!path_returned(e->kind))
		return 0;
	if (e->ret != a->ret)
		return mismatch(reason, reason_len, "return %" PRId64 ", expected %" PRId64, (int64_t)a->ret,
				(int64_t)e->ret);
	if (compare_packet(e, a, reason, reason_len) || compare_maps(obj, e, a, reason, reason_len))
		return 1;
	if (e->redirect_target != a->redirect_target)
		return mismatch(reason, reason_len, "redirect %" PRIu64 ", expected %" PRIu64, a->redirect_target,
				e->redirect_target);
	return compare_trace(e, a, reason, reason_len) || compare_events(obj, e, a, reason, reason_len);
}

uint64_t selfcheck__insn_budget(const struct path_result *p, uint64_t budget)
{
	/* the engine counts the instruction its budget refused */
	return p->kind == PATH_BUDGET && p->insns ? p->insns - 1 : budget;
}

int selfcheck__path(struct mhse_vm *vm, const struct mhse_prog *prog, const struct path_result *path,
		    struct coverage *cov, char *reason, size_t reason_len)
{
	struct path_result actual;
	int err = run_path(vm, prog, path, cov, &actual, reason, reason_len);

	if (err)
		return err;
	err = selfcheck__compare(vm->obj, path, &actual, reason, reason_len);
	path_result__free(&actual);
	return err;
}
