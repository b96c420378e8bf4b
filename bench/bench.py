#!/usr/bin/env python3
"""Performance figures for mhse: what an exploration costs, never a pass/fail.

Measures, on a release build:
  1. start-up: the wall time of `mhse info` and of exploring a one-instruction
     XDP program (bench/progs/xdp_pass.bpf.c), with hyperfine when installed or
     a loop of runs otherwise;
  2. exploration: every program of every test object (tests/progs and
     tests/engine, built into the build directory) and of every seed object
     (../shared/seeds) under each map policy with a fixed time budget, one
     table row per program, policy and number of jobs (1, and 2 when mhse has
     --jobs), read from stats.json.

The figures are to be compared with the KLEE-based eBPF-SE (see HEADER below).
The script builds the project itself when needed. bench/README.md explains the
columns. Usage: bench/bench.py [--max-time S] [--policies a,b] [--objects GLOB] [--seeds DIR]
"""

import argparse
import fnmatch
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICIES = ["alloc", "lookup", "consistent", "concrete"]

HEADER = """\
Reference figures to beat (eBPF-SE, KLEE-based, on a production XDP load balancer):
  ~1 ms per test (16,110 tests in 15.6 s, 125 MiB peak); 8.8 ms per test with
  lookup-time symbolic maps; 0.15-0.3 s start-up.
mhse aims at: under 0.2 ms per test, start-up in milliseconds, peak under 128 MiB."""


def log(msg=""):
    print(msg, flush=True)


def build(build_dir):
    """Configure (release) and build when needed; return the mhse binary."""
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["meson", "setup", build_dir, SOURCE_DIR, "--buildtype=release"],
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", build_dir], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(build_dir, "mhse")


def compile_trivial_prog(build_dir):
    src = os.path.join(SOURCE_DIR, "bench", "progs", "xdp_pass.bpf.c")
    out_dir = os.path.join(build_dir, "bench")
    os.makedirs(out_dir, exist_ok=True)
    obj = os.path.join(out_dir, "xdp_pass.bpf.o")
    if not os.path.exists(obj) or os.path.getmtime(obj) < os.path.getmtime(src):
        subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                        "-c", src, "-o", obj], check=True)
    return obj


def time_command(cmd, runs):
    """Mean, standard deviation and minimum wall time of cmd, in milliseconds."""
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            subprocess.run(["hyperfine", "-N", "--warmup", "3", "--runs", str(runs),
                            "--export-json", export.name, " ".join(cmd)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            result = json.load(open(export.name))["results"][0]
        return result["mean"] * 1e3, (result["stddev"] or 0) * 1e3, result["min"] * 1e3, "hyperfine"
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.mean(samples), statistics.pstdev(samples), min(samples), "loop"


def measure_startup(mhse, trivial_obj, runs, scratch):
    log("Start-up (wall time per run, %d runs)" % runs)
    out_dir = os.path.join(scratch, "startup")
    commands = [
        ("mhse info xdp_pass.bpf.o", [mhse, "info", trivial_obj]),
        ("mhse explore xdp_pass.bpf.o", [mhse, "--out", out_dir, trivial_obj]),
    ]
    for label, cmd in commands:
        mean, stddev, fastest, tool = time_command(cmd, runs)
        log("  %-30s mean %7.2f ms  +- %5.2f  min %7.2f ms  (%s)" % (label, mean, stddev, fastest, tool))
    log()


COLUMNS = [  # (heading, width, function of a stats.json program entry)
    ("paths", 7, lambda s: "%d" % s["paths"]),
    ("tests", 7, lambda s: "%d" % s["tests"]),
    ("insn%", 6, lambda s: "%.1f" % s["insn_coverage_pct"]),
    ("branch%", 7, lambda s: "%.1f" % s["branch_coverage_pct"]),
    ("time_s", 7, lambda s: "%.1f" % s["time_s"]),
    ("cov_s", 6, lambda s: "%.1f" % s.get("time_to_coverage_s", 0)),
    ("ms/test", 9, lambda s: "%.3f" % s["ms_per_test"]),
    ("solver", 6, lambda s: "%.0f%%" % (100 * s["solver_time_s"] / s["time_s"]) if s["time_s"] else "-"),
    ("queries", 8, lambda s: "%d" % s["queries"]),
    ("rssMB", 6, lambda s: "%.1f" % s["peak_rss_mb"]),
    ("mism", 5, lambda s: "%d" % s["self_check_mismatches"]),
    ("spur", 5, lambda s: "%d" % s["spurious_tests"]),
    ("unsup", 6, lambda s: "%d" % s["unsupported"]),
]


def row(obj, prog, policy, jobs, cells):
    return "%-22s %-24s %-10s %4s " % (obj, prog[:24], policy, jobs) + " ".join(
        "%*s" % (width, cell) for (_, width, _), cell in zip(COLUMNS, cells))


def supports_jobs(mhse):
    """Whether this mhse explores with several workers (--jobs)."""
    proc = subprocess.run([mhse, "explore", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return "--jobs" in proc.stdout


def explore(mhse, obj, policy, max_time, jobs, out_dir):
    """Explore every program of obj; return (exit status, per-program stats, stderr)."""
    cmd = [mhse, "--all", "--policy", policy, "--max-time", str(max_time), "--out", out_dir]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    proc = subprocess.run(cmd + [obj], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stats_file = os.path.join(out_dir, "stats.json")
    programs = json.load(open(stats_file))["programs"] if os.path.exists(stats_file) else []
    return proc.returncode, programs, proc.stderr


def object_name(obj):
    name = os.path.basename(obj)
    return name.removesuffix(".bpf.o").removesuffix(".o")


def measure_exploration(mhse, objects, policies, max_time, job_counts, scratch):
    log("Exploration (--all --max-time %s per program; one row per program, policy and number of jobs)"
        % max_time)
    log(row("object", "program", "policy", "jobs", [heading for heading, _, _ in COLUMNS]))
    all_stats = []
    for obj in objects:
        obj_name = object_name(obj)
        for policy in policies:
            for jobs in job_counts:
                out_dir = os.path.join(scratch, obj_name, policy, str(jobs or 1))
                status, programs, stderr = explore(mhse, obj, policy, max_time, jobs, out_dir)
                for s in programs:
                    log(row(obj_name, s["program"], policy, jobs or 1, [cell(s) for _, _, cell in COLUMNS]))
                    all_stats.append(dict(s, jobs=jobs or 1))
                if status != 0:
                    first_line = (stderr.strip().splitlines() or ["(no message)"])[0]
                    log("%-22s %-24s %-10s %4s exit status %d: %s"
                        % (obj_name, "-", policy, jobs or 1, status, first_line))
    return all_stats


def summarise(all_stats, policies, job_counts):
    log()
    log("Per policy, over all programs (ms/test: total time / total tests, and the median of the rows):")
    for policy, jobs in ((p, j or 1) for p in policies for j in job_counts):
        stats = [s for s in all_stats if s["policy"] == policy and s["jobs"] == jobs]
        tests = sum(s["tests"] for s in stats)
        seconds = sum(s["time_s"] for s in stats)
        solver = sum(s["solver_time_s"] for s in stats)
        median = statistics.median(s["ms_per_test"] for s in stats) if stats else 0
        log("  %-10s jobs %d %6d tests in %7.2f s  %8.3f ms/test  median %7.3f  solver %3.0f%%  peak %6.1f MB"
            "  mismatches %d"
            % (policy, jobs, tests, seconds, 1e3 * seconds / tests if tests else 0, median,
               100 * solver / seconds if seconds else 0,
               max((s["peak_rss_mb"] for s in stats), default=0),
               sum(s["self_check_mismatches"] for s in stats)))


def main():
    parser = argparse.ArgumentParser(description="mhse performance figures")
    parser.add_argument("--build-dir", default=os.path.join(SOURCE_DIR, "build-bench"))
    parser.add_argument("--max-time", type=float, default=20, help="seconds per program (default 20)")
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument("--objects", default="*", help="glob on object file names (default all)")
    parser.add_argument("--seeds", default=os.path.join(os.path.dirname(SOURCE_DIR), "shared", "seeds"),
                        help="a directory of further objects (default ../shared/seeds; '' for none)")
    parser.add_argument("--startup-runs", type=int, default=50)
    args = parser.parse_args()

    build_dir = os.path.abspath(args.build_dir)
    mhse = build(build_dir)
    trivial_obj = compile_trivial_prog(build_dir)
    objects = []
    for progs_dir in (os.path.join(build_dir, "tests", "progs"), os.path.join(build_dir, "tests", "engine")):
        objects += sorted(os.path.join(progs_dir, f) for f in os.listdir(progs_dir)
                          if f.endswith(".bpf.o") and fnmatch.fnmatch(f, args.objects))
    if args.seeds and os.path.isdir(args.seeds):
        objects += sorted(os.path.join(args.seeds, f) for f in os.listdir(args.seeds)
                          if f.endswith(".o") and fnmatch.fnmatch(f, args.objects))
    policies = args.policies.split(",")
    # None: mhse's default (one worker, or no --jobs at all)
    job_counts = [1, 2] if supports_jobs(mhse) else [None]

    log(HEADER)
    log()
    log("mhse %s, %d CPUs, %s" % (mhse, os.cpu_count(), time.strftime("%Y-%m-%d %H:%M")))
    log()
    # Test files go to memory when the machine has a tmpfs: on a disk file
    # system that has just deleted the previous run's thousands of files,
    # creating files can cost the kernel more than mhse takes per test.
    scratch_parent = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    log("test files written to %s" % (scratch_parent or tempfile.gettempdir()))
    log()
    with tempfile.TemporaryDirectory(prefix="mhse-bench-", dir=scratch_parent) as scratch:
        measure_startup(mhse, trivial_obj, args.startup_runs, scratch)
        all_stats = measure_exploration(mhse, objects, policies, args.max_time, job_counts, scratch)
    summarise(all_stats, policies, job_counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
