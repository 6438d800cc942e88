#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Waits until a mailbox holds at least TARGET messages, asking the server itself (IMAP STATUS over
implicit TLS, certificate not verified: loopback test setups). One login, then STATUS every 20 ms, so
the clock stops within a poll of the moment the last message became readable.

  wait_count.py --port P --user U --password PW (--count | --target N [--timeout S])
Prints the count (--count) or the count reached; exit 1 on timeout.
"""
import argparse
import imaplib
import ssl
import sys
import time


def status(c):
    typ, data = c.status("INBOX", "(MESSAGES)")
    if typ != "OK":
        raise SystemExit("STATUS failed: %r" % data)
    return int(data[0].decode().rsplit("MESSAGES", 1)[1].strip(" )"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--count", action="store_true")
    ap.add_argument("--target", type=int)
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    if not a.host.startswith("127."):
        raise SystemExit("refusing: loopback only")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = imaplib.IMAP4_SSL(a.host, a.port, ssl_context=ctx, timeout=30)
    c.login(a.user, a.password)
    n = status(c)
    if not a.count:
        deadline = time.monotonic() + a.timeout
        while n < a.target and time.monotonic() < deadline:
            time.sleep(0.02)
            n = status(c)
    print(n)
    c.logout()
    sys.exit(0 if a.count or n >= a.target else 1)


main()
