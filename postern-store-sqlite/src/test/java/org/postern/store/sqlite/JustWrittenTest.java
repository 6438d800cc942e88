// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The few bodies just committed that the store reads back at once: bounded in bytes and in age. */
class JustWrittenTest {
    @Test
    void keepsTheNewestWithinTheByteBoundOldestOutFirst() {
        SqliteBlobStore.JustWritten j = new SqliteBlobStore.JustWritten(10, Long.MAX_VALUE);
        j.put("a", new byte[4]);
        j.put("b", new byte[4]);
        assertThat(j.get("a")).hasSize(4);
        j.put("c", new byte[4]); // 12 bytes: "a" leaves
        assertThat(j.get("a")).isNull();
        assertThat(j.get("b")).hasSize(4);
        assertThat(j.get("c")).hasSize(4);
        j.remove("b"); // freed
        assertThat(j.get("b")).isNull();
        j.put("d", new byte[4]);
        assertThat(j.get("c")).hasSize(4); // "b"'s bytes were given back: 8 of 10 used
        j.put("big", new byte[11]); // larger than the bound: nothing stays, itself included
        assertThat(j.size()).isZero();
    }

    @Test
    void forgetsBodiesPastTheirAge() throws Exception {
        SqliteBlobStore.JustWritten j = new SqliteBlobStore.JustWritten(1 << 20, 50_000_000L);
        j.put("a", new byte[] {1});
        assertThat(j.get("a")).containsExactly(1);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (j.get("a") != null && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(j.get("a")).isNull();
        assertThat(j.size()).isZero();
    }
}
