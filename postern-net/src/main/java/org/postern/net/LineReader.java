// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Reads CRLF-terminated lines and exact byte counts from a stream, with a bounded buffer.
 *
 * <p>Only CRLF ends a line cleanly (RFC 5321 §2.3.8). A bare LF also ends a line, so the reader and
 * the protocol never disagree on where a line stops, but the line is marked {@link Problem#BARE_LF};
 * a CR not followed by LF stays in the line and marks it {@link Problem#BARE_CR}. The protocol then
 * decides (SMTP rejects both: the SMTP smuggling class of CVE-2023-51764).
 *
 * <p>A line longer than the caller's limit is consumed to its end but not kept: the caller gets the
 * first {@code max} bytes and {@link Problem#TOO_LONG}, so memory stays bounded whatever the peer
 * sends.
 *
 * <p>The full-size buffer is used only while input arrives in bursts (literals, pipelined commands):
 * a read that would wait for the peer goes into a small buffer and the large one is let go, so the
 * thousands of connections waiting in IMAP IDLE do not each keep 8 KiB (issue 4's memory target).
 */
public final class LineReader {
    public enum Problem { NONE, TOO_LONG, BARE_LF, BARE_CR }

    /** What a reader keeps while it waits for the peer; also the line buffer's resting size. */
    static final int SMALL = 256;

    private InputStream in;
    private final int bufferSize;
    private final byte[] small = new byte[SMALL];
    /** The buffer {@link #pos} and {@link #lim} index: {@link #small} or a full-size one. */
    private byte[] buf = small;
    private int pos;
    private int lim;
    private Problem problem = Problem.NONE;
    private byte[] line = new byte[SMALL];

    public LineReader(InputStream in) {
        this(in, 8192);
    }

    public LineReader(InputStream in, int bufferSize) {
        this.in = in;
        this.bufferSize = Math.max(SMALL, bufferSize);
    }

    /**
     * Reads one line and returns it without its line end, or null at end of stream (a partial last
     * line without a line end is dropped: it was never a complete command).
     */
    public byte[] readLine(int max) throws IOException {
        problem = Problem.NONE;
        // A long line earlier (an IMAP SEARCH, a big header) need not be paid for by every later one.
        if (line.length > 4 * 1024) line = new byte[SMALL];
        int len = 0;
        boolean tooLong = false;
        boolean bareCr = false;
        while (true) {
            if (pos == lim && !fill()) return null;
            byte b = buf[pos++];
            if (b == '\n') {
                problem = tooLong ? Problem.TOO_LONG : Problem.BARE_LF;
                return Arrays.copyOf(line, len);
            }
            if (b == '\r') {
                if (pos == lim && !fill()) return null;
                if (buf[pos] == '\n') {
                    pos++;
                    problem = tooLong ? Problem.TOO_LONG : bareCr ? Problem.BARE_CR : Problem.NONE;
                    return Arrays.copyOf(line, len);
                }
                bareCr = true;
            }
            if (len < max) {
                if (len == line.length) line = Arrays.copyOf(line, Math.min(max, line.length * 2));
                line[len++] = b;
            } else {
                tooLong = true;
            }
        }
    }

    /** What was wrong with the line last returned by {@link #readLine}. */
    public Problem problem() {
        return problem;
    }

    /** Reads exactly {@code len} bytes (an IMAP literal, a BDAT chunk). */
    public void readFully(byte[] dst, int off, int len) throws IOException {
        while (len > 0) {
            if (pos == lim && !fill()) throw new EOFException("connection closed inside a literal");
            int n = Math.min(len, lim - pos);
            System.arraycopy(buf, pos, dst, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** Copies exactly {@code len} bytes to {@code out}, or to nowhere when out is null (discarding). */
    public void transfer(OutputStream out, long len) throws IOException {
        while (len > 0) {
            if (pos == lim && !fill()) throw new EOFException("connection closed inside a literal");
            int n = (int) Math.min(len, lim - pos);
            if (out != null) out.write(buf, pos, n);
            pos += n;
            len -= n;
        }
    }

    /** Bytes read from the peer but not consumed yet. */
    public int buffered() {
        return lim - pos;
    }

    /**
     * Forgets every buffered byte and reads from {@code next} from now on. Used when TLS starts:
     * whatever the client pipelined in plaintext after STARTTLS must never be executed under TLS
     * (CVE-2011-0411; RFC 3207 §4.2).
     */
    public void switchTo(InputStream next) {
        pos = 0;
        lim = 0;
        in = next;
    }

    /**
     * Called only when every buffered byte is consumed, so the buffer may change. The last read filled
     * its buffer: a burst (a literal, pipelined commands), read on in large pieces. Otherwise this read
     * probably waits for the peer: do it in the small buffer and let the large go; if more than it holds
     * was waiting, it comes back full and the next read is large. (Asking the socket how much is waiting
     * instead costs a system call per read, about 5% of a LIST's CPU.)
     */
    private boolean fill() throws IOException {
        boolean burst = lim == buf.length;
        buf = burst ? (buf == small ? new byte[bufferSize] : buf) : small;
        pos = 0;
        lim = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) return false;
        lim = n;
        return true;
    }

    /** Size of the buffer held now (tests). */
    int capacity() {
        return buf.length + line.length;
    }
}
