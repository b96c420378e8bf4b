/* SPDX-License-Identifier: MIT */
/*
 * The tracing helpers (kprobe, tracepoint, raw tracepoint, tracing, and the
 * probe reads bpf_base_func_proto gives every type): HELPER(name, contexts,
 * concrete, symbolic); see core/helpers.h.
 */
HELPER(probe_read, HC_ALL, helper_probe_read, sym_probe_read)
HELPER(probe_read_str, HC_ALL, helper_probe_read_str, sym_probe_read_str)
HELPER(probe_read_kernel, HC_ALL, helper_probe_read_kernel, sym_probe_read_kernel)
HELPER(probe_read_kernel_str, HC_ALL, helper_probe_read_kernel_str, sym_probe_read_kernel_str)
HELPER(probe_read_user, HC_ALL, helper_probe_read_user, sym_probe_read_user)
HELPER(probe_read_user_str, HC_ALL, helper_probe_read_user_str, sym_probe_read_user_str)
HELPER(copy_from_user_task, HC_ALL, helper_copy_from_user_task, sym_copy_from_user_task)
HELPER(get_current_comm, HC_ALL, helper_get_current_comm, sym_get_current_comm)
HELPER(get_current_task, HC_ALL, helper_get_current_task, sym_get_current_task)
HELPER(get_current_task_btf, HC_ALL, helper_get_current_task, sym_get_current_task)
HELPER(get_stackid, HC_ALL, helper_get_stackid, sym_get_stackid)
HELPER(send_signal, HC_ALL, helper_send_signal, sym_send_signal)
HELPER(send_signal_thread, HC_ALL, helper_send_signal, sym_send_signal)
