#!/usr/bin/env python3
"""Compares two study results.csv files, but for the columns that measure
time or memory (they differ from run to run); prints the first difference."""
import csv, sys

TIMING = {"time_to_final_coverage_s", "ms_per_test", "solver_pct", "peak_rss_mb"}

def rows(path):
    return [{k: v for k, v in row.items() if k not in TIMING} for row in csv.DictReader(open(path))]

a, b = rows(sys.argv[1]), rows(sys.argv[2])
if len(a) != len(b):
    sys.exit("%d rows against %d" % (len(a), len(b)))
for x, y in zip(a, b):
    if x != y:
        diff = {k: (x[k], y.get(k)) for k in x if x[k] != y.get(k)}
        sys.exit("%s %s %s: %s" % (x["object"], x["program"], x["policy"], diff))
