#!/bin/bash
# Hook placement by every rule (place_rules.bpf.c, and asm_entry.bpf.s for
# an iproute2 tail-call section no program array holds): mhse info -j gives
# each program its hook and rule, the text form says the rule, and exploring
# the unplaced program names it and what each rule found, in one line, exit 2.
# Usage: place_rules.sh MHSE OBJECT ASM_OBJECT
set -u
mhse=$1 obj=$2 asm_obj=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mhse" info -j "$obj" >"$tmp/info.json" || { echo "FAIL: mhse info -j"; exit 1; }
python3 - "$tmp/info.json" <<'PY' || exit 1
import json, sys
want = {
    "by_btf": ("cgroup_sock_addr", "btf", "struct bpf_sock_addr *"),
    "by_btf_skb": ("tc", "btf", "struct __sk_buff *"),
    "by_prefix": ("xdp", "section-prefix", "'xdp'"),
    "tc_prefix": ("tc", "section-prefix", "'tc'"),
    "tail_entry": ("tc", "section-prefix", "'classifier'"),
    "tail_target": ("tc", "tail-call", "jmp_map by tail_entry"),
    "by_helper": ("xdp", "helpers", "xdp_adjust_head"),
    "unplaced": (None, None, "no rule places it"),
}
progs = {p["name"]: p for p in json.load(open(sys.argv[1]))["programs"]}
bad = 0
for name, (hook, rule, why) in want.items():
    p = progs[name]
    ok = p["hook"] == hook and p["hook_rule"] == rule and why in (p["hook_why"] or "")
    print("%s %s: hook %s, rule %s: %s" % ("ok  " if ok else "FAIL", name, p["hook"], p["hook_rule"], p["hook_why"]))
    bad += not ok
sys.exit(bad != 0)
PY
"$mhse" info -j "$asm_obj" >"$tmp/asm.json" || { echo "FAIL: mhse info -j $asm_obj"; exit 1; }
python3 - "$tmp/asm.json" <<'PY' || exit 1
import json, sys
p = {p["name"]: p for p in json.load(open(sys.argv[1]))["programs"]}["2/7"]
ok = p["hook"] == "xdp" and p["hook_rule"] == "object" and "'2/7'" in p["hook_why"]
print("%s 2/7: hook %s, rule %s: %s" % ("ok  " if ok else "FAIL", p["hook"], p["hook_rule"], p["hook_why"]))
sys.exit(not ok)
PY
"$mhse" info "$obj" | grep -q "hook rule    helpers: calls xdp_adjust_head" || { echo "FAIL: text form lacks the rule"; exit 1; }
"$mhse" --prog unplaced --out "$tmp/out" "$obj" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" != 2 ] || [ "$(wc -l <"$tmp/err")" != 1 ] ||
   ! grep -q "program unplaced: no rule places it: section 'prog'.*tail-calls.*helper" "$tmp/err"; then
	echo "FAIL: unplaced program: exit $rc: $(cat "$tmp/err")"
	exit 1
fi
"$mhse" --prog by_helper --max-time 5 --out "$tmp/out" "$obj" >"$tmp/summary" 2>&1
grep -q "hook xdp by helpers: calls xdp_adjust_head" "$tmp/summary" || { echo "FAIL: summary lacks the rule:"; cat "$tmp/summary"; exit 1; }
echo "ok   unplaced program named with the rules tried; rule in the run summary"
