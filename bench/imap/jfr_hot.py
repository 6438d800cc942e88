#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where Postern's CPU time goes, from a flight recording: execution samples grouped by the IMAP/SMTP/
net handler they ran under, with the hottest methods of each group (self time) and the hottest Postern
frames (inclusive time).

  jfr_hot.py RECORDING.jfr [--top 12] [--group REGEX]
Uses the JDK's 'jfr print' (from $JAVA_HOME/bin or PATH).
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys

HANDLER = re.compile(r"org\.postern\.\w+\.[\w$]*Handler\.")
FRAME = re.compile(r"^\s+([\w$.<>/]+)\((.*?)\)\s+line:")


def samples(jfr, path, native):
    events = "jdk.ExecutionSample,jdk.NativeMethodSample" if native else "jdk.ExecutionSample"
    out = subprocess.run([jfr, "print", "--events", events, "--stack-depth", "96", path],
                         check=True, capture_output=True, text=True).stdout
    stack = None
    for line in out.splitlines():
        if line.startswith("jdk.ExecutionSample") or line.startswith("jdk.NativeMethodSample"):
            if stack:
                yield stack
            stack = []
        elif stack is not None:
            m = FRAME.match(line)
            if m:
                stack.append(m.group(1))
    if stack:
        yield stack


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recording")
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--group", default=r"org\.postern\.(imap|smtp|pop3|auth)\.[\w$]*(Handler|Session|Authenticator)\b[\w$.]*"
                                       r"|org\.postern\.net\.Listener\.serve|org\.postern\.store\.sqlite\.\w+\.\w+")
    ap.add_argument("--native", action="store_true", help="also count samples of threads in native code (SQLite, socket I/O)")
    a = ap.parse_args()
    jfr = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "jfr")
    if not os.path.exists(jfr):
        jfr = shutil.which("jfr") or sys.exit("no 'jfr' tool: set JAVA_HOME to a JDK")
    group_re = re.compile(a.group)
    groups = collections.defaultdict(lambda: [0, collections.Counter(), collections.Counter()])
    total = 0
    for st in samples(jfr, a.recording, a.native):
        total += 1
        # jfr prints the innermost frame first: the first Handler frame is the command being served;
        # samples outside any handler are grouped by the first frame matching --group, else by thread entry
        g = next((f for f in st if HANDLER.match(f)), None) \
            or next((f for f in st if group_re.match(f)), None) \
            or "(other: " + (st[-1] if st else "?") + ")"
        entry = groups[g]
        entry[0] += 1
        entry[1][st[0] if st else "?"] += 1
        for f in set(st):
            if f.startswith("org.postern."):
                entry[2][f] += 1
    print(f"{total} execution samples")
    for g, (n, selfc, incl) in sorted(groups.items(), key=lambda kv: -kv[1][0])[:a.top]:
        print(f"\n{n:6d} {100.0 * n / max(1, total):5.1f}%  {g}")
        for m, c in selfc.most_common(a.top):
            print(f"         self {100.0 * c / n:5.1f}%  {m}")
        # frames present in (nearly) every sample of the group say nothing; show the ones that split it
        for m, c in [(m, c) for m, c in incl.most_common() if c < 0.97 * n][:6]:
            print(f"         incl {100.0 * c / n:5.1f}%  {m}")


if __name__ == "__main__":
    main()
