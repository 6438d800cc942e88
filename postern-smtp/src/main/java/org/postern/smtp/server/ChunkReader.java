// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import org.postern.net.LineReader;
import org.postern.smtp.wire.SmtpCommand;
import org.postern.smtp.wire.SmtpReply;

/**
 * Reads the chunks of one BDAT transaction (RFC 3030 §2) as one {@link MessageSource}: the first
 * chunk's command was read by the session; between chunks this reader answers "250" and reads the
 * next command itself, so the intake sees one stream and commits it only after BDAT LAST.
 *
 * <p>Rules, each against a known attack (HOSTILE A64, A68):
 * <ul>
 *   <li>Chunk sizes are summed without overflow against the size limit; a chunk that would pass it is
 *       read and discarded when it is no larger than the limit itself, else the session ends (there
 *       is no way to skip petabytes politely).</li>
 *   <li>Chunk data is length-framed: no dot-stuffing, no end-of-data scanning. Unless the body is
 *       BINARYMIME, the data must still be CRLF text lines of at most 998 octets (RFC 3030 §3: text is
 *       sent in canonical form), so that relaying never emits bare CR/LF or long lines (A06, A11).</li>
 *   <li>Anything but BDAT or NOOP between chunks ends the transaction; a connection lost mid-chunk
 *       fails {@link #writeTo} with an IOException, so the intake commits nothing.</li>
 * </ul>
 */
final class ChunkReader implements MessageSource {
    private final SmtpSession session;
    private final LineReader in;
    private final long maxSize;
    private final boolean binary;
    private final long deadlineNanos;
    private final byte[] buf = new byte[16 * 1024];
    private final byte[] line = new byte[DataReader.MAX_TEXT_LINE + 1];
    private final ByteArrayOutputStream header = new ByteArrayOutputStream(1024);

    private SmtpCommand.Bdat next;
    private DataReader.Problem problem = DataReader.Problem.NONE;
    private boolean started;
    private boolean finished;
    private boolean clientFailed;
    /** The command that ended the transaction between chunks; the session handles it. */
    private SmtpCommand interruptedBy;
    /** The session must end with this reply (a chunk too large to skip). */
    private SmtpReply endSession;
    private long size;
    private long chunks;
    // Line scanning state across chunk boundaries.
    private int lineLen;
    private boolean pendingCr;
    private boolean lineTooLong;
    private boolean inHeader = true;
    private boolean headerTruncated;
    private int received;
    private IOException outputFailure;

    ChunkReader(SmtpSession session, LineReader in, long maxSize, boolean binary, SmtpCommand.Bdat first,
            long deadlineNanos) {
        this.session = session;
        this.in = in;
        this.maxSize = maxSize;
        this.binary = binary;
        this.next = first;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public long writeTo(OutputStream out) throws IOException, IntakeException {
        if (started) throw new IllegalStateException("message data can be read once");
        started = true;
        BufferedOutputStream buffered = new BufferedOutputStream(out, 64 * 1024);
        while (true) {
            SmtpCommand.Bdat chunk = next;
            if (chunk.size() > maxSize - size) {
                if (chunk.size() > maxSize) {
                    endSession = DataReader.reply(DataReader.Problem.TOO_BIG);
                    throw new EOFException("BDAT chunk of " + chunk.size() + " octets");
                }
                copy(chunk.size(), null);
                problem = DataReader.Problem.TOO_BIG;
            } else {
                copy(chunk.size(), problem == DataReader.Problem.NONE ? buffered : null);
            }
            chunks++;
            if (problem != DataReader.Problem.NONE) break;
            if (chunk.last()) {
                finished = true;
                break;
            }
            session.reply(SmtpReply.of(250, "2.0.0", chunk.size() + " octets received"));
            session.flushIfIdle();
            SmtpCommand c = readNext();
            if (!(c instanceof SmtpCommand.Bdat b) || b.size() < 0) {
                interruptedBy = c;
                throw new EOFException("BDAT transaction interrupted");
            }
            next = b;
        }
        if (problem == DataReader.Problem.NONE && finished) endOfMessage();
        if (problem == DataReader.Problem.NONE && outputFailure == null) {
            try {
                buffered.flush();
            } catch (IOException e) {
                outputFailure = e;
            }
        }
        if (problem != DataReader.Problem.NONE) throw new IntakeException(DataReader.reply(problem));
        if (outputFailure != null) throw outputFailure;
        return size;
    }

    /** A text message may end without CRLF (the relay adds one), but not in a bare CR or an over-long line. */
    private void endOfMessage() {
        if (binary) return;
        if (pendingCr) problem = DataReader.Problem.BARE_CR_LF;
        else if (lineTooLong) problem = DataReader.Problem.LINE_TOO_LONG;
    }

    /** Between chunks: NOOP is answered here, anything else goes back to the caller. */
    private SmtpCommand readNext() throws IOException {
        while (true) {
            SmtpCommand c;
            try {
                c = session.readCommand();
            } catch (IOException e) {
                clientFailed = true;
                throw e;
            }
            if (c == null) {
                clientFailed = true;
                throw new EOFException("session ended during BDAT");
            }
            if (!(c instanceof SmtpCommand.Noop)) return c;
            session.reply(SmtpReply.of(250, "2.0.0", "Ok"));
            session.flushIfIdle();
        }
    }

    private void copy(long n, OutputStream out) throws IOException {
        long left = n;
        while (left > 0) {
            int len = (int) Math.min(buf.length, left);
            try {
                in.readFully(buf, 0, len);
            } catch (IOException e) {
                clientFailed = true;
                throw e;
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                clientFailed = true;
                throw new DataReader.SessionExpiredException();
            }
            left -= len;
            if (out == null) continue;
            size += len;
            scan(len);
            if (problem != DataReader.Problem.NONE || outputFailure != null) continue;
            try {
                out.write(buf, 0, len);
            } catch (IOException e) {
                outputFailure = e; // the store failed, not the client: read on, answer 451
            }
        }
    }

    private void scan(int len) {
        for (int i = 0; i < len && problem == DataReader.Problem.NONE; i++) {
            byte b = buf[i];
            if (b == '\n') {
                if (!pendingCr && !binary) {
                    problem = DataReader.Problem.BARE_CR_LF;
                    return;
                }
                endLine();
                pendingCr = false;
                continue;
            }
            if (pendingCr && !binary) {
                problem = DataReader.Problem.BARE_CR_LF;
                return;
            }
            if (pendingCr) put((byte) '\r');
            pendingCr = b == '\r';
            if (!pendingCr) put(b);
        }
    }

    private void put(byte b) {
        if (lineLen < line.length) line[lineLen++] = b;
        else lineTooLong = true;
    }

    private void endLine() {
        if (lineTooLong && !binary) {
            problem = DataReader.Problem.LINE_TOO_LONG;
            return;
        }
        if (inHeader) {
            if (lineLen == 0) {
                inHeader = false;
            } else if (DataReader.isReceived(line, 0, lineLen) && ++received > DataReader.MAX_RECEIVED) {
                problem = DataReader.Problem.LOOP; // RFC 5321 §6.3
            } else if (header.size() + lineLen + 2 > MAX_HEADER_CAPTURE || lineTooLong) {
                headerTruncated = true;
            } else {
                header.write(line, 0, lineLen);
                header.write('\r');
                header.write('\n');
            }
        }
        lineLen = 0;
        lineTooLong = false;
    }

    boolean finished() {
        return finished;
    }

    boolean clientFailed() {
        return clientFailed;
    }

    DataReader.Problem problem() {
        return problem;
    }

    SmtpCommand interruptedBy() {
        return interruptedBy;
    }

    SmtpReply endSession() {
        return endSession;
    }

    /** The intake returned without reading every chunk (it failed early): nothing more can be skipped safely. */
    boolean started() {
        return started;
    }

    @Override
    public byte[] headerBlock() {
        return header.toByteArray();
    }

    @Override
    public boolean headerBlockTruncated() {
        return headerTruncated;
    }
}
