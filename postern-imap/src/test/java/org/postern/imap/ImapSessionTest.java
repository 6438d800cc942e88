// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;
import org.postern.store.sqlite.SqliteMailStore;

/** Transcripts over a real loopback socket against ImapServer on the SQLite store. */
class ImapSessionTest {
    static final String MSG = "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: Hello there\r\n"
            + "Date: Wed, 7 Feb 2024 10:11:12 +0100\r\nMessage-ID: <1@example.org>\r\n\r\nHi Bob,\r\nthe body text.\r\n";

    @TempDir
    Path dir;
    SqliteMailStore store;
    TlsContext tls;
    Listener plain;
    Listener open;

    @BeforeEach
    void setUp() throws Exception {
        store = SqliteMailStore.open(dir.resolve("data"));
        store.directory().addDomain("example.org");
        store.directory().createAccount("alice@example.org", new Passwords(PasswordHasher.Cost.TEST).record("secret"), false);
        SelfSignedCertificate.createIfMissing(dir.resolve("cert.pem"), dir.resolve("key.pem"), "localhost");
        tls = TlsContext.fromPem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        SaslMechanisms sasl = new SaslMechanisms(new Authenticator(store.directory(),
                new AuthThrottle(AuthThrottle.Policy.RELAXED, Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC()));
        plain = Listener.start("imap", InetAddress.getLoopbackAddress(), 0, false, tls, NetLimits.DEFAULT,
                new ImapServer(ImapConfig.defaults("localhost", false), store, sasl, tls));
        open = Listener.start("imap-open", InetAddress.getLoopbackAddress(), 0, false, tls, NetLimits.DEFAULT,
                new ImapServer(ImapConfig.defaults("localhost", false).withAllowPlaintextAuth(true), store, sasl, tls));
    }

    @AfterEach
    void tearDown() {
        plain.close();
        open.close();
        store.close();
    }

    ImapClient loggedIn() throws IOException {
        ImapClient c = new ImapClient(open.port());
        assertThat(c.line()).startsWith("* OK [CAPABILITY IMAP4rev1");
        assertThat(c.cmd("l", "LOGIN alice@example.org secret").getLast()).startsWith("l OK [CAPABILITY ").contains("UIDPLUS", "MOVE");
        return c;
    }

    void append(ImapClient c, String mailbox, String msg) throws IOException {
        c.send("ap APPEND " + mailbox + " {" + msg.length() + "}");
        assertThat(c.line()).startsWith("+ ");
        c.sendRaw(msg + "\r\n");
        assertThat(c.until("ap").getLast()).startsWith("ap OK [APPENDUID ");
    }

    @Test
    void plaintextPortRefusesLoginBeforeTls() throws Exception {
        try (ImapClient c = new ImapClient(plain.port())) {
            String greeting = c.line();
            assertThat(greeting).contains("STARTTLS", "LOGINDISABLED").doesNotContain("AUTH=");
            assertThat(c.cmd("a", "LOGIN alice@example.org secret").getLast()).isEqualTo("a NO [PRIVACYREQUIRED] Use STARTTLS first");
            assertThat(c.cmd("b", "AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==").getLast()).startsWith("b NO [PRIVACYREQUIRED]");
        }
    }

    @Test
    void startTlsDiscardsPipelinedPlaintext() throws Exception {
        // HOSTILE A02: "b" is sent in the same segment as STARTTLS and must never be answered.
        try (ImapClient c = new ImapClient(plain.port())) {
            c.line();
            c.sendRaw("a STARTTLS\r\nb CAPABILITY\r\n");
            assertThat(c.line()).isEqualTo("a OK Begin TLS negotiation now");
            c.startTls(tls.clientContextTrustingSelf());
            List<String> caps = c.cmd("c", "CAPABILITY");
            assertThat(caps).noneMatch(l -> l.startsWith("b "));
            assertThat(caps.getFirst()).startsWith("* CAPABILITY").contains("AUTH=PLAIN").doesNotContain("STARTTLS", "LOGINDISABLED");
            assertThat(c.cmd("d", "AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==").getLast()).startsWith("d OK [CAPABILITY");
        }
    }

    @Test
    void appendFetchStoreSearchCopyMoveExpunge() throws Exception {
        try (ImapClient c = loggedIn()) {
            append(c, "INBOX", MSG);
            append(c, "INBOX", MSG.replace("Hello there", "Second"));
            List<String> sel = c.cmd("s", "SELECT INBOX");
            assertThat(sel).contains("* 2 EXISTS", "s OK [READ-WRITE] SELECT completed");
            assertThat(sel).anyMatch(l -> l.startsWith("* OK [UIDVALIDITY "));
            List<String> f = c.cmd("f", "FETCH 1 (FLAGS RFC822.SIZE ENVELOPE)");
            assertThat(f.getFirst()).startsWith("* 1 FETCH (FLAGS () RFC822.SIZE " + MSG.length() + " ENVELOPE (\"Wed, 7 Feb 2024 10:11:12 +0100\" \"Hello there\" ((\"Alice\" NIL \"alice\" \"example.org\"))");
            List<String> body = c.cmd("g", "FETCH 1 BODY[TEXT]");
            assertThat(body.getFirst()).isEqualTo("* 1 FETCH (BODY[TEXT] {25}\r\nHi Bob,\r\nthe body text.\r\n FLAGS (\\Seen))");
            assertThat(c.cmd("h", "UID FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])").getFirst())
                    .isEqualTo("* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {19}\r\nSubject: Second\r\n\r\n)");
            assertThat(c.cmd("i", "STORE 2 +FLAGS (\\Flagged)")).contains("* 2 FETCH (FLAGS (\\Flagged))");
            assertThat(c.cmd("j", "SEARCH FLAGGED")).contains("* SEARCH 2");
            assertThat(c.cmd("k", "SEARCH SUBJECT hello")).contains("* SEARCH 1");
            assertThat(c.cmd("k2", "UID SEARCH BODY \"BODY TEXT\" NOT SEEN")).contains("* SEARCH 2");
            assertThat(c.cmd("k3", "SEARCH CHARSET KOI8-R BODY x").getLast()).startsWith("k3 NO [BADCHARSET");
            assertThat(c.cmd("m", "COPY 1:2 Archive").getLast()).matches("m OK \\[COPYUID \\d+ 1:2 1:2\\] COPY completed");
            List<String> mv = c.cmd("n", "UID MOVE 1 Trash");
            assertThat(mv).anyMatch(l -> l.matches("\\* OK \\[COPYUID \\d+ 1 1\\] Moved"));
            assertThat(mv).contains("* 1 EXPUNGE");
            assertThat(c.cmd("o", "STORE 1 +FLAGS.SILENT (\\Deleted)")).hasSize(1);
            assertThat(c.cmd("p", "EXPUNGE")).containsExactly("* 1 EXPUNGE", "p OK EXPUNGE completed");
            assertThat(c.cmd("q", "STATUS Archive (MESSAGES UIDNEXT)").getFirst()).isEqualTo("* STATUS Archive (MESSAGES 2 UIDNEXT 3)");
            List<String> list = c.cmd("r", "LIST \"\" *");
            assertThat(list).contains("* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"");
            assertThat(c.cmd("t", "CREATE Entw&APw-rfe/Alt").getLast()).matches("t OK \\[MAILBOXID \\(M\\d+\\)\\] CREATE completed");
            assertThat(c.cmd("u", "LIST \"\" Entw&APw-rfe%")).containsExactly(
                    "* LIST (\\HasChildren) \"/\" \"Entw&APw-rfe\"", "u OK LIST completed");
            assertThat(c.cmd("v", "CREATE &AGE-").getLast()).startsWith("v BAD");
            assertThat(c.cmd("w", "CREATE ../etc").getLast()).startsWith("w NO [CANNOT]");
            assertThat(c.cmd("x", "FETCH 1:4294967295 (UID)")).hasSize(1);
            assertThat(c.cmd("y", "LOGOUT")).containsExactly("* BYE Logging out", "y OK LOGOUT completed");
        }
    }

    /**
     * RFC 3501 §7.4.1 under load: while another session expunges message after message, FETCH, STORE
     * and SEARCH (by sequence number) never carry an untagged EXPUNGE, and every number they report
     * is one the client still holds (at most the messages it was told exist, less those it was told
     * are gone); NOOP and UID commands may report them, and in the end all are reported.
     */
    @Test
    void concurrentExpungeNeverReachesFetchStoreOrSearch() throws Exception {
        int total = 40;
        try (ImapClient a = loggedIn(); ImapClient b = loggedIn()) {
            for (int i = 0; i < total; i++) append(a, "INBOX", MSG);
            a.cmd("s", "SELECT INBOX");
            b.cmd("s", "SELECT INBOX");
            Thread expunger = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        b.cmd("d" + i, "STORE 1 +FLAGS.SILENT (\\Deleted)");
                        b.cmd("e" + i, "EXPUNGE");
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int held = total;
            String[] commands = {"FETCH 1:* (FLAGS)", "STORE 1:* +FLAGS.SILENT (\\Seen)", "SEARCH ALL", "FETCH 1:* (UID RFC822.SIZE)",
                "STORE 1:* +FLAGS (\\Flagged)", "NOOP"};
            java.util.regex.Pattern number = java.util.regex.Pattern.compile("^\\* (\\d+) (EXPUNGE|EXISTS|FETCH)");
            for (int i = 0; expunger.isAlive() || i < commands.length; i++) {
                String cmd = commands[i % commands.length];
                List<String> lines = a.cmd("c" + i, cmd);
                assertThat(lines.getLast()).startsWith("c" + i + " OK");
                for (String l : lines) {
                    var m = number.matcher(l);
                    if (!m.find()) continue;
                    int n = Integer.parseInt(m.group(1));
                    switch (m.group(2)) {
                        case "EXPUNGE" -> {
                            assertThat(cmd).as(l).isEqualTo("NOOP");
                            assertThat(n).isBetween(1, held);
                            held--;
                        }
                        case "EXISTS" -> held = n;
                        default -> assertThat(n).as(cmd + ": " + l).isBetween(1, held);
                    }
                }
                if (cmd.startsWith("SEARCH")) {
                    String found = lines.stream().filter(l -> l.startsWith("* SEARCH")).findFirst().orElseThrow();
                    for (String x : found.substring("* SEARCH".length()).trim().split(" ")) {
                        if (!x.isEmpty()) assertThat(Integer.parseInt(x)).isBetween(1, held);
                    }
                }
            }
            expunger.join();
            a.cmd("z", "NOOP");
            assertThat(a.cmd("y", "SEARCH ALL")).containsExactly("* SEARCH", "y OK SEARCH completed");
        }
    }

    @Test
    void expungeByAnotherSessionIsReportedOnlyWhereAllowed() throws Exception {
        try (ImapClient a = loggedIn(); ImapClient b = loggedIn()) {
            append(a, "INBOX", MSG);
            append(a, "INBOX", MSG);
            a.cmd("s", "SELECT INBOX");
            b.cmd("s", "SELECT INBOX");
            b.cmd("d", "STORE 1 +FLAGS.SILENT (\\Deleted)");
            assertThat(b.cmd("e", "EXPUNGE")).contains("* 1 EXPUNGE");
            List<String> fetch = a.cmd("f", "FETCH 1:* (FLAGS)");
            assertThat(fetch).noneMatch(l -> l.contains("EXPUNGE"));
            assertThat(fetch).contains("* 2 FETCH (FLAGS ())");
            List<String> search = a.cmd("g", "SEARCH ALL");
            assertThat(search).noneMatch(l -> l.contains("EXPUNGE")).contains("* SEARCH 1 2");
            assertThat(a.cmd("n", "NOOP")).containsExactly("* 1 EXPUNGE", "n OK NOOP completed");
            assertThat(a.cmd("h", "FETCH 1:* (UID)")).containsExactly("* 1 FETCH (UID 2)", "h OK FETCH completed");
        }
    }

    @Test
    void idleReportsAnotherSessionsAppendWithinOneSecond() throws Exception {
        try (ImapClient a = loggedIn(); ImapClient b = loggedIn()) {
            a.cmd("s", "SELECT INBOX");
            a.send("i IDLE");
            assertThat(a.line()).isEqualTo("+ idling");
            long start = System.nanoTime();
            append(b, "INBOX", MSG);
            a.timeout(1000);
            String l;
            do {
                l = a.line();
            } while (!l.endsWith("EXISTS"));
            assertThat(l).isEqualTo("* 1 EXISTS");
            assertThat(System.nanoTime() - start).isLessThan(1_500_000_000L);
            a.timeout(5000);
            a.send("DONE");
            assertThat(a.until("i").getLast()).isEqualTo("i OK IDLE terminated");
        }
    }

    @Test
    void hostileLiteralsAndGarbage() throws Exception {
        try (ImapClient c = new ImapClient(plain.port())) {
            c.line();
            // HOSTILE A21: a 4 GiB literal before login is refused without "+" and the session ends.
            c.send("a LOGIN {4294967295}");
            assertThat(c.line()).isEqualTo("a BAD [TOOBIG] Literal too large");
            assertThat(c.line()).startsWith("* BYE");
            assertThat(c.line()).isNull();
        }
        try (ImapClient c = new ImapClient(plain.port())) {
            c.line();
            String bye = null;
            for (int i = 0; i < 25 && bye == null; i++) {
                c.send("x" + i + " FROB");
                String l = c.line();
                assertThat(l).startsWith("x" + i + " BAD");
                c.timeout(200);
                try {
                    String next = c.line();
                    if (next != null && next.startsWith("* BYE")) bye = next;
                } catch (SocketTimeoutException e) {
                    // no BYE yet
                }
                c.timeout(5000);
            }
            assertThat(bye).isEqualTo("* BYE Too many invalid commands");
        }
        try (ImapClient c = loggedIn()) {
            c.send("a SELECT {5}");
            assertThat(c.line()).startsWith("+ ");
            c.sendRaw("INBOX\r\n");
            assertThat(c.until("a").getLast()).startsWith("a OK [READ-WRITE]");
            assertThat(c.cmd("b", "FETCH 4294967296 FLAGS").getLast()).startsWith("b BAD");
            assertThat(c.cmd("c", "SEARCH " + "NOT ".repeat(1000) + "ALL").getLast()).startsWith("c BAD");
            assertThat(c.cmd("d", "APPEND INBOX {999999999999}").getLast()).startsWith("d NO [TOOBIG]");
            assertThat(c.cmd("e", "NOOP").getLast()).isEqualTo("e OK NOOP completed");
        }
    }
}
