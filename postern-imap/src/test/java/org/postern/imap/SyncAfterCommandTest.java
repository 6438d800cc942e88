// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.MailStore;
import org.postern.store.MailboxStore;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * After every command in the selected state the session reports what others changed (RFC 3501 §7,
 * RFC 9051 §7); it asks the store only when the change feed's version moved (ChangeFeed#version). The
 * reports must stay immediate for this process's writes, arrive for another process's writes, and
 * the store must not be asked when nothing happened.
 */
class SyncAfterCommandTest {
    private static final String USER = ImapFixture.USER;
    private static final String MSG = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";

    @TempDir
    Path dir;
    private ImapFixture fixture;
    private final AtomicInteger changesAsked = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        fixture = new ImapFixture(dir, c -> c, this::counting);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** The store, counting MailboxStore#changesSince calls (the check after each command). */
    private MailStore counting(MailStore real) {
        MailboxStore mailboxes = real.mailboxes();
        MailboxStore countingMailboxes = (MailboxStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MailboxStore.class}, (p, m, args) -> {
                    if (m.getName().equals("changesSince")) changesAsked.incrementAndGet();
                    return invoke(mailboxes, m, args);
                });
        return (MailStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MailStore.class},
                (p, m, args) -> m.getName().equals("mailboxes") ? countingMailboxes : invoke(real, m, args));
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private ImapClient loggedIn() throws Exception {
        ImapClient c = new ImapClient(fixture.listener.port());
        c.line();
        assertThat(c.cmd("l", "LOGIN " + USER + " secret").getLast()).startsWith("l OK");
        return c;
    }

    private static void append(ImapClient c) throws Exception {
        c.send("ap APPEND INBOX {" + MSG.length() + "+}");
        c.sendRaw(MSG + "\r\n");
        assertThat(c.until("ap").getLast()).startsWith("ap OK [APPENDUID ");
    }

    @Test
    void quietCommandsDoNotAskTheStore() throws Exception {
        try (ImapClient a = loggedIn()) {
            append(a);
            a.cmd("s", "SELECT INBOX");
            a.cmd("n", "NOOP"); // the first check after SELECT asks once
            int before = changesAsked.get();
            for (int i = 0; i < 20; i++) {
                assertThat(a.cmd("f" + i, "FETCH 1 (FLAGS)")).containsExactly("* 1 FETCH (FLAGS ())", "f" + i + " OK FETCH completed");
                assertThat(a.cmd("n" + i, "NOOP")).containsExactly("n" + i + " OK NOOP completed");
            }
            assertThat(changesAsked.get()).isEqualTo(before);
            // A change of its own makes it ask again, once.
            a.cmd("t", "STORE 1 +FLAGS.SILENT (\\Flagged)");
            assertThat(changesAsked.get()).isEqualTo(before + 1);
            a.cmd("n", "NOOP");
            assertThat(changesAsked.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void anotherSessionsWritesAreReportedAtTheNextCommand() throws Exception {
        try (ImapClient a = loggedIn(); ImapClient b = loggedIn()) {
            a.cmd("s", "SELECT INBOX");
            b.cmd("s", "SELECT INBOX");
            for (int i = 1; i <= 20; i++) {
                append(b);
                // No waiting: B's APPEND returned, so A's very next command must see it.
                assertThat(a.cmd("n" + i, "NOOP")).containsExactly("* " + i + " EXISTS", "* " + i + " RECENT",
                        "n" + i + " OK NOOP completed");
            }
            b.cmd("b", "NOOP");
            b.cmd("t", "STORE 3 +FLAGS.SILENT (\\Seen)");
            assertThat(a.cmd("x", "NOOP")).containsExactly("* 3 FETCH (FLAGS (\\Seen \\Recent))", "x OK NOOP completed");
            b.cmd("d", "STORE 2 +FLAGS.SILENT (\\Deleted)");
            b.cmd("e", "EXPUNGE");
            // Held back during FETCH (RFC 3501 §7.4.1), then reported by NOOP with no new change in between.
            List<String> fetch = a.cmd("f", "FETCH 1 (UID)");
            assertThat(fetch).noneMatch(l -> l.contains("EXPUNGE"));
            assertThat(a.cmd("y", "NOOP")).containsExactly("* 2 EXPUNGE", "y OK NOOP completed");
            assertThat(a.cmd("z", "NOOP")).containsExactly("z OK NOOP completed");
        }
    }

    @Test
    void ownAppendsToTheSelectedMailboxAreReportedWithoutAskingTheStore() throws Exception {
        try (ImapClient a = loggedIn()) {
            a.cmd("s", "SELECT INBOX");
            a.cmd("n", "NOOP");
            String validity = uidValidity(a);
            int before = changesAsked.get();
            for (int i = 1; i <= 5; i++) {
                a.send("ap APPEND INBOX (\\Flagged) {" + MSG.length() + "+}");
                a.sendRaw(MSG + "\r\n");
                List<String> got = a.until("ap");
                assertThat(got).containsExactly("* " + i + " EXISTS", "* " + i + " RECENT",
                        "ap OK [APPENDUID " + validity + " " + i + "] APPEND completed");
            }
            // MULTIAPPEND (RFC 3502): three messages, one report.
            a.send("m APPEND INBOX {" + MSG.length() + "+}");
            a.sendRaw(MSG + " {" + MSG.length() + "+}\r\n" + MSG + " {" + MSG.length() + "+}\r\n" + MSG + "\r\n");
            assertThat(a.until("m")).startsWith("* 8 EXISTS", "* 8 RECENT");
            // An APPEND to another mailbox has nothing to report here.
            a.cmd("c", "CREATE Other");
            int created = changesAsked.get();
            a.send("o APPEND Other {" + MSG.length() + "+}");
            a.sendRaw(MSG + "\r\n");
            assertThat(a.until("o")).hasSize(1);
            assertThat(changesAsked.get()).isEqualTo(created);
            // CREATE is not an APPEND: it alone asked the store.
            assertThat(created).isEqualTo(before + 1);
            // The view is what the store holds: UIDs, flags and MODSEQs as a fresh session sees them.
            List<String> mine = a.cmd("f", "UID FETCH 1:* (FLAGS MODSEQ)");
            try (ImapClient b = loggedIn()) {
                b.cmd("s", "SELECT INBOX");
                List<String> fresh = b.cmd("f", "UID FETCH 1:* (FLAGS MODSEQ)");
                // Only this session sees them as \\Recent (RFC 3501 §2.3.2).
                assertThat(mine.subList(0, mine.size() - 1).stream()
                        .map(l -> l.replace("\\Recent", "").replace(" )", ")")).toList())
                        .isEqualTo(fresh.subList(0, fresh.size() - 1)).hasSize(8);
            }
        }
    }

    @Test
    void anotherSessionsWriteBetweenOwnAppendsIsStillReported() throws Exception {
        try (ImapClient a = loggedIn(); ImapClient b = loggedIn()) {
            a.cmd("s", "SELECT INBOX");
            String validity = uidValidity(a);
            append(a);
            b.cmd("s", "SELECT INBOX");
            b.cmd("t", "STORE 1 +FLAGS.SILENT (\\Seen)");
            append(b);
            int before = changesAsked.get();
            a.send("ap APPEND INBOX {" + MSG.length() + "+}");
            a.sendRaw(MSG + "\r\n");
            assertThat(a.until("ap")).containsExactly("* 1 FETCH (FLAGS (\\Seen \\Recent))", "* 3 EXISTS", "* 3 RECENT",
                    "ap OK [APPENDUID " + validity + " 3] APPEND completed");
            assertThat(changesAsked.get()).isEqualTo(before + 1);
        }
    }

    private static String uidValidity(ImapClient c) throws Exception {
        String line = c.cmd("v", "STATUS INBOX (UIDVALIDITY)").getFirst();
        return line.replaceAll(".*UIDVALIDITY (\\d+).*", "$1");
    }

    @Test
    void anotherProcessesWritesAreReported() throws Exception {
        try (ImapClient a = loggedIn()) {
            a.cmd("s", "SELECT INBOX");
            // A second store on the same files stands for the CLI: the feed hears of it by polling.
            try (SqliteMailStore other = SqliteMailStore.open(dir.resolve("data"))) {
                long account = other.directory().account(USER).orElseThrow().id();
                long inbox = other.mailboxes().find(account, "INBOX").orElseThrow().id();
                var w = other.blobs().create();
                w.stream().write(MSG.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String blob = w.commit();
                other.mailboxes().append(account, inbox, blob, MSG.length(), java.util.Set.of(), java.time.Instant.now());
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            List<String> got = a.cmd("n", "NOOP");
            while (!got.contains("* 1 EXISTS") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                got = a.cmd("n", "NOOP");
            }
            assertThat(got).contains("* 1 EXISTS");
        }
    }
}
