// SPDX-License-Identifier: Apache-2.0
package org.postern.it.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Writer;
import java.math.BigInteger;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * The admin page as an HTTP client meets it: 403 without a session and for a user who is no admin;
 * for an admin (by the admins list or the account's admin flag) the checks of {@code postern doctor}
 * for every bound port, and the certificate's expiry, warned 14 days ahead.
 */
class AdminPageIT {
    @TempDir
    Path tmp;

    /** A browser: its own cookie jar, trusting whatever certificate the server has. */
    static HttpClient browser() throws Exception {
        SSLContext any = SSLContext.getInstance("TLS");
        any.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return HttpClient.newBuilder().sslContext(any).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static String base(TestServer server) {
        return "https://localhost:" + server.port(Service.HTTPS);
    }

    static void login(HttpClient c, TestServer server, String user, String password) throws Exception {
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(base(server) + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("login of " + user).isEqualTo(303);
    }

    static HttpResponse<String> get(HttpClient c, TestServer server, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(base(server) + path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode doctor(HttpClient c, TestServer server, int expectedStatus) throws Exception {
        HttpResponse<String> r = get(c, server, "/admin/api/doctor");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void onlyAdminsSeeTheChecksOfEveryBoundPort() throws Exception {
        try (TestServer server = TestServer.start(s -> s.withAdmins(List.of("Carol@example.test")))) {
            server.createUser("bob@example.test", "bob-password");
            server.createUser("carol@example.test", "carol-password");
            server.createAdmin("dave@example.test", "dave-password");

            assertThat(doctor(browser(), server, 403).get("error").asText()).isEqualTo("login");
            HttpClient bob = browser();
            login(bob, server, "bob@example.test", "bob-password");
            JsonNode refused = doctor(bob, server, 403);
            assertThat(refused.get("error").asText()).isEqualTo("forbidden");
            assertThat(refused.toString()).doesNotContain("imaps").doesNotContain("certificate");

            HttpClient carol = browser();
            login(carol, server, "carol@example.test", "carol-password");
            JsonNode report = doctor(carol, server, 200);
            List<String> titles = new ArrayList<>();
            for (JsonNode s : report.get("sections")) titles.add(s.get("title").asText());
            for (Service s : Service.values()) {
                String title = s.key() + " (port " + server.port(s) + ":";
                JsonNode section = null;
                for (JsonNode n : report.get("sections")) {
                    if (n.get("title").asText().startsWith(title)) section = n;
                }
                assertThat(section).as("a section for %s in %s", s, titles).isNotNull();
                for (JsonNode f : section.get("findings")) {
                    assertThat(f.get("level").asText()).as(s + ": " + f.get("text").asText()).isEqualTo("ok");
                }
            }
            // The test server's certificate is self-signed: the doctor says so, with the fix.
            assertThat(report.get("summary").toString()).contains("self-signed");
            // Every name clients use is checked: the test certificate names only localhost.
            assertThat(report.get("summary").toString()).contains(
                    "the certificate does not cover autoconfig.example.test, mta-sts.example.test");
            assertThat(report.get("problems").asInt()).as(report.get("summary").toString()).isZero();
            JsonNode cert = report.get("certificate");
            assertThat(cert.get("daysLeft").asLong()).isGreaterThan(14);
            assertThat(cert.get("warning").isNull()).isTrue();

            HttpClient dave = browser();
            login(dave, server, "dave@example.test", "dave-password");
            assertThat(doctor(dave, server, 200).get("sections").size()).isEqualTo(report.get("sections").size());

            HttpResponse<String> page = get(carol, server, "/admin/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("/admin/admin.js").doesNotContain("<style").doesNotContain(" style=")
                    .doesNotContain("onclick");
            assertThat(get(carol, server, "/admin/admin.js").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aCertificateNearExpiryIsWarnedOnThePageAndByTheServer() throws Exception {
        Path data = tmp.resolve("data");
        Path tls = Files.createDirectories(data.resolve("tls"));
        KeyPair kp = KeyPairGenerator.getInstance("EC").genKeyPair();
        X509Certificate c = selfSigned(kp, "localhost", Instant.now().minus(Duration.ofDays(80)), Instant.now().plus(Duration.ofDays(5)));
        pem(tls.resolve("cert.pem"), c);
        pem(tls.resolve("key.pem"), new JcaPKCS8Generator(kp.getPrivate(), null).generate());
        try (TestServer server = TestServer.startOn(data, s -> s)) {
            server.createAdmin("dave@example.test", "dave-password");
            assertThat(server.server().certificateWatch().status().warning()).hasValueSatisfying(w ->
                    assertThat(w).contains("expires in 4 days"));
            HttpClient dave = browser();
            login(dave, server, "dave@example.test", "dave-password");
            JsonNode report = doctor(dave, server, 200);
            assertThat(report.get("certificate").get("warning").asText()).contains("expires in 4 days");
            assertThat(report.get("summary").toString()).contains("the certificate expires on");
        }
    }

    /**
     * With acme = on and a CA that cannot be reached, the page shows the renewal's own error and advice
     * about the challenge port, not about certificate files.
     */
    @Test
    void withAcmeThePageShowsTheLastRenewalErrorAndTheChallengePort() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        var acme = new org.postern.server.config.CertificateConfig(true, "https://127.0.0.1:" + closed + "/dir", "",
                org.postern.server.config.CertificateConfig.HTTP_01, List.of(), "");
        try (TestServer server = TestServer.start(s -> s.withAcme(acme))) {
            server.createAdmin("dave@example.test", "dave-password");
            var renewal = server.server().acmeRenewal().orElseThrow();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (renewal.lastError().isEmpty()) {
                assertThat(Instant.now()).as("the first renewal attempt fails").isBefore(deadline);
                Thread.sleep(50);
            }
            HttpClient dave = browser();
            login(dave, server, "dave@example.test", "dave-password");
            String report = doctor(dave, server, 200).toString();
            assertThat(report).contains("acme (certificates from an ACME CA, http-01)", "the last renewal attempt failed",
                    "127.0.0.1:" + closed, "port 80 (acme_challenge = http-01)", "self-signed placeholder")
                    .doesNotContain("tls_cert");
        }
    }

    static X509Certificate selfSigned(KeyPair kp, String name, Instant from, Instant until) throws Exception {
        X500Name subject = new X500Name("CN=" + name);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(from), Date.from(until), subject, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    static void pem(Path file, Object o) throws Exception {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
    }
}
