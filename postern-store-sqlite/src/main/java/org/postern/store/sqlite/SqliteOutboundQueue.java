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
            "id, mail_from, recipients, blob_id, size, queued_at, next_attempt, attempts, last_error, dsn_ret, dsn_envid,"
            + " require_tls, binary_body, rcpt_options, hold_until";

    private final SqliteDatabase db;
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    SqliteOutboundQueue(SqliteDatabase db) {
        this.db = db;
    }

    static long insert(SqliteTx tx, Intake.Outbound out, String blobId, long size, Instant queuedAt) throws SQLException {
        if (out.recipients().isEmpty()) throw new StoreException.Refused("outbound entry without recipients");
        for (String r : out.recipients()) {
            if (r.isEmpty() || r.indexOf('\n') >= 0 || r.indexOf('\r') >= 0) throw new StoreException.Refused("bad recipient");
        }
        long at = queuedAt.toEpochMilli();
        Intake.Options o = out.options();
        // RFC 4865: a held entry is first due at its release time.
        long hold = o.holdUntil() == null ? 0 : o.holdUntil().toEpochMilli();
        tx.referenced(blobId);
        tx.c.update("""
                INSERT INTO queue(mail_from, recipients, blob_id, size, queued_at, next_attempt, dsn_ret, dsn_envid,
                  require_tls, binary_body, rcpt_options, hold_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                out.mailFrom() == null ? "" : out.mailFrom(), String.join("\n", out.recipients()), blobId, size, at,
                Math.max(at, hold), field(o.ret()), field(o.envId()), o.requireTls() ? 1 : 0, o.binary() ? 1 : 0,
                encodeOptions(out.recipientOptions()), hold);
        return tx.c.lastInsertId();
    }

    /** Wakes {@link #onQueued} listeners; called by the store after a delivery with an outbound part committed. */
    void queued() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.getLogger(SqliteOutboundQueue.class.getName()).log(System.Logger.Level.WARNING, "queue listener failed", e);
            }
        }
    }

    @Override
    public AutoCloseable onQueued(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Options are single-line text: one line per recipient, "notify TAB type TAB address". */
    private static String field(String s) {
        if (s == null) return "";
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\t') >= 0) throw new StoreException.Refused("bad option");
        return s;
    }

    private static String encodeOptions(List<Intake.RecipientOptions> options) {
        if (options.stream().allMatch(Intake.RecipientOptions.NONE::equals)) return "";
        List<String> lines = new ArrayList<>();
        for (Intake.RecipientOptions r : options) {
            lines.add(field(r.notifyOn()) + "\t" + field(r.orcptType()) + "\t" + field(r.orcpt()));
        }
        return String.join("\n", lines);
    }

    private static List<Intake.RecipientOptions> decodeOptions(String s, int count) {
        if (s == null || s.isEmpty()) return List.of();
        List<Intake.RecipientOptions> out = new ArrayList<>();
        for (String line : s.split("\n", -1)) {
            String[] f = line.split("\t", -1);
            out.add(f.length != 3 ? Intake.RecipientOptions.NONE
                    : new Intake.RecipientOptions(nullIfEmpty(f[0]), nullIfEmpty(f[1]), nullIfEmpty(f[2])));
        }
        return out.size() == count ? out : List.of();
    }

    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
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
        // Never before an RFC 4865 release time: "now" for a held entry is its release.
        return db.write(tx -> tx.c.update("UPDATE queue SET next_attempt = MAX(?, hold_until) WHERE id = ?", now, id) > 0);
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
                List<String> recipients = Arrays.asList(rs.getString(3).split("\n"));
                Intake.Options options = new Intake.Options(nullIfEmpty(rs.getString(10)), nullIfEmpty(rs.getString(11)),
                        rs.getInt(12) != 0, rs.getInt(13) != 0, rs.getLong(15) == 0 ? null : Instant.ofEpochMilli(rs.getLong(15)));
                out.add(new QueuedMessage(rs.getLong(1), rs.getString(2), recipients,
                        rs.getString(4), rs.getLong(5), Instant.ofEpochMilli(rs.getLong(6)),
                        Instant.ofEpochMilli(rs.getLong(7)), rs.getInt(8), rs.getString(9), options,
                        decodeOptions(rs.getString(14), recipients.size())));
            }
            return out;
        }
    }
}
