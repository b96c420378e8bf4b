#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Which helpers each program type may call, read from a kernel source tree.

Evaluates the kernel's *_func_proto functions (net/core/filter.c,
kernel/trace/bpf_trace.c, kernel/bpf/{helpers,cgroup,syscall,bpf_lsm}.c)
for every program context mhse's helper table distinguishes (a program type,
refined by attach type where a func_proto looks at it), as root calls them
(bpf_capable and perfmon_capable hold, the kernel is not locked down), with
every CONFIG_ option on except CONFIG_BPF_KPROBE_OVERRIDE (off in Debian's
kernels). Prints one "context helper" line per allowed pair, sorted:
tests/helpers/func_protos-6.1.txt is its output for Linux 6.1, the list
tests/unit/helper_table_test.c holds core/helper_table.c to.

usage: func_protos.py LINUX_SOURCE_DIR [--c]
(--c prints core/helper_table.c's rows instead)
"""
import re
import sys

FILES = ["net/core/filter.c", "kernel/trace/bpf_trace.c", "kernel/bpf/helpers.c", "kernel/bpf/cgroup.c",
         "kernel/bpf/syscall.c", "kernel/bpf/bpf_lsm.c"]
DISABLED = {"CONFIG_BPF_KPROBE_OVERRIDE"}

# context: (entry function, attach type); names as core/helper_table.h's
CONTEXTS = {
    "socket_filter": ("sk_filter_func_proto", None),
    "kprobe": ("kprobe_prog_func_proto", "BPF_TRACE_KPROBE"),
    "sched_cls": ("tc_cls_act_func_proto", None),
    "sched_act": ("tc_cls_act_func_proto", None),
    "tracepoint": ("tp_prog_func_proto", None),
    "xdp": ("xdp_func_proto", None),
    "perf_event": ("pe_prog_func_proto", None),
    "cgroup_skb": ("cg_skb_func_proto", "BPF_CGROUP_INET_INGRESS"),
    "cgroup_sock": ("sock_filter_func_proto", "BPF_CGROUP_INET_SOCK_CREATE"),
    "lwt_in": ("lwt_in_func_proto", None),
    "lwt_out": ("lwt_out_func_proto", None),
    "lwt_xmit": ("lwt_xmit_func_proto", None),
    "sock_ops": ("sock_ops_func_proto", "BPF_CGROUP_SOCK_OPS"),
    "sk_skb": ("sk_skb_func_proto", None),
    "cgroup_device": ("cgroup_dev_func_proto", "BPF_CGROUP_DEVICE"),
    "sk_msg": ("sk_msg_func_proto", None),
    "raw_tracepoint": ("raw_tp_prog_func_proto", None),
    "cgroup_sock_addr_bind": ("sock_addr_func_proto", "BPF_CGROUP_INET4_BIND"),
    "cgroup_sock_addr_connect": ("sock_addr_func_proto", "BPF_CGROUP_INET4_CONNECT"),
    "cgroup_sock_addr_sendmsg": ("sock_addr_func_proto", "BPF_CGROUP_UDP4_SENDMSG"),
    "cgroup_sock_addr_recvmsg": ("sock_addr_func_proto", "BPF_CGROUP_UDP4_RECVMSG"),
    "cgroup_sock_addr_getname": ("sock_addr_func_proto", "BPF_CGROUP_INET4_GETPEERNAME"),
    "lwt_seg6local": ("lwt_seg6local_func_proto", None),
    "sk_reuseport": ("sk_reuseport_func_proto", None),
    "flow_dissector": ("flow_dissector_func_proto", None),
    "cgroup_sysctl": ("sysctl_func_proto", "BPF_CGROUP_SYSCTL"),
    "raw_tracepoint_writable": ("raw_tp_prog_func_proto", None),
    "cgroup_sockopt_get": ("cg_sockopt_func_proto", "BPF_CGROUP_GETSOCKOPT"),
    "cgroup_sockopt_set": ("cg_sockopt_func_proto", "BPF_CGROUP_SETSOCKOPT"),
    "tracing_fentry": ("tracing_prog_func_proto", "BPF_TRACE_FENTRY"),
    "tracing_tp_btf": ("tracing_prog_func_proto", "BPF_TRACE_RAW_TP"),
    "tracing_iter": ("tracing_prog_func_proto", "BPF_TRACE_ITER"),
    "lsm": ("bpf_lsm_func_proto", "BPF_LSM_MAC"),
    "sk_lookup": ("sk_lookup_func_proto", "BPF_SK_LOOKUP"),
    "syscall": ("syscall_prog_func_proto", None),
}


def preprocess(text):
    out, stack = [], []
    for line in text.split("\n"):
        s = line.strip()
        m = re.match(r"#\s*if(n?def)?\s*(.*)", s)
        if m:
            cond = m.group(2)
            on = not any(d in cond for d in DISABLED)
            if m.group(1) == "ndef":
                on = False
            stack.append(on)
            continue
        if re.match(r"#\s*else", s):
            stack[-1] = not stack[-1]
            continue
        if re.match(r"#\s*endif", s):
            stack.pop()
            continue
        if all(stack):
            out.append(line)
    return "\n".join(out)


def functions(src):
    funcs = {}
    for text in src:
        for m in re.finditer(r"\n(\w+)\(enum bpf_func_id func_id[^)]*\)\n\{\n(.*?)\n\}\n", text, re.S):
            name = m.group(1)
            if name == "tracing_prog_func_proto" and "__weak" in text[max(0, m.start() - 80):m.start()]:
                continue
            funcs[name] = m.group(2)
    return funcs


def has_trampoline(ctx):
    return ctx in ("tracing_fentry", "lsm")


def attach_cases(body):
    """Inner switch on the attach type: (attach types that return a proto, default returns one)."""
    inner = body[body.index("switch (prog->expected_attach_type)"):]
    yes, pending, default_yes = set(), [], False
    for tok in re.finditer(r"case (\w+):|default:|return ([^;]*);", inner):
        if tok.group(1):
            pending.append(tok.group(1))
        elif tok.group(0) == "default:":
            pending.append("default")
        else:
            ok = tok.group(2).strip() != "NULL"
            for p in pending:
                if p == "default":
                    default_yes = ok
                elif ok:
                    yes.add(p)
            pending = []
            if "default" in [p for p in pending]:
                break
    return yes, default_yes


def case_outcome(body, ctx, attach):
    """'yes', 'no', 'break' or ('call', fn) for the code under a case label."""
    b = " ".join(body.split())
    if "switch (prog->expected_attach_type)" in b:
        yes, dflt = attach_cases(body)
        return "yes" if (attach in yes or (attach not in yes and dflt and attach is not None
                                            and attach not in attach_listed(body))) else "no"
    m = re.match(r"return prog->expected_attach_type == (\w+) \? \S+ : NULL;", b)
    if m:
        return "yes" if attach == m.group(1) else "no"
    if re.match(r"return bpf_prog_has_trampoline\(prog\) \?", b):
        return "yes" if has_trampoline(ctx) else "no"
    m = re.match(r"if \(prog->expected_attach_type == (\w+)\) return &\w+; return NULL;", b)
    if m:
        return "yes" if attach == m.group(1) else "no"
    m = re.match(r"if \(prog->expected_attach_type != (\w+)\) return NULL;", b)
    if m:
        return "yes" if attach == m.group(1) else "no"
    if b.startswith("return NULL;"):
        return "no"
    m = re.match(r"return (\w+func_proto)\(func_id(, prog)?\);", b)
    if m:
        return ("call", m.group(1))
    m = re.match(r"fn = (\w+func_proto)\(func_id, prog\);", b)
    if m:  # iterators' own helpers depend on the target: not counted
        return ("call", m.group(1))
    if b.startswith("break;"):
        return "break"
    if b.startswith("return") or b.startswith("func ="):
        return "yes"
    raise ValueError("cannot read case body: " + b[:120])


def attach_listed(body):
    inner = body[body.index("switch (prog->expected_attach_type)"):]
    return set(re.findall(r"case (\w+):", inner))


def split_cases(switch_body):
    """Top-level case groups of a switch body: [(labels, code)]."""
    groups, depth, labels, code, i = [], 0, [], [], 0
    lines = switch_body.split("\n")
    for line in lines:
        s = line.strip()
        m = re.match(r"case (BPF_FUNC_\w+):$", s)
        if depth == 0 and (m or s == "default:"):
            if code and labels:
                groups.append((labels, "\n".join(code)))
                labels, code = [], []
            elif code:
                code = []
            labels.append(m.group(1) if m else "default")
            continue
        depth += s.count("{") - s.count("}")
        code.append(line)
    if labels:
        groups.append((labels, "\n".join(code)))
    return groups


def switches(body):
    """The function as steps: ('pre', fn), ('switch', groups), ('tail', text)."""
    steps, pos = [], 0
    for m in re.finditer(r"switch \(func_id\) \{\n", body):
        head = body[pos:m.start()]
        for pre in re.finditer(r"func_proto = (\w+)\(func_id, prog\);", head):
            cond = head[:pre.start()].rstrip().endswith("{")
            steps.append(("pre", pre.group(1), "BPF_LSM_CGROUP" if cond else None))
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(body[i], 0)
            i += 1
        steps.append(("switch", split_cases(body[m.end():i - 1])))
        pos = i
    steps.append(("tail", body[pos:]))
    return steps


def allowed(funcs, fn, fid, ctx, attach):
    for step in switches(funcs[fn]):
        if step[0] == "pre":
            if step[2] and attach != step[2]:
                continue
            if allowed(funcs, step[1], fid, ctx, attach):
                return True
        elif step[0] == "switch":
            out = None
            for labels, code in step[1]:
                if fid in labels:
                    out = case_outcome(code, ctx, attach)
            if out is None:
                for labels, code in step[1]:
                    if "default" in labels:
                        out = case_outcome(code, ctx, attach)
            if out is None or out == "break":
                continue
            if out == "yes":
                return True
            if out == "no":
                return False
            if out[0] == "call":
                return allowed(funcs, out[1], fid, ctx, attach)
        else:
            tail = " ".join(step[1].split())
            m = re.search(r"return (\w+)\(func_id(, prog)?\);", tail)
            if m:
                return allowed(funcs, m.group(1), fid, ctx, attach)
            m = re.search(r"fn = (\w+)\(func_id, prog\);", tail)
            if m:
                return allowed(funcs, m.group(1), fid, ctx, attach)
            return False
    return False


def main():
    root = sys.argv[1]
    src = [preprocess(open(f"{root}/{f}").read()) for f in FILES]
    funcs = functions(src)
    uapi = open(f"{root}/include/uapi/linux/bpf.h").read()
    mapper = uapi[uapi.index("#define __BPF_FUNC_MAPPER"):]
    ids = re.findall(r"FN\((\w+)\)", mapper[:mapper.index("\n\n")])
    lines, masks = [], {}
    for ctx, (fn, attach) in CONTEXTS.items():
        for name in ids:
            if name != "unspec" and allowed(funcs, fn, "BPF_FUNC_" + name, ctx, attach):
                lines.append(f"{ctx} {name}")
                masks.setdefault(name, []).append(ctx)
    if sys.argv[2:] == ["--c"]:
        for name in ids[1:]:
            ctxs = masks.get(name, [])
            rest = [c for c in CONTEXTS if c not in ctxs]
            if not ctxs:
                continue
            if not rest:
                expr = "HC_ALL"
            elif len(rest) < len(ctxs):
                expr = "HC_ALL & ~(" + " | ".join(f"HC({c.upper()})" for c in rest) + ")"
            else:
                expr = " | ".join(f"HC({c.upper()})" for c in ctxs)
            row, out = f"\t{{ BPF_FUNC_{name}, ", []
            for term in (expr + " },").split(" | "):
                if len(row) + len(term) + 3 > 110:
                    out.append(row.rstrip() + " |")
                    row = "\t  "
                elif not row.endswith(", ") and not row.endswith("\t  "):
                    row += " | "
                row += term
            print("\n".join(out + [row]))
    else:
        print("\n".join(sorted(lines)))


main()
