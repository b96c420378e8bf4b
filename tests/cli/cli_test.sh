#!/bin/bash
# End-to-end tests of the mhse command line: real runs of a compiled test
# program with packets, context and map files, and the errors bad input gets.
# Usage: cli_test.sh MHSE FIREWALL_OBJ SOURCE_ROOT DEVMAP_KEYS_OBJ
set -u
mhse=$1 fw=$2 root=$3 devmap_keys=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() { # name, then a command that must succeed
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name"
	fi
}

# runs mhse, keeping stdout, stderr and the exit code
run() {
	"$mhse" "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}
rc_is() { [ "$(cat "$tmp/rc")" = "$1" ] || { echo "  exit $(cat "$tmp/rc"), wanted $1; stderr: $(cat "$tmp/err")"; false; }; }
out_has() { grep -q -- "$1" "$tmp/out" || { echo "  stdout lacks '$1':"; cat "$tmp/out"; false; }; }
err_is_one_line_with() {
	[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q -- "$1" "$tmp/err" || { echo "  stderr is not one line naming '$1':"; cat "$tmp/err"; false; }
}

syn=$root/examples/tcp-syn.hex

# A SYN to port 80 with no policy: the default (allow) passes it and the
# per-CPU verdict counter of XDP_PASS counts one packet of 54 bytes.
run run "$fw" --packet "$syn"
check "syn passes" rc_is 0
check "syn return" out_has "return 2 (0x2) XDP_PASS"
check "syn packet" out_has "packet unchanged (54 bytes)"
check "syn counter" out_has "map verdicts \[02000000\] 00000000000000000000000000000000 -> 01000000000000003600000000000000"

# A port policy that drops TCP port 80 (key: proto 6, pad, port in network order).
cat >"$tmp/maps.yaml" <<'M'
port_policy:
  - { key: "06 00 0050", value: 2 }
M
run run "$fw" --packet "$syn" --maps "$tmp/maps.yaml"
check "policy drop" out_has "return 1 (0x1) XDP_DROP"

# A deny rule for 10.0.0.0/24 matches the source 10.0.0.1 by longest prefix and
# records its rule number in .bss.
cat >"$tmp/deny.json" <<'M'
{ "deny_v4": [ { "key": "18000000 0a000000", "value": 7 } ] }
M
run run "$fw" --packet "$syn" --maps "$tmp/deny.json"
check "lpm deny" out_has "return 1 (0x1) XDP_DROP"
check "lpm rule recorded" out_has "map .bss \[00000000\] 00000000 -> 07000000"

# A /32 rule for another host does not match.
cat >"$tmp/deny2.yaml" <<'M'
deny_v4:
  - { key: "20000000 0a000009", value: 7 }
M
run run "$fw" --packet "$syn" --maps "$tmp/deny2.yaml"
check "lpm no match" out_has "XDP_PASS"

# A packet cut inside the TCP header aborts.
grep -v '^#' "$syn" | tr -d ' \n' | head -c 80 >"$tmp/short.hex" # 40 bytes: the TCP header is cut
run run "$fw" --packet "$tmp/short.hex"
check "short packet" out_has "XDP_ABORTED"

# The same packet as pcap.
python3 - "$syn" "$tmp/syn.pcap" <<'P'
import struct, sys
data = bytes.fromhex("".join(l.split("#")[0] for l in open(sys.argv[1])))
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 0, 0, len(data), len(data)) + data)
P
run run "$fw" --packet "$tmp/syn.pcap"
check "pcap" out_has "XDP_PASS"

# info, JSON and disassembly with source lines
run info -j "$fw"
check "info json" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["programs"][0]["name"]=="xdp_firewall" and any(m["name"]=="deny_v4" for m in d["maps"])' "$tmp/out"
run disasm "$fw"
check "disasm source" out_has "bpf_map_lookup_elem(&deny_v4, &key)"

# Bad input: one line naming the file, and the documented exit code.
echo "not an object" >"$tmp/bad.o"
run info "$tmp/bad.o"
check "not elf exit" rc_is 3
check "not elf message" err_is_one_line_with "$tmp/bad.o"
run info "$devmap_keys"
check "device map keys exit" rc_is 3
check "device map keys message" err_is_one_line_with "$devmap_keys: map 'ports' is keyed by a u32 but has 8-byte keys"
run run "$fw" --hook nosuchhook --packet "$syn"
check "unknown hook" rc_is 3
check "unknown hook message" err_is_one_line_with "$fw: program xdp_firewall: unknown hook 'nosuchhook'"
cat >"$tmp/bad.yaml" <<'S'
name: broken
context:
  size: 8
  fields:
    - { name: a, offset: 0, size: 4, access: read }
    - { name: b, offset: 2, size: 4, access: read }
S
run run "$fw" --hook "$tmp/bad.yaml" --packet "$syn"
check "malformed spec" err_is_one_line_with "bad.yaml:6: field b overlaps field a"
# More malformed specs: each names the file, the line and the problem.
bad_spec() { # name, expected message, spec text
	printf '%s\n' "$3" >"$tmp/$1.yaml"
	run run "$fw" --hook "$tmp/$1.yaml" --packet "$syn"
	check "spec $1 exit" rc_is 3
	check "spec $1 message" err_is_one_line_with "$2"
}
bad_spec missing "missing.yaml:4: field a: missing 'size'" 'name: missing
context:
  size: 8
  fields: [ { name: a, offset: 0, access: read } ]'
bad_spec module "module.yaml:2: unknown module 'nosuch'" 'name: module
module: nosuch'
bad_spec helpers "helpers.yaml:3: a spec lists no helpers: its prog_type says which it may call" 'name: helpers
helpers:
  core: [map_lookup_elem]'
bad_spec range "range.yaml:4: bad range: min 9 is above max 2" 'name: range
context:
  size: 8
  fields: [ { name: a, offset: 0, size: 4, access: read, range: [9, 2] } ]'

# A spec outside specs/, written here, adds a hook mhse explores: the XDP
# context under another name, whose first byte decides the verdict.
sed -e 's/^name: xdp/name: my_xdp/' "$root/specs/xdp.yaml" >"$tmp/my_xdp.yaml"
run --hook "$tmp/my_xdp.yaml" --max-paths 50 --out "$tmp/my" "$fw"
check "own spec explores" rc_is 0
check "own spec summary" out_has "xdp_firewall  *my_xdp"
check "own spec tests" test -s "$tmp/my/test-000001.json"
check "own spec self-check" python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["hook"]=="my_xdp" and s["paths"]>10 and s["self_check_mismatches"]==0' "$tmp/my/stats.json"

# A program nothing in the object places (an iproute2 section "prog", an
# untyped context, no helper of one type): mhse names it, says what each rule
# found and lists the hooks; --hooks FILE places it.
cat >"$tmp/odd.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("prog") int odd_prog(void *ctx)
{
	return ((struct xdp_md *)ctx)->ingress_ifindex == 7 ? XDP_DROP : XDP_PASS;
}
char _license[] SEC("license") = "GPL";
C
clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$tmp/odd.bpf.c" -o "$tmp/odd.o"
run --out "$tmp/odd" "$tmp/odd.o"
check "unplaced program" rc_is 2
check "unplaced program message" err_is_one_line_with "program odd_prog: no rule places it: section 'prog'.*points to no struct.*known hooks:.* tc .*xdp"
echo "odd_prog: xdp" >"$tmp/hooks.yaml"
run --hooks "$tmp/hooks.yaml" --out "$tmp/odd" "$tmp/odd.o"
check "hooks file" rc_is 0
check "hooks file paths" out_has "odd_prog  *xdp  *consistent  *2 "

# Programs of a type mhse has no spec for: under --all, each error line names
# its program. A '?' before a section name (libbpf: not loaded unless asked)
# does not hide the type.
cat >"$tmp/nospec.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("?lwt_in") int first(void *ctx) { return 0; }
SEC("lwt_in") int second(void *ctx) { return 0; }
char _license[] SEC("license") = "GPL";
C
clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$tmp/nospec.bpf.c" -o "$tmp/nospec.o"
run --all --out "$tmp/nospec" "$tmp/nospec.o"
check "no spec exit" rc_is 3
check "no spec names each program" python3 -c 'import sys; l=open(sys.argv[1]).read().splitlines(); sys.exit(not (len(l)==2 and all(": program %s: unknown hook '"'"'lwt_in'"'"'" % p in x for p, x in zip(("first","second"), l))))' "$tmp/err"

# Options naming what the object lacks are usage errors, said in one line, in
# every command; a malformed --maps file is bad input before any run starts.
for cmd in explore run info disasm replay; do
	dir=; [ $cmd = replay ] && dir=$tmp
	run $cmd --const NOSUCH=1 "$fw" $dir
	check "$cmd unknown const exit" rc_is 2
	check "$cmd unknown const message" err_is_one_line_with "$fw: --const NOSUCH=1: no such extern"
	run $cmd --map-size nosuch=4 "$fw" $dir
	check "$cmd unknown map size exit" rc_is 2
	check "$cmd unknown map size message" err_is_one_line_with "$fw: --map-size nosuch=4: no such map"
done
printf 'port_policy: [ { key: "06 00 0050", value: 2 }\n' >"$tmp/unclosed.yaml"
printf 'nosuch:\n  - { key: 1, value: 2 }\n' >"$tmp/nomap.yaml"
printf 'port_policy:\n  - { key: "zz", value: 2 }\n' >"$tmp/badkey.yaml"
for f in unclosed:2 nomap:1 badkey:2; do
	run --policy concrete --maps "$tmp/${f%:*}.yaml" --max-paths 5 --out "$tmp/maps-out" "$fw"
	check "explore --maps ${f%:*} exit" rc_is 3
	check "explore --maps ${f%:*} message" err_is_one_line_with "${f%:*}.yaml:${f#*:}: "
	run --all --maps "$tmp/${f%:*}.yaml" --max-paths 5 --out "$tmp/maps-out" "$fw"
	check "explore --all --maps ${f%:*} exit" rc_is 3
done

# Instructions the kernel would not load (an invalid sign-extension width, a
# 32-bit shift by 40) are bad input, named at their program and instruction,
# never explored or run: each program of --all says why, and the others run.
cat >"$tmp/badinsn.s" <<'S'
	.section	xdp,"ax",@progbits
	.globl	movsx
	.type	movsx,@function
movsx:
	r0 = 0
	.quad	0x00000000650062bf
	exit
	.globl	shift
	.type	shift,@function
shift:
	r0 = 0
	.quad	0x0000002800000274
	exit
	.globl	fine
	.type	fine,@function
fine:
	r0 = 2
	exit
	.section	license,"aw",@progbits
	.asciz	"GPL"
S
clang -target bpf -c "$tmp/badinsn.s" -o "$tmp/badinsn.o"
run --all --max-paths 5 --out "$tmp/badinsn" "$tmp/badinsn.o"
check "rejected insns exit" rc_is 3
check "rejected insns each named" python3 -c 'import sys; l=open(sys.argv[1]).read().splitlines(); sys.exit(not (len(l)==2 and "program movsx: insn 1: invalid sign-extension width 25856" in l[0] and "program shift: insn 1: invalid shift by 40 (must be 0..31)" in l[1]))' "$tmp/err"
check "rejected insns leave the others" out_has "fine  *xdp  *consistent  *1 "
run run "$tmp/badinsn.o" --prog shift --packet "$syn"
check "rejected insn run exit" rc_is 3
check "rejected insn run message" err_is_one_line_with "badinsn.o: program shift: insn 1: invalid shift by 40"

run run "$fw" --packet "$syn" --ctx nosuchfield=1
check "bad ctx field" rc_is 2
for bad in 0 5000000000 1ms; do
	run --max-query-time $bad --out "$tmp/query-time" "$fw"
	check "--max-query-time $bad exit" rc_is 2
	check "--max-query-time $bad message" err_is_one_line_with "--max-query-time"
done
for bad in 0 5000000000 1MB; do
	run --term-memory $bad --out "$tmp/term-memory" "$fw"
	check "--term-memory $bad exit" rc_is 2
	check "--term-memory $bad message" err_is_one_line_with "--term-memory"
done
run frobnicate "$fw"
check "unknown command" rc_is 2

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
