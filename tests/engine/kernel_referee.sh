#!/bin/bash
# The kernel referees the tests of engine programs it can run: the program
# types added by spec alone (socket filter, cgroup skb) and tc metadata helpers:
# every test it can run must agree with it, and it
# must be able to run some; an object given as --replayable OBJECT, every one
# of them. Usage: kernel_referee.sh MHSE OUTDIR [--replayable] OBJECT...
set -u
mhse=$1 out=$2
shift 2
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the kernel referee needs root for bpf() and BPF_PROG_TEST_RUN"
	exit 77
fi
mkdir -p "$out"
passed=0 failed=0
all=0
for obj in "$@"; do
	if [ "$obj" = --replayable ]; then
		all=1
		continue
	fi
	name=$(basename "$obj" .bpf.o)
	rm -rf "$out/$name"
	"$mhse" --replay-kernel --max-time 60 --out "$out/$name" "$obj" >"$out/$name.log" 2>&1
	rc=$?
	if [ "$rc" = 4 ]; then
		echo "SKIP: $(head -1 "$out/$name.log")"
		exit 77
	fi
	if python3 - "$out/$name/stats.json" "$rc" "$all" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ok = sys.argv[2] == "0" and s["kernel_disagree"] == 0 and s["kernel_agree"] > 0 and s["self_check_mismatches"] == 0
ok = ok and (sys.argv[3] == "0" or s["kernel_not_replayable"] == 0)
print("%s %s: %d agree, %d disagree, %d not replayable" % ("ok  " if ok else "FAIL", s["program"],
      s["kernel_agree"], s["kernel_disagree"], s["kernel_not_replayable"]))
sys.exit(0 if ok else 1)
PY
	then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	all=0
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
