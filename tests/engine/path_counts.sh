#!/bin/bash
# Path counts of the self-describing engine test programs (progs/*.bpf.c).
#
# Each program's header comment states what exploring it must give, one
# line per map policy:
#
#   expect policy=NAME paths=N errors=N unsupported=N [spurious=N] [insn_coverage=P] [branch_coverage=P]
#          [queries_ORIGIN=N] [z3_calls=N]
#
# queries_ORIGIN counts the solver queries one origin asked (stats.json's
# solver_by_origin; 0 when it asked none), for what must need no query;
# z3_calls the queries that reached Z3, for what the solver layer must
# answer in C.
# max_time=S, max_insns=N and max_paths=N on a line are the run's budgets
# (default 60 s, and mhse's own per-path budget); search=NAME and jobs=N its
# search and workers (default mhse's).
#
# The counts are exact, worked out by hand in the same comment. Budget stops,
# solver timeouts, queries the solver left undecided, warnings, spurious tests
# (paths no real map takes, which the lookup policy can make) and self-check
# mismatches must be 0 unless the line gives their number. The entry program is
# the one named like the file.
#
# Usage: path_counts.sh MHSE OUT_DIR SOURCE_DIR OBJECT...
#   each OBJECT's header is SOURCE_DIR/<name>.bpf.c for OBJECT <name>.bpf.o
set -u
mhse=$1 out=$2 src_dir=$3
shift 3
passed=0 failed=0

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# The stats.json keys an expect line's keys stand for.
declare -A stat_key=(
	[paths]=paths [errors]=errors [unsupported]=unsupported [budget]=budget [timeouts]=timeouts [warnings]=warnings
	[undecided]=undecided_queries [spurious]=spurious_tests [mismatches]=self_check_mismatches [insn_coverage]=insn_coverage_pct
	[branch_coverage]=branch_coverage_pct [z3_calls]=z3_calls
)

# Prints "key=value" for every key of stat_key from a stats.json: counts as
# integers, percentages as %g writes them (100.00 -> 100, 96.77 -> 96.77).
read_stats() {
	python3 -c '
import json, sys
stats = json.load(open(sys.argv[1]))
for key in sys.argv[2:]:
    value = stats[key]
    print("%s=%s" % (key, value if isinstance(value, int) else "%g" % value))
for origin in stats["solver_by_origin"]:
    print("queries_%s=%d" % (origin["origin"], origin["queries"]))' "$1" "${stat_key[@]}"
}

# Checks one expect line (its key=value words) against an exploration.
check_line() {
	local obj=$1 name=$2
	shift 2
	local -A want=([budget]=0 [timeouts]=0 [undecided]=0 [warnings]=0 [spurious]=0 [mismatches]=0)
	local -A got=()
	local -a options=(--max-time 60)
	local word key policy dir tag="" problems=""

	for word in "$@"; do
		key=${word%%=*}
		if [ "$key" = max_time ] || [ "$key" = max_insns ] || [ "$key" = max_paths ] || [ "$key" = search ] ||
			[ "$key" = jobs ]; then
			options+=("--${key/_/-}" "${word#*=}")
			tag+=".$word"
			continue
		fi
		if [ "$key" != policy ] && [ -z "${stat_key[$key]+set}" ] && [[ $key != queries_* ]]; then
			fail "$name: unknown key '$key' in expect line '$*'"
			return
		fi
		want[$key]=${word#*=}
	done
	policy=${want[policy]:-}
	unset 'want[policy]'
	if [ -z "$policy" ]; then
		fail "$name: expect line '$*' names no policy"
		return
	fi
	dir=$out/$name.$policy$tag
	rm -rf "$dir"
	if ! "$mhse" --prog "$name" --policy "$policy" "${options[@]}" --out "$dir" "$obj" >"$dir.log" 2>&1; then
		fail "$name --policy $policy: mhse failed (see $dir.log)"
		return
	fi
	while IFS='=' read -r key value; do
		got[$key]=$value
	done < <(read_stats "$dir/stats.json")
	for key in "${!want[@]}"; do
		local value=${got[${stat_key[$key]:-$key}]:-0}

		[ "$value" = "${want[$key]}" ] || problems+=" $key $value, expected ${want[$key]};"
	done
	if [ -n "$problems" ]; then
		fail "$name --policy $policy:$problems tests in $dir"
	else
		passed=$((passed + 1))
	fi
}

mkdir -p "$out"
for obj in "$@"; do
	name=$(basename "$obj" .bpf.o)
	src=$src_dir/$name.bpf.c
	lines=0
	while read -r -a words; do
		lines=$((lines + 1))
		check_line "$obj" "$name" "${words[@]}"
	done < <(sed -n 's/^[ \t]*\(\*\|\/\/\)[ \t]*expect[ \t]\+//p' "$src")
	[ "$lines" -gt 0 ] || fail "$name: no expect line in $src"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
