// SPDX-License-Identifier: MIT
/*
 * Section names -> program type, expected attach type and mhse hook.
 *
 * The rules are libbpf's SEC() table, in libbpf's order (the first match
 * wins), with three kinds of match: an exact name, libbpf's "type+" (exactly
 * "type" or "type/anything") and a plain prefix. cilium/ebpf's extra
 * prefixes are added where they place a section libbpf leaves unknown
 * ("tc/ingress", "xdp/foo"), and "socket" matches as a prefix ("socket1",
 * "socket_filter") the way libbpf did before 1.0. Section names that follow
 * no convention ("xdp_prog", "from-netdev", iproute2's "2/7") match nothing:
 * such programs load with type UNSPEC and no hook, and core/place.c infers
 * one.
 *
 * One of its rules is this table again as libbpf read it before 1.0
 * (mhse_section__classify_legacy): the rules libbpf 0.x marked
 * SEC_SLOPPY_PFX match as plain prefixes ("xdp_fw" is XDP, "classifier_x"
 * tc), the prefixes libbpf 1.0 dropped ("xdp_devmap/", "xdp_cpumap/") come
 * back, and iproute2's "tc" prefix ("tc_packet_hook0") is added at the end.
 *
 * The hook is mostly a property of the program type (both tc types share
 * "tc"), so it lives in the per-type name table; return probes, whose
 * context holds a return value, iterators, whose context is their
 * target's, and cgroup skb egress programs, whose return values differ,
 * name theirs in the rule.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "object.h"

enum match {
	MATCH_EXACT,  /* "sockops" */
	MATCH_PLUS,   /* "kprobe": "kprobe" or "kprobe/..." */
	MATCH_PREFIX, /* "xdp/": anything starting so */
};

/* How a rule read before libbpf 1.0. */
enum era {
	ERA_BOTH,   /* the same as now */
	ERA_SLOPPY, /* libbpf 0.x's SEC_SLOPPY_PFX: a plain prefix then */
	ERA_LEGACY, /* a rule of libbpf 0.x or iproute2 alone */
};

struct section_rule {
	const char *name;
	enum match match;
	uint32_t prog_type;
	uint32_t attach_type;
	const char *hook; /* when the section, not the type, decides the hook (return probes) */
	enum era era;
};

#define RULE(name, match, type, attach) { name, MATCH_##match, BPF_PROG_TYPE_##type, attach, NULL, ERA_BOTH }
/* Exact (or "type+") now, a plain prefix before libbpf 1.0. */
#define SLOPPY(name, match, type, attach) { name, MATCH_##match, BPF_PROG_TYPE_##type, attach, NULL, ERA_SLOPPY }
/* A prefix libbpf 0.x or iproute2 had and libbpf 1.0 does not. */
#define LEGACY(name, type, attach) { name, MATCH_PREFIX, BPF_PROG_TYPE_##type, attach, NULL, ERA_LEGACY }
/* A return probe is a kprobe whose context holds the return value: a hook of its own. */
#define RETPROBE_RULE(name, match) { name, MATCH_##match, BPF_PROG_TYPE_KPROBE, 0, "kretprobe", ERA_BOTH }
/* An iterator's context is its target's, and it returns 0 or 1: a hook of its own. */
#define ITER_RULE(name) { name, MATCH_PLUS, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, "iter", ERA_BOTH }
/* cgroup skb egress programs may return more values than ingress ones: a hook of its own. */
#define EGRESS_RULE(name) { name, MATCH_EXACT, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, "cgroup_skb_egress", ERA_SLOPPY }

static const struct section_rule section_rules[] = {
	RULE("socket", PREFIX, SOCKET_FILTER, 0),
	SLOPPY("sk_reuseport/migrate", EXACT, SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE),
	SLOPPY("sk_reuseport", EXACT, SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT),
	RULE("kprobe", PLUS, KPROBE, 0),
	RULE("uprobe", PLUS, KPROBE, 0),
	RULE("uprobe.s", PLUS, KPROBE, 0),
	RETPROBE_RULE("kretprobe", PLUS),
	RETPROBE_RULE("uretprobe", PLUS),
	RETPROBE_RULE("uretprobe.s", PLUS),
	RULE("kprobe.multi", PLUS, KPROBE, BPF_TRACE_KPROBE_MULTI),
	RULE("kretprobe.multi", PLUS, KPROBE, BPF_TRACE_KPROBE_MULTI),
	RULE("uprobe.multi", PLUS, KPROBE, 0),
	RETPROBE_RULE("uretprobe.multi", PLUS),
	RULE("ksyscall", PLUS, KPROBE, 0),
	RETPROBE_RULE("kretsyscall", PLUS),
	RULE("usdt", PLUS, KPROBE, 0),
	RULE("usdt.s", PLUS, KPROBE, 0),
	RULE("tc", EXACT, SCHED_CLS, 0),
	RULE("tc/", PREFIX, SCHED_CLS, 0),
	RULE("tcx/ingress", EXACT, SCHED_CLS, 0),
	RULE("tcx/egress", EXACT, SCHED_CLS, 0),
	SLOPPY("classifier", PLUS, SCHED_CLS, 0),
	SLOPPY("action", PLUS, SCHED_ACT, 0),
	RULE("tracepoint", PLUS, TRACEPOINT, 0),
	RULE("tp", PLUS, TRACEPOINT, 0),
	RULE("raw_tracepoint", PLUS, RAW_TRACEPOINT, 0),
	RULE("raw_tp", PLUS, RAW_TRACEPOINT, 0),
	RULE("raw_tracepoint.w", PLUS, RAW_TRACEPOINT_WRITABLE, 0),
	RULE("raw_tp.w", PLUS, RAW_TRACEPOINT_WRITABLE, 0),
	RULE("tp_btf", PLUS, TRACING, BPF_TRACE_RAW_TP),
	RULE("fentry", PLUS, TRACING, BPF_TRACE_FENTRY),
	RULE("fmod_ret", PLUS, TRACING, BPF_MODIFY_RETURN),
	RULE("fexit", PLUS, TRACING, BPF_TRACE_FEXIT),
	RULE("fentry.s", PLUS, TRACING, BPF_TRACE_FENTRY),
	RULE("fmod_ret.s", PLUS, TRACING, BPF_MODIFY_RETURN),
	RULE("fexit.s", PLUS, TRACING, BPF_TRACE_FEXIT),
	RULE("freplace", PLUS, EXT, 0),
	RULE("lsm", PLUS, LSM, BPF_LSM_MAC),
	RULE("lsm.s", PLUS, LSM, BPF_LSM_MAC),
	RULE("lsm_cgroup", PLUS, LSM, BPF_LSM_CGROUP),
	ITER_RULE("iter"),
	ITER_RULE("iter.s"),
	RULE("syscall", EXACT, SYSCALL, 0),
	RULE("xdp.frags/devmap", EXACT, XDP, BPF_XDP_DEVMAP),
	RULE("xdp/devmap", EXACT, XDP, BPF_XDP_DEVMAP),
	LEGACY("xdp_devmap/", XDP, BPF_XDP_DEVMAP),
	RULE("xdp.frags/cpumap", EXACT, XDP, BPF_XDP_CPUMAP),
	RULE("xdp/cpumap", EXACT, XDP, BPF_XDP_CPUMAP),
	LEGACY("xdp_cpumap/", XDP, BPF_XDP_CPUMAP),
	RULE("xdp.frags", EXACT, XDP, BPF_XDP),
	SLOPPY("xdp", EXACT, XDP, BPF_XDP),
	RULE("xdp/", PREFIX, XDP, BPF_XDP),
	SLOPPY("perf_event", EXACT, PERF_EVENT, 0),
	SLOPPY("lwt_in", EXACT, LWT_IN, 0),
	SLOPPY("lwt_out", EXACT, LWT_OUT, 0),
	SLOPPY("lwt_xmit", EXACT, LWT_XMIT, 0),
	SLOPPY("lwt_seg6local", EXACT, LWT_SEG6LOCAL, 0),
	SLOPPY("sockops", EXACT, SOCK_OPS, BPF_CGROUP_SOCK_OPS),
	SLOPPY("sk_skb/stream_parser", EXACT, SK_SKB, BPF_SK_SKB_STREAM_PARSER),
	SLOPPY("sk_skb/stream_verdict", EXACT, SK_SKB, BPF_SK_SKB_STREAM_VERDICT),
	SLOPPY("sk_skb", PLUS, SK_SKB, 0),
	SLOPPY("sk_msg", EXACT, SK_MSG, BPF_SK_MSG_VERDICT),
	SLOPPY("lirc_mode2", EXACT, LIRC_MODE2, BPF_LIRC_MODE2),
	SLOPPY("flow_dissector", EXACT, FLOW_DISSECTOR, BPF_FLOW_DISSECTOR),
	SLOPPY("cgroup_skb/ingress", EXACT, CGROUP_SKB, BPF_CGROUP_INET_INGRESS),
	EGRESS_RULE("cgroup_skb/egress"),
	SLOPPY("cgroup/skb", EXACT, CGROUP_SKB, 0),
	SLOPPY("cgroup/sock_create", EXACT, CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE),
	SLOPPY("cgroup/sock_release", EXACT, CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE),
	SLOPPY("cgroup/sock", EXACT, CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE),
	SLOPPY("cgroup/post_bind4", EXACT, CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND),
	SLOPPY("cgroup/post_bind6", EXACT, CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND),
	SLOPPY("cgroup/bind4", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND),
	SLOPPY("cgroup/bind6", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND),
	SLOPPY("cgroup/connect4", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT),
	SLOPPY("cgroup/connect6", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT),
	SLOPPY("cgroup/sendmsg4", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG),
	SLOPPY("cgroup/sendmsg6", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG),
	SLOPPY("cgroup/recvmsg4", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG),
	SLOPPY("cgroup/recvmsg6", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG),
	SLOPPY("cgroup/getpeername4", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME),
	SLOPPY("cgroup/getpeername6", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME),
	SLOPPY("cgroup/getsockname4", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME),
	SLOPPY("cgroup/getsockname6", EXACT, CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME),
	SLOPPY("cgroup/sysctl", EXACT, CGROUP_SYSCTL, BPF_CGROUP_SYSCTL),
	SLOPPY("cgroup/getsockopt", EXACT, CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT),
	SLOPPY("cgroup/setsockopt", EXACT, CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT),
	SLOPPY("cgroup/dev", EXACT, CGROUP_DEVICE, BPF_CGROUP_DEVICE),
	RULE("struct_ops", PLUS, STRUCT_OPS, 0),
	RULE("struct_ops.s", PLUS, STRUCT_OPS, 0),
	SLOPPY("sk_lookup", EXACT, SK_LOOKUP, BPF_SK_LOOKUP),
	/* iproute2's tc programs */
	LEGACY("tc", SCHED_CLS, 0),
};

struct prog_type_desc {
	const char *name; /* libbpf's and bpftool's name for the type */
	const char *hook; /* the mhse hook that models it */
};

static const struct prog_type_desc prog_types[] = {
	[BPF_PROG_TYPE_UNSPEC] = { "unspec", NULL },
	[BPF_PROG_TYPE_SOCKET_FILTER] = { "socket_filter", "socket_filter" },
	[BPF_PROG_TYPE_KPROBE] = { "kprobe", "kprobe" },
	[BPF_PROG_TYPE_SCHED_CLS] = { "sched_cls", "tc" },
	[BPF_PROG_TYPE_SCHED_ACT] = { "sched_act", "tc" },
	[BPF_PROG_TYPE_TRACEPOINT] = { "tracepoint", "tracepoint" },
	[BPF_PROG_TYPE_XDP] = { "xdp", "xdp" },
	[BPF_PROG_TYPE_PERF_EVENT] = { "perf_event", "perf_event" },
	[BPF_PROG_TYPE_CGROUP_SKB] = { "cgroup_skb", "cgroup_skb" },
	[BPF_PROG_TYPE_CGROUP_SOCK] = { "cgroup_sock", "cgroup_sock" },
	[BPF_PROG_TYPE_LWT_IN] = { "lwt_in", "lwt_in" },
	[BPF_PROG_TYPE_LWT_OUT] = { "lwt_out", "lwt_out" },
	[BPF_PROG_TYPE_LWT_XMIT] = { "lwt_xmit", "lwt_xmit" },
	[BPF_PROG_TYPE_SOCK_OPS] = { "sock_ops", "sockops" },
	[BPF_PROG_TYPE_SK_SKB] = { "sk_skb", "sk_skb" },
	[BPF_PROG_TYPE_CGROUP_DEVICE] = { "cgroup_device", "cgroup_device" },
	[BPF_PROG_TYPE_SK_MSG] = { "sk_msg", "sk_msg" },
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = { "raw_tracepoint", "raw_tracepoint" },
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = { "cgroup_sock_addr", "cgroup_sock_addr" },
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = { "lwt_seg6local", "lwt_seg6local" },
	[BPF_PROG_TYPE_LIRC_MODE2] = { "lirc_mode2", "lirc_mode2" },
	[BPF_PROG_TYPE_SK_REUSEPORT] = { "sk_reuseport", "sk_reuseport" },
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = { "flow_dissector", "flow_dissector" },
	[BPF_PROG_TYPE_CGROUP_SYSCTL] = { "cgroup_sysctl", "cgroup_sysctl" },
	[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = { "raw_tracepoint_writable", "raw_tracepoint_writable" },
	[BPF_PROG_TYPE_CGROUP_SOCKOPT] = { "cgroup_sockopt", "cgroup_sockopt" },
	[BPF_PROG_TYPE_TRACING] = { "tracing", "tracing" },
	[BPF_PROG_TYPE_STRUCT_OPS] = { "struct_ops", "struct_ops" },
	[BPF_PROG_TYPE_EXT] = { "ext", "ext" },
	[BPF_PROG_TYPE_LSM] = { "lsm", "lsm" },
	[BPF_PROG_TYPE_SK_LOOKUP] = { "sk_lookup", "sk_lookup" },
	[BPF_PROG_TYPE_SYSCALL] = { "syscall", "syscall" },
};

/* Indexed by enum bpf_map_type; the last two postdate the uapi header mhse builds against. */
static const char *const map_type_names[] = {
	[BPF_MAP_TYPE_UNSPEC] = "unspec",
	[BPF_MAP_TYPE_HASH] = "hash",
	[BPF_MAP_TYPE_ARRAY] = "array",
	[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
	[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
	[BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
	[BPF_MAP_TYPE_STACK_TRACE] = "stack_trace",
	[BPF_MAP_TYPE_CGROUP_ARRAY] = "cgroup_array",
	[BPF_MAP_TYPE_LRU_HASH] = "lru_hash",
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
	[BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
	[BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps",
	[BPF_MAP_TYPE_DEVMAP] = "devmap",
	[BPF_MAP_TYPE_SOCKMAP] = "sockmap",
	[BPF_MAP_TYPE_CPUMAP] = "cpumap",
	[BPF_MAP_TYPE_XSKMAP] = "xskmap",
	[BPF_MAP_TYPE_SOCKHASH] = "sockhash",
	[BPF_MAP_TYPE_CGROUP_STORAGE] = "cgroup_storage",
	[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
	[BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage",
	[BPF_MAP_TYPE_QUEUE] = "queue",
	[BPF_MAP_TYPE_STACK] = "stack",
	[BPF_MAP_TYPE_SK_STORAGE] = "sk_storage",
	[BPF_MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
	[BPF_MAP_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
	[BPF_MAP_TYPE_INODE_STORAGE] = "inode_storage",
	[BPF_MAP_TYPE_TASK_STORAGE] = "task_storage",
	[BPF_MAP_TYPE_BLOOM_FILTER] = "bloom_filter",
	[BPF_MAP_TYPE_USER_RINGBUF] = "user_ringbuf",
	[32] = "cgrp_storage",
	[33] = "arena",
};

static bool rule_matches(const struct section_rule *rule, const char *section, bool legacy)
{
	size_t len = strlen(rule->name);

	if (rule->era == ERA_LEGACY && !legacy)
		return false;
	if (strncmp(section, rule->name, len) != 0)
		return false;
	if (legacy && rule->era != ERA_BOTH)
		return true;
	switch (rule->match) {
	case MATCH_EXACT:
		return section[len] == '\0';
	case MATCH_PLUS:
		return section[len] == '\0' || section[len] == '/';
	case MATCH_PREFIX:
		return true;
	}
	return false;
}

static const struct section_rule *classify(const char *section, bool legacy, uint32_t *prog_type,
					   uint32_t *attach_type, const char **hook)
{
	for (size_t i = 0; i < sizeof(section_rules) / sizeof(section_rules[0]); i++) {
		const struct section_rule *rule = &section_rules[i];

		if (!rule_matches(rule, section, legacy))
			continue;
		*prog_type = rule->prog_type;
		*attach_type = rule->attach_type;
		*hook = rule->hook ? rule->hook : prog_types[rule->prog_type].hook;
		return rule;
	}
	*prog_type = BPF_PROG_TYPE_UNSPEC;
	*attach_type = 0;
	*hook = NULL;
	return NULL;
}

bool mhse_section__classify(const char *section, uint32_t *prog_type, uint32_t *attach_type, const char **hook)
{
	return classify(section, false, prog_type, attach_type, hook) != NULL;
}

const char *mhse_section__classify_legacy(const char *section, uint32_t *prog_type, uint32_t *attach_type,
					  const char **hook)
{
	const struct section_rule *rule = classify(section, true, prog_type, attach_type, hook);

	return rule ? rule->name : NULL;
}

bool mhse_section__iproute2_slot(const char *section, unsigned *id, unsigned *key)
{
	int len = 0;

	return sscanf(section, "%u/%u%n", id, key, &len) == 2 && section[len] == '\0';
}

const char *mhse_prog_type__hook(uint32_t type)
{
	if (type >= sizeof(prog_types) / sizeof(prog_types[0]))
		return NULL;
	return prog_types[type].hook;
}

const char *mhse_prog_type__name(uint32_t type)
{
	if (type >= sizeof(prog_types) / sizeof(prog_types[0]))
		return NULL;
	return prog_types[type].name;
}

const char *mhse_map_type__name(uint32_t type)
{
	if (type >= sizeof(map_type_names) / sizeof(map_type_names[0]))
		return NULL;
	return map_type_names[type];
}
