// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The transfer form of a message for RETR and TOP: CRLF line ends, a CRLF after the last line, and
 * byte-stuffing of lines that start with "." (RFC 1939 §3). The multi-line terminator ".CRLF" is the
 * caller's.
 *
 * <p>Stored messages are byte-exact as received; most already use CRLF, but an IMAP APPEND may carry
 * bare LFs. RFC 1939 §11 asks LIST and STAT for the exact size as transferred, so {@link #size} runs
 * the same state machine as {@link #write} and counts its output before stuffing (stuffing is not
 * part of the message, §3).
 */
public final class MessageWriter {
    /** No TOP limit: the whole message. */
    public static final long ALL_LINES = -1;

    private static final int CHUNK = 16 * 1024;

    private final OutputStream out;
    private final boolean stuff;
    private final long bodyLineLimit;
    private final byte[] outBuf;
    private int outLen;
    private long count;
    private boolean atLineStart = true;
    private boolean prevCr;
    private int lineBytes;
    private boolean inHeader = true;
    private long bodyLines;
    private boolean done;

    private MessageWriter(OutputStream out, boolean stuff, long bodyLineLimit) {
        this.out = out;
        this.stuff = stuff;
        this.bodyLineLimit = bodyLineLimit;
        this.outBuf = out == null ? null : new byte[CHUNK + 2];
    }

    /**
     * Sends {@code message} in transfer form: the header, the empty line, and at most
     * {@code bodyLines} body lines ({@link #ALL_LINES} for RETR). Returns the octets of the message
     * as sent, not counting stuffing dots.
     */
    public static long write(InputStream message, OutputStream out, long bodyLines) throws IOException {
        MessageWriter w = new MessageWriter(out, true, bodyLines);
        w.run(message);
        return w.count;
    }

    /** The octets RETR sends for this message, not counting stuffing dots: what LIST reports. */
    public static long size(InputStream message) throws IOException {
        MessageWriter w = new MessageWriter(null, false, ALL_LINES);
        w.run(message);
        return w.count;
    }

    private void run(InputStream in) throws IOException {
        byte[] buf = new byte[CHUNK];
        int n;
        while (!done && (n = in.read(buf)) > 0) {
            for (int i = 0; i < n && !done; i++) accept(buf[i]);
        }
        if (!done && !atLineStart) {
            // The last line had no line end: complete it so the terminator stands on its own line.
            if (!prevCr) emit((byte) '\r');
            emit((byte) '\n');
        }
        if (out != null && outLen > 0) out.write(outBuf, 0, outLen);
    }

    private void accept(byte b) throws IOException {
        if (atLineStart) {
            if (!inHeader && bodyLineLimit >= 0 && bodyLines >= bodyLineLimit) {
                done = true;
                return;
            }
            if (b == '.' && stuff) put((byte) '.');
        }
        if (b == '\n') {
            if (!prevCr) emit((byte) '\r');
            emit((byte) '\n');
            boolean empty = lineBytes == 0 || (lineBytes == 1 && prevCr);
            if (inHeader) {
                if (empty) inHeader = false;
            } else {
                bodyLines++;
            }
            lineBytes = 0;
            prevCr = false;
            atLineStart = true;
            return;
        }
        emit(b);
        lineBytes++;
        prevCr = b == '\r';
        atLineStart = false;
    }

    private void emit(byte b) throws IOException {
        count++;
        put(b);
    }

    private void put(byte b) throws IOException {
        if (outBuf == null) return;
        outBuf[outLen++] = b;
        if (outLen >= CHUNK) {
            out.write(outBuf, 0, outLen);
            outLen = 0;
        }
    }
}
