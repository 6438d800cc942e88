// SPDX-License-Identifier: Apache-2.0
package org.postern.it.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Writer;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.autoconfig.acme.AcmeClient;
import org.postern.autoconfig.acme.AcmeConfig;
import org.postern.autoconfig.acme.AcmeRenewal;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * ACME (RFC 8555) against Debian's pebble test CA on loopback: the server answers the http-01
 * challenge through its port-80 redirect, the certificate for the host, autoconfig and mta-sts
 * names is installed, and the running listeners present it without a restart.
 */
class AcmePebbleIT {
    static final Path PEBBLE = Path.of("/usr/bin/pebble");
    static final List<String> NAMES = List.of("mail.example.test", "autoconfig.example.test", "mta-sts.example.test");

    @TempDir
    Path tmp;

    @Test
    void obtainsACertificateWithHttp01AndTheListenersUseIt() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PEBBLE), "pebble is not installed (apt-get install pebble)");
        try (FakeDns dns = FakeDns.start();
                TestServer server = TestServer.start(s -> s.withHostname("mail.example.test"))) {
            for (String n : NAMES) dns.a(n, "127.0.0.1");
            KeyPair caKey = ecKey();
            X509Certificate caCert = selfSigned(caKey, "localhost", Instant.now().minus(Duration.ofDays(1)),
                    Instant.now().plus(Duration.ofDays(30)));
            Path cert = pem(tmp.resolve("pebble-cert.pem"), caCert);
            Path key = pem(tmp.resolve("pebble-key.pem"), new JcaPKCS8Generator(caKey.getPrivate(), null).generate());
            int api = freePort();
            Path config = tmp.resolve("pebble.json");
            Files.writeString(config, """
                    {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                      "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
                      "ocspResponderURL": "", "externalAccountBindingRequired": false}}
                    """.formatted(api, freePort(), cert, key, server.port(Service.HTTP), freePort()));
            ProcessBuilder pb = new ProcessBuilder(PEBBLE.toString(), "-config", config.toString(), "-dnsserver",
                    "127.0.0.1:" + dns.port()).redirectErrorStream(true).redirectOutput(tmp.resolve("pebble.log").toFile());
            pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
            pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
            Process pebble = pb.start();
            try {
                awaitListening(api, pebble);
                AcmeConfig acme = new AcmeConfig(URI.create("https://127.0.0.1:" + api + "/dir"), NAMES, "postmaster@example.test",
                        tmp.resolve("account.pem"), server.server().settings().tlsCert(), server.server().settings().tlsKey(),
                        server.dataDir().resolve("acme").resolve("challenges"), AcmeConfig.DEFAULT_RENEW_BEFORE,
                        Optional.of(trusting(caCert)));
                AcmeClient client = new AcmeClient(acme);
                // The self-signed certificate covers only the host name: a new one is due.
                assertThat(client.due(Instant.now())).isTrue();
                X509Certificate issued = client.obtain();
                X509Certificate served = awaitServedCertificate(server.imapsPort(), Duration.ofSeconds(10), pebble);
                assertThat(served).isEqualTo(issued);
                assertThat(served.getIssuerX500Principal().getName()).containsIgnoringCase("pebble");
                assertThat(served.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList()).containsAll(NAMES);
                // HTTPS (Jetty) shares the reloading key manager.
                assertThat(awaitServedCertificate(server.port(Service.HTTPS), Duration.ofSeconds(10), pebble)).isEqualTo(issued);
                // Installed and covering every name: nothing to do until it nears expiry.
                assertThat(client.due(Instant.now())).isFalse();
                assertThat(client.due(served.getNotAfter().toInstant().minus(Duration.ofDays(10)))).isTrue();
                try (var files = Files.list(server.dataDir().resolve("acme").resolve("challenges"))) {
                    assertThat(files.toList()).as("challenge files are cleaned up").isEmpty();
                }
                // The renewal loop renews when due: with a clock 10 days before expiry, it obtains again.
                Clock late = Clock.fixed(served.getNotAfter().toInstant().minus(Duration.ofDays(10)), java.time.ZoneOffset.UTC);
                try (AcmeRenewal renewal = AcmeRenewal.start(client, late, Duration.ofHours(12))) {
                    X509Certificate renewed = awaitServedCertificate(server.imapsPort(), Duration.ofSeconds(60), pebble, issued);
                    assertThat(renewed.getSerialNumber()).isNotEqualTo(issued.getSerialNumber());
                    assertThat(renewal.attempts()).isGreaterThanOrEqualTo(1);
                }
            } finally {
                pebble.destroy();
                pebble.waitFor();
            }
        }
    }

    /** Waits until the listener presents a certificate other than the self-signed one, with a deadline. */
    static X509Certificate awaitServedCertificate(int port, Duration limit, Process pebble) throws Exception {
        return awaitServedCertificate(port, limit, pebble, null);
    }

    /** Waits for a certificate that is neither the self-signed one nor {@code previous}. */
    static X509Certificate awaitServedCertificate(int port, Duration limit, Process pebble, X509Certificate previous) throws Exception {
        SSLContext any = SSLContext.getInstance("TLS");
        any.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            try (SSLSocket s = (SSLSocket) any.getSocketFactory().createSocket("127.0.0.1", port)) {
                s.startHandshake();
                X509Certificate c = (X509Certificate) s.getSession().getPeerCertificates()[0];
                if (!c.getIssuerX500Principal().getName().contains("Postern self-signed") && !c.equals(previous)) return c;
            }
            if (Instant.now().isAfter(deadline) || !pebble.isAlive()) {
                throw new AssertionError("the server still presents its old certificate; pebble alive: " + pebble.isAlive());
            }
            Thread.sleep(200);
        }
    }

    static void awaitListening(int port, Process p) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (java.io.IOException e) {
                if (Instant.now().isAfter(deadline) || !p.isAlive()) throw new AssertionError("pebble did not start", e);
                Thread.sleep(100);
            }
        }
    }

    static SSLContext trusting(X509Certificate ca) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("pebble", ca);
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, f.getTrustManagers(), null);
        return c;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static X509Certificate selfSigned(KeyPair kp, String name, Instant from, Instant until) throws Exception {
        X500Name subject = new X500Name("CN=" + name);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(from), Date.from(until), subject, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, name), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    static Path pem(Path file, Object o) throws Exception {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return file;
    }
}
