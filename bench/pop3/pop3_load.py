#!/usr/bin/env python3
"""POP3 retrieval throughput (server-agnostic, stdlib asyncio only).

Adapted for Postern's bench/pop3/run.sh from ../shared/bench/pop3_load.py: --sources N spreads the
clients over the loopback source addresses 127.0.0.1..127.0.0.N, as clients on N machines would be,
so a server's per-address connection cap (Postern: 50, as Postfix's default) is not what is measured.

C concurrent clients loop for SECS seconds (or until --max-sessions): each session
connects, USER/PASS as the next user in round-robin order, LIST, RETR every message
(no DELE, so the mailboxes stay the same), QUIT. Reports messages retrieved per second,
sessions per second and MB/s, plus machine CPU utilisation (from /proc/stat) and the
CPU time this client used (it shares the cores with the server on a small box).
Repeats --runs times and prints the median.

Mailboxes must already hold messages, e.g.:
  imap_count.py append --user 'test%d' --users 1-100 --password PW --mbox test.mbox --per-user 20

Example:
  pop3_load.py --host 127.0.0.1 --port 110 --user 'test%d' --users 1-100 --password PW \
      --clients 10 --secs 20 --runs 3
"""
import argparse
import asyncio
import resource
import statistics
import sys
import time


def tls_context():
    """Implicit-TLS client context for self-signed test servers (certificate not verified)."""
    import ssl
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def cpu_snapshot():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + (v[4] if len(v) > 4 else 0)


class Stats:
    def __init__(self):
        self.sessions = self.msgs = self.bytes = self.errors = 0


async def expect_ok(reader):
    line = await reader.readline()
    if not line.startswith(b"+OK"):
        raise RuntimeError(f"unexpected reply {line[:80]!r}")
    return line


async def session(a, user, st, deadline, idx):
    source = (f"127.0.0.{1 + idx % a.sources}", 0)
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(a.host, a.port, limit=1 << 22, ssl=tls_context() if a.ssl else None,
                                local_addr=source), 10)
    try:
        await expect_ok(reader)
        writer.write(f"USER {user}\r\n".encode())
        await expect_ok(reader)
        writer.write(f"PASS {a.password}\r\n".encode())
        await expect_ok(reader)
        writer.write(b"LIST\r\n")
        await expect_ok(reader)
        nums = []
        while True:  # multi-line LIST reply ends with a line holding only "."
            line = await reader.readline()
            if line in (b".\r\n", b""):
                break
            nums.append(int(line.split()[0]))
        for n in nums:
            if time.monotonic() > deadline:
                break
            writer.write(f"RETR {n}\r\n".encode())
            await expect_ok(reader)
            data = await reader.readuntil(b"\r\n.\r\n")
            st.msgs += 1
            st.bytes += len(data)
        writer.write(b"QUIT\r\n")
        await reader.readline()
        st.sessions += 1
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except Exception:
            pass


async def worker(a, users, idx, st, deadline):
    k = idx
    while time.monotonic() < deadline and (a.max_sessions == 0 or st.sessions < a.max_sessions):
        try:
            await session(a, users[k % len(users)], st, deadline, idx)
        except Exception as e:  # count and go on
            st.errors += 1
            if st.errors <= 3:
                print(f"error: {e!r}", file=sys.stderr)
            await asyncio.sleep(0.1)
        k += a.clients


async def run_once(a, users):
    st = Stats()
    c0, r0 = cpu_snapshot(), resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    deadline = t0 + a.secs
    await asyncio.gather(*(worker(a, users, i, st, deadline) for i in range(a.clients)))
    el = time.monotonic() - t0
    c1, r1 = cpu_snapshot(), resource.getrusage(resource.RUSAGE_SELF)
    busy = 100 * (1 - (c1[1] - c0[1]) / max(1, c1[0] - c0[0]))
    return {"secs": round(el, 2), "sessions": st.sessions, "msgs": st.msgs, "bytes": st.bytes,
            "errors": st.errors, "msgs_per_s": round(st.msgs / el, 1),
            "sessions_per_s": round(st.sessions / el, 1), "MB_per_s": round(st.bytes / el / 1e6, 2),
            "machine_cpu_busy_pct": round(busy, 1),
            "client_cpu_s": round(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=110)
    ap.add_argument("--user", default="test%d")
    ap.add_argument("--users", default="1-100")
    ap.add_argument("--password", default="benchpass")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--secs", type=float, default=20)
    ap.add_argument("--max-sessions", type=int, default=0, help="0 = unlimited (time bound only)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ssl", action="store_true", help="implicit TLS (e.g. port 995)")
    ap.add_argument("--sources", type=int, default=1, help="spread clients over 127.0.0.1..127.0.0.N (1-200)")
    a = ap.parse_args()
    if not (a.host.startswith("127.") or a.host in ("localhost", "::1")):
        sys.exit("refusing: load tests only target loopback addresses")
    if not 1 <= a.sources <= 200:
        sys.exit("--sources must be 1..200")
    lo, hi = (int(x) for x in a.users.split("-"))
    users = [a.user % i if "%" in a.user else a.user for i in range(lo, hi + 1)]
    res = []
    for i in range(a.runs):
        r = asyncio.run(run_once(a, users))
        res.append(r)
        print(f"run {i+1}: {r}", file=sys.stderr, flush=True)
        time.sleep(2)
    med = lambda k: statistics.median(r[k] for r in res)
    print(f"median over {a.runs} runs, {a.clients} clients: {med('msgs_per_s'):g} msgs/s, "
          f"{med('sessions_per_s'):g} sessions/s, {med('MB_per_s'):g} MB/s, "
          f"machine CPU busy {med('machine_cpu_busy_pct'):g}%, client CPU {med('client_cpu_s'):g}s/run")


if __name__ == "__main__":
    main()
