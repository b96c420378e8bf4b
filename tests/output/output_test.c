// SPDX-License-Identifier: MIT
/*
 * The output side end to end: concrete runs of the firewall and tail-call
 * test programs (and of a small hand-assembled one) become path_results, are written as
 * tests, read back and self-checked; then expectations are edited, and the
 * self-check must name the difference. Coverage is checked for sanity and,
 * when genhtml is installed, its lcov file must render with source lines.
 *
 * Usage: output_test FIREWALL_OBJ TAILCALL_OBJ PACKET_HEX OUT_DIR [GENHTML]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "coverage.h"
#include "insn.h"
#include "interp.h"
#include "log.h"
#include "packet_file.h"
#include "selfcheck.h"
#include "testwriter.h"

static unsigned passed, failed;

__attribute__((format(printf, 2, 3))) static bool check(bool ok, const char *fmt, ...)
{
	va_list args;

	if (ok) {
		passed++;
		return true;
	}
	failed++;
	fprintf(stderr, "FAIL: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	return false;
}

/* One object under one hook, with a VM to run it, coverage, and a test directory. */
struct fixture {
	struct mhse_object *obj;
	const struct mhse_prog *prog;
	const struct mhse_hook *hook;
	struct mhse_vm *vm;
	struct coverage *cov;
	struct test_writer *tw;
	const char *dir;
};

static int fixture__init(struct fixture *fx, struct mhse_object *obj, const char *prog, const struct mhse_hook *hook,
			 const char *dir)
{
	*fx = (struct fixture){ .obj = obj, .prog = mhse_object__find_prog(obj, prog), .hook = hook, .dir = dir };
	if (!fx->prog || mhse_vm__new(obj, hook, &fx->vm) || coverage__new(obj, fx->prog, &fx->cov) ||
	    test_writer__open(dir, &fx->tw)) {
		fprintf(stderr, "cannot set up %s\n", obj->path);
		return -1;
	}
	return 0;
}

static void fixture__fini(struct fixture *fx)
{
	check(!test_writer__close(fx->tw), "%s: closing the test writer", fx->dir);
	coverage__free(fx->cov);
	mhse_vm__free(fx->vm);
}

static void *dup_bytes(const void *p, size_t len)
{
	void *q = malloc(len ? len : 1);

	if (!q)
		abort();
	memcpy(q, p, len);
	return q;
}

static uint8_t *ctx_bytes(const struct mhse_hook *hook, const char *field, uint64_t value)
{
	uint8_t *ctx = calloc(1, hook->ctx_size);

	if (!ctx)
		abort();
	for (size_t i = 0; i < hook->field_cnt; i++) {
		const struct ctx_field *f = &hook->fields[i];

		for (uint32_t e = 0; f->kind == CTX_SCALAR && e < f->count; e++)
			mem_store_le(ctx + f->offset + e * f->size, f->size, strcmp(f->name, field) ? f->dflt : value);
	}
	return ctx;
}

static void add_map_in(struct path_result *p, const struct mhse_object *obj, const char *map, const void *key,
		       const void *value)
{
	int idx = mhse_object__find_map(obj, map);
	struct path_map_entry *e;

	if (idx < 0) {
		fprintf(stderr, "no map %s\n", map);
		abort();
	}
	p->map_in = realloc(p->map_in, (p->map_in_cnt + 1) * sizeof(*p->map_in));
	if (!p->map_in)
		abort();
	e = &p->map_in[p->map_in_cnt++];
	e->map = (uint32_t)idx;
	e->key = dup_bytes(key, obj->maps[idx].key_size);
	e->value = value ? dup_bytes(value, obj->maps[idx].value_size) : NULL;
}

static const struct path_map_entry *find_out(const struct path_result *p, const struct mhse_object *obj,
					     const char *map, uint32_t key)
{
	int idx = mhse_object__find_map(obj, map);

	for (size_t i = 0; i < p->map_out_cnt; i++)
		if ((int)p->map_out[i].map == idx && !memcmp(p->map_out[i].key, &key, sizeof(key)))
			return &p->map_out[i];
	return NULL;
}

static char *path_in(const char *dir, const char *name)
{
	char *path;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	return path;
}

static char *test_file(const struct fixture *fx, size_t n)
{
	char name[32];

	snprintf(name, sizeof(name), "test-%06zu.json", n);
	return path_in(fx->dir, name);
}

/* Runs in on the fixture's program, writes the run as the next test, and
 * checks that the test reads back to the same path and replays cleanly. */
static void run_and_write(struct fixture *fx, const char *name, const struct path_result *in, struct path_result *out)
{
	struct path_result back;
	const struct mhse_prog *prog = NULL;
	char reason[256] = "";
	char *file;

	if (!check(!selfcheck__run(fx->vm, fx->prog, in, fx->cov, out), "%s: run", name))
		return;
	check(!test_writer__add(fx->tw, fx->obj, fx->prog, fx->hook, out), "%s: write", name);
	file = test_file(fx, test_writer__count(fx->tw));
	if (check(!test_reader__load(file, fx->obj, fx->hook, &back, &prog), "%s: read %s", name, file)) {
		check(prog == fx->prog, "%s: program read back", name);
		check(back.kind == out->kind && back.ret == out->ret && !strcmp(back.message, out->message) &&
			      (out->kind == PATH_EXIT || (back.err_pc == out->err_pc && back.err_prog == out->err_prog)),
		      "%s: kind, return and error read back", name);
		check(back.packet_in_len == out->packet_in_len &&
			      !memcmp(back.packet_in, out->packet_in, out->packet_in_len),
		      "%s: input packet read back", name);
		check(!out->ctx_in || (back.ctx_len == out->ctx_len && !memcmp(back.ctx_in, out->ctx_in, out->ctx_len)),
		      "%s: context read back", name);
		check(back.map_in_cnt == out->map_in_cnt && back.nondet_cnt == out->nondet_cnt &&
			      back.branch_cnt == out->branch_cnt && back.insns == out->insns,
		      "%s: counts read back", name);
		for (size_t i = 0; i < back.nondet_cnt && i < out->nondet_cnt; i++)
			check(back.nondet[i].helper == out->nondet[i].helper && back.nondet[i].value == out->nondet[i].value,
			      "%s: nondet %zu read back", name, i);
		for (size_t i = 0; i < back.map_in_cnt && i < out->map_in_cnt; i++) {
			const struct mhse_map *def = &fx->obj->maps[out->map_in[i].map];

			check(back.map_in[i].map == out->map_in[i].map &&
				      !memcmp(back.map_in[i].key, out->map_in[i].key, def->key_size) &&
				      !back.map_in[i].value == !out->map_in[i].value &&
				      (!out->map_in[i].value ||
				       !memcmp(back.map_in[i].value, out->map_in[i].value, def->value_size)),
			      "%s: map entry %zu read back", name, i);
		}
		check(!selfcheck__compare(fx->obj, &back, out, reason, sizeof(reason)), "%s: read back differs: %s",
		      name, reason);
		check(!selfcheck__path(fx->vm, fx->prog, &back, fx->cov, reason, sizeof(reason)),
		      "%s: self-check of the test read back: %s", name, reason);
		path_result__free(&back);
	}
	free(file);
}

/* Loads test n, lets edit change it, and checks the self-check's reason
 * (want NULL: it must match). */
static void expect_mismatch(struct fixture *fx, size_t n, const char *what, void (*edit)(struct path_result *p, void *arg),
			    void *arg, const char *want)
{
	char *file = test_file(fx, n);
	struct path_result p;
	char reason[256] = "";
	int ret;

	if (!check(!test_reader__load(file, fx->obj, fx->hook, &p, NULL), "%s: read %s", what, file)) {
		free(file);
		return;
	}
	if (edit)
		edit(&p, arg);
	ret = selfcheck__path(fx->vm, fx->prog, &p, fx->cov, reason, sizeof(reason));
	if (want)
		check(ret == 1 && !strncmp(reason, want, strlen(want)), "%s: self-check returned %d \"%s\", wanted \"%s\"",
		      what, ret, reason, want);
	else
		check(ret == 0, "%s: self-check returned %d \"%s\", wanted a match", what, ret, reason);
	path_result__free(&p);
	free(file);
}

static void edit_return(struct path_result *p, void *arg)
{
	p->ret = *(uint64_t *)arg;
}

static void edit_packet_byte(struct path_result *p, void *arg)
{
	p->packet_out[*(uint32_t *)arg] ^= 0xff;
}

static void edit_first_map_value(struct path_result *p, void *arg)
{
	(void)arg;
	p->map_out[0].value[0]++;
}

static void edit_drop_map_out(struct path_result *p, void *arg)
{
	(void)arg;
	p->map_out_cnt--;
	free(p->map_out[p->map_out_cnt].key);
	free(p->map_out[p->map_out_cnt].value);
}

static void edit_flip_branch(struct path_result *p, void *arg)
{
	p->branches[*(size_t *)arg].taken ^= 1;
}

static void edit_to_error(struct path_result *p, void *arg)
{
	p->kind = PATH_ERROR;
	p->err_pc = *(uint32_t *)arg;
}

/* Deletion of an entry that the run leaves alone. */
static void edit_expect_deleted(struct path_result *p, void *arg)
{
	const struct path_map_entry *like = arg;
	struct path_map_entry *e;

	p->map_out = realloc(p->map_out, (p->map_out_cnt + 1) * sizeof(*p->map_out));
	if (!p->map_out)
		abort();
	e = &p->map_out[p->map_out_cnt++];
	e->map = like->map;
	e->key = dup_bytes(like->key, 4);
	e->value = NULL;
}

/* What the engine reports when it stops at something it does not model
 * halfway through the path; arg flips the last branch kept, when set. */
static void edit_unsupported_halfway(struct path_result *p, void *arg)
{
	p->kind = PATH_UNSUPPORTED;
	p->branch_cnt /= 2;
	if (arg)
		p->branches[p->branch_cnt - 1].taken ^= 1;
}

static void edit_nondet_helper(struct path_result *p, void *arg)
{
	p->nondet[0].helper = *(int32_t *)arg;
}

/* Replaces the first occurrence of from by to in a file. */
static bool edit_file(const char *path, const char *from, const char *to)
{
	char buf[1 << 16], *at;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	at = strstr(buf, from);
	if (!at || !(f = fopen(path, "w")))
		return false;
	fwrite(buf, 1, (size_t)(at - buf), f);
	fputs(to, f);
	fputs(at + strlen(from), f);
	return !fclose(f);
}

static bool file_has(const char *path, const char *text)
{
	static char buf[1 << 20];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* A top-level scalar of a JSON file, parsed by libyaml as the reader parses tests. */
static bool json_scalar(const char *path, const char *key, char *out, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	FILE *f = fopen(path, "r");
	bool found = false;

	if (!f)
		return false;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (yaml_parser_load(&parser, &doc)) {
		root = yaml_document_get_root_node(&doc);
		for (yaml_node_pair_t *p = root && root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
		     p && p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key), *v = yaml_document_get_node(&doc, p->value);

			if (!strcmp((char *)k->data.scalar.value, key) && v->type == YAML_SCALAR_NODE) {
				snprintf(out, len, "%s", (char *)v->data.scalar.value);
				found = true;
			}
		}
		yaml_document_delete(&doc);
	} else {
		fprintf(stderr, "%s:%zu: %s\n", path, parser.problem_mark.line + 1, parser.problem);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return found;
}

static void check_coverage_files(const struct fixture *fx, const char *genhtml)
{
	struct coverage_counts c;
	char *json = path_in(fx->dir, "coverage.json"), *info = path_in(fx->dir, "coverage.info");
	char *html = path_in(fx->dir, "html"), cmd[2048], value[64];

	coverage__counts(fx->cov, &c);
	check(c.insns_hit > 0 && c.insns_hit <= c.insns_reachable && c.insns_reachable <= fx->prog->insn_cnt,
	      "firewall coverage: %llu of %llu reachable instructions hit, %zu in the program",
	      (unsigned long long)c.insns_hit, (unsigned long long)c.insns_reachable, fx->prog->insn_cnt);
	check(c.branch_sides_hit > 0 && c.branch_sides_hit <= c.branch_sides, "firewall coverage: %llu of %llu branch sides",
	      (unsigned long long)c.branch_sides_hit, (unsigned long long)c.branch_sides);
	check(coverage__insn_pct(fx->cov) > 0 && coverage__insn_pct(fx->cov) <= 100 &&
		      coverage__branch_pct(fx->cov) > 0 && coverage__branch_pct(fx->cov) < 100,
	      "firewall coverage percentages %.2f %.2f", coverage__insn_pct(fx->cov), coverage__branch_pct(fx->cov));

	check(!coverage__write_json(fx->cov, json), "write coverage.json");
	check(json_scalar(json, "insns_hit", value, sizeof(value)) && strtoull(value, NULL, 10) == c.insns_hit,
	      "coverage.json insns_hit %s, expected %llu", value, (unsigned long long)c.insns_hit);
	check(file_has(json, "\"uncovered_insns\": [") && file_has(json, "\"functions\": ["),
	      "coverage.json lists functions and uncovered instructions");
	check(!coverage__write_lcov(fx->cov, info), "write coverage.info");
	check(file_has(info, "xdp_firewall.bpf.c\n") && file_has(info, "\nFN:") && file_has(info, "\nFNDA:") &&
		      file_has(info, "\nDA:") && file_has(info, "\nBRDA:") && file_has(info, "\nLH:") &&
		      file_has(info, "end_of_record\n"),
	      "coverage.info has the source file, functions, lines and branches");

	if (genhtml && *genhtml) {
		snprintf(cmd, sizeof(cmd), "'%s' -q --branch-coverage -o '%s' '%s' > '%s/genhtml.log' 2>&1", genhtml,
			 html, info, fx->dir);
		check(system(cmd) == 0, "genhtml renders coverage.info (see %s/genhtml.log)", fx->dir);
		snprintf(cmd, sizeof(cmd), "grep -rqF 'bpf_map_lookup_elem(&amp;verdicts' '%s'", html);
		check(system(cmd) == 0, "the genhtml report shows source lines");
	} else {
		printf("skipped: genhtml rendering (genhtml not installed)\n");
	}
	free(json);
	free(info);
	free(html);
}

/* The firewall: verdicts through every kind of map input, a budget stop, and edited expectations. */
static void test_firewall(struct mhse_object *obj, const struct mhse_hook *hook, const char *packet_path,
			  const char *dir, const char *genhtml)
{
	static const uint8_t port80[4] = { 6, 0, 0, 80 }, drop[1] = { 2 };
	static const uint8_t src_prefix[8] = { 32, 0, 0, 0, 10, 0, 0, 1 }, rule7[4] = { 7 };
	struct fixture fx;
	struct path_result in = { 0 }, pass, dropped, denied, cut, budget, odd;
	const struct path_map_entry *e;
	uint8_t *packet, *first;
	uint32_t len, first_len, byte23 = 23;
	uint64_t one = 1;
	size_t flip;
	char *file, *pcap, want[256];
	long pcap_bytes = 24;

	if (mhse_packet__read(packet_path, &packet, &len) || fixture__init(&fx, obj, "xdp_firewall", hook, dir)) {
		failed++;
		return;
	}

	/* A SYN to port 80 with no rule: passes, counted under XDP_PASS. The
	 * port rule is known absent. */
	in.packet_in = packet;
	in.packet_in_len = len;
	in.ctx_in = ctx_bytes(hook, "ingress_ifindex", 3);
	in.ctx_len = hook->ctx_size;
	add_map_in(&in, obj, "port_policy", port80, NULL);
	run_and_write(&fx, "pass", &in, &pass);
	check(pass.kind == PATH_EXIT && pass.ret == 2, "pass: kind %d return %llu", pass.kind,
	      (unsigned long long)pass.ret);
	e = find_out(&pass, obj, "verdicts", 2);
	check(pass.map_out_cnt == 1 && e && e->value && mem_load_le(e->value, 8) == 1 && mem_load_le(e->value + 8, 8) == len,
	      "pass: verdicts[XDP_PASS] counts one packet of %u bytes", len);
	check(pass.packet_out_len == len && !memcmp(pass.packet_out, packet, len), "pass: packet unchanged");
	pcap_bytes += 16 + len;

	/* The port rule drops it. */
	free(in.map_in[0].value);
	in.map_in[0].value = dup_bytes(drop, 1);
	run_and_write(&fx, "port rule", &in, &dropped);
	check(dropped.kind == PATH_EXIT && dropped.ret == 1 && find_out(&dropped, obj, "verdicts", 1),
	      "port rule: XDP_DROP counted");
	pcap_bytes += 16 + len;

	/* A deny rule for the source drops it first and records the rule. */
	add_map_in(&in, obj, "deny_v4", src_prefix, rule7);
	run_and_write(&fx, "deny rule", &in, &denied);
	e = find_out(&denied, obj, ".bss", 0);
	check(denied.ret == 1 && e && e->value && mem_load_le(e->value, 4) == 7, "deny rule: last_rule = 7");
	pcap_bytes += 16 + len;

	/* An IPv4 header cut short aborts. */
	in.packet_in_len = 20;
	run_and_write(&fx, "cut short", &in, &cut);
	check(cut.kind == PATH_EXIT && cut.ret == 0 && cut.packet_out_len == 20, "cut short: XDP_ABORTED");
	in.packet_in_len = len;
	pcap_bytes += 16 + 20;

	/* Out of budget: an error-like ending with a place and a source line. */
	fx.vm->insn_budget = 10;
	run_and_write(&fx, "budget", &in, &budget);
	fx.vm->insn_budget = 1u << 24;
	check(budget.kind == PATH_BUDGET && budget.insns == 11, "budget: kind %d after %llu", budget.kind,
	      (unsigned long long)budget.insns);
	file = test_file(&fx, 5);
	check(file_has(file, "\"kind\": \"budget\"") && file_has(file, "\"error_insn\": ") &&
		      file_has(file, "xdp_firewall.bpf.c:") && file_has(file, "\"return\": null"),
	      "budget: test names the stop, its source line and no return");
	free(file);
	pcap_bytes += 16 + len;

	/* Text that JSON must escape, and bytes that are not UTF-8. */
	pass.kind = PATH_UNSUPPORTED;
	pass.err_pc = 3;
	snprintf(pass.message, sizeof(pass.message), "say \"hi\"\\\n\t\x01 \xc3\xa9 \xff");
	pass.trace = strdup("line 1\nline 2\n");
	check(!test_writer__add(fx.tw, obj, fx.prog, hook, &pass), "escapes: write");
	pcap_bytes += 16 + len;
	file = test_file(&fx, 6);
	if (check(!test_reader__load(file, obj, hook, &odd, NULL), "escapes: read back")) {
		check(!strcmp(odd.message, "say \"hi\"\\\n\t\x01 \xc3\xa9 \xc3\xbf"), "escapes: message read back as \"%s\"",
		      odd.message);
		check(odd.kind == PATH_UNSUPPORTED && odd.err_pc == 3 && odd.trace && !strcmp(odd.trace, "line 1\nline 2\n"),
		      "escapes: kind, place and trace read back");
		path_result__free(&odd);
	}
	free(file);
	pcap = path_in(dir, "tests.pcap");
	check(file_size(pcap) == pcap_bytes, "tests.pcap is %ld bytes, expected %ld", file_size(pcap), pcap_bytes);
	if (check(!mhse_packet__read(pcap, &first, &first_len), "tests.pcap reads as pcap")) {
		check(first_len == len && !memcmp(first, packet, len), "tests.pcap starts with the first test's packet");
		free(first);
	}
	free(pcap);

	/* Edited expectations of test 1 (the pass). */
	expect_mismatch(&fx, 1, "return", edit_return, &one, "return 2, expected 1");
	snprintf(want, sizeof(want), "packet byte 23: 0x%02x, expected 0x%02x", packet[23], packet[23] ^ 0xff);
	expect_mismatch(&fx, 1, "packet byte", edit_packet_byte, &byte23, want);
	expect_mismatch(&fx, 1, "map value", edit_first_map_value, NULL,
			"map verdicts key 02000000: value byte 0 is 0x01, expected 0x02");
	expect_mismatch(&fx, 1, "unexpected change", edit_drop_map_out, NULL,
			"map verdicts key 02000000: 01000000000000003600000000000000, expected unchanged");
	expect_mismatch(&fx, 1, "expected deletion", edit_expect_deleted, &in.map_in[0],
			"map port_policy key 06000050: unchanged, expected deleted");
	flip = pass.branch_cnt / 2;
	snprintf(want, sizeof(want), "branch %zu at insn %u %s, expected %s", flip, pass.branches[flip].pc,
		 pass.branches[flip].taken ? "taken" : "not taken", pass.branches[flip].taken ? "not taken" : "taken");
	expect_mismatch(&fx, 1, "branch", edit_flip_branch, &flip, want);
	expect_mismatch(&fx, 1, "kind", edit_to_error, &byte23, "exit with return 2, expected error at insn 23");

	expect_mismatch(&fx, 1, "unsupported halfway", edit_unsupported_halfway, NULL, NULL);
	snprintf(want, sizeof(want), "branch %zu at insn %u", pass.branch_cnt / 2 - 1, pass.branches[pass.branch_cnt / 2 - 1].pc);
	expect_mismatch(&fx, 1, "unsupported halfway, a branch flipped", edit_unsupported_halfway, &flip, want);
	expect_mismatch(&fx, 6, "unsupported test with escapes", NULL, NULL, NULL);

	/* An edit of the file itself. */
	file = test_file(&fx, 1);
	check(edit_file(file, "\"return\": 2,", "\"return\": 1,"), "edit %s", file);
	expect_mismatch(&fx, 1, "edited file", edit_return, &(uint64_t){ 1 }, "return 2, expected 1");
	free(file);

	check_coverage_files(&fx, genhtml);

	path_result__free(&pass);
	path_result__free(&dropped);
	path_result__free(&denied);
	path_result__free(&cut);
	path_result__free(&budget);
	in.packet_in = NULL; /* owned by packet */
	path_result__free(&in);
	free(packet);
	fixture__fini(&fx);
}

/*
 * A hand-assembled program: a nondeterministic value decides the verdict,
 * and two instructions after the last exit are dead.
 */
static void test_small(const struct mhse_hook *hook, const char *dir)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1, .imm = 0 },
		{ .imm = 1 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_ktime_get_ns },
		{ .code = BPF_JMP | BPF_JGT | BPF_K, .dst_reg = 0, .off = 2, .imm = 100 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 3 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static const uint8_t packet[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0 };
	struct mhse_object *obj;
	struct fixture fx;
	struct path_nondet nondet = { .helper = BPF_FUNC_ktime_get_ns, .value = 50 };
	struct path_result in = { .packet_in = (uint8_t *)packet, .packet_in_len = sizeof(packet), .nondet = &nondet,
				  .nondet_cnt = 1 };
	struct path_result low, high;
	struct coverage_counts c;
	int32_t prandom = BPF_FUNC_get_prandom_u32;
	char *json;

	if (mhse_object__from_insns(insns, sizeof(insns) / sizeof(insns[0]), "small", &obj) ||
	    fixture__init(&fx, obj, "small", hook, dir)) {
		failed++;
		return;
	}
	coverage__counts(fx.cov, &c);
	check(c.insns_reachable == 7 && c.insns_hit == 0 && c.branch_sides == 2,
	      "small: %llu reachable instructions, %llu branch sides before any run", (unsigned long long)c.insns_reachable,
	      (unsigned long long)c.branch_sides);

	run_and_write(&fx, "small low", &in, &low);
	check(low.kind == PATH_EXIT && low.ret == 1 && low.nondet_cnt == 1 && low.nondet[0].value == 50 &&
		      low.branch_cnt == 1 && !low.branches[0].taken,
	      "small low: XDP_DROP, branch not taken");
	check(coverage__insn_pct(fx.cov) > 71.4 && coverage__insn_pct(fx.cov) < 71.5 &&
		      coverage__branch_pct(fx.cov) == 50.0,
	      "small low: coverage %.2f%% %.2f%%", coverage__insn_pct(fx.cov), coverage__branch_pct(fx.cov));
	nondet.value = 500;
	run_and_write(&fx, "small high", &in, &high);
	check(high.ret == 2 && high.branches[0].taken, "small high: XDP_PASS, branch taken");
	check(coverage__insn_pct(fx.cov) == 100.0 && coverage__branch_pct(fx.cov) == 100.0,
	      "small: full coverage, dead code aside: %.2f%% %.2f%%", coverage__insn_pct(fx.cov),
	      coverage__branch_pct(fx.cov));
	json = path_in(dir, "coverage.json");
	check(!coverage__write_json(fx.cov, json) && file_has(json, "\"uncovered_insns\": []") &&
		      file_has(json, "\"uncovered_branches\": []"),
	      "small: coverage.json lists nothing uncovered");
	free(json);
	expect_mismatch(&fx, 2, "nondet helper", edit_nondet_helper, &prandom,
			"nondeterministic value 0 went to ktime_get_ns, expected get_prandom_u32");

	path_result__free(&low);
	path_result__free(&high);
	fixture__fini(&fx);
	mhse_object__close(obj);
}

/* A tail call: branches and coverage in the program jumped to, and the
 * packet that program rewrites. */
/* A worker's coverage, saved and added to a fresh one (as --jobs merges
 * it): the same counts, and counters for the programs a path ran only
 * (xdp_ipv4 listed, xdp_ipv6 not), as they are made when a program first runs. */
static void check_saved_coverage(const struct fixture *fx, const char *dir)
{
	char *saved = path_in(dir, "coverage.saved"), *json = path_in(dir, "coverage.merged.json");
	struct coverage_counts want, got = { 0 };
	struct coverage *merged = NULL;

	coverage__counts(fx->cov, &want);
	check(!coverage__save(fx->cov, saved) && !coverage__new(fx->obj, fx->prog, &merged) &&
		      !coverage__add_saved(merged, saved),
	      "tail call: coverage saved and added");
	if (merged)
		coverage__counts(merged, &got);
	check(got.insns_hit == want.insns_hit && got.branch_sides_hit == want.branch_sides_hit &&
		      got.insns_reachable == want.insns_reachable,
	      "tail call: added coverage counts %llu of %llu instructions, saved %llu",
	      (unsigned long long)got.insns_hit, (unsigned long long)got.insns_reachable,
	      (unsigned long long)want.insns_hit);
	check(merged && !coverage__write_json(merged, json) && file_has(json, "\"name\": \"xdp_ipv4\"") &&
		      !file_has(json, "\"name\": \"xdp_ipv6\""),
	      "tail call: added coverage lists the program a path ran, not the others");
	coverage__free(merged);
	free(saved);
	free(json);
}

static void test_tailcall(struct mhse_object *obj, const struct mhse_hook *hook, const char *packet_path,
			  const char *dir)
{
	static const uint32_t slot_ipv4 = 0;
	struct fixture fx;
	struct path_result in = { 0 }, out;
	uint32_t ipv4 = (uint32_t)(mhse_object__find_prog(obj, "xdp_ipv4") - obj->progs), ttl_byte = 22;
	size_t in_ipv4 = 0, last;
	char *file, *json, want[256];
	uint8_t *packet;
	uint32_t len;

	if (mhse_packet__read(packet_path, &packet, &len) || fixture__init(&fx, obj, "xdp_dispatch", hook, dir)) {
		failed++;
		return;
	}
	in.packet_in = packet;
	in.packet_in_len = len;
	add_map_in(&in, obj, "jmp_table", &slot_ipv4, &ipv4);
	run_and_write(&fx, "tail call", &in, &out);
	for (size_t i = 0; i < out.branch_cnt; i++)
		in_ipv4 += out.branches[i].prog == ipv4;
	check(out.kind == PATH_EXIT && out.ret == 3 && in_ipv4 > 0 && out.branches[0].prog != ipv4,
	      "tail call: XDP_TX, %zu branches in xdp_ipv4", in_ipv4);
	check(out.packet_out[ttl_byte] == packet[ttl_byte] - 1 && !memcmp(out.packet_out, packet + 6, 6),
	      "tail call: TTL decremented, MACs swapped");
	file = test_file(&fx, 1);
	check(file_has(file, ", \"xdp_ipv4\"]") && file_has(file, "\"return_name\": \"XDP_TX\""),
	      "tail call: branches name the program jumped to");
	free(file);

	snprintf(want, sizeof(want), "packet byte %u: 0x%02x, expected 0x%02x", ttl_byte, out.packet_out[ttl_byte],
		 out.packet_out[ttl_byte] ^ 0xff);
	expect_mismatch(&fx, 1, "tail call packet", edit_packet_byte, &ttl_byte, want);
	last = out.branch_cnt - 1;
	snprintf(want, sizeof(want), "branch %zu at insn %u %s", last, out.branches[last].pc,
		 out.branches[last].taken ? "taken" : "not taken");
	expect_mismatch(&fx, 1, "tail call branch", edit_flip_branch, &last, want);

	json = path_in(dir, "coverage.json");
	check(!coverage__write_json(fx.cov, json) && file_has(json, "\"name\": \"xdp_dispatch\"") &&
		      file_has(json, "\"name\": \"xdp_ipv4\"") && file_has(json, "\"counted\": false") &&
		      !file_has(json, "\"name\": \"xdp_ipv6\""),
	      "tail call: coverage lists the programs reached, not the others, and counts only the entry");
	free(json);
	json = path_in(dir, "coverage.info");
	check(!coverage__write_lcov(fx.cov, json) && file_has(json, "FN:") && file_has(json, ",xdp_dispatch\n") &&
		      file_has(json, ",xdp_ipv4\n") &&
		      file_has(json, "FNH:2\n") && !file_has(json, ",xdp_ipv6\n"),
	      "tail call: lcov has a function per program reached");
	free(json);
	check_saved_coverage(&fx, dir);

	path_result__free(&out);
	in.packet_in = NULL;
	path_result__free(&in);
	free(packet);
	fixture__fini(&fx);
}

static void test_stats(const char *dir)
{
	struct run_stats st = { .program = "xdp_firewall", .hook = "xdp", .policy = "consistent", .search = "dfs",
				.paths = 10, .tests = 9, .unsupported = 3, .time_s = 1.5, .insn_coverage_pct = 87.5 };
	char *path = path_in(dir, "stats.json"), value[64];

	check(!run_stats__add_unsupported(&st, "helper x") && !run_stats__add_unsupported(&st, "helper y") &&
		      !run_stats__add_unsupported(&st, "helper x"),
	      "stats: count reasons");
	check(st.unsupported_reason_cnt == 2 && st.unsupported_reasons[0].count == 2, "stats: reasons counted");
	check(!stats_write(dir, &st), "stats: write");
	check(json_scalar(path, "tests", value, sizeof(value)) && !strcmp(value, "9"), "stats.json tests");
	check(json_scalar(path, "insn_coverage_pct", value, sizeof(value)) && !strcmp(value, "87.50"),
	      "stats.json insn_coverage_pct");
	check(file_has(path, "{\"reason\": \"helper x\", \"count\": 2}"), "stats.json unsupported reasons");
	run_stats__free(&st);
	free(path);
}

int main(int argc, char **argv)
{
	struct mhse_object *fw, *tc;
	struct mhse_hook *hook;
	const char *out;
	char *dir;

	if (argc < 5) {
		fprintf(stderr, "usage: %s FIREWALL_OBJ TAILCALL_OBJ PACKET_HEX OUT_DIR [GENHTML]\n", argv[0]);
		return 2;
	}
	if (mhse_object__open(argv[1], NULL, &fw) || mhse_object__open(argv[2], NULL, &tc) ||
	    mhse_hook__load("xdp", &hook))
		return 1;
	out = argv[4];
	dir = path_in(out, "firewall");
	test_firewall(fw, hook, argv[3], dir, argc > 5 ? argv[5] : NULL);
	free(dir);
	dir = path_in(out, "tailcall");
	test_tailcall(tc, hook, argv[3], dir);
	free(dir);
	dir = path_in(out, "small");
	test_small(hook, dir);
	free(dir);
	test_stats(out);
	mhse_hook__free(hook);
	mhse_object__close(tc);
	mhse_object__close(fw);
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
