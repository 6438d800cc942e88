// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.postern.net.TlsContext;

class CertificateWatchTest {
    static final Instant NOT_AFTER = Instant.parse("2027-03-01T00:00:00Z");

    static TlsContext tls() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X500Name n = new X500Name("CN=mail.example.org");
        X509Certificate c = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(n, BigInteger.ONE,
                Date.from(NOT_AFTER.minus(Duration.ofDays(90))), Date.from(NOT_AFTER), n, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        return TlsContext.of(kp.getPrivate(), c);
    }

    static CertificateWatch.Status at(TlsContext tls, Duration beforeExpiry, boolean acme) {
        return new CertificateWatch(tls, Clock.fixed(NOT_AFTER.minus(beforeExpiry), ZoneOffset.UTC), acme).status();
    }

    @Test
    void warnsFourteenDaysAheadWithTheFixForWhoeverProvidesTheCertificate() throws Exception {
        TlsContext tls = tls();
        assertThat(at(tls, Duration.ofDays(15), false).warning()).isEmpty();
        assertThat(at(tls, Duration.ofDays(15), false).daysLeft()).isEqualTo(15);
        assertThat(at(tls, Duration.ofDays(13), false).warning()).hasValueSatisfying(w ->
                assertThat(w).contains("expires in 13 days").contains("tls_cert"));
        assertThat(at(tls, Duration.ofDays(13), true).warning()).hasValueSatisfying(w ->
                assertThat(w).contains("expires in 13 days").contains("ACME"));
        assertThat(at(tls, Duration.ofDays(-1), false).warning()).hasValueSatisfying(w ->
                assertThat(w).contains("expired on 2027-03-01").contains("refuse"));
        assertThat(at(tls, Duration.ofDays(13), false).subject()).isEqualTo("CN=mail.example.org");
    }
}
