// SPDX-License-Identifier: Apache-2.0
package org.postern.auth;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts authentication failures per client address and per account over a sliding window. Past
 * {@code maxFailures} an address is refused outright until its failures age out; each failure also
 * earns a growing delay before the answer, so guessing is slow long before the ban (HOSTILE A19:
 * at most ~30 verifications per address per minute once throttling starts).
 *
 * <p>Accounts are only slowed, never locked: locking would let anyone lock a user out.
 */
public final class AuthThrottle {
    public record Policy(int maxFailures, Duration window, Duration maxDelay) {
        public static final Policy DEFAULT = new Policy(10, Duration.ofMinutes(15), Duration.ofSeconds(5));
        /** Tests that exercise wrong passwords on purpose. */
        public static final Policy RELAXED = new Policy(1000, Duration.ofMinutes(1), Duration.ZERO);
    }

    private static final int MAX_TRACKED = 100_000;

    private final Policy policy;
    private final Clock clock;
    private final Map<Object, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public AuthThrottle(Policy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
    }

    public boolean isBlocked(InetAddress client) {
        return recent(client) >= policy.maxFailures();
    }

    /** Records a failure; returns how long to wait before answering. */
    public Duration failed(InetAddress client, String accountKey) {
        if (failures.size() > MAX_TRACKED) prune();
        int byAddress = add(client);
        int byAccount = accountKey == null ? 0 : add("acct:" + accountKey);
        int n = Math.max(byAddress, byAccount);
        long millis = Math.min(policy.maxDelay().toMillis(), n <= 1 ? 0 : 250L << Math.min(10, n - 2));
        return Duration.ofMillis(millis);
    }

    public void succeeded(InetAddress client) {
        failures.remove(client);
    }

    private int add(Object key) {
        Instant now = clock.instant();
        Deque<Instant> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (d) {
            expire(d, now);
            if (d.size() < policy.maxFailures() * 4) d.addLast(now);
            return d.size();
        }
    }

    private int recent(Object key) {
        Deque<Instant> d = failures.get(key);
        if (d == null) return 0;
        synchronized (d) {
            expire(d, clock.instant());
            return d.size();
        }
    }

    private void expire(Deque<Instant> d, Instant now) {
        Instant cutoff = now.minus(policy.window());
        while (!d.isEmpty() && d.peekFirst().isBefore(cutoff)) d.removeFirst();
    }

    private void prune() {
        Instant now = clock.instant();
        failures.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                expire(e.getValue(), now);
                return e.getValue().isEmpty();
            }
        });
    }
}
