#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the C source of a large BPF object for the loader's timing test:
200 kprobe programs, each calling its own subprogram, with 86 CO-RE field
reads apiece (17,200 CO-RE relocation records) and a map and global data
they share; built with -g it is several megabytes."""
import sys

PROGS = 200
FIELDS = 43

out = ['#include <linux/bpf.h>', '#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_core_read.h>', '',
       'struct task {' + ' '.join(f'int f{i};' for i in range(FIELDS)) + '} __attribute__((preserve_access_index));',
       'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, int); __type(value, long); }'
       ' counts SEC(".maps");',
       'long total;']
for p in range(PROGS):
    out.append(f'static __noinline long helper{p}(struct task *t) {{ long s = 0;')
    out += [f'  s += BPF_CORE_READ(t, f{(i * 7 + p) % FIELDS}) * {i + 1};' for i in range(FIELDS)]
    out.append('  return s; }')
    out.append(f'SEC("kprobe/fn{p}") int prog{p}(struct task *t) {{ long s = helper{p}(t); int k = {p};')
    out += [f'  if (BPF_CORE_READ(t, f{(i * 3 + p) % FIELDS}) > {i}) s ^= {i};' for i in range(FIELDS)]
    out.append('  bpf_map_update_elem(&counts, &k, &s, 0); total += s; return 0; }')
out.append('char _license[] SEC("license") = "GPL";')
with open(sys.argv[1], 'w') as f:
    f.write('\n'.join(out) + '\n')
