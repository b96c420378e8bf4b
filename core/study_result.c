// SPDX-License-Identifier: MIT
/*
 * Cell result files: written by the json writer, read back with libyaml as
 * mhse reads its other JSON files. Unknown numbers are written null and
 * read back as negative, so a table can leave them blank.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>
#include "json_writer.h"
#include "log.h"
#include "study_result.h"
#include "yaml_file.h"

double cell_result__tests_per_state(const struct cell_result *r)
{
	return r->map_states ? (double)r->tests / (double)r->map_states : NAN;
}

double cell_result__map_share(const struct cell_result *r)
{
	if (r->tests < 2 || !r->map_states)
		return NAN;
	return log((double)r->map_states) / log((double)r->tests);
}

static void optional(struct json_writer *w, const char *key, double v, int decimals)
{
	if (v < 0)
		jsonw_null(w, key);
	else
		jsonw_double(w, key, v, decimals);
}

static void optional_int(struct json_writer *w, const char *key, int64_t v)
{
	if (v < 0)
		jsonw_null(w, key);
	else
		jsonw_int(w, key, v);
}

static void emit_result(struct json_writer *w, const void *arg)
{
	const struct cell_result *r = arg;

	jsonw_object(w, NULL, false);
	jsonw_string(w, "id", r->id);
	jsonw_string(w, "object", r->object);
	jsonw_string(w, "program", r->program);
	jsonw_string(w, "type", r->type);
	jsonw_string(w, "hook_rule", r->hook_rule);
	jsonw_string(w, "policy", r->policy);
	jsonw_string(w, "search", r->search);
	jsonw_double(w, "budget_s", r->budget_s, 3);
	jsonw_string(w, "status", r->status);
	jsonw_string(w, "detail", r->detail);
	jsonw_bool(w, "explored", r->explored);
	jsonw_uint(w, "paths", r->paths);
	jsonw_uint(w, "tests", r->tests);
	jsonw_uint(w, "errors", r->errors);
	jsonw_uint(w, "unsupported", r->unsupported);
	jsonw_string(w, "top_unsupported", r->top_unsupported);
	jsonw_double(w, "insn_coverage_pct", r->insn_pct, 2);
	jsonw_double(w, "branch_coverage_pct", r->branch_pct, 2);
	optional(w, "time_to_final_coverage_s", r->time_to_cov_s, 3);
	jsonw_double(w, "ms_per_test", r->ms_per_test, 3);
	jsonw_double(w, "solver_pct", r->solver_pct, 1);
	jsonw_double(w, "peak_rss_mb", r->peak_mb, 1);
	jsonw_double(w, "time_s", r->time_s, 3);
	optional_int(w, "kernel_agree", r->kernel_agree);
	optional_int(w, "kernel_disagree", r->kernel_disagree);
	optional_int(w, "kernel_not_replayable", r->kernel_not_replayable);
	jsonw_double(w, "maps_per_test", r->maps_per_test, 3);
	jsonw_uint(w, "map_states", r->map_states);
	jsonw_uint(w, "map_shapes", r->map_shapes);
	jsonw_array(w, "maps", false);
	for (size_t i = 0; i < r->map_cnt; i++) {
		jsonw_object(w, NULL, true);
		jsonw_string(w, "map", r->maps[i].map);
		jsonw_uint(w, "present", r->maps[i].present);
		jsonw_uint(w, "absent", r->maps[i].absent);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_bool(w, "timeline_chosen", r->timeline_chosen);
	jsonw_array(w, "timeline", false);
	for (size_t i = 0; i < r->timeline_cnt; i++) {
		jsonw_array(w, NULL, true);
		jsonw_double(w, NULL, r->timeline[i].x, 3);
		jsonw_double(w, NULL, r->timeline[i].y, 2);
		jsonw_end(w);
	}
	jsonw_end(w);
	jsonw_end(w);
}

int cell_result__write(const struct cell_result *r, const char *path)
{
	char tmp[4200];
	int err;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	err = jsonw_write_file(tmp, emit_result, r);
	if (!err && rename(tmp, path)) {
		err = -errno;
		pr_err("%s: %s\n", path, strerror(errno));
	}
	if (err)
		unlink(tmp);
	return err;
}

struct reader {
	yaml_document_t doc;
	yaml_node_t *root;
	bool nomem;
};

static char *str(struct reader *r, const char *key)
{
	yaml_node_t *n = yaml_file__member(&r->doc, r->root, key);
	const char *s = yaml_file__scalar(n);
	char *copy;

	if (!s || yaml_file__is_null(n))
		return NULL;
	copy = strdup(s);
	r->nomem |= !copy;
	return copy;
}

static double num_of(const yaml_node_t *n)
{
	return yaml_file__number(n, -1);
}

static double num(struct reader *r, const char *key)
{
	return num_of(yaml_file__member(&r->doc, r->root, key));
}

static yaml_node_t *item(struct reader *r, const yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(&r->doc, seq->data.sequence.items.start[i]);
}

static size_t seq_len(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start) : 0;
}

int cell_result__read(const char *path, struct cell_result *out)
{
	struct reader r = { 0 };
	struct cell_result c = { 0 };
	yaml_node_t *maps, *timeline;
	const char *b;

	*out = c;
	if (yaml_file__load(path, &r.doc))
		return -EINVAL;
	r.root = yaml_document_get_root_node(&r.doc);
	c.id = str(&r, "id");
	c.object = str(&r, "object");
	c.program = str(&r, "program");
	c.type = str(&r, "type");
	c.hook_rule = str(&r, "hook_rule");
	c.policy = str(&r, "policy");
	c.search = str(&r, "search");
	c.status = str(&r, "status");
	c.detail = str(&r, "detail");
	c.top_unsupported = str(&r, "top_unsupported");
	b = yaml_file__scalar(yaml_file__member(&r.doc, r.root, "explored"));
	c.explored = b && !strcmp(b, "true");
	b = yaml_file__scalar(yaml_file__member(&r.doc, r.root, "timeline_chosen"));
	c.timeline_chosen = b && !strcmp(b, "true");
	c.budget_s = num(&r, "budget_s");
	c.paths = (uint64_t)num(&r, "paths");
	c.tests = (uint64_t)num(&r, "tests");
	c.errors = (uint64_t)num(&r, "errors");
	c.unsupported = (uint64_t)num(&r, "unsupported");
	c.insn_pct = num(&r, "insn_coverage_pct");
	c.branch_pct = num(&r, "branch_coverage_pct");
	c.time_to_cov_s = num(&r, "time_to_final_coverage_s");
	c.ms_per_test = num(&r, "ms_per_test");
	c.solver_pct = num(&r, "solver_pct");
	c.peak_mb = num(&r, "peak_rss_mb");
	c.time_s = num(&r, "time_s");
	c.kernel_agree = (int64_t)num(&r, "kernel_agree");
	c.kernel_disagree = (int64_t)num(&r, "kernel_disagree");
	c.kernel_not_replayable = (int64_t)num(&r, "kernel_not_replayable");
	c.maps_per_test = num(&r, "maps_per_test");
	c.map_states = (uint64_t)num(&r, "map_states");
	c.map_shapes = (uint64_t)num(&r, "map_shapes");
	maps = yaml_file__member(&r.doc, r.root, "maps");
	c.map_cnt = seq_len(maps);
	c.maps = calloc(c.map_cnt ? c.map_cnt : 1, sizeof(*c.maps));
	for (size_t i = 0; c.maps && i < c.map_cnt; i++) {
		yaml_node_t *m = item(&r, maps, i);
		const char *name = yaml_file__scalar(yaml_file__member(&r.doc, m, "map"));

		c.maps[i].map = strdup(name ? name : "?");
		r.nomem |= !c.maps[i].map;
		c.maps[i].present = (uint64_t)num_of(yaml_file__member(&r.doc, m, "present"));
		c.maps[i].absent = (uint64_t)num_of(yaml_file__member(&r.doc, m, "absent"));
	}
	timeline = yaml_file__member(&r.doc, r.root, "timeline");
	c.timeline_cnt = seq_len(timeline);
	c.timeline = calloc(c.timeline_cnt ? c.timeline_cnt : 1, sizeof(*c.timeline));
	for (size_t i = 0; c.timeline && i < c.timeline_cnt; i++) {
		yaml_node_t *p = item(&r, timeline, i);

		if (seq_len(p) == 2) {
			c.timeline[i].x = num_of(item(&r, p, 0));
			c.timeline[i].y = num_of(item(&r, p, 1));
		}
	}
	yaml_document_delete(&r.doc);
	if (r.nomem || !c.maps || !c.timeline) {
		cell_result__free(&c);
		return -ENOMEM;
	}
	if (!c.id || !c.object || !c.policy || !c.search || !c.status) {
		pr_err("%s: not a study cell result (id, object, policy, search or status missing)\n", path);
		cell_result__free(&c);
		return -EINVAL;
	}
	*out = c;
	return 0;
}

void cell_result__free(struct cell_result *r)
{
	free(r->id);
	free(r->object);
	free(r->program);
	free(r->type);
	free(r->hook_rule);
	free(r->policy);
	free(r->search);
	free(r->status);
	free(r->detail);
	free(r->top_unsupported);
	for (size_t i = 0; r->maps && i < r->map_cnt; i++)
		free(r->maps[i].map);
	free(r->maps);
	free(r->timeline);
	*r = (struct cell_result){ 0 };
}
