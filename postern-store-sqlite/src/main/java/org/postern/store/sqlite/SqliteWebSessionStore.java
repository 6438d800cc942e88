// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.store.StoreException;
import org.postern.store.WebSessionStore;

/**
 * {@code web_sessions}, keyed (account_id, token_hash); a unique index on token_hash serves
 * {@link #find}, the one lookup that cannot name the account (the cookie carries only the token).
 */
final class SqliteWebSessionStore implements WebSessionStore {
    private static final String COLUMNS = "account_id, token_hash, csrf_token, stamp, created, last_seen";
    private final SqliteDatabase db;

    SqliteWebSessionStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void create(WebSession s) {
        db.write(tx -> {
            if (tx.c.queryLong("SELECT 1 FROM web_sessions WHERE token_hash = ?", 0, s.tokenHash()) != 0) {
                throw new StoreException.Conflict("session exists");
            }
            tx.c.update("INSERT INTO web_sessions(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)", s.accountId(), s.tokenHash(),
                    s.csrfToken(), s.stamp(), s.created().toEpochMilli(), s.lastSeen().toEpochMilli());
            return null;
        });
    }

    @Override
    public Optional<WebSession> find(String tokenHash) {
        return db.read(c -> {
            try (ResultSet rs = c.query("SELECT " + COLUMNS + " FROM web_sessions WHERE token_hash = ?", tokenHash)) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        });
    }

    @Override
    public void touch(long accountId, String tokenHash, Instant at) {
        long ms = at.toEpochMilli();
        db.write(tx -> tx.c.update("UPDATE web_sessions SET last_seen = ? WHERE account_id = ? AND token_hash = ? AND last_seen < ?",
                ms, accountId, tokenHash, ms));
    }

    @Override
    public boolean delete(long accountId, String tokenHash) {
        return db.write(tx -> tx.c.update("DELETE FROM web_sessions WHERE account_id = ? AND token_hash = ?", accountId,
                tokenHash)) > 0;
    }

    @Override
    public int deleteAll(long accountId, String keepTokenHash) {
        return db.write(tx -> tx.c.update("DELETE FROM web_sessions WHERE account_id = ? AND token_hash <> ?", accountId,
                keepTokenHash == null ? "" : keepTokenHash));
    }

    @Override
    public List<WebSession> list(long accountId) {
        return db.read(c -> {
            List<WebSession> out = new ArrayList<>();
            try (ResultSet rs = c.query("SELECT " + COLUMNS + " FROM web_sessions WHERE account_id = ?"
                    + " ORDER BY last_seen, created, token_hash LIMIT " + MAX_LISTED, accountId)) {
                while (rs.next()) out.add(row(rs));
            }
            return out;
        });
    }

    @Override
    public int expire(Instant idleBefore, Instant createdBefore) {
        return db.write(tx -> tx.c.update("DELETE FROM web_sessions WHERE last_seen <= ? OR created <= ?",
                idleBefore.toEpochMilli(), createdBefore.toEpochMilli()));
    }

    private static WebSession row(ResultSet rs) throws SQLException {
        return new WebSession(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)));
    }
}
