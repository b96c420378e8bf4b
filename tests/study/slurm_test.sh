#!/bin/bash
# A study run through Slurm: a one-node cluster on this machine (Debian's
# slurm-wlm and munge, installed by setup.sh), the job array `mhse study
# --emit slurm` writes, then `mhse study --merge`; its results.csv must
# equal a local run's but for the timing columns. Skips (exit 77) with the
# reason when the cluster cannot run here.
#
# What it takes on a machine without an init system: munged with its own
# key, socket and pid file in a directory of mode 755; the linuxproc
# process tracker and no task plugin (the cgroup plugins need a freezer
# cgroup); cons_tres with CR_CPU, so that the array's tasks run side by
# side; the daemons and clients find the cluster through SLURM_CONF.
#
# Usage: slurm_test.sh MHSE OUT_DIR OBJECT...
set -u
mhse=$(realpath "$1") out=$(realpath -m "$2")
shift 2
compare=$(dirname "$(realpath "$0")")/compare_results.py

skip() {
	echo "SKIP: $*"
	exit 77
}

for tool in munged mungekey slurmctld slurmd sbatch sinfo scontrol scancel; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (setup.sh installs slurm-wlm and munge)"
done
[ "$(id -u)" = 0 ] || skip "the daemons run as root here"

rm -rf "$out"
dir=$out/cluster
mkdir -p "$dir/state" "$dir/spool"
chmod 755 "$out" "$dir"
host=$(hostname -s)
export SLURM_CONF=$dir/slurm.conf
ctld_pid="" slurmd_pid="" job=""

teardown() {
	[ -n "$ctld_pid" ] && scontrol update nodename="$host" state=drain reason=teardown >/dev/null 2>&1
	[ -n "$job" ] && scancel "$job" >/dev/null 2>&1
	for pid in $slurmd_pid $ctld_pid; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	[ -s "$dir/munged.pid" ] && kill "$(cat "$dir/munged.pid")" 2>/dev/null
}
trap teardown EXIT

mungekey --create --keyfile="$dir/munge.key" || skip "mungekey failed"
munged --force --key-file="$dir/munge.key" --socket="$dir/munge.sock" --pid-file="$dir/munged.pid" \
	--log-file="$dir/munged.log" --seed-file="$dir/munged.seed" || skip "munged does not start: $(tail -1 "$dir/munged.log")"

# ports of this run's own, so that two suites on one machine do not meet
port=$((20000 + $$ % 20000))
cat >"$SLURM_CONF" <<CONF
ClusterName=mhsetest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.sock
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=mhse Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -N "$host" -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 &
slurmd_pid=$!
for _ in $(seq 60); do
	sinfo -h -o %T 2>/dev/null | grep -q idle && break
	sleep 0.5
done
sinfo -h -o %T 2>/dev/null | grep -q idle ||
	skip "the one-node cluster did not come up: $(tail -1 "$dir/slurmctld.log" 2>/dev/null) / $(tail -1 "$dir/slurmd.log" 2>/dev/null)"

{
	echo "objects:"
	for obj in "$@"; do echo "  - $(realpath "$obj")"; done
	echo "policies: [alloc, lookup]"
	echo "max_time: 60"
} >"$out/study.yaml"

"$mhse" study "$out/study.yaml" --out "$out/local" >"$out/local.txt" 2>&1 || { echo "FAIL: local run"; exit 1; }
"$mhse" study "$out/study.yaml" --out "$out/slurm" --emit slurm --batch 2 || { echo "FAIL: --emit slurm"; exit 1; }
job=$(sbatch --parsable "$out/slurm/study.sbatch") || { echo "FAIL: sbatch"; exit 1; }
# the array is done when no task of it is left in the queue
for _ in $(seq 600); do
	[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
	sleep 0.5
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || { echo "FAIL: job array $job still queued after 300 s"; exit 1; }
"$mhse" study --merge "$out/slurm" >"$out/merge.txt" 2>&1 || { echo "FAIL: --merge: $(tail -1 "$out/merge.txt")"; exit 1; }
if python3 "$compare" "$out/local/results.csv" "$out/slurm/results.csv"; then
	echo "1 passed, 0 failed: Slurm job $job's merged results equal the local run's"
else
	echo "FAIL: Slurm and local results differ (task logs: $out/slurm/slurm-*.log)"
	exit 1
fi
