// SPDX-License-Identifier: Apache-2.0
package org.postern.it.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Flags;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxStore;
import org.postern.store.MessageRecord;
import org.postern.testkit.TestServer;

/**
 * isync's mbsync (Debian package isync) synchronises an account both ways over IMAPS: a first full
 * pull of a few hundred messages, then flag changes, deletions, moves and new messages on both sides,
 * then a second run after which server and Maildir agree, and a third run that changes nothing.
 *
 * <p>AuthMechs SCRAM-SHA-256: mbsync authenticates through Cyrus SASL, which sends an authzid
 * ("n,a=user,") and repeats that gs2-header in c= (RFC 5802 §7), a client nobody here wrote.
 */
class MbsyncIT {
    /** 300 in the suite; -Dpostern.mbsync.messages=10000 for the full-size run of issue 4. */
    static final int MESSAGES = Math.max(300, Integer.getInteger("postern.mbsync.messages", 300));
    static final String USER = "sync@example.test";
    static final String PASSWORD = "sync-password-1";

    @TempDir
    Path dir;
    TestServer server;
    Account account;
    MailboxStore boxes;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
        account = server.createUser(USER, PASSWORD);
        boxes = server.store().mailboxes();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Mailbox mailbox(String name) {
        return boxes.find(account.id(), name).orElseThrow();
    }

    private void deliver(String mailbox, int n, Set<String> flags) throws IOException {
        String msg = "From: Sender " + n + " <s" + n + "@example.org>\r\nTo: " + USER + "\r\nSubject: message " + n
                + "\r\nMessage-ID: <" + n + "@example.org>\r\nDate: Wed, 7 Feb 2024 10:11:12 +0100\r\n\r\nBody of " + n + "\r\n";
        byte[] b = msg.getBytes(StandardCharsets.US_ASCII);
        String blob;
        try (BlobStore.BlobWriter w = server.store().blobs().create()) {
            w.stream().write(b);
            blob = w.commit();
        }
        boxes.append(account.id(), mailbox(mailbox).id(), blob, b.length, flags, Instant.now());
    }

    private record Run(int exit, String out) {}

    private Run mbsync(Path rc) throws Exception {
        Process p = new ProcessBuilder("mbsync", "-c", rc.toString(), "-a").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(600, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static List<Path> mails(Path folder) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String sub : List.of("cur", "new")) {
            Path d = folder.resolve(sub);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                s.forEach(out::add);
            }
        }
        out.sort(null);
        return out;
    }

    /** The server UID mbsync records in the file name (",U=n"). */
    private static long uidOf(Path p) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(",U=(\\d+)").matcher(p.getFileName().toString());
        assertThat(m.find()).as(p.toString()).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Maildir flags are the letters after ":2," (S seen, F flagged, T trashed, R replied). */
    private static String maildirFlags(Path p) {
        String n = p.getFileName().toString();
        int i = n.indexOf(":2,");
        return i < 0 ? "" : n.substring(i + 3);
    }

    private static Path setMaildirFlags(Path p, String flags) throws IOException {
        String n = p.getFileName().toString();
        int i = n.indexOf(":2,");
        String base = i < 0 ? n : n.substring(0, i);
        return Files.move(p, p.getParent().getParent().resolve("cur").resolve(base + ":2," + flags));
    }

    private List<MessageRecord> serverMessages(String mailbox) {
        return boxes.snapshot(account.id(), mailbox(mailbox).id()).messages();
    }

    @Test
    void synchronisesBothWays() throws Exception {
        for (int i = 0; i < MESSAGES; i++) deliver("INBOX", i, i % 10 == 0 ? Set.of(Flags.SEEN) : Set.of());
        Path local = dir.resolve("mail");
        Files.createDirectories(local);
        Path rc = dir.resolve("mbsyncrc");
        Files.writeString(rc, """
                IMAPAccount postern
                Host localhost
                Port %d
                User %s
                Pass %s
                SSLType IMAPS
                CertificateFile %s
                AuthMechs SCRAM-SHA-256

                IMAPStore remote
                Account postern

                MaildirStore local
                Path %s/
                Inbox %s/INBOX
                SubFolders Verbatim

                Channel all
                Far :remote:
                Near :local:
                Patterns *
                Create Both
                Expunge Both
                SyncState *
                """.formatted(server.imapsPort(), USER, PASSWORD, server.certificatePem(), local, local));

        Run first = mbsync(rc);
        assertThat(first.exit()).as(first.out()).isZero();
        List<Path> inbox = mails(local.resolve("INBOX"));
        assertThat(inbox).hasSize(MESSAGES);
        // By UID, so the local and the server changes below touch different messages.
        inbox.sort(java.util.Comparator.comparingLong(MbsyncIT::uidOf));
        assertThat(uidOf(inbox.getFirst())).isEqualTo(1);
        assertThat(uidOf(inbox.getLast())).isEqualTo(MESSAGES);
        assertThat(inbox.stream().filter(p -> maildirFlags(p).contains("S"))).hasSize(MESSAGES / 10);
        assertThat(local.resolve("Archive")).isDirectory();

        // Local changes: flag 20, mark 5 deleted, move 10 to Archive, add 7 new messages to Sent.
        for (int i = 0; i < 20; i++) setMaildirFlags(inbox.get(i), "F" + maildirFlags(inbox.get(i)).replace("F", ""));
        for (int i = 20; i < 25; i++) setMaildirFlags(inbox.get(i), "T");
        for (int i = 25; i < 35; i++) {
            Path p = inbox.get(i);
            // A move in a Maildir is a new file there (without mbsync's UID) and the old one gone.
            String name = p.getFileName().toString().replaceAll(",U=\\d+", "");
            Files.move(p, local.resolve("Archive").resolve("cur").resolve(name));
        }
        Path sentNew = local.resolve("Sent").resolve("new");
        for (int i = 0; i < 7; i++) {
            Files.writeString(sentNew.resolve("local" + i + ".host"), "From: " + USER + "\r\nTo: x@example.org\r\n"
                    + "Subject: local " + i + "\r\nMessage-ID: <local" + i + "@example.test>\r\n\r\nwritten offline\r\n");
        }
        // Server changes: 15 messages seen by another client, 8 expunged, 4 delivered.
        List<MessageRecord> now = serverMessages("INBOX");
        List<Long> seen = new ArrayList<>();
        for (int i = 100; i < 115; i++) seen.add(now.get(i).uid());
        boxes.storeFlags(account.id(), mailbox("INBOX").id(), seen, org.postern.store.FlagOp.ADD, Set.of(Flags.SEEN), -1);
        List<Long> gone = new ArrayList<>();
        for (int i = 200; i < 208; i++) gone.add(now.get(i).uid());
        boxes.expunge(account.id(), mailbox("INBOX").id(), gone);
        for (int i = 0; i < 4; i++) deliver("INBOX", 1000 + i, Set.of());

        Run second = mbsync(rc);
        assertThat(second.exit()).as(second.out()).isZero();
        int expected = MESSAGES - 5 - 10 - 8 + 4;
        List<MessageRecord> inboxOnServer = serverMessages("INBOX");
        assertThat(inboxOnServer).hasSize(expected);
        assertThat(mails(local.resolve("INBOX"))).hasSize(expected);
        assertThat(inboxOnServer.stream().filter(r -> r.flags().contains(Flags.FLAGGED))).hasSize(20);
        assertThat(inboxOnServer.stream().filter(r -> r.flags().contains(Flags.DELETED))).isEmpty();
        assertThat(serverMessages("Archive")).hasSize(10);
        assertThat(serverMessages("Sent")).hasSize(7);
        assertThat(mails(local.resolve("INBOX")).stream().filter(p -> maildirFlags(p).contains("S")))
                .hasSize((int) inboxOnServer.stream().filter(r -> r.flags().contains(Flags.SEEN)).count());
        assertThat(mails(local.resolve("INBOX")).stream().filter(p -> maildirFlags(p).contains("F"))).hasSize(20);

        long modSeq = mailbox("INBOX").highestModSeq();
        Run third = mbsync(rc);
        assertThat(third.exit()).as(third.out()).isZero();
        assertThat(mailbox("INBOX").highestModSeq()).as("a sync with nothing to do changes nothing").isEqualTo(modSeq);
        assertThat(mails(local.resolve("INBOX"))).hasSize(expected);
    }
}
