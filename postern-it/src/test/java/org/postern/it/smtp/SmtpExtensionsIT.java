// SPDX-License-Identifier: Apache-2.0
package org.postern.it.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * CHUNKING (RFC 3030) and DSN (RFC 3461) end to end between two Postern servers: a user submits
 * with BDAT and DSN parameters, the queue relays to the remote Postern, which takes the DSN
 * parameters; the failed recipient comes back as a report with the sender's ENVID and ORCPT.
 */
class SmtpExtensionsIT {
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

    @Test
    void bdatSubmissionWithDsnParametersRelaysAndReportsTheFailure() throws Exception {
        TestServer remote = TestServer.start();
        closeLater.add(remote);
        remote.store().directory().addDomain("remote.test");
        remote.createUser("bob@remote.test", "pw");
        TestServer sender = TestServer.startOn(senderData, x -> x.withAllowPlaintextAuth(true)
                .withOutbound(OutboundRelayIT.relayVia(dns, remote.smtpPort())));
        closeLater.add(sender);
        sender.createUser("alice@example.test", "secret");

        String part1 = "From: <alice@example.test>\r\nTo: <bob@remote.test>\r\nSubject: chunked\r\n";
        String part2 = "Message-ID: <c1@example.test>\r\n\r\n.not stuffed\r\nbody\r\n";
        try (RawClient c = RawClient.connect(sender.host(), sender.submissionPort())) {
            c.expect("220");
            c.send("EHLO client.test");
            List<String> ehlo = c.readUntil("250 ");
            assertThat(String.join("\n", ehlo)).contains("CHUNKING").contains("DSN").contains("BINARYMIME");
            c.send("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice@example.test\0secret".getBytes(StandardCharsets.UTF_8)));
            c.expect("235");
            c.send("MAIL FROM:<alice@example.test> RET=HDRS ENVID=QQ+2B314");
            c.expect("250");
            c.send("RCPT TO:<bob@remote.test> NOTIFY=SUCCESS,FAILURE");
            c.expect("250");
            c.send("RCPT TO:<nobody@remote.test> NOTIFY=FAILURE ORCPT=rfc822;Nobody+2Bx@remote.test");
            c.expect("250");
            c.send("BDAT " + part1.length());
            c.sendRaw(part1);
            c.expect("250");
            c.send("BDAT " + part2.length() + " LAST");
            c.sendRaw(part2);
            c.expect("250 2.0.0");
            c.send("QUIT");
            c.expect("221");
        }

        String delivered = OutboundRelayIT.awaitInbox(remote.store(), "bob@remote.test", 1).get(0);
        assertThat(delivered).contains("Subject: chunked").contains("\r\n.not stuffed\r\n");
        String dsn = OutboundRelayIT.awaitInbox(sender.store(), "alice@example.test", 1).get(0);
        assertThat(dsn).contains("Original-Envelope-Id: QQ+314")
                .contains("Original-Recipient: rfc822;Nobody+x@remote.test")
                .contains("Final-Recipient: rfc822; nobody@remote.test")
                .contains("Action: failed")
                .contains("Content-Type: text/rfc822-headers")
                .doesNotContain(".not stuffed");
        // bob's NOTIFY=SUCCESS went on to the remote Postern (it advertises DSN), so no "relayed" report here.
        await(() -> sender.store().queue().list().isEmpty(), "the queue to drain");
        assertThat(inbox(sender.store(), "alice@example.test")).hasSize(1);
    }

    @Test
    void requireTlsMessageIsReturnedWhenTheNextHopCertificateIsNotValid() throws Exception {
        // The remote Postern has a self-signed certificate: fine for opportunistic TLS, not for REQUIRETLS.
        TestServer remote = TestServer.start();
        closeLater.add(remote);
        remote.store().directory().addDomain("remote.test");
        remote.createUser("bob@remote.test", "pw");
        TestServer sender = TestServer.startOn(senderData, x -> x.withOutbound(OutboundRelayIT.relayVia(dns, remote.smtpPort())));
        closeLater.add(sender);
        sender.createUser("alice@example.test", "secret");
        try (RawClient c = RawClient.connect(sender.host(), sender.submissionsPort(), sender.sslContext())) {
            c.expect("220");
            c.send("EHLO client.test");
            assertThat(String.join("\n", c.readUntil("250 "))).contains("REQUIRETLS");
            c.send("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice@example.test\0secret".getBytes(StandardCharsets.UTF_8)));
            c.expect("235");
            c.send("MAIL FROM:<alice@example.test> REQUIRETLS RET=FULL");
            c.expect("250");
            c.send("RCPT TO:<bob@remote.test>");
            c.expect("250");
            c.send("DATA");
            c.expect("354");
            c.sendRaw("From: <alice@example.test>\r\nSubject: secret plans\r\n\r\nthe body stays private\r\n.\r\n");
            c.expect("250");
        }
        String dsn = OutboundRelayIT.awaitInbox(sender.store(), "alice@example.test", 1).get(0);
        assertThat(dsn).contains("Action: failed").contains("Status: 5.7.10").contains("Subject: secret plans")
                .contains("Content-Type: text/rfc822-headers") // RFC 8689 §5: RET=FULL disregarded
                .doesNotContain("the body stays private");
        await(() -> sender.store().queue().list().isEmpty(), "the queue to drain");
        assertThat(inbox(remote.store(), "bob@remote.test")).isEmpty();
    }

    @Test
    void incompleteBdatLeavesNothingBehind() throws Exception {
        TestServer server = TestServer.start();
        closeLater.add(server);
        server.createUser("bob@example.test", "pw");
        try (RawClient c = RawClient.connect(server.host(), server.smtpPort())) {
            c.expect("220");
            c.send("EHLO client.test");
            c.readUntil("250 ");
            c.send("MAIL FROM:<x@far.test>");
            c.expect("250");
            c.send("RCPT TO:<bob@example.test>");
            c.expect("250");
            c.send("BDAT 100 LAST");
            c.sendRaw("Subject: half\r\n\r\nonly part");
        }
        // A later message on a new connection arrives alone: the broken one was never stored.
        try (RawClient c = RawClient.connect(server.host(), server.smtpPort())) {
            c.expect("220");
            c.send("EHLO client.test");
            c.readUntil("250 ");
            c.send("MAIL FROM:<x@far.test>");
            c.expect("250");
            c.send("RCPT TO:<bob@example.test>");
            c.expect("250");
            String m = "Subject: whole\r\n\r\nall\r\n";
            c.send("BDAT " + m.length() + " LAST");
            c.sendRaw(m);
            c.expect("250");
        }
        List<String> inbox = OutboundRelayIT.awaitInbox(server.store(), "bob@example.test", 1);
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0)).contains("Subject: whole");
    }

    static List<String> inbox(MailStore store, String address) throws IOException {
        long id = store.directory().account(address).orElseThrow().id();
        Mailbox inbox = store.mailboxes().find(id, Mailbox.INBOX).orElseThrow();
        List<String> out = new ArrayList<>();
        for (MessageRecord m : store.mailboxes().snapshot(id, inbox.id()).messages()) {
            try (InputStream in = store.blobs().open(m.blobId())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant end = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
