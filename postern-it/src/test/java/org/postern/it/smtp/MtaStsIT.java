// SPDX-License-Identifier: Apache-2.0
package org.postern.it.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.dns.DnsjavaResolver;
import org.postern.smtp.client.DomainDelivery;
import org.postern.smtp.client.MtaStsCache;
import org.postern.smtp.client.MtaStsResolver;
import org.postern.smtp.client.MxResolver;
import org.postern.smtp.client.OutboundMessage;
import org.postern.smtp.client.RecipientResult;
import org.postern.smtp.client.SmtpClientConfig;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * MTA-STS (RFC 8461) for outbound mail against real parts: the policy's TXT record in a fake DNS
 * server, the policy on a local HTTPS server with a test CA, and a whole Postern as the receiving MX.
 */
class MtaStsIT {
    @TempDir
    Path cacheDir;

    private FakeDns dns;
    private HttpsServer https;
    private SSLContext httpsTrust;
    private volatile String policy;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        dns = FakeDns.start();
        // The receiving Postern's certificate names "localhost": that is the MX host here.
        dns.mx("sts.test", 10, "localhost").a("localhost", "127.0.0.1").txt("_mta-sts.sts.test", "v=STSv1; id=first;");
        KeyPair kp = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X509Certificate ca = selfSigned(kp, "localhost");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", kp.getPrivate(), new char[0], new X509Certificate[] {ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, new SecureRandom());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        httpsTrust = SSLContext.getInstance("TLS");
        httpsTrust.init(null, tmf.getTrustManagers(), new SecureRandom());
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(server));
        https.createContext("/.well-known/mta-sts.txt", ex -> {
            byte[] b = policy.getBytes(StandardCharsets.US_ASCII);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        https.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) c.close();
        https.stop(0);
        dns.close();
    }

    private static X509Certificate selfSigned(KeyPair kp, String name) throws Exception {
        X500Name dn = new X500Name("CN=" + name);
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(dn, BigInteger.valueOf(now), new Date(now - 60_000),
                new Date(now + 86_400_000L), dn, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    private TestServer receiver() throws IOException {
        TestServer r = TestServer.start();
        closeLater.add(r);
        r.store().directory().addDomain("sts.test");
        r.createUser("bob@sts.test", "pw");
        return r;
    }

    private DomainDelivery client(TestServer receiver, SSLContext smtpTrust) {
        DnsjavaResolver resolver = new DnsjavaResolver(dns.address(), Duration.ofSeconds(5));
        URI location = URI.create("https://localhost:" + https.getAddress().getPort() + "/.well-known/mta-sts.txt");
        MtaStsResolver sts = new MtaStsResolver(resolver, MtaStsResolver.https(httpsTrust, d -> location, Duration.ofSeconds(5)),
                new MtaStsCache(cacheDir), Clock.systemUTC());
        SmtpClientConfig config = SmtpClientConfig.defaults("relay.ours.test").withPort(receiver.smtpPort())
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10)).withVerifiedTls(smtpTrust);
        return new DomainDelivery(new MxResolver(resolver), config, sts);
    }

    private static OutboundMessage message(String subject) {
        byte[] b = ("From: <alice@ours.test>\r\nSubject: " + subject + "\r\n\r\nhi\r\n").getBytes(StandardCharsets.US_ASCII);
        return new OutboundMessage("alice@ours.test", List.of("bob@sts.test"), () -> new ByteArrayInputStream(b));
    }

    @Test
    void enforcedPolicyDeliversOverValidTlsAndDefersOtherwiseEvenAfterARestart() throws Exception {
        TestServer receiver = receiver();
        policy = "version: STSv1\r\nmode: enforce\r\nmx: localhost\r\nmax_age: 86400\r\n";
        RecipientResult r = client(receiver, receiver.sslContext()).deliver("sts.test", message("one")).get(0);
        assertThat(r.outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED);
        List<String> inbox = OutboundRelayIT.awaitInbox(receiver.store(), "bob@sts.test", 1);
        assertThat(inbox.get(0)).contains("Subject: one").containsPattern("using TLSv1\\.[23]");

        // The receiver's certificate is not trusted: under enforce the message waits.
        r = client(receiver, SSLContext.getDefault()).deliver("sts.test", message("two")).get(0);
        assertThat(r.outcome()).isEqualTo(RecipientResult.Outcome.TEMPORARY);

        // A new policy id names other MX hosts: the message waits.
        dns.remove("_mta-sts.sts.test").txt("_mta-sts.sts.test", "v=STSv1; id=second;");
        policy = "version: STSv1\r\nmode: enforce\r\nmx: mx.elsewhere.test\r\nmax_age: 86400\r\n";
        r = client(receiver, receiver.sslContext()).deliver("sts.test", message("three")).get(0);
        assertThat(r.outcome()).isEqualTo(RecipientResult.Outcome.TEMPORARY);
        assertThat(r.status()).isEqualTo("4.7.5");

        // "Restart" (a new client on the same cache folder) while an attacker removes the TXT record
        // and blocks the policy host: the cached policy still holds (RFC 8461 §5.1).
        dns.remove("_mta-sts.sts.test");
        https.stop(0);
        r = client(receiver, receiver.sslContext()).deliver("sts.test", message("four")).get(0);
        assertThat(r.outcome()).isEqualTo(RecipientResult.Outcome.TEMPORARY);
        assertThat(OutboundRelayIT.awaitInbox(receiver.store(), "bob@sts.test", 1)).hasSize(1);
        assertThat(dns.queries()).contains("TXT _mta-sts.sts.test");
    }

    @Test
    void testingModeDeliversDespiteAMismatch() throws Exception {
        TestServer receiver = receiver();
        policy = "version: STSv1\r\nmode: testing\r\nmx: mx.elsewhere.test\r\nmax_age: 86400\r\n";
        RecipientResult r = client(receiver, receiver.sslContext()).deliver("sts.test", message("tested")).get(0);
        assertThat(r.outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED);
        assertThat(OutboundRelayIT.awaitInbox(receiver.store(), "bob@sts.test", 1).get(0)).contains("Subject: tested");
    }
}
