#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Each run and the median over runs of the 'postern-bench jmap' JSON lines in run.sh's results.jsonl."""
import json
import statistics
import sys

# (key in the result line, statistic, issue 6's target in ms or None)
COLUMNS = [
    ("first_list_ms", None, None),
    ("first_list_server_cpu_ms", None, None),
    ("list_ms", "median", 50),
    ("list_ms", "p90", 50),
    ("list_ms", "min", None),
    ("list_server_cpu_ms", None, None),
    ("query_ms", "median", None),
    ("query_server_cpu_ms", None, None),
    ("get_ms", "median", None),
    ("get_server_cpu_ms", None, None),
    ("first_total_ms", None, None),
    ("first_total_server_cpu_ms", None, None),
    ("total_ms", "median", None),
    ("total_server_cpu_ms", None, None),
    ("push_ms", "median", 1000),
    ("push_ms", "p90", 1000),
    ("smtp_250_ms", "median", None),
    ("list_after_change_ms", "median", None),
]


def value(row, key, stat):
    v = row.get(key)
    if isinstance(v, dict):
        v = v.get(stat)
    return v


def main(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                if r.get("bench") == "jmap":
                    rows.append(r)
    if not rows:
        print("no jmap results in " + path)
        return 1
    names = [k if s is None else f"{k}.{s}" for k, s, _ in COLUMNS]
    print("run            inbox    " + "  ".join(f"{n:>19}" for n in names) + "  missed  load")
    for r in rows:
        cells = [value(r, k, s) for k, s, _ in COLUMNS]
        print(f"{r['label']:<14} {r.get('inbox_threads', r.get('inbox_messages'))!s:<8} "
              + "  ".join(f"{c if c is not None else '-':>19}" for c in cells)
              + f"  {r.get('push_missed', '-')!s:>6}  {r.get('load_before')}->{r.get('load_after')}")
    medians = []
    for k, s, _ in COLUMNS:
        vals = [value(r, k, s) for r in rows if value(r, k, s) is not None]
        medians.append(statistics.median(vals) if vals else None)
    print(f"{'median':<14} {'':<8} " + "  ".join(f"{m if m is not None else '-':>19}" for m in medians))
    for (k, s, target), m in zip(COLUMNS, medians):
        if target is not None and m is not None:
            verdict = "meets" if m < target else "MISSES"
            print(f"{k}.{s}: median {m} ms, target under {target} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results.jsonl"))
