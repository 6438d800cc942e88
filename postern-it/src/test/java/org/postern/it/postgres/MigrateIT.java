// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.Main;
import org.postern.server.cli.CliContext;
import org.postern.server.config.StoreConfig;
import org.postern.store.BlobStore;
import org.postern.store.DkimKeyStore;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.MetadataStore;
import org.postern.testkit.ForkedServer;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * {@code postern migrate} (issue 9): mail received by an embedded server, with flags set and messages
 * expunged over IMAP, is moved to PostgreSQL; a server on PostgreSQL then shows the same mailboxes with
 * the same UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, UIDs, flags and bytes, and the same passwords work.
 */
class MigrateIT {
    private static final Pattern SMTP_LAST = Pattern.compile("^\\d{3}(?: .*)?$");
    private static final String ALICE = "alice@" + TestServer.DOMAIN;
    private static final String BOB = "bob@" + TestServer.DOMAIN;

    @Test
    void anEmbeddedDataFolderMovesToPostgresWithItsUidsAndFlags(@TempDir Path data) throws IOException {
        List<String> before;
        try (TestServer embedded = TestServer.startOn(data, s -> s)) {
            embedded.createUser(ALICE, "alice-pw");
            embedded.createUser(BOB, "bob-pw");
            for (int i = 1; i <= 4; i++) deliver(embedded, ALICE, "message " + i);
            deliver(embedded, BOB, "for bob");
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
            before = view(embedded, ALICE, "alice-pw");
            before.addAll(view(embedded, BOB, "bob-pw"));
        }
        // UID 1 expunged: the first message of INBOX is UID 2, flagged.
        assertThat(before).anyMatch(l -> l.startsWith(ALICE + " \"INBOX\" * 1 FETCH (UID 2 FLAGS ($Important \\Flagged)"))
                .anyMatch(l -> l.startsWith(ALICE + " \"Projects\" * 2 FETCH (UID 2 FLAGS (\\Seen)"));

        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = "postgres://postgres@localhost:" + pg.getPort() + "/postgres";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = Main.run(context(out), "--data", data.toString(), "migrate", "--to", url);
            String report = out.toString(StandardCharsets.UTF_8);
            assertThat(code).as(report).isZero();
            assertThat(report).contains("messages: 6 -> 6").contains("accounts: 2 -> 2").contains("aliases: 1 -> 1")
                    .contains("acl: 1 -> 1").contains("metadata: 1 -> 1").contains("dkim_keys: 1 -> 1")
                    .contains("queue: 1 -> 1").contains("bodies: 5 copied, SHA-256 equal").contains("UID lists equal").contains("store = " + url);

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
                // New mail continues the UID sequence and MODSEQ instead of reusing them.
                deliver(shared, ALICE, "after the move");
                try (RawClient imap = login(shared, ALICE, "alice-pw")) {
                    imap.send("s SELECT INBOX");
                    imap.readUntil("^s OK.*");
                    imap.send("f UID FETCH 5 (UID)");
                    assertThat(imap.readUntil("^f OK.*")).anyMatch(l -> l.matches("^\\* 4 FETCH \\(UID 5\\)$"));
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
                imap.send("y" + n + " UID FETCH 1:* (UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
                for (String l : imap.readUntil("^y" + n + " OK.*")) {
                    if (!l.startsWith("y" + n + " ")) lines.add(user + " " + box + " " + l);
                }
            }
        }
        return lines;
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

    private static void deliver(TestServer node, String to, String subject) throws IOException {
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
            mx.send("Message-ID: <" + System.nanoTime() + "@sender.example>");
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
