// SPDX-License-Identifier: Apache-2.0
package org.postern.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Flags;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.FlagOp;
import org.postern.store.Mailbox;
import org.postern.store.MailboxStore;
import org.postern.store.MessageRecord;
import org.postern.testkit.TestServer;

/**
 * offlineimap3 (Debian package offlineimap3), a synchroniser nobody here wrote, keeps a Maildir and
 * the account in step both ways over IMAPS (issue 4): a first full download, then flags, moves,
 * deletions and new messages on both sides, a second run after which both sides agree, and a third
 * run that changes nothing on the server.
 */
class OfflineImapIT {
    /** 300 in the suite; -Dpostern.offlineimap.messages=10000 for the full-size run of issue 4. */
    static final int MESSAGES = Math.max(300, Integer.getInteger("postern.offlineimap.messages", 300));
    static final String USER = "offline@example.test";
    static final String PASSWORD = "offline-password-1";
    static final Duration RUN_DEADLINE = Duration.ofSeconds(Math.max(300, MESSAGES / 10));
    private static final Pattern UID = Pattern.compile(",U=(\\d+)");

    @TempDir
    Path dir;
    TestServer server;
    Account account;
    MailboxStore boxes;
    Path offlineimap;

    @BeforeEach
    void start() throws IOException {
        offlineimap = Program.find("offlineimap");
        assumeTrue(offlineimap != null, "offlineimap is not installed (Debian package offlineimap3)");
        server = TestServer.start();
        account = server.createUser(USER, PASSWORD);
        boxes = server.store().mailboxes();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private Mailbox mailbox(String name) {
        return boxes.find(account.id(), name).orElseThrow();
    }

    private List<MessageRecord> serverMessages(String mailbox) {
        return boxes.snapshot(account.id(), mailbox(mailbox).id()).messages();
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

    private Program sync(Path rc) throws Exception {
        Program p = Program.run(List.of(offlineimap.toString(), "-c", rc.toString(), "-o", "-u", "basic"),
                Map.of("HOME", dir.toString()), null, RUN_DEADLINE);
        // offlineimap exits 0 even after some errors: its log says so.
        assertThat(p.exit()).as(p.output()).isZero();
        assertThat(p.output()).as(p.output()).doesNotContainIgnoringCase("ERROR");
        return p;
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

    private static long uidOf(Path p) {
        Matcher m = UID.matcher(p.getFileName().toString());
        assertThat(m.find()).as(p.toString()).isTrue();
        return Long.parseLong(m.group(1));
    }

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

    private static void newLocalMessage(Path folder, String name, String subject) throws IOException {
        Path n = Files.createDirectories(folder.resolve("new"));
        Files.writeString(n.resolve(name), "From: " + USER + "\r\nTo: x@example.org\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + name + "@example.test>\r\nDate: Thu, 8 Feb 2024 09:00:00 +0100\r\n\r\nwritten offline\r\n");
    }

    @Test
    void synchronisesBothWays() throws Exception {
        for (int i = 0; i < MESSAGES; i++) deliver("INBOX", i, i % 10 == 0 ? Set.of(Flags.SEEN) : Set.of());
        Path local = dir.resolve("mail");
        Files.createDirectories(local);
        Path rc = dir.resolve("offlineimaprc");
        Files.writeString(rc, """
                [general]
                accounts = postern
                metadata = %s/meta
                maxsyncaccounts = 1
                socktimeout = 60

                [Account postern]
                localrepository = local
                remoterepository = remote

                [Repository local]
                type = Maildir
                localfolders = %s

                [Repository remote]
                type = IMAP
                remotehost = localhost
                remoteport = %d
                ssl = yes
                sslcacertfile = %s
                remoteuser = %s
                remotepass = %s
                auth_mechanisms = PLAIN
                maxconnections = 1
                """.formatted(dir, local, server.imapsPort(), server.certificatePem(), USER, PASSWORD));

        sync(rc);
        List<Path> inbox = mails(local.resolve("INBOX"));
        assertThat(inbox).hasSize(MESSAGES);
        inbox.sort(Comparator.comparingLong(OfflineImapIT::uidOf));
        assertThat(uidOf(inbox.getFirst())).isEqualTo(1);
        assertThat(uidOf(inbox.getLast())).isEqualTo(MESSAGES);
        assertThat(inbox.stream().filter(p -> maildirFlags(p).contains("S"))).hasSize(MESSAGES / 10);
        assertThat(Files.readString(inbox.get(7))).contains("Subject: message 7").contains("Body of 7");
        assertThat(local.resolve("Archive")).isDirectory();

        // Local changes: flag 20, delete 5, move 10 to Archive, write 3 new in INBOX and 7 in Sent.
        for (int i = 0; i < 20; i++) setMaildirFlags(inbox.get(i), "F" + maildirFlags(inbox.get(i)).replace("F", ""));
        for (int i = 20; i < 25; i++) Files.delete(inbox.get(i));
        for (int i = 25; i < 35; i++) {
            Path p = inbox.get(i);
            // A move in a Maildir is a new file there, without offlineimap's UID and folder digest.
            String name = p.getFileName().toString().replaceAll(",U=\\d+", "").replaceAll(",FMD5=[0-9a-f]+", "");
            Files.move(p, Files.createDirectories(local.resolve("Archive").resolve("cur")).resolve(name));
        }
        for (int i = 0; i < 3; i++) newLocalMessage(local.resolve("INBOX"), "inbox" + i + ".host", "local inbox " + i);
        for (int i = 0; i < 7; i++) newLocalMessage(local.resolve("Sent"), "sent" + i + ".host", "local sent " + i);
        // Server changes: 15 seen by another client, 8 expunged, 4 delivered.
        List<MessageRecord> now = serverMessages("INBOX");
        List<Long> seen = new ArrayList<>();
        for (int i = 100; i < 115; i++) seen.add(now.get(i).uid());
        boxes.storeFlags(account.id(), mailbox("INBOX").id(), seen, FlagOp.ADD, Set.of(Flags.SEEN), -1);
        List<Long> gone = new ArrayList<>();
        for (int i = 200; i < 208; i++) gone.add(now.get(i).uid());
        boxes.expunge(account.id(), mailbox("INBOX").id(), gone);
        for (int i = 0; i < 4; i++) deliver("INBOX", 100_000 + i, Set.of());

        sync(rc);
        int expected = MESSAGES - 5 - 10 - 8 + 3 + 4;
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
        // Every local file now carries the server UID it was uploaded as or downloaded from.
        assertThat(mails(local.resolve("INBOX")).stream().map(OfflineImapIT::uidOf).sorted().toList())
                .isEqualTo(inboxOnServer.stream().map(MessageRecord::uid).sorted().toList());

        long inboxModSeq = mailbox("INBOX").highestModSeq();
        long archiveModSeq = mailbox("Archive").highestModSeq();
        sync(rc);
        assertThat(mailbox("INBOX").highestModSeq()).as("a sync with nothing to do changes nothing").isEqualTo(inboxModSeq);
        assertThat(mailbox("Archive").highestModSeq()).isEqualTo(archiveModSeq);
        assertThat(serverMessages("INBOX")).hasSize(expected);
        assertThat(mails(local.resolve("INBOX"))).hasSize(expected);
    }
}
