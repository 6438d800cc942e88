// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stored message into the DATA section (RFC 5321 §4.5.2): drops the leading Return-Path:
 * field that local delivery put there (§4.4: a relay must not send one), ends every line with CRLF
 * whatever the stored bytes say, dot-stuffs, and appends the end-of-data marker. Stored messages are
 * CRLF-only already (the DATA reader refuses bare CR and LF); the normalization is the second lock on
 * the door against end-of-data smuggling.
 */
final class MessageFramer {
    private static final byte[] RETURN_PATH = "return-path:".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_RETURN_PATH = 8192;

    private MessageFramer() {}

    /** What the framer found in a message. */
    record Content(long bytes, boolean eightBit, int normalizedLineEnds) {}

    /** Writes the DATA section of {@code message} to {@code out}, ending with ".CRLF". */
    static Content frame(InputStream message, OutputStream out) throws IOException {
        Framer f = new Framer(out);
        transferWithoutReturnPath(new BufferedInputStream(message, 65536), f);
        f.finish();
        return new Content(f.bytes, f.eightBit, f.normalized);
    }

    /** Copies the message octet for octet without its Return-Path: field (BINARYMIME, RFC 3030 §3); returns the count. */
    static long raw(InputStream message, OutputStream out) throws IOException {
        BufferedInputStream in = new BufferedInputStream(message, 65536);
        in.mark(MAX_RETURN_PATH + 2);
        byte[] head = in.readNBytes(RETURN_PATH.length);
        boolean isReturnPath = head.length == RETURN_PATH.length;
        for (int i = 0; isReturnPath && i < head.length; i++) isReturnPath = (head[i] | 0x20) == RETURN_PATH[i];
        in.reset();
        if (isReturnPath) skipField(in);
        return in.transferTo(out);
    }

    /** Scans without writing: the size sent and whether 8-bit data is present (RFC 6152). */
    static Content scan(InputStream message) throws IOException {
        return frame(message, OutputStream.nullOutputStream());
    }

    /** The first field, when it is Return-Path: (with folded continuation lines), is skipped. */
    private static void transferWithoutReturnPath(BufferedInputStream in, Framer f) throws IOException {
        in.mark(MAX_RETURN_PATH + 2);
        byte[] head = in.readNBytes(RETURN_PATH.length);
        boolean isReturnPath = head.length == RETURN_PATH.length;
        for (int i = 0; isReturnPath && i < head.length; i++) {
            isReturnPath = (head[i] | 0x20) == RETURN_PATH[i];
        }
        in.reset();
        if (isReturnPath) skipField(in);
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) f.write(buf, 0, n);
    }

    /** Skips one header field: up to a line end not followed by SP or HT. */
    private static void skipField(BufferedInputStream in) throws IOException {
        while (true) {
            int b;
            do {
                b = in.read();
            } while (b >= 0 && b != '\n');
            if (b < 0) return;
            in.mark(1);
            int next = in.read();
            if (next != ' ' && next != '\t') {
                if (next >= 0) in.reset();
                return;
            }
        }
    }

    /** The CRLF and dot-stuffing state machine. */
    private static final class Framer {
        private final OutputStream out;
        private final byte[] buf = new byte[65536 + 16];
        private int len;
        private boolean lineStart = true;
        private boolean pendingCr;
        long bytes;
        boolean eightBit;
        int normalized;

        Framer(OutputStream out) {
            this.out = out;
        }

        void write(byte[] b, int off, int n) throws IOException {
            for (int i = off; i < off + n; i++) {
                byte c = b[i];
                if (pendingCr) {
                    pendingCr = false;
                    if (c == '\n') {
                        crlf();
                        continue;
                    }
                    normalized++; // bare CR
                    crlf();
                }
                if (c == '\r') {
                    pendingCr = true;
                    continue;
                }
                if (c == '\n') {
                    normalized++; // bare LF
                    crlf();
                    continue;
                }
                if (lineStart && c == '.') put((byte) '.'); // RFC 5321 §4.5.2
                if (c < 0) eightBit = true;
                put(c);
                lineStart = false;
            }
        }

        void finish() throws IOException {
            if (pendingCr) {
                pendingCr = false;
                crlf();
            }
            if (!lineStart) crlf(); // the message must end with CRLF before the final "."
            put((byte) '.');
            put((byte) '\r');
            put((byte) '\n');
            flushBuffer();
            bytes -= 3;
        }

        private void crlf() throws IOException {
            put((byte) '\r');
            put((byte) '\n');
            lineStart = true;
        }

        private void put(byte c) throws IOException {
            if (len == buf.length) flushBuffer();
            buf[len++] = c;
            bytes++;
        }

        private void flushBuffer() throws IOException {
            out.write(buf, 0, len);
            len = 0;
        }
    }
}
