// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.postern.store.ThreadStore;

/**
 * Thread ids in two tables: {@code thread_ids} (account, body) to thread, and {@code thread_refs}
 * (account, message id) to thread, for every message id a threaded message has or names, so a
 * message finds its thread whichever of parent and reply is threaded first. New ids come from the
 * account's counter, so an id is never reused even after its thread's messages are gone. Body
 * entries go with the body's last reference (trigger), all entries with the account.
 */
final class SqliteThreadStore implements ThreadStore {
    /** Blob ids per lookup: a fixed statement shape keeps the prepared-statement cache small. */
    private static final int CHUNK = 64;
    /**
     * From this many blob ids on, a lookup may read the account's whole range of the primary key in one
     * pass instead (a cold mailbox's first JMAP list or thread count asks for all of its bodies): 100,000
     * bodies are one streaming read, not 1,563 statements of 64 index probes.
     */
    static final int RANGE_MIN = 1_024;
    /** ... when the account holds at most this many entries per id asked for (else probing reads less). */
    static final int RANGE_FACTOR = 4;
    private static final String LOOKUP;

    static {
        StringBuilder sb = new StringBuilder("SELECT blob_id, thread_id FROM thread_ids WHERE account_id = ? AND blob_id IN (?");
        for (int i = 1; i < CHUNK; i++) sb.append(", ?");
        LOOKUP = sb.append(')').toString();
    }

    private final SqliteDatabase db;

    SqliteThreadStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Map<String, Long> threadIds(long accountId, Collection<String> blobIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(blobIds));
        return db.read(c -> lookup(c, accountId, ids));
    }

    private static Map<String, Long> lookup(SqliteConnection c, long accountId, List<String> ids) throws java.sql.SQLException {
        Map<String, Long> out = new HashMap<>();
        if (ids.size() == 1) {
            // One body (delivery, APPEND): one index probe, not a padded chunk of them.
            try (ResultSet rs = c.query("SELECT thread_id FROM thread_ids WHERE account_id = ? AND blob_id = ?", accountId, ids.getFirst())) {
                if (rs.next()) out.put(ids.getFirst(), rs.getLong(1));
            }
            return out;
        }
        if (ids.size() >= RANGE_MIN
                && c.queryLong("SELECT count(*) FROM thread_ids WHERE account_id = ?", 0, accountId) <= (long) RANGE_FACTOR * ids.size()) {
            java.util.Set<String> wanted = new java.util.HashSet<>(ids);
            try (ResultSet rs = c.query("SELECT blob_id, thread_id FROM thread_ids WHERE account_id = ?", accountId)) {
                while (rs.next()) {
                    String b = rs.getString(1);
                    if (wanted.contains(b)) out.put(b, rs.getLong(2));
                }
            }
            return out;
        }
        for (int i = 0; i < ids.size(); i += CHUNK) {
            Object[] args = new Object[CHUNK + 1];
            args[0] = accountId;
            for (int k = 0; k < CHUNK; k++) args[k + 1] = i + k < ids.size() ? ids.get(i + k) : "";
            try (ResultSet rs = c.query(LOOKUP, args)) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    @Override
    public Map<String, Long> assignThreads(long accountId, List<Links> messages) {
        if (messages.isEmpty()) return Map.of();
        return db.write(tx -> assign(tx.c, accountId, messages));
    }

    /**
     * Assigns within the caller's write transaction: delivery and APPEND thread a message in the
     * transaction that stores it, so no reader ever sees it without a thread id.
     */
    static Map<String, Long> assign(SqliteConnection c, long accountId, List<Links> messages) throws java.sql.SQLException {
        List<String> blobs = new ArrayList<>();
        for (Links l : messages) blobs.add(l.blobId());
        Map<String, Long> out = lookup(c, accountId, blobs);
        for (Links l : messages) {
            if (out.containsKey(l.blobId())) continue;
            Long thread = null;
            int known = 0; // references before this one were looked up and are linked nowhere yet
            for (String ref : l.references()) {
                thread = threadOf(c, accountId, ref);
                if (thread != null) break;
                known++;
            }
            // A reply threaded earlier may already name this message.
            if (thread == null && l.messageId() != null) thread = threadOf(c, accountId, l.messageId());
            if (thread == null) {
                // One statement: most APPENDs and deliveries start a thread.
                thread = c.queryLong("UPDATE accounts SET next_thread_id = next_thread_id + 1 WHERE id = ? RETURNING next_thread_id - 1",
                        0, accountId);
            }
            c.update("INSERT OR IGNORE INTO thread_ids(account_id, blob_id, thread_id) VALUES (?, ?, ?)",
                    accountId, l.blobId(), thread);
            if (l.messageId() != null) link(c, accountId, l.messageId(), thread);
            // The reference found is linked already (first link wins); the others may be new.
            List<String> refs = l.references();
            for (int k = 0; k < refs.size(); k++) if (k != known) link(c, accountId, refs.get(k), thread);
            out.put(l.blobId(), thread);
        }
        return out;
    }

    private static Long threadOf(SqliteConnection c, long accountId, String messageId) throws java.sql.SQLException {
        try (ResultSet rs = c.query("SELECT thread_id FROM thread_refs WHERE account_id = ? AND message_id = ?", accountId, messageId)) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    /** First link wins: a message id already in a thread stays there (ids never change). */
    private static void link(SqliteConnection c, long accountId, String messageId, long thread) throws java.sql.SQLException {
        if (messageId.isEmpty() || messageId.length() > 998) return;
        c.update("INSERT OR IGNORE INTO thread_refs(account_id, message_id, thread_id) VALUES (?, ?, ?)", accountId, messageId, thread);
    }
}
