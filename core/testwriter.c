// SPDX-License-Identifier: MIT
/*
 * Writing tests, the pcap of their packets, and stats.json.
 *
 * A test file is written whole from one path_result and nothing else, so
 * that it says exactly what the self-check replayed. Every key is always
 * present, null when it does not apply, so that scripts need no special
 * cases. Byte strings are hex; 64-bit values are exact JSON integers.
 *
 * tests.pcap is classic pcap (the format every tool reads), one record per
 * test whose hook has a packet, with the test's number as its timestamp in
 * seconds so that a frame leads back to its test file even when the pcap
 * skips tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "insn.h"
#include "json_writer.h"
#include "log.h"
#include "map_ids.h"
#include "mem.h"
#include "testwriter.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_SNAPLEN 262144u
#define LINKTYPE_ETHERNET 1u

struct test_writer {
	char *dir;
	size_t count;
	FILE *pcap; /* opened with the first packet */
	char *pcap_path;
};

const char *test_kind_name(enum path_kind kind)
{
	switch (kind) {
	case PATH_EXIT: return "exit";
	case PATH_ERROR: return "error";
	case PATH_UNSUPPORTED: return "unsupported";
	case PATH_BUDGET: return "budget";
	case PATH_TIMEOUT: return "timeout";
	case PATH_WARNING: return "warning";
	}
	return "?";
}

const char *test_return_name(const struct mhse_hook *hook, uint64_t ret)
{
	for (size_t i = 0; hook && i < hook->ret_cnt; i++)
		if ((uint32_t)hook->rets[i].value == (uint32_t)ret)
			return hook->rets[i].name;
	return NULL;
}

static char *join(const char *dir, const char *name)
{
	char *path;

	return asprintf(&path, "%s/%s", dir, name) < 0 ? NULL : path;
}

int test_writer__open(const char *dir, struct test_writer **out)
{
	struct test_writer *tw;
	int err;

	*out = NULL;
	err = output_make_dirs(dir);
	if (err)
		return err;
	tw = calloc(1, sizeof(*tw));
	if (!tw || !(tw->dir = strdup(dir)) || !(tw->pcap_path = join(dir, "tests.pcap"))) {
		test_writer__close(tw);
		return -ENOMEM;
	}
	*out = tw;
	return 0;
}

size_t test_writer__count(const struct test_writer *tw)
{
	return tw->count;
}

int test_writer__close(struct test_writer *tw)
{
	int err = 0;

	if (!tw)
		return 0;
	if (tw->pcap && fclose(tw->pcap)) {
		err = -errno;
		pr_err("%s: %s\n", tw->pcap_path, strerror(errno));
	}
	free(tw->pcap_path);
	free(tw->dir);
	free(tw);
	return err;
}

/* Classic pcap, in host byte order as the magic tells readers. */
struct pcap_header {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_record {
	uint32_t ts_sec, ts_usec, incl_len, orig_len;
};

static int pcap_append(struct test_writer *tw, size_t number, const struct path_result *path)
{
	uint32_t len = path->packet_in_len > PCAP_SNAPLEN ? PCAP_SNAPLEN : path->packet_in_len;
	struct pcap_record record = { (uint32_t)number, 0, len, path->packet_in_len };

	if (!tw->pcap) {
		const struct pcap_header header = { PCAP_MAGIC, 2, 4, 0, 0, PCAP_SNAPLEN, LINKTYPE_ETHERNET };

		tw->pcap = fopen(tw->pcap_path, "wb");
		if (!tw->pcap || fwrite(&header, sizeof(header), 1, tw->pcap) != 1) {
			int err = tw->pcap ? -EIO : -errno;

			pr_err("%s: %s\n", tw->pcap_path, strerror(-err));
			return err;
		}
	}
	if (fwrite(&record, sizeof(record), 1, tw->pcap) != 1 ||
	    (len && fwrite(path->packet_in, len, 1, tw->pcap) != 1) || fflush(tw->pcap)) {
		pr_err("%s: write failed: %s\n", tw->pcap_path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* A map value: hex, or for a large one its size and its runs of non-zero
 * bytes (a path reads little of a 256 KiB scratch value; the rest is zero). */
static void json_value(struct json_writer *w, const uint8_t *value, uint32_t size)
{
	if (!value || size <= TEST_VALUE_HEX_MAX) {
		jsonw_hex(w, "value", value, size);
		return;
	}
	jsonw_object(w, "value", true);
	jsonw_uint(w, "size", size);
	jsonw_array(w, "bytes", true);
	for (uint32_t i = 0, end; mem_next_run(value, size, i, TEST_VALUE_GAP, &i, &end); i = end) {
		jsonw_array(w, NULL, true);
		jsonw_uint(w, NULL, i);
		jsonw_hex(w, NULL, value + i, end - i);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_end(w);
}

/* A map-in-map's value is the name of the map it holds (map_ids.h). */
static void json_entries(struct json_writer *w, const char *key, const struct mhse_object *obj,
			 const struct path_result *path, const struct path_map_entry *entries, size_t cnt)
{
	char name[MAP_ID_NAME_MAX];

	jsonw_array(w, key, false);
	for (size_t i = 0; i < cnt; i++) {
		const struct mhse_map *def = map_ids__def(obj, path, entries[i].map);

		jsonw_object(w, NULL, true);
		jsonw_string(w, "map", map_ids__name(obj, path, entries[i].map, name, sizeof(name)));
		if (!def) {
			jsonw_null(w, "key");
			jsonw_null(w, "value");
		} else if (map_is_map_in_map(def->type) && entries[i].value) {
			jsonw_hex(w, "key", entries[i].key, def->key_size);
			jsonw_string(w, "value", map_ids__name(obj, path, map_ids__held(&entries[i]), name, sizeof(name)));
		} else {
			jsonw_hex(w, "key", entries[i].key, def->key_size);
			json_value(w, entries[i].value, def->value_size);
		}
		jsonw_end(w);
	}
	jsonw_end(w);
}

/* A context field's value: from the path's context bytes, else the spec's default. */
static uint64_t ctx_value(const struct path_result *path, const struct ctx_field *f, uint32_t elem)
{
	uint32_t off = f->offset + elem * f->size;

	if (path->ctx_in && off + f->size <= path->ctx_len)
		return mem_load_le(path->ctx_in + off, f->size);
	return f->dflt;
}

static void json_input(struct json_writer *w, const struct mhse_object *obj, const struct mhse_hook *hook,
		       const struct path_result *path)
{
	jsonw_object(w, "input", false);
	jsonw_hex(w, "packet", path->packet_in ? path->packet_in : (const uint8_t *)"", path->packet_in_len);
	jsonw_object(w, "context", false);
	for (size_t i = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		if (f->kind != CTX_SCALAR)
			continue;
		if (f->count == 1) {
			jsonw_uint(w, f->name, ctx_value(path, f, 0));
			continue;
		}
		jsonw_array(w, f->name, true);
		for (uint32_t e = 0; e < f->count; e++)
			jsonw_uint(w, NULL, ctx_value(path, f, e));
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_array(w, "nondet", false);
	for (size_t i = 0; i < path->nondet_cnt; i++) {
		const char *name = helper_name(path->nondet[i].helper);

		jsonw_object(w, NULL, true);
		if (name)
			jsonw_string(w, "helper", name);
		else
			jsonw_int(w, "helper", path->nondet[i].helper);
		jsonw_uint(w, "value", path->nondet[i].value);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_array(w, "kernel_memory", false);
	for (size_t i = 0; i < path->kmem_cnt; i++) {
		jsonw_object(w, NULL, true);
		jsonw_uint(w, "address", path->kmem[i].addr);
		jsonw_hex(w, "bytes", path->kmem[i].bytes, path->kmem[i].len);
		jsonw_end(w);
	}
	jsonw_end(w);
	json_entries(w, "maps", obj, path, path->map_in, path->map_in_cnt);
	jsonw_end(w);
}

static void json_expected(struct json_writer *w, const struct mhse_object *obj, const struct mhse_hook *hook,
			  const struct path_result *path)
{
	bool exited = path_returned(path->kind);

	jsonw_object(w, "expected", false);
	if (exited) {
		jsonw_int(w, "return", (int64_t)path->ret);
		jsonw_string(w, "return_name", test_return_name(hook, path->ret));
	} else {
		jsonw_null(w, "return");
		jsonw_null(w, "return_name");
	}
	jsonw_hex(w, "packet", path->packet_out ? path->packet_out : (const uint8_t *)"", path->packet_out_len);
	json_entries(w, "maps", obj, path, path->map_out, path->map_out_cnt);
	jsonw_uint(w, "redirect", path->redirect_target);
	jsonw_string(w, "trace", path->trace ? path->trace : "");
	jsonw_array(w, "events", false);
	for (size_t i = 0; i < path->event_cnt; i++) {
		const struct path_event *ev = &path->events[i];
		char name[MAP_ID_NAME_MAX];

		jsonw_object(w, NULL, true);
		jsonw_string(w, "helper", helper_name(ev->helper) ? helper_name(ev->helper) : "?");
		jsonw_string(w, "map", map_ids__name(obj, path, ev->map, name, sizeof(name)));
		jsonw_hex(w, "data", ev->data, ev->len);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_end(w);
}

static void json_test(struct json_writer *w, const struct mhse_object *obj, const struct mhse_prog *prog,
		      const struct mhse_hook *hook, const struct path_result *path)
{
	size_t entry = (size_t)(prog - obj->progs);
	const struct mhse_prog *err_prog = path->kind != PATH_EXIT && path->err_prog < obj->prog_cnt ?
						   &obj->progs[path->err_prog] : NULL;
	const struct mhse_line *line = err_prog ? mhse_prog__line(obj, err_prog, path->err_pc) : NULL;

	jsonw_object(w, NULL, false);
	jsonw_string(w, "kind", test_kind_name(path->kind));
	jsonw_bool(w, "spurious", path->spurious);
	jsonw_string(w, "message", path->message);
	jsonw_string(w, "program", prog->name);
	jsonw_string(w, "hook", hook->name);
	jsonw_string(w, "error_program", err_prog ? err_prog->name : NULL);
	if (err_prog)
		jsonw_uint(w, "error_insn", path->err_pc);
	else
		jsonw_null(w, "error_insn");
	if (line && line->line) {
		char *source;

		if (asprintf(&source, "%s:%u", line->file, line->line) < 0)
			source = NULL;
		jsonw_string(w, "source", source);
		free(source);
	} else {
		jsonw_null(w, "source");
	}
	json_input(w, obj, hook, path);
	json_expected(w, obj, hook, path);
	jsonw_array(w, "branches", true);
	for (size_t i = 0; i < path->branch_cnt; i++) {
		const struct path_branch *b = &path->branches[i];

		jsonw_array(w, NULL, true);
		jsonw_uint(w, NULL, b->pc);
		jsonw_bool(w, NULL, b->taken);
		if (b->prog != entry)
			jsonw_string(w, NULL, b->prog < obj->prog_cnt ? obj->progs[b->prog].name : "?");
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_uint(w, "insns", path->insns);
	jsonw_end(w);
}

struct test_args {
	const struct mhse_object *obj;
	const struct mhse_prog *prog;
	const struct mhse_hook *hook;
	const struct path_result *path;
};

static void emit_test(struct json_writer *w, const void *arg)
{
	const struct test_args *t = arg;

	json_test(w, t->obj, t->prog, t->hook, t->path);
}

int test_writer__add(struct test_writer *tw, const struct mhse_object *obj, const struct mhse_prog *prog,
		     const struct mhse_hook *hook, const struct path_result *path)
{
	return test_writer__add_numbered(tw, tw->count + 1, obj, prog, hook, path);
}

int test_writer__add_numbered(struct test_writer *tw, size_t number, const struct mhse_object *obj,
			      const struct mhse_prog *prog, const struct mhse_hook *hook, const struct path_result *path)
{
	struct test_args args = { obj, prog, hook, path };
	char name[32];
	char *file;
	int err;

	snprintf(name, sizeof(name), "test-%06zu.json", number);
	file = join(tw->dir, name);
	if (!file)
		return -ENOMEM;
	err = jsonw_write_file(file, emit_test, &args);
	free(file);
	if (err)
		return err;
	tw->count++;
	return hook->has_packet ? pcap_append(tw, number, path) : 0;
}

int test_writer__set_pcap(struct test_writer *tw, const char *path)
{
	char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	free(tw->pcap_path);
	tw->pcap_path = p;
	return 0;
}

/* One pcap file's records, read whole. */
struct pcap_part {
	uint8_t *data;
	size_t len, pos;
};

static bool pcap_part__next(const struct pcap_part *p, struct pcap_record *r)
{
	if (p->pos + sizeof(*r) > p->len)
		return false;
	memcpy(r, p->data + p->pos, sizeof(*r));
	return p->pos + sizeof(*r) + r->incl_len <= p->len;
}

static int pcap_part__load(const char *path, struct pcap_part *p)
{
	*p = (struct pcap_part){ 0 };
	if (access(path, F_OK))
		return 0; /* a worker whose tests had no packets */
	p->data = (uint8_t *)output_read_file(path, &p->len);
	if (!p->data || p->len < sizeof(struct pcap_header)) {
		pr_err("%s: unreadable pcap\n", path);
		return -EIO;
	}
	p->pos = sizeof(struct pcap_header);
	return 0;
}

int test_pcap__merge(const char *out, char *const *parts, size_t cnt)
{
	struct pcap_part *p = calloc(cnt ? cnt : 1, sizeof(*p));
	const struct pcap_header header = { PCAP_MAGIC, 2, 4, 0, 0, PCAP_SNAPLEN, LINKTYPE_ETHERNET };
	FILE *f = NULL;
	int err = p ? 0 : -ENOMEM;
	bool any = false;

	for (size_t i = 0; !err && i < cnt; i++) {
		err = pcap_part__load(parts[i], &p[i]);
		any |= p[i].data != NULL;
	}
	if (!err && any && (!(f = fopen(out, "wb")) || fwrite(&header, sizeof(header), 1, f) != 1))
		err = -EIO;
	/* each part is in test order: merge them by test number */
	while (!err && any) {
		struct pcap_record r, best_r = { 0 };
		size_t best = cnt;

		for (size_t i = 0; i < cnt; i++)
			if (pcap_part__next(&p[i], &r) && (best == cnt || r.ts_sec < best_r.ts_sec)) {
				best = i;
				best_r = r;
			}
		if (best == cnt)
			break;
		if (fwrite(p[best].data + p[best].pos, sizeof(best_r) + best_r.incl_len, 1, f) != 1)
			err = -EIO;
		p[best].pos += sizeof(best_r) + best_r.incl_len;
	}
	if (f && fclose(f) && !err)
		err = -EIO;
	if (err == -EIO)
		pr_err("%s: write failed\n", out);
	for (size_t i = 0; p && i < cnt; i++)
		free(p[i].data);
	free(p);
	return err;
}

int run_stats__add_unsupported(struct run_stats *stats, const char *reason)
{
	struct stats_reason *r;

	for (size_t i = 0; i < stats->unsupported_reason_cnt; i++) {
		if (!strcmp(stats->unsupported_reasons[i].reason, reason)) {
			stats->unsupported_reasons[i].count++;
			return 0;
		}
	}
	r = realloc(stats->unsupported_reasons, (stats->unsupported_reason_cnt + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	stats->unsupported_reasons = r;
	r = &r[stats->unsupported_reason_cnt];
	r->reason = strdup(reason);
	if (!r->reason)
		return -ENOMEM;
	r->count = 1;
	stats->unsupported_reason_cnt++;
	return 0;
}

void run_stats__free(struct run_stats *stats)
{
	for (size_t i = 0; i < stats->unsupported_reason_cnt; i++)
		free(stats->unsupported_reasons[i].reason);
	free(stats->unsupported_reasons);
	stats->unsupported_reasons = NULL;
	stats->unsupported_reason_cnt = 0;
	free(stats->origins);
	stats->origins = NULL;
	stats->origin_cnt = 0;
}

static void emit_origins(struct json_writer *w, const struct stats_origin *o, size_t cnt)
{
	jsonw_array(w, "solver_by_origin", false);
	for (size_t i = 0; i < cnt; i++) {
		jsonw_object(w, NULL, true);
		jsonw_string(w, "origin", o[i].name);
		jsonw_uint(w, "queries", o[i].queries);
		jsonw_uint(w, "z3_calls", o[i].z3_calls);
		jsonw_double(w, "z3_time_s", o[i].z3_time_s, 3);
		jsonw_double(w, "max_z3_ms", o[i].max_z3_ms, 3);
		jsonw_double(w, "constraints_per_z3_call",
			     o[i].z3_calls ? (double)o[i].z3_constraints / (double)o[i].z3_calls : 0.0, 1);
		jsonw_double(w, "layer_time_s", o[i].layer_time_s, 3);
		jsonw_end(w);
	}
	jsonw_end(w);
}

static void emit_stats_object(struct json_writer *w, const char *key, const struct run_stats *s)
{
	jsonw_object(w, key, false);
	jsonw_string(w, "program", s->program);
	jsonw_string(w, "hook", s->hook);
	jsonw_string(w, "hook_rule", s->hook_rule);
	jsonw_string(w, "hook_why", s->hook_why);
	jsonw_string(w, "policy", s->policy);
	jsonw_string(w, "search", s->search);
	jsonw_uint(w, "paths", s->paths);
	jsonw_uint(w, "tests", s->tests);
	jsonw_uint(w, "errors", s->errors);
	jsonw_uint(w, "unsupported", s->unsupported);
	jsonw_uint(w, "budget", s->budget);
	jsonw_uint(w, "timeouts", s->timeouts);
	jsonw_uint(w, "warnings", s->warnings);
	jsonw_uint(w, "completed", s->completed);
	jsonw_array(w, "unsupported_reasons", false);
	for (size_t i = 0; i < s->unsupported_reason_cnt; i++) {
		jsonw_object(w, NULL, true);
		jsonw_string(w, "reason", s->unsupported_reasons[i].reason);
		jsonw_uint(w, "count", s->unsupported_reasons[i].count);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_double(w, "time_s", s->time_s, 3);
	jsonw_double(w, "solver_time_s", s->solver_time_s, 3);
	jsonw_uint(w, "queries", s->queries);
	jsonw_uint(w, "z3_calls", s->z3_calls);
	jsonw_uint(w, "undecided_queries", s->undecided_queries);
	jsonw_uint(w, "term_renewals", s->term_renewals);
	jsonw_double(w, "ms_per_test", s->ms_per_test, 3);
	jsonw_double(w, "insn_coverage_pct", s->insn_coverage_pct, 2);
	jsonw_double(w, "branch_coverage_pct", s->branch_coverage_pct, 2);
	jsonw_double(w, "time_to_coverage_s", s->time_to_coverage_s, 3);
	jsonw_double(w, "peak_rss_mb", s->peak_rss_mb, 1);
	jsonw_uint(w, "self_check_mismatches", s->self_check_mismatches);
	jsonw_uint(w, "spurious_tests", s->spurious);
	jsonw_uint(w, "tests_not_covering", s->tests_not_covering);
	if (s->ended_by)
		jsonw_string(w, "ended_by", s->ended_by);
	else
		jsonw_null(w, "ended_by");
	emit_origins(w, s->origins, s->origin_cnt);
	jsonw_end(w);
}

static void emit_stats(struct json_writer *w, const void *arg)
{
	emit_stats_object(w, NULL, arg);
}

struct stats_list {
	const struct run_stats *runs;
	size_t cnt;
};

/* The runs of several programs, and their totals: counts and times add up,
 * coverage is averaged over the programs, memory is the peak. */
static void emit_combined(struct json_writer *w, const void *arg)
{
	const struct stats_list *l = arg;
	struct run_stats total = { .program = "all", .hook = "", .policy = l->runs[0].policy, .search = l->runs[0].search };
	size_t origin_cnt = 0;

	for (size_t i = 0; i < l->cnt; i++) {
		const struct run_stats *r = &l->runs[i];

		total.paths += r->paths;
		total.tests += r->tests;
		total.errors += r->errors;
		total.unsupported += r->unsupported;
		total.budget += r->budget;
		total.timeouts += r->timeouts;
		total.completed += r->completed;
		total.time_s += r->time_s;
		total.solver_time_s += r->solver_time_s;
		total.queries += r->queries;
		total.z3_calls += r->z3_calls;
		total.undecided_queries += r->undecided_queries;
		total.term_renewals += r->term_renewals;
		total.insn_coverage_pct += r->insn_coverage_pct / (double)l->cnt;
		total.branch_coverage_pct += r->branch_coverage_pct / (double)l->cnt;
		total.peak_rss_mb = r->peak_rss_mb > total.peak_rss_mb ? r->peak_rss_mb : total.peak_rss_mb;
		total.self_check_mismatches += r->self_check_mismatches;
		total.spurious += r->spurious;
		total.tests_not_covering += r->tests_not_covering;
		total.time_to_coverage_s += r->time_to_coverage_s;
		total.ended_by = total.ended_by ?: r->ended_by;
		origin_cnt += r->origin_cnt;
	}
	/* the origins of every run, added up by name */
	total.origins = calloc(origin_cnt ? origin_cnt : 1, sizeof(*total.origins));
	for (size_t i = 0; i < l->cnt && total.origins; i++)
		for (size_t k = 0; k < l->runs[i].origin_cnt; k++) {
			const struct stats_origin *o = &l->runs[i].origins[k];
			size_t j = 0;

			while (j < total.origin_cnt && strcmp(total.origins[j].name, o->name))
				j++;
			if (j == total.origin_cnt)
				total.origins[total.origin_cnt++].name = o->name;
			total.origins[j].queries += o->queries;
			total.origins[j].z3_calls += o->z3_calls;
			total.origins[j].z3_constraints += o->z3_constraints;
			total.origins[j].z3_time_s += o->z3_time_s;
			total.origins[j].layer_time_s += o->layer_time_s;
			if (o->max_z3_ms > total.origins[j].max_z3_ms)
				total.origins[j].max_z3_ms = o->max_z3_ms;
		}
	total.ms_per_test = total.paths ? total.time_s * 1000.0 / (double)total.paths : 0;
	jsonw_object(w, NULL, false);
	jsonw_array(w, "programs", false);
	for (size_t i = 0; i < l->cnt; i++)
		emit_stats_object(w, NULL, &l->runs[i]);
	jsonw_end(w);
	emit_stats_object(w, "total", &total);
	jsonw_end(w);
	free(total.origins);
}

static int write_stats_file(const char *dir, void (*emit)(struct json_writer *w, const void *arg), const void *arg)
{
	char *path;
	int err = output_make_dirs(dir);

	if (err)
		return err;
	path = join(dir, "stats.json");
	if (!path)
		return -ENOMEM;
	err = jsonw_write_file(path, emit, arg);
	free(path);
	return err;
}

int stats_write_combined(const char *dir, const struct run_stats *runs, size_t cnt)
{
	struct stats_list l = { runs, cnt };

	return write_stats_file(dir, emit_combined, &l);
}

int stats_write(const char *dir, const struct run_stats *stats)
{
	return write_stats_file(dir, emit_stats, stats);
}
