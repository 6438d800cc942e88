// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in this process's memory: lost on restart (the safe direction), invisible to other nodes.
 * Bounded: past {@code maxRows} the least recently seen session goes.
 */
public final class MemorySessionTable implements SessionTable {
    private final int maxRows;
    private final Map<String, Row> rows = new ConcurrentHashMap<>();

    public MemorySessionTable(int maxRows) {
        this.maxRows = maxRows;
    }

    @Override
    public void insert(Row row) {
        while (rows.size() >= maxRows) {
            rows.values().stream().min(Comparator.comparing(Row::lastSeen)).ifPresent(r -> rows.remove(r.key()));
        }
        if (rows.putIfAbsent(row.key(), row) != null) throw new IllegalStateException("session exists");
    }

    @Override
    public Optional<Row> find(String key) {
        return Optional.ofNullable(rows.get(key));
    }

    @Override
    public void touch(long accountId, String key, Instant at) {
        rows.computeIfPresent(key, (k, r) -> r.accountId() == accountId ? r.seenAt(at) : r);
    }

    @Override
    public boolean delete(long accountId, String key) {
        Row r = rows.get(key);
        return r != null && r.accountId() == accountId && rows.remove(key, r);
    }

    @Override
    public int deleteAll(long accountId, String keepKey) {
        int before = rows.size();
        rows.values().removeIf(r -> r.accountId() == accountId && !r.key().equals(keepKey));
        return Math.max(0, before - rows.size());
    }

    @Override
    public List<Row> list(long accountId) {
        return rows.values().stream().filter(r -> r.accountId() == accountId)
                .sorted(Comparator.comparing(Row::lastSeen).thenComparing(Row::created)).toList();
    }

    @Override
    public int expire(Instant idleBefore, Instant createdBefore) {
        int before = rows.size();
        rows.values().removeIf(r -> !r.lastSeen().isAfter(idleBefore) || !r.created().isAfter(createdBefore));
        return Math.max(0, before - rows.size());
    }

    public int size() {
        return rows.size();
    }
}
