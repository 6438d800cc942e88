// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.postern.store.FlagOp;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;
import org.postern.store.MailboxSnapshot;
import org.postern.store.PasswordRecord;

/**
 * A large mailbox: what a session does on SELECT, a STORE over all of it, an expunge of a third and
 * deleting it stay set-based (no per-message round trips), and the counters stay right. Sized to
 * catch per-message round trips within the module's test time; speed itself is for the benchmarks.
 */
class PostgresLargeMailboxTest {
    private static final int N = 30_000;

    @Test
    void thirtyThousandMessages() throws Exception {
        PostgresConfig db = TestPostgres.fresh();
        try (PostgresMailStore store = PostgresMailStore.open(db)) {
            store.directory().addDomain("example.org");
            long acc = store.directory().createAccount("big@example.org", PasswordRecord.NONE, false).id();
            Mailbox box = store.mailboxes().create(acc, "Big", org.postern.store.SpecialUse.NONE);
            long inbox = box.id();
            String blob;
            try (var w = store.blobs().create()) {
                w.stream().write("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
                blob = w.commit();
            }
            // Bulk rows in one statement: as many separate deliveries would take minutes.
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), ""); Statement s = c.createStatement()) {
                s.execute("INSERT INTO messages(account_id, mailbox_id, uid, modseq, flags, seen, size, internal_date,"
                        + " saved_date, blob_id) SELECT " + acc + ", " + inbox + ", g, 2, CASE WHEN g % 3 <> 0 THEN '\\Seen'"
                        + " ELSE '' END, g % 3 <> 0, 17, 0, 0, '" + blob + "' FROM generate_series(1, " + N + ") g");
                s.execute("UPDATE mailboxes SET uidnext = " + (N + 1) + ", highestmodseq = 1000 WHERE account_id = "
                        + acc + " AND id = " + inbox);
                s.execute("UPDATE accounts SET modseq = 1000 WHERE id = " + acc);
            }
            Mailbox m = store.mailboxes().byId(acc, inbox).orElseThrow();
            assertThat(m.messages()).isEqualTo(N);
            assertThat(m.unseen()).isEqualTo(N / 3);
            assertThat(store.mailboxes().usedBytes(acc)).isEqualTo(17L * N);

            long t0 = System.nanoTime();
            MailboxSnapshot snap = store.mailboxes().snapshot(acc, inbox);
            Duration snapshot = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(snap.messages()).hasSize(N);

            assertThat(store.mailboxes().index(acc, inbox).size()).isEqualTo(N);
            t0 = System.nanoTime();
            MailboxIndex index = store.mailboxes().index(acc, inbox);
            Duration cachedIndex = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(index.uid(N - 1)).isEqualTo(N);
            // Bounds only against accidental per-message round trips, far above the real figures.
            assertThat(cachedIndex).isLessThan(Duration.ofSeconds(2));

            List<Long> all = LongStream.rangeClosed(1, N).boxed().toList();
            t0 = System.nanoTime();
            int changed = store.mailboxes().storeFlags(acc, inbox, all, FlagOp.ADD, Set.of("\\Seen"), -1).size();
            Duration store1 = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(changed).isEqualTo(N / 3);
            assertThat(store.mailboxes().byId(acc, inbox).orElseThrow().unseen()).isZero();
            t0 = System.nanoTime();
            MailboxIndex merged = store.mailboxes().index(acc, inbox);
            Duration mergedIndex = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(merged.flags(2)).contains("\\Seen");
            assertThat(merged.mailbox().unseen()).isZero();

            List<Long> third = LongStream.rangeClosed(1, N).filter(u -> u % 3 == 0).boxed().toList();
            t0 = System.nanoTime();
            assertThat(store.mailboxes().expunge(acc, inbox, third)).hasSize(third.size());
            Duration expunge = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(store.mailboxes().index(acc, inbox).size()).isEqualTo(N - third.size());
            assertThat(store.mailboxes().changesSince(acc, inbox, 1000).expunged()).hasSize(third.size());

            t0 = System.nanoTime();
            store.mailboxes().delete(acc, "Big");
            Duration delete = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(store.mailboxes().usedBytes(acc)).isZero();
            // The body went with its last message, freed by the schema's triggers in the same transaction.
            assertThatThrownBy(() -> store.blobs().size(blob)).isInstanceOf(java.io.IOException.class);
            System.out.printf("%dk-message mailbox on PostgreSQL: snapshot %d ms, cached index %d ms, STORE 1:* +\\Seen %d ms,"
                    + " merged index %d ms, expunge a third %d ms, delete %d ms%n", N / 1000, snapshot.toMillis(), cachedIndex.toMillis(),
                    store1.toMillis(), mergedIndex.toMillis(), expunge.toMillis(), delete.toMillis());
        }
    }
}
