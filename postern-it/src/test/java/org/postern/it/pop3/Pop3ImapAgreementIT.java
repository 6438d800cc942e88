// SPDX-License-Identifier: Apache-2.0
package org.postern.it.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * POP3 and IMAP on one mailbox tell the same story: \Seen from RETR shows in IMAP, a POP3 deletion is
 * an expunge an open IMAP session is told about, and POP3 sees INBOX only.
 */
class Pop3ImapAgreementIT {
    private static final String USER = "kim@example.test";
    private static final String PASSWORD = "kim-agreement-password";

    private TestServer server;
    private Inbox inbox;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
        server.createUser(USER, PASSWORD);
        inbox = new Inbox(server, USER);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void appendToArchive(String message) throws Exception {
        long account = inbox.account().id();
        Mailbox archive = server.store().mailboxes().find(account, "Archive").orElseThrow();
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        String blob;
        try (BlobStore.BlobWriter w = server.store().blobs().create()) {
            try (OutputStream o = w.stream()) {
                o.write(bytes);
            }
            blob = w.commit();
        }
        server.store().mailboxes().append(account, archive.id(), blob, bytes.length, Set.of(), Instant.now());
    }

    @Test
    void retrAndDeleOverPop3AreSeenByAnOpenImapSession() throws Exception {
        inbox.deliver(Inbox.message("one"));
        inbox.deliver(Inbox.message("two"));
        inbox.deliver(Inbox.message("three"));
        appendToArchive(Inbox.message("archived"));
        try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            imap.expect("* OK");
            imap.send("a LOGIN " + USER + " " + PASSWORD);
            imap.readUntil("a OK");
            imap.send("b SELECT INBOX");
            imap.readUntil("b OK");

            try (RawClient pop = RawClient.connect(server.host(), server.pop3sPort(), server.sslContext())) {
                pop.expect("+OK");
                pop.send("USER " + USER);
                pop.expect("+OK");
                pop.send("PASS " + PASSWORD);
                pop.expect("+OK Logged in, 3 messages");
                pop.send("UIDL");
                List<String> uidl = pop.readUntil("^\\.$");
                // Only INBOX: the archived message is not in the maildrop.
                assertThat(uidl).hasSize(5);
                pop.send("RETR 1");
                pop.expect("+OK");
                assertThat(pop.readUntil("^\\.$")).contains("body of one");
                pop.send("DELE 2");
                pop.expect("+OK");
                pop.send("QUIT");
                pop.expect("+OK");
            }

            imap.send("c NOOP");
            List<String> noop = imap.readUntil("c OK");
            assertThat(noop).contains("* 2 EXPUNGE");
            imap.send("d FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            List<String> fetch = imap.readUntil("d OK");
            assertThat(String.join("\n", fetch)).containsPattern("\\* 1 FETCH \\(FLAGS \\(\\\\Seen\\)")
                    .containsPattern("\\* 2 FETCH \\(FLAGS \\(\\)").contains("Subject: three").doesNotContain("Subject: two");
            imap.send("e STATUS Archive (MESSAGES)");
            assertThat(imap.readUntil("e OK")).anyMatch(l -> l.contains("MESSAGES 1"));
            imap.send("f LOGOUT");
        }
    }
}
