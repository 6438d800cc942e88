// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * The plain socket's input with the read timeout kept by {@link Deadlines} instead of SO_TIMEOUT.
 *
 * <p>A read with SO_TIMEOUT that has to wait is a timed park: on a virtual thread that arms and
 * cancels a timer in the scheduler for every command a client sends, which cost several percent of
 * the server's CPU. Here a read only notes when it started (one volatile write); the watcher ends a
 * read that has waited past the connection's timeout by shutting the socket's input down, and this
 * stream turns the end of input that the read then sees into the {@link SocketTimeoutException}
 * SO_TIMEOUT would have thrown. A peer's own end of stream stays an end of stream.
 *
 * <p>Unlike SO_TIMEOUT this ends the input for good, so it is used only once the connection has
 * written something ({@link #watch()}); before that, a timeout may be the expected outcome of a read
 * that the session carries on from (SMTP's pregreet probe, HOSTILE A14), and SO_TIMEOUT stays.
 *
 * <p>TLS reads through this stream too ({@link TimedSocket}), so a timeout reaches the TLS layer as
 * a SocketTimeoutException, which it passes on without closing: the session can still send its
 * goodbye (with an end of stream, TLS 1.2 would answer with close_notify and refuse every write).
 */
final class TimedInput extends InputStream {
    private static final long NONE = Long.MIN_VALUE;

    private final InputStream raw;
    /** Whether the watcher keeps the timeout (else the socket's SO_TIMEOUT does). */
    private volatile boolean watched;
    /** System.nanoTime() when the read in progress started, or NONE. */
    private volatile long since = NONE;
    private volatile boolean expired;

    TimedInput(InputStream raw) {
        this.raw = raw;
    }

    boolean watched() {
        return watched;
    }

    /** From now on the watcher keeps the timeout; the caller clears SO_TIMEOUT. */
    void watch() {
        watched = true;
    }

    /** Whether a read has been waiting longer than {@code timeoutNanos} (0: no timeout) at {@code now}. */
    boolean overdue(long now, long timeoutNanos) {
        long s = since;
        return s != NONE && timeoutNanos > 0 && !expired && now - s > timeoutNanos;
    }

    /** Marks the input timed out; the caller then shuts the socket's input down to wake the reader. */
    void expire() {
        expired = true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        // The input is gone once it timed out; every later read reports the timeout again.
        if (expired) throw timedOut();
        if (watched) since = System.nanoTime();
        int n;
        try {
            n = raw.read(b, off, len);
        } catch (IOException e) {
            if (!expired) throw e;
            SocketTimeoutException t = timedOut();
            t.initCause(e);
            throw t;
        } finally {
            since = NONE;
        }
        if (n < 0 && expired) throw timedOut();
        return n;
    }

    @Override
    public int available() throws IOException {
        return expired ? 0 : raw.available();
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    private static SocketTimeoutException timedOut() {
        return new SocketTimeoutException("Read timed out");
    }
}
