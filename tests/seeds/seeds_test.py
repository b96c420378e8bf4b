#!/usr/bin/env python3
"""The seed objects (../shared/seeds) explored end to end, as a user runs them.

Each object is explored with `mhse --all` (or a fixed sample of its programs,
for the monitors with hundreds) and no --hook, every program under a small
fixed budget, with the kernel refereeing every replayable test when bpf()
can run programs here. The test asserts:
  - every program is placed by the object alone, except those expect.txt
    lists as not placed yet, each of which mhse names in one line;
  - no crash (no signal, no sanitizer report);
  - self-check: 0 mismatches;
  - kernel agreement: 0 disagreements (when bpf() is usable), and for the
    objects expect.txt calls replayable, every test replayed;
  - expect.txt's coverage floors and unsupported ceilings per object.
It skips, saying why, when ../shared/seeds is absent.

usage: seeds_test.py MHSE SEEDS_DIR EXPECT_FILE OUT_DIR
bench/seeds imports the reading of expect.txt and the sampling from here.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys

MAX_PATHS = 20       # per program: the budget of the programs whose paths are cheap
MAX_TIME = 3         # seconds per program: the budget of the others (expect.txt says which)
# the floors of expect.txt were measured with dfs: the first 20 paths of
# another search are other paths (interleaved's reach less of katran and
# more of falco-legacy-probe's unsupported map values in the budget)
SEARCH = "dfs"
SKIP = 77


def no_expectations():
    return {"args": [], "sample": None, "unplaced": set(), "floor": {}, "unsupported": None, "replayable": False}


def read_expect(path):
    """expect.txt as {object: {"args": [...], "sample": N, "unplaced": set, "floor": {}, "unsupported": N,
    "replayable": bool}}."""
    seeds = {}
    for number, line in enumerate(open(path), 1):
        words = shlex.split(line.split("#", 1)[0])
        if not words:
            continue
        kind, obj, rest = words[0], words[1], words[2:]
        e = seeds.setdefault(obj, no_expectations())
        if kind == "args":
            e["args"] += rest
        elif kind == "sample":
            e["sample"] = int(rest[0])
        elif kind == "unplaced":
            e["unplaced"].update(rest)
        elif kind == "floor":
            e["floor"].update((k, float(v)) for k, v in (w.split("=") for w in rest))
        elif kind == "unsupported":
            e["unsupported"] = int(rest[0])
        elif kind == "replayable":
            e["replayable"] = True
        else:
            raise SystemExit("%s:%d: unknown line kind '%s'" % (path, number, kind))
    return seeds


def programs(mhse, obj):
    """The object's programs as mhse info -j lists them."""
    out = subprocess.run([mhse, "info", "-j", obj], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["programs"]


def sample(names, n):
    """n names spread evenly over the list, always the same ones."""
    if n is None or n >= len(names):
        return names
    return [names[i * len(names) // n] for i in range(n)]


def explore(mhse, obj, progs, args, out_dir, kernel):
    """Runs mhse on progs (None: --all); returns (exit code, stderr)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [mhse, "--search", SEARCH, "--max-paths", str(MAX_PATHS), "--max-time", str(MAX_TIME), "--out", out_dir] + args
    cmd += ["--replay-kernel"] if kernel else []
    cmd += ["--all"] if progs is None else [a for p in progs for a in ("--prog", p)]
    r = subprocess.run(cmd + [obj], capture_output=True, text=True)
    return r.returncode, r.stderr


def kernel_usable(mhse, obj):
    """Whether the kernel can referee here: mhse replay --kernel exits 4 when bpf() cannot run programs."""
    r = subprocess.run([mhse, "replay", "--kernel", "--hook", "xdp", obj, os.devnull], capture_output=True, text=True)
    return r.returncode != 4


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    mhse, seeds_dir, expect_file, out = sys.argv[1:]
    if not os.path.isdir(seeds_dir):
        print("skipped: no seed objects at %s" % seeds_dir)
        return SKIP
    expect = read_expect(expect_file)
    objects = sorted(f for f in os.listdir(seeds_dir) if f.endswith(".o"))
    kernel = kernel_usable(mhse, os.path.join(seeds_dir, objects[0]))
    if not kernel:
        print("kernel agreement not checked: bpf() cannot run programs here (root and bpf() needed)")
    failures = []
    for name in objects:
        obj = os.path.join(seeds_dir, name)
        e = expect.get(name, no_expectations())
        listed = programs(mhse, obj)
        names = [p["name"] for p in listed]
        chosen = sample(names, e["sample"])
        out_dir = os.path.join(out, name)
        rc, err = explore(mhse, obj, None if chosen == names else chosen, e["args"], out_dir, kernel)
        fail = lambda why: failures.append("%s: %s" % (name, why))
        if rc < 0 or rc > 4 or "Sanitizer" in err or "runtime error" in err:
            fail("mhse crashed (exit %d): %s" % (rc, err.strip()[-500:]))
            continue
        explored, stats = set(), []
        for p in chosen:
            path = os.path.join(out_dir, p, "stats.json")
            if os.path.exists(path):
                explored.add(p)
                stats.append(json.load(open(path)))
        missing = set(chosen) - explored
        expected_missing = e["unplaced"] & set(chosen)
        for p in sorted(missing - expected_missing):
            fail("program %s was not explored: %s" % (p, [l for l in err.splitlines() if p in l][:1]))
        for p in sorted(expected_missing - missing):
            fail("program %s is placed now: remove it from expect.txt's unplaced list" % p)
        for p in sorted(expected_missing & missing):
            if not any(("program %s" % p) in l and "hook" in l for l in err.splitlines()):
                fail("program %s is not placed and mhse did not say so in a line naming it and its hook" % p)
        if rc not in (0, 2, 3) or (rc and not expected_missing):
            fail("exit %d: %s" % (rc, err.strip()[-500:]))
        mism = sum(s["self_check_mismatches"] for s in stats)
        disagree = sum(s.get("kernel_disagree", 0) for s in stats)
        agree = sum(s.get("kernel_agree", 0) for s in stats)
        not_replayable = sum(s.get("kernel_not_replayable") or 0 for s in stats)
        unsup = sum(s["unsupported"] for s in stats)
        paths = sum(s["paths"] for s in stats)
        if mism:
            fail("%d self-check mismatches" % mism)
        if disagree:
            fail("the kernel disagrees on %d tests" % disagree)
        if kernel and e["replayable"] and not_replayable:
            fail("the kernel cannot replay %d tests (mhse replay --kernel says why)" % not_replayable)
        total = json.load(open(os.path.join(out_dir, "stats.json")))["total"] if stats else None
        for key, floor in sorted(e["floor"].items()):
            got = total["%s_coverage_pct" % key] if total else 0.0
            if got < floor:
                fail("%s coverage %.2f%% is below the floor %.2f%%" % (key, got, floor))
        if e["unsupported"] is not None and unsup > e["unsupported"]:
            fail("%d unsupported paths, at most %d expected" % (unsup, e["unsupported"]))
        print("%-22s %3d/%3d programs explored, %5d paths, %4d unsupported, insn %6.2f%%, branch %6.2f%%, "
              "kernel agrees on %d tests" % (name, len(explored), len(names), paths, unsup,
                                             total["insn_coverage_pct"] if total else 0,
                                             total["branch_coverage_pct"] if total else 0, agree))
    for f in failures:
        print("FAIL: " + f)
    print("%d objects, %d failures" % (len(objects), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
