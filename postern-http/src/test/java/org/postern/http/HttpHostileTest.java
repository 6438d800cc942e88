// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;

/** The HTTP rows of HOSTILE.md: A44 (slow handshake), A45 (slowloris), A46 (connections per address), headers, paths. */
class HttpHostileTest {
    static final int PER_ADDRESS = 4;
    static final Duration HEADER_DEADLINE = Duration.ofSeconds(2);
    static final Duration HANDSHAKE_DEADLINE = Duration.ofSeconds(2);

    @TempDir
    Path tmp;
    private HttpServer server;
    private TlsContext tls;
    private Path www;

    @BeforeEach
    void start() throws Exception {
        SelfSignedCertificate.createIfMissing(tmp.resolve("c.pem"), tmp.resolve("k.pem"), "localhost");
        tls = TlsContext.fromPem(tmp.resolve("c.pem"), tmp.resolve("k.pem"));
        www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<p>webmail</p>");
        Files.createDirectories(www.resolve("js"));
        Files.writeString(www.resolve("js/app.js"), "console.log(1)");
        Files.writeString(www.resolve(".secret.txt"), "dotfile");
        Files.writeString(www.resolve("notes.bak"), "unknown type");
        Files.writeString(tmp.resolve("outside.txt"), "OUTSIDE-ROOT");
        Files.createSymbolicLink(www.resolve("link.txt"), tmp.resolve("outside.txt"));
        HttpConfig config = new HttpConfig(InetAddress.getLoopbackAddress(), 0, -1, 10_000, 8192, Duration.ofSeconds(30),
                Duration.ofDays(1)).withConnectionLimits(1000, PER_ADDRESS).withDeadlines(HEADER_DEADLINE, HANDSHAKE_DEADLINE);
        StaticFiles files = new StaticFiles(www, "/", "index.html");
        server = HttpServer.start(config, tls, "localhost", r -> r.add("/", files).add("/echo", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = Content.Source.asInputStream(request).readAllBytes();
                Content.Sink.write(response, true, "got " + body.length, callback);
                return true;
            }
        }));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private SSLSocket tlsSocket() throws Exception {
        SSLSocket s = (SSLSocket) tls.clientContextTrustingSelf().getSocketFactory().createSocket("127.0.0.1", server.httpsPort());
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    /** Sends one raw HTTP/1.1 request and returns the status line. */
    private String statusOf(String rawRequest) throws Exception {
        try (SSLSocket s = tlsSocket()) {
            s.getOutputStream().write(rawRequest.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String head = readHead(s.getInputStream());
            return head.lines().findFirst().orElse("");
        }
    }

    private String body(String rawRequest) throws Exception {
        try (SSLSocket s = tlsSocket()) {
            s.getOutputStream().write(rawRequest.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) break;
        }
        return b.toString();
    }

    /** True once the peer has closed: read gives EOF or a reset, within the deadline. */
    private static boolean closedWithin(Socket s, Duration deadline) throws IOException {
        s.setSoTimeout((int) deadline.toMillis());
        try {
            InputStream in = s.getInputStream();
            while (true) {
                if (in.read() < 0) return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException | javax.net.ssl.SSLException e) {
            return true;
        }
    }

    @Test
    void connectionsBeyondThePerAddressCapAreClosed() throws Exception {
        List<SSLSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS; i++) held.add(tlsSocket());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.openConnections(InetAddress.getByName("127.0.0.1")) < PER_ADDRESS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(server.openConnections(InetAddress.getByName("127.0.0.1"))).isEqualTo(PER_ADDRESS);
            try (Socket extra = new Socket("127.0.0.1", server.httpsPort())) {
                assertThat(closedWithin(extra, Duration.ofSeconds(5))).as("connection over the cap is closed").isTrue();
            }
            // The ones held still work, and closing one frees a slot.
            SSLSocket first = held.removeFirst();
            first.getOutputStream().write("GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
            assertThat(readHead(first.getInputStream())).startsWith("HTTP/1.1 200");
            first.close();
            deadline = System.nanoTime() + 5_000_000_000L;
            while (server.openConnections(InetAddress.getByName("127.0.0.1")) >= PER_ADDRESS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(statusOf("GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        } finally {
            for (Socket s : held) s.close();
        }
    }

    @Test
    void slowlorisHeadersAreCutOffAtTheHeaderDeadlineNotTheIdleTimeout() throws Exception {
        try (SSLSocket s = tlsSocket()) {
            OutputStream out = s.getOutputStream();
            out.write("GET /index.html HTTP/1.1\r\nHost: localhost\r\n".getBytes());
            out.flush();
            long start = System.nanoTime();
            boolean closed = false;
            // One header byte every 200 ms: the 30 s idle timeout never fires, the header deadline must.
            while (System.nanoTime() - start < 10_000_000_000L) {
                try {
                    out.write('X');
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                s.setSoTimeout(200);
                try {
                    if (s.getInputStream().read() < 0) {
                        closed = true;
                        break;
                    }
                } catch (SocketTimeoutException e) {
                    // still open
                } catch (IOException e) {
                    closed = true;
                    break;
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(closed).as("slow header connection closed").isTrue();
            assertThat(took).isLessThan(HEADER_DEADLINE.plusSeconds(3));
        }
    }

    @Test
    void aHandshakeThatNeverFinishesIsCutOff() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.httpsPort())) {
            // The start of a TLS record carrying a ClientHello, then nothing more.
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00});
            s.getOutputStream().flush();
            long start = System.nanoTime();
            assertThat(closedWithin(s, Duration.ofSeconds(8))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(HANDSHAKE_DEADLINE.plusSeconds(3));
        }
    }

    @Test
    void alpnForAnotherProtocolAbortsTheHandshake() throws Exception {
        // HOSTILE A41 (ALPACA) from the other side: a mail client steered to the web port.
        try (SSLSocket s = (SSLSocket) tls.clientContextTrustingSelf().getSocketFactory().createSocket("127.0.0.1", server.httpsPort())) {
            var p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"imap"});
            s.setSSLParameters(p);
            s.setSoTimeout(5000);
            boolean refused;
            try {
                s.startHandshake();
                s.getOutputStream().write("a LOGIN x y\r\n".getBytes());
                refused = s.getInputStream().read() < 0;
            } catch (IOException e) {
                refused = true;
            }
            assertThat(refused).isTrue();
        }
        try (SSLSocket s = (SSLSocket) tls.clientContextTrustingSelf().getSocketFactory().createSocket("127.0.0.1", server.httpsPort())) {
            var p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
        }
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        String big = "a".repeat(9000);
        assertThat(statusOf("GET /index.html HTTP/1.1\r\nHost: localhost\r\nX-Big: " + big + "\r\n\r\n")).contains(" 431");
        StringBuilder many = new StringBuilder("GET /index.html HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i < 2000; i++) many.append("X-H").append(i).append(": v\r\n");
        assertThat(statusOf(many + "\r\n")).contains(" 431");
    }

    @Test
    void hostHeaderAbuseIsRefused() throws Exception {
        // RFC 9112 §3.2: a request with no Host, or more than one, is a 400.
        assertThat(statusOf("GET /index.html HTTP/1.1\r\n\r\n")).contains(" 400");
        assertThat(statusOf("GET /index.html HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n")).contains(" 400");
        assertThat(statusOf("GET /index.html HTTP/1.1\r\nHost: local host\r\n\r\n")).contains(" 400");
        assertThat(statusOf("GET /index.html HTTP/1.1\r\nHost: evil.example/../x\r\n\r\n")).contains(" 400");
    }

    @Test
    void bareLfAndObsoleteLineFoldingAreRefused() throws Exception {
        assertThat(statusOf("GET /index.html HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\n b\r\n\r\n")).contains(" 400");
    }

    @Test
    void staticFilesAreServed() throws Exception {
        assertThat(body("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200")
                .contains("text/html").contains("<p>webmail</p>");
        assertThat(body("GET /js/app.js HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200")
                .contains("text/javascript").contains("nosniff");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/../outside.txt", "/..%2foutside.txt", "/%2e%2e/outside.txt", "/%2e%2e%2foutside.txt", "/js/../../outside.txt",
        "/js/%2e%2e/%2e%2e/outside.txt", "/..%5coutside.txt", "/js%5c..%5c..%5coutside.txt", "/.secret.txt",
        "/%2esecret.txt", "/link.txt", "/notes.bak", "/js/", "/js", "/index.html%00.png", "/index.html%2500",
        "//etc/passwd", "/%252e%252e/outside.txt", "/..;/outside.txt", "/js/app.js/..", "/C:%5cwindows%5cwin.ini",
    })
    void pathTraversalNeverLeavesTheRoot(String path) throws Exception {
        String r = body("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(r).doesNotContain("OUTSIDE-ROOT").doesNotContain("dotfile").doesNotContain("unknown type");
        assertThat(r.lines().findFirst().orElse("")).matches("HTTP/1.1 (400|404) .*");
    }

    @Test
    void aTricklingBodyIsCutOff() throws Exception {
        try (SSLSocket s = tlsSocket()) {
            OutputStream out = s.getOutputStream();
            out.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n".getBytes());
            out.flush();
            long start = System.nanoTime();
            String status = null;
            s.setSoTimeout(500);
            // 1 octet every 500 ms is far below the minimum rate; the server answers 408 or closes.
            while (System.nanoTime() - start < 15_000_000_000L && status == null) {
                try {
                    out.write('x');
                    out.flush();
                } catch (IOException e) {
                    status = "closed";
                    break;
                }
                try {
                    String head = readHead(s.getInputStream());
                    status = head.isEmpty() ? "closed" : head.lines().findFirst().orElse("closed");
                } catch (SocketTimeoutException e) {
                    // nothing yet
                } catch (IOException e) {
                    status = "closed";
                }
            }
            assertThat(status).as("slow body refused").isNotNull().matches("closed|HTTP/1.1 408 .*");
        }
    }
}
