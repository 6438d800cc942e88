// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.time.Instant;
import org.postern.store.AuthFailureStore;

/** {@code auth_failures}: one row per failure, indexed (key, at). */
final class SqliteAuthFailureStore implements AuthFailureStore {
    private final SqliteDatabase db;

    SqliteAuthFailureStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public int record(String key, Instant at, Instant since, int cap) {
        long from = since.toEpochMilli();
        return db.write(tx -> {
            long n = tx.c.queryLong("SELECT count(*) FROM auth_failures WHERE key = ? AND at >= ?", 0, key, from);
            if (n >= cap) return (int) n;
            tx.c.update("INSERT INTO auth_failures(key, at) VALUES (?, ?)", key, at.toEpochMilli());
            return (int) n + 1;
        });
    }

    @Override
    public int count(String key, Instant since) {
        return db.read(c -> (int) c.queryLong("SELECT count(*) FROM auth_failures WHERE key = ? AND at >= ?", 0, key,
                since.toEpochMilli()));
    }

    @Override
    public void clear(String key) {
        db.write(tx -> tx.c.update("DELETE FROM auth_failures WHERE key = ?", key));
    }

    @Override
    public int expire(Instant before) {
        return db.write(tx -> tx.c.update("DELETE FROM auth_failures WHERE at < ?", before.toEpochMilli()));
    }
}
