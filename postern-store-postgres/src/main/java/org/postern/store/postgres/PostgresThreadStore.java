// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.postern.store.ThreadStore;

/**
 * Thread ids in two tables, as in the embedded store: {@code thread_ids} (account, body) to thread, and
 * {@code thread_refs} (account, message id) to thread, for every message id a threaded message has or
 * names, so a message finds its thread whichever of parent and reply is threaded first. New ids come
 * from the account's counter ({@code accounts.next_thread_id}), so an id is never reused even after its
 * thread's messages are gone. Assignments lock the account row first: two nodes threading a parent and
 * its reply at the same moment run one after the other and agree. Body entries go with the body (a
 * foreign key on {@code blobs}), all entries with the account.
 */
final class PostgresThreadStore implements ThreadStore {
    /** Longest message id kept as a link: an index entry must stay well under PostgreSQL's page limit. */
    private static final int MAX_ID_BYTES = 998;

    private final PostgresDatabase db;

    PostgresThreadStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public Map<String, Long> threadIds(long accountId, Collection<String> blobIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(blobIds));
        if (ids.isEmpty()) return Map.of();
        return db.read(s -> lookup(s, accountId, ids));
    }

    private static Map<String, Long> lookup(PostgresSession s, long accountId, List<String> ids) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        List<String> valid = ids.stream().filter(PostgresBlobStore::validId).toList();
        if (valid.isEmpty()) return out;
        s.each("SELECT blob_id, thread_id FROM thread_ids WHERE account_id = ? AND blob_id = ANY(?)",
                rs -> out.put(rs.getString(1), rs.getLong(2)), accountId, s.jdbc.createArrayOf("text", valid.toArray()));
        return out;
    }

    @Override
    public Map<String, Long> assignThreads(long accountId, List<Links> messages) {
        if (messages.isEmpty()) return Map.of();
        return db.write(tx -> {
            tx.lock(accountId);
            return assign(tx.s, accountId, messages);
        });
    }

    /**
     * Assigns within the caller's write transaction, which holds the account's lock: delivery and
     * APPEND thread a message in the transaction that stores it, so no reader ever sees it without one.
     */
    static Map<String, Long> assign(PostgresSession s, long accountId, List<Links> messages) throws SQLException {
        List<String> blobs = new ArrayList<>();
        for (Links l : messages) blobs.add(l.blobId());
        Map<String, Long> out = lookup(s, accountId, blobs);
        for (Links l : messages) {
            if (out.containsKey(l.blobId())) continue;
            Long thread = null;
            for (String ref : l.references()) {
                thread = threadOf(s, accountId, ref);
                if (thread != null) break;
            }
            // A reply threaded earlier may already name this message.
            if (thread == null && l.messageId() != null) thread = threadOf(s, accountId, l.messageId());
            if (thread == null) {
                thread = s.queryLong("UPDATE accounts SET next_thread_id = next_thread_id + 1 WHERE id = ?"
                        + " RETURNING next_thread_id - 1", -1, accountId);
            }
            if (PostgresBlobStore.validId(l.blobId())) {
                // Only for a body still referenced: entries of a freed body would never be dropped.
                s.update("""
                        INSERT INTO thread_ids(account_id, blob_id, thread_id)
                        SELECT ?::bigint, ?::text, ?::bigint WHERE EXISTS (SELECT 1 FROM blobs WHERE blob_id = ? AND refs > 0)
                        ON CONFLICT (account_id, blob_id) DO NOTHING""", accountId, l.blobId(), thread, l.blobId());
            }
            if (l.messageId() != null) link(s, accountId, l.messageId(), thread);
            for (String ref : l.references()) link(s, accountId, ref, thread);
            out.put(l.blobId(), thread);
        }
        return out;
    }

    private static Long threadOf(PostgresSession s, long accountId, String messageId) throws SQLException {
        if (!linkable(messageId)) return null;
        long t = s.queryLong("SELECT thread_id FROM thread_refs WHERE account_id = ? AND message_id = ?", -1, accountId, messageId);
        return t < 0 ? null : t;
    }

    /** First link wins: a message id already in a thread stays there (ids never change). */
    private static void link(PostgresSession s, long accountId, String messageId, long thread) throws SQLException {
        if (!linkable(messageId)) return;
        s.update("INSERT INTO thread_refs(account_id, message_id, thread_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                accountId, messageId, thread);
    }

    /** PostgreSQL text holds no NUL; a hostile header must not fail the delivery that threads it. */
    private static boolean linkable(String messageId) {
        return !messageId.isEmpty() && messageId.indexOf('\0') < 0
                && messageId.getBytes(StandardCharsets.UTF_8).length <= MAX_ID_BYTES;
    }
}
