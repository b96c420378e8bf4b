#!/bin/sh
# Builds the libFuzzer harness with clang (whatever compiler built mhse) and
# runs it for a bounded time, seeded with the test objects. Skips when clang
# cannot link a fuzzer here; fails on a crash, keeping the input that caused it.
#
# usage: run_fuzz.sh CLANG INCLUDE_DIR OUT_DIR SECONDS SOURCE... -- SEED...
set -u
clang=$1 include=$2 out=$3 seconds=$4
shift 4
sources=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	sources="$sources $1"
	shift
done
[ $# -gt 0 ] && shift

bin=$out/fuzz_object
# shellcheck disable=SC2086 # $sources is a list of paths without spaces
if ! "$clang" -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$include" $sources -o "$bin" -lelf -lbpf >"$out/fuzz_build.log" 2>&1; then
	echo "skipped: $clang cannot build a libFuzzer harness here:"
	tail -n 5 "$out/fuzz_build.log"
	exit 77
fi

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "$@" "$corpus"/
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/fuzz-crash-" \
	-print_final_stats=1 "$corpus" >"$out/fuzz.log" 2>&1
status=$?
grep -E '^Done|^stat::number_of_executed_units|^stat::peak_rss_mb' "$out/fuzz.log"
if [ $status -ne 0 ]; then
	echo "the fuzzer failed (status $status); its log is $out/fuzz.log:"
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$out/fuzz.log" | head -n 20
	exit 1
fi
echo "no crash in $seconds s"
