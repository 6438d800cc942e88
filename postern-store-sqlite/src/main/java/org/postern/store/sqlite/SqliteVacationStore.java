// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.postern.store.ChangeEvent;
import org.postern.store.VacationStore;

/**
 * One {@code vacation} row per account that ever set one (its {@code state} counts the puts) and
 * {@code vacation_replied}, the last reply time per sender (RFC 3834 §2).
 */
final class SqliteVacationStore implements VacationStore {
    private final SqliteDatabase db;

    SqliteVacationStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Vacation get(long accountId) {
        return db.read(c -> {
            try (ResultSet rs = c.query("SELECT enabled, from_date, to_date, subject, text_body, html_body FROM vacation WHERE account_id = ?",
                    accountId)) {
                if (!rs.next()) return Vacation.DISABLED;
                return new Vacation(rs.getInt(1) != 0, instant(rs, 2), instant(rs, 3), rs.getString(4), rs.getString(5),
                        rs.getString(6));
            }
        });
    }

    @Override
    public void put(long accountId, Vacation v) {
        db.write(tx -> {
            tx.c.update("INSERT INTO vacation(account_id, enabled, from_date, to_date, subject, text_body, html_body, state)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT(account_id) DO UPDATE SET enabled = excluded.enabled,"
                    + " from_date = excluded.from_date, to_date = excluded.to_date, subject = excluded.subject,"
                    + " text_body = excluded.text_body, html_body = excluded.html_body, state = state + 1",
                    accountId, v.enabled(), millis(v.fromDate()), millis(v.toDate()), v.subject(), v.textBody(), v.htmlBody());
            tx.c.update("DELETE FROM vacation_replied WHERE account_id = ?", accountId);
            tx.notice(new ChangeEvent(accountId, 0, tx.c.queryLong("SELECT state FROM vacation WHERE account_id = ?", 0, accountId),
                    ChangeEvent.Kind.VACATION));
            return null;
        });
    }

    @Override
    public long state(long accountId) {
        return db.read(c -> c.queryLong("SELECT state FROM vacation WHERE account_id = ?", 0, accountId));
    }

    @Override
    public boolean claimReply(long accountId, String sender, Instant now, Duration period) {
        long at = now.toEpochMilli();
        long after = now.minus(period).toEpochMilli();
        return db.write(tx -> tx.c.update("INSERT INTO vacation_replied(account_id, sender, at) VALUES (?, ?, ?)"
                + " ON CONFLICT(account_id, sender) DO UPDATE SET at = excluded.at WHERE vacation_replied.at <= ?",
                accountId, sender, at, after) > 0);
    }

    private static Long millis(Instant i) {
        return i == null ? null : i.toEpochMilli();
    }

    private static Instant instant(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
