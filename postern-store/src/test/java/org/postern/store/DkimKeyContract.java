// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.postern.store.DkimKeyStore.DkimKey;

/** DKIM keys: kept per domain and selector, across restarts, case-insensitively. */
public abstract class DkimKeyContract extends StoreContract {
    private static DkimKey key(String domain, String selector, long created) {
        return new DkimKey(domain, selector, "ed25519-sha256", new byte[] {1, 2, 3}, new byte[] {4, 5}, Instant.ofEpochSecond(created));
    }

    @Test
    void keysArePerDomainAndSurviveRestart() {
        store.dkimKeys().add(key("Example.ORG", "b", 200));
        store.dkimKeys().add(key("example.org", "a", 100));
        store.dkimKeys().add(key("other.org", "a", 100));
        reopen();
        assertThat(store.dkimKeys().keys("EXAMPLE.org")).extracting(DkimKey::selector).containsExactly("a", "b");
        DkimKey a = store.dkimKeys().keys("example.org").get(0);
        assertThat(a.privateKey()).containsExactly(1, 2, 3);
        assertThat(a.publicKey()).containsExactly(4, 5);
        assertThat(a.algorithm()).isEqualTo("ed25519-sha256");
        assertThat(a.created()).isEqualTo(Instant.ofEpochSecond(100));
        assertThat(store.dkimKeys().keys("nowhere.org")).isEmpty();
    }

    @Test
    void duplicateSelectorIsConflictAndDeleteRemoves() {
        store.dkimKeys().add(key("example.org", "a", 100));
        assertThatThrownBy(() -> store.dkimKeys().add(key("example.org", "A", 300))).isInstanceOf(StoreException.Conflict.class);
        store.dkimKeys().delete("example.org", "A");
        store.dkimKeys().delete("example.org", "missing");
        assertThat(store.dkimKeys().keys("example.org")).isEmpty();
    }
}
