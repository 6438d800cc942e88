// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;

class HttpServerTest {
    @TempDir
    Path tmp;
    private HttpServer server;
    private TlsContext tls;
    private HttpClient client;

    /** Echoes the body length, reading it fully (so the size limit applies). */
    private static final class Echo extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            byte[] body = Content.Source.asInputStream(request).readAllBytes();
            response.getHeaders().put("Content-Type", "text/plain");
            Content.Sink.write(response, true, "got " + body.length + " via " + request.getConnectionMetaData().getProtocol(),
                    callback);
            return true;
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "localhost");
        tls = TlsContext.fromPem(cert, key);
        HttpConfig config = new HttpConfig(InetAddress.getLoopbackAddress(), 0, 0, 1000, 8192, Duration.ofSeconds(30),
                Duration.ofDays(365));
        server = HttpServer.start(config, tls, "localhost", r -> r.add("/echo", new Echo()).add("/boom", new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                throw new IllegalStateException("secret internal detail");
            }
        }));
        client = client(tls.clientContextTrustingSelf());
    }

    private static HttpClient client(SSLContext ssl) {
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private URI https(String path) {
        return URI.create("https://localhost:" + server.httpsPort() + path);
    }

    @Test
    void servesHttp2OverTlsWithSecurityHeaders() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(https("/echo")).POST(HttpRequest.BodyPublishers.ofString("abc"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.body()).isEqualTo("got 3 via HTTP/2.0");
        assertThat(r.headers().firstValue("strict-transport-security")).hasValue("max-age=31536000");
        assertThat(r.headers().firstValue("content-security-policy").orElseThrow())
                .contains("default-src 'self'", "frame-ancestors 'none'");
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("referrer-policy")).hasValue("no-referrer");
        assertThat(r.headers().firstValue("server")).isEmpty();
    }

    @Test
    void speaksHttp11WhenTheClientAsksForIt() throws Exception {
        HttpClient h1 = HttpClient.newBuilder().sslContext(tls.clientContextTrustingSelf()).version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpResponse<String> r = h1.send(HttpRequest.newBuilder(https("/echo")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("got 0 via HTTP/1.1");
    }

    @Test
    void unknownPathsAre404WithTheSameHeaders() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(https("/nothing/here")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("content-security-policy")).isPresent();
        assertThat(r.body()).doesNotContain("Exception", "jetty");
    }

    @Test
    void aFailingHandlerShowsNoInternals() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(https("/boom")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("500 Server Error\n").doesNotContain("secret", "Exception");
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    }

    @Test
    void aBodyAboveTheLimitIsRefused() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(https("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(5000))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void plainHttpRedirectsToHttpsAndServesNothing() throws Exception {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.httpPort() + "/echo?a=1"))
                .POST(HttpRequest.BodyPublishers.ofString("secret")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(308);
        assertThat(r.headers().firstValue("location")).hasValue("https://localhost:" + server.httpsPort() + "/echo?a=1");
        assertThat(r.body()).doesNotContain("got");
        assertThat(r.headers().firstValue("strict-transport-security")).isEmpty();
    }

    @Test
    void aHostileHostHeaderDoesNotSteerTheRedirect() throws Exception {
        try (var s = new java.net.Socket(InetAddress.getLoopbackAddress(), server.httpPort())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: evil.example/x?\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(reply).doesNotContain("Location: https://evil.example/x");
        }
    }

    @Test
    void onlyTls12And13AreOffered() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(https("/echo")).build(), HttpResponse.BodyHandlers.ofString());
        SSLSession session = r.sslSession().orElseThrow();
        assertThat(session.getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        SSLContext old = SSLContext.getInstance("TLS");
        old.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
        var sock = (javax.net.ssl.SSLSocket) old.getSocketFactory().createSocket("127.0.0.1", server.httpsPort());
        sock.setEnabledProtocols(new String[] {"TLSv1.1"});
        org.assertj.core.api.Assertions.assertThatThrownBy(sock::startHandshake).isInstanceOf(IOException.class);
        sock.close();
    }

    @Test
    void aRenewedCertificateIsServedWithoutRestart() throws Exception {
        X509Certificate before = tls.certificate();
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Files.delete(cert);
        Files.delete(key);
        SelfSignedCertificate.createIfMissing(cert, key, "renewed.localhost");
        Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            SSLContext trustAll = SSLContext.getInstance("TLS");
            trustAll.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
            try (var sock = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", server.httpsPort())) {
                sock.startHandshake();
                seen.set((X509Certificate) sock.getSession().getPeerCertificates()[0]);
            }
            if (!seen.get().equals(before)) break;
            Thread.sleep(200);
        }
        assertThat(seen.get().getSubjectX500Principal().getName()).contains("renewed.localhost");
    }

    private static final class TrustAll implements javax.net.ssl.X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] c, String a) {}

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
