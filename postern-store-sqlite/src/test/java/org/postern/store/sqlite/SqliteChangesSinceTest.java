// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.BlobStore;
import org.postern.store.FlagOp;
import org.postern.store.Mailbox;
import org.postern.store.MailboxChanges;
import org.postern.store.MessageRecord;
import org.postern.store.PasswordRecord;

/**
 * What IMAP asks after a command that changed the selected mailbox: the rows above a MODSEQ and the
 * UIDs expunged since, in UID order, read through the MODSEQ indexes rather than the whole mailbox.
 */
class SqliteChangesSinceTest {
    @TempDir
    Path dir;
    private SqliteMailStore store;

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    @Test
    void changesAboveAModSeqComeInUidOrder() throws Exception {
        store = SqliteMailStore.open(dir);
        store.directory().addDomain("example.org");
        long acc = store.directory().createAccount("alice@example.org", PasswordRecord.NONE, false).id();
        long box = store.mailboxes().find(acc, Mailbox.INBOX).orElseThrow().id();
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < 40; i++) uids.add(append(acc, box, i).uid());
        long before = store.mailboxes().changesSince(acc, box, 0).highestModSeq();
        // Changed in an order unlike their UIDs', and some expunged, also out of order.
        for (int i : new int[] {30, 5, 17}) store.mailboxes().storeFlags(acc, box, List.of(uids.get(i)), FlagOp.ADD, Set.of("\\Seen"), -1);
        store.mailboxes().expunge(acc, box, List.of(uids.get(25)));
        store.mailboxes().expunge(acc, box, List.of(uids.get(2), uids.get(11)));
        MailboxChanges c = store.mailboxes().changesSince(acc, box, before);
        assertThat(c.changed()).extracting(MessageRecord::uid).containsExactly(uids.get(5), uids.get(17), uids.get(30));
        assertThat(c.expunged()).containsExactly(uids.get(2), uids.get(11), uids.get(25));
        assertThat(store.mailboxes().changesSince(acc, box, c.highestModSeq()).changed()).isEmpty();
    }

    /**
     * A guard on the planner: for the ORDER BY, an SQLite that chose the primary key would walk the whole
     * mailbox and its whole expunge log after every change (older SQLite versions do that).
     */
    @Test
    void theQueriesUseTheModSeqIndexes() throws Exception {
        store = SqliteMailStore.open(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteMailStore.DATABASE_FILE))) {
            assertThat(plan(c, "SELECT uid, modseq, flags FROM messages WHERE account_id = ? AND mailbox_id = ? AND modseq > ? ORDER BY uid"))
                    .contains("INDEX messages_modseq (account_id=? AND mailbox_id=? AND modseq>?)");
            assertThat(plan(c, "SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ? ORDER BY uid"))
                    .contains("INDEX expunged_modseq (account_id=? AND mailbox_id=? AND modseq>?)");
        }
    }

    private static String plan(Connection c, String sql) throws Exception {
        try (PreparedStatement p = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 1; i <= 3; i++) p.setLong(i, 1);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) plan.append(rs.getString(4)).append('\n');
            }
            return plan.toString();
        }
    }

    private MessageRecord append(long acc, long box, int n) throws Exception {
        byte[] body = ("Subject: m" + n + "\r\n\r\nbody " + n + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (BlobStore.BlobWriter w = store.blobs().createForIntake()) {
            w.stream().write(body);
            return store.mailboxes().append(acc, box, w.commit(), body.length, Set.of(), Instant.now());
        }
    }
}
