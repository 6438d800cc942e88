// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.FlagOp;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;
import org.postern.store.MailboxSnapshot;
import org.postern.store.PasswordRecord;

/** A 100,000-message mailbox: the operations a session does on SELECT must stay well under a second. */
class SqliteLargeMailboxTest {
    private static final int N = 100_000;

    @TempDir
    Path dir;

    @Test
    void snapshotAndChangesOfAHundredThousandMessagesAreFast() throws Exception {
        try (SqliteMailStore store = SqliteMailStore.open(dir)) {
            store.directory().addDomain("example.org");
            long acc = store.directory().createAccount("big@example.org", PasswordRecord.NONE, false).id();
            long inbox = store.mailboxes().find(acc, "INBOX").orElseThrow().id();
            String blob;
            try (var w = store.blobs().create()) {
                w.stream().write("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
                blob = w.commit();
            }
            // Bulk rows through SQL: a hundred thousand separately fsynced deliveries would take minutes.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"))) {
                c.setAutoCommit(false);
                try (PreparedStatement p = c.prepareStatement("""
                        INSERT INTO messages(account_id, mailbox_id, uid, modseq, flags, seen, size, internal_date,
                          saved_date, blob_id) VALUES (?, ?, ?, ?, ?, ?, 17, 0, 0, ?)""")) {
                    for (int uid = 1; uid <= N; uid++) {
                        boolean seen = uid % 3 != 0;
                        p.setLong(1, acc);
                        p.setLong(2, inbox);
                        p.setLong(3, uid);
                        p.setLong(4, 2);
                        p.setString(5, seen ? "\\Seen" : "");
                        p.setInt(6, seen ? 1 : 0);
                        p.setString(7, blob);
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                try (Statement s = c.createStatement()) {
                    s.execute("UPDATE mailboxes SET uidnext = " + (N + 1) + ", highestmodseq = 2 WHERE account_id = "
                            + acc + " AND id = " + inbox);
                    s.execute("UPDATE accounts SET modseq = 2 WHERE id = " + acc);
                }
                c.commit();
            }
            Mailbox m = store.mailboxes().byId(acc, inbox).orElseThrow();
            assertThat(m.messages()).isEqualTo(N);
            assertThat(m.unseen()).isEqualTo(N / 3);

            store.mailboxes().snapshot(acc, inbox); // warm-up
            long t0 = System.nanoTime();
            MailboxSnapshot s = store.mailboxes().snapshot(acc, inbox);
            Duration snapshot = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(s.messages()).hasSize(N);
            // Bounds only against accidental per-message round trips (quadratic or N queries), far above the
            // real figures so a loaded machine cannot fail them; speed itself is measured by bench/imap.
            assertThat(snapshot).isLessThan(Duration.ofSeconds(20));

            // The compact index: loaded once, then served from the cache while nothing changed.
            assertThat(store.mailboxes().index(acc, inbox).size()).isEqualTo(N);
            t0 = System.nanoTime();
            MailboxIndex index = store.mailboxes().index(acc, inbox);
            Duration cachedIndex = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(index.size()).isEqualTo(N);
            assertThat(index.uid(N - 1)).isEqualTo(N);
            assertThat(cachedIndex).isLessThan(Duration.ofSeconds(2)); // a cache hit, not a reload

            t0 = System.nanoTime();
            assertThat(store.mailboxes().changesSince(acc, inbox, 2).isEmpty()).isTrue();
            Duration changes = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(changes).isLessThan(Duration.ofSeconds(2));

            List<Long> all = LongStream.rangeClosed(1, N).boxed().toList();
            t0 = System.nanoTime();
            int changed = store.mailboxes().storeFlags(acc, inbox, all, FlagOp.ADD, Set.of("\\Seen"), -1).size();
            Duration store1 = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(changed).isEqualTo(N / 3);
            assertThat(store.mailboxes().byId(acc, inbox).orElseThrow().unseen()).isZero();
            MailboxIndex after = store.mailboxes().index(acc, inbox);
            assertThat(after.flags(2)).contains("\\Seen");
            assertThat(after.mailbox().unseen()).isZero();
            System.out.printf("100k mailbox: snapshot %d ms, cached index %d ms, changesSince %d ms, STORE 1:* +\\Seen %d ms%n",
                    snapshot.toMillis(), cachedIndex.toMillis(), changes.toMillis(), store1.toMillis());
        }
    }
}
