// SPDX-License-Identifier: Apache-2.0
package org.postern.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * HOSTILE A09-A13, A21, A24 and the IMAP/POP3 line limits: every bound answers with the protocol's
 * error and leaves the connection usable or closes it cleanly; no read waits longer than the client's
 * timeout, so a server that hangs fails here.
 */
class LimitsIT {
    private static final String USER = "limits@example.test";
    private static final String PW = "limits-pw";
    private static final int RECIPIENT_LIMIT = 100; // RFC 5321 §4.5.3.1.8 minimum; SmtpConfig default
    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        server.createUser(USER, PW);
        for (int i = 0; i < RECIPIENT_LIMIT + 10; i++) server.createUser(String.format("r%03d@example.test", i), "pw");
        for (int i = 0; i < 2; i++) {
            try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
                c.sendRaw("MAIL FROM:<a@sender.example>\r\nRCPT TO:<" + USER + ">\r\nDATA\r\n");
                c.expect("250 ", "250 ", "354 ");
                c.sendRaw("Subject: m" + i + "\r\n\r\nbody\r\n.\r\n");
                c.expect("250 ");
            }
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String longLine(String prefix) {
        return prefix + "a".repeat(100_000);
    }

    // --- A09: 100 kB command lines ---

    @Test
    void smtpLongLineGets500ThenTheSessionStillWorks() throws Exception {
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            c.sendRaw(longLine("MAIL FROM:<") + "\r\n");
            c.expect("500 5.5.2 ");
            c.send("NOOP");
            c.expect("250 ");
        }
    }

    @Test
    void smtpRepeatedLongLinesEndWith421AndClose() throws Exception {
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            String replies = "";
            for (int i = 0; i < 10; i++) {
                c.sendRaw(longLine("RCPT TO:<") + "\r\n");
                String line = c.readLine();
                if (line == null) break;
                replies += line + "\n";
                if (line.startsWith("421")) break;
                assertThat(line).startsWith("500 5.5.2 ");
            }
            assertThat(replies).contains("421 ");
            c.expectClosed();
        }
    }

    /** A line with no end at all: after 1 MB the server must have answered or closed, not buffered it all. */
    @Test
    void smtpNeverEndingLineIsAnsweredOnceItEnds() throws Exception {
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            byte[] chunk = "a".repeat(64 * 1024).getBytes();
            try {
                for (int i = 0; i < 16; i++) c.sendRaw(chunk);
                c.sendRaw("\r\n");
            } catch (IOException closed) {
                // Closing on an endless line is a clean answer too.
                return;
            }
            String line = c.readLine();
            if (line != null) assertThat(line).matches("(500 5\\.5\\.2|421) .*");
        }
    }

    static Stream<Arguments> imapLongLines() {
        return Stream.of(Arguments.of(false), Arguments.of(true));
    }

    @ParameterizedTest(name = "authenticated={0}")
    @MethodSource("imapLongLines")
    void imapLongLineGetsBadOrByeAndNeverHangs(boolean authenticated) throws Exception {
        try (RawClient c = authenticated ? imap() : RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            if (!authenticated) c.expect("* OK");
            c.sendRaw(longLine("x NOOP ") + "\r\n");
            String first = c.readLine();
            assertThat(first).matches("(x BAD|\\* BYE) .*");
            usableOrClosed(c, "y NOOP", "y OK");
        }
    }

    @Test
    void pop3LongLineGetsErrAndNeverHangs() throws Exception {
        try (RawClient c = pop3()) {
            c.sendRaw(longLine("LIST ") + "\r\n");
            c.expect("-ERR");
            usableOrClosed(c, "NOOP", "+OK");
        }
        try (RawClient c = RawClient.connect(server.host(), server.pop3Port())) {
            c.expect("+OK");
            c.sendRaw(longLine("USER ") + "\r\n");
            c.expect("-ERR");
            usableOrClosed(c, "CAPA", "+OK");
        }
    }

    private static void usableOrClosed(RawClient c, String command, String ok) throws IOException {
        try {
            c.send(command);
        } catch (IOException closed) {
            return;
        }
        for (int i = 0; i < 5; i++) {
            String line;
            try {
                line = c.readLine();
            } catch (IOException reset) {
                return;
            }
            if (line == null || line.startsWith(ok)) return;
            assertThat(line).as("only a goodbye may come before the reply").matches("(\\* BYE|-ERR).*");
        }
        throw new AssertionError("no reply to " + command + ": " + c.transcript());
    }

    // --- A10: path lengths (RFC 5321 §4.5.3.1.1-3) ---

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of("a".repeat(65) + "@example.test", true),
                Arguments.of("a".repeat(1000) + "@example.test", true),
                Arguments.of("victim@" + "d".repeat(252) + ".com", true),
                Arguments.of("victim@" + ("d".repeat(60) + ".").repeat(5) + "com", true),
                Arguments.of("a".repeat(64) + "@" + ("d".repeat(60) + ".").repeat(3) + "example.test", true),
                Arguments.of("a".repeat(64) + "@example.test", false));
    }

    @ParameterizedTest(name = "[{index}] too long={1}")
    @MethodSource("paths")
    void overlongPathsAreRefusedWith513(String address, boolean tooLong) throws Exception {
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            c.send("MAIL FROM:<a@sender.example>");
            c.expect("250 ");
            c.send("RCPT TO:<" + address + ">");
            String reply = Sessions.smtpReply(c).getLast();
            if (tooLong) {
                assertThat(reply).matches("(501|553) 5\\.1\\.3 .*");
            } else {
                // 64 octets is legal: refused as unknown, not as too long.
                assertThat(reply).matches("550 .*").doesNotContain("5.1.3");
            }
            c.send("NOOP");
            c.expect("250 ");
        }
    }

    // --- A12: recipients ---

    @Test
    void recipientsBeyondTheLimitGet452AndTheFirstHundredGetTheMail() throws Exception {
        int extra = 10;
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            StringBuilder b = new StringBuilder("MAIL FROM:<a@sender.example>\r\n");
            for (int i = 0; i < RECIPIENT_LIMIT + extra; i++) b.append(String.format("RCPT TO:<r%03d@example.test>\r\n", i));
            c.sendRaw(b.toString());
            c.expect("250 ");
            for (int i = 0; i < RECIPIENT_LIMIT; i++) c.expect("250 ");
            for (int i = 0; i < extra; i++) c.expect("452 4.5.3 ");
            c.send("DATA");
            c.expect("354 ");
            c.sendRaw("Subject: many\r\n\r\nmany\r\n.\r\n");
            c.expect("250 ");
        }
        assertThat(Sessions.inboxCount(server, "r000@example.test")).isEqualTo(1);
        assertThat(Sessions.inboxCount(server, String.format("r%03d@example.test", RECIPIENT_LIMIT - 1))).isEqualTo(1);
        assertThat(Sessions.inboxCount(server, String.format("r%03d@example.test", RECIPIENT_LIMIT))).isZero();
    }

    // --- A13: SIZE (RFC 1870 §6) ---

    static Stream<Arguments> sizes() {
        return Stream.of(
                Arguments.of("999999999999", "552 5.3.4 .*"),
                Arguments.of("52428801", "552 5.3.4 .*"),
                Arguments.of("99999999999999999999999999", "(552 5\\.3\\.4|501 5\\.5\\.4) .*"),
                Arguments.of("-1", "501 .*"),
                Arguments.of("52428800", "250 .*"));
    }

    @ParameterizedTest(name = "SIZE={0}")
    @MethodSource("sizes")
    void declaredSizeIsCheckedAtMail(String size, String expected) throws Exception {
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            c.send("MAIL FROM:<a@sender.example> SIZE=" + size);
            assertThat(Sessions.smtpReply(c).getLast()).matches(expected);
        }
    }

    // --- A21: literals announced larger than anything allowed ---

    static Stream<Arguments> hugeLiterals() {
        return Stream.of("{4294967296}", "{4294967295}", "{99999999999999999999}", "{-1}", "{4294967296+}")
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "APPEND {0}")
    @MethodSource("hugeLiterals")
    void appendOfAHugeLiteralIsRefusedBeforeAnyContinuation(String literal) throws Exception {
        try (RawClient c = imap()) {
            c.send("x APPEND INBOX " + literal);
            c.timeout(Duration.ofSeconds(5));
            String reply = c.readLine();
            assertThat(reply).as("no '+' go-ahead").matches("x (NO|BAD) .*");
            usableOrClosed(c, "y NOOP", "y OK");
        }
        assertThat(Sessions.inboxCount(server, USER)).isEqualTo(2);
    }

    @ParameterizedTest(name = "LOGIN {0}")
    @MethodSource("hugeLiterals")
    void preAuthHugeLiteralIsRefused(String literal) throws Exception {
        try (RawClient c = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            c.expect("* OK");
            c.send("x LOGIN " + literal);
            String reply = c.readLine();
            assertThat(reply).as("no '+' go-ahead").matches("(x (NO|BAD)|\\* BYE) .*");
        }
    }

    // --- A24: sequence numbers ---

    static Stream<Arguments> sequenceSets() {
        return Stream.of(
                Arguments.of("1:4294967296", -1),
                Arguments.of("4294967296", -1),
                Arguments.of("99999999999999999999", -1),
                Arguments.of("0", -1),
                Arguments.of("0:1", -1),
                Arguments.of("-1", -1),
                Arguments.of("1:4294967295", 2),
                Arguments.of("*:*", 1),
                Arguments.of("1:*", 2),
                Arguments.of("2:1", 2));
    }

    @ParameterizedTest(name = "FETCH {0}")
    @MethodSource("sequenceSets")
    void fetchSequenceSetsAreBoundedAndValidated(String set, int expectedFetches) throws Exception {
        try (RawClient c = imap()) {
            c.send("s SELECT INBOX");
            c.readUntil("^s OK.*");
            c.send("f FETCH " + set + " FLAGS");
            List<String> lines = c.readUntil("^f (OK|NO|BAD).*");
            if (expectedFetches < 0) {
                assertThat(lines.getLast()).startsWith("f BAD");
                assertThat(lines).noneMatch(l -> l.contains(" FETCH ("));
            } else {
                assertThat(lines.getLast()).startsWith("f OK");
                assertThat(lines.stream().filter(l -> l.contains(" FETCH (")).count()).isEqualTo(expectedFetches);
            }
        }
    }

    // --- POP3 message numbers ---

    static Stream<Arguments> pop3Numbers() {
        return Stream.of("RETR 99999999999999999999", "RETR 4294967296", "RETR 0", "RETR -1", "RETR 3", "RETR 1 2",
                "DELE 99999999999999999999", "TOP 1 99999999999999999999", "TOP 99999999999999999999 0",
                "LIST 18446744073709551617", "UIDL 99999999999999999999").map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pop3Numbers")
    void pop3OutOfRangeNumbersGetErr(String command) throws Exception {
        try (RawClient c = pop3()) {
            c.send(command);
            String reply = c.readLine();
            if (command.startsWith("TOP 1 ")) {
                // A huge line count just means "the whole message" (RFC 1939 §7) or is refused.
                assertThat(reply).matches("(\\+OK|-ERR).*");
                if (reply.startsWith("+OK")) c.readUntil("^\\.$");
            } else {
                assertThat(reply).startsWith("-ERR");
            }
            c.send("STAT");
            c.expect("+OK 2 ");
        }
    }

    private static RawClient imap() throws IOException {
        RawClient c = RawClient.connect(server.host(), server.imapsPort(), server.sslContext());
        c.expect("* OK");
        c.send("l LOGIN " + USER + " " + PW);
        c.readUntil("^l OK.*");
        return c;
    }

    private static RawClient pop3() throws IOException {
        RawClient c = RawClient.connect(server.host(), server.pop3sPort(), server.sslContext());
        c.expect("+OK");
        c.send("USER " + USER);
        c.expect("+OK");
        c.send("PASS " + PW);
        c.expect("+OK");
        return c;
    }
}
