// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.store.SortKeyColumns;

/**
 * The stored sort keys of recently sorted mailboxes as columns, shared by all sessions, with the
 * String-order ranks of each column's distinct strings once computed: a second SORT of a mailbox
 * reads nothing from the store and compares no strings. A message's keys never change (they are
 * derived from its body, and a UID names one body for the life of a UIDVALIDITY), so an entry never
 * goes stale; it only misses messages that arrived since, which SORT derives or reloads. Bounded by
 * the rows held (least recently used mailboxes go first).
 */
final class SortKeyCache {
    /** About 20 bytes a row and field: at most a few tens of MB. */
    static final int MAX_ROWS = 1_000_000;

    /** A mailbox of one store instance (tests run several stores in one process). */
    record Key(Object store, long ownerId, long mailboxId, long uidValidity) {}

    /** Columns and the ranks of their distinct strings, computed on first use. */
    static final class Entry {
        final SortKeyColumns columns;
        private final Map<SortKeyColumns.Field, int[]> ranks = new ConcurrentHashMap<>();

        Entry(SortKeyColumns columns) {
            this.columns = columns;
        }

        /** The rank in String order of each of the field's distinct values. */
        int[] ranks(SortKeyColumns.Field f) {
            return ranks.computeIfAbsent(f, x -> SortRanks.ofDistinct(columns.strings().get(x).values()));
        }
    }

    private static final LinkedHashMap<Key, Entry> ENTRIES = new LinkedHashMap<>(16, 0.75f, true);
    private static long rows;

    private SortKeyCache() {}

    static synchronized Entry get(Key k) {
        return ENTRIES.get(k);
    }

    static synchronized void put(Key k, Entry e) {
        Entry old = ENTRIES.put(k, e);
        if (old != null) rows -= old.columns.size();
        rows += e.columns.size();
        Iterator<Entry> it = ENTRIES.values().iterator();
        while (rows > MAX_ROWS && it.hasNext()) {
            Entry eldest = it.next();
            if (eldest == e) continue;
            rows -= eldest.columns.size();
            it.remove();
        }
    }

    /** Drops every entry of {@code store} (its server shut down). */
    static synchronized void evict(Object store) {
        Iterator<Map.Entry<Key, Entry>> it = ENTRIES.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Entry> e = it.next();
            if (e.getKey().store() == store) {
                rows -= e.getValue().columns.size();
                it.remove();
            }
        }
    }

    static synchronized void clear() {
        ENTRIES.clear();
        rows = 0;
    }
}
