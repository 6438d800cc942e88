// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.postern.http.SessionTable;
import org.postern.store.WebSessionStore;

/**
 * The browser sessions' table in the store, so every node sees every session and a restart keeps
 * them. Here because the HTTP module knows no store and the store knows no HTTP: the assembly joins them.
 */
final class StoreSessionTable implements SessionTable {
    private final WebSessionStore store;

    StoreSessionTable(WebSessionStore store) {
        this.store = store;
    }

    @Override
    public void insert(Row r) {
        store.create(new WebSessionStore.WebSession(r.accountId(), r.key(), r.csrfToken(), r.stamp(), r.created(), r.lastSeen()));
    }

    @Override
    public Optional<Row> find(String key) {
        return store.find(key).map(StoreSessionTable::row);
    }

    @Override
    public void touch(long accountId, String key, Instant at) {
        store.touch(accountId, key, at);
    }

    @Override
    public boolean delete(long accountId, String key) {
        return store.delete(accountId, key);
    }

    @Override
    public int deleteAll(long accountId, String keepKey) {
        return store.deleteAll(accountId, keepKey);
    }

    @Override
    public List<Row> list(long accountId) {
        return store.list(accountId).stream().map(StoreSessionTable::row).toList();
    }

    @Override
    public int expire(Instant idleBefore, Instant createdBefore) {
        return store.expire(idleBefore, createdBefore);
    }

    private static Row row(WebSessionStore.WebSession s) {
        return new Row(s.accountId(), s.tokenHash(), s.csrfToken(), s.stamp(), s.created(), s.lastSeen());
    }
}
