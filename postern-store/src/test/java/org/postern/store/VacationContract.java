// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.postern.store.VacationStore.Vacation;

/** Vacation settings and the once-per-sender memory of RFC 3834 §2. */
public abstract class VacationContract extends StoreContract {
    private static final Instant T0 = Instant.parse("2026-07-01T00:00:00Z");

    @Test
    void disabledUntilSetAndDurable() {
        long alice = account("alice@example.org").id();
        assertThat(store.vacation().get(alice)).isEqualTo(Vacation.DISABLED);
        assertThat(store.vacation().state(alice)).isZero();
        Vacation v = new Vacation(true, T0, T0.plus(Duration.ofDays(14)), "Away", "Back soon", "<p>Back soon</p>");
        store.vacation().put(alice, v);
        reopen();
        assertThat(store.vacation().get(alice)).isEqualTo(v);
        assertThat(store.vacation().state(alice)).isEqualTo(1);
        long bob = account("bob@example.org").id();
        assertThat(store.vacation().get(bob)).isEqualTo(Vacation.DISABLED);
    }

    @Test
    void onceperSenderPerPeriod() {
        long alice = account("alice@example.org").id();
        Duration week = Duration.ofDays(7);
        assertThat(store.vacation().claimReply(alice, "bob@remote.example", T0, week)).isTrue();
        assertThat(store.vacation().claimReply(alice, "bob@remote.example", T0.plus(Duration.ofDays(6)), week)).isFalse();
        assertThat(store.vacation().claimReply(alice, "carol@remote.example", T0, week)).isTrue();
        assertThat(store.vacation().claimReply(alice, "bob@remote.example", T0.plus(Duration.ofDays(7)), week)).isTrue();
        // a new setting answers everyone again
        store.vacation().put(alice, new Vacation(true, null, null, null, "x", null));
        assertThat(store.vacation().claimReply(alice, "carol@remote.example", T0.plus(Duration.ofDays(1)), week)).isTrue();
    }

    @Test
    void activeWindow() {
        Vacation v = new Vacation(true, T0, T0.plus(Duration.ofDays(1)), null, "x", null);
        assertThat(v.activeAt(T0.minusSeconds(1))).isFalse();
        assertThat(v.activeAt(T0)).isTrue();
        assertThat(v.activeAt(T0.plus(Duration.ofDays(1)))).isFalse();
        assertThat(new Vacation(false, null, null, null, "x", null).activeAt(T0)).isFalse();
        assertThat(new Vacation(true, null, null, null, "x", null).activeAt(T0)).isTrue();
    }
}
