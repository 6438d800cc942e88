#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Medians and Postern/Dovecot ratios from the JSON lines postern-bench printed (run.sh's results.jsonl)."""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))

    mix = defaultdict(list)     # (label, mode, clients, command) -> [rate]
    steps = defaultdict(lambda: defaultdict(list))  # (label, clients) -> step -> [p50]
    for r in rows:
        if r.get("bench") != "imap-mix":
            continue
        if r["mode"] == "reconnect":
            mix[(r["label"], "reconnect", r["clients"], "sessions")].append(r["sessions_per_s"])
            for k, v in r["p50_ms"].items():
                if v is not None:
                    steps[(r["label"], r["clients"])][k].append(v)
        else:
            mix[(r["label"], "logged-in", r["clients"], r["command"])].append(r["per_s"])

    labels = sorted({k[0] for k in mix})
    postern = [l for l in labels if l.startswith("postern")]
    if mix:
        print("IMAP mix (transport: see 'mix transport' below), median of runs (n = number of runs); ratio = Postern / Dovecot")
        print(f"{'workload':34} {'clients':>7} {'dovecot':>10} " + " ".join(f"{l:>24}" for l in postern) + "   ratio")
        keys = sorted({(k[1], k[2], k[3]) for k in mix}, key=lambda k: (k[0] != "reconnect", k[2], k[1]))
        for mode, clients, cmd in keys:
            name = "sessions/s (reconnecting)" if mode == "reconnect" else f"{cmd}/s (logged in)"
            d = mix.get(("dovecot", mode, clients, cmd), [])
            dm = statistics.median(d) if d else None
            cells, ratios = [], []
            for l in postern:
                p = mix.get((l, mode, clients, cmd), [])
                pm = statistics.median(p) if p else None
                cells.append(f"{pm:>18.1f} (n={len(p)})" if pm is not None else f"{'-':>24}")
                if pm is not None and dm:
                    ratios.append(f"{pm / dm:.2f}x")
            dcell = f"{dm:>10.1f}" if dm is not None else f"{'-':>10}"
            print(f"{name:34} {clients:>7} {dcell} " + " ".join(cells) + "   " + " / ".join(ratios))
        print()
        print("Each run, in run order (the medians above come from these)")
        for mode, clients, cmd in keys:
            name = "sessions/s (reconnecting)" if mode == "reconnect" else f"{cmd}/s (logged in)"
            for l in ["dovecot"] + postern:
                runs = mix.get((l, mode, clients, cmd), [])
                if runs:
                    print(f"  {name:32} {clients:>4} {l:26} " + ", ".join(f"{v:.1f}" for v in runs))
        print()
        print("Reconnecting mix, median of per-run p50 latency per step (ms)")
        for (label, clients), st in sorted(steps.items()):
            print(f"  {label:26} {clients:>4} clients: " + ", ".join(
                f"{k} {statistics.median(v):.1f}" for k, v in st.items()))
        print()

    first_base = {}
    for r in rows:
        if r.get("bench") == "imap-big":
            print(f"Large mailbox ({r.get('exists')} messages, {r['label']}, TLS): first / median of {r['repeats']} (ms)")
            for k, v in r.items():
                if k.endswith("_ms") and isinstance(v, dict):
                    print(f"  {k[:-3]:18} {v['first']:>10} {v['median']:>10}")
                elif k.endswith("_ms"):  # a single figure, e.g. how long the index took to settle
                    print(f"  {k[:-3]:18} {v:>10}")
            print(f"  fetch lines {r.get('fetch_lines')}, SEARCH BODY {r['word']!r} hits {r.get('search_hits')}, "
                  f"SORT offered: {r.get('sort_offered')}")
            print()
        elif r.get("bench") == "imap-idle":
            # run.sh keeps one server process across the connection counts: growth from its first baseline
            first = first_base.setdefault(r["label"], r["base"])
            line = (f"IDLE {r['label']}: {r['idling']}/{r['connections']} idling (failed {r['failed']}), "
                    f"connect {r['connect_s']} s; RSS {r['base']['rss_kib'] // 1024} -> {r['loaded']['rss_kib'] // 1024} MiB, "
                    f"growth {r['rss_growth_kib_per_conn']} KiB/conn RSS, {r['pss_growth_kib_per_conn']} KiB/conn PSS")
            if first is not r["base"]:
                line += (f" (from the fresh process's baseline: "
                         f"{(r['loaded']['rss_kib'] - first['rss_kib']) / max(1, r['idling']):.0f} KiB/conn RSS)")
            if "rss_growth_after_gc_kib_per_conn" in r:
                line += f", after full GC {r['rss_growth_after_gc_kib_per_conn']} KiB/conn RSS"
            d = r.get("delivery")
            if d:
                line += (f"; delivery to {d['users']} users: {d['reached']} connections saw EXISTS, "
                         f"all within {d['all_s']} s (median {d['p50_s']} s, SMTP part {d['smtp_s']} s)")
            print(line)


if __name__ == "__main__":
    main(sys.argv[1])
