// SPDX-License-Identifier: Apache-2.0
package org.postern.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.auth.AuthThrottle;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * HOSTILE A17-A20, C1 "auth hygiene": no credential is checked on a plaintext connection (RFC 8314 §4,
 * RFC 4954 §4, RFC 9051 §6.2.3, RFC 2595 §4); PLAIN's authzid cannot name someone else (RFC 4616 §2);
 * an unknown user and a wrong password look the same; guessing from one address gets throttled.
 */
class AuthHygieneIT {
    private static final String ALICE = "alice@example.test";
    private static final String BOB = "bob@example.test";
    private static final String PW = "alice-correct-pw";
    private static final String WRONG = "alice-wrong-pw";
    static TestServer server;

    enum Service { SMTP_587, IMAP_143, POP3_110, SMTPS_465, IMAPS_993, POP3S_995 }

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        server.createUser(ALICE, PW);
        server.createUser(BOB, "bob-pw-auth");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Opens the service and returns the client after the greeting (and EHLO for SMTP). */
    private static RawClient open(TestServer s, Service svc) throws IOException {
        return switch (svc) {
            case SMTP_587 -> Sessions.smtp(s, s.submissionPort(), false);
            case SMTPS_465 -> Sessions.smtp(s, s.submissionsPort(), true);
            case IMAP_143, IMAPS_993 -> {
                RawClient c = RawClient.connect(s.host(), svc == Service.IMAP_143 ? s.imapPort() : s.imapsPort(),
                        svc == Service.IMAP_143 ? null : s.sslContext());
                c.expect("* OK");
                yield c;
            }
            case POP3_110, POP3S_995 -> {
                RawClient c = RawClient.connect(s.host(), svc == Service.POP3_110 ? s.pop3Port() : s.pop3sPort(),
                        svc == Service.POP3_110 ? null : s.sslContext());
                c.expect("+OK");
                yield c;
            }
        };
    }

    /** Sends each line and collects every reply line (one line per command; SMTP multi-line read whole). */
    private static List<String> exchange(TestServer s, Service svc, List<String> lines) throws IOException {
        try (RawClient c = open(s, svc)) {
            List<String> replies = new ArrayList<>();
            for (String line : lines) {
                c.send(line);
                switch (svc) {
                    case SMTP_587, SMTPS_465 -> replies.addAll(Sessions.smtpReply(c));
                    case IMAP_143, IMAPS_993 -> {
                        String tag = line.substring(0, line.indexOf(' '));
                        replies.addAll(c.readUntil("^(" + tag + " |\\+).*"));
                    }
                    default -> replies.add(c.readLine());
                }
            }
            return replies;
        }
    }

    static Stream<Arguments> plaintextAttempts() {
        return Stream.of(
                Arguments.of(Service.SMTP_587, List.of("AUTH PLAIN " + Sessions.plain("", ALICE, "%s"))),
                Arguments.of(Service.SMTP_587, List.of("AUTH LOGIN " + Sessions.b64(ALICE))),
                Arguments.of(Service.IMAP_143, List.of("a LOGIN " + ALICE + " %s")),
                Arguments.of(Service.IMAP_143, List.of("a AUTHENTICATE PLAIN " + Sessions.plain("", ALICE, "%s"))),
                Arguments.of(Service.POP3_110, List.of("USER " + ALICE, "PASS %s")),
                Arguments.of(Service.POP3_110, List.of("AUTH PLAIN " + Sessions.plain("", ALICE, "%s"))),
                Arguments.of(Service.POP3_110, List.of("APOP " + ALICE + " 0123456789abcdef0123456789abcdef")));
    }

    /** A17: refused the same way whether the password is right or wrong, so nothing was verified. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("plaintextAttempts")
    void plaintextAuthIsRefusedWithoutCheckingCredentials(Service svc, List<String> script) throws Exception {
        List<String> right = exchange(server, svc, script.stream().map(l -> l.replace("%s", PW)
                .replace(Sessions.plain("", ALICE, "%s"), Sessions.plain("", ALICE, PW))).toList());
        List<String> wrong = exchange(server, svc, script.stream().map(l -> l.replace("%s", WRONG)
                .replace(Sessions.plain("", ALICE, "%s"), Sessions.plain("", ALICE, WRONG))).toList());
        assertThat(right).isEqualTo(wrong);
        String last = right.getLast();
        switch (svc) {
            case SMTP_587 -> assertThat(last).matches("5\\d\\d .*");
            case IMAP_143 -> assertThat(last).matches("a (NO|BAD) .*");
            default -> assertThat(last).startsWith("-ERR");
        }
    }

    @Test
    void plaintextPortsDoNotAdvertisePasswordMechanisms() throws Exception {
        List<String> ehlo = exchange(server, Service.SMTP_587, List.of("EHLO client.example"));
        assertThat(ehlo).noneMatch(l -> l.substring(4).startsWith("AUTH"));
        List<String> caps = exchange(server, Service.IMAP_143, List.of("a CAPABILITY"));
        assertThat(caps.getFirst()).contains("LOGINDISABLED").doesNotContain("AUTH=PLAIN");
        try (RawClient c = open(server, Service.POP3_110)) {
            c.send("CAPA");
            List<String> capa = c.readUntil("^\\.$");
            assertThat(capa).doesNotContain("USER").noneMatch(l -> l.startsWith("SASL"));
        }
    }

    /** A18: {authzid, authcid, password, success expected}. */
    static Stream<Arguments> plainMessages() {
        List<Arguments> out = new ArrayList<>();
        List<Object[]> rows = List.of(
                new Object[] {Sessions.plain("", ALICE, PW), true},
                new Object[] {Sessions.plain(ALICE, ALICE, PW), true},
                new Object[] {Sessions.plain(BOB, ALICE, PW), false},
                new Object[] {Sessions.plain("admin@example.test", ALICE, PW), false},
                new Object[] {Sessions.plain("BOB@example.test", ALICE, PW), false},
                new Object[] {Sessions.b64(ALICE + "\0" + PW), false},
                new Object[] {Sessions.b64("\0" + ALICE + "\0" + PW + "\0x"), false},
                new Object[] {Sessions.b64("\0" + ALICE + "\0" + PW + "\0"), false},
                new Object[] {Sessions.b64("\0\0" + PW), false},
                new Object[] {Sessions.b64("\0" + ALICE + "\0"), false},
                new Object[] {Sessions.b64("\0" + ALICE + "\0" + PW.substring(0, 5) + "\0" + PW.substring(5)), false},
                new Object[] {"!!!not-base64!!!", false},
                new Object[] {"=", false});
        for (Service svc : List.of(Service.SMTPS_465, Service.IMAPS_993, Service.POP3S_995)) {
            for (Object[] r : rows) out.add(Arguments.of(svc, r[0], r[1]));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} PLAIN {1} ok={2}")
    @MethodSource("plainMessages")
    void plainAuthzidCannotImpersonate(Service svc, String message, boolean ok) throws Exception {
        String command = switch (svc) {
            case IMAPS_993 -> "a AUTHENTICATE PLAIN " + message;
            default -> "AUTH PLAIN " + message;
        };
        String last = exchange(server, svc, List.of(command)).getLast();
        String pattern = switch (svc) {
            case SMTPS_465 -> ok ? "235 .*" : "5\\d\\d .*";
            case IMAPS_993 -> ok ? "a OK.*" : "a (NO|BAD) .*";
            default -> ok ? "\\+OK.*" : "-ERR.*";
        };
        assertThat(last).matches(pattern);
    }

    static Stream<Arguments> unknownVersusWrong() {
        return Stream.of(
                Arguments.of(Service.SMTPS_465, List.of("AUTH PLAIN " + Sessions.plain("", "%u", WRONG))),
                Arguments.of(Service.SMTPS_465, List.of("AUTH LOGIN", Sessions.b64("%u"), Sessions.b64(WRONG))),
                Arguments.of(Service.IMAPS_993, List.of("a LOGIN %u " + WRONG)),
                Arguments.of(Service.IMAPS_993, List.of("a AUTHENTICATE PLAIN " + Sessions.plain("", "%u", WRONG))),
                Arguments.of(Service.POP3S_995, List.of("USER %u", "PASS " + WRONG)),
                Arguments.of(Service.POP3S_995, List.of("AUTH PLAIN " + Sessions.plain("", "%u", WRONG))));
    }

    /** A19/A20: nothing in the reply tells whether the account exists. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unknownVersusWrong")
    void unknownUserAndWrongPasswordGetIdenticalReplies(Service svc, List<String> script) throws Exception {
        List<String> known = exchange(server, svc, fill(script, ALICE));
        List<String> unknown = exchange(server, svc, fill(script, "nobody@example.test"));
        List<String> foreign = exchange(server, svc, fill(script, "nobody@elsewhere.example"));
        assertThat(unknown).isEqualTo(known);
        assertThat(foreign).isEqualTo(known);
        assertThat(known.getLast()).matches("(5\\d\\d |a NO|-ERR).*");
    }

    private static List<String> fill(List<String> script, String user) {
        return script.stream().map(l -> l.replace("%u", user)
                .replace(Sessions.plain("", "%u", WRONG), Sessions.plain("", user, WRONG))
                .replace(Sessions.b64("%u"), Sessions.b64(user))).toList();
    }

    /**
     * A19 with the production throttle (10 failures per address per 15 minutes), on a server of its own
     * so the ban does not leak into the other tests. Also proves A17 from the backend's side: 30
     * plaintext attempts with wrong passwords are not counted, because they were never checked.
     */
    @Test
    void thirtyWrongPasswordsThrottleTheAddressNotTheAccount() throws Exception {
        try (TestServer strict = TestServer.start(s -> s.withAuthThrottle(AuthThrottle.Policy.DEFAULT))) {
            strict.createUser(ALICE, PW);
            for (int i = 0; i < 10; i++) {
                exchange(strict, Service.IMAP_143, List.of("a LOGIN " + ALICE + " " + WRONG + i));
                exchange(strict, Service.POP3_110, List.of("USER " + ALICE, "PASS " + WRONG + i));
                exchange(strict, Service.SMTP_587, List.of("AUTH PLAIN " + Sessions.plain("", ALICE, WRONG + i)));
            }
            assertThat(exchange(strict, Service.IMAPS_993, List.of("a LOGIN " + ALICE + " " + PW)).getLast())
                    .as("plaintext attempts must not count as failures").startsWith("a OK");

            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<List<String>>> attempts = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    String guess = WRONG + "-" + i;
                    attempts.add(pool.submit(() -> exchange(strict, Service.IMAPS_993,
                            List.of("a LOGIN " + ALICE + " " + guess))));
                }
                for (Future<List<String>> f : attempts) assertThat(f.get(60, TimeUnit.SECONDS).getLast()).startsWith("a NO");
            }
            assertThat(exchange(strict, Service.IMAPS_993, List.of("a LOGIN " + ALICE + " " + PW)).getLast())
                    .as("correct password after 30 failures from this address").startsWith("a NO");
            assertThat(exchange(strict, Service.SMTPS_465, List.of("AUTH PLAIN " + Sessions.plain("", ALICE, PW))).getLast())
                    .doesNotStartWith("235");
            assertThat(exchange(strict, Service.POP3S_995, List.of("USER " + ALICE, "PASS " + PW)).getLast())
                    .startsWith("-ERR");
            // Another address is not punished for this one's guessing (accounts are slowed, never locked).
            assertThat(loginFrom(strict, "127.0.0.2")).startsWith("a OK");
        }
    }

    /** IMAPS LOGIN from a chosen loopback source address (Linux routes all of 127/8 to lo). */
    private static String loginFrom(TestServer s, String source) throws IOException {
        try (SSLSocket socket = (SSLSocket) s.sslContext().getSocketFactory()
                .createSocket(InetAddress.getByName(s.host()), s.imapsPort(), InetAddress.getByName(source), 0)) {
            socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("* OK");
            out.write(("a LOGIN " + ALICE + " " + PW + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line;
            for (int i = 0; i < 10 && (line = in.readLine()) != null; i++) {
                if (line.startsWith("a ")) return line;
            }
            return "<no tagged reply>";
        }
    }
}
