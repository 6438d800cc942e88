// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.smtp.server.SmtpConfig;
import org.postern.smtp.server.SmtpServer;
import org.postern.store.Account;
import org.postern.store.IntakeResult;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.StoreException;
import org.postern.store.sqlite.SqliteMailStore;

/** SMTP transcripts against LocalDelivery on a real SQLite store. */
class LocalDeliveryTest {
    static final String HOST = "mx.ours.example";

    @TempDir
    Path dataDir;

    SqliteMailStore store;
    Account alice;
    Account bob;
    SaslMechanisms sasl;
    Listener listener;

    @BeforeEach
    void setUp() {
        store = SqliteMailStore.open(dataDir);
        var d = store.directory();
        d.addDomain("ours.example");
        Passwords passwords = new Passwords(PasswordHasher.Cost.TEST);
        alice = d.createAccount("alice@ours.example", passwords.record("secret"), true);
        bob = d.createAccount("bob@ours.example", passwords.record("secret"), false);
        d.addAlias("team@ours.example", List.of("alice@ours.example", "bob@ours.example"));
        d.addAlias("loop1@ours.example", List.of("loop2@ours.example"));
        d.addAlias("loop2@ours.example", List.of("loop1@ours.example", "alice@ours.example"));
        d.addAlias("fwd@ours.example", List.of("someone@far.example"));
        d.addAlias("ring1@ours.example", List.of("ring2@ours.example"));
        d.addAlias("ring2@ours.example", List.of("ring1@ours.example"));
        sasl = new SaslMechanisms(new Authenticator(d, new AuthThrottle(AuthThrottle.Policy.RELAXED,
                Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        if (listener != null) listener.close();
        store.close();
    }

    int start(SmtpConfig config, MailStore s) throws Exception {
        listener = Listener.start("smtp-test", InetAddress.getLoopbackAddress(), 0, false, null, NetLimits.DEFAULT,
                new SmtpServer(config, new LocalDelivery(s, HOST), sasl, null));
        return listener.port();
    }

    SmtpClient mx() throws Exception {
        SmtpClient c = new SmtpClient(start(SmtpConfig.defaults(HOST, SmtpConfig.Mode.MX)
                .withPreGreetingDelay(Duration.ZERO), store));
        assertThat(c.reply()).startsWith("220");
        c.expect("EHLO client.example", "250");
        return c;
    }

    SmtpClient submission() throws Exception {
        SmtpClient c = new SmtpClient(start(SmtpConfig.defaults(HOST, SmtpConfig.Mode.SUBMISSION)
                .withAllowPlaintextAuth(true), store));
        assertThat(c.reply()).startsWith("220");
        c.expect("EHLO client.example", "250");
        String plain = Base64.getEncoder().encodeToString("\0alice@ours.example\0secret".getBytes(StandardCharsets.UTF_8));
        c.expect("AUTH PLAIN " + plain, "235");
        return c;
    }

    static String send(SmtpClient c, String from, List<String> to, String message) throws Exception {
        c.expect("MAIL FROM:<" + from + ">", "250");
        for (String r : to) c.expect("RCPT TO:<" + r + ">", "250");
        c.expect("DATA", "354");
        c.sendRaw(message + ".\r\n");
        return c.reply();
    }

    List<String> inbox(Account a) throws Exception {
        Mailbox inbox = store.mailboxes().find(a.id(), Mailbox.INBOX).orElseThrow();
        List<String> out = new java.util.ArrayList<>();
        for (long uid = 1; uid < inbox.uidNext(); uid++) {
            MessageRecord m = store.mailboxes().message(a.id(), inbox.id(), uid).orElse(null);
            if (m == null) continue;
            try (InputStream in = store.blobs().open(m.blobId())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void mxDeliversToInboxWithTraceFields() throws Exception {
        try (SmtpClient c = mx()) {
            String r = send(c, "sender@far.example", List.of("Alice@OURS.example"),
                    "From: sender@far.example\r\nSubject: hi\r\n\r\nhello\r\n");
            assertThat(r).startsWith("250 2.0.0 Ok: queued as ");
        }
        List<String> msgs = inbox(alice);
        assertThat(msgs).hasSize(1);
        String m = msgs.get(0);
        assertThat(m).startsWith("Return-Path: <sender@far.example>\r\nReceived: from client.example ([127.0.0.1])\r\n");
        assertThat(m).contains("by " + HOST + " (Postern) with ESMTP id ", "for <Alice@ours.example>;");
        assertThat(m).endsWith("\r\nFrom: sender@far.example\r\nSubject: hi\r\n\r\nhello\r\n");
        assertThat(inbox(bob)).isEmpty();
    }

    static Stream<String> relayForms() {
        // HOSTILE A15: every form refused on MX for the unauthenticated.
        return Stream.of("victim@external.example", "victim%external.example@ours.example",
                "@ours.example,@hop.example:victim@external.example", "external.example!victim@ours.example",
                "external.example!victim", "\"victim@external.example\"", "\"victim@external.example\"@ours.example",
                "victim@external.example@ours.example", "victim@[1.2.3.4]", "victim@[127.0.0.1]",
                "victim@ours.example.", "victim@external.example.", "\"victim%external.example\"@ours.example",
                "@external.example:victim@external.example", "victim@ours.example@external.example",
                "\"alice@ours.example\"@external.example", "alice@external.example", "victim@EXTERNAL.example",
                "victim@[IPv6:::1]", "ours.example!victim@external.example");
    }

    @ParameterizedTest
    @MethodSource("relayForms")
    void mxIsNoOpenRelay(String form) throws Exception {
        try (SmtpClient c = mx()) {
            c.expect("MAIL FROM:<spammer@far.example>", "250");
            String r = c.expect("RCPT TO:<" + form + ">", "5");
            assertThat(r).matches("(?s)(550 5\\.1\\.1|554 5\\.7\\.1|501 5\\.1\\.3).*");
            c.expect("DATA", "554 5.5.1");
        }
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void aliasesExpandOnceEachAndLoopsEnd() throws Exception {
        try (SmtpClient c = mx()) {
            String r = send(c, "sender@far.example",
                    List.of("team@ours.example", "alice@ours.example", "loop1@ours.example", "fwd@ours.example"),
                    "Subject: all\r\n\r\nhi\r\n");
            assertThat(r).startsWith("250 2.0.0");
        }
        assertThat(inbox(alice)).hasSize(1);
        assertThat(inbox(bob)).hasSize(1);
        assertThat(inbox(alice).get(0)).doesNotContain("for <"); // several recipients: none named
        var queued = store.queue().list();
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).recipients()).containsExactly("someone@far.example");
        assertThat(queued.get(0).mailFrom()).isEqualTo("sender@far.example");
    }

    @Test
    void aliasCycleWithoutAMailboxIsRefusedNotDropped() throws Exception {
        try (SmtpClient c = mx()) {
            assertThat(send(c, "sender@far.example", List.of("ring1@ours.example"), "Subject: ring\r\n\r\nx\r\n"))
                    .startsWith("554 5.4.6");
        }
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void postmasterReachesTheAdmin() throws Exception {
        try (SmtpClient c = mx()) {
            assertThat(send(c, "", List.of("Postmaster"), "Subject: pm\r\n\r\nx\r\n")).startsWith("250");
            assertThat(send(c, "", List.of("postmaster@ours.example"), "Subject: pm2\r\n\r\nx\r\n")).startsWith("250");
        }
        assertThat(inbox(alice)).hasSize(2);
        assertThat(inbox(alice).get(0)).startsWith("Return-Path: <>\r\n");
    }

    @Test
    void submissionSenderMustBeOwned() throws Exception {
        // HOSTILE A16
        try (SmtpClient c = submission()) {
            c.expect("MAIL FROM:<bob@ours.example>", "553 5.7.1 Sender address not owned by user");
            c.expect("MAIL FROM:<ceo@far.example>", "553 5.7.1");
            c.expect("MAIL FROM:<>", "553 5.7.1");
            c.expect("MAIL FROM:<ALICE@ours.example>", "250");
            c.expect("RSET", "250");
            c.expect("MAIL FROM:<team@ours.example>", "250"); // an alias that includes alice
            c.expect("RSET", "250");
            assertThat(send(c, "alice@ours.example", List.of("friend@far.example"),
                    "From: Bob <bob@ours.example>\r\nSubject: forged\r\n\r\nx\r\n")).startsWith("550 5.7.1");
            assertThat(send(c, "alice@ours.example", List.of("friend@far.example"),
                    "From: Alice <alice@ours.example>, ceo@far.example\r\n\r\nx\r\n")).startsWith("550 5.7.1");
            assertThat(send(c, "alice@ours.example", List.of("friend@far.example"),
                    "Subject: no from\r\n\r\nx\r\n")).startsWith("550 5.6.0");
            assertThat(send(c, "alice@ours.example", List.of("friend@far.example", "bob@ours.example"),
                    "From: \"Alice (work)\" <alice@ours.example>\r\nSubject: ok\r\n\r\nx\r\n"))
                    .startsWith("250 2.0.0");
        }
        var queued = store.queue().list();
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).recipients()).containsExactly("friend@far.example");
        assertThat(inbox(bob)).hasSize(1);
        assertThat(inbox(bob).get(0)).contains("with ESMTPA id");
    }

    @Test
    void storeFailureGives451AndNothingIsDelivered() throws Exception {
        MailStore failing = new DelegatingStore(store) {
            @Override
            public IntakeResult deliver(Intake intake) {
                throw new StoreException.Unavailable("disk full", null);
            }
        };
        try (SmtpClient c = new SmtpClient(start(SmtpConfig.defaults(HOST, SmtpConfig.Mode.MX)
                .withPreGreetingDelay(Duration.ZERO), failing))) {
            c.reply();
            c.expect("EHLO client.example", "250");
            assertThat(send(c, "a@far.example", List.of("alice@ours.example"), "Subject: s\r\n\r\nx\r\n"))
                    .startsWith("451 4.3.0");
            c.expect("NOOP", "250");
        }
        assertThat(inbox(alice)).isEmpty();
    }

    @Test
    void smuggledMessageIsNeverDelivered() throws Exception {
        try (SmtpClient c = mx()) {
            String r = send(c, "sender@far.example", List.of("alice@ours.example"),
                    "Subject: a\r\n\r\nx\n.\r\nMAIL FROM:<ceo@ours.example>\r\nRCPT TO:<bob@ours.example>\r\nDATA\r\n"
                            + "Subject: smuggled\r\n\r\nevil\r\n");
            assertThat(r).startsWith("550 5.6.11");
            c.expect("NOOP", "250 2.0.0");
        }
        assertThat(inbox(alice)).isEmpty();
        assertThat(inbox(bob)).isEmpty();
    }

    @Test
    void accountOverQuotaIsRefusedAtRcptWith452() throws Exception {
        try (SmtpClient c = mx()) {
            assertThat(send(c, "sender@far.example", List.of("bob@ours.example"), "Subject: one\r\n\r\nfirst\r\n"))
                    .startsWith("250");
        }
        store.directory().setSetting("bob@ours.example", org.postern.store.Quota.MESSAGES_SETTING, "1");
        try (SmtpClient c = mx()) {
            c.expect("MAIL FROM:<sender@far.example>", "250");
            assertThat(c.expect("RCPT TO:<bob@ours.example>", "452")).startsWith("452 4.2.2 Mailbox full");
            c.expect("RCPT TO:<alice@ours.example>", "250"); // unlimited: no usage looked up, accepted
        }
        assertThat(inbox(bob)).hasSize(1);
    }

    @Test
    void declaredSizeCountsAgainstTheStorageQuota() throws Exception {
        store.directory().setSetting("bob@ours.example", org.postern.store.Quota.STORAGE_SETTING, "5000");
        LocalDelivery delivery = new LocalDelivery(store, HOST);
        var session = new org.postern.smtp.server.SessionInfo("s1", SmtpConfig.Mode.MX, InetAddress.getLoopbackAddress(),
                "client.example", true, null, null, null, java.time.Instant.now());
        var bobAddress = org.postern.core.MailAddress.parse("bob@ours.example").orElseThrow();
        assertThat(delivery.recipient(session, bobAddress, 4000))
                .isInstanceOf(org.postern.smtp.server.RecipientDecision.Accept.class);
        assertThat(delivery.recipient(session, bobAddress, 6000)).isEqualTo(
                org.postern.smtp.server.RecipientDecision.reject(452, "4.2.2", "Mailbox full"));
        assertThat(delivery.recipient(session, bobAddress, 0))
                .isInstanceOf(org.postern.smtp.server.RecipientDecision.Accept.class);
    }
}
