#!/usr/bin/env python3
"""Prints a digest of the set of tests in the output directories given, by
their branch decisions and how they ended (kind, return), one line per
distinct test with its count; used to compare runs (--jobs, --shard)."""
import collections, glob, json, os, sys

def tests(dirs):
    seen = collections.Counter()
    for d in dirs:
        for f in glob.glob(os.path.join(d, "test-*.json")):
            t = json.load(open(f))
            key = (t["kind"], json.dumps(t["branches"]), t["expected"]["return"])
            seen[key] += 1
    return seen

if __name__ == "__main__":
    for (kind, branches, ret), n in sorted(tests(sys.argv[1:]).items()):
        print(n, kind, ret, branches)
