// SPDX-License-Identifier: Apache-2.0
package org.postern.it.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.it.smtp.OutboundRelayIT.await;
import static org.postern.it.smtp.OutboundRelayIT.awaitInbox;
import static org.postern.it.smtp.OutboundRelayIT.submit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.config.OutboundConfig;
import org.postern.server.config.SmarthostConfig;
import org.postern.store.OutboundQueue.QueuedMessage;
import org.postern.testkit.TestServer;

/**
 * Issue 3, smarthost relay: when outbound port 25 is blocked, Postern sends everything through a relay
 * on 587 (STARTTLS) or 465 (implicit TLS) with a login. The relay here is a second Postern: its
 * submission ports require TLS and AUTH, exactly what a provider's relay asks. A relay that does not
 * offer STARTTLS gets neither the password nor the mail: it stays queued.
 */
class SmarthostIT {
    @TempDir
    Path senderData;

    @TempDir
    Path secrets;

    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) c.close();
    }

    /** The provider's relay: takes authenticated submissions for any domain; bob@remote.test is local to it. */
    private TestServer relay() throws Exception {
        TestServer r = TestServer.start();
        closeLater.add(r);
        r.store().directory().addDomain("remote.test");
        r.createUser("bob@remote.test", "pw");
        r.createUser("alice@example.test", "relay-secret"); // the login the provider gave alice's server
        return r;
    }

    private TestServer sender(int relayPort, String tls) throws Exception {
        Path password = secrets.resolve("relay.pw");
        Files.writeString(password, "relay-secret\n");
        // DNS and MX port point nowhere: with a smarthost neither may be used.
        OutboundConfig out = OutboundConfig.defaults().forTests("127.0.0.1:9", 9)
                .withSmarthost(new SmarthostConfig("127.0.0.1", relayPort, tls, "alice@example.test", password.toString(),
                        false)); // the test relay's certificate is self-signed
        TestServer s = TestServer.startOn(senderData, x -> x.withAllowPlaintextAuth(true).withOutbound(out));
        closeLater.add(s);
        s.createUser("alice@example.test", "secret");
        return s;
    }

    @Test
    void mailGoesThroughTheRelayWithStartTlsAndAuth() throws Exception {
        TestServer relay = relay();
        TestServer sender = sender(relay.submissionPort(), "starttls");
        submit(sender.host(), sender.submissionPort(), null, "alice@example.test", "secret",
                List.of("bob@remote.test"), "From: alice@example.test\r\nSubject: via the relay\r\n\r\nhello\r\n");

        String msg = awaitInbox(relay.store(), "bob@remote.test", 1).get(0);
        assertThat(msg).contains("Subject: via the relay");
        // The relay's Received field: TLS and AUTH (RFC 3848 ESMTPSA) on its submission port.
        assertThat(msg).containsPattern("\\(using TLSv1\\.[23] with cipher").contains(" with ESMTPSA ");
        await(() -> sender.store().queue().list().isEmpty(), "the queue entry to be removed");
    }

    @Test
    void implicitTlsRelayOn465() throws Exception {
        TestServer relay = relay();
        TestServer sender = sender(relay.submissionsPort(), "implicit");
        submit(sender.host(), sender.submissionPort(), null, "alice@example.test", "secret",
                List.of("bob@remote.test", "carol@elsewhere.test"), "From: alice@example.test\r\nSubject: 465\r\n\r\nhi\r\n");

        assertThat(awaitInbox(relay.store(), "bob@remote.test", 1).get(0)).contains("Subject: 465").contains(" with ESMTPSA ");
        // Both domains went in the one session; the relay queued the other for its own delivery.
        await(() -> sender.store().queue().list().isEmpty(), "the queue entry to be removed");
        assertThat(relay.store().queue().list()).extracting(QueuedMessage::recipients)
                .containsExactly(List.of("carol@elsewhere.test"));
    }

    @Test
    void relayWithoutStartTlsGetsNothingAndTheMailWaits() throws Exception {
        SmtpSink plaintextRelay = SmtpSink.start(new SmtpSink.Script() {});
        closeLater.add(plaintextRelay);
        TestServer sender = sender(plaintextRelay.port(), "starttls");
        submit(sender.host(), sender.submissionPort(), null, "alice@example.test", "secret",
                List.of("bob@remote.test"), "From: alice@example.test\r\nSubject: stays here\r\n\r\nhi\r\n");

        await(() -> sender.store().queue().list().stream().anyMatch(q -> q.attempts() >= 1
                && q.lastError() != null && q.lastError().contains("does not offer STARTTLS")), "a deferred attempt");
        assertThat(plaintextRelay.sessions()).isPositive();
        assertThat(plaintextRelay.accepted()).isEmpty();
        assertThat(plaintextRelay.log()).noneMatch(l -> l.contains("AUTH") || l.contains("MAIL FROM")
                || l.contains("cmVsYXktc2VjcmV0")); // base64 of the password
        assertThat(sender.store().queue().list()).singleElement()
                .satisfies(q -> assertThat(q.recipients()).containsExactly("bob@remote.test"));
    }
}
