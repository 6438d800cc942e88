// SPDX-License-Identifier: Apache-2.0
package org.postern.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.store.MessageRecord;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * HOSTILE A06-A08, C1 "SMTP smuggling" (SEC Consult 2023; CVE-2023-51764/51765/51766, CVE-2023-51747):
 * only {@code <CRLF>.<CRLF>} ends DATA (RFC 5321 §4.1.1.4, §2.3.8). Each case hides a second
 * transaction behind a fake end-of-data and then ends the message properly. The oracle is the
 * recipient's INBOX in the store: at most one new message per session, none when the server refused.
 */
class SmtpSmugglingIT {
    private static final String VICTIM = "bob@example.test";
    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        server.createUser(VICTIM, "bob-pw-0815");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> endOfDataVariants() {
        // {name, fake end, must the message be refused}: every bare CR/LF must be refused; a NUL next to
        // the dot is not a line end, so there only "never two messages" applies.
        List<Object[]> variants = List.of(
                new Object[] {"<LF>.<LF>", "\n.\n", true},
                new Object[] {"<LF>.<CRLF>", "\n.\r\n", true},
                new Object[] {"<CRLF>.<LF>", "\r\n.\n", true},
                new Object[] {"<CR>.<CR>", "\r.\r", true},
                new Object[] {"<CR>.<CRLF>", "\r.\r\n", true},
                new Object[] {"<CRLF>.<CR>", "\r\n.\r", true},
                new Object[] {"<CR>.<LF>", "\r.\n", true},
                new Object[] {"<LF>.<CR><CR><LF>", "\n.\r\r\n", true},
                new Object[] {"<CRLF><CR>.<CRLF>", "\r\n\r.\r\n", true},
                new Object[] {"<CRLF>.<LF><CRLF>", "\r\n.\n\r\n", true},
                new Object[] {"<CRLF><NUL>.<CRLF>", "\r\n\0.\r\n", false},
                new Object[] {"<CRLF>.<NUL><CRLF>", "\r\n.\0\r\n", false});
        List<Arguments> out = new ArrayList<>();
        for (Object[] v : variants) {
            for (boolean pipelined : new boolean[] {false, true}) out.add(Arguments.of(v[0], v[1], v[2], pipelined));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} pipelined={3}")
    @MethodSource("endOfDataVariants")
    void fakeEndOfDataNeverSplitsAMessage(String name, String fakeEnd, boolean mustRefuse, boolean pipelined)
            throws Exception {
        int before = Sessions.inboxCount(server, VICTIM);
        String smuggled = "MAIL FROM:<ceo@example.test>\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n"
                + "From: ceo@example.test\r\nSubject: smuggled\r\n\r\nwire the money\r\n.\r\n";
        String body = "From: mallory@attacker.example\r\nSubject: carrier\r\n\r\nhello" + fakeEnd + smuggled;
        List<String> after354;
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            String envelope = "MAIL FROM:<mallory@attacker.example>\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n";
            if (pipelined) {
                c.sendRaw(envelope + body + "QUIT\r\n");
                c.expect("250 ", "250 ", "354 ");
            } else {
                c.send("MAIL FROM:<mallory@attacker.example>");
                c.expect("250 ");
                c.send("RCPT TO:<" + VICTIM + ">");
                c.expect("250 ");
                c.send("DATA");
                c.expect("354 ");
                c.sendRaw(body);
                c.sendRaw("QUIT\r\n");
            }
            after354 = Sessions.drain(c, 50);
        }
        List<MessageRecord> box = Sessions.inbox(server, VICTIM);
        int added = box.size() - before;
        assertThat(added).as("messages stored; replies %s", after354).isLessThanOrEqualTo(1);
        if (mustRefuse) {
            assertThat(after354).as("no message accepted").noneMatch(l -> l.startsWith("250 2.0.0 Ok: queued"));
            assertThat(after354).as("refused with 5xx or 421").anyMatch(l -> l.matches("(5\\d\\d|421)[ -].*"));
            assertThat(added).isZero();
        } else if (added == 1) {
            // Accepted as one message: the would-be second transaction must still be inside it.
            assertThat(Sessions.text(server, box.getLast())).contains("Subject: carrier").contains("wire the money");
        }
    }

    /**
     * RFC 5321 §2.3.8, §4.1.1.4 (A07): only CRLF ends a command line, so no part of a line holding a bare
     * LF or CR may be executed. Each raw line is followed by CRLF and a HELP sentinel; every reply before
     * HELP's 214 must be an error, and a RCPT afterwards must find no MAIL transaction.
     */
    static Stream<Arguments> bareLineEndsInCommands() {
        return Stream.of(
                Arguments.of("MAIL FROM:<a@attacker.example>\n"),
                Arguments.of("MAIL FROM:<a@attacker.example>\r"),
                Arguments.of("MAIL FROM:<a@attacker.example>\n\r"),
                Arguments.of("MAIL FROM:<a@attacker.example>\nRCPT TO:<" + VICTIM + ">"),
                Arguments.of("NOOP\rMAIL FROM:<a@attacker.example>"),
                Arguments.of("MAIL FROM:<a@attacker.example>\rRCPT TO:<" + VICTIM + ">"));
    }

    /** A bare LF before a complete command: the part after it is a separate line only to a lax parser. */
    static Stream<Arguments> bareLfBeforeACommand() {
        return Stream.of(
                Arguments.of("RSET\nMAIL FROM:<a@attacker.example>"),
                Arguments.of("X-Filler\nMAIL FROM:<a@attacker.example>"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("bareLineEndsInCommands")
    void bareLineEndInCommandIsRefused(String raw) throws Exception {
        assertNoPartExecuted(raw);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("bareLfBeforeACommand")
    void bareLfNeverStartsANewCommand(String raw) throws Exception {
        assertNoPartExecuted(raw);
    }

    private static void assertNoPartExecuted(String raw) throws IOException {
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            c.sendRaw(raw + "\r\nHELP\r\n");
            List<String> before = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String line = c.readLine();
                if (line == null) {
                    // Closing (Sendmail's 421 on bare CR/LF) is fine if nothing was accepted first.
                    assertThat(before).as("%s", c.transcript()).allMatch(l -> l.matches("(5\\d\\d|421)[ -].*"));
                    return;
                }
                if (line.startsWith("214")) break;
                before.add(line);
            }
            assertThat(before).as("%s", c.transcript()).isNotEmpty().allMatch(l -> l.matches("5\\d\\d[ -].*"));
            c.send("RCPT TO:<" + VICTIM + ">");
            c.expect("503 ");
            c.send("QUIT");
            c.expect("221 ");
        }
    }

    /** Pipelined (RFC 2920) proper end-of-data and a bare-LF one in the same write (A08). */
    @Test
    void pipelinedProperEndThenBareLfEndGivesOneMessage() throws Exception {
        int before = Sessions.inboxCount(server, VICTIM);
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            String one = "MAIL FROM:<a@sender.example>\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n"
                    + "Subject: first\r\n\r\nfirst\r\n.\r\n";
            String two = "MAIL FROM:<b@sender.example>\r\nRCPT TO:<" + VICTIM + ">\r\nDATA\r\n"
                    + "Subject: second\r\n\r\nsecond\n.\nMAIL FROM:<c@x.example>\r\n.\r\n";
            c.sendRaw(one + two + "QUIT\r\n");
            List<String> replies = Sessions.drain(c, 50);
            assertThat(replies.subList(0, 4)).as("%s", replies)
                    .allMatch(l -> l.startsWith("250 ") || l.startsWith("354 "));
            assertThat(replies.get(3)).startsWith("250 2.0.0 Ok: queued");
            assertThat(replies.stream().filter(l -> l.startsWith("250 2.0.0 Ok: queued")).count()).isEqualTo(1);
        }
        assertThat(Sessions.inboxCount(server, VICTIM) - before).isEqualTo(1);
    }

    /** RFC 5321 §4.5.2: the leading dot of a line is removed, one only; a proper message still arrives. */
    @Test
    void dotStuffingIsUndoneExactlyOnce() throws Exception {
        int before = Sessions.inboxCount(server, VICTIM);
        String marker = "dot-" + System.nanoTime();
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            c.send("MAIL FROM:<a@sender.example>");
            c.expect("250 ");
            c.send("RCPT TO:<" + VICTIM + ">");
            c.expect("250 ");
            c.send("DATA");
            c.expect("354 ");
            c.sendRaw("Subject: " + marker + "\r\n\r\n..leading\r\n..\r\n...three\r\nmid.dle\r\n.\r\n");
            c.expect("250 ");
        }
        List<MessageRecord> box = Sessions.inbox(server, VICTIM);
        assertThat(box).hasSize(before + 1);
        String text = Sessions.text(server, box.getLast());
        assertThat(text).contains("Subject: " + marker);
        assertThat(text).endsWith("\r\n\r\n.leading\r\n.\r\n..three\r\nmid.dle\r\n");
    }
}
