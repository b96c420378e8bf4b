// SPDX-License-Identifier: MIT
/*
 * Which helpers the kernel lets each program context call (Linux 6.1's
 * *_func_proto functions, as root calls them: bpf_capable and
 * perfmon_capable hold), and the resolution of a call against it and the
 * modules' rows (core/helpers.h).
 *
 * The rows below are what tests/helpers/func_protos.py reads out of the
 * kernel's sources (its --c output); tests/unit/helper_table_test.c holds
 * them to that script's list, and checks that no two modelled rows claim
 * the same helper in the same context.
 */
#include <errno.h>
#include <stddef.h>
#include "helpers.h"
#include "insn.h"

static const char *const ctx_names[HC_CNT] = {
	[HC_SOCKET_FILTER] = "socket_filter",
	[HC_KPROBE] = "kprobe",
	[HC_SCHED_CLS] = "sched_cls",
	[HC_SCHED_ACT] = "sched_act",
	[HC_TRACEPOINT] = "tracepoint",
	[HC_XDP] = "xdp",
	[HC_PERF_EVENT] = "perf_event",
	[HC_CGROUP_SKB] = "cgroup_skb",
	[HC_CGROUP_SOCK] = "cgroup_sock",
	[HC_LWT_IN] = "lwt_in",
	[HC_LWT_OUT] = "lwt_out",
	[HC_LWT_XMIT] = "lwt_xmit",
	[HC_SOCK_OPS] = "sock_ops",
	[HC_SK_SKB] = "sk_skb",
	[HC_CGROUP_DEVICE] = "cgroup_device",
	[HC_SK_MSG] = "sk_msg",
	[HC_RAW_TRACEPOINT] = "raw_tracepoint",
	[HC_CGROUP_SOCK_ADDR_BIND] = "cgroup_sock_addr_bind",
	[HC_CGROUP_SOCK_ADDR_CONNECT] = "cgroup_sock_addr_connect",
	[HC_CGROUP_SOCK_ADDR_SENDMSG] = "cgroup_sock_addr_sendmsg",
	[HC_CGROUP_SOCK_ADDR_RECVMSG] = "cgroup_sock_addr_recvmsg",
	[HC_CGROUP_SOCK_ADDR_GETNAME] = "cgroup_sock_addr_getname",
	[HC_LWT_SEG6LOCAL] = "lwt_seg6local",
	[HC_SK_REUSEPORT] = "sk_reuseport",
	[HC_FLOW_DISSECTOR] = "flow_dissector",
	[HC_CGROUP_SYSCTL] = "cgroup_sysctl",
	[HC_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
	[HC_CGROUP_SOCKOPT_GET] = "cgroup_sockopt_get",
	[HC_CGROUP_SOCKOPT_SET] = "cgroup_sockopt_set",
	[HC_TRACING_FENTRY] = "tracing_fentry",
	[HC_TRACING_TP_BTF] = "tracing_tp_btf",
	[HC_TRACING_ITER] = "tracing_iter",
	[HC_LSM] = "lsm",
	[HC_SK_LOOKUP] = "sk_lookup",
	[HC_SYSCALL] = "syscall",
};

static const struct {
	int32_t id;
	uint64_t contexts;
} kernel_rows[] = {
	{ BPF_FUNC_map_lookup_elem, HC_ALL },
	{ BPF_FUNC_map_update_elem, HC_ALL },
	{ BPF_FUNC_map_delete_elem, HC_ALL },
	{ BPF_FUNC_probe_read, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_ktime_get_ns, HC_ALL },
	{ BPF_FUNC_trace_printk, HC_ALL },
	{ BPF_FUNC_get_prandom_u32, HC_ALL },
	{ BPF_FUNC_get_smp_processor_id, HC_ALL },
	{ BPF_FUNC_skb_store_bytes, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) | HC(SK_SKB) },
	{ BPF_FUNC_l3_csum_replace, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_l4_csum_replace, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_tail_call, HC_ALL },
	{ BPF_FUNC_clone_redirect, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_get_current_pid_tgid, HC_ALL & ~(HC(SOCKET_FILTER) | HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) |
	  HC(CGROUP_SKB) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) | HC(SOCK_OPS) | HC(SK_SKB) | HC(LWT_SEG6LOCAL) |
	  HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR) | HC(SK_LOOKUP)) },
	{ BPF_FUNC_get_current_uid_gid, HC_ALL & ~(HC(SOCKET_FILTER) | HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) |
	  HC(CGROUP_SKB) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) | HC(SOCK_OPS) | HC(SK_SKB) | HC(LWT_SEG6LOCAL) |
	  HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR) | HC(SK_LOOKUP)) },
	{ BPF_FUNC_get_current_comm, HC_ALL & ~(HC(SOCKET_FILTER) | HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) |
	  HC(CGROUP_SKB) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) | HC(SOCK_OPS) | HC(SK_SKB) | HC(SK_MSG) |
	  HC(LWT_SEG6LOCAL) | HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR) | HC(SK_LOOKUP)) },
	{ BPF_FUNC_get_cgroup_classid, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SOCK) | HC(LWT_IN) | HC(LWT_OUT) |
	  HC(LWT_XMIT) | HC(CGROUP_DEVICE) | HC(SK_MSG) | HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) |
	  HC(CGROUP_SOCK_ADDR_SENDMSG) | HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) |
	  HC(LWT_SEG6LOCAL) | HC(CGROUP_SYSCTL) | HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET) },
	{ BPF_FUNC_skb_vlan_push, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_skb_vlan_pop, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_skb_get_tunnel_key, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_skb_set_tunnel_key, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_perf_event_read, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_redirect, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) | HC(LWT_XMIT) },
	{ BPF_FUNC_get_route_realm, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) |
	  HC(LWT_SEG6LOCAL) },
	{ BPF_FUNC_perf_event_output, HC_ALL & ~(HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR)) },
	{ BPF_FUNC_skb_load_bytes, HC(SOCKET_FILTER) | HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) | HC(LWT_IN) |
	  HC(LWT_OUT) | HC(LWT_XMIT) | HC(SK_SKB) | HC(LWT_SEG6LOCAL) | HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR) },
	{ BPF_FUNC_get_stackid, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_csum_diff, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) |
	  HC(LWT_SEG6LOCAL) },
	{ BPF_FUNC_skb_get_tunnel_opt, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_skb_set_tunnel_opt, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_skb_change_proto, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_skb_change_type, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_skb_under_cgroup, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) |
	  HC(LWT_SEG6LOCAL) },
	{ BPF_FUNC_get_hash_recalc, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) |
	  HC(LWT_SEG6LOCAL) },
	{ BPF_FUNC_get_current_task, HC_ALL },
	{ BPF_FUNC_probe_write_user, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_current_task_under_cgroup, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_skb_change_tail, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) | HC(SK_SKB) },
	{ BPF_FUNC_skb_pull_data, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) |
	  HC(SK_SKB) },
	{ BPF_FUNC_csum_update, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_set_hash_invalid, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_get_numa_node_id, HC_ALL },
	{ BPF_FUNC_skb_change_head, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) | HC(SK_SKB) },
	{ BPF_FUNC_xdp_adjust_head, HC(XDP) },
	{ BPF_FUNC_probe_read_str, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_get_socket_cookie, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(XDP) | HC(PERF_EVENT) | HC(LWT_IN) |
	  HC(LWT_OUT) | HC(LWT_XMIT) | HC(CGROUP_DEVICE) | HC(SK_MSG) | HC(RAW_TRACEPOINT) | HC(LWT_SEG6LOCAL) |
	  HC(FLOW_DISSECTOR) | HC(CGROUP_SYSCTL) | HC(RAW_TRACEPOINT_WRITABLE) | HC(CGROUP_SOCKOPT_GET) |
	  HC(CGROUP_SOCKOPT_SET) | HC(SK_LOOKUP)) },
	{ BPF_FUNC_get_socket_uid, HC(SOCKET_FILTER) | HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) | HC(SK_SKB) },
	{ BPF_FUNC_set_hash, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_setsockopt, HC(SOCK_OPS) | HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) |
	  HC(CGROUP_SOCK_ADDR_SENDMSG) | HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) |
	  HC(CGROUP_SOCKOPT_SET) },
	{ BPF_FUNC_skb_adjust_room, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(SK_SKB) },
	{ BPF_FUNC_redirect_map, HC(XDP) },
	{ BPF_FUNC_sk_redirect_map, HC(SK_SKB) },
	{ BPF_FUNC_sock_map_update, HC(SOCK_OPS) },
	{ BPF_FUNC_xdp_adjust_meta, HC(XDP) },
	{ BPF_FUNC_perf_event_read_value, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_perf_prog_read_value, HC(PERF_EVENT) },
	{ BPF_FUNC_getsockopt, HC(SOCK_OPS) | HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) |
	  HC(CGROUP_SOCK_ADDR_SENDMSG) | HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) |
	  HC(CGROUP_SOCKOPT_SET) },
	{ BPF_FUNC_sock_ops_cb_flags_set, HC(SOCK_OPS) },
	{ BPF_FUNC_msg_redirect_map, HC(SK_MSG) },
	{ BPF_FUNC_msg_apply_bytes, HC(SK_MSG) },
	{ BPF_FUNC_msg_cork_bytes, HC(SK_MSG) },
	{ BPF_FUNC_msg_pull_data, HC(SK_MSG) },
	{ BPF_FUNC_bind, HC(CGROUP_SOCK_ADDR_CONNECT) },
	{ BPF_FUNC_xdp_adjust_tail, HC(XDP) },
	{ BPF_FUNC_skb_get_xfrm_state, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_get_stack, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_skb_load_bytes_relative, HC(SOCKET_FILTER) | HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) |
	  HC(SK_REUSEPORT) },
	{ BPF_FUNC_fib_lookup, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) },
	{ BPF_FUNC_sock_hash_update, HC(SOCK_OPS) },
	{ BPF_FUNC_msg_redirect_hash, HC(SK_MSG) },
	{ BPF_FUNC_sk_redirect_hash, HC(SK_SKB) },
	{ BPF_FUNC_lwt_push_encap, HC(LWT_IN) | HC(LWT_XMIT) },
	{ BPF_FUNC_lwt_seg6_store_bytes, HC(LWT_SEG6LOCAL) },
	{ BPF_FUNC_lwt_seg6_adjust_srh, HC(LWT_SEG6LOCAL) },
	{ BPF_FUNC_lwt_seg6_action, HC(LWT_SEG6LOCAL) },
	{ BPF_FUNC_skb_cgroup_id, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) },
	{ BPF_FUNC_get_current_cgroup_id, HC_ALL & ~(HC(SOCKET_FILTER) | HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) |
	  HC(CGROUP_SKB) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) | HC(SOCK_OPS) | HC(SK_SKB) | HC(LWT_SEG6LOCAL) |
	  HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR) | HC(SK_LOOKUP)) },
	{ BPF_FUNC_get_local_storage, HC(CGROUP_SKB) | HC(CGROUP_SOCK) | HC(SOCK_OPS) | HC(CGROUP_DEVICE) |
	  HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) |
	  HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) | HC(CGROUP_SYSCTL) | HC(CGROUP_SOCKOPT_GET) |
	  HC(CGROUP_SOCKOPT_SET) },
	{ BPF_FUNC_sk_select_reuseport, HC(SK_REUSEPORT) },
	{ BPF_FUNC_skb_ancestor_cgroup_id, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) },
	{ BPF_FUNC_sk_lookup_tcp, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) | HC(CGROUP_SKB) | HC(SK_SKB) |
	  HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) |
	  HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) },
	{ BPF_FUNC_sk_lookup_udp, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) | HC(CGROUP_SKB) | HC(SK_SKB) |
	  HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) |
	  HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) },
	{ BPF_FUNC_sk_release, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) | HC(CGROUP_SKB) | HC(SK_SKB) |
	  HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) |
	  HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) | HC(SK_LOOKUP) },
	{ BPF_FUNC_map_push_elem, HC_ALL },
	{ BPF_FUNC_map_pop_elem, HC_ALL },
	{ BPF_FUNC_map_peek_elem, HC_ALL },
	{ BPF_FUNC_msg_push_data, HC(SK_MSG) },
	{ BPF_FUNC_msg_pop_data, HC(SK_MSG) },
	{ BPF_FUNC_spin_lock, HC_ALL },
	{ BPF_FUNC_spin_unlock, HC_ALL },
	{ BPF_FUNC_sk_fullsock, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) },
	{ BPF_FUNC_tcp_sock, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) | HC(SOCK_OPS) | HC(CGROUP_SOCKOPT_GET) |
	  HC(CGROUP_SOCKOPT_SET) },
	{ BPF_FUNC_skb_ecn_set_ce, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) },
	{ BPF_FUNC_get_listener_sock, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) },
	{ BPF_FUNC_skc_lookup_tcp, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) | HC(CGROUP_SKB) | HC(SK_SKB) |
	  HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) |
	  HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) },
	{ BPF_FUNC_tcp_check_syncookie, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) },
	{ BPF_FUNC_sysctl_get_name, HC(CGROUP_SYSCTL) },
	{ BPF_FUNC_sysctl_get_current_value, HC(CGROUP_SYSCTL) },
	{ BPF_FUNC_sysctl_get_new_value, HC(CGROUP_SYSCTL) },
	{ BPF_FUNC_sysctl_set_new_value, HC(CGROUP_SYSCTL) },
	{ BPF_FUNC_strtol, HC_ALL },
	{ BPF_FUNC_strtoul, HC_ALL },
	{ BPF_FUNC_sk_storage_get, HC_ALL & ~(HC(SOCKET_FILTER) | HC(KPROBE) | HC(TRACEPOINT) | HC(XDP) |
	  HC(PERF_EVENT) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) | HC(SK_SKB) | HC(CGROUP_DEVICE) |
	  HC(RAW_TRACEPOINT) | HC(LWT_SEG6LOCAL) | HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR) | HC(CGROUP_SYSCTL) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(SK_LOOKUP)) },
	{ BPF_FUNC_sk_storage_delete, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(CGROUP_SKB) | HC(SOCK_OPS) | HC(SK_MSG) |
	  HC(CGROUP_SOCK_ADDR_BIND) | HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) |
	  HC(CGROUP_SOCK_ADDR_RECVMSG) | HC(CGROUP_SOCK_ADDR_GETNAME) | HC(CGROUP_SOCKOPT_GET) |
	  HC(CGROUP_SOCKOPT_SET) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_send_signal, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_tcp_gen_syncookie, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) },
	{ BPF_FUNC_skb_output, HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) | HC(SYSCALL) },
	{ BPF_FUNC_probe_read_user, HC_ALL },
	{ BPF_FUNC_probe_read_kernel, HC_ALL },
	{ BPF_FUNC_probe_read_user_str, HC_ALL },
	{ BPF_FUNC_probe_read_kernel_str, HC_ALL },
	{ BPF_FUNC_send_signal_thread, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_jiffies64, HC_ALL },
	{ BPF_FUNC_read_branch_records, HC(PERF_EVENT) },
	{ BPF_FUNC_get_ns_current_pid_tgid, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_xdp_output, HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) | HC(SYSCALL) },
	{ BPF_FUNC_get_netns_cookie, HC(CGROUP_SOCK) | HC(SOCK_OPS) | HC(SK_MSG) | HC(CGROUP_SOCK_ADDR_BIND) |
	  HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) | HC(CGROUP_SOCK_ADDR_RECVMSG) |
	  HC(CGROUP_SOCK_ADDR_GETNAME) | HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET) },
	{ BPF_FUNC_get_current_ancestor_cgroup_id, HC_ALL & ~(HC(SOCKET_FILTER) | HC(SCHED_CLS) | HC(SCHED_ACT) |
	  HC(XDP) | HC(CGROUP_SKB) | HC(LWT_IN) | HC(LWT_OUT) | HC(LWT_XMIT) | HC(SOCK_OPS) | HC(SK_SKB) |
	  HC(LWT_SEG6LOCAL) | HC(SK_REUSEPORT) | HC(FLOW_DISSECTOR) | HC(SK_LOOKUP)) },
	{ BPF_FUNC_sk_assign, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(SK_LOOKUP) },
	{ BPF_FUNC_ktime_get_boot_ns, HC_ALL },
	{ BPF_FUNC_seq_printf, HC(TRACING_ITER) },
	{ BPF_FUNC_seq_write, HC(TRACING_ITER) },
	{ BPF_FUNC_sk_cgroup_id, HC(CGROUP_SKB) },
	{ BPF_FUNC_sk_ancestor_cgroup_id, HC(CGROUP_SKB) },
	{ BPF_FUNC_ringbuf_output, HC_ALL },
	{ BPF_FUNC_ringbuf_reserve, HC_ALL },
	{ BPF_FUNC_ringbuf_submit, HC_ALL },
	{ BPF_FUNC_ringbuf_discard, HC_ALL },
	{ BPF_FUNC_ringbuf_query, HC_ALL },
	{ BPF_FUNC_csum_level, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(LWT_XMIT) },
	{ BPF_FUNC_skc_to_tcp6_sock, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(CGROUP_SOCK) |
	  HC(CGROUP_DEVICE) | HC(RAW_TRACEPOINT) | HC(SK_REUSEPORT) | HC(CGROUP_SYSCTL) | HC(RAW_TRACEPOINT_WRITABLE) |
	  HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET)) },
	{ BPF_FUNC_skc_to_tcp_sock, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(CGROUP_SOCK) |
	  HC(CGROUP_DEVICE) | HC(RAW_TRACEPOINT) | HC(SK_REUSEPORT) | HC(CGROUP_SYSCTL) | HC(RAW_TRACEPOINT_WRITABLE) |
	  HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET)) },
	{ BPF_FUNC_skc_to_tcp_timewait_sock, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) |
	  HC(CGROUP_SOCK) | HC(CGROUP_DEVICE) | HC(RAW_TRACEPOINT) | HC(SK_REUSEPORT) | HC(CGROUP_SYSCTL) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET)) },
	{ BPF_FUNC_skc_to_tcp_request_sock, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(CGROUP_SOCK) |
	  HC(CGROUP_DEVICE) | HC(RAW_TRACEPOINT) | HC(SK_REUSEPORT) | HC(CGROUP_SYSCTL) | HC(RAW_TRACEPOINT_WRITABLE) |
	  HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET)) },
	{ BPF_FUNC_skc_to_udp6_sock, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(CGROUP_SOCK) |
	  HC(CGROUP_DEVICE) | HC(RAW_TRACEPOINT) | HC(SK_REUSEPORT) | HC(CGROUP_SYSCTL) | HC(RAW_TRACEPOINT_WRITABLE) |
	  HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET)) },
	{ BPF_FUNC_get_task_stack, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_load_hdr_opt, HC(SOCK_OPS) },
	{ BPF_FUNC_store_hdr_opt, HC(SOCK_OPS) },
	{ BPF_FUNC_reserve_hdr_opt, HC(SOCK_OPS) },
	{ BPF_FUNC_inode_storage_get, HC(LSM) },
	{ BPF_FUNC_inode_storage_delete, HC(LSM) },
	{ BPF_FUNC_d_path, HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) | HC(SYSCALL) },
	{ BPF_FUNC_copy_from_user, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_snprintf_btf, HC_ALL },
	{ BPF_FUNC_seq_printf_btf, HC(TRACING_ITER) },
	{ BPF_FUNC_skb_cgroup_classid, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_redirect_neigh, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_per_cpu_ptr, HC_ALL },
	{ BPF_FUNC_this_cpu_ptr, HC_ALL },
	{ BPF_FUNC_redirect_peer, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_task_storage_get, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_task_storage_delete, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_get_current_task_btf, HC_ALL },
	{ BPF_FUNC_bprm_opts_set, HC(LSM) },
	{ BPF_FUNC_ktime_get_coarse_ns, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(CGROUP_DEVICE) |
	  HC(RAW_TRACEPOINT) | HC(RAW_TRACEPOINT_WRITABLE) | HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET) |
	  HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) | HC(SYSCALL)) },
	{ BPF_FUNC_ima_inode_hash, HC(LSM) },
	{ BPF_FUNC_sock_from_file, HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_check_mtu, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) },
	{ BPF_FUNC_for_each_map_elem, HC_ALL },
	{ BPF_FUNC_snprintf, HC_ALL },
	{ BPF_FUNC_sys_bpf, HC(SYSCALL) },
	{ BPF_FUNC_btf_find_by_name_kind, HC(SYSCALL) },
	{ BPF_FUNC_sys_close, HC(SYSCALL) },
	{ BPF_FUNC_timer_init, HC_ALL },
	{ BPF_FUNC_timer_set_callback, HC_ALL },
	{ BPF_FUNC_timer_start, HC_ALL },
	{ BPF_FUNC_timer_cancel, HC_ALL },
	{ BPF_FUNC_get_func_ip, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_get_attach_cookie, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(TRACING_FENTRY) | HC(LSM) },
	{ BPF_FUNC_task_pt_regs, HC_ALL },
	{ BPF_FUNC_get_branch_snapshot, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_trace_vprintk, HC_ALL },
	{ BPF_FUNC_skc_to_unix_sock, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(CGROUP_SOCK) |
	  HC(CGROUP_DEVICE) | HC(RAW_TRACEPOINT) | HC(SK_REUSEPORT) | HC(CGROUP_SYSCTL) | HC(RAW_TRACEPOINT_WRITABLE) |
	  HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET)) },
	{ BPF_FUNC_kallsyms_lookup_name, HC(SYSCALL) },
	{ BPF_FUNC_find_vma, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_loop, HC_ALL },
	{ BPF_FUNC_strncmp, HC_ALL },
	{ BPF_FUNC_get_func_arg, HC(TRACING_FENTRY) | HC(LSM) },
	{ BPF_FUNC_get_func_ret, HC(TRACING_FENTRY) | HC(LSM) },
	{ BPF_FUNC_get_func_arg_cnt, HC(TRACING_FENTRY) | HC(LSM) },
	{ BPF_FUNC_get_retval, HC(CGROUP_SOCK) | HC(CGROUP_DEVICE) | HC(CGROUP_SOCK_ADDR_BIND) |
	  HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) | HC(CGROUP_SYSCTL) | HC(CGROUP_SOCKOPT_GET) |
	  HC(CGROUP_SOCKOPT_SET) },
	{ BPF_FUNC_set_retval, HC(CGROUP_SOCK) | HC(CGROUP_DEVICE) | HC(CGROUP_SOCK_ADDR_BIND) |
	  HC(CGROUP_SOCK_ADDR_CONNECT) | HC(CGROUP_SOCK_ADDR_SENDMSG) | HC(CGROUP_SYSCTL) | HC(CGROUP_SOCKOPT_GET) |
	  HC(CGROUP_SOCKOPT_SET) },
	{ BPF_FUNC_xdp_get_buff_len, HC(XDP) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_xdp_load_bytes, HC(XDP) },
	{ BPF_FUNC_xdp_store_bytes, HC(XDP) },
	{ BPF_FUNC_copy_from_user_task, HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(RAW_TRACEPOINT) |
	  HC(RAW_TRACEPOINT_WRITABLE) | HC(TRACING_FENTRY) | HC(TRACING_TP_BTF) | HC(TRACING_ITER) | HC(LSM) |
	  HC(SYSCALL) },
	{ BPF_FUNC_skb_set_tstamp, HC(SCHED_CLS) | HC(SCHED_ACT) },
	{ BPF_FUNC_ima_file_hash, HC(LSM) },
	{ BPF_FUNC_kptr_xchg, HC_ALL },
	{ BPF_FUNC_map_lookup_percpu_elem, HC_ALL },
	{ BPF_FUNC_skc_to_mptcp_sock, HC_ALL & ~(HC(KPROBE) | HC(TRACEPOINT) | HC(PERF_EVENT) | HC(CGROUP_SOCK) |
	  HC(CGROUP_DEVICE) | HC(RAW_TRACEPOINT) | HC(SK_REUSEPORT) | HC(CGROUP_SYSCTL) | HC(RAW_TRACEPOINT_WRITABLE) |
	  HC(CGROUP_SOCKOPT_GET) | HC(CGROUP_SOCKOPT_SET)) },
	{ BPF_FUNC_dynptr_from_mem, HC_ALL },
	{ BPF_FUNC_ringbuf_reserve_dynptr, HC_ALL },
	{ BPF_FUNC_ringbuf_submit_dynptr, HC_ALL },
	{ BPF_FUNC_ringbuf_discard_dynptr, HC_ALL },
	{ BPF_FUNC_dynptr_read, HC_ALL },
	{ BPF_FUNC_dynptr_write, HC_ALL },
	{ BPF_FUNC_dynptr_data, HC_ALL },
	{ BPF_FUNC_tcp_raw_gen_syncookie_ipv4, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) },
	{ BPF_FUNC_tcp_raw_gen_syncookie_ipv6, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) },
	{ BPF_FUNC_tcp_raw_check_syncookie_ipv4, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) },
	{ BPF_FUNC_tcp_raw_check_syncookie_ipv6, HC(SCHED_CLS) | HC(SCHED_ACT) | HC(XDP) },
	{ BPF_FUNC_ktime_get_tai_ns, HC_ALL },
	{ BPF_FUNC_user_ringbuf_drain, HC_ALL },
};

const char *helper_context_name(int ctx)
{
	return ctx >= 0 && ctx < HC_CNT ? ctx_names[ctx] : "none";
}

static int sock_addr_context(uint32_t attach_type)
{
	switch (attach_type) {
	case BPF_CGROUP_INET4_BIND:
	case BPF_CGROUP_INET6_BIND:
		return HC_CGROUP_SOCK_ADDR_BIND;
	case BPF_CGROUP_INET4_CONNECT:
	case BPF_CGROUP_INET6_CONNECT:
		return HC_CGROUP_SOCK_ADDR_CONNECT;
	case BPF_CGROUP_UDP4_SENDMSG:
	case BPF_CGROUP_UDP6_SENDMSG:
		return HC_CGROUP_SOCK_ADDR_SENDMSG;
	case BPF_CGROUP_UDP4_RECVMSG:
	case BPF_CGROUP_UDP6_RECVMSG:
		return HC_CGROUP_SOCK_ADDR_RECVMSG;
	case BPF_CGROUP_INET4_GETPEERNAME:
	case BPF_CGROUP_INET6_GETPEERNAME:
	case BPF_CGROUP_INET4_GETSOCKNAME:
	case BPF_CGROUP_INET6_GETSOCKNAME:
		return HC_CGROUP_SOCK_ADDR_GETNAME;
	default:
		return -1;
	}
}

/* The program type of each context. */
static const uint32_t ctx_prog_types[HC_CNT] = {
	[HC_SOCKET_FILTER] = BPF_PROG_TYPE_SOCKET_FILTER,
	[HC_KPROBE] = BPF_PROG_TYPE_KPROBE,
	[HC_SCHED_CLS] = BPF_PROG_TYPE_SCHED_CLS,
	[HC_SCHED_ACT] = BPF_PROG_TYPE_SCHED_ACT,
	[HC_TRACEPOINT] = BPF_PROG_TYPE_TRACEPOINT,
	[HC_XDP] = BPF_PROG_TYPE_XDP,
	[HC_PERF_EVENT] = BPF_PROG_TYPE_PERF_EVENT,
	[HC_CGROUP_SKB] = BPF_PROG_TYPE_CGROUP_SKB,
	[HC_CGROUP_SOCK] = BPF_PROG_TYPE_CGROUP_SOCK,
	[HC_LWT_IN] = BPF_PROG_TYPE_LWT_IN,
	[HC_LWT_OUT] = BPF_PROG_TYPE_LWT_OUT,
	[HC_LWT_XMIT] = BPF_PROG_TYPE_LWT_XMIT,
	[HC_SOCK_OPS] = BPF_PROG_TYPE_SOCK_OPS,
	[HC_SK_SKB] = BPF_PROG_TYPE_SK_SKB,
	[HC_CGROUP_DEVICE] = BPF_PROG_TYPE_CGROUP_DEVICE,
	[HC_SK_MSG] = BPF_PROG_TYPE_SK_MSG,
	[HC_RAW_TRACEPOINT] = BPF_PROG_TYPE_RAW_TRACEPOINT,
	[HC_CGROUP_SOCK_ADDR_BIND] = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	[HC_CGROUP_SOCK_ADDR_CONNECT] = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	[HC_CGROUP_SOCK_ADDR_SENDMSG] = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	[HC_CGROUP_SOCK_ADDR_RECVMSG] = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	[HC_CGROUP_SOCK_ADDR_GETNAME] = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	[HC_LWT_SEG6LOCAL] = BPF_PROG_TYPE_LWT_SEG6LOCAL,
	[HC_SK_REUSEPORT] = BPF_PROG_TYPE_SK_REUSEPORT,
	[HC_FLOW_DISSECTOR] = BPF_PROG_TYPE_FLOW_DISSECTOR,
	[HC_CGROUP_SYSCTL] = BPF_PROG_TYPE_CGROUP_SYSCTL,
	[HC_RAW_TRACEPOINT_WRITABLE] = BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
	[HC_CGROUP_SOCKOPT_GET] = BPF_PROG_TYPE_CGROUP_SOCKOPT,
	[HC_CGROUP_SOCKOPT_SET] = BPF_PROG_TYPE_CGROUP_SOCKOPT,
	[HC_TRACING_FENTRY] = BPF_PROG_TYPE_TRACING,
	[HC_TRACING_TP_BTF] = BPF_PROG_TYPE_TRACING,
	[HC_TRACING_ITER] = BPF_PROG_TYPE_TRACING,
	[HC_LSM] = BPF_PROG_TYPE_LSM,
	[HC_SK_LOOKUP] = BPF_PROG_TYPE_SK_LOOKUP,
	[HC_SYSCALL] = BPF_PROG_TYPE_SYSCALL,
};

int helper_context(uint32_t prog_type, uint32_t attach_type)
{
	switch (prog_type) {
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
		return sock_addr_context(attach_type);
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
		return attach_type == BPF_CGROUP_SETSOCKOPT ? HC_CGROUP_SOCKOPT_SET : HC_CGROUP_SOCKOPT_GET;
	case BPF_PROG_TYPE_TRACING:
		/* fentry, fexit and fmod_ret run from a trampoline; a program
		 * without a known attach type is taken for one */
		if (attach_type == BPF_TRACE_RAW_TP)
			return HC_TRACING_TP_BTF;
		return attach_type == BPF_TRACE_ITER ? HC_TRACING_ITER : HC_TRACING_FENTRY;
	default:
		for (int c = 0; prog_type != BPF_PROG_TYPE_UNSPEC && c < HC_CNT; c++)
			if (ctx_prog_types[c] == prog_type)
				return c;
		return -1;
	}
}

uint32_t helper_only_prog_type(int32_t id)
{
	uint64_t contexts = helper_kernel_contexts(id);
	uint32_t type = BPF_PROG_TYPE_UNSPEC;

	for (int c = 0; c < HC_CNT; c++) {
		uint32_t t = ctx_prog_types[c] == BPF_PROG_TYPE_SCHED_ACT ? BPF_PROG_TYPE_SCHED_CLS : ctx_prog_types[c];

		if (!(contexts & (UINT64_C(1) << c)))
			continue;
		if (type != BPF_PROG_TYPE_UNSPEC && type != t)
			return BPF_PROG_TYPE_UNSPEC;
		type = t;
	}
	return type;
}

uint64_t helper_kernel_contexts(int32_t id)
{
	for (size_t i = 0; i < sizeof(kernel_rows) / sizeof(kernel_rows[0]); i++)
		if (kernel_rows[i].id == id)
			return kernel_rows[i].contexts;
	return 0;
}

int helper_resolve(int32_t id, int ctx, const struct helper_module **mod, size_t *row)
{
	uint64_t want = ctx >= 0 ? UINT64_C(1) << ctx : HC_ALL;

	if (ctx >= 0 && !(helper_kernel_contexts(id) & want))
		return -EACCES;
	for (size_t m = 0; m < helper_module_cnt; m++)
		for (size_t i = 0; i < helper_modules[m]->cnt; i++)
			if (helper_modules[m]->helpers[i].id == id && (helper_modules[m]->helpers[i].contexts & want)) {
				*mod = helper_modules[m];
				*row = i;
				return 0;
			}
	return -EOPNOTSUPP;
}
