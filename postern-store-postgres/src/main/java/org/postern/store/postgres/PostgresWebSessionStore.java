// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.postern.store.WebSessionStore;

/**
 * {@code web_sessions}, keyed (account_id, token_hash), shared by every node: a session made on one
 * node is found on another, and a delete is seen by the next uncached lookup anywhere. A unique index on
 * token_hash serves {@link #find} (the cookie names no account); every other statement names the account.
 * Each call is one autocommit statement: no call needs more than one to agree.
 */
final class PostgresWebSessionStore implements WebSessionStore {
    private static final String COLUMNS = "account_id, token_hash, csrf_token, stamp, created, last_seen";
    private final PostgresDatabase db;

    PostgresWebSessionStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public void create(WebSession s) {
        db.autocommit(x -> x.update("INSERT INTO web_sessions(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)", s.accountId(),
                s.tokenHash(), s.csrfToken(), s.stamp(), s.created().toEpochMilli(), s.lastSeen().toEpochMilli()));
    }

    @Override
    public Optional<WebSession> find(String tokenHash) {
        return db.read(x -> x.one("SELECT " + COLUMNS + " FROM web_sessions WHERE token_hash = ?",
                PostgresWebSessionStore::row, tokenHash));
    }

    @Override
    public void touch(long accountId, String tokenHash, Instant at) {
        long ms = at.toEpochMilli();
        db.autocommit(x -> x.update("UPDATE web_sessions SET last_seen = ? WHERE account_id = ? AND token_hash = ? AND last_seen < ?",
                ms, accountId, tokenHash, ms));
    }

    @Override
    public boolean delete(long accountId, String tokenHash) {
        return db.autocommit(x -> x.update("DELETE FROM web_sessions WHERE account_id = ? AND token_hash = ?", accountId,
                tokenHash)) > 0;
    }

    @Override
    public int deleteAll(long accountId, String keepTokenHash) {
        return db.autocommit(x -> x.update("DELETE FROM web_sessions WHERE account_id = ? AND token_hash <> ?", accountId,
                keepTokenHash == null ? "" : keepTokenHash));
    }

    @Override
    public List<WebSession> list(long accountId) {
        return db.read(x -> x.list("SELECT " + COLUMNS + " FROM web_sessions WHERE account_id = ?"
                + " ORDER BY last_seen, created, token_hash LIMIT " + MAX_LISTED, PostgresWebSessionStore::row, accountId));
    }

    @Override
    public int expire(Instant idleBefore, Instant createdBefore) {
        return db.autocommit(x -> x.update("DELETE FROM web_sessions WHERE last_seen <= ? OR created <= ?",
                idleBefore.toEpochMilli(), createdBefore.toEpochMilli()));
    }

    private static WebSession row(ResultSet rs) throws SQLException {
        return new WebSession(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)));
    }
}
