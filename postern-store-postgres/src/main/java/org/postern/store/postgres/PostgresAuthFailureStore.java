// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.time.Instant;
import org.postern.store.AuthFailureStore;

/**
 * {@code auth_failures}, one row per failure, shared by every node so the throttle is cluster-wide.
 * Recording is one statement that inserts only below the cap and one that counts; two nodes racing may
 * pass the cap by one row each, which bounds storage just as well.
 */
final class PostgresAuthFailureStore implements AuthFailureStore {
    private final PostgresDatabase db;

    PostgresAuthFailureStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public int record(String key, Instant at, Instant since, int cap) {
        long from = since.toEpochMilli();
        return db.write(tx -> {
            tx.s.update("INSERT INTO auth_failures(key, at) SELECT ?, ?"
                    + " WHERE (SELECT count(*) FROM auth_failures WHERE key = ? AND at >= ?) < ?", key, at.toEpochMilli(), key, from, cap);
            return (int) Math.min(cap, tx.s.queryLong("SELECT count(*) FROM auth_failures WHERE key = ? AND at >= ?", 0, key, from));
        });
    }

    @Override
    public int count(String key, Instant since) {
        return db.read(x -> (int) x.queryLong("SELECT count(*) FROM auth_failures WHERE key = ? AND at >= ?", 0, key,
                since.toEpochMilli()));
    }

    @Override
    public void clear(String key) {
        db.autocommit(x -> x.update("DELETE FROM auth_failures WHERE key = ?", key));
    }

    @Override
    public int expire(Instant before) {
        return db.autocommit(x -> x.update("DELETE FROM auth_failures WHERE at < ?", before.toEpochMilli()));
    }
}
