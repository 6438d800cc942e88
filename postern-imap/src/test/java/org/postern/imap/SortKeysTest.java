// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.Mailbox;
import org.postern.store.MessageSortKeys;

/** Sort keys are kept in the store (RFC 5256 keys computed once per message body): by APPEND, or by SORT for older messages. */
class SortKeysTest {
    @TempDir
    Path dir;
    ImapFixture server;

    @BeforeEach
    void setUp() throws Exception {
        server = new ImapFixture(dir);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /**
     * Keys stored by APPEND are there before any SORT; a message stored before that (here: its keys
     * overwritten by an older version) has them derived by SORT, identically, and stored again.
     */
    @Test
    void appendStoresKeysAndSortDerivesTheSameForOlderMessages() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("INBOX", SortPreviewTest.msg("\"Zed Z\" <zed@example.org>", "b@example.org", "Re: Beta (fwd)",
                    "Sat, 3 Feb 2024 10:00:00 +0000", "one"));
            c.append("INBOX", SortPreviewTest.msg("amy@example.org", "a@example.org", "alpha",
                    "Thu, 1 Feb 2024 10:00:00 +0000", "two"));
            c.append("INBOX", "From: bob@example.org\r\nSubject: [x] gamma\r\nDate: garbage\r\n\r\nthree\r\n");
            long account = server.store.directory().account(ImapFixture.USER).orElseThrow().id();
            Mailbox inbox = server.store.mailboxes().find(account, "INBOX").orElseThrow();
            Map<Long, MessageSortKeys> atArrival = server.store.mailboxes().sortKeys(account, inbox.id(), SortHandler.KEY_VERSION);
            assertThat(atArrival).containsOnlyKeys(1L, 2L, 3L);
            assertThat(atArrival.get(1L).subject()).isEqualTo("BETA");
            assertThat(atArrival.get(1L).displayFrom()).isEqualTo("ZED Z");
            java.util.List<MessageSortKeys> older = new java.util.ArrayList<>();
            for (MessageSortKeys k : atArrival.values()) {
                older.add(new MessageSortKeys(k.blobId(), SortHandler.KEY_VERSION - 1, 0, "", "", "", "", "", ""));
            }
            server.store.mailboxes().putSortKeys(account, older);
            assertThat(server.store.mailboxes().sortKeys(account, inbox.id(), SortHandler.KEY_VERSION)).isEmpty();
            SortHandler.forgetKnownKeys();
            c.cmd("s SELECT INBOX");
            c.exchange("a SORT (SUBJECT) UTF-8 ALL", "* SORT 2 1 3", "a OK SORT completed");
            c.exchange("b SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 2 3 1", "b OK SORT completed");
            assertThat(server.store.mailboxes().sortKeys(account, inbox.id(), SortHandler.KEY_VERSION)).isEqualTo(atArrival);
        }
    }

    @Test
    void keysAreStoredOnceDerivedAndGiveTheSameOrderAgain() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("INBOX", SortPreviewTest.msg("Zed <zed@example.org>", "b@example.org", "Re: Beta",
                    "Sat, 3 Feb 2024 10:00:00 +0000", "one"));
            c.append("INBOX", SortPreviewTest.msg("amy@example.org", "a@example.org", "alpha",
                    "Thu, 1 Feb 2024 10:00:00 +0000", "two"));
            c.append("INBOX", "From: bob@example.org\r\nSubject: [x] gamma\r\nDate: garbage\r\n\r\nthree\r\n");
            c.cmd("s SELECT INBOX");
            c.exchange("a SORT (SUBJECT) UTF-8 ALL", "* SORT 2 1 3", "a OK SORT completed");
            long account = server.store.directory().account(ImapFixture.USER).orElseThrow().id();
            Mailbox inbox = server.store.mailboxes().find(account, "INBOX").orElseThrow();
            Map<Long, MessageSortKeys> keys = server.store.mailboxes().sortKeys(account, inbox.id(), SortHandler.KEY_VERSION);
            assertThat(keys).containsOnlyKeys(1L, 2L, 3L);
            assertThat(keys.get(1L).subject()).isEqualTo("BETA");
            assertThat(keys.get(1L).from()).isEqualTo("ZED");
            assertThat(keys.get(2L).sentDate()).isEqualTo(1706781600000L);
            assertThat(keys.get(3L).sentDate()).isEqualTo(MessageSortKeys.NO_DATE);
            SortHandler.forgetKnownKeys();
            c.exchange("b SORT (REVERSE SUBJECT) UTF-8 ALL", "* SORT 3 1 2", "b OK SORT completed");
            c.exchange("c SORT (DATE) UTF-8 ALL", "* SORT 2 1 3", "c OK SORT completed");
        }
    }

    /**
     * The shared columns of a sorted mailbox miss messages that arrive later: a SORT after that still
     * orders every message (the new one's keys taken from the store or its header), in every session.
     */
    @Test
    void messagesArrivingAfterTheColumnsWereLoadedAreSortedToo() throws Exception {
        try (ImapFixture.Session c = server.login(); ImapFixture.Session other = server.login()) {
            c.append("INBOX", SortPreviewTest.msg("b@example.org", "x@example.org", "beta", "Sat, 3 Feb 2024 10:00:00 +0000", "1"));
            c.append("INBOX", SortPreviewTest.msg("d@example.org", "x@example.org", "delta", "Thu, 1 Feb 2024 10:00:00 +0000", "2"));
            c.cmd("s SELECT INBOX");
            c.exchange("a SORT (SUBJECT) UTF-8 ALL", "* SORT 1 2", "a OK SORT completed");
            c.append("INBOX", SortPreviewTest.msg("a@example.org", "x@example.org", "Re: alpha", "Fri, 2 Feb 2024 10:00:00 +0000", "3"));
            c.append("INBOX", SortPreviewTest.msg("c@example.org", "x@example.org", "gamma", "Fri, 2 Feb 2024 10:00:00 +0000", "4"));
            c.cmd("n NOOP");
            c.exchange("b SORT (SUBJECT) UTF-8 ALL", "* SORT 3 1 2 4", "b OK SORT completed");
            c.exchange("c SORT (REVERSE DATE SUBJECT) UTF-8 ALL", "* SORT 1 3 4 2", "c OK SORT completed");
            c.exchange("d UID SORT RETURN (MIN MAX COUNT) (FROM) UTF-8 ALL",
                    "* ESEARCH (TAG \"d\") UID MIN 3 MAX 2 COUNT 4", "d OK UID SORT completed");
            other.cmd("s EXAMINE INBOX");
            other.exchange("e SORT (DISPLAYFROM) UTF-8 NOT SUBJECT beta", "* SORT 3 4 2", "e OK SORT completed");
        }
    }
}
