// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.MailAddress;
import org.postern.dns.DnsAnswer;
import org.postern.dns.MxRecord;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.net.TlsContext;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.server.IntakeException;
import org.postern.smtp.server.MailIntake;
import org.postern.smtp.server.MessageSource;
import org.postern.smtp.server.Receipt;
import org.postern.smtp.server.RecipientDecision;
import org.postern.smtp.server.SenderDecision;
import org.postern.smtp.server.SessionInfo;
import org.postern.smtp.server.SmtpConfig;
import org.postern.smtp.server.SmtpServer;
import org.postern.smtp.wire.MailParameters;
import org.postern.smtp.wire.RcptParameters;

/**
 * The client against Postern's own SMTP server on loopback: DSN parameters passed on (RFC 3461 §5.2),
 * REQUIRETLS (RFC 8689 §4.2.1), BINARYMIME over BDAT (RFC 3030) and MTA-STS enforcement (RFC 8461 §5).
 */
class OutboundPolicyTest {
    @TempDir
    static Path pkiDir;

    static TestPki good; // certificate for mx.far.test, trusted
    static TestPki other; // certificate for other.test, trusted too, but wrong name for mx.far.test
    static javax.net.ssl.SSLContext bothTrusted;

    record Got(SessionInfo session, Envelope envelope, byte[] data) {}

    final List<Got> received = new CopyOnWriteArrayList<>();
    final List<Listener> listeners = new ArrayList<>();
    final MxResolverTest.MapDns dns = new MxResolverTest.MapDns();

    final MailIntake intake = new MailIntake() {
        @Override
        public SenderDecision sender(SessionInfo s, MailAddress from) {
            return SenderDecision.accept();
        }

        @Override
        public RecipientDecision recipient(SessionInfo s, MailAddress r) {
            return RecipientDecision.accept();
        }

        @Override
        public Receipt accept(SessionInfo s, Envelope e, MessageSource data) throws IntakeException, IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            data.writeTo(b);
            received.add(new Got(s, e, b.toByteArray()));
            return new Receipt("R" + received.size());
        }
    };

    @BeforeAll
    static void pki() throws Exception {
        good = new TestPki(pkiDir, "mx.far.test");
        other = new TestPki(pkiDir, "other.test");
        bothTrusted = TestPki.trusting(good, other);
    }

    @AfterEach
    void stop() {
        listeners.forEach(Listener::close);
    }

    /** A receiving server on loopback as the only MX of far.test, named mx.far.test. */
    int receiver(TlsContext tls) throws Exception {
        SmtpConfig c = SmtpConfig.defaults("mx.far.test", SmtpConfig.Mode.MX).withPreGreetingDelay(Duration.ZERO);
        Listener l = Listener.start("mx", InetAddress.getLoopbackAddress(), 0, false, tls, NetLimits.DEFAULT,
                new SmtpServer(c, intake, null, tls));
        listeners.add(l);
        dns.mx.put("far.test", DnsAnswer.found(List.of(new MxRecord(10, "mx.far.test"))));
        dns.a.put("mx.far.test", DnsAnswer.found(List.of(InetAddress.getLoopbackAddress())));
        return l.port();
    }

    DomainDelivery client(int port, MtaStsPolicy policy) {
        SmtpClientConfig config = SmtpClientConfig.defaults("relay.ours.test").withPort(port)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withVerifiedTls(bothTrusted);
        MtaStsCache cache = new MtaStsCache(null);
        if (policy != null) cache.put("far.test", policy, "");
        MtaStsResolver sts = policy == null ? null : new MtaStsResolver(dns, d -> Optional.empty(), cache, Clock.systemUTC());
        return new DomainDelivery(new MxResolver(dns), config, sts);
    }

    static OutboundMessage message(String from, OutboundMessage.Options options, String body) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        return new OutboundMessage(from, List.of("bob@far.test"), () -> new ByteArrayInputStream(b), options);
    }

    static OutboundMessage.Options requireTls() {
        return new OutboundMessage.Options(null, null, true, false, Map.of());
    }

    static MtaStsPolicy policy(MtaStsPolicy.Mode mode, String... mx) {
        return new MtaStsPolicy("id", mode, List.of(mx), Duration.ofDays(1), java.time.Instant.now());
    }

    @Test
    void dsnParametersGoOnToADsnCapableHop() throws Exception {
        int port = receiver(null);
        OutboundMessage.Options o = new OutboundMessage.Options(MailParameters.Ret.HDRS, "env+1", false, false,
                Map.of("bob@far.test", new RcptParameters(Set.of(RcptParameters.Notify.SUCCESS), "rfc822", "Bob=x@far.test")));
        List<RecipientResult> r = client(port, null).deliver("far.test", message("alice@ours.test", o, "Subject: x\r\n\r\nhi\r\n"));
        assertThat(r).singleElement().satisfies(x -> {
            assertThat(x.outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED);
            assertThat(x.nextHopDsn()).isTrue();
        });
        Envelope e = received.get(0).envelope();
        assertThat(e.params().ret()).isEqualTo(MailParameters.Ret.HDRS);
        assertThat(e.params().envId()).isEqualTo("env+1");
        assertThat(e.recipientParams().get(0)).isEqualTo(o.recipientParams().get("bob@far.test"));
    }

    @Test
    void requireTlsGoesOnlyOverVerifiedTlsToARequireTlsHop() throws Exception {
        int port = receiver(good.serverTls);
        List<RecipientResult> r = client(port, null).deliver("far.test", message("alice@ours.test", requireTls(), "a\r\n"));
        assertThat(r.get(0).outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED);
        assertThat(received.get(0).session().tls()).isTrue();
        assertThat(received.get(0).envelope().params().requireTls()).isTrue();
    }

    /** Each row: the receiver's TLS (null: none), and the status the message is returned with. */
    @Test
    void requireTlsIsReturnedWhenNoHostQualifies() throws Exception {
        record Case(String name, TlsContext serverTls, String status) {}
        for (Case c : List.of(new Case("no STARTTLS", null, "5.7.10"),
                new Case("certificate for another name", other.serverTls, "5.7.10"))) {
            listeners.forEach(Listener::close);
            int port = receiver(c.serverTls());
            List<RecipientResult> r = client(port, null).deliver("far.test", message("alice@ours.test", requireTls(), "a\r\n"));
            assertThat(r.get(0).outcome()).as(c.name()).isEqualTo(RecipientResult.Outcome.PERMANENT);
            assertThat(r.get(0).status()).as(c.name()).isEqualTo(c.status());
        }
        // RFC 8689 §4.2.1 step 2: a published MTA-STS policy (even in testing mode) must name the MX.
        listeners.forEach(Listener::close);
        int stsPort = receiver(good.serverTls);
        List<RecipientResult> sts = client(stsPort, policy(MtaStsPolicy.Mode.TESTING, "mx.elsewhere.test"))
                .deliver("far.test", message("alice@ours.test", requireTls(), "a\r\n"));
        assertThat(sts.get(0).outcome()).isEqualTo(RecipientResult.Outcome.PERMANENT);
        // An untrusted certificate: the same server, a client trusting only the JDK's CAs.
        listeners.forEach(Listener::close);
        int port = receiver(good.serverTls);
        DomainDelivery untrusting = new DomainDelivery(new MxResolver(dns), SmtpClientConfig.defaults("relay.ours.test")
                .withPort(port).withVerifiedTls(TestPki.jdkDefault()), null);
        assertThat(untrusting.deliver("far.test", message("alice@ours.test", requireTls(), "a\r\n")).get(0).status())
                .isEqualTo("5.7.10");
        assertThat(received).isEmpty();
    }

    @Test
    void binaryMimeIsSentOctetForOctetWithBdat() throws Exception {
        int port = receiver(null);
        StringBuilder body = new StringBuilder("Return-Path: <alice@ours.test>\r\nSubject: bin\r\n\r\n");
        for (int i = 0; i < 256; i++) body.append((char) i);
        OutboundMessage.Options o = new OutboundMessage.Options(null, null, false, true, Map.of());
        List<RecipientResult> r = client(port, null).deliver("far.test", message("alice@ours.test", o, body.toString()));
        assertThat(r.get(0).outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED);
        String expected = body.substring(body.indexOf("\r\n") + 2); // without Return-Path (RFC 5321 §4.4)
        assertThat(received.get(0).data()).isEqualTo(expected.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(received.get(0).envelope().params().body()).isEqualTo(org.postern.smtp.wire.BodyType.BINARY_MIME);
    }

    @Test
    void mtaStsEnforceDeliversOnlyToPolicyHostsOverValidTls() throws Exception {
        int port = receiver(good.serverTls);
        OutboundMessage m = message("alice@ours.test", OutboundMessage.Options.NONE, "a\r\n");
        List<RecipientResult> r = client(port, policy(MtaStsPolicy.Mode.ENFORCE, "*.far.test")).deliver("far.test", m);
        assertThat(r.get(0).outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED);
        assertThat(received.get(0).session().tls()).isTrue();
        // The MX is not in the policy: the message waits.
        r = client(port, policy(MtaStsPolicy.Mode.ENFORCE, "mx.elsewhere.test")).deliver("far.test", m);
        assertThat(r.get(0).outcome()).isEqualTo(RecipientResult.Outcome.TEMPORARY);
        assertThat(r.get(0).status()).isEqualTo("4.7.5");
        assertThat(received).hasSize(1);
        // Testing mode only logs.
        r = client(port, policy(MtaStsPolicy.Mode.TESTING, "mx.elsewhere.test")).deliver("far.test", m);
        assertThat(r.get(0).outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED);
        assertThat(received).hasSize(2);
    }

    @Test
    void mtaStsEnforceDefersWhenTlsIsNotValid() throws Exception {
        for (TlsContext tls : new TlsContext[] {null, other.serverTls}) {
            listeners.forEach(Listener::close);
            int port = receiver(tls);
            List<RecipientResult> r = client(port, policy(MtaStsPolicy.Mode.ENFORCE, "mx.far.test"))
                    .deliver("far.test", message("alice@ours.test", OutboundMessage.Options.NONE, "a\r\n"));
            assertThat(r.get(0).outcome()).isEqualTo(RecipientResult.Outcome.TEMPORARY);
            assertThat(r.get(0).status()).isEqualTo("4.7.10");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void tlsRequiredNoSkipsTheMtaStsPolicyUnlessRequireTlsIsSet() throws Exception {
        int port = receiver(null); // no TLS at all: an enforced policy would defer
        String body = "Subject: x\r\nTLS-Required:\r\n  No\r\n\r\nTLS-Required: Yes is body text\r\n";
        List<RecipientResult> r = client(port, policy(MtaStsPolicy.Mode.ENFORCE, "mx.far.test"))
                .deliver("far.test", message("alice@ours.test", OutboundMessage.Options.NONE, body));
        assertThat(r.get(0).outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED);
        assertThat(DomainDelivery.tlsRequiredNo(message("a@b.test", OutboundMessage.Options.NONE, "X: 1\r\n\r\nTLS-Required: No\r\n")))
                .as("only the header section counts").isFalse();
        assertThat(DomainDelivery.tlsRequiredNo(message("a@b.test", requireTls(), "TLS-Required: No\r\n\r\n")))
                .as("RFC 8689 §4.1: ignored with REQUIRETLS").isFalse();
    }
}
