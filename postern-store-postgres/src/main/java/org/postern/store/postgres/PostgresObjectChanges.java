// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postern.store.ChangeEvent;
import org.postern.store.ObjectChanges;

/**
 * The change log of per-account objects that are not messages (identities 'I', submissions 'S'): one
 * row per write in {@code object_changes}, whose sequence number is the state, as in the embedded
 * store. Writers lock the account row first ({@link PostgresTx#lock}), so within one account sequence
 * numbers are taken in commit order and a reader at state {@code s} has seen every change up to
 * {@code s}; numbers of other accounts interleave, which only makes the states sparse. Never pruned:
 * these objects change rarely (a few rows per sent message).
 */
final class PostgresObjectChanges {
    static final String CREATED = "c";
    static final String UPDATED = "u";
    static final String DESTROYED = "d";

    private PostgresObjectChanges() {}

    /** Logs one write and announces it with the new state (NOTIFY, so every node hears it). */
    static void record(PostgresTx tx, long accountId, String kind, long objectId, String op) throws SQLException {
        long seq = tx.s.queryLong("INSERT INTO object_changes(account_id, kind, object_id, op) VALUES (?, ?, ?, ?) RETURNING seq",
                -1, accountId, kind, objectId, op);
        tx.notice(new ChangeEvent(accountId, 0, seq, switch (kind) {
            case "I" -> ChangeEvent.Kind.IDENTITIES;
            case "S" -> ChangeEvent.Kind.SUBMISSIONS;
            default -> throw new IllegalArgumentException("unknown object kind " + kind);
        }));
    }

    static long state(PostgresSession s, long accountId, String kind) throws SQLException {
        return s.queryLong("SELECT COALESCE(max(seq), 0) FROM object_changes WHERE account_id = ? AND kind = ?", 0, accountId, kind);
    }

    /** Run in one snapshot, so the state and the rows agree. */
    static Optional<ObjectChanges> since(PostgresSession s, long accountId, String kind, long since, int maxObjects)
            throws SQLException {
        long now = state(s, accountId, kind);
        if (since < 0 || since > now) return Optional.empty();
        // Per object: was it created after `since`, and is it gone now? (RFC 8620 §5.2)
        Map<Long, boolean[]> seen = new LinkedHashMap<>();
        long[] reached = {since};
        boolean[] more = {false};
        s.each("SELECT seq, object_id, op FROM object_changes WHERE account_id = ? AND kind = ? AND seq > ? ORDER BY seq", rs -> {
            if (more[0]) return;
            long id = rs.getLong(2);
            // Stop before a change that would name one object too many; the state then is the last
            // change taken, so the next call continues exactly there.
            if (!seen.containsKey(id) && seen.size() >= maxObjects) {
                more[0] = true;
                return;
            }
            reached[0] = rs.getLong(1);
            boolean[] f = seen.computeIfAbsent(id, k -> new boolean[2]);
            String op = rs.getString(3);
            if (op.equals(CREATED)) f[0] = true;
            if (op.equals(DESTROYED)) f[1] = true;
        }, accountId, kind, since);
        List<Long> created = new ArrayList<>();
        List<Long> updated = new ArrayList<>();
        List<Long> destroyed = new ArrayList<>();
        seen.forEach((id, f) -> {
            if (f[0] && f[1]) return;
            if (f[0]) created.add(id);
            else if (f[1]) destroyed.add(id);
            else updated.add(id);
        });
        return Optional.of(new ObjectChanges(more[0] ? reached[0] : now, more[0], created, updated, destroyed));
    }

    /** A list of addresses (which never contain a line break) as one column, as the embedded store keeps it. */
    static String lines(List<String> items) {
        return String.join("\n", items);
    }

    static List<String> unlines(String column) {
        return column == null || column.isEmpty() ? List.of() : List.of(column.split("\n", -1));
    }
}
