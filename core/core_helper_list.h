/* SPDX-License-Identifier: MIT */
/*
 * The generic helpers: HELPER(name, contexts, concrete, symbolic) rows,
 * expanded by core/helpers.c (concrete) and core/sym_helpers.c (symbolic);
 * see core/helpers.h. No include guard: included once per expansion.
 */
HELPER(map_lookup_elem, HC_ALL, helper_map_lookup_elem, sym_map_lookup)
HELPER(map_update_elem, HC_ALL, helper_map_update_elem, sym_map_update)
HELPER(map_delete_elem, HC_ALL, helper_map_delete_elem, sym_map_delete)
HELPER(ktime_get_ns, HC_ALL, helper_nondet_u64, sym_ktime_get_ns)
HELPER(ktime_get_boot_ns, HC_ALL, helper_nondet_u64, sym_ktime_get_boot_ns)
HELPER(ktime_get_coarse_ns, HC_ALL, helper_nondet_u64, sym_ktime_get_coarse_ns)
HELPER(jiffies64, HC_ALL, helper_nondet_u64, sym_jiffies64)
HELPER(get_prandom_u32, HC_ALL, helper_nondet_u32, sym_get_prandom_u32)
HELPER(get_smp_processor_id, HC_ALL, helper_nondet_u32, sym_get_smp_processor_id)
HELPER(get_numa_node_id, HC_ALL, helper_nondet_u32, sym_get_numa_node_id)
/* what a real skb's route and socket give, which the test run's has none of */
HELPER(get_route_realm, HC_ALL, helper_nondet_u32, sym_get_route_realm)
HELPER(get_cgroup_classid, HC_ALL, helper_nondet_u32, sym_get_cgroup_classid)
HELPER(get_current_pid_tgid, HC_ALL, helper_nondet_u64, sym_get_current_pid_tgid)
HELPER(get_current_uid_gid, HC_ALL, helper_nondet_u64, sym_get_current_uid_gid)
HELPER(get_current_cgroup_id, HC_ALL, helper_nondet_u64, sym_get_current_cgroup_id)
HELPER(get_func_ip, HC_ALL, helper_nondet_u64, sym_get_func_ip)
HELPER(get_attach_cookie, HC_ALL, helper_nondet_u64, sym_get_attach_cookie)
/* every proto (skb, sock, sock_addr, sock_ops, a BTF socket): the socket's cookie */
HELPER(get_socket_cookie, HC_ALL, helper_nondet_u64, sym_get_socket_cookie)
HELPER(csum_diff, HC_ALL, helper_csum_diff, sym_csum_diff)
HELPER(trace_printk, HC_ALL, helper_trace_printk, sym_trace_printk)
HELPER(perf_event_output, HC_ALL, helper_perf_event_output, sym_perf_event_output)
HELPER(ringbuf_output, HC_ALL, helper_ringbuf_output, sym_ringbuf_output)
HELPER(ringbuf_reserve, HC_ALL, helper_ringbuf_reserve, sym_ringbuf_reserve)
HELPER(ringbuf_submit, HC_ALL, helper_ringbuf_submit, sym_ringbuf_submit)
HELPER(ringbuf_discard, HC_ALL, helper_ringbuf_discard, sym_ringbuf_discard)
HELPER(loop, HC_ALL, helper_loop, sym_loop)
HELPER(spin_lock, HC_ALL, helper_spin_lock, sym_spin_lock)
HELPER(spin_unlock, HC_ALL, helper_spin_unlock, sym_spin_unlock)
