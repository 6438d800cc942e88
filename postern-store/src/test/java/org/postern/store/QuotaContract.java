// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Quota limits from account settings and usage from the store (RFC 9208 STORAGE and MESSAGE). */
public abstract class QuotaContract extends StoreContract {
    @Test
    void unlimitedByDefault() {
        long acc = account("alice@example.org").id();
        Quota q = Quota.of(store, acc);
        assertThat(q.limited()).isFalse();
        assertThat(q.admits(Long.MAX_VALUE / 2, 1_000_000)).isTrue();
        assertThat(Quota.admits(store, acc, 1L << 40)).isTrue();
    }

    @Test
    void limitsComeFromSettingsAndUsageFromMessages() {
        Account a = account("alice@example.org");
        MessageRecord m = append(a.id(), inbox(a.id()).id(), "one");
        store.directory().setSetting(a.address(), Quota.STORAGE_SETTING, Long.toString(m.size() + 100));
        store.directory().setSetting(a.address(), Quota.MESSAGES_SETTING, "2");
        Quota q = Quota.of(store, a.id());
        assertThat(q).isEqualTo(new Quota(m.size() + 100, 2, m.size(), 1));
        assertThat(q.admits(100, 1)).isTrue();
        assertThat(q.admits(101, 1)).isFalse();
        assertThat(q.admits(1, 2)).isFalse();
        assertThat(Quota.admits(store, a.id(), 100)).isTrue();
        assertThat(Quota.admits(store, a.id(), 101)).isFalse();
        // Cleared: unlimited again.
        store.directory().setSetting(a.address(), Quota.STORAGE_SETTING, null);
        store.directory().setSetting(a.address(), Quota.MESSAGES_SETTING, null);
        assertThat(Quota.of(store, a.id()).limited()).isFalse();
    }
}
