#!/bin/bash
# The lcov tracefile an exploration writes must render with genhtml, and the
# report must show the program's own source lines with their hit counts.
#
# eng_ihl has 6 paths that cover every instruction (its header says why), so
# its entry line runs in all 6 tests, the line computing the UDP header's
# variable offset in the 3 whose IHL is valid, the port test in the 2 whose
# UDP header fits, and no line goes uncovered (clang gives the return
# statements no instructions of their own, so they count as no line).
#
# Usage: genhtml_test.sh MHSE OUT_DIR IHL_OBJECT
set -u
mhse=$1 out=$2 obj=$3

genhtml=$(command -v genhtml) || {
	echo "skipped: genhtml is not installed (Debian: apt-get install lcov)"
	exit 77
}
passed=0 failed=0

check() { # description, then a command that must succeed
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $what"
	fi
}

# A line of genhtml's source view: its hit count, then the source as HTML.
line_hit() { # count, HTML-escaped source text (a regular expression)
	grep -qE "class=\"lineCov\"> *$1 : *$2" "$page"
}

rm -rf "$out"
mkdir -p "$out"
"$mhse" --prog eng_ihl --max-time 60 --out "$out/explore" "$obj" >"$out/explore.log" 2>&1 ||
	{ echo "FAIL: mhse failed (see $out/explore.log)"; echo "0 passed, 1 failed"; exit 1; }
check "genhtml renders coverage.info (see $out/genhtml.log)" \
	"$genhtml" -q --branch-coverage -o "$out/html" "$out/explore/coverage.info" >"$out/genhtml.log" 2>&1
page=$(find "$out/html" -name 'eng_ihl.bpf.c.gcov.html' | head -n 1)
check "the report has a page for eng_ihl.bpf.c" test -n "$page"
if [ -n "$page" ]; then
	check "the entry line ran in all 6 tests" line_hit 6 'int eng_ihl\(struct xdp_md \*ctx\)'
	check "the variable-offset line ran in 3 tests" line_hit 3 'udp = \(void \*\)iph \+ iph-&gt;ihl \* 4;'
	check "the port test ran in 2 tests" line_hit 2 'if \(udp-&gt;dest == bpf_htons\(53\)\)'
	check "no source line is left uncovered" bash -c "! grep -q 'class=\"lineNoCov\"' '$page'"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
