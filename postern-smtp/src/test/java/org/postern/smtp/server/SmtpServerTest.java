// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;
import org.postern.smtp.wire.SmtpReply;

/** Transcripts over a real loopback socket against a {@link FakeIntake}. */
class SmtpServerTest {
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

    int start(SmtpConfig config) throws Exception {
        Listener l = Listener.start("smtp-test", InetAddress.getLoopbackAddress(), 0, config.mode().implicitTls(), tls,
                NetLimits.DEFAULT, new SmtpServer(config, intake, sasl, tls));
        listeners.add(l);
        return l.port();
    }

    static SmtpConfig mx() {
        return SmtpConfig.defaults(HOST, SmtpConfig.Mode.MX).withPreGreetingDelay(Duration.ZERO);
    }

    SmtpTestClient connect(SmtpConfig config) throws Exception {
        SmtpTestClient c = new SmtpTestClient(start(config));
        assertThat(c.reply()).startsWith("220 " + HOST);
        return c;
    }

    static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    static void envelope(SmtpTestClient c) throws Exception {
        c.expect("MAIL FROM:<sender@far.example>", "250 2.1.0");
        c.expect("RCPT TO:<alice@ours.example>", "250 2.1.5");
    }

    @Test
    void ehloCapabilitiesBeforeAndAfterStartTls() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            String ehlo = c.expect("EHLO client.example", "250-" + HOST);
            assertThat(ehlo).contains("250-PIPELINING", "250-SIZE 52428800", "250-8BITMIME",
                    "250-ENHANCEDSTATUSCODES", "250-SMTPUTF8", "STARTTLS").doesNotContain("AUTH");
            c.expect("STARTTLS", "220 2.0.0");
            c.upgrade(client);
            String after = c.expect("EHLO client.example", "250-" + HOST);
            assertThat(after).doesNotContain("STARTTLS").doesNotContain("AUTH");
            c.expect("STARTTLS", "503 5.5.1");
            c.expect("QUIT", "221 2.0.0");
        }
    }

    @Test
    void startTlsInjectionIsDiscarded() throws Exception {
        // HOSTILE A01 (CVE-2011-0411): the RSET pipelined behind STARTTLS must never be answered.
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            c.sendRaw("STARTTLS\r\nRSET\r\n");
            assertThat(c.reply()).startsWith("220 2.0.0");
            c.upgrade(client);
            c.send("HELP");
            assertThat(c.reply()).as("first reply under TLS answers HELP, not the injected RSET").startsWith("214");
            // RFC 3207 §4.2: all state is forgotten, EHLO is needed again.
            c.expect("MAIL FROM:<a@far.example>", "503 5.5.1");
            c.expect("EHLO client.example", "250");
            c.expect("MAIL FROM:<a@far.example>", "250");
        }
    }

    @Test
    void startTlsWithArgumentIsRefused() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            c.expect("STARTTLS now", "501 5.5.4");
        }
    }

    @Test
    void submissionNeedsTlsBeforeAuthAndAuthBeforeMail() throws Exception {
        SmtpConfig config = SmtpConfig.defaults(HOST, SmtpConfig.Mode.SUBMISSION);
        try (SmtpTestClient c = connect(config)) {
            assertThat(c.expect("EHLO client.example", "250")).contains("STARTTLS").doesNotContain("AUTH");
            c.expect("AUTH PLAIN " + plain("alice@ours.example", "secret"), "538 5.7.11");
            c.expect("MAIL FROM:<alice@ours.example>", "530 5.7.0 Authentication required");
            c.expect("STARTTLS", "220");
            c.upgrade(client);
            assertThat(c.expect("EHLO client.example", "250")).contains("AUTH PLAIN LOGIN SCRAM-SHA-256");
            c.expect("MAIL FROM:<alice@ours.example>", "530 5.7.0");
            c.expect("AUTH PLAIN " + plain("alice@ours.example", "wrong"), "535 5.7.8");
            c.expect("AUTH PLAIN " + plain("alice@ours.example", "secret"), "235 2.7.0");
            c.expect("AUTH PLAIN " + plain("alice@ours.example", "secret"), "503 5.5.1");
            c.expect("MAIL FROM:<alice@ours.example>", "250");
            c.expect("RCPT TO:<someone@far.example>", "250"); // authenticated: relayed
            c.expect("DATA", "354");
            c.sendRaw("Subject: hi\r\n\r\nbody\r\n.\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(intake.messages).hasSize(1);
        assertThat(intake.messages.get(0).session().account().address()).isEqualTo("alice@ours.example");
        assertThat(intake.messages.get(0).session().tls()).isTrue();
    }

    @Test
    void plaintextAuthOnlyWhenAllowed() throws Exception {
        SmtpConfig config = SmtpConfig.defaults(HOST, SmtpConfig.Mode.SUBMISSION).withAllowPlaintextAuth(true);
        try (SmtpTestClient c = connect(config)) {
            assertThat(c.expect("EHLO client.example", "250")).contains("AUTH PLAIN");
            c.expect("AUTH PLAIN " + plain("alice@ours.example", "secret"), "235 2.7.0");
        }
    }

    @Test
    void authExchangesLoginCancelAndEmptyResponse() throws Exception {
        try (SmtpTestClient c = SmtpTestClient.tls(start(SmtpConfig.defaults(HOST, SmtpConfig.Mode.SUBMISSIONS)),
                client)) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.expect("EHLO client.example", "250")).contains("AUTH").doesNotContain("STARTTLS");
            c.expect("AUTH PLAIN", "334 ");
            c.expect("*", "501 5.0.0");
            c.expect("AUTH PLAIN *", "501 5.0.0");
            c.expect("AUTH PLAIN =", "501"); // empty initial response is malformed for PLAIN
            c.expect("AUTH PLAIN !!notbase64", "501 5.5.2");
            c.expect("AUTH CRAM-MD5", "504 5.5.4");
            String user = c.expect("AUTH LOGIN", "334 ");
            assertThat(new String(Base64.getDecoder().decode(user.substring(4)), StandardCharsets.UTF_8))
                    .containsIgnoringCase("username");
            c.expect(Base64.getEncoder().encodeToString("alice@ours.example".getBytes(StandardCharsets.UTF_8)), "334 ");
            c.expect(Base64.getEncoder().encodeToString("secret".getBytes(StandardCharsets.UTF_8)), "235 2.7.0");
        }
    }

    /** HOSTILE A63: each row a script of (command, expected reply prefix) on an implicit-TLS submission port. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> authLimits() {
        String login = Base64.getEncoder().encodeToString("alice@ours.example".getBytes(StandardCharsets.UTF_8));
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("1 MB continuation line",
                        List.of("AUTH PLAIN", "334 ", "A".repeat(1_000_000), "500 5.5.6", "NOOP", "250")),
                org.junit.jupiter.params.provider.Arguments.of("initial response over 12288 octets",
                        List.of("AUTH PLAIN " + "A".repeat(12_300), "500 5.5.2", "NOOP", "250")),
                org.junit.jupiter.params.provider.Arguments.of("AUTH EXTERNAL", List.of("AUTH EXTERNAL =", "504 5.5.4")),
                org.junit.jupiter.params.provider.Arguments.of("unknown mechanism", List.of("AUTH X-EVIL", "504 5.5.4")),
                org.junit.jupiter.params.provider.Arguments.of("mechanism name too long",
                        List.of("AUTH " + "A".repeat(21), "501 5.5.4")),
                org.junit.jupiter.params.provider.Arguments.of("AUTH inside a mail transaction",
                        List.of("AUTH PLAIN " + plain("alice@ours.example", "secret"), "235", "MAIL FROM:<alice@ours.example>",
                                "250", "AUTH PLAIN " + plain("alice@ours.example", "secret"), "503 5.5.1")),
                org.junit.jupiter.params.provider.Arguments.of("second AUTH after success",
                        List.of("AUTH PLAIN " + plain("alice@ours.example", "secret"), "235", "AUTH LOGIN", "503 5.5.1")),
                org.junit.jupiter.params.provider.Arguments.of("LOGIN answered with garbage",
                        List.of("AUTH LOGIN", "334 ", login, "334 ", "%%%", "501 5.5.2")));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource
    void authLimits(String name, List<String> script) throws Exception {
        try (SmtpTestClient c = SmtpTestClient.tls(start(SmtpConfig.defaults(HOST, SmtpConfig.Mode.SUBMISSIONS)), client)) {
            assertThat(c.reply()).startsWith("220");
            c.expect("EHLO client.example", "250");
            for (int i = 0; i < script.size(); i += 2) c.expect(script.get(i), script.get(i + 1));
        }
    }

    @Test
    void mxRefusesRelayButAcceptsLocal() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            c.expect("MAIL FROM:<sender@far.example>", "250");
            c.expect("RCPT TO:<victim@external.example>", "554 5.7.1 Relay access denied");
            c.expect("RCPT TO:<nobody@ours.example>", "550 5.1.1");
            c.expect("RCPT TO:<alice@ours.example>", "250");
            c.expect("AUTH PLAIN " + plain("alice@ours.example", "secret"), "502 5.5.1");
        }
    }

    @Test
    void commandSequenceErrors() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.expect("MAIL FROM:<a@far.example>", "503 5.5.1");
            c.expect("EHLO client.example", "250");
            c.expect("RCPT TO:<alice@ours.example>", "503 5.5.1");
            c.expect("DATA", "503 5.5.1");
            c.expect("MAIL FROM:<a@far.example>", "250");
            c.expect("MAIL FROM:<a@far.example>", "503 5.5.1");
            c.expect("DATA", "554 5.5.1");
            c.expect("RSET", "250 2.0.0");
            c.expect("VRFY alice", "252 2.5.0");
            c.expect("EXPN list", "252 2.5.0");
            c.expect("NOOP", "250 2.0.0");
            c.expect("BDAT 0 LAST", "503 5.5.1");
            c.expect("HELO client.example", "250 " + HOST);
            c.expect("MAIL FROM:<a@far.example> BODY=8BITMIME", "555 5.5.4");
            c.expect("QUIT", "221 2.0.0");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.sendRaw("EHLO client.example\r\nMAIL FROM:<a@far.example>\r\nRCPT TO:<nobody@ours.example>\r\n"
                    + "RCPT TO:<alice@ours.example>\r\nDATA\r\n");
            assertThat(c.reply()).startsWith("250-");
            assertThat(c.reply()).startsWith("250 2.1.0");
            assertThat(c.reply()).startsWith("550 5.1.1");
            assertThat(c.reply()).startsWith("250 2.1.5");
            assertThat(c.reply()).startsWith("354");
            c.sendRaw("Subject: x\r\n\r\n..dot\r\n.\r\nMAIL FROM:<b@far.example>\r\nRCPT TO:<bob@ours.example>\r\nDATA\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued as M1");
            assertThat(c.reply()).startsWith("250 2.1.0");
            assertThat(c.reply()).startsWith("250 2.1.5");
            assertThat(c.reply()).startsWith("354");
            c.sendRaw(".\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued as M2");
        }
        assertThat(intake.messages.get(0).text()).isEqualTo("Subject: x\r\n\r\n.dot\r\n"); // RFC 5321 §4.5.2
        assertThat(intake.messages.get(1).data()).isEmpty();
        assertThat(intake.messages.get(1).envelope().recipients()).extracting(Object::toString)
                .containsExactly("bob@ours.example");
    }

    /** HOSTILE A06/A08 (CVE-2023-51764): every variant ends in zero messages, never two. */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r", "\r\n.\n", "\r.\n", "\r.\r\n", "\r\n.\r", "\n.\r\r\n",
            "\r\n.\r\r\n", "\r\n\n.\r\n", "\r\n.\0\r\n"})
    void smugglingVariantsNeverSplitTheMessage(String endOfData) throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            envelope(c);
            c.expect("DATA", "354");
            c.sendRaw("Subject: first\r\n\r\nhello" + endOfData
                    + "MAIL FROM:<ceo@bank.example>\r\nRCPT TO:<bob@ours.example>\r\nDATA\r\n"
                    + "Subject: smuggled\r\n\r\nevil\r\n.\r\n");
            String reply = c.reply();
            c.send("NOOP");
            String next = c.reply();
            assertThat(intake.messages.size()).as("messages accepted").isLessThanOrEqualTo(1);
            assertThat(intake.messages).allMatch(m -> m.envelope().mailFrom().toString().equals("sender@far.example"));
            if (endOfData.equals("\r\n.\0\r\n")) {
                // Not an end marker and not a bare CR/LF: a legitimate line ".\0", message stays whole.
                assertThat(reply).startsWith("250");
            } else {
                assertThat(reply).startsWith("550 5.6.11");
                assertThat(intake.messages).isEmpty();
            }
            assertThat(next).startsWith("250 2.0.0");
        }
    }

    @Test
    void bareLfInCommandIsRefused() throws Exception {
        // HOSTILE A07
        try (SmtpTestClient c = connect(mx())) {
            c.sendRaw("EHLO x\nMAIL FROM:<a@b.example>\r\n");
            // Nothing after the bare LF runs: the session ends instead (RFC 5321 §2.3.8).
            assertThat(c.reply()).startsWith("521 5.5.2");
            assertThatThrownBy(() -> {
                c.sendRaw("EHLO x\r\n");
                c.reply();
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void declaredSizeTooLargeIsRefusedAtMail() throws Exception {
        try (SmtpTestClient c = connect(mx().withMaxMessageSize(1000))) {
            assertThat(c.expect("EHLO client.example", "250")).contains("SIZE 1000");
            c.expect("MAIL FROM:<a@far.example> SIZE=1001", "552 5.3.4");
            c.expect("MAIL FROM:<a@far.example> SIZE=999999999999999999999", "501 5.5.4"); // 21 digits
            c.expect("MAIL FROM:<a@far.example> SIZE=99999999999999999999", "552 5.3.4");
            c.expect("MAIL FROM:<a@far.example> SIZE=1000", "250");
        }
    }

    @Test
    void lyingClientIsReadToTheEndAndRefused() throws Exception {
        // HOSTILE A13: declared small, sends more; 552 after the end, the session goes on.
        try (SmtpTestClient c = connect(mx().withMaxMessageSize(10_000))) {
            c.expect("EHLO client.example", "250");
            c.expect("MAIL FROM:<a@far.example> SIZE=100", "250");
            c.expect("RCPT TO:<alice@ours.example>", "250");
            c.expect("DATA", "354");
            String line = "x".repeat(70) + "\r\n";
            c.sendRaw("Subject: big\r\n\r\n" + line.repeat(2000) + ".\r\n");
            assertThat(c.reply()).startsWith("552 5.3.4");
            c.expect("NOOP", "250");
        }
        assertThat(intake.messages).isEmpty();
    }

    @Test
    void messageAtTheSizeLimitIsAccepted() throws Exception {
        String body = "Subject: s\r\n\r\n" + "y".repeat(86) + "\r\n"; // 16 + 88 = 104 octets
        try (SmtpTestClient c = connect(mx().withMaxMessageSize(body.length()))) {
            c.expect("EHLO client.example", "250");
            envelope(c);
            c.expect("DATA", "354");
            c.sendRaw(body + ".\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
            envelope(c);
            c.expect("DATA", "354");
            c.sendRaw(body + "z\r\n.\r\n");
            assertThat(c.reply()).startsWith("552 5.3.4");
        }
        assertThat(intake.messages).hasSize(1);
    }

    @Test
    void textLineLongerThan998IsRefused() throws Exception {
        // HOSTILE A11
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            envelope(c);
            c.expect("DATA", "354");
            c.sendRaw("Subject: s\r\n\r\n" + "a".repeat(998) + "\r\n.\r\n");
            assertThat(c.reply()).startsWith("250");
            envelope(c);
            c.expect("DATA", "354");
            c.sendRaw("Subject: s\r\n\r\n" + "a".repeat(1_000_000) + "\r\n.\r\n");
            assertThat(c.reply()).startsWith("550 5.6.0");
            c.expect("NOOP", "250");
        }
        assertThat(intake.messages).hasSize(1);
    }

    @Test
    void tooManyRecipientsGet452() throws Exception {
        // HOSTILE A12; RFC 5321 §4.5.3.1.10
        intake.acceptEveryone = true;
        try (SmtpTestClient c = connect(mx().withMaxRecipients(100))) {
            c.expect("EHLO client.example", "250");
            c.expect("MAIL FROM:<a@far.example>", "250");
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 150; i++) batch.append("RCPT TO:<r").append(i).append("@ours.example>\r\n");
            c.sendRaw(batch.toString());
            for (int i = 0; i < 150; i++) {
                assertThat(c.reply()).as("RCPT %d", i).startsWith(i < 100 ? "250 2.1.5" : "452 4.5.3");
            }
            c.expect("DATA", "354");
            c.sendRaw("\r\n.\r\n");
            assertThat(c.reply()).startsWith("250");
        }
        assertThat(intake.messages.get(0).envelope().recipients()).hasSize(100);
    }

    @Test
    void tooLongCommandLinesEndTheSession() throws Exception {
        // HOSTILE A09
        try (SmtpTestClient c = connect(mx())) {
            String longLine = "MAIL FROM:<" + "a".repeat(100_000) + ">\r\n";
            c.sendRaw(longLine);
            assertThat(c.reply()).isEqualTo("500 5.5.2 Line too long");
            c.sendRaw(longLine + longLine);
            assertThat(c.reply()).isEqualTo("500 5.5.2 Line too long");
            assertThat(c.reply()).isEqualTo("500 5.5.2 Line too long");
            assertThat(c.reply()).startsWith("421");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void tooManyErrorsEndTheSession() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            for (int i = 0; i < 19; i++) c.expect("BOGUS", "500 5.5.1");
            c.send("BOGUS");
            assertThat(c.reply()).startsWith("500 5.5.1");
            assertThat(c.reply()).startsWith("421 4.7.0");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void declaredSizeReachesTheRecipientCheck() throws Exception {
        // RFC 1870 §6: the intake may refuse a recipient whose mailbox the declared size would overfill.
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            c.expect("MAIL FROM:<sender@far.example> SIZE=12345", "250 2.1.0");
            c.expect("RCPT TO:<alice@ours.example>", "250 2.1.5");
            c.expect("RSET", "250");
            c.expect("MAIL FROM:<sender@far.example>", "250 2.1.0");
            c.expect("RCPT TO:<bob@ours.example>", "250 2.1.5");
        }
        assertThat(intake.declaredSizes).containsExactly(12345L, 0L);
    }

    @Test
    void talkingBeforeTheGreetingIsRefused() throws Exception {
        // HOSTILE A14
        SmtpConfig config = SmtpConfig.defaults(HOST, SmtpConfig.Mode.MX).withPreGreetingDelay(Duration.ofMillis(300));
        int port = start(config);
        try (SmtpTestClient c = new SmtpTestClient(port)) {
            c.sendRaw("EHLO hasty.example\r\n");
            assertThat(c.reply()).isEqualTo("554 5.5.1 Protocol error: talked before greeting");
            assertThat(c.closedByServer()).isTrue();
        }
        try (SmtpTestClient c = new SmtpTestClient(port)) {
            assertThat(c.reply()).startsWith("220 " + HOST);
            c.expect("EHLO patient.example", "250");
        }
    }

    @Test
    void mailLoopIsRefused() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            envelope(c);
            c.expect("DATA", "354");
            c.sendRaw("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n".repeat(101) + "\r\nx\r\n.\r\n");
            assertThat(c.reply()).startsWith("554 5.4.6");
            envelope(c);
            c.expect("DATA", "354");
            c.sendRaw("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n".repeat(100) + "\r\nx\r\n.\r\n");
            assertThat(c.reply()).startsWith("250");
        }
    }

    @Test
    void storeFailureIsTemporaryNeverOk() throws Exception {
        intake.failWith = IntakeException.temporary(new RuntimeException("disk full"));
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            envelope(c);
            c.expect("DATA", "354");
            c.sendRaw("Subject: s\r\n\r\nbody\r\n.\r\n");
            assertThat(c.reply()).startsWith("451 4.3.0");
            c.expect("NOOP", "250");
        }
    }

    @Test
    void nonAsciiAddressNeedsSmtputf8() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.expect("EHLO client.example", "250");
            c.expect("MAIL FROM:<jöran@far.example>", "553 5.6.7");
            c.expect("MAIL FROM:<jöran@far.example> SMTPUTF8", "250");
        }
    }

    @Test
    void shutdownSays421() throws Exception {
        SmtpServer server = new SmtpServer(mx(), intake, sasl, tls);
        Listener l = Listener.start("smtp-test", InetAddress.getLoopbackAddress(), 0, false, tls, NetLimits.DEFAULT,
                server);
        listeners.add(l);
        try (SmtpTestClient c = new SmtpTestClient(l.port())) {
            c.reply();
            c.expect("EHLO client.example", "250");
            server.shutdown();
            assertThat(c.reply()).startsWith("421 4.3.2");
        }
    }

    @Test
    void idleClientGets421() throws Exception {
        try (SmtpTestClient c = connect(mx().withIdleTimeout(Duration.ofMillis(200)))) {
            c.expect("EHLO client.example", "250");
            assertThat(c.reply()).startsWith("421 4.4.2");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void replyConstantsCarryEnhancedCodes() {
        assertThat(SmtpReply.LINE_TOO_LONG.render()).isEqualTo("500 5.5.2 Line too long\r\n");
    }
}
