# SPDX-License-Identifier: Apache-2.0
"""Drives Postern with Python's standard library clients (smtplib, imaplib, poplib).

Usage: clients.py CAFILE SUBMISSION IMAPS IMAP POP3S POP3 USER PASSWORD
Prints one line per check; exits non-zero on the first failure.
"""
import email
import imaplib
import poplib
import smtplib
import ssl
import sys
import uuid

cafile, submission, imaps, imap_port, pop3s, pop3_port, user, password = sys.argv[1:9]
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False  # the certificate names localhost and 127.0.0.1; we connect by address

host = "127.0.0.1"
token = str(uuid.uuid4())
msg = (f"From: {user}\r\nTo: {user}\r\nSubject: python {token}\r\n"
       f"Message-ID: <{token}@example.test>\r\n\r\nSent by smtplib.\r\n")

# Submission: STARTTLS on 587, AUTH after TLS (smtplib refuses nothing; the server must).
with smtplib.SMTP(host, int(submission), timeout=20) as s:
    code, caps = s.ehlo()
    assert s.has_extn("starttls"), "STARTTLS not offered"
    assert not s.has_extn("auth"), "AUTH offered before TLS"
    s.starttls(context=ctx)
    s.ehlo()
    assert s.has_extn("auth"), "AUTH not offered after TLS"
    s.login(user, password)
    refused = s.sendmail(user, [user], msg)
    assert refused == {}, refused
print("smtplib: sent over 587 with STARTTLS")

# IMAP over implicit TLS.
m = imaplib.IMAP4_SSL(host, int(imaps), ssl_context=ctx, timeout=20)
m.login(user, password)
typ, data = m.select("INBOX")
assert typ == "OK", (typ, data)
typ, data = m.search(None, "SUBJECT", f'"python {token}"')
assert typ == "OK" and data[0], (typ, data)
num = data[0].split()[-1]
typ, data = m.fetch(num, "(RFC822 FLAGS)")
assert typ == "OK", data
raw_imap = data[0][1]
parsed = email.message_from_bytes(raw_imap)
assert parsed["Subject"] == f"python {token}", parsed["Subject"]
typ, _ = m.store(num, "+FLAGS", "(\\Flagged)")
assert typ == "OK"
typ, data = m.list()
names = b" ".join(data)
for folder in (b"INBOX", b"Drafts", b"Sent", b"Trash", b"Junk", b"Archive"):
    assert folder in names, names
m.logout()
print("imaplib: found, fetched and flagged over 993")

# IMAP with STARTTLS on 143.
m = imaplib.IMAP4(host, int(imap_port), timeout=20)
typ, caps = m.capability()
assert b"LOGINDISABLED" in caps[0], caps
m.starttls(ssl_context=ctx)
m.login(user, password)
typ, data = m.status("INBOX", "(MESSAGES UNSEEN UIDNEXT)")
assert typ == "OK", data
m.logout()
print("imaplib: STARTTLS on 143")

# POP3 over implicit TLS and with STLS.
p = poplib.POP3_SSL(host, int(pop3s), context=ctx, timeout=20)
p.user(user)
p.pass_(password)
count, size = p.stat()
assert count >= 1
uidls = p.uidl()[1]
found = None
for i in range(1, count + 1):
    resp, lines, octets = p.retr(i)
    raw = b"\r\n".join(lines) + b"\r\n"
    if token.encode() in raw:
        found = raw
assert found is not None
assert found == raw_imap, "POP3 and IMAP disagree on the message bytes"
p.quit()
p = poplib.POP3(host, int(pop3_port), timeout=20)
caps = p.capa()
assert "STLS" in caps, caps
p.stls(context=ctx)
p.user(user)
p.pass_(password)
assert p.uidl()[1] == uidls, "UIDL changed between sessions"
p.quit()
print("poplib: RETR over 995 matches IMAP; STLS on 110; UIDL stable")
