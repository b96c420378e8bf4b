#!/bin/bash
# CO-RE relocation results, by running the programs of core_reloc.bpf.o
# (mhse run) against the object's own BTF and against core_target.bpf.o
# (--btf), and by mhse info's counts. The expected values are the "expect"
# lines of the program's header, worked out there by hand; "error" means the
# run must stop at a poisoned instruction, with a message naming the
# relocation. A poisoned path must also be an error path of the engine.
# Usage: core_relo.sh MHSE OBJECT TARGET SOURCE
set -u
mhse=$1 obj=$2 target=$3 src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# check_run PROG EXPECTED [--btf FILE]
check_run() {
	local prog=$1 want=$2 out rc
	shift 2
	out=$("$mhse" run --prog "$prog" "$@" "$obj" 2>&1)
	rc=$?
	if [ "$want" = error ]; then
		if [ $rc = 1 ] && grep -q "CO-RE relocation #[0-9]* of kprobe/$prog (.*) is poisoned" <<<"$out"; then
			passed=$((passed + 1))
		else
			fail "$prog $*: wanted a poisoned-relocation error, got (exit $rc) $out"
		fi
	elif [ $rc = 0 ] && grep -q "^return $want " <<<"$out"; then
		passed=$((passed + 1))
	else
		fail "$prog $*: wanted return $want, got (exit $rc) $out"
	fi
}

lines=0
while read -r _ _ prog own tgt _; do
	check_run "$prog" "$own"
	check_run "$prog" "$tgt" --btf "$target"
	lines=$((lines + 1))
done < <(grep -E '^ \* expect [a-z_]+ ' "$src")
[ $lines -gt 10 ] || fail "only $lines expect lines in $src"

# check_info WHICH RECORDS RESOLVED POISONED [--btf FILE]
check_info() {
	local which=$1 want="CO-RE relocations: $2, $3 resolved, $4 poisoned" out
	shift 4
	out=$("$mhse" info "$@" "$obj" 2>&1)
	if grep -q "^$want, against" <<<"$out"; then
		passed=$((passed + 1))
	else
		fail "info ($which): wanted '$want', got: $(grep CO-RE <<<"$out")"
	fi
}
read -r _ _ _ n r p _ < <(grep -E '^ \* expect-info OWN ' "$src")
check_info own "$n" "$r" "$p"
read -r _ _ _ n r p _ < <(grep -E '^ \* expect-info TARGET ' "$src")
check_info target "$n" "$r" "$p" --btf "$target"

# The engine ends the path at the poisoned load as an error (one path).
if "$mhse" explore --prog poisoned_read --btf "$target" --out "$tmp/explore" "$obj" >"$tmp/out" 2>&1 &&
	python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); sys.exit(not (s["paths"] == 1 and s["errors"] == 1))' \
		"$tmp/explore/stats.json"; then
	passed=$((passed + 1))
else
	fail "explore poisoned_read --btf: wanted 1 path, an error: $(cat "$tmp/out")"
fi

# A --btf file that holds no BTF is bad input, named in one line.
"$mhse" info --btf "$src" "$obj" >"$tmp/out" 2>"$tmp/err"
if [ $? = 3 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^$src: no BTF" "$tmp/err"; then
	passed=$((passed + 1))
else
	fail "--btf of a C file: wanted exit 3 and one line naming it, got: $(cat "$tmp/err")"
fi

echo "$passed passed, $failed failed"
[ $failed = 0 ]
