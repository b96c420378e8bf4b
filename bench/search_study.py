#!/usr/bin/env python3
"""Runs the search study (bench/search-study.yaml) and prints where the default search covers less.

    bench/search_study.py                  # every cell: about half an hour on two cores
    bench/search_study.py --work /tmp/ss   # where the cells' result files go (default build-bench/search-study)
    bench/search_study.py --study bench/search-study-falco.yaml --work /tmp/sf   # falco's 376 in full: two hours

For each program of the study, the default search's instruction and branch coverage at 10 s
are compared with the best that dfs, bfs and random-path reach in 10 s each; the programs
where the default is below that best are listed with every search's figures. A run's
coverage at a time budget varies with the machine's load (which paths the budget reaches),
and the best of three searches is the highest of three such draws: each program listed is
run again, the default and every search that beat it, twice more each, and the programs
where the default's median of three is below the best median are listed again. A study
resumes: run it again after an interruption and only the cells without a result file run.
The script prints figures and never judges them; it fails only when a tool fails.
"""
import argparse
import collections
import concurrent.futures
import csv
import json
import os
import statistics
import subprocess

from seeds_study import ROOT, build, number

OTHERS = ["dfs", "bfs", "random-path"]
REPEATS = 2


def coverage(row):
    return number(row, "insn_coverage_pct"), number(row, "branch_coverage_pct")


def compare(rows):
    cells = collections.defaultdict(dict)
    for row in rows:
        cells[(os.path.basename(row["object"]), row["program"])][row["search"]] = row
    below = []
    for (obj, prog), by_search in sorted(cells.items()):
        default = coverage(by_search["interleaved"])
        others = {s: coverage(by_search[s]) for s in OTHERS if s in by_search}
        best = [max((c[i] for c in others.values() if c[i] is not None), default=0) for i in (0, 1)]
        if any(d is None or d < b for d, b in zip(default, best)):
            below.append((obj, prog, default, others))
    print("%d programs; the default search covers less than the best of %s on %d:"
          % (len(cells), ", ".join(OTHERS), len(below)))
    print("| object | program | default insn% / branch% | " + " | ".join(OTHERS) + " |")
    print("| --- | --- | --- |" + " --- |" * len(OTHERS))
    for obj, prog, default, others in below:
        print("| %s | %s | %s / %s | " % (obj, prog, *default) +
              " | ".join("%s / %s" % others.get(s, ("-", "-")) for s in OTHERS) + " |")
    return below


def repeat(mhse, study, work, jobs, rows, below):
    """Runs the searches of the programs below REPEATS times more; prints the medians."""
    policy = {(os.path.basename(r["object"]), r["program"]): r["policy"] for r in rows}
    runs = []
    for obj, prog, default, others in below:
        beat = [s for s, c in others.items() if any(x is not None and (d is None or x > d) for d, x in zip(default, c))]
        for search in ["interleaved"] + beat:
            cell = "%s.%s.%s.%s" % (obj, prog, policy[(obj, prog)], search)
            runs += [(cell, os.path.join(work, "repeat-%d" % (k + 1))) for k in range(REPEATS)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda r: subprocess.run([mhse, "study", study, "--out", r[1], "--cell", r[0]], check=True,
                                               stdout=subprocess.DEVNULL), runs))
    samples = collections.defaultdict(list)
    for row in rows:
        samples[(os.path.basename(row["object"]), row["program"], row["search"])].append(coverage(row))
    for cell, out in runs:
        res = json.load(open(os.path.join(out, "cells", cell + ".json")))
        samples[(os.path.basename(res["object"]), res["program"], res["search"])].append(coverage(res))
    still = []
    for obj, prog, _, _ in below:
        med = {s: tuple(statistics.median(c[i] or 0 for c in samples[(obj, prog, s)]) for i in (0, 1))
               for s in ["interleaved"] + OTHERS if samples[(obj, prog, s)]}
        best = [max(m[i] for s, m in med.items() if s != "interleaved") for i in (0, 1)]
        if any(d < b for d, b in zip(med["interleaved"], best)):
            still.append((obj, prog, med))
    print("\nrun again %d more times, the default's median of three is below the best median on %d:"
          % (REPEATS, len(still)))
    print("| object | program | search | insn% / branch% (median) | runs |")
    print("| --- | --- | --- | --- | --- |")
    for obj, prog, med in still:
        for s, m in med.items():
            print("| %s | %s | %s | %s / %s | %s |" % (obj, prog, s, *m,
                  ", ".join("%s / %s" % c for c in samples[(obj, prog, s)])))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--work", default=None, help="the cells' result files (default BUILD_DIR/search-study)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--study", default=os.path.join(ROOT, "bench", "search-study.yaml"))
    args = ap.parse_args()
    mhse = build(args.build_dir)
    subprocess.run(["ninja", "-j2", "-C", args.build_dir], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    work = args.work or os.path.join(args.build_dir, "search-study")
    subprocess.run([mhse, "study", args.study, "--out", work,
                    "--jobs", str(args.jobs)], check=True)
    rows = list(csv.DictReader(open(os.path.join(work, "results.csv"))))
    below = compare(rows)
    if below:
        repeat(mhse, args.study, work, args.jobs, rows, below)


if __name__ == "__main__":
    main()
