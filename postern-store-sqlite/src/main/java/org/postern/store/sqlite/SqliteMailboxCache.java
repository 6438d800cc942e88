// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.postern.store.Mailbox;
import org.postern.store.SpecialUse;

/**
 * Each account's mailbox rows, kept for one value of the account's MODSEQ counter. LIST, STATUS,
 * SELECT and the check after every IMAP command read them, and reading the rows (ten columns each,
 * every column's name fetched again by the driver on each query) cost more than all else these
 * commands do in the store.
 *
 * <p>Invariant: every transaction that changes a mailbox row (create, rename, delete, subscribe, and
 * through the counters every message added, flagged or expunged) takes a MODSEQ, that is bumps
 * {@code accounts.modseq} (SqliteTx); a failed body is rolled back with its bump. So the rows as of a
 * given counter value are one state, and an entry is used only by a read transaction that reads that
 * same value in its own snapshot: exact for writes of this process and of any other process on the
 * same file (the CLI), with no invalidation to get wrong, for the price of a one-column read. Deleted
 * accounts read no counter and get no mailboxes; account ids are never reused (AUTOINCREMENT).
 * Only read transactions use it: a write body sees its own uncommitted rows, which must never be kept.
 */
final class SqliteMailboxCache {
    /** Accounts kept; past it the map starts again (every entry can be read back in one query). */
    static final int MAX_ACCOUNTS = 4_096;
    static final String COLUMNS =
            "id, account_id, name, special_use, uidvalidity, uidnext, highestmodseq, subscribed, messages, unseen";

    /** The account's counter and its mailbox rows, one statement (an account without mailboxes: a row of NULLs). */
    private static final String WITH_COUNTER = "SELECT a.modseq, " + COLUMNS.replaceAll("(\\w+)", "m.$1")
            + " FROM accounts a LEFT JOIN mailboxes m ON m.account_id = a.id WHERE a.id = ? ORDER BY m.name";

    /** One account's mailboxes in name order (the database's, as {@code ORDER BY name} gave it), by name and by id. */
    record Mailboxes(long modSeq, List<Mailbox> inNameOrder, Map<String, Mailbox> byName, Map<Long, Mailbox> byId) {
        static final Mailboxes NONE = new Mailboxes(-1, List.of(), Map.of(), Map.of());

        Optional<Mailbox> named(String name) {
            return Optional.ofNullable(byName.get(name));
        }

        Optional<Mailbox> withId(long id) {
            return Optional.ofNullable(byId.get(id));
        }

        /** These mailboxes with some rows replaced (same ids, same names), as of counter {@code modSeq}. */
        Mailboxes with(long modSeq, List<Mailbox> rows) {
            List<Mailbox> list = new ArrayList<>(inNameOrder);
            for (Mailbox r : rows) {
                Mailbox was = byId.get(r.id());
                if (was == null || !was.name().equals(r.name())) return this; // not the state it claims to follow
                list.set(list.indexOf(was), r);
            }
            return index(modSeq, list);
        }
    }

    private final ConcurrentHashMap<Long, Mailboxes> entries = new ConcurrentHashMap<>();
    private final AtomicLong loads = new AtomicLong();

    /**
     * The account's mailboxes as of the read transaction {@code c} is in, or, outside a transaction, as
     * of the statements' own snapshots: the counter alone is one statement; a miss reads the counter
     * again with the rows, in one statement, so both always come from one snapshot. Every write command
     * meets one such miss in the command after it (its MODSEQ moved the counter).
     */
    Mailboxes mailboxes(SqliteConnection c, long accountId) throws SQLException {
        return mailboxes(c, accountId, c.queryLong("SELECT modseq FROM accounts WHERE id = ?", -1, accountId));
    }

    /** The same, the account's counter ({@code modSeq}, -1: no account) read by the caller in its own statement. */
    Mailboxes mailboxes(SqliteConnection c, long accountId, long modSeq) throws SQLException {
        Mailboxes e = entries.get(accountId);
        if (modSeq >= 0 && e != null && e.modSeq() == modSeq) return e;
        loads.incrementAndGet();
        long counter = -1;
        List<Mailbox> list = new ArrayList<>();
        try (ResultSet rs = c.query(WITH_COUNTER, accountId)) {
            while (rs.next()) {
                counter = rs.getLong(1);
                rs.getLong(2);
                if (!rs.wasNull()) list.add(mailbox(rs, 1));
            }
        }
        if (counter < 0) {
            entries.remove(accountId);
            return Mailboxes.NONE;
        }
        Mailboxes fresh = index(counter, list);
        if (entries.size() >= MAX_ACCOUNTS) entries.clear();
        // Readers on older snapshots may finish later: keep the newest state, the one later reads ask for.
        entries.merge(accountId, fresh, (old, mine) -> old.modSeq() > mine.modSeq() ? old : mine);
        return fresh;
    }

    /**
     * A write of this process committed ({@code tx}, on the committer thread right after its COMMIT): for
     * each account it changed, when the kept entry is the state just before it (the counter one below the
     * MODSEQ it took, which it bumped once), the rows it stamped replace theirs and the entry moves to its
     * MODSEQ, so the command after every APPEND, STORE or EXPUNGE finds its mailboxes without reading them
     * back. Only for a write that changed messages alone: their changes reach no mailbox row but that of
     * their own mailbox, which the write touched and so stamped (the invariant the MODSEQ checks rely on).
     * One that announced a change of the mailboxes themselves (MAILBOXES, ACCOUNT) leaves the entry to be
     * read again.
     */
    void committed(SqliteTx tx) {
        try {
            tx.modSeqs().forEach((accountId, modSeq) -> {
                if (tx.changedMailboxes(accountId)) return;
                List<Mailbox> rows = tx.stamped().stream().filter(m -> m.accountId() == accountId).toList();
                entries.computeIfPresent(accountId, (k, old) -> old.modSeq() == modSeq - 1 ? old.with(modSeq, rows) : old);
            });
        } catch (RuntimeException e) {
            // The write is committed whatever happens here; what is kept is read again.
            entries.clear();
        }
    }

    /** Times the rows were read from the database (tests). */
    long loads() {
        return loads.get();
    }

    private static Mailboxes index(long modSeq, List<Mailbox> list) {
        Map<String, Mailbox> byName = new HashMap<>();
        Map<Long, Mailbox> byId = new HashMap<>();
        for (Mailbox m : list) {
            byName.put(m.name(), m);
            byId.put(m.id(), m);
        }
        return new Mailboxes(modSeq, List.copyOf(list), Map.copyOf(byName), Map.copyOf(byId));
    }

    static Mailbox mailbox(ResultSet rs) throws SQLException {
        return mailbox(rs, 0);
    }

    /** The {@link #COLUMNS} starting after {@code skip} other columns. */
    private static Mailbox mailbox(ResultSet rs, int skip) throws SQLException {
        int i = skip;
        return new Mailbox(rs.getLong(i + 1), rs.getLong(i + 2), rs.getString(i + 3), SpecialUse.valueOf(rs.getString(i + 4)),
                rs.getLong(i + 5), rs.getLong(i + 6), rs.getLong(i + 7), rs.getInt(i + 8) != 0, rs.getInt(i + 9),
                rs.getInt(i + 10));
    }
}
