// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postern.store.ChangeEvent;
import org.postern.store.ObjectChanges;

/**
 * The change log of per-account objects that are not messages (identities 'I', submissions 'S'):
 * one row per write in {@code object_changes}, whose AUTOINCREMENT seq is the state. The log is never
 * pruned: these objects change rarely (a few rows per sent message).
 */
final class SqliteObjectChanges {
    static final String CREATED = "c";
    static final String UPDATED = "u";
    static final String DESTROYED = "d";

    private SqliteObjectChanges() {}

    /** Logs one write and announces it, carrying the new state, once the transaction has committed. */
    static void record(SqliteTx tx, long accountId, String kind, long objectId, String op) throws SQLException {
        tx.c.update("INSERT INTO object_changes(account_id, kind, object_id, op) VALUES (?, ?, ?, ?)", accountId, kind, objectId, op);
        tx.notice(new ChangeEvent(accountId, 0, tx.c.lastInsertId(), eventKind(kind)));
    }

    private static ChangeEvent.Kind eventKind(String kind) {
        return switch (kind) {
            case "I" -> ChangeEvent.Kind.IDENTITIES;
            case "S" -> ChangeEvent.Kind.SUBMISSIONS;
            default -> throw new IllegalArgumentException("unknown object kind " + kind);
        };
    }

    static long state(SqliteConnection c, long accountId, String kind) throws SQLException {
        return c.queryLong("SELECT COALESCE(MAX(seq), 0) FROM object_changes WHERE account_id = ? AND kind = ?", 0, accountId, kind);
    }

    static Optional<ObjectChanges> since(SqliteConnection c, long accountId, String kind, long since, int maxObjects)
            throws SQLException {
        long now = state(c, accountId, kind);
        if (since < 0 || since > now) return Optional.empty();
        // Per object: was it created after `since`, and is it gone now? (RFC 8620 §5.2)
        Map<Long, boolean[]> seen = new LinkedHashMap<>();
        long reached = since;
        boolean more = false;
        try (ResultSet rs = c.query("SELECT seq, object_id, op FROM object_changes WHERE account_id = ? AND kind = ? AND seq > ? ORDER BY seq",
                accountId, kind, since)) {
            while (rs.next()) {
                long seq = rs.getLong(1);
                long id = rs.getLong(2);
                // Stop before a change that would name one object too many; the state then is the
                // last change taken, so the next call continues exactly there.
                if (!seen.containsKey(id) && seen.size() >= maxObjects) {
                    more = true;
                    break;
                }
                reached = seq;
                boolean[] f = seen.computeIfAbsent(id, k -> new boolean[2]);
                String op = rs.getString(3);
                if (op.equals(CREATED)) f[0] = true;
                if (op.equals(DESTROYED)) f[1] = true;
            }
        }
        List<Long> created = new ArrayList<>();
        List<Long> updated = new ArrayList<>();
        List<Long> destroyed = new ArrayList<>();
        seen.forEach((id, f) -> {
            if (f[0] && f[1]) return;
            if (f[0]) created.add(id);
            else if (f[1]) destroyed.add(id);
            else updated.add(id);
        });
        return Optional.of(new ObjectChanges(more ? reached : now, more, created, updated, destroyed));
    }

    /** A list of addresses (which never contain a line break) as one column. */
    static String lines(List<String> items) {
        return String.join("\n", items);
    }

    static List<String> unlines(String column) {
        return column == null || column.isEmpty() ? List.of() : List.of(column.split("\n", -1));
    }
}
