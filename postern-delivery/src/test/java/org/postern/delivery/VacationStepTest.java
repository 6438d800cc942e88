// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.core.MailAddress;
import org.postern.core.mime.MessageParser;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.smtp.server.SmtpConfig;
import org.postern.smtp.server.SmtpServer;
import org.postern.store.Account;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.OutboundQueue;
import org.postern.store.PasswordRecord;
import org.postern.store.VacationStore.Vacation;
import org.postern.store.sqlite.SqliteMailStore;

/** RFC 3834 vacation replies: each exclusion, once per sender per period, the reply's form and route. */
class VacationStepTest {
    static final Instant NOW = Instant.parse("2026-07-05T12:00:00Z");

    @TempDir
    Path dataDir;
    SqliteMailStore store;
    Account alice;
    Account bob;
    MutableClock clock = new MutableClock(NOW);
    VacationStep step;

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void setUp() {
        store = SqliteMailStore.open(dataDir);
        store.directory().addDomain("ours.example");
        alice = store.directory().createAccount("alice@ours.example", PasswordRecord.NONE, false);
        bob = store.directory().createAccount("bob@ours.example", PasswordRecord.NONE, false);
        store.directory().addAlias("team@ours.example", List.of("alice@ours.example"));
        store.vacation().put(alice.id(), new Vacation(true, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)), null,
                "I am away.", null));
        step = new VacationStep(store, "mx.ours.example", clock, new AliasResolver(store.directory()), VacationStep.DEFAULT_PERIOD);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    static byte[] headers(String fields) {
        return (fields + "Subject: Hello\r\nMessage-ID: <m1@far.example>\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("plain mail to the account", "carol@far.example", "To: alice@ours.example\r\n", VacationStep.Skip.NONE),
                Arguments.of("named in Cc", "carol@far.example", "To: x@far.example\r\nCc: Alice <alice@ours.example>\r\n", VacationStep.Skip.NONE),
                Arguments.of("an alias reaching the account", "carol@far.example", "To: team@ours.example\r\n", VacationStep.Skip.NONE),
                Arguments.of("Auto-Submitted: no is a person", "carol@far.example", "Auto-Submitted: no\r\nTo: alice@ours.example\r\n",
                        VacationStep.Skip.NONE),
                Arguments.of("null reverse-path", null, "To: alice@ours.example\r\n", VacationStep.Skip.NULL_SENDER),
                Arguments.of("MAILER-DAEMON", "MAILER-DAEMON@far.example", "To: alice@ours.example\r\n", VacationStep.Skip.ROBOT_SENDER),
                Arguments.of("owner- sender", "owner-list@far.example", "To: alice@ours.example\r\n", VacationStep.Skip.ROBOT_SENDER),
                Arguments.of("-request sender", "list-request@far.example", "To: alice@ours.example\r\n", VacationStep.Skip.ROBOT_SENDER),
                Arguments.of("auto-generated", "carol@far.example", "Auto-Submitted: auto-generated\r\nTo: alice@ours.example\r\n",
                        VacationStep.Skip.AUTO_SUBMITTED),
                Arguments.of("auto-replied", "carol@far.example", "Auto-Submitted: auto-replied; owner=x\r\nTo: alice@ours.example\r\n",
                        VacationStep.Skip.AUTO_SUBMITTED),
                Arguments.of("List-Id", "carol@far.example", "List-Id: <dev.far.example>\r\nTo: alice@ours.example\r\n",
                        VacationStep.Skip.MAILING_LIST),
                Arguments.of("List-Unsubscribe", "carol@far.example", "List-Unsubscribe: <mailto:u@far.example>\r\nTo: alice@ours.example\r\n",
                        VacationStep.Skip.MAILING_LIST),
                Arguments.of("Precedence: bulk", "carol@far.example", "Precedence: bulk\r\nTo: alice@ours.example\r\n",
                        VacationStep.Skip.BULK_PRECEDENCE),
                Arguments.of("Precedence: list", "carol@far.example", "Precedence: list\r\nTo: alice@ours.example\r\n",
                        VacationStep.Skip.BULK_PRECEDENCE),
                Arguments.of("Precedence: junk", "carol@far.example", "Precedence: Junk\r\nTo: alice@ours.example\r\n",
                        VacationStep.Skip.BULK_PRECEDENCE),
                Arguments.of("not in To or Cc (Bcc, a list)", "carol@far.example", "To: dev@far.example\r\n", VacationStep.Skip.NOT_ADDRESSED),
                Arguments.of("no To at all", "carol@far.example", "", VacationStep.Skip.NOT_ADDRESSED),
                Arguments.of("unparseable To", "carol@far.example", "To: <<<@@@\r\n", VacationStep.Skip.NOT_ADDRESSED),
                Arguments.of("the account itself", "alice@ours.example", "To: alice@ours.example\r\n", VacationStep.Skip.SELF));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void rfc3834Rules(String name, String from, String fields, VacationStep.Skip expected) {
        MailAddress sender = from == null ? null : MailAddress.parse(from).orElseThrow();
        assertThat(step.check(alice, sender, MessageParser.parse(headers(fields)).headers())).isEqualTo(expected);
    }

    @Test
    void excludedMailUsesNoReplyAndSendsNothing() throws Exception {
        MailAddress carol = MailAddress.parse("carol@far.example").orElseThrow();
        assertThat(step.reply(alice, carol, headers("Precedence: bulk\r\nTo: alice@ours.example\r\n")))
                .isEqualTo(VacationStep.Skip.BULK_PRECEDENCE);
        assertThat(store.queue().list()).isEmpty();
        assertThat(step.reply(alice, carol, headers("To: alice@ours.example\r\n"))).isEqualTo(VacationStep.Skip.NONE);
    }

    @Test
    void oneReplyPerSenderPerPeriodThroughTheQueueFromNullSender() throws Exception {
        MailAddress carol = MailAddress.parse("carol@far.example").orElseThrow();
        byte[] h = headers("To: alice@ours.example\r\nReferences: <m0@far.example>\r\n");
        assertThat(step.reply(alice, carol, h)).isEqualTo(VacationStep.Skip.NONE);
        assertThat(step.reply(alice, carol, h)).isEqualTo(VacationStep.Skip.ALREADY_ANSWERED);
        List<OutboundQueue.QueuedMessage> q = store.queue().list();
        assertThat(q).singleElement().satisfies(e -> {
            assertThat(e.mailFrom()).isEmpty();
            assertThat(e.recipients()).containsExactly("carol@far.example");
        });
        String reply = blob(q.get(0).blobId());
        assertThat(reply).contains("From: <alice@ours.example>\r\n", "To: <carol@far.example>\r\n", "Subject: Auto: Hello\r\n",
                "Auto-Submitted: auto-replied\r\n", "In-Reply-To: <m1@far.example>\r\n",
                "References: <m0@far.example> <m1@far.example>\r\n");
        assertThat(new String(java.util.Base64.getMimeDecoder().decode(reply.substring(reply.indexOf("\r\n\r\n") + 4).strip()),
                StandardCharsets.UTF_8)).isEqualTo("I am away.");
        clock.now = NOW.plus(Duration.ofDays(6));
        assertThat(step.reply(alice, carol, h)).isEqualTo(VacationStep.Skip.ALREADY_ANSWERED);
        clock.now = NOW.plus(Duration.ofDays(7));
        assertThat(step.reply(alice, carol, h)).isEqualTo(VacationStep.Skip.NONE);
        assertThat(store.queue().list()).hasSize(2);
    }

    @Test
    void onlyWhileEnabledAndWithinDates() throws Exception {
        MailAddress carol = MailAddress.parse("carol@far.example").orElseThrow();
        byte[] h = headers("To: alice@ours.example\r\n");
        clock.now = NOW.plus(Duration.ofDays(31));
        assertThat(step.reply(alice, carol, h)).isEqualTo(VacationStep.Skip.DISABLED);
        clock.now = NOW.minus(Duration.ofDays(2));
        assertThat(step.reply(alice, carol, h)).isEqualTo(VacationStep.Skip.DISABLED);
        clock.now = NOW;
        store.vacation().put(alice.id(), new Vacation(false, null, null, null, "x", null));
        assertThat(step.reply(alice, carol, h)).isEqualTo(VacationStep.Skip.DISABLED);
        assertThat(step.reply(bob, carol, headers("To: bob@ours.example\r\n"))).as("never set").isEqualTo(VacationStep.Skip.DISABLED);
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void aLocalSenderGetsTheReplyInItsInboxWithConfiguredSubject() throws Exception {
        store.vacation().put(alice.id(), new Vacation(true, null, null, "Out of office \u2013 back Monday", "Text",
                "<p>Html</p>"));
        MailAddress bobAddress = MailAddress.parse("bob@ours.example").orElseThrow();
        assertThat(step.reply(alice, bobAddress, headers("To: alice@ours.example\r\n"))).isEqualTo(VacationStep.Skip.NONE);
        List<String> inbox = inbox(bob);
        assertThat(inbox).singleElement().satisfies(m -> {
            assertThat(m).startsWith("Return-Path: <>\r\n");
            assertThat(m).contains("Subject: =?UTF-8?B?", "multipart/alternative", "text/html", "Auto-Submitted: auto-replied");
            assertThat(MessageParser.parse(m.getBytes(StandardCharsets.UTF_8)).headers().first("Subject")).isNotNull();
        });
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void localDeliveryRepliesOnceOverSmtp() throws Exception {
        SaslMechanisms sasl = new SaslMechanisms(new Authenticator(store.directory(), new AuthThrottle(AuthThrottle.Policy.RELAXED,
                Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC()));
        clock.now = Instant.now();
        store.vacation().put(alice.id(), new Vacation(true, null, null, null, "Away", null));
        try (Listener l = Listener.start("smtp-test", InetAddress.getLoopbackAddress(), 0, false, null, NetLimits.DEFAULT,
                new SmtpServer(SmtpConfig.defaults("mx.ours.example", SmtpConfig.Mode.MX).withPreGreetingDelay(Duration.ZERO),
                        new LocalDelivery(store, "mx.ours.example", clock), sasl, null))) {
            for (int i = 0; i < 2; i++) {
                try (SmtpClient c = new SmtpClient(l.port())) {
                    assertThat(c.reply()).startsWith("220");
                    c.expect("EHLO far.example", "250");
                    assertThat(LocalDeliveryTest.send(c, "carol@far.example", List.of("alice@ours.example"),
                            "From: carol@far.example\r\nTo: alice@ours.example\r\nSubject: Hi " + i + "\r\n\r\nbody\r\n")).startsWith("250");
                }
            }
            try (SmtpClient c = new SmtpClient(l.port())) {
                assertThat(c.reply()).startsWith("220");
                c.expect("EHLO far.example", "250");
                assertThat(LocalDeliveryTest.send(c, "", List.of("alice@ours.example"),
                        "From: mailer-daemon@far.example\r\nTo: alice@ours.example\r\nSubject: bounce\r\n\r\nbody\r\n")).startsWith("250");
            }
        }
        assertThat(inbox(alice)).hasSize(3);
        assertThat(store.queue().list()).singleElement().satisfies(e -> {
            assertThat(e.mailFrom()).isEmpty();
            assertThat(e.recipients()).containsExactly("carol@far.example");
            assertThat(blob(e.blobId())).contains("Subject: Auto: Hi 0\r\n");
        });
    }

    String blob(String id) throws Exception {
        try (InputStream in = store.blobs().open(id)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    List<String> inbox(Account a) throws Exception {
        Mailbox inbox = store.mailboxes().find(a.id(), Mailbox.INBOX).orElseThrow();
        List<String> out = new ArrayList<>();
        for (long uid = 1; uid < inbox.uidNext(); uid++) {
            MessageRecord m = store.mailboxes().message(a.id(), inbox.id(), uid).orElse(null);
            if (m != null) out.add(blob(m.blobId()));
        }
        return out;
    }
}
