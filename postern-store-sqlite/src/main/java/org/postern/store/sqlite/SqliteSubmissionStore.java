// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.store.ObjectChanges;
import org.postern.store.SubmissionStore;

/** Submission records in the {@code submissions} table; writes logged as kind 'S'. */
final class SqliteSubmissionStore implements SubmissionStore {
    private static final String KIND = "S";
    private static final String COLUMNS = "id, account_id, identity_id, email_id, thread_id, mail_from, recipients,"
            + " local_recipients, queue_id, send_at, undo_status";

    private final SqliteDatabase db;

    SqliteSubmissionStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Submission create(Submission s) {
        return db.write(tx -> {
            tx.c.update("INSERT INTO submissions(account_id, identity_id, email_id, thread_id, mail_from, recipients,"
                    + " local_recipients, queue_id, send_at, undo_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    s.accountId(), s.identityId(), s.emailId(), s.threadId(), s.mailFrom(),
                    SqliteObjectChanges.lines(s.recipients()), SqliteObjectChanges.lines(s.localRecipients()), s.queueId(),
                    s.sendAt().toEpochMilli(), s.undoStatus());
            long id = tx.c.lastInsertId();
            SqliteObjectChanges.record(tx, s.accountId(), KIND, id, SqliteObjectChanges.CREATED);
            return s.withId(id);
        });
    }

    @Override
    public List<Submission> list(long accountId) {
        return db.read(c -> {
            List<Submission> out = new ArrayList<>();
            try (ResultSet rs = c.query("SELECT " + COLUMNS + " FROM submissions WHERE account_id = ? ORDER BY id", accountId)) {
                while (rs.next()) out.add(row(rs));
            }
            return out;
        });
    }

    @Override
    public Optional<Submission> get(long accountId, long id) {
        return db.read(c -> {
            try (ResultSet rs = c.query("SELECT " + COLUMNS + " FROM submissions WHERE account_id = ? AND id = ?", accountId, id)) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        });
    }

    @Override
    public boolean setUndoStatus(long accountId, long id, String undoStatus) {
        return db.write(tx -> {
            int n = tx.c.update("UPDATE submissions SET undo_status = ? WHERE account_id = ? AND id = ?", undoStatus, accountId, id);
            if (n > 0) SqliteObjectChanges.record(tx, accountId, KIND, id, SqliteObjectChanges.UPDATED);
            return n > 0;
        });
    }

    @Override
    public boolean delete(long accountId, long id) {
        return db.write(tx -> {
            int n = tx.c.update("DELETE FROM submissions WHERE account_id = ? AND id = ?", accountId, id);
            if (n > 0) SqliteObjectChanges.record(tx, accountId, KIND, id, SqliteObjectChanges.DESTROYED);
            return n > 0;
        });
    }

    @Override
    public long state(long accountId) {
        return db.read(c -> SqliteObjectChanges.state(c, accountId, KIND));
    }

    @Override
    public List<Delivery> deliveries(long accountId, long id) {
        return db.read(c -> {
            List<Delivery> out = new ArrayList<>();
            try (ResultSet rs = c.query("SELECT d.recipient, d.delivered, d.smtp_reply FROM submission_deliveries d"
                    + " JOIN submissions s ON s.id = d.submission_id WHERE s.account_id = ? AND s.id = ? ORDER BY d.seq",
                    accountId, id)) {
                while (rs.next()) out.add(new Delivery(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
            return out;
        });
    }

    @Override
    public List<Submission> recordDelivery(long queueId, List<Delivery> results, long nextQueueId) {
        if (queueId < 0) return List.of();
        return db.write(tx -> {
            List<Submission> found = new ArrayList<>();
            try (ResultSet rs = tx.c.query("SELECT " + COLUMNS + " FROM submissions WHERE queue_id = ?", queueId)) {
                while (rs.next()) found.add(row(rs));
            }
            List<Submission> out = new ArrayList<>();
            for (Submission s : found) {
                for (Delivery d : results) {
                    tx.c.update("INSERT INTO submission_deliveries(submission_id, seq, recipient, delivered, smtp_reply)"
                            + " VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM submission_deliveries WHERE submission_id = ?),"
                            + " ?, ?, ?) ON CONFLICT(submission_id, recipient) DO UPDATE SET delivered = excluded.delivered,"
                            + " smtp_reply = excluded.smtp_reply", s.id(), s.id(), d.recipient(), d.delivered(), d.smtpReply());
                }
                String undo = s.undoStatus();
                if (undo.equals("pending") && (nextQueueId < 0
                        || results.stream().anyMatch(d -> d.delivered().equals("yes") || d.delivered().equals("unknown")))) {
                    undo = "final";
                }
                tx.c.update("UPDATE submissions SET queue_id = ?, undo_status = ? WHERE id = ?", nextQueueId, undo, s.id());
                SqliteObjectChanges.record(tx, s.accountId(), KIND, s.id(), SqliteObjectChanges.UPDATED);
                out.add(new Submission(s.id(), s.accountId(), s.identityId(), s.emailId(), s.threadId(), s.mailFrom(),
                        s.recipients(), s.localRecipients(), nextQueueId, s.sendAt(), undo));
            }
            return out;
        });
    }

    @Override
    public Optional<ObjectChanges> changes(long accountId, long since, int maxObjects) {
        return db.read(c -> SqliteObjectChanges.since(c, accountId, KIND, since, maxObjects));
    }

    private static Submission row(ResultSet rs) throws SQLException {
        return new Submission(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6),
                SqliteObjectChanges.unlines(rs.getString(7)), SqliteObjectChanges.unlines(rs.getString(8)), rs.getLong(9),
                Instant.ofEpochMilli(rs.getLong(10)), rs.getString(11));
    }
}
