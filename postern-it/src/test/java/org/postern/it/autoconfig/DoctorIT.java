// SPDX-License-Identifier: Apache-2.0
package org.postern.it.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.ServerSocket;
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
import java.util.Map;
import java.util.function.UnaryOperator;
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
import org.postern.server.Main;
import org.postern.server.cli.CliContext;
import org.postern.server.config.Service;
import org.postern.store.sqlite.SqliteMailStore;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

/**
 * {@code postern doctor} against real servers: a healthy one (only the self-signed warning), and
 * ones with each problem an admin meets: a closed port, outbound port 25 blocked, a certificate for
 * another name, an expired certificate, one about to expire.
 */
class DoctorIT {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    Run doctor(TestServer server, String... extra) {
        List<String> args = new ArrayList<>(List.of("--data", tmp.resolve("no-config").toString(), "doctor", "--host", "127.0.0.1",
                "--timeout", "3", "--no-dns"));
        return doctorWith(server, args, extra);
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), () -> null, SqliteMailStore::open);
        int code = Main.run(ctx, args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run doctorWith(TestServer server, List<String> base, String... extra) {
        List<String> args = new ArrayList<>(base);
        for (Service s : List.of(Service.SMTP, Service.SUBMISSION, Service.SUBMISSIONS, Service.IMAP, Service.IMAPS,
                Service.POP3, Service.POP3S, Service.HTTPS, Service.HTTP)) {
            args.addAll(List.of("--port", s.key() + "=" + server.port(s)));
        }
        args.addAll(List.of(extra));
        return cli(args.toArray(String[]::new));
    }

    /**
     * What `postern dns` prints, published in a fake DNS: the doctor then finds every record; take one
     * away or change it and it names the problem.
     */
    @Test
    void dnsRecordsArePublishedAsPosternDnsPrintsThem() throws Exception {
        try (TestServer server = TestServer.start(); FakeDns dns = FakeDns.start()) {
            Run printed = cli("--data", server.dataDir().toString(), "dns", TestServer.DOMAIN, "--address", "127.0.0.1");
            assertThat(printed.code()).as(printed.err()).isZero();
            try (Master m = new Master(new ByteArrayInputStream(printed.out().getBytes(StandardCharsets.US_ASCII)))) {
                for (Record r; (r = m.nextRecord()) != null; ) {
                    String name = r.getName().toString();
                    switch (r) {
                        case MXRecord mx -> dns.mx(name, mx.getPriority(), mx.getTarget().toString());
                        case ARecord a -> dns.a(name, a.getAddress().getHostAddress());
                        case TXTRecord t -> dns.txt(name, String.join("", t.getStrings()));
                        default -> { }
                    }
                }
            }
            List<String> base = List.of("--data", server.dataDir().toString(), "doctor", "--host", "127.0.0.1", "--timeout", "3",
                    "--no-outbound", "--dns-server", "127.0.0.1:" + dns.port());
            Run good = doctorWith(server, base);
            assertThat(good.code()).as(good.out()).isZero();
            assertThat(good.out()).contains("localhost resolves to 127.0.0.1", "MX points at localhost", "SPF: v=spf1 mx -all",
                    "DMARC: v=DMARC1", "MTA-STS: v=STSv1; id=", "TLS-RPT published");
            assertThat(good.out()).containsPattern("DKIM key postern-ed-\\d{6} published").containsPattern("DKIM key postern-rsa-\\d{6} published");

            dns.remove("_dmarc." + TestServer.DOMAIN).remove(TestServer.DOMAIN).mx(TestServer.DOMAIN, 10, "mx.elsewhere.test");
            Run bad = doctorWith(server, base);
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.out()).contains("PROBLEM dns example.test: no DMARC record at _dmarc.example.test",
                    "PROBLEM dns example.test: the MX of example.test is mx.elsewhere.test, not localhost",
                    "PROBLEM dns example.test: no SPF record for example.test", "`postern dns example.test` prints the record");
        }
    }

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aHealthyServerPassesWithOnlyTheSelfSignedWarning() throws Exception {
        try (TestServer server = TestServer.start()) {
            Run r = doctor(server, "--no-outbound");
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            for (Service s : List.of(Service.SMTP, Service.SUBMISSION, Service.IMAP, Service.POP3)) {
                assertThat(r.out()).contains(s.key() + " (port " + server.port(s) + ":");
            }
            assertThat(r.out()).contains("redirects to HTTPS: HTTP/1.1 308", "STARTTLS offered", "STLS offered", "AUTH offered after TLS only", "login offered after TLS only",
                    "HTTP answers: HTTP/1.1", "covers localhost", "valid until");
            assertThat(r.out()).doesNotContain("PROBLEM");
            assertThat(r.out()).containsPattern("Summary: 0 problems, 1 warning\\n  warning certificate: the certificate is self-signed");
        }
    }

    @Test
    void closedPortsBlockedOutboundAndWrongNamesAreExplained() throws Exception {
        try (TestServer server = TestServer.start()) {
            int closed = closedPort();
            int mx = closedPort();
            int web = closedPort();
            Run r = doctor(server, "--port", "imap=" + closed, "--outbound-probe", "127.0.0.1:" + mx, "--name", "mail.other.test",
                    "--port", "http=" + web);
            assertThat(r.code()).as(r.out()).isEqualTo(1);
            assertThat(r.out()).contains("PROBLEM imap port " + closed + ": port " + closed + " refused: nothing listens there; is "
                    + "Postern running? `ss -ltnp 'sport = :" + closed + "'`");
            assertThat(r.out()).contains("outbound port " + mx + " blocked", "outbound.smarthost");
            // Port 80 closed is a warning: mail works without it.
            assertThat(r.out()).contains("warning http port " + web + ": port " + web + " refused").doesNotContain("PROBLEM http ");
            assertThat(r.out()).contains("but clients connect to mail.other.test");
            assertThat(r.out()).contains("pop3s (port " + server.pop3sPort()); // the other ports are still checked
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void aPortServingSomethingElseIsExplained() throws Exception {
        try (TestServer server = TestServer.start()) {
            // "smtp" pointed at the POP3 port: a greeting, but not SMTP's.
            Run r = doctor(server, "--no-outbound", "--port", "smtp=" + server.pop3Port());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).contains("the greeting on port " + server.pop3Port() + " was '+OK");
        }
    }

    @Test
    void anExpiredCertificateFailsAndOneAboutToExpireWarns() throws Exception {
        Path expired = tmp.resolve("expired");
        writeCertificate(expired, Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)));
        try (TestServer server = TestServer.startOn(expired, UnaryOperator.identity())) {
            Run r = doctor(server, "--no-outbound");
            assertThat(r.code()).as(r.out()).isEqualTo(1);
            assertThat(r.out()).contains("PROBLEM certificate: the certificate expired on", "clients refuse it");
        }
        Path soon = tmp.resolve("soon");
        writeCertificate(soon, Instant.now().minus(Duration.ofDays(80)), Instant.now().plus(Duration.ofDays(10)));
        try (TestServer server = TestServer.startOn(soon, UnaryOperator.identity())) {
            Run r = doctor(server, "--no-outbound");
            assertThat(r.code()).as(r.out()).isZero();
            assertThat(r.out()).containsPattern("warning certificate: the certificate expires on .*, in (9|10) days");
        }
    }

    /** Clients also reach the server as autoconfig.DOMAIN and mta-sts.DOMAIN; a certificate without them is diagnosed. */
    @Test
    void aCertificateWithoutTheAutoconfigAndMtaStsNamesIsDiagnosed() throws Exception {
        try (TestServer server = TestServer.start()) {
            Run r = doctorWith(server, List.of("--data", server.dataDir().toString(), "doctor", "--host", "127.0.0.1", "--timeout", "3",
                    "--no-outbound", "--no-dns"));
            // Mail works without them: a warning with the fix, not a failure.
            assertThat(r.code()).as(r.out()).isZero();
            assertThat(r.out()).contains("covers localhost", "warning certificate: the certificate does not cover autoconfig.example.test,"
                    + " mta-sts.example.test: Thunderbird and other apps cannot fetch their settings from https://autoconfig.example.test/",
                    "cannot fetch the policy from https://mta-sts.example.test/",
                    "certbot certonly -d autoconfig.example.test -d mta-sts.example.test");
        }
    }

    /** With acme = on the certificate advice is about the CA reaching the challenge port, with the last renewal error. */
    @Test
    void withAcmeTheAdviceIsAboutTheChallengePortAndTheLastError() throws Exception {
        try (TestServer server = TestServer.start()) {
            Path data = Files.createDirectories(tmp.resolve("acme-data"));
            Files.writeString(data.resolve("postern.conf"), """
                    config_version = 1
                    hostname = localhost
                    listen_address = 127.0.0.1
                    acme = on
                    acme_challenge = http-01
                    """);
            Path acme = Files.createDirectories(data.resolve("acme"));
            Files.writeString(acme.resolve("last-error.txt"), "2026-11-27T08:00:00Z\tcould not get a certificate for localhost from"
                    + " https://ca.example/dir: Connection refused by 203.0.113.5:80\n");
            Run r = doctorWith(server, List.of("--data", data.toString(), "doctor", "--host", "127.0.0.1", "--timeout", "3",
                    "--no-outbound", "--no-dns"));
            assertThat(r.out()).contains("self-signed placeholder", "port 80 (acme_challenge = http-01)",
                    "acme (certificates from an ACME CA, http-01)",
                    "warning acme: the CA connects to port 80 for http-01, but Postern's http port is " + server.port(Service.HTTP),
                    "the last renewal attempt failed: could not get a certificate for localhost",
                    "Connection refused by 203.0.113.5:80").doesNotContain("tls_cert");

            // The challenge port closed: the CA cannot validate, a problem.
            Run closed = doctorWith(server, List.of("--data", data.toString(), "doctor", "--host", "127.0.0.1", "--timeout", "3",
                    "--no-outbound", "--no-dns"), "--port", "http=" + closedPort());
            assertThat(closed.code()).isEqualTo(1);
            assertThat(closed.out()).contains("PROBLEM acme: ACME http-01 validation needs the http port", "acme_challenge = tls-alpn-01");
        }
    }

    /** A self-signed certificate for localhost with the given validity, where the server looks for its own. */
    static void writeCertificate(Path dataDir, Instant notBefore, Instant notAfter) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        X500Name subject = new X500Name("CN=localhost");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(notBefore), Date.from(notAfter), subject, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        Path tls = Files.createDirectories(dataDir.resolve("tls"));
        try (Writer w = Files.newBufferedWriter(tls.resolve("cert.pem")); JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(cert);
        }
        try (Writer w = Files.newBufferedWriter(tls.resolve("key.pem")); JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(new JcaPKCS8Generator(kp.getPrivate(), null).generate());
        }
    }
}
