// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read timeouts kept by the deadline watcher instead of SO_TIMEOUT: a silent peer's read fails with
 * SocketTimeoutException after about the timeout (not before it, within a second after it), the
 * session can still write its goodbye, timely data and a real end of stream are unaffected; over
 * plaintext, TLS 1.2, TLS 1.3 and after STARTTLS.
 */
class ReadTimeoutTest {
    /** The watcher ticks every 100 ms; a timeout may be reported this much late at most. */
    private static final Duration SLACK = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private TlsContext tls() throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "mail.example.test");
        return TlsContext.fromPem(cert, key);
    }

    /**
     * How a session's reading ended: "timeout" or "eof"; how long the last read waited; the lines
     * read; SO_TIMEOUT then; whether TLS was on.
     */
    record Ended(String how, Duration waited, List<String> lines, int soTimeoutMillis, boolean secure) {}

    /**
     * Greets, then answers each line with "ok" until a read ends; a timeout gets "bye timeout", like
     * the protocols' autologout. "STARTTLS" switches to TLS. With a probe, first reads before
     * greeting, expecting that read to time out (SMTP's pregreet check).
     */
    private static final class Session implements ConnectionHandler {
        final Duration timeout;
        final Duration probe;
        final TlsContext tls;
        final CompletableFuture<Ended> ended = new CompletableFuture<>();
        final CompletableFuture<Integer> probeSoTimeout = new CompletableFuture<>();

        Session(Duration timeout, Duration probe, TlsContext tls) {
            this.timeout = timeout;
            this.probe = probe;
            this.tls = tls;
        }

        @Override
        public void handle(Connection c) throws IOException {
            try {
                if (probe != null && !probe(c)) return;
                c.setReadTimeout(timeout);
                c.writeLine("hello");
                c.flush();
                List<String> lines = new ArrayList<>();
                while (true) {
                    long t0 = System.nanoTime();
                    String how;
                    try {
                        byte[] line = c.in().readLine(200);
                        if (line != null) {
                            String l = new String(line, StandardCharsets.US_ASCII);
                            lines.add(l);
                            if (l.equals("STARTTLS")) {
                                c.writeLine("go");
                                c.startTls(tls);
                            } else {
                                c.writeLine("ok " + l);
                                c.flush();
                            }
                            continue;
                        }
                        how = "eof";
                    } catch (SocketTimeoutException e) {
                        how = "timeout";
                        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
                        int so = c.socketTimeoutMillis();
                        c.writeLine("bye timeout");
                        c.flush();
                        ended.complete(new Ended(how, waited, lines, so, c.isSecure()));
                        return;
                    }
                    ended.complete(new Ended(how, Duration.ofNanos(System.nanoTime() - t0), lines,
                            c.socketTimeoutMillis(), c.isSecure()));
                    return;
                }
            } catch (IOException | RuntimeException e) {
                ended.completeExceptionally(e);
                throw e;
            }
        }

        /** True when the probe read timed out, as it should for a peer that waits for the greeting. */
        private boolean probe(Connection c) throws IOException {
            c.setReadTimeout(probe);
            probeSoTimeout.complete(c.socketTimeoutMillis());
            try {
                c.in().readFully(new byte[1], 0, 1);
                ended.completeExceptionally(new AssertionError("the peer talked before the greeting"));
                return false;
            } catch (SocketTimeoutException expected) {
                return true;
            }
        }
    }

    /** A line-based test client over plaintext, upgraded to TLS on request. */
    private static final class Client implements AutoCloseable {
        private final TlsContext tls;
        private final int port;
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;

        Client(int port, TlsContext tls, String transport) throws Exception {
            this.tls = tls;
            this.port = port;
            use(new Socket(InetAddress.getLoopbackAddress(), port));
            if (!transport.equals("plain")) startTls(transport);
        }

        private void use(Socket s) throws IOException {
            s.setSoTimeout(10_000);
            socket = s;
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out = s.getOutputStream();
        }

        void startTls(String protocol) throws Exception {
            SSLSocket ssl = (SSLSocket) tls.clientContextTrustingSelf().getSocketFactory()
                    .createSocket(socket, "localhost", port, true);
            ssl.setEnabledProtocols(new String[] {protocol});
            ssl.startHandshake();
            assertThat(ssl.getSession().getProtocol()).isEqualTo(protocol);
            use(ssl);
        }

        String line() throws IOException {
            return in.readLine();
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Ends what this side sends: TCP FIN in plaintext, close_notify and FIN under TLS. */
        void endOutput() throws IOException {
            if (socket instanceof SSLSocket) socket.close();
            else socket.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private Listener listen(boolean implicitTls, TlsContext tls, Session session) throws Exception {
        return Listener.start("t", InetAddress.getLoopbackAddress(), 0, implicitTls, tls, NetLimits.DEFAULT, session);
    }

    /** The scenario's own silence: the client keeps quiet for this long on purpose. */
    private static void silence(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    private static void assertTimedOutOnTime(Ended e, Duration timeout) {
        assertThat(e.how()).isEqualTo("timeout");
        assertThat(e.waited()).isGreaterThanOrEqualTo(timeout).isLessThan(timeout.plus(SLACK));
        // The watcher kept the timeout: no timer per read.
        assertThat(e.soTimeoutMillis()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "TLSv1.2", "TLSv1.3"})
    void aSilentPeerTimesOutOnTimeAndStillGetsTheGoodbye(String transport) throws Exception {
        TlsContext tls = tls();
        Duration timeout = Duration.ofMillis(600);
        Session session = new Session(timeout, null, tls);
        try (Listener l = listen(!transport.equals("plain"), tls, session);
                Client c = new Client(l.port(), tls, transport)) {
            assertThat(c.line()).isEqualTo("hello");
            Ended e = session.ended.get(10, TimeUnit.SECONDS);
            assertTimedOutOnTime(e, timeout);
            assertThat(e.secure()).isEqualTo(!transport.equals("plain"));
            // Writing after the timeout still works, TLS 1.2 included: the autologout reaches the peer.
            assertThat(c.line()).isEqualTo("bye timeout");
            assertThat(c.line()).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "TLSv1.2", "TLSv1.3"})
    void linesArrivingBeforeTheDeadlineAreReadNormally(String transport) throws Exception {
        TlsContext tls = tls();
        Duration timeout = Duration.ofMillis(1000);
        Session session = new Session(timeout, null, tls);
        try (Listener l = listen(!transport.equals("plain"), tls, session);
                Client c = new Client(l.port(), tls, transport)) {
            assertThat(c.line()).isEqualTo("hello");
            // Each wait is shorter than the timeout, together they are longer: the timeout is per read.
            silence(Duration.ofMillis(500));
            c.send("a");
            assertThat(c.line()).isEqualTo("ok a");
            silence(Duration.ofMillis(500));
            c.send("b");
            assertThat(c.line()).isEqualTo("ok b");
            Ended e = session.ended.get(10, TimeUnit.SECONDS);
            assertThat(e.lines()).containsExactly("a", "b");
            assertTimedOutOnTime(e, timeout);
            assertThat(c.line()).isEqualTo("bye timeout");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "TLSv1.2", "TLSv1.3"})
    void aPeersEndOfStreamStaysAnEndOfStream(String transport) throws Exception {
        TlsContext tls = tls();
        Duration timeout = Duration.ofSeconds(3);
        Session session = new Session(timeout, null, tls);
        try (Listener l = listen(!transport.equals("plain"), tls, session);
                Client c = new Client(l.port(), tls, transport)) {
            assertThat(c.line()).isEqualTo("hello");
            c.send("a");
            assertThat(c.line()).isEqualTo("ok a");
            c.endOutput();
            Ended e = session.ended.get(10, TimeUnit.SECONDS);
            assertThat(e.how()).isEqualTo("eof");
            assertThat(e.lines()).containsExactly("a");
            assertThat(e.waited()).isLessThan(timeout);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void theTimeoutFollowsTheReaderIntoStartTls(String protocol) throws Exception {
        TlsContext tls = tls();
        Duration timeout = Duration.ofMillis(600);
        Session session = new Session(timeout, null, tls);
        try (Listener l = listen(false, tls, session); Client c = new Client(l.port(), tls, "plain")) {
            assertThat(c.line()).isEqualTo("hello");
            c.send("STARTTLS");
            assertThat(c.line()).isEqualTo("go");
            c.startTls(protocol);
            Ended e = session.ended.get(10, TimeUnit.SECONDS);
            assertTimedOutOnTime(e, timeout);
            assertThat(e.secure()).isTrue();
            assertThat(c.line()).isEqualTo("bye timeout");
        }
    }

    @Test
    void aStartTlsHandshakeThatNeverComesTimesOut() throws Exception {
        TlsContext tls = tls();
        Duration timeout = Duration.ofMillis(600);
        Session session = new Session(timeout, null, tls);
        try (Listener l = listen(false, tls, session); Client c = new Client(l.port(), tls, "plain")) {
            assertThat(c.line()).isEqualTo("hello");
            c.send("STARTTLS");
            assertThat(c.line()).isEqualTo("go");
            // No ClientHello follows: the handshake's read is bounded by the same timeout.
            Ended e = session.ended.get(10, TimeUnit.SECONDS);
            assertTimedOutOnTime(e, timeout);
            assertThat(e.secure()).isFalse();
            assertThat(c.line()).isEqualTo("bye timeout");
        }
    }

    @Test
    void aTimeoutBeforeTheConnectionSpokeLeavesTheInputReadable() throws Exception {
        Duration probe = Duration.ofMillis(300);
        Duration timeout = Duration.ofMillis(600);
        Session session = new Session(timeout, probe, null);
        try (Listener l = listen(false, null, session); Client c = new Client(l.port(), null, "plain")) {
            // The client waits for the greeting, so the server's probe read times out first.
            assertThat(c.line()).isEqualTo("hello");
            assertThat(session.probeSoTimeout.get(10, TimeUnit.SECONDS)).isEqualTo((int) probe.toMillis());
            c.send("a");
            assertThat(c.line()).isEqualTo("ok a");
            Ended e = session.ended.get(10, TimeUnit.SECONDS);
            assertThat(e.lines()).containsExactly("a");
            assertTimedOutOnTime(e, timeout);
            assertThat(c.line()).isEqualTo("bye timeout");
        }
    }

    @Test
    void aZeroTimeoutWaitsForEver() throws Exception {
        Session session = new Session(Duration.ZERO, null, null);
        try (Listener l = listen(false, null, session); Client c = new Client(l.port(), null, "plain")) {
            assertThat(c.line()).isEqualTo("hello");
            // Past several watcher ticks: nothing ends the read.
            silence(Duration.ofMillis(500));
            assertThat(session.ended).isNotDone();
            c.send("a");
            assertThat(c.line()).isEqualTo("ok a");
        }
    }
}
