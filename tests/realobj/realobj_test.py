#!/usr/bin/env python3
"""Explores every program of real third-party XDP objects: Debian libxdp1's.

These objects were written and compiled by others, for the kernel rather than for
mhse, so they exercise what the project's own test programs do not. For each
object the test runs `mhse --all --max-time T` (within the meson timeout) and
checks, per program: mhse exits 0 (a signal or an exit status above 3 is a crash),
stats.json is written, the self-check found no mismatch, at least one test file
and the coverage files (coverage.json, coverage.info) are written. As root it also
has the running kernel referee every test (`--replay-kernel`): none may disagree.

A program whose hook has no spec in mhse (`mhse specs`) is explored on its own
with --hook: xdp when its program type is XDP (an XDP program in an unconventional
section), raw otherwise (a tracing program's context is a plain array of arguments).

Usage: realobj_test.py MHSE [OBJECT_DIR [SECONDS_PER_PROGRAM]]
Exits 77 (skip) when OBJECT_DIR holds no object.
"""

import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import tempfile

DEFAULT_DIR = "/usr/lib/x86_64-linux-gnu/bpf"
DEFAULT_SECONDS = 6   # 15 objects, 9 of them run to the limit: ~30 s on 2 cores
SLACK_SECONDS = 30    # beyond the budget, before a run counts as hung


# Kernel refereeing needs root (bpf() and BPF_PROG_TEST_RUN); without it the
# objects are still explored and self-checked.
KERNEL_REPLAY = os.geteuid() == 0


def known_hooks(mhse):
    out = subprocess.run([mhse, "specs"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def fallback_hook(program, hooks):
    """The --hook a program needs, or None when its section names a known hook."""
    if program["hook"] in hooks:
        return None
    return "xdp" if program["type"] == "xdp" else "raw"


def run_mhse(cmd, seconds):
    """(exit status or None when hung, stderr) of one mhse run."""
    try:
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, timeout=seconds + SLACK_SECONDS)
        return proc.returncode, proc.stderr
    except subprocess.TimeoutExpired as hung:
        return None, (hung.stderr or b"").decode(errors="replace")


def describe_status(status):
    if status is None:
        return "hung (killed after the budget plus %d s)" % SLACK_SECONDS
    if status < 0:
        return "crashed: killed by signal %d" % -status
    if status > 3:
        return "crashed: exit status %d" % status
    return "exit status %d" % status


def first_line_of(program, stderr, words):
    for line in stderr.splitlines():
        if line.startswith(program + ":") and words in line:
            return line
    return None


def check_program(program, out_dir, stderr):
    """Failures of one explored program, and its stats (None without stats.json)."""
    failures = []
    stats_file = os.path.join(out_dir, "stats.json")
    if not os.path.exists(stats_file):
        return ["%s: no stats.json in %s" % (program, out_dir)], None
    stats = json.load(open(stats_file))
    if stats["self_check_mismatches"] != 0:
        first = first_line_of(program, stderr, "mismatch") or "(no mismatch line on stderr)"
        failures.append("%s: %d self-check mismatches; first: %s"
                        % (program, stats["self_check_mismatches"], first))
    if stats.get("kernel_disagree", 0) != 0:
        first = first_line_of(program, stderr, "disagree") or "(no disagreement line on stderr)"
        failures.append("%s: %d tests disagree with the kernel; first: %s"
                        % (program, stats["kernel_disagree"], first))
    if not glob.glob(os.path.join(out_dir, "test-*.json")):
        failures.append("%s: no test file" % program)
    for name in ("coverage.json", "coverage.info"):
        if not os.path.exists(os.path.join(out_dir, name)):
            failures.append("%s: no %s" % (program, name))
    return failures, stats


def explore_object(mhse, obj, hooks, seconds, scratch):
    """Explores obj; returns (notes, failures, per-program stats, commands)."""
    out = os.path.join(scratch, os.path.basename(obj))
    info = subprocess.run([mhse, "info", "-j", obj], capture_output=True, text=True)
    if info.returncode != 0:
        return [], ["mhse info -j: %s: %s" % (describe_status(info.returncode),
                                             info.stderr.strip())], [], []
    programs = json.loads(info.stdout)["programs"]
    if not programs:
        return [], ["mhse info lists no program"], [], []

    # One --all run when every section names a known hook, else a run per program.
    runs = []  # (command, programs it explores, output dir of each)
    notes = []
    if all(fallback_hook(p, hooks) is None for p in programs):
        cmd = [mhse, "--all", "--max-time", str(seconds), "--out", out, obj]
        # the kernel referees every test where it can run the programs
        if KERNEL_REPLAY:
            cmd.insert(2, "--replay-kernel")
        runs.append((cmd, [(p["name"], os.path.join(out, p["name"])) for p in programs]))
    else:
        for p in programs:
            cmd = [mhse, "--prog", p["name"], "--max-time", str(seconds)]
            hook = fallback_hook(p, hooks)
            if hook:
                cmd += ["--hook", hook]
                notes.append("%s: section %s names hook %s, which has no spec: explored with --hook %s"
                             % (p["name"], p["section"], p["hook"], hook))
            cmd += ["--out", os.path.join(out, p["name"]), obj]
            runs.append((cmd, [(p["name"], os.path.join(out, p["name"]))]))

    failures, all_stats, commands = [], [], []
    for cmd, explored in runs:
        commands.append(" ".join(cmd))
        status, stderr = run_mhse(cmd, seconds * len(explored))
        if status != 0:
            first = (stderr.strip().splitlines() or ["(nothing on stderr)"])[0]
            failures.append("mhse %s; stderr: %s" % (describe_status(status), first))
        for name, out_dir in explored:
            program_failures, stats = check_program(name, out_dir, stderr)
            failures += program_failures
            if stats:
                all_stats.append(stats)
    return notes, failures, all_stats, commands


def summary_line(stats):
    kernel = ""
    if "kernel_agree" in stats:
        kernel = ", kernel %d agree / %d disagree / %d not replayable" % (
            stats["kernel_agree"], stats["kernel_disagree"], stats["kernel_not_replayable"])
    return ("%s [%s]: paths %d, errors %d, unsupported %d, insn %.1f%%, branch %.1f%%, mismatches %d%s"
            % (stats["program"], stats["hook"], stats["paths"], stats["errors"], stats["unsupported"],
               stats["insn_coverage_pct"], stats["branch_coverage_pct"], stats["self_check_mismatches"], kernel))


def main():
    if len(sys.argv) < 2:
        print("usage: realobj_test.py MHSE [OBJECT_DIR [SECONDS_PER_PROGRAM]]", file=sys.stderr)
        return 2
    mhse = sys.argv[1]
    obj_dir = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_DIR
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else DEFAULT_SECONDS
    objects = sorted(glob.glob(os.path.join(obj_dir, "*.o")))
    if not objects:
        print("skip: no BPF object in %s (Debian's libxdp1 installs them there)" % obj_dir)
        return 77

    hooks = known_hooks(mhse)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="mhse-realobj-") as scratch, \
            concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = pool.map(lambda obj: explore_object(mhse, obj, hooks, seconds, scratch), objects)
        for obj, (notes, failures, all_stats, commands) in zip(objects, results):
            verdict = "FAIL" if failures else "ok  "
            print("%s %s: %s" % (verdict, os.path.basename(obj),
                                 "; ".join(summary_line(s) for s in all_stats) or "no stats"))
            for note in notes:
                print("       note: " + note)
            for s in all_stats:
                for reason in s["unsupported_reasons"]:
                    print("       %s unsupported: %s (%d paths)" % (s["program"], reason["reason"], reason["count"]))
            for failure in failures:
                print("       FAIL: " + failure)
            if failures:
                for cmd in commands:
                    print("       command: " + cmd)
                failed += 1
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
