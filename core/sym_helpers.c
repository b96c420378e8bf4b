// SPDX-License-Identifier: MIT
/*
 * Symbolic models of the generic helpers. A value the kernel makes up (time,
 * random numbers, the CPU) becomes a fresh variable recorded in call order,
 * which is how the concrete interpreter consumes a test's nondeterministic
 * values, under the kernel's rules: a clock does not go back, and what is
 * fixed for a run (the CPU, the task) is one variable for the run. Map
 * helpers go to the map policy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"
#include "insn.h"
#include "mem.h"
#include "vm_internal.h"
#include "trace_format.h"

static enum step sym_map_lookup(struct mhse_engine *e, struct state *s)
{
	return policy__lookup(e, s);
}

static enum step sym_map_update(struct mhse_engine *e, struct state *s)
{
	return policy__update(e, s);
}

static enum step sym_map_delete(struct mhse_engine *e, struct state *s)
{
	return policy__delete(e, s);
}

enum step sym_write_bytes(struct mhse_engine *e, struct state *s, struct sval addr, uint32_t len, Z3_ast bytes)
{
	uint32_t region;
	struct sval off;
	struct sregion *r;
	Z3_ast *parts;
	struct sval *values;
	int err;
	enum step st = engine__resolve(e, s, addr, len, true, &region, &off);

	if (st != STEP_CONTINUE)
		return st;
	r = state__writable_region(s, region);
	parts = calloc(len ? len : 1, sizeof(*parts));
	values = calloc(len ? len : 1, sizeof(*values));
	err = !r || !parts || !values || sym_split_bytes(&e->ctx, bytes, len, parts);
	for (uint32_t i = 0; !err && i < len; i++)
		values[i] = sym_from(&e->ctx, parts[i], false);
	err = err || sregion__write_bytes(&e->ctx, r, off, len, values);
	free(parts);
	free(values);
	return err ? STEP_FAILED : STEP_CONTINUE;
}

/* A fresh value of bits bits, recorded: independent of every other. */
static enum step fresh_value(struct mhse_engine *e, struct state *s, int32_t id, unsigned bits)
{
	s->regs[BPF_REG_0] = engine__nondet(e, s, id, bits);
	return STEP_CONTINUE;
}

/* The helper's latest result on this path, or NULL. */
static Z3_ast latest_nondet(const struct state *s, int32_t id)
{
	for (size_t i = s->nondet_cnt; i-- > 0;)
		if (s->nondet[i].helper == id)
			return s->nondet[i].e;
	return NULL;
}

/* A value fixed for the whole run: a program runs with migration disabled
 * (one CPU, one NUMA node), in one task, at one attach point. Later calls
 * return the first call's value, recorded again: a test holds one value
 * per call. */
static enum step run_constant(struct mhse_engine *e, struct state *s, int32_t id, unsigned bits)
{
	Z3_ast first = latest_nondet(s, id);

	if (!first)
		return fresh_value(e, s, id, bits);
	s->regs[BPF_REG_0] = sym_from(&e->ctx, first, false);
	return engine__record_nondet(s, id, s->regs[BPF_REG_0]) ? STEP_FAILED : STEP_CONTINUE;
}

/* A clock never reads earlier than it did before on the path: ktime's
 * clocks and jiffies are monotonic. */
static enum step clock_reading(struct mhse_engine *e, struct state *s, int32_t id, unsigned bits)
{
	Z3_ast before = latest_nondet(s, id);
	struct sval now = engine__nondet(e, s, id, bits);

	s->regs[BPF_REG_0] = now;
	if (before && engine__constrain(e, s, sym_cond(&e->ctx, BPF_JMP | BPF_JGE, now, sym_from(&e->ctx, before, false))))
		return STEP_FAILED;
	return STEP_CONTINUE;
}

/* A helper whose one effect is its result, by the model of that result. */
#define RECORDED(helper, model, bits)                                            \
	static enum step sym_##helper(struct mhse_engine *e, struct state *s)    \
	{                                                                        \
		return model(e, s, BPF_FUNC_##helper, bits);                     \
	}
RECORDED(ktime_get_ns, clock_reading, 64)
RECORDED(ktime_get_boot_ns, clock_reading, 64)
RECORDED(ktime_get_coarse_ns, clock_reading, 64)
RECORDED(jiffies64, clock_reading, 64)
RECORDED(get_prandom_u32, fresh_value, 32)
RECORDED(get_smp_processor_id, run_constant, 32)
RECORDED(get_numa_node_id, run_constant, 32)
RECORDED(get_route_realm, run_constant, 32)
RECORDED(get_cgroup_classid, run_constant, 32)
RECORDED(get_current_pid_tgid, run_constant, 64)
RECORDED(get_current_uid_gid, run_constant, 64)
RECORDED(get_current_cgroup_id, run_constant, 64)
RECORDED(get_func_ip, run_constant, 64)
RECORDED(get_attach_cookie, run_constant, 64)
RECORDED(get_socket_cookie, fresh_value, 64)

/* bpf_csum_diff on terms: the same 64-bit sum of 32-bit words and the same
 * two folds as helpers.c's csum_partial_words, the words whose bytes are
 * numbers summed here, so that a checksum of concrete bytes stays a number
 * and one of a few symbolic words is a term of those words only. */
static enum step sym_csum_diff(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	uint64_t sizes[2], sum = 0;
	Z3_ast sym = NULL, *bytes;

	if (!sval_is_conc(r[2]) || !sval_is_conc(r[4]))
		return engine__end(e, s, PATH_UNSUPPORTED, "csum_diff with symbolic sizes");
	sizes[0] = (uint32_t)r[2].c;
	sizes[1] = (uint32_t)r[4].c;
	if (((sizes[0] | sizes[1]) & 3) || sizes[0] + sizes[1] > MHSE_STACK_SIZE) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (sval_is_conc(r[5]))
		sum = (uint32_t)r[5].c;
	else
		sym = Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, r[5].e));
	for (int side = 0; side < 2; side++) {
		enum step st;

		if (!sizes[side])
			continue;
		st = engine__read_byte_terms(e, s, r[1 + 2 * side], (uint32_t)sizes[side], &bytes);
		for (uint32_t w = 0; st == STEP_CONTINUE && w < sizes[side] / 4; w++) {
			uint8_t le[4];
			bool number = true;
			Z3_ast word;

			for (int i = 0; i < 4; i++) {
				uint64_t v = 0;

				number = number && Z3_get_numeral_uint64(z, bytes[4 * w + i], &v);
				le[i] = (uint8_t)v;
			}
			if (number) {
				sum += (uint32_t)(side ? mem_load_le(le, 4) : ~mem_load_le(le, 4));
				continue;
			}
			word = sym_join_bytes(&e->ctx, bytes + 4 * w, 4);
			word = Z3_mk_zero_ext(z, 32, side ? word : Z3_mk_bvnot(z, word));
			sym = sym ? Z3_mk_bvadd(z, sym, word) : word;
		}
		free(bytes);
		if (st != STEP_CONTINUE)
			return st;
	}
	if (!sym) {
		while (sum >> 32)
			sum = (sum & UINT32_MAX) + (sum >> 32);
		r[0] = sval_conc(sum);
		return STEP_CONTINUE;
	}
	sym = Z3_mk_bvadd(z, sym, term_num(e, sum, 64));
	for (int fold = 0; fold < 2; fold++)
		sym = Z3_mk_bvadd(z, Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym)),
				  Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 63, 32, sym)));
	r[0] = sym_from(&e->ctx, sym, false);
	return STEP_CONTINUE;
}

static int no_strings(void *arg, uint64_t addr, char *buf, size_t len)
{
	(void)arg, (void)addr, (void)buf, (void)len;
	return -1;
}

/* bpf_trace_printk: the format must be concrete; the line is formatted
 * when the path ends, with the arguments' values. The length it returns
 * depends on those values, so it is exact only for concrete arguments;
 * otherwise it is a fresh value the program is not expected to use. */
static enum step sym_trace_printk(struct mhse_engine *e, struct state *s)
{
	struct sval *r = s->regs;
	char fmt[256], line[512];
	uint64_t args[3];
	bool concrete = true;
	Z3_ast *bytes;
	enum step st;
	int n;

	if (!sval_is_conc(r[2]) || (uint32_t)r[2].c > sizeof(fmt) || !(uint32_t)r[2].c)
		return engine__end(e, s, PATH_UNSUPPORTED, "trace_printk with a symbolic or oversized format length");
	st = engine__read_byte_terms(e, s, r[1], (uint32_t)r[2].c, &bytes);
	for (uint32_t i = 0; st == STEP_CONTINUE && i < (uint32_t)r[2].c; i++) {
		uint64_t v = 0;

		if (!Z3_get_numeral_uint64(e->ctx.z, engine__simplify(e, bytes[i]), &v))
			st = engine__end(e, s, PATH_UNSUPPORTED, "trace_printk with a symbolic format");
		fmt[i] = (char)v;
	}
	free(bytes);
	if (st != STEP_CONTINUE)
		return st;
	for (int a = 0; a < 3; a++) {
		concrete &= sval_is_conc(r[3 + a]);
		args[a] = r[3 + a].c;
	}
	if (engine__trace(e, s, fmt, (uint32_t)r[2].c, &r[3]))
		return STEP_FAILED;
	/* strings are read at the end; here only the length matters */
	n = concrete ? trace_format(fmt, (uint32_t)r[2].c, args, no_strings, NULL, line, sizeof(line)) : -EAGAIN;
	if (n == -EAGAIN || n == -EFAULT)
		r[0] = sym_from(&e->ctx, sym_fresh(&e->ctx, &s->fresh_cnt, "trace_printk_len", 32), false);
	else
		r[0] = sval_conc((uint64_t)(int64_t)n);
	return STEP_CONTINUE;
}

/* bpf_loop: flags other than 0 are -EINVAL, more than BPF_MAX_LOOPS
 * iterations -E2BIG, none 0; else the callback runs as a call frame
 * (engine__loop_enter), as many times as nr_loops, a u32 that may be
 * symbolic, allows. Where the verifier inlines the call, nr_loops is all of
 * r1 and -E2BIG 32 bits wide (helpers.c's helper_loop). */
static enum step sym_loop(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	bool inlined = mhse_prog__loop_inlined(s->prog, s->pc);
	Z3_ast nr = inlined ? sym_ast(&e->ctx, r[1]) : Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, sym_ast(&e->ctx, r[1])));
	enum step st;

	if (!engine__split_ok(e, s, term_eq(e, sym_ast(&e->ctx, r[4]), 0), (uint64_t)-EINVAL, &st) ||
	    !engine__split_ok(e, s, Z3_mk_bvule(z, nr, term_num(e, BPF_MAX_LOOPS, 64)),
			      inlined ? (uint32_t)-E2BIG : (uint64_t)-E2BIG, &st) ||
	    !engine__split_ok(e, s, Z3_mk_not(z, term_eq(e, nr, 0)), 0, &st))
		return st;
	return engine__loop_enter(e, s, r[2],
				  sval_is_conc(r[1]) ? sval_conc(inlined ? r[1].c : (uint32_t)r[1].c) :
						       sym_from(&e->ctx, engine__simplify(e, nr), false),
				  r[3]);
}

/* As helpers.c's spin_lock_op. */
static enum step spin_lock_op(struct mhse_engine *e, struct state *s, bool lock)
{
	struct sval off;
	uint32_t region;
	enum step st = engine__resolve(e, s, s->regs[BPF_REG_1], 4, true, &region, &off);

	if (st != STEP_CONTINUE)
		return st;
	if (s->regions[region]->kind != MEM_MAP_VALUE && s->regions[region]->kind != MEM_GLOBAL)
		return engine__end(e, s, PATH_ERROR, "bpf_spin_%s of memory that is not a map value",
				   lock ? "lock" : "unlock");
	if (s->spin_lock_held == lock)
		return engine__end(e, s, PATH_ERROR, "%s", lock ? "bpf_spin_lock while a lock is held" :
								  "bpf_spin_unlock without a lock held");
	s->spin_lock_held = lock;
	s->regs[BPF_REG_0] = sval_conc(0);
	return STEP_CONTINUE;
}

static enum step sym_spin_lock(struct mhse_engine *e, struct state *s)
{
	return spin_lock_op(e, s, true);
}

static enum step sym_spin_unlock(struct mhse_engine *e, struct state *s)
{
	return spin_lock_op(e, s, false);
}

static const struct mhse_map *map_arg(struct mhse_engine *e, const struct state *s, struct sval ptr, uint32_t type,
				     uint32_t *idx)
{
	const struct mhse_map *def = policy__map(e, s, ptr, idx);

	return def && def->type == type ? def : NULL;
}

/* An event's length: its size when a number; otherwise a bound of what
 * the size may be on the path, the bytes the event keeps, and the size's
 * term, which the model reads when the test is written. */
static enum step event_length(struct mhse_engine *e, struct state *s, struct sval addr, struct sval size,
			      struct event_record *ev)
{
	enum step st;

	if (sval_is_conc(size)) {
		ev->len = (uint32_t)size.c;
		return STEP_CONTINUE;
	}
	st = engine__size_within(e, s, addr, size, false, &ev->len);
	ev->len_term = sym_ast(&e->ctx, size);
	return st;
}

/* As helpers.c: data, then ctx-len bytes of the packet from its data start. */
/* Whether a perf or ring buffer has room is up to its reader: a recorded
 * input, non-zero when the buffer is full, where the helper fails with err
 * (in a copy of s, which goes on). Returns false when s itself ended or
 * failed (*st says which). */
static bool buffer_has_room(struct mhse_engine *e, struct state *s, int32_t helper, uint64_t err, enum step *st)
{
	struct sval full = engine__nondet(e, s, helper, 8);

	return engine__split_ok(e, s, Z3_mk_eq(e->ctx.z, sym_ast(&e->ctx, full), sym_num(&e->ctx, 0, 64)), err, st);
}

static enum step sym_perf_event_output(struct mhse_engine *e, struct state *s)
{
	Z3_context z = e->ctx.z;
	struct sval *r = s->regs;
	const struct mhse_map *def;
	uint64_t flags, ctx_len, index;
	struct event_record ev = { .helper = BPF_FUNC_perf_event_output };
	enum step st;

	def = map_arg(e, s, r[2], BPF_MAP_TYPE_PERF_EVENT_ARRAY, &ev.map);
	if (!def)
		return engine__end(e, s, PATH_ERROR, "perf_event_output to a map that is not a perf event array");
	if (!sval_is_conc(r[3]))
		return engine__end(e, s, PATH_UNSUPPORTED, "perf_event_output with symbolic flags");
	flags = r[3].c;
	ctx_len = (flags & BPF_F_CTXLEN_MASK) >> 32;
	index = flags & BPF_F_INDEX_MASK;
	if (!sval_is_conc(r[5]) && ctx_len)
		return engine__end(e, s, PATH_UNSUPPORTED, "perf_event_output with a symbolic size and packet bytes");
	st = event_length(e, s, r[4], r[5], &ev);
	if (st != STEP_CONTINUE)
		return st;
	if ((flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK)) || (ctx_len && !e->hook->has_packet)) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (ctx_len) {
		struct state *short_pkt;
		Z3_ast fits = Z3_mk_bvule(z, Z3_mk_bvadd(z, sym_num(&e->ctx, s->pkt_lo, 64), sym_num(&e->ctx, ctx_len, 64)),
					  s->pkt_hi);

		switch (engine__split(e, s, Z3_mk_not(z, fits), &short_pkt)) {
		case -1:
			return STEP_DONE;
		case 1:
			r[0] = sval_conc((uint64_t)-EFAULT);
			return STEP_CONTINUE;
		case 2:
			short_pkt->regs[BPF_REG_0] = sval_conc((uint64_t)-EFAULT);
			short_pkt->pc++;
			engine__queue(e, short_pkt);
			break;
		default:
			break;
		}
		for (uint64_t i = 0; i < ctx_len; i++) {
			Z3_ast byte = Z3_mk_select(z, s->regions[SREGION_PKT]->array, sym_num(&e->ctx, s->pkt_lo + i, 64));

			ev.tail = ev.tail ? Z3_mk_concat(z, byte, ev.tail) : byte;
		}
		ev.tail_len = (uint32_t)ctx_len;
	}
	if (index == BPF_F_CURRENT_CPU)
		index = 0;
	if (index >= def->max_entries) {
		r[0] = sval_conc((uint64_t)-E2BIG);
		return STEP_CONTINUE;
	}
	/* a full buffer loses the record */
	if (!buffer_has_room(e, s, BPF_FUNC_perf_event_output, (uint64_t)-ENOSPC, &st))
		return st;
	r[0] = sval_conc(0);
	return engine__emit(e, s, ev, r[4]);
}

static enum step sym_ringbuf_output(struct mhse_engine *e, struct state *s)
{
	struct sval *r = s->regs;
	struct event_record ev = { .helper = BPF_FUNC_ringbuf_output };
	enum step st;

	if (!map_arg(e, s, r[1], BPF_MAP_TYPE_RINGBUF, &ev.map))
		return engine__end(e, s, PATH_ERROR, "ringbuf_output to a map that is not a ring buffer");
	if (!sval_is_conc(r[4]))
		return engine__end(e, s, PATH_UNSUPPORTED, "ringbuf_output with symbolic flags");
	st = event_length(e, s, r[2], r[3], &ev);
	if (st != STEP_CONTINUE)
		return st;
	if (r[4].c & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) {
		r[0] = sval_conc((uint64_t)-EINVAL);
		return STEP_CONTINUE;
	}
	if (!buffer_has_room(e, s, BPF_FUNC_ringbuf_output, (uint64_t)-EAGAIN, &st))
		return st;
	r[0] = sval_conc(0);
	return engine__emit(e, s, ev, r[2]);
}

static enum step sym_ringbuf_reserve(struct mhse_engine *e, struct state *s)
{
	struct sval *r = s->regs;
	const struct mhse_map *def = NULL;
	enum step st;
	uint32_t idx;
	int id;

	def = map_arg(e, s, r[1], BPF_MAP_TYPE_RINGBUF, &idx);
	if (!def)
		return engine__end(e, s, PATH_ERROR, "ringbuf_reserve on a map that is not a ring buffer");
	if (!sval_is_conc(r[2]) || !sval_is_conc(r[3]))
		return engine__end(e, s, PATH_UNSUPPORTED, "ringbuf_reserve with symbolic size or flags");
	if (r[3].c || r[2].c > def->max_entries) {
		r[0] = sval_conc(0);
		return STEP_CONTINUE;
	}
	if (!buffer_has_room(e, s, BPF_FUNC_ringbuf_reserve, 0, &st))
		return st;
	id = state__add_region(s, MEM_HELPER, (uint32_t)r[2].c, true, (int32_t)idx);
	if (id < 0)
		return STEP_FAILED;
	r[0] = sval_conc(MEM_ADDR(id, 0));
	return STEP_CONTINUE;
}

static enum step ringbuf_commit(struct mhse_engine *e, struct state *s, bool submit)
{
	struct sval p = s->regs[BPF_REG_1];
	uint32_t id = sval_is_conc(p) ? mem_addr_region(p.c) : UINT32_MAX;
	struct sregion *r;
	enum step st = STEP_CONTINUE;

	if (id >= s->region_cnt || s->regions[id]->kind != MEM_HELPER || mem_addr_offset(p.c))
		return engine__end(e, s, PATH_ERROR, "ringbuf_%s of memory that is not a reservation",
				   submit ? "submit" : "discard");
	if (submit)
		st = engine__emit(e, s,
				  (struct event_record){ .helper = BPF_FUNC_ringbuf_submit,
							 .map = (uint32_t)s->regions[id]->owner,
							 .len = s->regions[id]->size },
				  p);
	if (st != STEP_CONTINUE)
		return st;
	r = state__writable_region(s, id);
	if (!r)
		return STEP_FAILED;
	r->kind = MEM_DEAD;
	return STEP_CONTINUE;
}

static enum step sym_ringbuf_submit(struct mhse_engine *e, struct state *s)
{
	return ringbuf_commit(e, s, true);
}

static enum step sym_ringbuf_discard(struct mhse_engine *e, struct state *s)
{
	return ringbuf_commit(e, s, false);
}

#define HELPER(name, contexts, concrete, symbolic) symbolic,
static const sym_helper_fn core_helpers[] = {
#include "core_helper_list.h"
};
#undef HELPER

const struct sym_helper_module sym_helpers_core = { &helpers_core, core_helpers, sizeof(core_helpers) / sizeof(core_helpers[0]),
						    NULL };

static const struct sym_helper_module *const modules[] = { &sym_helpers_core, &sym_helpers_xdp, &sym_helpers_tc,
							    &sym_helpers_sockops, &sym_helpers_kprobe,
							    &sym_helpers_sock, &sym_helpers_sockmap,
							    &sym_helpers_sk_lookup };

const struct sym_helper_module *sym_helper_module_find(const char *name)
{
	for (size_t m = 0; name && m < sizeof(modules) / sizeof(modules[0]); m++)
		if (!strcmp(modules[m]->conc->name, name))
			return modules[m];
	return NULL;
}

sym_helper_fn sym_helper_of(const struct helper_module *mod, size_t row)
{
	for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++)
		if (modules[m]->conc == mod)
			return row < modules[m]->cnt ? modules[m]->run[row] : NULL;
	return NULL;
}
