// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one serialiser of IMAP response syntax (RFC 3501 §4.3, §9). Everything that echoes client or
 * message data goes through {@link #string}/{@link #nstring}, which pick a quoted string when safe and
 * a literal otherwise, so a CR, LF, NUL, quote or 8-bit byte can never end a response line early or
 * inject one (HOSTILE A67). Output is buffered by the caller's stream; nothing here flushes except
 * {@link #flush}.
 */
public final class ResponseWriter {
    /** Quoted strings longer than this go out as literals; keeps lines short and clients happy. */
    private static final int MAX_QUOTED = 1024;

    private final OutputStream out;
    /** Scratch for {@link #number}; made on first use, since most connections mostly wait. */
    private byte[] digits;

    public ResponseWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes protocol text that the server itself composed (ASCII, no CR/LF). */
    public ResponseWriter raw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public ResponseWriter raw(char c) throws IOException {
        out.write(c);
        return this;
    }

    public ResponseWriter bytes(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        return this;
    }

    public ResponseWriter crlf() throws IOException {
        out.write('\r');
        out.write('\n');
        return this;
    }

    /** Protocol text already encoded (constants a hot loop writes many times). */
    public ResponseWriter raw(byte[] ascii) throws IOException {
        out.write(ascii, 0, ascii.length);
        return this;
    }

    /** Writes the decimal digits without a String per number: FETCH 1:* and SORT write 100,000s. */
    public ResponseWriter number(long n) throws IOException {
        if (n < 0) return raw(Long.toString(n));
        if (n < 10) {
            out.write('0' + (int) n);
            return this;
        }
        byte[] d = digits;
        if (d == null) d = digits = new byte[19];
        int i = d.length;
        while (n > 0) {
            d[--i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        out.write(d, i, d.length - i);
        return this;
    }

    /** A string: quoted when it is short 7-bit text without CR/LF/NUL, else a literal of its UTF-8. */
    public ResponseWriter string(String s) throws IOException {
        if (quotable(s)) {
            out.write('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') out.write('\\');
                out.write(c);
            }
            out.write('"');
            return this;
        }
        return literal(s.getBytes(StandardCharsets.UTF_8));
    }

    public ResponseWriter nstring(String s) throws IOException {
        return s == null ? raw("NIL") : string(s);
    }

    /** astring: a bare atom when possible (mailbox names, flags echo), else {@link #string}. */
    public ResponseWriter astring(String s) throws IOException {
        if (isAtom(s)) return raw(s);
        return string(s);
    }

    public ResponseWriter literal(byte[] b) throws IOException {
        return literal(b, 0, b.length);
    }

    public ResponseWriter literal(byte[] b, int off, int len) throws IOException {
        raw("{" + len + "}");
        crlf();
        out.write(b, off, len);
        return this;
    }

    /**
     * Streams a literal of exactly {@code len} octets from {@code in}, never holding it in memory.
     * If the source ends early the rest is padded with spaces: the announced length is a promise the
     * response syntax depends on.
     */
    public ResponseWriter literal(InputStream in, long len) throws IOException {
        raw("{" + len + "}");
        crlf();
        byte[] buf = new byte[8192];
        long left = len;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) break;
            out.write(buf, 0, n);
            left -= n;
        }
        while (left-- > 0) out.write(' ');
        return this;
    }

    public void flush() throws IOException {
        out.flush();
    }

    public OutputStream stream() {
        return out;
    }

    public static boolean quotable(String s) {
        if (s.length() > MAX_QUOTED) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) return false;
        }
        return true;
    }

    static boolean isAtom(String s) {
        if (s.isEmpty() || s.length() > MAX_QUOTED || s.equalsIgnoreCase("NIL")) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "(){%*\"\\]".indexOf(c) >= 0) return false;
        }
        return true;
    }
}
