// SPDX-License-Identifier: Apache-2.0
package org.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.store.AuthFailureStore;
import org.postern.store.StoreException;

/** The throttle counts the same in memory and through a shared store, and nodes sharing one count as one. */
class AuthThrottleTest {
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-01T00:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    /** The store's semantics, in memory; {@code down} makes every call fail as an unreachable database would. */
    static final class Failures implements AuthFailureStore {
        final Map<String, List<Instant>> rows = new HashMap<>();
        boolean down;

        private void check() {
            if (down) throw new StoreException.Unavailable("down", null);
        }

        @Override public synchronized int record(String key, Instant at, Instant since, int cap) {
            check();
            int n = count(key, since);
            if (n >= cap) return n;
            rows.computeIfAbsent(key, k -> new ArrayList<>()).add(at);
            return n + 1;
        }

        @Override public synchronized int count(String key, Instant since) {
            check();
            return (int) rows.getOrDefault(key, List.of()).stream().filter(t -> !t.isBefore(since)).count();
        }

        @Override public synchronized void clear(String key) {
            check();
            rows.remove(key);
        }

        @Override public synchronized int expire(Instant before) {
            check();
            int n = 0;
            for (List<Instant> l : rows.values()) {
                int size = l.size();
                l.removeIf(t -> t.isBefore(before));
                n += size - l.size();
            }
            return n;
        }
    }

    static final AuthThrottle.Policy POLICY = new AuthThrottle.Policy(5, Duration.ofMinutes(15), Duration.ofSeconds(5));
    final TestClock clock = new TestClock();
    final Failures store = new Failures();
    final InetAddress ip = InetAddress.getLoopbackAddress();

    AuthThrottle throttle(boolean sharedMode) {
        return sharedMode ? new AuthThrottle(POLICY, clock, store) : new AuthThrottle(POLICY, clock);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void blocksAtMaxFailuresUntilTheyAgeOutWithGrowingDelays(boolean sharedMode) {
        AuthThrottle t = throttle(sharedMode);
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            assertThat(t.isBlocked(ip)).isFalse();
            delays.add(t.failed(ip, "alice@example.test"));
            clock.now = clock.now.plusSeconds(60);
        }
        assertThat(delays).containsExactly(Duration.ZERO, Duration.ofMillis(250), Duration.ofMillis(500),
                Duration.ofMillis(1000), Duration.ofMillis(2000));
        assertThat(t.isBlocked(ip)).isTrue();
        // The first failure was 5 minutes ago; it leaves the 15-minute window 10 minutes from now.
        clock.now = clock.now.plus(Duration.ofMinutes(10)).minusSeconds(1);
        assertThat(t.isBlocked(ip)).isTrue();
        clock.now = clock.now.plusSeconds(2);
        assertThat(t.isBlocked(ip)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anAccountIsSlowedFromEveryAddressButNeverLockedAndSuccessClearsTheAddress(boolean sharedMode) throws Exception {
        AuthThrottle t = throttle(sharedMode);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 8; i++) last = t.failed(InetAddress.getByName("192.0.2." + (i + 1)), "alice@example.test");
        assertThat(last).isEqualTo(Duration.ofSeconds(5)); // capped
        assertThat(t.isBlocked(InetAddress.getByName("192.0.2.9"))).isFalse();
        for (int i = 0; i < 4; i++) t.failed(ip, null);
        t.succeeded(ip);
        assertThat(t.failed(ip, null)).isZero();
    }

    @Test
    void twoNodesOnOneStoreCountAsOne() {
        AuthThrottle a = throttle(true);
        AuthThrottle b = throttle(true);
        for (int i = 0; i < 5; i++) (i % 2 == 0 ? a : b).failed(ip, "alice@example.test");
        assertThat(a.isBlocked(ip)).isTrue();
        assertThat(b.isBlocked(ip)).isTrue();
        AuthThrottle alone = throttle(false);
        for (int i = 0; i < 3; i++) alone.failed(ip, null);
        assertThat(alone.isBlocked(ip)).isFalse();
    }

    @Test
    void anUnreachableStoreFallsBackToLocalCounts() {
        AuthThrottle t = throttle(true);
        store.down = true;
        for (int i = 0; i < 5; i++) t.failed(ip, "alice@example.test");
        assertThat(t.isBlocked(ip)).isTrue();
        t.sweep();
        store.down = false;
        assertThat(t.isBlocked(ip)).isFalse(); // the store saw none of them
    }

    @Test
    void theSweepExpiresSharedRows() {
        AuthThrottle t = throttle(true);
        t.failed(ip, "alice@example.test");
        clock.now = clock.now.plus(Duration.ofMinutes(16));
        t.sweep();
        assertThat(store.rows.values()).allMatch(List::isEmpty);
    }
}
