// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postern.store.SortKeyColumns;

class SortKeyCacheTest {
    @AfterEach
    void empty() {
        SortKeyCache.clear();
    }

    @Test
    void evictingAStoreKeepsTheOtherStoresEntries() {
        Object closed = new Object();
        Object live = new Object();
        SortKeyCache.Key a = new SortKeyCache.Key(closed, 1, 1, 7);
        SortKeyCache.Key b = new SortKeyCache.Key(live, 1, 1, 7);
        SortKeyCache.put(a, entry());
        SortKeyCache.put(b, entry());

        SortKeyCache.evict(closed);

        assertThat(SortKeyCache.get(a)).isNull();
        assertThat(SortKeyCache.get(b)).isNotNull();
    }

    private static SortKeyCache.Entry entry() {
        return new SortKeyCache.Entry(SortKeyColumns.of(Map.of(), Set.of()));
    }
}
