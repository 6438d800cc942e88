// SPDX-License-Identifier: Apache-2.0
package org.postern.it.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.Account;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.testkit.RawClient;
import org.postern.server.config.OutboundConfig;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * Outbound relay end to end: a user submits on 587 to a remote domain, the queue runner looks the MX
 * up in a fake DNS and delivers over SMTP to a second Postern (or a scripted sink) on loopback.
 */
class OutboundRelayIT {
    static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path senderData;

    private FakeDns dns;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void dns() throws IOException {
        dns = FakeDns.start();
        dns.mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", "127.0.0.1");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) c.close();
        dns.close();
    }

    /** The sending server: relays everything to {@code port} on the hosts FakeDns names. */
    private TestServer sender(int port) throws IOException {
        TestServer s = TestServer.startOn(senderData, x -> x.withAllowPlaintextAuth(true).withOutbound(relayVia(dns, port)));
        closeLater.add(s);
        s.createUser("alice@example.test", "secret");
        return s;
    }

    /** Relays through the fake DNS to {@code port}, retrying within seconds. */
    static OutboundConfig relayVia(FakeDns dns, int port) {
        return OutboundConfig.defaults().forTests("127.0.0.1:" + dns.port(), port);
    }

    private TestServer remote() throws IOException {
        TestServer r = TestServer.start();
        closeLater.add(r);
        r.store().directory().addDomain("remote.test");
        r.createUser("bob@remote.test", "pw");
        return r;
    }

    @Test
    void submittedMailArrivesInTheRemoteInboxOverTls() throws Exception {
        TestServer remote = remote();
        TestServer sender = sender(remote.smtpPort());
        submit(sender.host(), sender.submissionPort(), null, "alice@example.test", "secret",
                List.of("bob@remote.test"), "Subject: hello remote\r\n\r\n.leading dot\r\nbody\r\n");

        List<String> inbox = awaitInbox(remote.store(), "bob@remote.test", 1);
        String msg = inbox.get(0);
        assertThat(msg).contains("Subject: hello remote").contains("\r\n.leading dot\r\n");
        assertThat(msg).startsWith("Return-Path: <alice@example.test>\r\n");
        // The sender's own Return-Path: never travels (RFC 5321 §4.4); there is exactly one.
        assertThat(msg.split("Return-Path:", -1)).hasSize(2);
        assertThat(msg).containsPattern("\\(using TLSv1\\.[23] with cipher");
        await(() -> sender.store().queue().list().isEmpty(), "the queue entry to be removed");
        assertThat(dns.queries()).contains("MX remote.test");
    }

    @Test
    void unknownRemoteUserBouncesToTheSender() throws Exception {
        TestServer remote = remote();
        TestServer sender = sender(remote.smtpPort());
        submit(sender.host(), sender.submissionPort(), null, "alice@example.test", "secret",
                List.of("bob@remote.test", "nobody@remote.test"), "Subject: half of it\r\nMessage-ID: <m1@example.test>\r\n\r\nhi\r\n");

        assertThat(awaitInbox(remote.store(), "bob@remote.test", 1).get(0)).contains("Subject: half of it");
        String dsn = awaitInbox(sender.store(), "alice@example.test", 1).get(0);
        assertThat(dsn).startsWith("Return-Path: <>\r\n")
                .contains("Content-Type: multipart/report; report-type=delivery-status;")
                .contains("Content-Type: message/delivery-status")
                .contains("Final-Recipient: rfc822; nobody@remote.test")
                .contains("Action: failed")
                .contains("Status: 5.1.1")
                .contains("Diagnostic-Code: smtp; 550 5.1.1")
                .contains("Content-Type: text/rfc822-headers")
                .contains("Message-ID: <m1@example.test>")
                .doesNotContain("Final-Recipient: rfc822; bob@remote.test");
        await(() -> sender.store().queue().list().isEmpty(), "the queue entry to be removed");
    }

    @Test
    void temporaryFailureIsRetriedAndDeliveredOnce() throws Exception {
        SmtpSink sink = SmtpSink.start(new SmtpSink.Script() {
            @Override
            public String rcpt(String address, int session) {
                return session == 1 ? "451 4.3.0 try again later" : "250 2.1.5 Ok";
            }
        });
        closeLater.add(sink);
        TestServer sender = sender(sink.port());
        submit(sender.host(), sender.submissionPort(), null, "alice@example.test", "secret",
                List.of("carol@remote.test"), "Subject: retry me\r\n\r\nbody\r\n");

        await(() -> sink.accepted().size() == 1, "the retried delivery");
        await(() -> sender.store().queue().list().isEmpty(), "the queue entry to be removed");
        assertThat(sink.sessions()).isGreaterThanOrEqualTo(2);
        assertThat(sink.accepted()).hasSize(1);
        assertThat(sink.accepted().get(0).recipients()).containsExactly("carol@remote.test");
        assertThat(sink.accepted().get(0).data()).contains("Subject: retry me").doesNotContain("Return-Path:");
    }

    @Test
    void partialSuccessKeepsOnlyTheDeferredRecipientQueued() throws Exception {
        SmtpSink sink = SmtpSink.start(new SmtpSink.Script() {
            @Override
            public String rcpt(String address, int session) {
                return address.startsWith("later") && session == 1 ? "452 4.2.2 mailbox full" : "250 2.1.5 Ok";
            }
        });
        closeLater.add(sink);
        TestServer sender = sender(sink.port());
        submit(sender.host(), sender.submissionPort(), null, "alice@example.test", "secret",
                List.of("now@remote.test", "later@remote.test"), "Subject: two\r\n\r\nbody\r\n");

        await(() -> sink.accepted().size() == 2, "both deliveries");
        await(() -> sender.store().queue().list().isEmpty(), "the queue to drain");
        assertThat(sink.accepted().get(0).recipients()).containsExactly("now@remote.test");
        assertThat(sink.accepted().get(1).recipients()).containsExactly("later@remote.test");
    }

    @Test
    void nullMxBouncesWithoutConnecting() throws Exception {
        dns.nullMx("nomail.test");
        SmtpSink sink = SmtpSink.start(new SmtpSink.Script() {});
        closeLater.add(sink);
        TestServer sender = sender(sink.port());
        submit(sender.host(), sender.submissionPort(), null, "alice@example.test", "secret",
                List.of("x@nomail.test"), "Subject: nowhere\r\n\r\nbody\r\n");
        String dsn = awaitInbox(sender.store(), "alice@example.test", 1).get(0);
        assertThat(dsn).contains("Status: 5.1.10").contains("null MX");
        assertThat(sink.sessions()).isZero();
    }

    // --- helpers

    static void submit(String host, int port, SSLContext tls, String user, String password, List<String> to, String body)
            throws IOException {
        try (RawClient c = RawClient.connect(host, port)) {
            c.expect("220");
            c.send("EHLO client.test");
            c.readUntil("250 ");
            if (tls != null) {
                c.send("STARTTLS");
                c.expect("220");
                c.startTls(tls);
                c.send("EHLO client.test");
                c.readUntil("250 ");
            }
            String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            c.send("AUTH PLAIN " + plain);
            c.expect("235");
            c.send("MAIL FROM:<" + user + ">");
            c.expect("250");
            for (String r : to) {
                c.send("RCPT TO:<" + r + ">");
                c.expect("250");
            }
            c.send("DATA");
            c.expect("354");
            c.sendRaw("From: <" + user + ">\r\nTo: <" + to.get(0) + ">\r\n" + body.replace("\r\n.", "\r\n..") + ".\r\n");
            c.expect("250");
            c.send("QUIT");
            c.expect("221");
        }
    }

    /** Waits for {@code count} messages in the INBOX and returns their full text, in UID order. */
    static List<String> awaitInbox(MailStore store, String address, int count) throws Exception {
        Account a = store.directory().account(address).orElseThrow();
        Mailbox inbox = store.mailboxes().find(a.id(), Mailbox.INBOX).orElseThrow();
        await(() -> store.mailboxes().snapshot(a.id(), inbox.id()).messages().size() >= count,
                count + " message(s) in the INBOX of " + address);
        List<String> out = new ArrayList<>();
        for (MessageRecord m : store.mailboxes().snapshot(a.id(), inbox.id()).messages()) {
            try (InputStream in = store.blobs().open(m.blobId())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }
}
