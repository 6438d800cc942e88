// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.SQLException;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;
import org.postern.store.StoreException;
import org.postern.store.backend.MailboxIndexCache;

/**
 * The shared {@link MailboxIndexCache} over PostgreSQL: it holds on every node because the writers of
 * an account are serialised by its row lock and take MODSEQs under it, so a snapshot that shows
 * HIGHESTMODSEQ {@code h} shows every change up to {@code h}, whichever node made it. The expunge log
 * is kept as long as its mailbox.
 */
final class PostgresIndexCache {
    static final int MIN_CACHED = MailboxIndexCache.MIN_CACHED;
    private static final String ROWS = "SELECT " + PostgresMailboxStore.MESSAGE_COLUMNS
            + " FROM messages WHERE account_id = ? AND mailbox_id = ?";

    private final MailboxIndexCache cache = new MailboxIndexCache();

    /** The mailbox's index as of the snapshot {@code s} reads. */
    MailboxIndex index(PostgresSession s, long accountId, long mailboxId) throws SQLException {
        return cache.index(new Reads(s), accountId, mailboxId);
    }

    /** Drops the mailbox (deleted); a later read reloads it. */
    void forget(long accountId, long mailboxId) {
        cache.forget(accountId, mailboxId);
    }

    private record Reads(PostgresSession s) implements MailboxIndexCache.Reader {
        @Override
        public Mailbox mailbox(long accountId, long mailboxId) throws SQLException {
            return PostgresMailboxStore.findById(s, accountId, mailboxId)
                    .orElseThrow(() -> new StoreException.NotFound("no mailbox " + mailboxId));
        }

        @Override
        public void all(Mailbox m, MailboxIndexCache.Row row) throws SQLException {
            s.each(ROWS + " ORDER BY uid", rs -> row.add(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
                    rs.getLong(5), rs.getString(6), rs.getLong(7)), m.accountId(), m.id());
        }

        @Override
        public void changedSince(Mailbox m, long since, MailboxIndexCache.Row row) throws SQLException {
            s.each(ROWS + " AND modseq > ? ORDER BY uid", rs -> row.add(rs.getLong(1), rs.getLong(2), rs.getString(3),
                    rs.getLong(4), rs.getLong(5), rs.getString(6), rs.getLong(7)), m.accountId(), m.id(), since);
        }

        @Override
        public long[] expungedSince(Mailbox m, long since) throws SQLException {
            return s.list("SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ?",
                    rs -> rs.getLong(1), m.accountId(), m.id(), since).stream().mapToLong(Long::longValue).toArray();
        }
    }
}
