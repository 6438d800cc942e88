#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""IDLE fan-out cost: N plaintext connections in IDLE on INBOX (spread over the users of a users file,
each from its own loopback source address, since Postern limits connections per address), then one
SMTP message to every user; prints the time until every connection saw EXISTS and the server's CPU
time meanwhile (delivery included).

  fanout.py --pid PID --imap-port 143 --smtp-port 25 --users-file USERS [--connections 2000]
The server must allow plaintext LOGIN (allow_plaintext_auth = true). bench/imap/run.sh idle measures
the same over TLS with memory; this one isolates the notification path's CPU.
"""
import argparse, os, selectors, smtplib, socket, time

ap = argparse.ArgumentParser()
ap.add_argument("--pid", type=int, required=True)
ap.add_argument("--imap-port", type=int, required=True)
ap.add_argument("--smtp-port", type=int, required=True)
ap.add_argument("--users-file", required=True)
ap.add_argument("--connections", type=int, default=2000)
a = ap.parse_args()
users = [line.split() for line in open(a.users_file) if line.strip()]
hz = os.sysconf("SC_CLK_TCK")


def cpu_ms():
    f = open(f"/proc/{a.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000.0 / hz


conns = []
for i in range(a.connections):
    user, password = users[i % len(users)][:2]
    s = socket.create_connection(("127.0.0.1", a.imap_port), source_address=(f"127.1.{(i // 250) % 250}.{i % 250 + 1}", 0))
    r = s.makefile("rb")
    r.readline()
    s.sendall(f"a LOGIN {user} {password}\r\nb SELECT INBOX\r\nc IDLE\r\n".encode())
    while True:
        line = r.readline()
        if not line or line.startswith(b"+ ") or line.startswith(b"a NO") or line.startswith(b"* BYE"):
            break
    if not line.startswith(b"+ "):
        raise SystemExit(f"connection {i} ({user}): {line!r}")
    conns.append(s)
time.sleep(3)
sel = selectors.DefaultSelector()
seen = {}
for s in conns:
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    seen[s] = b""
c0, t0 = cpu_ms(), time.time()
smtp = smtplib.SMTP("127.0.0.1", a.smtp_port)
for k in range(0, len(users), 100):
    smtp.sendmail("fanout@bench.test", [u[0] for u in users[k:k + 100]], b"Subject: fan-out\r\n\r\nhello\r\n")
smtp.quit()
t1 = time.time()
left = set(conns)
while left and time.time() - t0 < 60:
    for key, _ in sel.select(1):
        try:
            data = key.fileobj.recv(4096)
        except BlockingIOError:
            continue
        seen[key.fileobj] += data
        if b"EXISTS" in seen[key.fileobj]:
            left.discard(key.fileobj)
t2, c2 = time.time(), cpu_ms()
print(f"connections {a.connections}: SMTP {t1 - t0:.2f} s, all saw EXISTS after {t2 - t0:.2f} s, missing {len(left)}, "
      f"server CPU {c2 - c0:.0f} ms ({(c2 - c0) * 1000 / a.connections:.0f} us per connection), "
      f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
for s in conns:
    s.close()
