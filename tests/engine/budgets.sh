#!/bin/bash
# Budgets and --tests covering on hand-counted programs (progs/*.bpf.c):
# which budget ended a run (stats.json's ended_by), that the tests written
# before it are kept, and that --tests covering writes only tests adding
# coverage, and every error, while counting the others; each with one
# worker and with two (--jobs 2: the budgets hold over the whole run, the
# merged stats say which ended it).
#
# Usage: budgets.sh MHSE OUT_DIR ENG_CALL ENG_WINDOWS ENG_TIME_BUDGET XDP_FIREWALL ENG_COMPLETION ENG_BULK_LAYERED
set -u
mhse=$1 top=$2 eng_call=$3 eng_windows=$4 eng_time_budget=$5 firewall=$6 eng_completion=$7 eng_bulk_layered=$8
failed=0

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# stat DIR KEY...: the values of stats.json's keys, one per line (null as "null")
stat() {
	python3 -c '
import json, sys
stats = json.load(open(sys.argv[1] + "/stats.json"))
for key in sys.argv[2:]:
    print("null" if stats[key] is None else stats[key])' "$@"
}

# explore NAME OBJECT ARGS...: explores with $jobs workers into $out/NAME, failing
# the test when mhse does
explore() {
	local name=$1 obj=$2
	shift 2
	rm -rf "${out:?}/$name"
	if ! "$mhse" "$@" --jobs "$jobs" --out "$out/$name" "$obj" >"$out/$name.log" 2>&1; then
		fail "$name: mhse failed (see $out/$name.log)"
		return 1
	fi
}

expect() {
	local what=$1 got=$2 want=$3
	[ "$got" = "$want" ] || fail "$what: got '$got', want '$want'"
}

for jobs in 1 2; do
	out=$top/jobs$jobs
	mkdir -p "$out"
	echo "--jobs $jobs"

	# eng_call: 10 paths to completion, no budget ends it
	if explore call "$eng_call"; then
		expect "eng_call ended_by" "$(stat "$out/call" ended_by)" null
		expect "eng_call tests" "$(stat "$out/call" tests)" 10
	fi

	# --max-paths: the run ends after exactly that many paths, each with its test
	if explore call-paths "$eng_call" --max-paths 4; then
		expect "eng_call --max-paths 4 ended_by" "$(stat "$out/call-paths" ended_by)" max-paths
		expect "eng_call --max-paths 4 paths" "$(stat "$out/call-paths" paths)" 4
		expect "eng_call --max-paths 4 test files" "$(ls "$out/call-paths" | grep -c '^test-')" 4
		grep -q "ended by --max-paths" "$out/call-paths.log" || fail "eng_call --max-paths 4: the summary does not say which budget ended the run"
	fi

	# --max-time: the one path of eng_time_budget loops past the budget and ends as a budget test
	if explore time "$eng_time_budget" --max-time 1 --max-insns 1000000000000; then
		expect "eng_time_budget --max-time 1 ended_by" "$(stat "$out/time" ended_by)" max-time
		expect "eng_time_budget --max-time 1 budget paths" "$(stat "$out/time" budget)" 1
		expect "eng_time_budget --max-time 1 test files" "$(ls "$out/time" | grep -c '^test-')" 1
	fi

	# --max-time over 2^32 paths: the states the exploration leaves are completed
	# along their models, each a whole path whose test replays; only a state the
	# run's end cuts (one per worker at most) is a budget test
	if explore completion "$eng_completion" --max-time 2 --search bfs; then
		read -r ended paths tests completed budget mismatches < <(stat "$out/completion" ended_by paths tests \
			completed budget self_check_mismatches | paste -sd' ')
		expect "eng_completion --max-time 2 ended_by" "$ended" max-time
		[ "$completed" -gt 0 ] || fail "eng_completion --max-time 2: no state was completed"
		[ "$budget" -le "$jobs" ] || fail "eng_completion --max-time 2: $budget budget paths for $jobs workers"
		expect "eng_completion --max-time 2 tests" "$tests" "$paths"
		expect "eng_completion --max-time 2 self-check mismatches" "$mismatches" 0
		grep -q "paths completed along their models" "$out/completion.log" ||
			fail "eng_completion --max-time 2: the summary does not count the completed paths"
		"$mhse" replay "$eng_completion" "$out/completion" >"$out/completion.replay" 2>&1 ||
			fail "eng_completion --max-time 2: replay failed (see $out/completion.replay)"
	fi

	# --max-query-time: eng_bulk_layered's jump on a byte read through a layer
	# needs more than a millisecond of Z3 (and more than the work a query
	# gets untimed); with --max-time its state waits and is asked again once
	# the rest is explored, so all 4 of its paths are found; without, the
	# path ends as a timeout
	if explore query-time "$eng_bulk_layered" --max-query-time 1 --max-time 120; then
		read -r paths timeouts undecided < <(stat "$out/query-time" paths timeouts undecided_queries | paste -sd' ')
		expect "eng_bulk_layered --max-query-time 1 --max-time 120 paths" "$paths" 4
		expect "eng_bulk_layered --max-query-time 1 --max-time 120 timeouts" "$timeouts" 0
		[ "$undecided" -gt 0 ] || fail "eng_bulk_layered --max-query-time 1: no query outran its time"
	fi
	if explore query-time-alone "$eng_bulk_layered" --max-query-time 1; then
		[ "$(stat "$out/query-time-alone" timeouts)" -gt 0 ] ||
			fail "eng_bulk_layered --max-query-time 1 without --max-time: no path ended as a timeout"
	fi

	# --max-memory: a limit below what the process already holds ends the run at the first check
	if explore memory "$firewall" --max-memory 1; then
		expect "xdp_firewall --max-memory 1 ended_by" "$(stat "$out/memory" ended_by)" max-memory
		read -r paths tests < <(stat "$out/memory" paths tests | paste -sd' ')
		[ "$paths" -lt 12294 ] || fail "xdp_firewall --max-memory 1: $paths paths, the run did not stop early"
		expect "xdp_firewall --max-memory 1 test files" "$(ls "$out/memory" | grep -c '^test-')" "$tests"
	fi

	# --tests covering: the same coverage from fewer tests; all paths counted
	for prog in call windows; do
		obj=$eng_call
		[ $prog = windows ] && obj=$eng_windows
		explore "$prog-all" "$obj" || continue
		explore "$prog-covering" "$obj" --tests covering || continue
		read -r paths errors all_insn all_branch < <(stat "$out/$prog-all" paths errors insn_coverage_pct branch_coverage_pct | paste -sd' ')
		read -r cpaths tests skipped insn branch < <(stat "$out/$prog-covering" paths tests tests_not_covering \
			insn_coverage_pct branch_coverage_pct | paste -sd' ')
		expect "$prog --tests covering paths" "$cpaths" "$paths"
		expect "$prog --tests covering tests + tests_not_covering" $((tests + skipped)) "$paths"
		expect "$prog --tests covering test files" "$(ls "$out/$prog-covering" | grep -c '^test-')" "$tests"
		expect "$prog --tests covering insn coverage" "$insn" "$all_insn"
		expect "$prog --tests covering branch coverage" "$branch" "$all_branch"
		[ "$tests" -ge "$errors" ] || fail "$prog --tests covering: $tests tests for $errors errors"
		# the tests written replay as they say, and cover what all of them do
		"$mhse" replay "$obj" "$out/$prog-covering" >"$out/$prog-covering.replay" 2>&1 ||
			fail "$prog --tests covering: replay failed (see $out/$prog-covering.replay)"
	done
	[ "$(stat "$out/call-covering" tests_not_covering)" -gt 0 ] || fail "eng_call --tests covering: every test was written"
	expect "eng_windows --tests covering errors written" \
		"$(grep -l '"kind": "error"' "$out"/windows-covering/test-*.json | wc -l)" "$(stat "$out/windows-all" errors)"
	# the written tests are numbered 1..tests, whichever worker wrote them
	expect "eng_call --tests covering numbering" "$(ls "$out/call-covering" | grep '^test-.*json$' | tail -1)" \
		"$(printf 'test-%06d.json' "$(stat "$out/call-covering" tests)")"
done

if [ $failed -ne 0 ]; then
	echo "$failed checks failed"
	exit 1
fi
echo "budgets and --tests covering: all checks passed"
