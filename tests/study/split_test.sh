#!/bin/bash
# Splitting the path tree (docs/study.md): for hand-counted engine programs,
#  - two workers (--jobs 2) give the same tests as one, by their branch
#    decisions, kind and return value, under every policy;
#  - so do one and two workers that renew their terms after every path
#    (--term-memory 1: Z3 holds more than 1 MB from the start), growing
#    the states left again from the root, and they renew them;
#  - shards 1/3, 2/3 and 3/3 (--shard) together give exactly the program's
#    paths: as many as its header counts, and the same tests as one whole
#    run, and no shard all of them (under the consistent and lookup
#    policies: the split does not depend on the policy, and the suite's
#    time is short).
#
# Usage: split_test.sh MHSE OUT_DIR SOURCE_DIR OBJECT...
set -u
mhse=$1 out=$2 src_dir=$3
shift 3
testset=$(dirname "$0")/testset.py
passed=0 failed=0
rm -rf "$out"
mkdir -p "$out"

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

for obj in "$@"; do
	name=$(basename "$obj" .bpf.o)
	for policy in alloc lookup consistent concrete; do
		expected=$(sed -n "s/.*expect policy=$policy *paths=\([0-9]*\).*/\1/p" "$src_dir/$name.bpf.c")
		whole=$out/$name.$policy.whole
		"$mhse" --jobs 1 --policy "$policy" --out "$whole" "$obj" >/dev/null || { fail "$name $policy: whole run"; continue; }
		python3 "$testset" "$whole" >"$whole.set"
		"$mhse" --jobs 2 --policy "$policy" --out "$out/$name.$policy.jobs2" "$obj" >/dev/null ||
			{ fail "$name $policy: --jobs 2"; continue; }
		if python3 "$testset" "$out/$name.$policy.jobs2" | cmp -s - "$whole.set"; then
			passed=$((passed + 1))
		else
			fail "$name $policy: --jobs 2 wrote other tests than one worker"
		fi
		for jobs in 1 2; do
			renewing=$out/$name.$policy.renewing$jobs
			"$mhse" --jobs $jobs --term-memory 1 --policy "$policy" --out "$renewing" "$obj" >/dev/null ||
				{ fail "$name $policy: --jobs $jobs --term-memory 1"; continue; }
			renewals=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["term_renewals"])' \
				"$renewing/stats.json")
			if [ "$renewals" -lt 1 ]; then
				fail "$name $policy: --jobs $jobs --term-memory 1 renewed no terms"
			elif python3 "$testset" "$renewing" | cmp -s - "$whole.set"; then
				passed=$((passed + 1))
			else
				fail "$name $policy: --jobs $jobs --term-memory 1 wrote other tests than a run keeping its terms"
			fi
		done
		case $policy in consistent | lookup) ;; *) continue ;; esac
		shards=()
		for i in 1 2 3; do
			"$mhse" --jobs 1 --shard "$i/3" --policy "$policy" --out "$out/$name.$policy.shard$i" "$obj" >/dev/null ||
				fail "$name $policy: shard $i/3"
			shards+=("$out/$name.$policy.shard$i")
		done
		count=$(python3 -c 'import json, sys; print(sum(json.load(open(f))["paths"] for f in sys.argv[1:]))' \
			"${shards[@]/%//stats.json}")
		most=$(python3 -c 'import json, sys; print(max(json.load(open(f))["paths"] for f in sys.argv[1:]))' \
			"${shards[@]/%//stats.json}")
		if [ -n "$expected" ] && [ "$count" != "$expected" ]; then
			fail "$name $policy: shards give $count paths, the header counts $expected"
		elif [ "$count" -ge 6 ] && [ "$most" = "$count" ]; then
			fail "$name $policy: one shard holds all $count paths: the tree was not split"
		elif ! python3 "$testset" "${shards[@]}" | cmp -s - "$whole.set"; then
			fail "$name $policy: shards 1/3, 2/3, 3/3 together differ from the whole run"
		else
			passed=$((passed + 1))
		fi
	done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
