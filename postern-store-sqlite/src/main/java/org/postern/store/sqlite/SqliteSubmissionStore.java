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
            SqliteObjectChanges.record(tx.c, s.accountId(), KIND, id, SqliteObjectChanges.CREATED);
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
            if (n > 0) SqliteObjectChanges.record(tx.c, accountId, KIND, id, SqliteObjectChanges.UPDATED);
            return n > 0;
        });
    }

    @Override
    public boolean delete(long accountId, long id) {
        return db.write(tx -> {
            int n = tx.c.update("DELETE FROM submissions WHERE account_id = ? AND id = ?", accountId, id);
            if (n > 0) SqliteObjectChanges.record(tx.c, accountId, KIND, id, SqliteObjectChanges.DESTROYED);
            return n > 0;
        });
    }

    @Override
    public long state(long accountId) {
        return db.read(c -> SqliteObjectChanges.state(c, accountId, KIND));
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
