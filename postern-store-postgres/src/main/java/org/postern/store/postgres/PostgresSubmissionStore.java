// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.postern.store.ObjectChanges;
import org.postern.store.SubmissionStore;

/**
 * Submission records in {@code submissions}, keyed by (account, id); writes logged as kind 'S' in
 * {@code object_changes} under the account lock (see {@link PostgresObjectChanges}).
 */
final class PostgresSubmissionStore implements SubmissionStore {
    private static final String KIND = "S";
    private static final String COLUMNS = "id, account_id, identity_id, email_id, thread_id, mail_from, recipients,"
            + " local_recipients, queue_id, send_at, undo_status";

    private final PostgresDatabase db;

    PostgresSubmissionStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public Submission create(Submission s) {
        return db.write(tx -> {
            tx.lock(s.accountId());
            long id = tx.s.queryLong("INSERT INTO submissions(account_id, identity_id, email_id, thread_id, mail_from, recipients,"
                    + " local_recipients, queue_id, send_at, undo_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", -1,
                    s.accountId(), s.identityId(), s.emailId(), s.threadId(), s.mailFrom(),
                    PostgresObjectChanges.lines(s.recipients()), PostgresObjectChanges.lines(s.localRecipients()), s.queueId(),
                    s.sendAt().toEpochMilli(), s.undoStatus());
            PostgresObjectChanges.record(tx, s.accountId(), KIND, id, PostgresObjectChanges.CREATED);
            return s.withId(id);
        });
    }

    @Override
    public List<Submission> list(long accountId) {
        return db.read(s -> s.list("SELECT " + COLUMNS + " FROM submissions WHERE account_id = ? ORDER BY id",
                PostgresSubmissionStore::row, accountId));
    }

    @Override
    public Optional<Submission> get(long accountId, long id) {
        return db.read(s -> s.one("SELECT " + COLUMNS + " FROM submissions WHERE account_id = ? AND id = ?",
                PostgresSubmissionStore::row, accountId, id));
    }

    @Override
    public boolean setUndoStatus(long accountId, long id, String undoStatus) {
        return db.write(tx -> {
            if (!PostgresIdentityStore.lockIfExists(tx, accountId)) return false;
            int n = tx.s.update("UPDATE submissions SET undo_status = ? WHERE account_id = ? AND id = ?", undoStatus, accountId, id);
            if (n > 0) PostgresObjectChanges.record(tx, accountId, KIND, id, PostgresObjectChanges.UPDATED);
            return n > 0;
        });
    }

    @Override
    public boolean delete(long accountId, long id) {
        return db.write(tx -> {
            if (!PostgresIdentityStore.lockIfExists(tx, accountId)) return false;
            int n = tx.s.update("DELETE FROM submissions WHERE account_id = ? AND id = ?", accountId, id);
            if (n > 0) PostgresObjectChanges.record(tx, accountId, KIND, id, PostgresObjectChanges.DESTROYED);
            return n > 0;
        });
    }

    @Override
    public long state(long accountId) {
        return db.read(s -> PostgresObjectChanges.state(s, accountId, KIND));
    }

    @Override
    public List<Delivery> deliveries(long accountId, long id) {
        return db.read(s -> s.list("SELECT d.recipient, d.delivered, d.smtp_reply FROM submission_deliveries d"
                + " JOIN submissions s ON s.id = d.submission_id WHERE s.account_id = ? AND s.id = ? ORDER BY d.seq",
                rs -> new Delivery(rs.getString(1), rs.getString(2), rs.getString(3)), accountId, id));
    }

    @Override
    public List<Submission> recordDelivery(long queueId, List<Delivery> results, long nextQueueId) {
        if (queueId < 0) return List.of();
        return db.write(tx -> {
            List<Submission> found = tx.s.list("SELECT " + COLUMNS + " FROM submissions WHERE queue_id = ? ORDER BY account_id, id",
                    PostgresSubmissionStore::row, queueId);
            List<Submission> out = new java.util.ArrayList<>();
            for (Submission s : found) {
                if (!PostgresIdentityStore.lockIfExists(tx, s.accountId())) continue;
                for (Delivery d : results) {
                    tx.s.update("INSERT INTO submission_deliveries(submission_id, seq, recipient, delivered, smtp_reply)"
                            + " VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM submission_deliveries WHERE submission_id = ?),"
                            + " ?, ?, ?) ON CONFLICT (submission_id, recipient) DO UPDATE SET delivered = EXCLUDED.delivered,"
                            + " smtp_reply = EXCLUDED.smtp_reply", s.id(), s.id(), d.recipient(), d.delivered(), d.smtpReply());
                }
                String undo = s.undoStatus();
                if (undo.equals("pending") && (nextQueueId < 0
                        || results.stream().anyMatch(d -> d.delivered().equals("yes") || d.delivered().equals("unknown")))) {
                    undo = "final";
                }
                tx.s.update("UPDATE submissions SET queue_id = ?, undo_status = ? WHERE id = ?", nextQueueId, undo, s.id());
                PostgresObjectChanges.record(tx, s.accountId(), KIND, s.id(), PostgresObjectChanges.UPDATED);
                out.add(new Submission(s.id(), s.accountId(), s.identityId(), s.emailId(), s.threadId(), s.mailFrom(),
                        s.recipients(), s.localRecipients(), nextQueueId, s.sendAt(), undo));
            }
            return out;
        });
    }

    @Override
    public Optional<ObjectChanges> changes(long accountId, long since, int maxObjects) {
        return db.snapshot(s -> PostgresObjectChanges.since(s, accountId, KIND, since, maxObjects));
    }

    private static Submission row(ResultSet rs) throws SQLException {
        return new Submission(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6),
                PostgresObjectChanges.unlines(rs.getString(7)), PostgresObjectChanges.unlines(rs.getString(8)), rs.getLong(9),
                Instant.ofEpochMilli(rs.getLong(10)), rs.getString(11));
    }
}
