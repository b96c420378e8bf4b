#!/bin/sh
# Sets up a Debian 12 machine for mhse (as root), builds it, and then either
# runs mhse on a bundled example (./setup.sh demo) or runs the whole test
# suite (./setup.sh test).
set -eu
cd "$(dirname "$0")"

packages="build-essential pkg-config meson ninja-build clang llvm clang-19 llvm-19
libz3-dev libbpf-dev libelf-dev libyaml-dev libxdp1 lcov libclang-rt-14-dev python3 slurm-wlm munge"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

case "${1:-demo}" in
demo)
	[ -d build ] || meson setup build
	ninja -C build
	set -x
	build/mhse info build/tests/progs/xdp_firewall.bpf.o
	build/mhse run build/tests/progs/xdp_firewall.bpf.o --packet examples/tcp-syn.hex
	build/mhse --max-time 10 --out mhse-out build/tests/progs/xdp_firewall.bpf.o
	;;
test)
	# the suite runs under AddressSanitizer and UBSan
	[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
	status=0
	meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 || status=$?
	# one closing line for whoever reads only the end
	python3 - build-asan/meson-logs/testlog.json <<'EOF'
import json, sys
results = [json.loads(line)["result"] for line in open(sys.argv[1])]
ok, skip = results.count("OK"), results.count("SKIP")
print("%d passed, %d failed, %d skipped" % (ok, len(results) - ok - skip, skip))
EOF
	exit $status
	;;
*)
	echo "usage: $0 [demo|test]" >&2
	exit 2
	;;
esac
