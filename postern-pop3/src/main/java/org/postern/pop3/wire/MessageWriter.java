// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The transfer form of a message for RETR and TOP: CRLF line ends, a CRLF after the last line, and
 * byte-stuffing of lines that start with "." (RFC 1939 §3). The multi-line terminator ".CRLF" is the
 * caller's. For a client that has not sent UTF8, a header with raw UTF-8 is downgraded to ASCII
 * (RFC 6856 §2, {@link HeaderDowngrade}).
 *
 * <p>Stored messages are byte-exact as received; SMTP delivery stores CRLF throughout, but an IMAP
 * APPEND may carry bare LFs. RFC 1939 §5 and §11 ask LIST and STAT for the exact size as transferred,
 * so {@link #size} runs the same state machine as {@link #write} and counts its output before
 * stuffing (stuffing is not part of the message, §3); {@link #scan} gets the same count in one cheap
 * pass and says whether a downgrade could change it.
 */
public final class MessageWriter {
    /** No TOP limit: the whole message. */
    public static final long ALL_LINES = -1;

    /**
     * A header section longer than this is not downgraded into encoded-words: its non-ASCII octets
     * become "?" instead, so memory stays bounded whatever the message holds.
     */
    public static final int MAX_DOWNGRADE_HEADER = 256 * 1024;

    private static final int CHUNK = 16 * 1024;

    /**
     * What one pass over a stored message learns: {@code octets} sent by RETR to a UTF8 client (not
     * counting stuffing), and whether the header holds non-ASCII octets (then a client without UTF8
     * gets a downgraded header of another size).
     */
    public record Shape(long octets, boolean eightBitHeader) {}

    private final OutputStream out;
    private final long bodyLineLimit;
    private final boolean sanitizeHeader;
    private final byte[] outBuf;
    private int outLen;
    private long count;
    private boolean atLineStart = true;
    private boolean prevCr;
    private int lineBytes;
    private boolean inHeader = true;
    private long bodyLines;
    private boolean done;

    private MessageWriter(OutputStream out, long bodyLineLimit, boolean sanitizeHeader) {
        this.out = out;
        this.bodyLineLimit = bodyLineLimit;
        this.sanitizeHeader = sanitizeHeader;
        this.outBuf = out == null ? null : new byte[CHUNK + 2];
    }

    /** {@link #write(InputStream, OutputStream, long, boolean)} for a UTF8 client: no downgrade. */
    public static long write(InputStream message, OutputStream out, long bodyLines) throws IOException {
        return write(message, out, bodyLines, false);
    }

    /**
     * Sends {@code message} in transfer form: the header, the empty line, and at most
     * {@code bodyLines} body lines ({@link #ALL_LINES} for RETR). Returns the octets of the message
     * as sent, not counting stuffing dots.
     */
    public static long write(InputStream message, OutputStream out, long bodyLines, boolean downgrade)
            throws IOException {
        return transfer(message, out, bodyLines, downgrade);
    }

    /** The octets RETR sends to a UTF8 client, not counting stuffing dots: what LIST reports. */
    public static long size(InputStream message) throws IOException {
        return size(message, false);
    }

    /** The octets RETR sends, downgraded or not, not counting stuffing dots: what LIST reports. */
    public static long size(InputStream message, boolean downgrade) throws IOException {
        return transfer(message, null, ALL_LINES, downgrade);
    }

    /**
     * One pass without copying: the same count as {@link #size(InputStream)}, plus whether the header
     * has non-ASCII octets. Equals the stored size for a message with CRLF line ends that ends with
     * CRLF, the form SMTP delivery stores.
     */
    public static Shape scan(InputStream message) throws IOException {
        byte[] buf = new byte[CHUNK];
        long octets = 0;
        long bareLf = 0;
        boolean eightBit = false;
        boolean inHeader = true;
        // The last two octets seen, across chunk boundaries: enough to find bare LFs and the empty line.
        int prev = '\n';
        int prev2 = '\n';
        int n;
        while ((n = message.read(buf)) >= 0) {
            octets += n;
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    if (prev != '\r') bareLf++;
                    if (inHeader && (prev == '\n' || (prev == '\r' && prev2 == '\n'))) inHeader = false;
                } else if (b < 0 && inHeader) {
                    eightBit = true;
                }
                prev2 = prev;
                prev = b;
            }
        }
        long wire = octets + bareLf;
        // An unterminated last line is completed with CRLF, or LF after a trailing CR.
        if (octets > 0 && prev != '\n') wire += prev == '\r' ? 1 : 2;
        return new Shape(wire, eightBit);
    }

    private static long transfer(InputStream message, OutputStream out, long bodyLines, boolean downgrade)
            throws IOException {
        if (!downgrade) {
            MessageWriter w = new MessageWriter(out, bodyLines, false);
            w.run(message, null, 0, 0);
            return w.count;
        }
        // Read the header section into memory (bounded) to rewrite it whole.
        byte[] head = new byte[Math.min(CHUNK, MAX_DOWNGRADE_HEADER)];
        int len = 0;
        int headerEnd = -1;
        boolean eof = false;
        while (headerEnd < 0 && len < MAX_DOWNGRADE_HEADER) {
            if (len == head.length) head = java.util.Arrays.copyOf(head, Math.min(head.length * 2, MAX_DOWNGRADE_HEADER));
            int n = message.read(head, len, head.length - len);
            if (n < 0) {
                eof = true;
                break;
            }
            int from = Math.max(0, len - 2);
            len += n;
            headerEnd = headerEnd(head, from, len);
        }
        int end = headerEnd >= 0 ? headerEnd : eof ? len : -1;
        if (end < 0) {
            // Too long to rewrite: pass it on with its non-ASCII octets replaced.
            MessageWriter w = new MessageWriter(out, bodyLines, true);
            w.run(message, head, 0, len);
            return w.count;
        }
        MessageWriter w = new MessageWriter(out, bodyLines, false);
        if (HeaderDowngrade.needsDowngrade(head, end)) {
            byte[] ascii = HeaderDowngrade.downgrade(head, end);
            w.feed(ascii, 0, ascii.length);
            w.run(message, head, end, len);
        } else {
            w.run(message, head, 0, len);
        }
        return w.count;
    }

    /** The index just after the empty line that ends the header section, or -1. */
    private static int headerEnd(byte[] b, int from, int len) {
        for (int i = from; i < len; i++) {
            if (b[i] != '\n') continue;
            if (i == 0 || b[i - 1] == '\n') return i + 1;
            if (b[i - 1] == '\r' && (i == 1 || b[i - 2] == '\n')) return i + 1;
        }
        return -1;
    }

    /** Sends {@code first[from..to)} (octets already read), then the rest of {@code in}. */
    private void run(InputStream in, byte[] first, int from, int to) throws IOException {
        if (first != null) feed(first, from, to);
        byte[] buf = new byte[CHUNK];
        int n;
        while (!done && (n = in.read(buf)) >= 0) feed(buf, 0, n);
        if (!done && !atLineStart) {
            // The last line had no line end: complete it so the terminator stands on its own line.
            if (!prevCr) emit((byte) '\r');
            emit((byte) '\n');
        }
        if (out != null && outLen > 0) out.write(outBuf, 0, outLen);
    }

    private void feed(byte[] b, int from, int to) throws IOException {
        int i = from;
        while (i < to && !done) {
            // The state machine decides at line starts and line ends (and for every octet of a header
            // being sanitised); the rest of a line is copied as it is, in bulk: RETR's hot path.
            if (atLineStart || (sanitizeHeader && inHeader)) {
                accept(b[i++]);
                continue;
            }
            int end = i;
            while (end < to && b[end] != '\n') end++;
            if (end > i) {
                copy(b, i, end);
                i = end;
            }
            if (i < to) accept(b[i++]);
        }
    }

    /** Octets {@code [from, to)} of a line past its first octet, none of them LF. */
    private void copy(byte[] b, int from, int to) throws IOException {
        int n = to - from;
        count += n;
        lineBytes += n;
        prevCr = b[to - 1] == '\r';
        if (outBuf == null) return;
        while (from < to) {
            int k = Math.min(to - from, CHUNK - outLen);
            System.arraycopy(b, from, outBuf, outLen, k);
            outLen += k;
            from += k;
            if (outLen >= CHUNK) {
                out.write(outBuf, 0, outLen);
                outLen = 0;
            }
        }
    }

    private void accept(byte b) throws IOException {
        if (atLineStart) {
            if (!inHeader && bodyLineLimit >= 0 && bodyLines >= bodyLineLimit) {
                done = true;
                return;
            }
            if (b == '.') put((byte) '.');
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
        emit(sanitizeHeader && inHeader && b < 0 ? (byte) '?' : b);
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
