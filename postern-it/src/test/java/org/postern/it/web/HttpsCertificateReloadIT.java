// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.postern.net.SelfSignedCertificate;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * The HTTPS port (443 with its offset) takes a renewed certificate from the same PEM files as the mail
 * ports, without a restart, and a browser login made before the renewal keeps working after it.
 */
class HttpsCertificateReloadIT {
    private static SSLContext lookingOnly() throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return c;
    }

    private static String servedSubject(int port) throws Exception {
        try (SSLSocket s = (SSLSocket) lookingOnly().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @Test
    void renewedPemFilesAreServedOnTheWebPortAndSessionsSurvive() throws Exception {
        try (TestServer server = TestServer.start()) {
            server.createUser("erin@example.test", "erin-password");
            int https = server.server().port(Service.HTTPS.key());
            assertThat(servedSubject(https)).doesNotContain("renewed.example.test");

            HttpClient http = HttpClient.newBuilder().sslContext(lookingOnly()).connectTimeout(Duration.ofSeconds(5)).build();
            String base = "https://localhost:" + https;
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"erin@example.test\",\"password\":\"erin-password\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(200);
            String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));

            Path cert = server.server().settings().tlsCert();
            Path key = server.server().settings().tlsKey();
            Path dir = Files.createTempDirectory("renewed-web");
            SelfSignedCertificate.createIfMissing(dir.resolve("cert.pem"), dir.resolve("key.pem"), "renewed.example.test");
            Files.copy(dir.resolve("key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(dir.resolve("cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
            FileTime later = FileTime.from(Instant.now().plusSeconds(10));
            Files.setLastModifiedTime(cert, later);
            Files.setLastModifiedTime(key, later);

            Instant deadline = Instant.now().plusSeconds(10);
            String subject = servedSubject(https);
            while (!subject.contains("renewed.example.test") && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
                subject = servedSubject(https);
            }
            assertThat(subject).as("HTTPS serves the renewed certificate").contains("renewed.example.test");
            // The mail ports share the files, so they moved too.
            assertThat(servedSubject(server.imapsPort())).contains("renewed.example.test");

            HttpClient fresh = HttpClient.newBuilder().sslContext(lookingOnly()).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> session = fresh.send(HttpRequest.newBuilder(URI.create(base + "/.well-known/jmap"))
                    .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(session.statusCode()).isEqualTo(200);
            assertThat(session.body()).contains("erin@example.test");
        }
    }
}
