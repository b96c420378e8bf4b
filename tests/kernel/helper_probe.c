// SPDX-License-Identifier: MIT
/*
 * The helper table (core/helper_table.c) against the running kernel's
 * verifier: for every context and every helper the table lets it call, a
 * two-instruction program (call the helper, exit) of that type and attach
 * type is loaded; the verifier answers "program of this type cannot use
 * helper" (or "unknown func") when the type may not call it, and something
 * else (an argument it does not like) when it may. A pair the table allows
 * and the kernel refuses fails the test; pairs the kernel allows and the
 * table does not are counted only, since a newer kernel than 6.1 allows
 * more. Needs root; exits 77, a skip, without, and skips the contexts this
 * kernel cannot load a program of (no BTF for tracing or LSM), saying why.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "helpers.h"
#include "insn.h"

struct ctx_load {
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *btf_func; /* attach_btf_id: a vmlinux function, for tracing and LSM */
	bool sleepable;
};

static const struct ctx_load loads[HC_CNT] = {
	[HC_SOCKET_FILTER] = { BPF_PROG_TYPE_SOCKET_FILTER },
	[HC_KPROBE] = { BPF_PROG_TYPE_KPROBE },
	[HC_SCHED_CLS] = { BPF_PROG_TYPE_SCHED_CLS },
	[HC_SCHED_ACT] = { BPF_PROG_TYPE_SCHED_ACT },
	[HC_TRACEPOINT] = { BPF_PROG_TYPE_TRACEPOINT },
	[HC_XDP] = { BPF_PROG_TYPE_XDP },
	[HC_PERF_EVENT] = { BPF_PROG_TYPE_PERF_EVENT },
	[HC_CGROUP_SKB] = { BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
	[HC_CGROUP_SOCK] = { BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
	[HC_LWT_IN] = { BPF_PROG_TYPE_LWT_IN },
	[HC_LWT_OUT] = { BPF_PROG_TYPE_LWT_OUT },
	[HC_LWT_XMIT] = { BPF_PROG_TYPE_LWT_XMIT },
	[HC_SOCK_OPS] = { BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS },
	[HC_SK_SKB] = { BPF_PROG_TYPE_SK_SKB },
	[HC_CGROUP_DEVICE] = { BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE },
	[HC_SK_MSG] = { BPF_PROG_TYPE_SK_MSG },
	[HC_RAW_TRACEPOINT] = { BPF_PROG_TYPE_RAW_TRACEPOINT },
	[HC_CGROUP_SOCK_ADDR_BIND] = { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND },
	[HC_CGROUP_SOCK_ADDR_CONNECT] = { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
	[HC_CGROUP_SOCK_ADDR_SENDMSG] = { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG },
	[HC_CGROUP_SOCK_ADDR_RECVMSG] = { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG },
	[HC_CGROUP_SOCK_ADDR_GETNAME] = { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME },
	[HC_LWT_SEG6LOCAL] = { BPF_PROG_TYPE_LWT_SEG6LOCAL },
	[HC_SK_REUSEPORT] = { BPF_PROG_TYPE_SK_REUSEPORT },
	[HC_FLOW_DISSECTOR] = { BPF_PROG_TYPE_FLOW_DISSECTOR },
	[HC_CGROUP_SYSCTL] = { BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL },
	[HC_RAW_TRACEPOINT_WRITABLE] = { BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE },
	[HC_CGROUP_SOCKOPT_GET] = { BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT },
	[HC_CGROUP_SOCKOPT_SET] = { BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT },
	[HC_TRACING_FENTRY] = { BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "bpf_fentry_test1" },
	[HC_TRACING_TP_BTF] = { BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, "sched_switch" },
	[HC_TRACING_ITER] = { BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, "task" },
	[HC_LSM] = { BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "file_open" },
	[HC_SK_LOOKUP] = { BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP },
	[HC_SYSCALL] = { BPF_PROG_TYPE_SYSCALL, 0, NULL, true },
};

/* Helpers the kernel's build or its lockdown state withholds from every
 * program, whatever its type: a refusal of one is this kernel's, not the
 * table's. */
static const struct {
	int32_t id;
	const char *why;
} kernel_dependent[] = {
	{ BPF_FUNC_probe_write_user, "refused under lockdown (LOCKDOWN_BPF_WRITE_USER)" },
	{ BPF_FUNC_lwt_seg6_store_bytes, "needs CONFIG_IPV6_SEG6_BPF" },
	{ BPF_FUNC_lwt_seg6_adjust_srh, "needs CONFIG_IPV6_SEG6_BPF" },
	{ BPF_FUNC_lwt_seg6_action, "needs CONFIG_IPV6_SEG6_BPF" },
};

static const char *kernel_dependent_why(int32_t id)
{
	for (size_t i = 0; i < sizeof(kernel_dependent) / sizeof(kernel_dependent[0]); i++)
		if (kernel_dependent[i].id == id)
			return kernel_dependent[i].why;
	return NULL;
}

static char log_buf[65536];

/* 1 when the verifier lets a program of ctx call id, 0 when it refuses the
 * helper, -1 when the program could not be tried. */
static int kernel_allows(int ctx, int32_t id, int btf_id)
{
	const struct ctx_load *l = &loads[ctx];
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = id },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = l->attach, .log_buf = log_buf,
		    .log_size = sizeof(log_buf), .log_level = 1);
	int fd;

	if (l->btf_func && btf_id <= 0)
		return -1;
	opts.attach_btf_id = l->btf_func ? (uint32_t)btf_id : 0;
	opts.prog_flags = l->sleepable ? BPF_F_SLEEPABLE : 0;
	log_buf[0] = '\0';
	fd = bpf_prog_load(l->type, NULL, "GPL", insns, 2, &opts);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (strstr(log_buf, "cannot use helper") || strstr(log_buf, "unknown func") || strstr(log_buf, "invalid func"))
		return 0;
	return log_buf[0] ? 1 : -1;
}

int main(void)
{
	unsigned passed = 0, failed = 0, extra = 0, skipped_ctx = 0, skipped_pairs = 0;

	if (geteuid()) {
		printf("skip: loading programs needs root\n");
		return 77;
	}
	libbpf_set_print(NULL);
	for (int c = 0; c < HC_CNT; c++) {
		const struct ctx_load *l = &loads[c];
		int btf_id = l->btf_func ? libbpf_find_vmlinux_btf_id(l->btf_func, l->attach) : 0;

		/* a context whose map_lookup_elem does not load cannot be probed here */
		if (kernel_allows(c, BPF_FUNC_map_lookup_elem, btf_id) < 0) {
			printf("skip context %s: this kernel loads no program of it (%.80s)\n", helper_context_name(c),
			       log_buf[0] ? log_buf : strerror(errno));
			skipped_ctx++;
			continue;
		}
		for (int32_t id = 1; id < 1024 && helper_name(id); id++) {
			int table = !!(helper_kernel_contexts(id) & (UINT64_C(1) << c));
			int kernel = kernel_allows(c, id, btf_id);

			if (kernel < 0)
				continue;
			if (table && !kernel && kernel_dependent_why(id)) {
				if (!skipped_pairs++ || c == HC_LWT_SEG6LOCAL)
					printf("skip %s in %s: %s\n", helper_name(id), helper_context_name(c),
					       kernel_dependent_why(id));
			} else if (table && !kernel) {
				if (failed++ < 40)
					printf("FAIL table allows %s in %s; this kernel's verifier refuses it\n",
					       helper_name(id), helper_context_name(c));
			} else {
				passed++;
				extra += !table && kernel;
			}
		}
	}
	printf("%u pairs the kernel allows beyond the table (a kernel newer than 6.1); %u contexts and %u pairs "
	       "skipped\n", extra, skipped_ctx, skipped_pairs);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
