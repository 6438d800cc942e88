// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;

/** RFC 4865 FUTURERELEASE on the submission ports: advertised, bounded, and carried into the envelope. */
class FutureReleaseTest {
    static final String HOST = "mx.ours.example";

    @TempDir
    static Path certDir;

    static TlsContext tls;
    static SSLContext client;
    static SaslMechanisms sasl;

    final FakeIntake intake = new FakeIntake();
    final List<Listener> listeners = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Path cert = certDir.resolve("cert.pem");
        Path key = certDir.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "localhost");
        tls = TlsContext.fromPem(cert, key);
        client = tls.clientContextTrustingSelf();
        FakeDirectory directory = new FakeDirectory();
        directory.add("alice@ours.example", "secret");
        sasl = new SaslMechanisms(new Authenticator(directory,
                new AuthThrottle(AuthThrottle.Policy.RELAXED, Clock.systemUTC()), PasswordHasher.Cost.TEST,
                Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        listeners.forEach(Listener::close);
    }

    private SmtpTestClient submission(SmtpConfig config) throws Exception {
        Listener l = Listener.start("smtp-test", InetAddress.getLoopbackAddress(), 0, true, tls, NetLimits.DEFAULT,
                new SmtpServer(config, intake, sasl, tls));
        listeners.add(l);
        SmtpTestClient c = SmtpTestClient.tls(l.port(), client);
        assertThat(c.reply()).startsWith("220");
        return c;
    }

    private static String plain() {
        return Base64.getEncoder().encodeToString("\0alice@ours.example\0secret".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void advertisedWithItsMaximumAndCarriedAsAnAbsoluteRelease() throws Exception {
        SmtpConfig config = SmtpConfig.defaults(HOST, SmtpConfig.Mode.SUBMISSIONS).withMaxFutureRelease(Duration.ofDays(2));
        Instant before = Instant.now();
        try (SmtpTestClient c = submission(config)) {
            String ehlo = c.expect("EHLO client.example", "250");
            assertThat(ehlo).containsPattern("250[- ]FUTURERELEASE 172800 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
            c.expect("AUTH PLAIN " + plain(), "235");
            c.expect("MAIL FROM:<alice@ours.example> HOLDFOR=172801", "501 5.5.4");
            c.expect("MAIL FROM:<alice@ours.example> HOLDUNTIL=" + Instant.now().plus(Duration.ofDays(3)), "501 5.5.4");
            c.expect("MAIL FROM:<alice@ours.example> HOLDFOR=3600", "250");
            c.expect("RCPT TO:<bob@far.example>", "250");
            c.expect("DATA", "354");
            c.sendRaw("Subject: later\r\n\r\nbody\r\n.\r\n");
            assertThat(c.reply()).startsWith("250");
        }
        Instant hold = intake.messages.get(0).envelope().params().holdUntil();
        assertThat(hold).isBetween(before.plusSeconds(3600), Instant.now().plusSeconds(3600));
        assertThat(intake.messages.get(0).envelope().params().holdFor()).isNull();
    }

    @Test
    void notOfferedOnTheMxPortNorWhenTurnedOff() throws Exception {
        assertThat(SmtpConfig.defaults(HOST, SmtpConfig.Mode.MX).offersFutureRelease()).isFalse();
        SmtpConfig off = SmtpConfig.defaults(HOST, SmtpConfig.Mode.SUBMISSIONS).withMaxFutureRelease(Duration.ZERO);
        try (SmtpTestClient c = submission(off)) {
            assertThat(c.expect("EHLO client.example", "250")).doesNotContain("FUTURERELEASE");
            c.expect("AUTH PLAIN " + plain(), "235");
            c.expect("MAIL FROM:<alice@ours.example> HOLDFOR=60", "555 5.5.4");
        }
    }
}
