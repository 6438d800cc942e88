// SPDX-License-Identifier: Apache-2.0
package org.postern.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * HOSTILE A01-A05, C1 "STARTTLS/STLS injection": plaintext commands sent after STARTTLS/STLS, in the
 * same write or in a second write before the handshake, must never be answered inside TLS
 * (CVE-2011-0411; Poddebniak et al., USENIX Security 2021), and no state may cross the upgrade
 * (RFC 3207 §4.2, RFC 9051 §6.2.1, RFC 2595 §4).
 *
 * <p>Each post-TLS script starts with a command whose reply cannot be mistaken for the reply to any
 * injected command, and the whole post-TLS transcript is checked line by line up to the close, so an
 * injected reply anywhere shows up as an unexpected line.
 */
class StartTlsInjectionIT {
    private static final String USER = "alice@example.test";
    private static final String PASSWORD = "alice-pw-4711";
    static TestServer server;

    enum Proto { SMTP_25, SMTP_587, IMAP_143, POP3_110 }

    /** SAME_WRITE: one segment; SECOND_WRITE: STARTTLS, then the injection as its own write (TCP_NODELAY). */
    enum Split { SAME_WRITE, SECOND_WRITE }

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        server.createUser(USER, PASSWORD);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> cases() {
        String plain = Sessions.plain("", USER, PASSWORD);
        List<Object[]> injections = List.of(
                new Object[] {Proto.SMTP_25, "RSET"},
                new Object[] {Proto.SMTP_25, "NOOP"},
                new Object[] {Proto.SMTP_25, "MAIL FROM:<mallory@attacker.example>"},
                new Object[] {Proto.SMTP_25, "EHLO injected.example"},
                new Object[] {Proto.SMTP_587, "RSET"},
                new Object[] {Proto.SMTP_587, "NOOP"},
                new Object[] {Proto.SMTP_587, "AUTH PLAIN " + plain},
                new Object[] {Proto.SMTP_587, "EHLO injected.example\r\nAUTH PLAIN " + plain},
                new Object[] {Proto.IMAP_143, "b CAPABILITY"},
                new Object[] {Proto.IMAP_143, "b LOGIN " + USER + " " + PASSWORD},
                new Object[] {Proto.IMAP_143, "b NOOP"},
                new Object[] {Proto.POP3_110, "USER " + USER},
                new Object[] {Proto.POP3_110, "CAPA"},
                new Object[] {Proto.POP3_110, "USER " + USER + "\r\nPASS " + PASSWORD});
        List<Arguments> out = new ArrayList<>();
        for (Object[] inj : injections) {
            for (Split split : Split.values()) {
                for (String tls : List.of("TLSv1.2", "TLSv1.3")) out.add(Arguments.of(inj[0], inj[1], split, tls));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} inject [{1}] {2} {3}")
    @MethodSource("cases")
    void injectedPlaintextIsNeverAnsweredInsideTls(Proto proto, String injected, Split split, String tls) throws Exception {
        SSLContext pinned = PinnedTls.pinned(server.sslContext(), tls);
        try (RawClient c = open(proto)) {
            c.socket().setTcpNoDelay(true);
            String startTls = switch (proto) {
                case SMTP_25, SMTP_587 -> "STARTTLS";
                case IMAP_143 -> "a STARTTLS";
                case POP3_110 -> "STLS";
            };
            if (split == Split.SAME_WRITE) {
                c.sendRaw(startTls + "\r\n" + injected + "\r\n");
            } else {
                c.sendRaw(startTls + "\r\n");
                c.sendRaw(injected + "\r\n");
            }
            c.expect(switch (proto) {
                case SMTP_25, SMTP_587 -> "220 ";
                case IMAP_143 -> "a OK";
                case POP3_110 -> "+OK";
            });
            try {
                c.startTls(pinned);
            } catch (AssertionError e) {
                // RawClient refuses to upgrade when bytes follow the go-ahead. With a split injection the
                // server may already have read the injected line as the start of a ClientHello and sent a
                // TLS alert: harmless. A plaintext reply to the injected command would start with ASCII.
                assertThat(split).as("%s", e.getMessage()).isEqualTo(Split.SECOND_WRITE);
                byte[] head = c.readBytes(5);
                assertThat(head[0]).as("a TLS alert record (RFC 8446 §5.1), not plaintext: %s",
                        new String(head, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo((byte) 0x15);
                return;
            } catch (IOException e) {
                // Only a split injection may land in the server's handshake (it reads plaintext where a
                // ClientHello belongs) and abort it: nothing was executed. A same-write injection has to be
                // discarded and the handshake has to work.
                assertThat(split).as("handshake failed: %s\n%s", e, c.transcript()).isEqualTo(Split.SECOND_WRITE);
                return;
            }
            assertThat(((SSLSocket) c.socket()).getSession().getProtocol()).isEqualTo(tls);
            switch (proto) {
                case SMTP_25, SMTP_587 -> smtpAfterTls(c, proto);
                case IMAP_143 -> imapAfterTls(c);
                case POP3_110 -> pop3AfterTls(c);
            }
        }
    }

    private RawClient open(Proto proto) throws IOException {
        return switch (proto) {
            case SMTP_25 -> Sessions.smtp(server, server.smtpPort(), false);
            case SMTP_587 -> Sessions.smtp(server, server.submissionPort(), false);
            case IMAP_143 -> {
                RawClient c = RawClient.connect(server.host(), server.imapPort());
                c.expect("* OK");
                yield c;
            }
            case POP3_110 -> {
                RawClient c = RawClient.connect(server.host(), server.pop3Port());
                c.expect("+OK");
                yield c;
            }
        };
    }

    /** RFC 3207 §4.2: the server forgets EHLO, MAIL and AUTH; a second STARTTLS is refused (A05). */
    private static void smtpAfterTls(RawClient c, Proto proto) throws IOException {
        // HELP's 214 differs from every reply an injected RSET/NOOP/MAIL/EHLO/AUTH could get.
        c.send("HELP");
        c.expect("214 ");
        c.send("MAIL FROM:<" + USER + ">");
        c.expect("503 ");
        c.send("EHLO client.example");
        List<String> ehlo = Sessions.smtpReply(c);
        assertThat(ehlo.getLast()).startsWith("250 ");
        assertThat(ehlo).as("STARTTLS is not offered twice").noneMatch(l -> l.substring(4).equals("STARTTLS"));
        c.send("STARTTLS");
        assertThat(Sessions.smtpReply(c).getLast()).matches("(503|554) .*");
        c.send("MAIL FROM:<" + USER + ">");
        // 587: an injected AUTH must not have authenticated the session.
        c.expect(proto == Proto.SMTP_587 ? "530 " : "250 ");
        c.send("QUIT");
        c.expect("221 ");
        c.expectClosed();
    }

    /** RFC 9051 §6.2.1: no unsolicited data after TLS, fresh capabilities, not logged in; A04. */
    private static void imapAfterTls(RawClient c) throws IOException {
        c.send("t1 NOOP");
        c.expect("t1 OK");
        c.send("t2 CAPABILITY");
        String caps = c.expect("* CAPABILITY ");
        assertThat(caps).doesNotContain("STARTTLS").doesNotContain("LOGINDISABLED").contains("AUTH=PLAIN");
        c.expect("t2 OK");
        c.send("t3 SELECT INBOX");
        c.expect("t3 (BAD|NO) .*");
        c.send("t4 STARTTLS");
        c.expect("t4 (BAD|NO) .*");
        c.send("t5 LOGOUT");
        c.expect("* BYE");
        c.expect("t5 OK");
        c.expectClosed();
    }

    /** RFC 2595 §4 / RFC 2449: an injected USER must not carry over, so PASS first is an error. */
    private static void pop3AfterTls(RawClient c) throws IOException {
        c.send("PASS " + PASSWORD);
        c.expect("-ERR");
        c.send("CAPA");
        List<String> capa = c.readUntil("^\\.$");
        assertThat(capa.getFirst()).startsWith("+OK");
        assertThat(capa).contains("USER").doesNotContain("STLS");
        c.send("STLS");
        c.expect("-ERR");
        c.send("STAT");
        c.expect("-ERR");
        c.send("QUIT");
        c.expect("+OK");
        c.expectClosed();
    }
}
