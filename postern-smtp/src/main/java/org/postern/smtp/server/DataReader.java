// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import org.postern.net.LineReader;
import org.postern.smtp.wire.SmtpReply;

/**
 * Reads one DATA section (RFC 5321 §4.1.4) in small bulk reads that can never pass the end-of-data
 * marker, so pipelined commands after it stay in the {@link LineReader}, and it always knows exactly
 * how each line ended.
 *
 * <p>Why reads are bounded: the data ends at the first CR LF "." CR LF of the stream, counting the CR LF
 * that ended the DATA command (the line rules below end it there and nowhere else). With {@code m}
 * octets of that marker matched so far, at least {@code 5 - m} more octets belong to the data, so a
 * read of that many never consumes a byte of the next command. The LineReader offers no peek, so this
 * is the largest read that is always safe; it is one array copy per up to five octets instead of a
 * call per octet.
 *
 * <p>Rules, each against a known attack:
 * <ul>
 *   <li>Only CRLF "." CRLF ends the data: the "." line must end in CRLF and the line before it too.
 *       A bare LF or bare CR anywhere marks the message bad; reading goes on to the real end and the
 *       message is refused whole (SMTP smuggling, CVE-2023-51764; HOSTILE A06/A08).</li>
 *   <li>A text line over 998 octets (RFC 5321 §4.5.3.1.6) or a message over the size limit (RFC 1870)
 *       is read to the end and discarded, with one fixed-size line buffer (A11, A13).</li>
 *   <li>More than {@link #MAX_RECEIVED} Received: fields mean a loop (RFC 5321 §6.3).</li>
 * </ul>
 * Once a problem is found nothing more is written to the output; the intake abandons its blob.
 */
final class DataReader implements MessageSource {
    enum Problem { NONE, BARE_CR_LF, LINE_TOO_LONG, TOO_BIG, LOOP }

    /** RFC 5321 §4.5.3.1.6: 1000 octets including CRLF. */
    static final int MAX_TEXT_LINE = 998;
    /** RFC 5321 §6.3 leaves the number to the implementation; HOSTILE.md's limits table says 100. */
    static final int MAX_RECEIVED = 100;
    /** CR LF "." CR LF. */
    private static final int MARKER = 5;

    private final LineReader in;
    private final long maxSize;
    private final long deadlineNanos;
    private final byte[] chunk = new byte[MARKER];
    private final byte[] line = new byte[MAX_TEXT_LINE + 1];
    private final ByteArrayOutputStream header = new ByteArrayOutputStream(1024);

    private Problem problem = Problem.NONE;
    private boolean started;
    private boolean finished;
    private boolean clientFailed;
    private boolean inHeader = true;
    private boolean headerTruncated;
    private int received;
    private long size;
    private IOException outputFailure;

    // Scanner state, kept across calls of run() so that drain() continues exactly where writeTo stopped.
    private int matched = 2; // the DATA command line itself ended with CR LF
    private boolean previousCrlf = true;
    private int len;
    private boolean tooLong;
    private boolean bareCr;
    private boolean pendingCr;
    private long reads;

    DataReader(LineReader in, long maxSize, long deadlineNanos) {
        this.in = in;
        this.maxSize = maxSize;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public long writeTo(OutputStream out) throws IOException, IntakeException {
        if (started) throw new IllegalStateException("message data can be read once");
        started = true;
        BufferedOutputStream buffered = new BufferedOutputStream(out, 64 * 1024);
        run(buffered);
        if (problem == Problem.NONE && outputFailure == null) {
            try {
                buffered.flush();
            } catch (IOException e) {
                outputFailure = e;
            }
        }
        if (problem != Problem.NONE) throw new IntakeException(reply(problem));
        if (outputFailure != null) throw outputFailure;
        return size;
    }

    /** Reads and discards whatever the intake did not read, up to the end of data. */
    void drain() throws IOException {
        if (finished) return;
        if (clientFailed) throw new EOFException("client connection failed during DATA");
        started = true;
        run(null);
    }

    /** The end-of-data marker was read. */
    boolean finished() {
        return finished;
    }

    /** Reading from the client failed: the session cannot go on. */
    boolean clientFailed() {
        return clientFailed;
    }

    Problem problem() {
        return problem;
    }

    @Override
    public byte[] headerBlock() {
        return header.toByteArray();
    }

    @Override
    public boolean headerBlockTruncated() {
        return headerTruncated;
    }

    static SmtpReply reply(Problem p) {
        return switch (p) {
            case BARE_CR_LF -> SmtpReply.of(550, "5.6.11", "Bare CR or LF in message");
            case LINE_TOO_LONG -> SmtpReply.of(550, "5.6.0", "Line too long in message (RFC 5321 4.5.3.1.6)");
            case TOO_BIG -> SmtpReply.of(552, "5.3.4", "Message size exceeds fixed maximum message size");
            case LOOP -> SmtpReply.of(554, "5.4.6", "Too many Received headers: mail loop detected");
            case NONE -> throw new IllegalArgumentException();
        };
    }

    /** Length of the longest suffix of the octets read so far that is a prefix of CR LF "." CR LF. */
    static int advance(int matched, byte b) {
        return switch (b) {
            case '\r' -> matched == 3 ? 4 : 1;
            case '\n' -> matched == 1 ? 2 : matched == 4 ? 5 : 0;
            case '.' -> matched == 2 ? 3 : 0;
            default -> 0;
        };
    }

    private void run(OutputStream out) throws IOException {
        while (!finished) {
            int n = MARKER - matched;
            read(n);
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                matched = advance(matched, b);
                if (b == '\n') {
                    endOfLine(out);
                    continue;
                }
                if (pendingCr) {
                    bareCr = true;
                    put((byte) '\r');
                }
                pendingCr = b == '\r';
                if (!pendingCr) put(b);
            }
            if ((++reads & 63) == 0) checkDeadline(); // at most 320 octets between checks
            if (finished != (matched == MARKER)) {
                // Both rules describe the same marker; if they ever disagree, stop before reading further.
                throw new IllegalStateException("end-of-data scanner out of step");
            }
        }
    }

    private void put(byte b) {
        if (len < line.length) line[len++] = b;
        else tooLong = true;
    }

    private void endOfLine(OutputStream out) {
        boolean crlf = pendingCr;
        int n = len;
        boolean bad = !crlf || bareCr;
        boolean longLine = tooLong || n > MAX_TEXT_LINE;
        len = 0;
        tooLong = false;
        bareCr = false;
        pendingCr = false;
        if (crlf && previousCrlf && !bad && !longLine && n == 1 && line[0] == '.') {
            finished = true;
            return;
        }
        previousCrlf = crlf;
        if (problem != Problem.NONE) return;
        if (bad) {
            problem = Problem.BARE_CR_LF;
        } else if (longLine) {
            problem = Problem.LINE_TOO_LONG;
        } else {
            accept(out, n);
        }
    }

    private void accept(OutputStream out, int len) {
        int off = len > 0 && line[0] == '.' ? 1 : 0; // RFC 5321 §4.5.2 transparency
        size += len - off + 2;
        if (size > maxSize) {
            problem = Problem.TOO_BIG;
            return;
        }
        if (inHeader) header(off, len);
        if (out == null || outputFailure != null) return;
        try {
            out.write(line, off, len - off);
            out.write('\r');
            out.write('\n');
        } catch (IOException e) {
            // The store failed, not the client: keep reading to the end so the session can answer 451.
            outputFailure = e;
        }
    }

    private void header(int off, int len) {
        if (len == off) {
            inHeader = false;
            return;
        }
        if (isReceived(line, off, len) && ++received > MAX_RECEIVED) {
            problem = Problem.LOOP;
            return;
        }
        if (header.size() + len - off + 2 > MAX_HEADER_CAPTURE) {
            headerTruncated = true;
            return;
        }
        header.write(line, off, len - off);
        header.write('\r');
        header.write('\n');
    }

    static boolean isReceived(byte[] line, int off, int len) {
        String name = "received";
        if (len - off < name.length() + 1) return false;
        for (int i = 0; i < name.length(); i++) {
            if ((line[off + i] | 0x20) != name.charAt(i)) return false;
        }
        int i = off + name.length();
        while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
        return i < len && line[i] == ':';
    }

    /** A slow-drip client must not outlive the session's maximum duration inside DATA. */
    private void checkDeadline() throws SessionExpiredException {
        if (System.nanoTime() - deadlineNanos > 0) {
            clientFailed = true;
            throw new SessionExpiredException();
        }
    }

    private void read(int n) throws IOException {
        try {
            in.readFully(chunk, 0, n);
        } catch (IOException e) {
            clientFailed = true;
            throw e;
        }
    }

    /** The session's maximum duration passed while the client was still sending data. */
    static final class SessionExpiredException extends IOException {
        SessionExpiredException() {
            super("session duration exceeded during DATA");
        }
    }
}
