// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.autoconfig.acme.AcmeRenewal;
import org.postern.net.SelfSignedCertificate;
import org.postern.server.cli.PortProbe.Finding;
import org.postern.server.cli.PortProbe.Level;
import org.postern.server.config.Service;

/** The certificate's names against every name clients use, and advice that fits how the certificate is got. */
class CertificateNamesTest {
    @TempDir
    Path dir;

    X509Certificate selfSigned(String host) throws Exception {
        SelfSignedCertificate.createIfMissing(dir.resolve("cert.pem"), dir.resolve("key.pem"), host);
        try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static List<String> texts(List<Finding> findings, Level level) {
        return findings.stream().filter(f -> f.level() == level).map(Finding::text).toList();
    }

    @Test
    void clientNamesAreTheHostThenAutoconfigAndMtaStsOfEveryDottedDomain() {
        assertThat(Doctor.clientNames("Mail.Example.org", List.of("other.example", "localhost", "example.org")))
                .containsExactly("mail.example.org", "autoconfig.example.org", "mta-sts.example.org",
                        "autoconfig.other.example", "mta-sts.other.example");
    }

    @Test
    void missingAutoconfigAndMtaStsNamesAreWarnedWithTheFix() throws Exception {
        X509Certificate c = selfSigned("mail.example.org");
        List<Finding> f = CertificateReport.check(List.of(c), "mail.example.org",
                Doctor.clientNames("mail.example.org", List.of("example.org")), Instant.now(), Optional.empty());
        assertThat(texts(f, Level.FAIL)).isEmpty();
        assertThat(texts(f, Level.OK)).contains("covers mail.example.org");
        assertThat(texts(f, Level.WARN)).anySatisfy(t -> assertThat(t)
                .startsWith("the certificate does not cover autoconfig.example.org, mta-sts.example.org: Thunderbird")
                .contains("https://autoconfig.example.org/", "https://mta-sts.example.org/", "mail itself still works",
                        "certbot certonly -d autoconfig.example.org -d mta-sts.example.org", "acme = on")
                .doesNotContain("ACME CA must"));
    }

    @Test
    void withAcmeTheAdviceIsAboutTheChallengeAndTheLastError() throws Exception {
        X509Certificate c = selfSigned("mail.example.org");
        Doctor.Acme acme = new Doctor.Acme("http-01", List.of("mail.example.org"),
                Optional.of(new AcmeRenewal.Failure(Instant.parse("2026-11-27T08:00:00Z"), "Connection refused by 203.0.113.5:80")));
        List<Finding> f = CertificateReport.check(List.of(c), "mail.example.org",
                Doctor.clientNames("mail.example.org", List.of("example.org")), Instant.now(), Optional.of(acme));
        String all = f.toString();
        assertThat(all).contains("add autoconfig.example.org, mta-sts.example.org to acme_names", "port 80 (acme_challenge = http-01)",
                "Connection refused by 203.0.113.5:80", "self-signed placeholder").doesNotContain("tls_cert");
        Doctor.Acme alpn = new Doctor.Acme("tls-alpn-01", List.of(), Optional.empty());
        String defaults = CertificateReport.check(List.of(c), "other.example.org", List.of(), Instant.now(), Optional.of(alpn)).toString();
        assertThat(defaults).contains("clients connect to other.example.org", "come with the next renewal",
                "port 443 (acme_challenge = tls-alpn-01)").doesNotContain("tls_cert");
    }

    @Test
    void theChallengePortMustAnswer() {
        Map<Service, Integer> ports = Map.of(Service.HTTP, 8080, Service.HTTPS, 443);
        Doctor.Acme http01 = new Doctor.Acme("http-01", List.of(), Optional.empty());
        List<Finding> closed = Doctor.acme(http01, ports, Map.of(Service.HTTP, false, Service.HTTPS, true));
        assertThat(texts(closed, Level.FAIL)).singleElement().asString().contains("port 8080 does not answer", "acme_challenge = tls-alpn-01");
        List<Finding> offset = Doctor.acme(http01, ports, Map.of(Service.HTTP, true, Service.HTTPS, true));
        assertThat(texts(offset, Level.WARN)).singleElement().asString().contains("forward port 80 to 8080");
        Doctor.Acme alpn = new Doctor.Acme("tls-alpn-01", List.of(), Optional.empty());
        List<Finding> ok = Doctor.acme(alpn, ports, Map.of(Service.HTTP, false, Service.HTTPS, true));
        assertThat(ok).allMatch(x -> x.level() == Level.OK);
    }
}
