// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.store.FlagOp;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;
import org.postern.store.SpecialUse;
import org.postern.store.StoreContract;

/** A cached index brought up to date from the changes after it equals a fresh snapshot, also after another node wrote. */
class PostgresIndexCacheTest extends StoreContract {
    private static final int N = PostgresIndexCache.MIN_CACHED + 100;

    @Override
    protected MailStore open(Path dataDir) {
        return PostgresMailStore.open(TestPostgres.forDataDir(dataDir));
    }

    @Test
    void cachedIndexFollowsFlagsExpungesAppendsMovesAndOtherProcesses() throws Exception {
        long acc = account("carol@example.org").id();
        long inbox = inbox(acc).id();
        String blob = blob(message("many"));
        // Most rows in one statement (one delivery each would spend the module's test time here), the
        // last ones through the store, so the index is built from both.
        int bulk = N - 50;
        PostgresConfig db = TestPostgres.forDataDir(dataDir);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), ""); Statement st = c.createStatement()) {
            long m = store.mailboxes().byId(acc, inbox).orElseThrow().highestModSeq();
            st.execute("INSERT INTO messages(account_id, mailbox_id, uid, modseq, flags, seen, size, internal_date, saved_date,"
                    + " blob_id) SELECT " + acc + ", " + inbox + ", g, " + m + " + g, CASE WHEN g % 2 = 1 THEN '\\Seen' ELSE ''"
                    + " END, g % 2 = 1, 99 + g, (999999 + g) * 1000, 0, '" + blob + "' FROM generate_series(1, " + bulk + ") g");
            st.execute("UPDATE mailboxes SET uidnext = " + (bulk + 1) + ", highestmodseq = " + (m + bulk)
                    + " WHERE account_id = " + acc + " AND id = " + inbox);
            st.execute("UPDATE accounts SET modseq = " + (m + bulk) + " WHERE id = " + acc);
        }
        for (int i = bulk; i < N; i++) {
            store.mailboxes().append(acc, inbox, blob, 100 + i, i % 2 == 0 ? Set.of("\\Seen") : Set.of(),
                    Instant.ofEpochSecond(1_000_000 + i));
        }
        assertSame(acc, inbox);
        MailboxIndex cached = store.mailboxes().index(acc, inbox);
        assertThat(store.mailboxes().index(acc, inbox).uid(0)).isEqualTo(cached.uid(0));

        store.mailboxes().storeFlags(acc, inbox, List.of(3L, 4L, 500L), FlagOp.ADD, Set.of("$Urgent"), -1);
        store.mailboxes().expunge(acc, inbox, List.of(1L, 2L, 700L, (long) N));
        store.mailboxes().append(acc, inbox, blob, 7, Set.of("\\Draft"), Instant.ofEpochSecond(5));
        Mailbox other = store.mailboxes().create(acc, "Other", SpecialUse.NONE);
        store.mailboxes().move(acc, inbox, List.of(10L, 11L), other.id());
        assertSame(acc, inbox);

        try (MailStore second = openSecond()) {
            second.mailboxes().storeFlags(acc, inbox, List.of(20L), FlagOp.REPLACE, Set.of("\\Flagged"), -1);
            second.mailboxes().expunge(acc, inbox, List.of(21L));
        }
        assertSame(acc, inbox);
        assertThat(store.mailboxes().index(acc, inbox).indexOf(21)).isNegative();
        assertThat(store.mailboxes().index(acc, inbox).flags(store.mailboxes().index(acc, inbox).indexOf(20)))
                .containsExactly("\\Flagged");
    }

    private void assertSame(long acc, long mailboxId) {
        MailboxSnapshot snap = store.mailboxes().snapshot(acc, mailboxId);
        MailboxIndex index = store.mailboxes().index(acc, mailboxId);
        assertThat(index.mailbox()).isEqualTo(snap.mailbox());
        List<MessageRecord> fromIndex = new ArrayList<>(index.size());
        for (int i = 0; i < index.size(); i++) fromIndex.add(index.record(i));
        assertThat(fromIndex).isEqualTo(snap.messages());
    }
}
