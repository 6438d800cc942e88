// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.Main;
import org.postern.server.cli.CliContext;
import org.postern.server.config.StoreConfig;
import org.postern.store.BlobStore;
import org.postern.store.DkimKeyStore;
import org.postern.store.IdentityStore.Identity;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.MetadataStore;
import org.postern.store.SubmissionStore.Submission;
import org.postern.store.VacationStore.Vacation;
import org.postern.testkit.ForkedServer;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * {@code postern migrate} (issue 9): mail received by an embedded server, with flags set and messages
 * expunged over IMAP, is moved to PostgreSQL; a server on PostgreSQL then shows the same mailboxes with
 * the same UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, UIDs, flags, THREADIDs and bytes, the same passwords,
 * JMAP identities, submission records and vacation response (with the senders already answered), and
 * new ids continue where the embedded store stopped instead of reusing deleted ones.
 */
class MigrateIT {
    private static final Pattern SMTP_LAST = Pattern.compile("^\\d{3}(?: .*)?$");
    private static final String ALICE = "alice@" + TestServer.DOMAIN;
    private static final String BOB = "bob@" + TestServer.DOMAIN;
    private static final Pattern THREADID = Pattern.compile("THREADID \\(([^)]+)\\)");
    private static final String ROOT = "Message-ID: <root@sender.example>";
    private static final Vacation AWAY = new Vacation(true, Instant.parse("2030-01-01T00:00:00Z"),
            Instant.parse("2030-01-15T00:00:00Z"), "Away", "Back on the 15th.", null);
    private static final String ANSWERED = "friend@sender.example";
    /** PostgresSchema's migration lock ("postern"). */
    private static final long POSTGRES_SCHEMA_LOCK = 0x706f737465726eL;

    @Test
    void anEmbeddedDataFolderMovesToPostgresWithItsUidsAndFlags(@TempDir Path data) throws IOException {
        List<String> before;
        List<Identity> identitiesBefore;
        List<Submission> submissionsBefore;
        long identityState;
        long submissionState;
        long vacationState;
        long lastIdentity;
        long lastSubmission;
        try (TestServer embedded = TestServer.startOn(data, s -> s)) {
            embedded.createUser(ALICE, "alice-pw");
            embedded.createUser(BOB, "bob-pw");
            for (int i = 1; i <= 4; i++) deliver(embedded, ALICE, "message " + i);
            deliver(embedded, BOB, "for bob");
            // UIDs 5 and 6: a conversation, whose THREADID the view below assigns and records.
            deliver(embedded, ALICE, "thread start", ROOT);
            deliver(embedded, ALICE, "Re: thread start", "In-Reply-To: <root@sender.example>",
                    "References: <root@sender.example>");
            try (RawClient imap = login(embedded, ALICE, "alice-pw")) {
                imap.send("s1 SELECT INBOX");
                imap.readUntil("^s1 OK.*");
                imap.send("f1 UID STORE 2 +FLAGS (\\Flagged $Important)");
                imap.readUntil("^f1 OK.*");
                imap.send("f2 UID STORE 3 +FLAGS (\\Seen)");
                imap.readUntil("^f2 OK.*");
                imap.send("c1 CREATE Projects");
                imap.readUntil("^c1 OK.*");
                imap.send("c2 UID COPY 2:3 Projects");
                imap.readUntil("^c2 OK.*");
                imap.send("e1 UID STORE 1 +FLAGS (\\Deleted)");
                imap.readUntil("^e1 OK.*");
                imap.send("e2 EXPUNGE");
                imap.readUntil("^e2 OK.*");
            }
            MailStore st = embedded.store();
            st.directory().addAlias("postmaster@" + TestServer.DOMAIN, List.of(ALICE));
            long alice = st.directory().account(ALICE).orElseThrow().id();
            long inbox = st.mailboxes().find(alice, "INBOX").orElseThrow().id();
            st.acl().setRights(alice, inbox, BOB, "lr");
            st.metadata().apply(Map.of(new MetadataStore.Scope(alice, inbox, 0), Map.of("/shared/comment",
                    "kept".getBytes(StandardCharsets.UTF_8))));
            st.dkimKeys().add(new DkimKeyStore.DkimKey(TestServer.DOMAIN, "s1", "ed25519-sha256", new byte[] {1, 2, 3},
                    new byte[] {4, 5, 6}, Instant.now()));
            byte[] queued = "From: <alice@example.test>\r\nSubject: waiting\r\n\r\nfor a far server\r\n"
                    .getBytes(StandardCharsets.UTF_8);
            String blob;
            try (BlobStore.BlobWriter w = st.blobs().create()) {
                w.stream().write(queued);
                blob = w.commit();
            }
            st.deliver(new Intake(blob, queued.length, Instant.now(), List.of(),
                    new Intake.Outbound(ALICE, List.of("far@remote.invalid"))));
            // JMAP objects, each kind with its last id deleted: the next one must not get it again.
            st.identities().list(alice, ALICE); // creates the default identity
            Identity work = st.identities().create(new Identity(0, alice, "Alice at work", ALICE, "[\"desk@example.test\"]",
                    null, "-- \nAlice", "<p>Alice</p>", true));
            Identity gone = st.identities().create(new Identity(0, alice, "Gone", ALICE, null, null, "", "", true));
            assertThat(st.identities().delete(alice, gone.id())).isTrue();
            identitiesBefore = st.identities().list(alice, ALICE);
            assertThat(identitiesBefore).extracting(Identity::name).containsExactly("", "Alice at work");
            lastIdentity = gone.id();
            identityState = st.identities().state(alice);
            Instant sent = Instant.ofEpochSecond(1_790_000_000L);
            st.submissions().create(new Submission(0, alice, work.id(), "Eabc", "Tdef", ALICE, List.of("far@remote.invalid"),
                    List.of(), -1, sent, "final"));
            Submission dropped = st.submissions().create(new Submission(0, alice, work.id(), "Eghi", "Tjkl", ALICE,
                    List.of(BOB), List.of(BOB), -1, sent, "final"));
            assertThat(st.submissions().delete(alice, dropped.id())).isTrue();
            submissionsBefore = st.submissions().list(alice);
            lastSubmission = dropped.id();
            submissionState = st.submissions().state(alice);
            // Not yet active (2030), so the deliveries below send no auto-reply into the queue.
            st.vacation().put(alice, AWAY);
            assertThat(st.vacation().claimReply(alice, ANSWERED, Instant.now(), Duration.ofDays(7))).isTrue();
            vacationState = st.vacation().state(alice);

            before = view(embedded, ALICE, "alice-pw");
            before.addAll(view(embedded, BOB, "bob-pw"));
        }
        String rootThread = threadOf(before, ALICE + " \"INBOX\" * 4 FETCH (UID 5 ");
        assertThat(threadOf(before, ALICE + " \"INBOX\" * 5 FETCH (UID 6 ")).isEqualTo(rootThread);
        assertThat(threadOf(before, ALICE + " \"INBOX\" * 1 FETCH (UID 2 ")).isNotEqualTo(rootThread);
        // UID 1 expunged: the first message of INBOX is UID 2, flagged.
        assertThat(before).anyMatch(l -> l.startsWith(ALICE + " \"INBOX\" * 1 FETCH (UID 2 FLAGS ($Important \\Flagged)"))
                .anyMatch(l -> l.startsWith(ALICE + " \"Projects\" * 2 FETCH (UID 2 FLAGS (\\Seen)"));

        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = "postgres://postgres@localhost:" + pg.getPort() + "/postgres";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = Main.run(context(out), "--data", data.toString(), "migrate", "--to", url);
            String report = out.toString(StandardCharsets.UTF_8);
            assertThat(code).as(report).isZero();
            assertThat(report).contains("messages: 8 -> 8").contains("accounts: 2 -> 2").contains("aliases: 1 -> 1")
                    .contains("acl: 1 -> 1").contains("metadata: 1 -> 1").contains("dkim_keys: 1 -> 1")
                    .contains("queue: 1 -> 1").contains("identities: 2 -> 2")
                    .contains("submissions: 1 -> 1").contains("vacation: 1 -> 1").contains("vacation_replied: 1 -> 1")
                    .contains("bodies: 7 copied, SHA-256 equal").contains("UID lists equal").contains("store = " + url);

            // A second run finds the database in use and changes nothing.
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            assertThat(Main.run(context(again), "--data", data.toString(), "migrate", "--to", url)).isNotZero();
            assertThat(again.toString(StandardCharsets.UTF_8)).contains("not empty");

            try (TestServer shared = TestServer.start(s -> s.withStore(StoreConfig.postgres(url, "")))) {
                List<String> after = view(shared, ALICE, "alice-pw");
                after.addAll(view(shared, BOB, "bob-pw"));
                assertThat(after).containsExactlyElementsOf(before);
                MailStore st = shared.store();
                assertThat(st.directory().aliasTargets("postmaster@" + TestServer.DOMAIN)).containsExactly(ALICE);
                assertThat(st.dkimKeys().keys(TestServer.DOMAIN)).extracting(DkimKeyStore.DkimKey::selector).containsExactly("s1");
                var waiting = st.queue().list();
                assertThat(waiting).hasSize(1);
                assertThat(new String(st.blobs().open(waiting.get(0).blobId()).readAllBytes(), StandardCharsets.UTF_8))
                        .contains("for a far server");
                long alice = st.directory().account(ALICE).orElseThrow().id();
                assertThat(st.identities().list(alice, ALICE)).containsExactlyElementsOf(identitiesBefore);
                assertThat(st.identities().state(alice)).isEqualTo(identityState);
                assertThat(st.submissions().list(alice)).containsExactlyElementsOf(submissionsBefore);
                assertThat(st.submissions().state(alice)).isEqualTo(submissionState);
                assertThat(st.vacation().get(alice)).isEqualTo(AWAY);
                assertThat(st.vacation().state(alice)).isEqualTo(vacationState);
                // RFC 3834 §2: the sender answered before the move is not answered again.
                assertThat(st.vacation().claimReply(alice, ANSWERED, Instant.now(), Duration.ofDays(7))).isFalse();
                assertThat(st.vacation().claimReply(alice, "stranger@sender.example", Instant.now(), Duration.ofDays(7))).isTrue();
                assertThat(st.identities().create(new Identity(0, alice, "New", ALICE, null, null, "", "", true)).id())
                        .isGreaterThan(lastIdentity);
                assertThat(st.identities().state(alice)).isGreaterThan(identityState);
                assertThat(st.submissions().create(submissionsBefore.get(0)).id()).isGreaterThan(lastSubmission);

                // New mail continues the UID sequence and MODSEQ instead of reusing them; a reply joins
                // the conversation's thread, other mail starts a thread with a new id.
                deliver(shared, ALICE, "Re: Re: thread start", "In-Reply-To: <root@sender.example>");
                deliver(shared, ALICE, "after the move");
                try (RawClient imap = login(shared, ALICE, "alice-pw")) {
                    imap.send("s SELECT INBOX");
                    imap.readUntil("^s OK.*");
                    imap.send("f UID FETCH 7:8 (UID THREADID)");
                    List<String> fetched = imap.readUntil("^f OK.*");
                    assertThat(threadOf(fetched, "* 6 FETCH (UID 7 ")).isEqualTo(rootThread);
                    String fresh = threadOf(fetched, "* 7 FETCH (UID 8 ");
                    assertThat(before).noneMatch(l -> l.contains("THREADID (" + fresh + ")"));
                }
            }
        }
    }

    @Test
    void refusesWhileAServerUsesTheDataFolder(@TempDir Path data) throws IOException {
        try (ForkedServer server = TestServer.forkProcess(data, null)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            // The check comes before any connection: the database need not exist.
            int code = Main.run(context(out), "--data", data.toString(), "migrate", "--to", "postgres://postern@127.0.0.1:1/mail");
            assertThat(code).isNotZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("stop it first");
        }
    }

    @Test
    void aServerCannotStartOnTheDataFolderWhileMigrateCopies(@TempDir Path data) throws Exception {
        try (ForkedServer server = TestServer.forkProcess(data, null)) {
            server.createUser(ALICE, "alice-pw");
            server.stop();
            try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                    Connection hold = pg.getPostgresDatabase().getConnection();
                    Statement s = hold.createStatement()) {
                // The hook: migrate takes the data folder's lock, then waits here, opening the PostgreSQL
                // store (whose schema check runs under this advisory lock) until the test lets go.
                s.execute("SELECT pg_advisory_lock(" + POSTGRES_SCHEMA_LOCK + ")");
                String url = "postgres://postgres@localhost:" + pg.getPort() + "/postgres";
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                CompletableFuture<Integer> migrate = CompletableFuture.supplyAsync(
                        () -> Main.run(context(out), "--data", data.toString(), "migrate", "--to", url));
                Instant deadline = Instant.now().plusSeconds(60);
                while (!waitingForAdvisoryLock(s)) {
                    assertThat(migrate).as(() -> out.toString(StandardCharsets.UTF_8)).isNotDone();
                    assertThat(Instant.now()).as("migrate never reached the PostgreSQL store").isBefore(deadline);
                    Thread.sleep(20);
                }
                assertThatThrownBy(server::restart).isInstanceOf(IOException.class).hasMessageContaining("exited");
                s.execute("SELECT pg_advisory_unlock(" + POSTGRES_SCHEMA_LOCK + ")");
                int code = migrate.get(120, TimeUnit.SECONDS);
                assertThat(code).as(() -> out.toString(StandardCharsets.UTF_8)).isZero();
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("accounts: 1 -> 1");
            }
            // Once migrate is done the lock is gone: the schema check a server starts with (a write) passes.
            try (MailStore st = ForkedServer.openStore(data)) {
                assertThat(st.directory().account(ALICE)).isPresent();
            }
        }
    }

    private static boolean waitingForAdvisoryLock(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    /** What an IMAP client sees of every mailbox: counters, then each message's UID, flags, MODSEQ and content. */
    private static List<String> view(TestServer server, String user, String password) throws IOException {
        List<String> lines = new ArrayList<>();
        try (RawClient imap = login(server, user, password)) {
            imap.send("l LIST \"\" \"*\"");
            List<String> boxes = new ArrayList<>();
            for (String l : imap.readUntil("^l OK.*")) {
                if (l.startsWith("* LIST")) {
                    lines.add(user + " " + l);
                    // * LIST (attributes) "/" name; a \Noselect level (of shared mailboxes) holds no messages
                    if (!l.contains("\\Noselect")) boxes.add(l.substring(l.indexOf("\"/\" ") + 4));
                }
            }
            int n = 0;
            for (String box : boxes) {
                n++;
                imap.send("x" + n + " EXAMINE " + box + " (CONDSTORE)");
                for (String l : imap.readUntil("^x" + n + " OK.*")) {
                    if (l.matches("^\\* (\\d+ EXISTS|OK \\[(UIDVALIDITY|UIDNEXT|HIGHESTMODSEQ) .*)$")) {
                        lines.add(user + " " + box + " " + l);
                    }
                }
                imap.send("y" + n + " UID FETCH 1:* (UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE THREADID BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
                for (String l : imap.readUntil("^y" + n + " OK.*")) {
                    if (!l.startsWith("y" + n + " ")) lines.add(user + " " + box + " " + l);
                }
            }
        }
        return lines;
    }

    private static String threadOf(List<String> lines, String prefix) {
        for (String l : lines) {
            if (l.startsWith(prefix)) {
                Matcher m = THREADID.matcher(l);
                if (m.find()) return m.group(1);
                throw new AssertionError("no THREADID in " + l);
            }
        }
        throw new AssertionError("no line starting " + prefix + " in " + lines);
    }

    private static RawClient login(TestServer server, String user, String password) throws IOException {
        RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext());
        imap.expect("* OK");
        imap.send("a LOGIN " + user + " " + password);
        imap.readUntil("^a OK.*");
        return imap;
    }

    private static CliContext context(ByteArrayOutputStream out) {
        PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new CliContext(new ByteArrayInputStream(new byte[0]), p, p, Map.of(), () -> null,
                Main.systemContext().storeOpener());
    }

    private static void deliver(TestServer node, String to, String subject, String... headers) throws IOException {
        try (RawClient mx = RawClient.connect(node.host(), node.smtpPort())) {
            mx.expect("220 ");
            mx.send("EHLO client.example");
            reply(mx, "250");
            mx.send("MAIL FROM:<sender@sender.example>");
            reply(mx, "250");
            mx.send("RCPT TO:<" + to + ">");
            reply(mx, "250");
            mx.send("DATA");
            reply(mx, "354");
            mx.send("From: <sender@sender.example>");
            mx.send("To: <" + to + ">");
            mx.send("Subject: " + subject);
            for (String h : headers) mx.send(h);
            if (java.util.Arrays.stream(headers).noneMatch(h -> h.startsWith("Message-ID:"))) {
                mx.send("Message-ID: <" + System.nanoTime() + "@sender.example>");
            }
            mx.send("");
            mx.send("Body of " + subject + ".");
            mx.send(".");
            reply(mx, "250");
            mx.send("QUIT");
        }
    }

    private static void reply(RawClient c, String code) throws IOException {
        String line;
        do {
            line = c.readLine();
            if (line == null) throw new AssertionError("connection closed: " + c.transcript());
        } while (!SMTP_LAST.matcher(line).matches());
        if (!line.startsWith(code)) throw new AssertionError("expected " + code + " but got " + line + ": " + c.transcript());
    }
}
