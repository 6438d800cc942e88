// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One client connection: a strict line reader, a buffered writer, and the switch to TLS.
 *
 * <p>Not thread-safe, except {@link #close()}: a connection belongs to the virtual thread serving it,
 * and others (shutdown, a deleted account) may only close it.
 */
public final class Connection implements Closeable {
    private Socket socket;
    private final LineReader reader;
    private OutputStream out;
    private final InetSocketAddress remote;
    private final int localPort;
    private volatile boolean closed;

    public Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.localPort = socket.getLocalPort();
        this.reader = new LineReader(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        socket.setTcpNoDelay(true);
    }

    public LineReader in() {
        return reader;
    }

    /** Buffered; call {@link #flush()} when a reply is complete. */
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

    /** How long a read may block before the session is ended (RFC 5321 §4.5.3.2 timeouts). */
    public void setReadTimeout(Duration timeout) throws SocketException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /**
     * Switches to TLS: discards every byte the client sent after the command that asked for it
     * (CVE-2011-0411), then does the server handshake. Used for STARTTLS/STLS and, right after
     * accept, for implicit TLS (RFC 8314).
     */
    public void startTls(TlsContext tls) throws IOException {
        if (isSecure()) throw new IllegalStateException("TLS already active");
        out.flush();
        SSLSocket ssl = tls.wrap(socket);
        ssl.startHandshake();
        socket = ssl;
        reader.switchTo(ssl.getInputStream());
        out = new BufferedOutputStream(ssl.getOutputStream(), 16 * 1024);
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort: the peer may be gone already.
        }
    }
}
