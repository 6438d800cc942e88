#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the CPU time (seconds, user+system) used so far by a process and all its descendants,
counting children that already exited (cutime/cstime): a forking server such as Dovecot does its work
in short-lived children. Usage: cpu_ticks.py PID"""
import os
import sys

root = int(sys.argv[1])
hz = os.sysconf("SC_CLK_TCK")
stats = {}
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            with open(f"/proc/{d}/stat") as f:
                f_ = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after "(comm)": state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state
        stats[int(d)] = (int(f_[1]), sum(int(x) for x in f_[11:15]))
tree, todo = set(), [root]
while todo:
    p = todo.pop()
    if p in tree:
        continue
    tree.add(p)
    todo.extend(c for c, (pp, _) in stats.items() if pp == p)
print(f"{sum(stats[p][1] for p in tree if p in stats) / hz:.2f}")
