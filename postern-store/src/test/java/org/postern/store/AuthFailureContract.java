// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Shared authentication-failure counts: windowed, capped, cleared, swept, seen by a second instance. */
public abstract class AuthFailureContract extends StoreContract {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(15);

    @Test
    void failuresCountInsideTheWindowAcrossInstances() {
        MailStore other = openSecond();
        assertThat(store.authFailures().record("192.0.2.1", T0, T0.minus(WINDOW), 100)).isEqualTo(1);
        assertThat(other.authFailures().record("192.0.2.1", T0.plusSeconds(1), T0.plusSeconds(1).minus(WINDOW), 100)).isEqualTo(2);
        assertThat(store.authFailures().record("192.0.2.1", T0.plusSeconds(1), T0.plusSeconds(1).minus(WINDOW), 100)).isEqualTo(3);
        assertThat(store.authFailures().count("192.0.2.2", T0.minus(WINDOW))).isZero();
        Instant later = T0.plus(WINDOW).plusMillis(500);
        assertThat(other.authFailures().count("192.0.2.1", later.minus(WINDOW))).isEqualTo(2);
        assertThat(other.authFailures().count("192.0.2.1", T0.plusSeconds(2))).isZero();
    }

    @Test
    void aKeyStopsGrowingAtItsCap() {
        for (int i = 0; i < 10; i++) store.authFailures().record("acct:alice@example.org", T0.plusMillis(i), T0.minus(WINDOW), 4);
        assertThat(store.authFailures().count("acct:alice@example.org", T0.minus(WINDOW))).isEqualTo(4);
    }

    @Test
    void clearAndExpireForget() {
        store.authFailures().record("a", T0, T0.minus(WINDOW), 100);
        store.authFailures().record("b", T0, T0.minus(WINDOW), 100);
        store.authFailures().record("b", T0.plus(WINDOW), T0, 100);
        store.authFailures().clear("a");
        assertThat(store.authFailures().count("a", T0.minus(WINDOW))).isZero();
        assertThat(store.authFailures().expire(T0.plusSeconds(1))).isEqualTo(1);
        assertThat(store.authFailures().count("b", T0.minus(WINDOW))).isEqualTo(1);
    }
}
