# SPDX-License-Identifier: Apache-2.0
# Python's imaplib, taught RFC 4978 COMPRESS=DEFLATE with zlib: raw deflate both ways, SYNC_FLUSH per write.
import imaplib
import ssl
import sys
import zlib

# imaplib refuses commands it does not know; RFC 4978 COMPRESS is valid once authenticated.
imaplib.Commands['COMPRESS'] = ('AUTH', 'SELECTED')


class DeflateIMAP4(imaplib.IMAP4):
    deflate = None

    def compress(self):
        typ, data = self._simple_command('COMPRESS', 'DEFLATE')
        if typ != 'OK':
            raise SystemExit('COMPRESS refused: %r' % data)
        self.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.inflate = zlib.decompressobj(-15)
        self.pending = b''

    def send(self, data):
        if self.deflate:
            data = self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def _more(self):
        chunk = self.sock.recv(8192)
        if not chunk:
            raise imaplib.IMAP4.abort('connection closed')
        self.pending += self.inflate.decompress(chunk)

    def readline(self):
        if not self.deflate:
            return super().readline()
        while b'\n' not in self.pending:
            self._more()
        i = self.pending.index(b'\n') + 1
        line, self.pending = self.pending[:i], self.pending[i:]
        return line

    def read(self, size):
        if not self.deflate:
            return super().read(size)
        while len(self.pending) < size:
            self._more()
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
m = DeflateIMAP4('127.0.0.1', port)
m.starttls(ssl_context=ctx)
m.login('alice@example.org', 'secret')
typ, caps = m.capability()
assert b'COMPRESS=DEFLATE' in caps[0].split(), caps
m.compress()
body = b'From: py@example.org\r\nSubject: zlib\r\n\r\n' + b'compressible text ' * 500 + b'\r\n'
typ, data = m.append('INBOX', None, None, body)
assert typ == 'OK', data
typ, data = m.select('INBOX')
assert typ == 'OK', data
typ, data = m.fetch(data[0].decode(), '(BODY.PEEK[])')
assert typ == 'OK' and data[0][1] == body, data
typ, data = m._simple_command('COMPRESS', 'DEFLATE')
assert typ == 'NO' and 'COMPRESSIONACTIVE' in m.untagged_responses, (typ, data, m.untagged_responses)
m.logout()
print('OK compressed session')
