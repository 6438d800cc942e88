// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.core.MailAddress;
import org.postern.delivery.LocalDelivery;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.server.MessageSource;
import org.postern.smtp.server.SessionInfo;
import org.postern.smtp.server.SmtpConfig;
import org.postern.smtp.wire.MailParameters;
import org.postern.smtp.wire.RcptParameters;
import org.postern.store.Account;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.sqlite.SqliteMailStore;

/** RFC 3461 §4.1 NOTIFY=SUCCESS at final delivery: a "delivered" report to the sender. */
class DeliveryReportsTest {
    @TempDir
    Path dataDir;

    SqliteMailStore store;
    Account alice;
    Account bob;

    @BeforeEach
    void setUp() {
        store = SqliteMailStore.open(dataDir);
        store.directory().addDomain("ours.test");
        Passwords pw = new Passwords(PasswordHasher.Cost.TEST);
        alice = store.directory().createAccount("alice@ours.test", pw.record("a"), false);
        bob = store.directory().createAccount("bob@ours.test", pw.record("b"), false);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    void deliver(RcptParameters params, String envId) throws Exception {
        MailAddress to = new MailAddress("alice", "ours.test");
        Envelope e = new Envelope(new MailAddress("bob", "ours.test"),
                new MailParameters(-1, org.postern.smtp.wire.BodyType.SEVEN_BIT, false, null, envId, false), List.of(to),
                List.of(params));
        byte[] body = "From: <bob@ours.test>\r\nSubject: report me\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);
        MessageSource source = new MessageSource() {
            @Override
            public long writeTo(OutputStream out) throws java.io.IOException {
                out.write(body);
                return body.length;
            }

            @Override
            public byte[] headerBlock() {
                return body;
            }

            @Override
            public boolean headerBlockTruncated() {
                return false;
            }
        };
        SessionInfo s = new SessionInfo("S1", SmtpConfig.Mode.MX, InetAddress.getLoopbackAddress(), "client.test", true,
                null, null, null, Instant.now());
        new LocalDelivery(store, "mx.ours.test").accept(s, e, source);
    }

    List<String> inbox(Account a) throws Exception {
        Mailbox inbox = store.mailboxes().find(a.id(), Mailbox.INBOX).orElseThrow();
        List<String> out = new ArrayList<>();
        for (MessageRecord m : store.mailboxes().snapshot(a.id(), inbox.id()).messages()) {
            try (InputStream in = store.blobs().open(m.blobId())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void notifySuccessGetsADeliveredReport() throws Exception {
        deliver(new RcptParameters(Set.of(RcptParameters.Notify.SUCCESS), "rfc822", "Alice@ours.test"), "E-1");
        assertThat(inbox(alice)).hasSize(1);
        List<String> reports = inbox(bob);
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0)).startsWith("Return-Path: <>\r\n").contains("Action: delivered").contains("Status: 2.0.0")
                .contains("Original-Envelope-Id: E-1").contains("Original-Recipient: rfc822;Alice@ours.test")
                .contains("Subject: report me");
    }

    @Test
    void withoutNotifySuccessThereIsNoReport() throws Exception {
        deliver(RcptParameters.NONE, null);
        deliver(new RcptParameters(Set.of(RcptParameters.Notify.FAILURE, RcptParameters.Notify.DELAY), null, null), null);
        assertThat(inbox(alice)).hasSize(2);
        assertThat(inbox(bob)).isEmpty();
    }
}
