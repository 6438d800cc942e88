// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;
import org.postern.store.StoreException;
import org.postern.store.backend.MailboxIndexCache;

/**
 * The shared {@link MailboxIndexCache} over SQLite: a read transaction that sees HIGHESTMODSEQ
 * {@code h} sees every change up to {@code h}, also of other processes, because MODSEQs are taken
 * under SQLite's write lock; the expunge log is never pruned while its mailbox exists.
 */
final class SqliteIndexCache {
    static final int MIN_CACHED = MailboxIndexCache.MIN_CACHED;
    private static final String COLUMNS = "SELECT uid, modseq, flags, size, internal_date, blob_id, saved_date"
            + " FROM messages WHERE account_id = ? AND mailbox_id = ?";

    private final MailboxIndexCache cache = new MailboxIndexCache();
    private final SqliteMailboxCache mailboxes;

    SqliteIndexCache(SqliteMailboxCache mailboxes) {
        this.mailboxes = mailboxes;
    }

    /** The mailbox's index as of the read transaction {@code c} is in. */
    MailboxIndex index(SqliteConnection c, long accountId, long mailboxId) throws SQLException {
        return cache.index(new Reads(c, mailboxes), accountId, mailboxId);
    }

    /** Drops the mailbox (deleted); a later read reloads it. */
    void forget(long accountId, long mailboxId) {
        cache.forget(accountId, mailboxId);
    }

    private record Reads(SqliteConnection c, SqliteMailboxCache mailboxes) implements MailboxIndexCache.Reader {
        @Override
        public Mailbox mailbox(long accountId, long mailboxId) throws SQLException {
            return mailboxes.mailboxes(c, accountId).withId(mailboxId)
                    .orElseThrow(() -> new StoreException.NotFound("no mailbox " + mailboxId));
        }

        @Override
        public void all(Mailbox m, MailboxIndexCache.Row row) throws SQLException {
            rows(row, c.query(COLUMNS + " ORDER BY uid", m.accountId(), m.id()));
        }

        @Override
        public void changedSince(Mailbox m, long since, MailboxIndexCache.Row row) throws SQLException {
            rows(row, c.query(COLUMNS + " AND modseq > ? ORDER BY uid", m.accountId(), m.id(), since));
        }

        @Override
        public long[] expungedSince(Mailbox m, long since) throws SQLException {
            try (ResultSet rs = c.query("SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ?",
                    m.accountId(), m.id(), since)) {
                List<Long> g = new ArrayList<>();
                while (rs.next()) g.add(rs.getLong(1));
                return g.stream().mapToLong(Long::longValue).toArray();
            }
        }

        private static void rows(MailboxIndexCache.Row row, ResultSet query) throws SQLException {
            try (ResultSet rs = query) {
                while (rs.next()) {
                    row.add(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getString(6),
                            rs.getLong(7));
                }
            }
        }
    }
}
