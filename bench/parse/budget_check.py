#!/usr/bin/env python3
"""Runs every file under the given folders through `tinhop parse` and reports the ones the
parse memory budget (ParseLimits::memory_ratio) refused or cut short: real feeds must never
hit it. With --baseline, also runs a build from before a change and reports every file
whose output or exit status differs. With --memory, reports the parse that came nearest
its budget (parse_memory's charged_peak_ratio against max(4x input, 1 MiB)).

    python3 bench/parse/budget_check.py --tinhop build/release/daemon/tinhop \\
        [--baseline OLD/tinhop] [--memory build/release/bench/parse_memory] DIR...
"""
import argparse
import json
import os
import subprocess
import sys

FLOOR = 1 << 20
RATIO = 4


def files_under(folders):
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in sorted(names):
                path = os.path.join(root, name)
                if os.path.isfile(path):
                    yield path


def parse(binary, path):
    run = subprocess.run([binary, "parse", path], capture_output=True, timeout=60)
    return run.returncode, run.stdout, run.stderr.decode("utf-8", "replace")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tinhop", required=True)
    parser.add_argument("--baseline")
    parser.add_argument("--memory")
    parser.add_argument("folders", nargs="+")
    args = parser.parse_args()
    files = list(files_under(args.folders))
    counts = {"files": len(files), "parsed": 0, "refused": 0, "budget_refused": 0, "budget_cut": 0, "differ": 0}
    for path in files:
        code, out, err = parse(args.tinhop, path)
        counts["parsed" if code == 0 else "refused"] += 1
        if "to parse (budget:" in err:
            counts["budget_refused"] += 1
            print("refused by the budget:", path, err.strip())
        if b"memory budget of" in out:
            counts["budget_cut"] += 1
            print("cut by the budget:", path)
        if args.baseline and parse(args.baseline, path)[:2] != (code, out):
            counts["differ"] += 1
            print("differs from the baseline:", path)
    if args.memory:
        nearest = (0.0, None)
        for start in range(0, len(files), 200):
            run = subprocess.run([args.memory] + files[start:start + 200], capture_output=True, text=True)
            for line in run.stdout.splitlines():
                row = json.loads(line)
                if row.get("outcome") != "parsed" or row["bytes"] == 0:
                    continue
                budget = max(RATIO * row["bytes"], FLOOR)
                share = row["charged_peak_ratio"] * row["bytes"] / budget
                nearest = max(nearest, (share, row["file"]))
        counts["nearest_budget_share"] = round(nearest[0], 3)
        counts["nearest_file"] = nearest[1]
    print(json.dumps(counts))
    return 1 if counts["budget_refused"] or counts["budget_cut"] or counts["differ"] else 0


if __name__ == "__main__":
    sys.exit(main())
