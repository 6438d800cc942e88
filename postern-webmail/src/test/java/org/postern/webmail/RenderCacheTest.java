// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RenderCacheTest {
    private static RenderCache.Entry doc(int size) {
        return new RenderCache.Entry(new byte[size], false);
    }

    @Test
    void keysIncludeTheAccountAndTheRemoteChoice() {
        RenderCache c = new RenderCache(8, 1000);
        c.put(new RenderCache.Key(1, "blob", false), doc(10));
        assertThat(c.get(new RenderCache.Key(1, "blob", false))).isNotNull();
        assertThat(c.get(new RenderCache.Key(2, "blob", false))).isNull();
        assertThat(c.get(new RenderCache.Key(1, "blob", true))).isNull();
    }

    @Test
    void boundedByCountAndBytesLeastRecentlyUsedFirst() {
        RenderCache c = new RenderCache(3, 1000);
        for (int i = 0; i < 3; i++) c.put(new RenderCache.Key(1, "b" + i, false), doc(10));
        c.get(new RenderCache.Key(1, "b0", false));
        c.put(new RenderCache.Key(1, "b3", false), doc(10));
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.get(new RenderCache.Key(1, "b1", false))).isNull();
        assertThat(c.get(new RenderCache.Key(1, "b0", false))).isNotNull();

        RenderCache small = new RenderCache(100, 1000);
        for (int i = 0; i < 10; i++) small.put(new RenderCache.Key(1, "b" + i, false), doc(200));
        assertThat(small.size()).isEqualTo(5);
        small.put(new RenderCache.Key(1, "huge", false), doc(900));
        assertThat(small.get(new RenderCache.Key(1, "huge", false))).isNull();
    }
}
