// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One client connection: a strict line reader, a buffered writer, and the switch to TLS.
 *
 * <p>Not thread-safe, except {@link #close()}: a connection belongs to the virtual thread serving it,
 * and others (shutdown, a deleted account) may only close it.
 *
 * <p>Every write has a deadline ({@link #setWriteTimeout}) and so has closing: a peer that stopped
 * reading gets its connection reset instead of holding a thread forever ({@link Deadlines}). Reads
 * have a timeout ({@link #setReadTimeout}) kept by the same watcher, not by a timer per read
 * ({@link TimedInput}). Buffers
 * exist only while data passes through them ({@link ElasticOutputStream}, {@link LineReader}), so a
 * connection waiting for its next command holds a few hundred bytes of its own.
 */
public final class Connection implements Closeable {
    /** How long closing may spend on buffered output and the TLS close_notify before the socket is reset. */
    static final Duration CLOSE_LINGER = Duration.ofSeconds(2);
    static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofMinutes(5);
    private static final long NONE = Long.MIN_VALUE;

    private final Socket plain;
    private Socket socket;
    /** The plain socket's input; TLS reads through it too ({@link TimedSocket}). */
    private final TimedInput input;
    /** Guards the switch between SO_TIMEOUT and the watcher's timeout. */
    private final Object readTimeoutLock = new Object();
    private final LineReader reader;
    private final ElasticOutputStream out;
    private final InetSocketAddress remote;
    private final int localPort;
    private volatile boolean closed;
    /** 0: reads wait for ever (as SO_TIMEOUT 0 does). */
    private volatile long readTimeoutNanos;
    private volatile long writeTimeoutNanos = DEFAULT_WRITE_TIMEOUT.toNanos();
    private volatile long writeDeadline = NONE;
    private volatile long closeDeadline = NONE;
    /** The ALPN protocol ID this port speaks, or null to ignore ALPN (RFC 7301 §3.2). */
    private String alpnProtocol;

    /** The connection must be {@link #close() closed}: until then the deadline watcher keeps it. */
    public Connection(Socket socket) throws IOException {
        this.plain = socket;
        this.socket = socket;
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.localPort = socket.getLocalPort();
        this.input = new TimedInput(socket.getInputStream());
        this.reader = new LineReader(input);
        this.out = new ElasticOutputStream(new GuardedOutput(socket.getOutputStream()));
        socket.setTcpNoDelay(true);
        Deadlines.watch(this);
    }

    public LineReader in() {
        return reader;
    }

    /** Buffered; call {@link #flush()} when a reply is complete. The same stream before and after TLS starts. */
    public OutputStream out() {
        return out;
    }

    /** Writes an ASCII/UTF-8 line and CRLF, without flushing. */
    public void writeLine(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    public void flush() throws IOException {
        out.flush();
    }

    public InetAddress remoteAddress() {
        return remote.getAddress();
    }

    public InetSocketAddress remote() {
        return remote;
    }

    public int localPort() {
        return localPort;
    }

    public boolean isSecure() {
        return socket instanceof SSLSocket;
    }

    /** The TLS session, or null before TLS. */
    public SSLSession tlsSession() {
        return socket instanceof SSLSocket s ? s.getSession() : null;
    }

    /** The ALPN protocol agreed in the handshake, or null (none offered, or before TLS). */
    public String applicationProtocol() {
        if (!(socket instanceof SSLSocket s)) return null;
        String p = s.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    /**
     * How long a read may block before it fails with a {@link java.net.SocketTimeoutException}
     * (RFC 5321 §4.5.3.2 timeouts); zero waits for ever. Until the connection first writes, the
     * socket's SO_TIMEOUT keeps it and a timed-out read leaves the input readable (a pregreet probe
     * carries on after one). From then on {@link Deadlines} keeps it, within its tick, and a
     * timeout ends the input for good: only writing (the goodbye) and closing remain.
     */
    public void setReadTimeout(Duration timeout) throws SocketException {
        long millis = Math.min(Integer.MAX_VALUE, timeout.toMillis());
        if (millis < 0) throw new IllegalArgumentException("read timeout < 0");
        synchronized (readTimeoutLock) {
            readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(millis);
            if (!input.watched()) plain.setSoTimeout((int) millis);
        }
    }

    /** How long one write may block on a peer that does not read before the connection is reset. */
    public void setWriteTimeout(Duration timeout) {
        writeTimeoutNanos = timeout.toNanos();
    }

    /** The ALPN protocol ID to require when TLS starts on this connection; null ignores ALPN. */
    void setAlpnProtocol(String id) {
        alpnProtocol = id;
    }

    /**
     * Switches to TLS: discards every byte the client sent after the command that asked for it
     * (CVE-2011-0411), then does the server handshake. Used for STARTTLS/STLS and, right after
     * accept, for implicit TLS (RFC 8314).
     */
    public void startTls(TlsContext tls) throws IOException {
        if (isSecure()) throw new IllegalStateException("TLS already active");
        out.flush();
        // Layered over the timed input, so handshake and records share the read timeout.
        SSLSocket ssl = tls.wrap(new TimedSocket(plain, input), alpnProtocol);
        // Bounded by the read timeout; what the server writes in a handshake fits the socket buffer.
        ssl.startHandshake();
        socket = ssl;
        reader.switchTo(ssl.getInputStream());
        out.switchTo(new GuardedOutput(ssl.getOutputStream()));
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Sends what is still buffered and closes, all within {@link #CLOSE_LINGER}. Only the thread that
     * owns the connection may call this (it writes); others call {@link #close()}.
     */
    public void closeGracefully() {
        if (!closed) {
            long linger = CLOSE_LINGER.toNanos();
            if (writeTimeoutNanos > linger) writeTimeoutNanos = linger;
            try {
                out.flush();
            } catch (IOException ignored) {
                // peer gone or not reading: nothing more to say
            }
        }
        close();
    }

    /**
     * Closes without blocking for long: a TLS close_notify (RFC 8446 §6.1) is attempted within
     * {@link #CLOSE_LINGER}; when a write of the owning thread is stuck, the connection is reset at once.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (writeDeadline != NONE) {
                abort();
                return;
            }
            if (socket instanceof SSLSocket ssl) {
                closeDeadline = System.nanoTime() + CLOSE_LINGER.toNanos();
                try {
                    ssl.close();
                } catch (IOException ignored) {
                    // best effort: the peer may be gone already
                } finally {
                    closeDeadline = NONE;
                }
            }
            plain.close();
        } catch (IOException ignored) {
            // Closing is best effort: the peer may be gone already.
        } finally {
            Deadlines.forget(this);
        }
    }

    /** Resets the connection (RST): unblocks every thread reading or writing it. */
    void abort() {
        closed = true;
        try {
            plain.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        try {
            plain.close();
        } catch (IOException ignored) {
            // already closed
        }
        Deadlines.forget(this);
    }

    /** Whether a write or the close has run past its deadline at {@code now} (System.nanoTime). */
    boolean overran(long now) {
        long w = writeDeadline;
        long c = closeDeadline;
        return (w != NONE && now - w > 0) || (c != NONE && now - c > 0);
    }

    /**
     * Ends a read that has waited past the read timeout at {@code now}: marks it timed out and shuts
     * the input down, which wakes the reader, who then gets a SocketTimeoutException.
     */
    void expireRead(long now) {
        if (!input.overdue(now, readTimeoutNanos)) return;
        input.expire();
        try {
            plain.shutdownInput();
        } catch (IOException ignored) {
            // closed meanwhile: the reader is woken anyway
        }
    }

    /** The socket's SO_TIMEOUT in milliseconds (tests: 0 once the watcher keeps the timeout). */
    int socketTimeoutMillis() throws SocketException {
        return plain.getSoTimeout();
    }

    /** The connection speaks: from now on the watcher keeps the read timeout, not SO_TIMEOUT. */
    private void watchReads() {
        synchronized (readTimeoutLock) {
            if (input.watched()) return;
            input.watch();
            try {
                plain.setSoTimeout(0);
            } catch (SocketException ignored) {
                // closed: the write that follows reports it
            }
        }
    }

    private void arm() {
        writeDeadline = System.nanoTime() + writeTimeoutNanos;
    }

    private void disarm() {
        writeDeadline = NONE;
    }

    /** The socket's stream with the write deadline armed around each call that can block. */
    private final class GuardedOutput extends OutputStream {
        private final OutputStream raw;

        GuardedOutput(OutputStream raw) {
            this.raw = raw;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0 && !input.watched()) watchReads();
            arm();
            try {
                raw.write(b, off, len);
            } finally {
                disarm();
            }
        }

        @Override
        public void flush() throws IOException {
            arm();
            try {
                raw.flush();
            } finally {
                disarm();
            }
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }
}
