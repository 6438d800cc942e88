// SPDX-License-Identifier: Apache-2.0
package org.postern.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.Main;
import org.postern.server.cli.CliContext;
import org.postern.store.sqlite.SqliteMailStore;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * DESIGN.md §7: "Every command works on a stopped or a running server: the CLI writes through the
 * store, and a running server sees the change within a second (a deleted account's sessions are
 * closed)." The CLI runs in this JVM on the running server's data folder, through its own store.
 */
class CliWhileRunningIT {
    private static final Duration SEEN_WITHIN = Duration.ofSeconds(1);
    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void cli(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), () -> null, SqliteMailStore::open);
        String[] full = new String[args.length + 2];
        full[0] = "--data";
        full[1] = server.dataDir().toString();
        System.arraycopy(args, 0, full, 2, args.length);
        int code = Main.run(ctx, full);
        assertThat(code).as("postern %s: %s%s", String.join(" ", args), out, err).isZero();
    }

    private static String imapLogin(String user, String password) throws IOException {
        try (RawClient c = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            c.expect("* OK");
            c.send("a LOGIN " + user + " " + password);
            return c.readUntil("^a .*").getLast();
        }
    }

    @Test
    void accountAddedByTheCliCanLogInWithinASecond() throws Exception {
        String user = "added@example.test";
        cli("added-pw\n", "account", "add", user, "--password-stdin");
        assertThat(Sessions.within(SEEN_WITHIN, () -> imapLogin(user, "added-pw").startsWith("a OK")))
                .as("IMAP login within %s of 'account add'", SEEN_WITHIN).isTrue();
    }

    @Test
    void passwordChangedByTheCliStopsTheOldOneWithinASecond() throws Exception {
        String user = "changer@example.test";
        cli("old-pw\n", "account", "add", user, "--password-stdin");
        assertThat(Sessions.within(Duration.ofSeconds(5), () -> imapLogin(user, "old-pw").startsWith("a OK"))).isTrue();
        cli("new-pw\n", "account", "passwd", user, "--password-stdin");
        assertThat(Sessions.within(SEEN_WITHIN, () -> imapLogin(user, "old-pw").startsWith("a NO")))
                .as("old password refused within %s", SEEN_WITHIN).isTrue();
        assertThat(imapLogin(user, "new-pw")).startsWith("a OK");
    }

    @Test
    void accountDeletedByTheCliLosesItsSessionsAndItsMail() throws Exception {
        String user = "leaver@example.test";
        cli("leaver-pw\n", "account", "add", user, "--password-stdin");
        assertThat(Sessions.within(Duration.ofSeconds(5), () -> imapLogin(user, "leaver-pw").startsWith("a OK"))).isTrue();
        try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext());
                RawClient pop3 = RawClient.connect(server.host(), server.pop3sPort(), server.sslContext())) {
            imap.expect("* OK");
            imap.send("a LOGIN " + user + " leaver-pw");
            imap.readUntil("^a OK.*");
            imap.send("b SELECT INBOX");
            imap.readUntil("^b OK.*");
            imap.send("c IDLE");
            imap.expect("+ ");
            pop3.expect("+OK");
            pop3.send("USER " + user);
            pop3.expect("+OK");
            pop3.send("PASS leaver-pw");
            pop3.expect("+OK");

            cli("", "account", "delete", user);

            try (RawClient mx = Sessions.smtp(server, server.smtpPort(), false)) {
                mx.send("MAIL FROM:<a@sender.example>");
                mx.expect("250 ");
                mx.send("RCPT TO:<" + user + ">");
                mx.expect("550 ");
            }
            assertThat(imapLogin(user, "leaver-pw")).startsWith("a NO");

            // The open sessions end by the server's hand: IMAP may say BYE first (RFC 9051 §7.1.5), POP3
            // may say -ERR first; then the connection closes. Nothing is sent, so only the server acts.
            assertClosedByServer(imap, "\\* BYE.*");
            assertClosedByServer(pop3, "-ERR.*");
        }
    }

    private static void assertClosedByServer(RawClient c, String goodbye) throws IOException {
        c.timeout(Duration.ofSeconds(5));
        String line = readOrTimeout(c);
        if (line.matches(goodbye)) line = readOrTimeout(c);
        assertThat(line).as("session of a deleted account: %s", c.transcript()).isEqualTo("<closed>");
    }

    private static String readOrTimeout(RawClient c) throws IOException {
        try {
            String line = c.readLine();
            return line == null ? "<closed>" : line;
        } catch (AssertionError timeout) {
            return "<nothing within the timeout>";
        } catch (IOException reset) {
            return "<closed>";
        }
    }
}
