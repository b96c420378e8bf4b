#!/usr/bin/env python3
"""Runs the seed study (bench/seeds-study.yaml) and writes its reference figures.

    bench/seeds_study.py                       # the whole study: about an hour on two cores
    bench/seeds_study.py --cells 'katran|crab' # only the cells whose id matches, e.g. to check it works
    bench/seeds_study.py --work /tmp/s         # where the cells' result files go (default build-bench/seeds-study)

A study resumes: run it again after an interruption and only the cells without a
result file run. At the end the results page (results.csv, results.md, plots/)
is copied to bench/seeds-study/, and the section of docs/study.md between the
seed-figures markers is rewritten from results.csv. The script prints figures
and never judges them; it fails only when a tool fails.
"""
import argparse
import concurrent.futures
import csv
import os
import re
import shlex
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- seed figures: written by bench/seeds_study.py, do not edit -->"
END = "<!-- end of seed figures -->"
POLICIES = ["alloc", "lookup", "consistent", "concrete"]
# the objects the docs table shows program by program (falco's 376 go by type only)
BY_PROGRAM = ["katran.o", "crab.o", "fw.o", "fluvia.o", "hercules.o", "rakelimit.o", "dae-tproxy.o"]


def build(build_dir):
    if not os.path.isdir(build_dir):
        subprocess.run(["meson", "setup", build_dir, "--buildtype=release"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-j2", "-C", build_dir, "mhse"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return os.path.join(build_dir, "mhse")


def run_cells(mhse, study, work, pattern, jobs):
    """Runs the cells whose id matches pattern, jobs at a time, then merges."""
    out = subprocess.run([mhse, "study", study, "--out", work, "--emit", "commands"], check=True,
                         capture_output=True, text=True).stdout
    commands = [c for c in out.splitlines() if re.search(pattern, shlex.split(c)[-1])]
    print("%d of %d cells match %r" % (len(commands), len(out.splitlines()), pattern), file=sys.stderr)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for done, rc in enumerate(pool.map(lambda c: subprocess.run(c, shell=True).returncode, commands), 1):
            print("\rcells: %d of %d done" % (done, len(commands)), end="", file=sys.stderr)
    print(file=sys.stderr)
    subprocess.run([mhse, "study", "--merge", work], check=True)


def number(row, key):
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        return None


def figures(rows):
    """The docs section: tests, map states and ms per test per program and policy."""
    lines = [BEGIN, "",
             "Seed study figures (%d cells; regenerate with `bench/seeds_study.py`). For each program and "
             "policy: tests, distinct map states, tests per map state, and ms per test; `-` where the "
             "cell did not explore (its status is in bench/seeds-study/results.md)." % len(rows), "",
             "| object | program | " + " | ".join(POLICIES) + " |",
             "| --- | --- | " + " | ".join("---:" for _ in POLICIES) + " |"]
    cells = {}
    for r in rows:
        cells[(os.path.basename(r["object"]), r["program"], r["policy"])] = r
    programs = sorted({(o, p) for (o, p, _) in cells if o in BY_PROGRAM},
                      key=lambda k: (BY_PROGRAM.index(k[0]), k[1]))
    for obj, prog in programs:
        out = []
        for policy in POLICIES:
            r = cells.get((obj, prog, policy))
            if not r or r["status"] != "ok":
                out.append("-")
                continue
            out.append("%s / %s / %s / %s ms" % (r["tests"], r["map_states"], r["tests_per_map_state"] or "-",
                                                r["ms_per_test"]))
        lines.append("| %s | %s | %s |" % (obj, prog, " | ".join(out)))
    lines += ["", "Per program type (all objects, falco's included): mean instruction coverage and total tests.", "",
              "| type | " + " | ".join(POLICIES) + " |", "| --- | " + " | ".join("---:" for _ in POLICIES) + " |"]
    types = sorted({r["type"] for r in rows if r["status"] == "ok"})
    for t in types:
        out = []
        for policy in POLICIES:
            sel = [r for r in rows if r["type"] == t and r["policy"] == policy and r["status"] == "ok"]
            if not sel:
                out.append("-")
                continue
            cov = sum(number(r, "insn_coverage_pct") or 0 for r in sel) / len(sel)
            out.append("%.1f%% / %d tests (%d programs)" % (cov, sum(int(r["tests"]) for r in sel), len(sel)))
        lines.append("| %s | %s |" % (t, " | ".join(out)))
    not_ok = [r for r in rows if r["status"] != "ok"]
    lines += ["", "%d cells did not explore: %s." % (len(not_ok), ", ".join(
        "%d %s" % (n, s) for s, n in sorted({(r["status"], sum(1 for x in not_ok if x["status"] == r["status"]))
                                             for r in not_ok}))) if not_ok else "Every cell explored.", "", END]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--study", default=os.path.join(ROOT, "bench", "seeds-study.yaml"))
    ap.add_argument("--work", default=None, help="the cells' result files (default BUILD_DIR/seeds-study)")
    ap.add_argument("--cells", default=None, help="only the cells whose id matches this regular expression")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-docs", action="store_true", help="leave bench/seeds-study/ and docs/study.md alone")
    args = ap.parse_args()
    mhse = build(args.build_dir)
    work = args.work or os.path.join(args.build_dir, "seeds-study")
    if args.cells:
        run_cells(mhse, args.study, work, args.cells, args.jobs)
    else:
        subprocess.run([mhse, "study", args.study, "--out", work, "--jobs", str(args.jobs)], check=True)
    rows = list(csv.DictReader(open(os.path.join(work, "results.csv"))))
    section = figures(rows)
    print(section)
    if args.no_docs:
        return
    ref = os.path.join(ROOT, "bench", "seeds-study")
    shutil.rmtree(ref, ignore_errors=True)
    os.makedirs(ref)
    for f in ("results.csv", "results.md"):
        shutil.copy(os.path.join(work, f), ref)
    shutil.copytree(os.path.join(work, "plots"), os.path.join(ref, "plots"))
    doc = os.path.join(ROOT, "docs", "study.md")
    text = open(doc).read()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    open(doc, "w").write(text[:start] + section + text[end:])


if __name__ == "__main__":
    main()
