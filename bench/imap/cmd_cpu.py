#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Server CPU per IMAP command, for a machine too loaded for wall-clock figures to mean much.

  cmd_cpu.py --pid PID --port 993 --user U --password P [--repeats 15] [--plain] CMD [CMD ...]
Each repeat SELECTs INBOX, runs the commands in turn and UNSELECTs. For each command it prints the
median wall time and the server process's CPU time (utime+stime from /proc, 10 ms ticks: use enough
repeats) with the first, cold run apart. Process CPU includes the JIT and GC threads: run a warm-up
first, or compare thread groups (`ps -L -o comm,time -p PID`).
"""
import argparse, os, socket, ssl, statistics, time

ap = argparse.ArgumentParser()
ap.add_argument("--pid", type=int, required=True)
ap.add_argument("--port", type=int, default=993)
ap.add_argument("--user", required=True)
ap.add_argument("--password", required=True)
ap.add_argument("--repeats", type=int, default=15)
ap.add_argument("--plain", action="store_true", help="no TLS (the server must allow plaintext LOGIN)")
ap.add_argument("commands", nargs="+")
a = ap.parse_args()
hz = os.sysconf("SC_CLK_TCK")


def cpu_ms():
    f = open(f"/proc/{a.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000.0 / hz


sock = socket.create_connection(("127.0.0.1", a.port))
if not a.plain:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sock = ctx.wrap_socket(sock)
reader = sock.makefile("rb", buffering=1 << 20)
counter = 0


def command(text):
    global counter
    counter += 1
    tag = b"c%d" % counter
    sock.sendall(tag + b" " + text.encode() + b"\r\n")
    while True:
        line = reader.readline()
        if not line:
            raise SystemExit("connection closed")
        if line.startswith(tag + b" "):
            if not line.startswith(tag + b" OK"):
                raise SystemExit(f"{text}: {line!r}")
            return


reader.readline()
command(f"LOGIN {a.user} {a.password}")
results = {c: ([], []) for c in a.commands}
for _ in range(a.repeats):
    command("SELECT INBOX")
    for c in a.commands:
        c0, t0 = cpu_ms(), time.perf_counter()
        command(c)
        results[c][0].append((time.perf_counter() - t0) * 1000)
        results[c][1].append(cpu_ms() - c0)
    command("UNSELECT")
for c, (wall, cpu) in results.items():
    warm = cpu[1:] or cpu
    print(f"{c[:40]:40s} wall median {statistics.median(wall):8.1f} ms (first {wall[0]:.0f})"
          f"  server cpu mean {statistics.mean(warm):7.1f} ms (first {cpu[0]:.0f})")
print("load average", " ".join(open("/proc/loadavg").read().split()[:3]))
