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
 * Reads one DATA section (RFC 5321 §4.1.4) byte by byte, so that it never reads past the end-of-data
 * marker (pipelined commands after it stay in the {@link LineReader}) and always knows exactly how
 * each line ended.
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

    private final LineReader in;
    private final long maxSize;
    private final long deadlineNanos;
    private final byte[] one = new byte[1];
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

    private void run(OutputStream out) throws IOException {
        boolean previousCrlf = true; // the DATA command line itself ended with CRLF
        int lines = 0;
        long bytes = 0;
        while (true) {
            int len = 0;
            boolean tooLong = false;
            boolean bareCr = false;
            boolean pendingCr = false;
            boolean crlf;
            while (true) {
                int b = next();
                if ((++bytes & 0xFFFF) == 0) checkDeadline();
                if (b == '\n') {
                    crlf = pendingCr;
                    break;
                }
                if (pendingCr) {
                    bareCr = true;
                    if (len < line.length) line[len++] = '\r';
                    else tooLong = true;
                }
                pendingCr = b == '\r';
                if (pendingCr) continue;
                if (len < line.length) line[len++] = (byte) b;
                else tooLong = true;
            }
            if (crlf && previousCrlf && !bareCr && !tooLong && len == 1 && line[0] == '.') {
                finished = true;
                return;
            }
            previousCrlf = crlf;
            if ((++lines & 63) == 0) checkDeadline();
            if (problem != Problem.NONE) continue;
            if (!crlf || bareCr) {
                problem = Problem.BARE_CR_LF;
            } else if (tooLong || len > MAX_TEXT_LINE) {
                problem = Problem.LINE_TOO_LONG;
            } else {
                accept(out, len);
            }
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

    private int next() throws IOException {
        try {
            in.readFully(one, 0, 1);
        } catch (IOException e) {
            clientFailed = true;
            throw e;
        }
        return one[0] & 0xff;
    }

    /** The session's maximum duration passed while the client was still sending data. */
    static final class SessionExpiredException extends IOException {
        SessionExpiredException() {
            super("session duration exceeded during DATA");
        }
    }
}
