// SPDX-License-Identifier: Apache-2.0
package org.postern.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A line-based protocol client for transcript tests: what a test sends and what the server answers,
 * byte for byte, without a client library's interpretation in between. Every read has a timeout, so a
 * server that does not answer fails the test instead of hanging it.
 *
 * <p>A failed expectation throws {@link AssertionError} carrying the transcript so far.
 */
public final class RawClient implements AutoCloseable {
    /** Longest line read; a server sending more is broken, and the test should say so. */
    public static final int MAX_LINE = 1 << 20;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Duration timeout = Duration.ofSeconds(10);
    private boolean lastEndedWithCrlf = true;
    private final List<String> transcript = new ArrayList<>();

    private RawClient(String host, int port, Socket socket) throws IOException {
        this.host = host;
        this.port = port;
        use(socket);
    }

    public static RawClient connect(String host, int port) throws IOException {
        return connect(host, port, null);
    }

    /** With {@code tls} non-null the connection starts with a TLS handshake (implicit TLS, RFC 8314). */
    public static RawClient connect(String host, int port, SSLContext tls) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
            if (tls != null) s = handshake(tls, s, host, port);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new RawClient(host, port, s);
    }

    private void use(Socket s) throws IOException {
        this.socket = s;
        s.setSoTimeout((int) timeout.toMillis());
        this.in = new BufferedInputStream(s.getInputStream());
        this.out = s.getOutputStream();
    }

    private static SSLSocket handshake(SSLContext tls, Socket plain, String host, int port) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
        ssl.setUseClientMode(true);
        ssl.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
        ssl.startHandshake();
        return ssl;
    }

    public RawClient timeout(Duration t) throws IOException {
        this.timeout = t;
        socket.setSoTimeout((int) t.toMillis());
        return this;
    }

    /** Sends the line with CRLF appended. */
    public RawClient send(String line) throws IOException {
        transcript.add("C: " + line);
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    /** Sends bytes exactly as given (bare LFs, NULs, literals, partial lines). */
    public RawClient sendRaw(byte[] bytes) throws IOException {
        transcript.add("C: <" + bytes.length + " raw bytes>");
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawClient sendRaw(String s) throws IOException {
        return sendRaw(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One line without its line ending, or null when the server closed the connection.
     *
     * @throws AssertionError when nothing arrives within the timeout
     */
    public String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') break;
                if (b.size() >= MAX_LINE) throw fail("line longer than " + MAX_LINE + " bytes");
                b.write(c);
            }
            if (c < 0 && b.size() == 0) {
                transcript.add("S: <closed>");
                return null;
            }
        } catch (SocketTimeoutException e) {
            throw fail("no complete line within " + timeout.toMillis() + " ms (got '" + b.toString(StandardCharsets.UTF_8) + "')");
        }
        byte[] raw = b.toByteArray();
        lastEndedWithCrlf = raw.length > 0 && raw[raw.length - 1] == '\r';
        String line = new String(raw, 0, lastEndedWithCrlf ? raw.length - 1 : raw.length, StandardCharsets.UTF_8);
        transcript.add("S: " + line);
        return line;
    }

    /** Whether the last line read ended with CRLF (a server must never send a bare LF). */
    public boolean lastLineEndedWithCrlf() {
        return lastEndedWithCrlf;
    }

    /** Exactly n bytes (an IMAP literal, a message body). */
    public byte[] readBytes(int n) throws IOException {
        try {
            byte[] b = in.readNBytes(n);
            if (b.length < n) throw fail("connection closed after " + b.length + " of " + n + " bytes");
            transcript.add("S: <" + n + " bytes>");
            return b;
        } catch (SocketTimeoutException e) {
            throw fail("fewer than " + n + " bytes within " + timeout.toMillis() + " ms");
        }
    }

    /**
     * Reads one line and checks it starts with {@code prefixOrRegex} or, failing that, matches it as
     * a whole-line regular expression. Returns the line.
     */
    public String expect(String prefixOrRegex) throws IOException {
        String line = readLine();
        if (line == null) throw fail("connection closed; expected '" + prefixOrRegex + "'");
        if (!matches(line, prefixOrRegex)) throw fail("expected '" + prefixOrRegex + "' but got '" + line + "'");
        return line;
    }

    /** Reads several lines, each checked like {@link #expect}. */
    public List<String> expect(String first, String... more) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(expect(first));
        for (String m : more) lines.add(expect(m));
        return lines;
    }

    /**
     * Reads lines until one matches (a tagged IMAP reply, the end of a multi-line reply); returns all
     * of them, the matching one last.
     */
    public List<String> readUntil(String prefixOrRegex) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) throw fail("connection closed before '" + prefixOrRegex + "'");
            lines.add(line);
            if (matches(line, prefixOrRegex)) return lines;
        }
    }

    /** Waits for the server to close the connection, failing if it sends anything else first. */
    public void expectClosed() throws IOException {
        String line = readLine();
        if (line != null) throw fail("expected the connection to close but got '" + line + "'");
    }

    static boolean matches(String line, String prefixOrRegex) {
        if (line.startsWith(prefixOrRegex)) return true;
        try {
            return Pattern.compile(prefixOrRegex).matcher(line).matches();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /**
     * Upgrades the connection after the server agreed to STARTTLS/STLS. Refuses when the server sent
     * bytes after its go-ahead: they would be plaintext injected into the TLS session (CVE-2011-0411).
     */
    public RawClient startTls(SSLContext tls) throws IOException {
        if (in.available() > 0) throw fail("server sent data after agreeing to start TLS");
        transcript.add("-- TLS --");
        use(handshake(tls, socket, host, port));
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    public boolean isSecure() {
        return socket instanceof SSLSocket;
    }

    public Socket socket() {
        return socket;
    }

    public List<String> transcript() {
        return List.copyOf(transcript);
    }

    private AssertionError fail(String message) {
        return new AssertionError(message + "\n--- transcript (" + host + ":" + port + ") ---\n" + String.join("\n", transcript));
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
