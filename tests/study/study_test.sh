#!/bin/bash
# mhse study over hand-counted test programs and two policies:
#  - the local run writes a row per cell with the header's path counts, and
#    says what it could not explore (a glob with no object) as a row;
#  - run again, it resumes: no finished cell is run twice;
#  - the same cells run as emitted commands (any runner) and merged give
#    the same results.csv, but for the timing columns.
#
# Usage: study_test.sh MHSE OUT_DIR SOURCE_DIR OBJECT...
set -u
mhse=$(realpath "$1") out=$2 src_dir=$3
shift 3
compare=$(dirname "$0")/compare_results.py
passed=0 failed=0
rm -rf "$out"
mkdir -p "$out"

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
ok() {
	passed=$((passed + 1))
}

{
	echo "objects:"
	for obj in "$@"; do echo "  - $(realpath "$obj")"; done
	echo "  - path: $(realpath "$out")/no-such-object-*.o"
	echo "policies: [alloc, lookup]"
	echo "max_time: 60"
} >"$out/study.yaml"

"$mhse" study "$out/study.yaml" --out "$out/local" --jobs 2 >"$out/local.txt" 2>&1 || fail "local study run: $(tail -1 "$out/local.txt")"
cells=$(( ($# + 1) * 2 ))
[ "$(ls "$out/local/cells/"*.json 2>/dev/null | wc -l)" = "$cells" ] && ok || fail "expected $cells cell results"

# hand-counted paths, and the unexplorable object as a row
for obj in "$@"; do
	name=$(basename "$obj" .bpf.o)
	for policy in alloc lookup; do
		expected=$(sed -n "s/.*expect policy=$policy *paths=\([0-9]*\).*/\1/p" "$src_dir/$name.bpf.c")
		got=$(python3 -c '
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    if row["program"] == sys.argv[2] and row["policy"] == sys.argv[3]:
        print(row["paths"])' "$out/local/results.csv" "$name" "$policy")
		[ "$got" = "$expected" ] && ok || fail "$name $policy: study says $got paths, the header $expected"
	done
done
grep -q "^$(realpath "$out")/no-such-object-\*\.o,.*,bad input," "$out/local/results.csv" && ok ||
	fail "no row for the missing object"
for f in results.md plots/coverage-by-type.svg; do
	[ -s "$out/local/$f" ] && ok || fail "no $f"
done

# resume: nothing is run again
stamp=$(stat -c %Y%N "$out/local/cells/"*.json | md5sum)
"$mhse" study "$out/study.yaml" --out "$out/local" >"$out/resume.txt" 2>&1 || fail "resumed run"
grep -q "$cells of $cells cells already done" "$out/resume.txt" && ok || fail "resume did not see the finished cells"
[ "$(stat -c %Y%N "$out/local/cells/"*.json | md5sum)" = "$stamp" ] && ok || fail "resume rewrote finished cells"

# any runner: the emitted commands, then a merge
"$mhse" study "$out/study.yaml" --out "$out/runner" --emit commands >"$out/commands.txt" || fail "--emit commands"
[ "$(wc -l <"$out/commands.txt")" = "$cells" ] && ok || fail "expected $cells commands"
sh "$out/commands.txt" >"$out/runner.txt" 2>&1 || fail "the emitted commands"
"$mhse" study --merge "$out/runner" >"$out/merge.txt" 2>&1 || fail "--merge"
python3 "$compare" "$out/local/results.csv" "$out/runner/results.csv" && ok ||
	fail "local and merged results differ"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
