// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The smallest POP3 client the retrieval benchmark needs (RFC 1939): USER/PASS, LIST, RETR, QUIT.
 * Multi-line responses are consumed up to the terminating "." line and only counted, never kept, so
 * the client costs as little CPU as it can: on a 2-core machine it shares the cores with the server.
 * Its own buffer instead of BufferedInputStream: no lock per byte.
 */
final class Pop3Client implements AutoCloseable {
    /** Longest response line accepted (RFC 2449 §4 allows 512 octets; messages may have longer lines). */
    static final int MAX_LINE = 1 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private byte[] line = new byte[1024];
    private int lineLen;
    private boolean resumed;

    private Pop3Client(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        String greeting = readLine();
        if (!greeting.startsWith("+OK")) {
            socket.close();
            throw new IOException("bad greeting: " + Text.shorten(greeting));
        }
    }

    /** Connects from {@code source} (any 127/8 address) and, for implicit TLS (RFC 8314), handshakes. */
    static Pop3Client connect(Target target, InetAddress source, SSLContext tls, int timeoutMillis) throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            if (source != null) plain.bind(new InetSocketAddress(source, 0));
            plain.connect(new InetSocketAddress(target.address(), target.port()), timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
            Socket s = plain;
            boolean resumed = false;
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, target.address().getHostAddress(),
                        target.port(), true);
                ssl.setUseClientMode(true);
                long before = System.currentTimeMillis();
                ssl.startHandshake();
                // A resumed session (RFC 8446 §2.2) keeps the creation time of the one it resumes.
                resumed = ssl.getSession().getCreationTime() < before;
                s = ssl;
            }
            Pop3Client c = new Pop3Client(s);
            c.resumed = resumed;
            return c;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** Whether the TLS handshake resumed an earlier session instead of a full handshake. */
    boolean resumed() {
        return resumed;
    }

    void login(String user, String password) throws IOException {
        command("USER " + user);
        command("PASS " + password);
    }

    /** LIST: the number of messages in the maildrop. */
    int list() throws IOException {
        command("LIST");
        int n = 0;
        while (readRaw() && !isDot()) n++;
        return n;
    }

    /** RETR {@code msg}: the octets of the message as sent (dot-stuffed lines with their CRLF). */
    long retr(int msg) throws IOException {
        command("RETR " + msg);
        long octets = 0;
        while (readRaw() && !isDot()) octets += lineLen + 2;
        return octets;
    }

    void quit() throws IOException {
        command("QUIT");
    }

    /** Sends one command and reads its status line; -ERR becomes an IOException. */
    String command(String cmd) throws IOException {
        out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String reply = readLine();
        if (!reply.startsWith("+OK")) {
            throw new IOException((cmd.startsWith("PASS") ? "PASS" : cmd) + ": " + Text.shorten(reply));
        }
        return reply;
    }

    private boolean isDot() {
        return lineLen == 1 && line[0] == '.';
    }

    private String readLine() throws IOException {
        if (!readRaw()) throw new EOFException("connection closed");
        return new String(line, 0, lineLen, StandardCharsets.ISO_8859_1);
    }

    /** One line without its CRLF into {@link #line}; false at end of stream. */
    private boolean readRaw() throws IOException {
        lineLen = 0;
        while (true) {
            if (pos == lim) {
                int n = in.read(buf);
                if (n < 0) {
                    if (lineLen == 0) return false;
                    throw new EOFException("connection closed mid-line");
                }
                pos = 0;
                lim = n;
            }
            int start = pos;
            int end = start;
            while (end < lim && buf[end] != '\n') end++;
            append(start, end);
            pos = end;
            if (end < lim) {
                pos++;
                if (lineLen > 0 && line[lineLen - 1] == '\r') lineLen--;
                return true;
            }
        }
    }

    private void append(int from, int to) throws IOException {
        int n = to - from;
        if (lineLen + n > line.length) {
            if (lineLen + n > MAX_LINE) throw new IOException("response line longer than " + MAX_LINE);
            line = java.util.Arrays.copyOf(line, Math.max(lineLen + n, line.length * 2));
        }
        System.arraycopy(buf, from, line, lineLen, n);
        lineLen += n;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing left to do with a socket that will not close.
        }
    }
}
