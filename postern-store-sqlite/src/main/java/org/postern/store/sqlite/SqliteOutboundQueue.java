// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.postern.store.Intake;
import org.postern.store.OutboundQueue;
import org.postern.store.StoreException;

/** The outbound queue: one row per accepted message with remote recipients (RFC 5321 §4.5.4.1 retries). */
final class SqliteOutboundQueue implements OutboundQueue {
    static final int MAX_ERROR_LENGTH = 2_000;
    private static final String COLUMNS =
            "id, mail_from, recipients, blob_id, size, queued_at, next_attempt, attempts, last_error";

    private final SqliteDatabase db;

    SqliteOutboundQueue(SqliteDatabase db) {
        this.db = db;
    }

    static long insert(SqliteTx tx, Intake.Outbound out, String blobId, long size, Instant queuedAt) throws SQLException {
        if (out.recipients().isEmpty()) throw new StoreException.Refused("outbound entry without recipients");
        for (String r : out.recipients()) {
            if (r.isEmpty() || r.indexOf('\n') >= 0 || r.indexOf('\r') >= 0) throw new StoreException.Refused("bad recipient");
        }
        long at = queuedAt.toEpochMilli();
        tx.c.update("""
                INSERT INTO queue(mail_from, recipients, blob_id, size, queued_at, next_attempt) VALUES (?, ?, ?, ?, ?, ?)""",
                out.mailFrom() == null ? "" : out.mailFrom(), String.join("\n", out.recipients()), blobId, size, at, at);
        return tx.c.lastInsertId();
    }

    @Override
    public List<QueuedMessage> list() {
        return db.read(c -> collect(c.query("SELECT " + COLUMNS + " FROM queue ORDER BY queued_at, id")));
    }

    @Override
    public Optional<QueuedMessage> get(long id) {
        return db.read(c -> collect(c.query("SELECT " + COLUMNS + " FROM queue WHERE id = ?", id)).stream().findFirst());
    }

    @Override
    public List<QueuedMessage> due(Instant now, int limit) {
        return db.read(c -> collect(c.query("SELECT " + COLUMNS
                + " FROM queue WHERE next_attempt <= ? ORDER BY queued_at, id LIMIT ?", now.toEpochMilli(), Math.max(0, limit))));
    }

    @Override
    public void deferred(long id, Instant nextAttempt, String lastError) {
        String err = lastError == null ? "" : lastError.length() > MAX_ERROR_LENGTH ? lastError.substring(0, MAX_ERROR_LENGTH) : lastError;
        db.write(tx -> {
            if (tx.c.update("UPDATE queue SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?",
                    nextAttempt.toEpochMilli(), err, id) == 0) {
                throw new StoreException.NotFound("no queue entry " + id);
            }
            return null;
        });
    }

    @Override
    public boolean retryNow(long id) {
        long now = System.currentTimeMillis();
        return db.write(tx -> tx.c.update("UPDATE queue SET next_attempt = ? WHERE id = ?", now, id) > 0);
    }

    @Override
    public boolean delete(long id) {
        return db.write(tx -> {
            boolean removed = tx.c.update("DELETE FROM queue WHERE id = ?", id) > 0;
            if (removed) tx.releaseBlobs();
            return removed;
        });
    }

    private static List<QueuedMessage> collect(ResultSet rs) throws SQLException {
        try (rs) {
            List<QueuedMessage> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new QueuedMessage(rs.getLong(1), rs.getString(2), Arrays.asList(rs.getString(3).split("\n")),
                        rs.getString(4), rs.getLong(5), Instant.ofEpochMilli(rs.getLong(6)),
                        Instant.ofEpochMilli(rs.getLong(7)), rs.getInt(8), rs.getString(9)));
            }
            return out;
        }
    }
}
