#!/bin/bash
# Maps of maps from a map file (docs/maps.md): `mhse run --maps` fills inner
# maps, prints their changes under their names, and the concrete policy
# explores from them; a program array slot holds only what the kernel puts
# there. Usage: maps_file.sh MHSE OUT_DIR ENG_MAP_IN_MAP_OBJ ENG_TAILCALL_OBJ
set -u
mhse=$1 out=$2 obj=$3 tailcall_obj=$4
passed=0 failed=0
rm -rf "$out"
mkdir -p "$out"

check() { # name, then a command that must succeed
	if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}

# flows[0] counts key 7 three times; totals[1] slot 0 holds 5
cat >"$out/maps.yaml" <<'M'
flows:
  - key: 0
    value:
      - { key: 7, value: 3 }
totals:
  - key: 1
    value:
      - { key: 0, value: 5 }
M
printf '00000000000000000000000000000700' >"$out/key7.hex"
printf '00000000000000000000000000000800' >"$out/key8.hex"

# key 7 is counted: the total becomes 5 + 3 = 8, over 7
"$mhse" run "$obj" --packet "$out/key7.hex" --maps "$out/maps.yaml" >"$out/run7" 2>&1
check "inner maps read" grep -q "return 3 (0x3) XDP_TX" "$out/run7"
check "inner map change named" grep -q "map totals\[01000000\] \[00000000\] 0500000000000000 -> 0800000000000000" "$out/run7"
# key 8 is not: it is inserted into flows[0]
"$mhse" run "$obj" --packet "$out/key8.hex" --maps "$out/maps.yaml" >"$out/run8" 2>&1
check "inner map insert" grep -q "map flows\[00000000\] \[08000000\] added 01000000" "$out/run8"

# an inner map for a map that holds none is bad input
printf 'flows:\n  - { key: 0, value: [ { key: 1, value: 2 } ] }\ntotals.inner:\n  - { key: 0, value: [] }\n' >"$out/bad.yaml"
"$mhse" run "$obj" --packet "$out/key7.hex" --maps "$out/bad.yaml" >"$out/bad" 2>&1
check "bad inner map is bad input" test $? = 3

# concrete exploration from the file: a short packet, key 7 (total 8), any
# other key (inserted, found again): 3 paths, every test replayed
"$mhse" --policy concrete --maps "$out/maps.yaml" --out "$out/explore" "$obj" >"$out/explore.log" 2>&1
check "concrete exploration" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["paths"] == 3 and s["self_check_mismatches"] == 0 and s["unsupported"] == 0 else 1)' "$out/explore/stats.json"
check "concrete tests name the inner maps" grep -q '"map": "totals\[01000000\]"' -r "$out/explore"
"$mhse" replay "$obj" "$out/explore" >"$out/replay.log" 2>&1
check "tests replay" grep -q "3 tests; interpreter: 3 agree" "$out/replay.log"

# a slot holding a program of another expected attach type: the kernel
# refuses that update, the interpreter and the engine end the path as an error
# (a short packet, index 0, 1 (empty) or past the array: 4 paths)
printf 'stages:\n  - { key: 0, value: eng_stage_devmap }\n' >"$out/devmap.yaml"
printf '000000000000000000000000000000' >"$out/index0.hex"
"$mhse" run "$tailcall_obj" --prog eng_tailcall --packet "$out/index0.hex" --maps "$out/devmap.yaml" >"$out/devmap" 2>&1
check "incompatible slot fails the run" grep -q "holds eng_stage_devmap, which the kernel would not put there" "$out/devmap"
"$mhse" --prog eng_tailcall --policy concrete --maps "$out/devmap.yaml" --out "$out/devmap-explore" "$tailcall_obj" \
	>"$out/devmap-explore.log" 2>&1
check "incompatible slot: an error path, the same in replay" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["paths"] == 4 and s["errors"] == 1 and s["self_check_mismatches"] == 0 else 1)' "$out/devmap-explore/stats.json"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
