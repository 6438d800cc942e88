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
import org.postern.store.AuthFailureStore;
import org.postern.store.StoreException;

/**
 * Counts authentication failures per client address and per account over a sliding window. Past
 * {@code maxFailures} an address is refused outright until its failures age out; each failure also
 * earns a growing delay before the answer, so guessing is slow long before the ban (HOSTILE A19:
 * at most ~30 verifications per address per minute once throttling starts).
 *
 * <p>Accounts are only slowed, never locked: locking would let anyone lock a user out.
 *
 * <p>The counts live in this process, or, with several nodes behind one load balancer, in the shared
 * store ({@link AuthFailureStore}), so N nodes allow no more guesses than one. Both count the same way
 * (every failure inside the window, up to four times {@code maxFailures} per key). When the shared store
 * cannot be reached the local counts carry on: throttling neither fails open nor breaks logins.
 */
public final class AuthThrottle {
    public record Policy(int maxFailures, Duration window, Duration maxDelay) {
        public static final Policy DEFAULT = new Policy(10, Duration.ofMinutes(15), Duration.ofSeconds(5));
        /** Tests that exercise wrong passwords on purpose. */
        public static final Policy RELAXED = new Policy(1000, Duration.ofMinutes(1), Duration.ZERO);
    }

    private static final System.Logger LOG = System.getLogger(AuthThrottle.class.getName());
    private static final int MAX_TRACKED = 100_000;
    private static final String ACCOUNT = "acct:";

    private final Policy policy;
    private final Clock clock;
    private final AuthFailureStore shared;
    private final Map<Object, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private volatile long lastWarning = Long.MIN_VALUE / 2;

    /** Counts in this process only (one node). */
    public AuthThrottle(Policy policy, Clock clock) {
        this(policy, clock, null);
    }

    /** Counts in {@code shared} (every node), or in this process when it is null. */
    public AuthThrottle(Policy policy, Clock clock, AuthFailureStore shared) {
        this.policy = policy;
        this.clock = clock;
        this.shared = shared;
    }

    public boolean isBlocked(InetAddress client) {
        if (shared != null) {
            try {
                return shared.count(key(client), clock.instant().minus(policy.window())) >= policy.maxFailures();
            } catch (StoreException e) {
                unreachable(e);
            }
        }
        return recent(client) >= policy.maxFailures();
    }

    /** Records a failure; returns how long to wait before answering. */
    public Duration failed(InetAddress client, String accountKey) {
        int n = -1;
        if (shared != null) {
            try {
                Instant now = clock.instant();
                Instant since = now.minus(policy.window());
                int cap = cap();
                int byAddress = shared.record(key(client), now, since, cap);
                int byAccount = accountKey == null ? 0 : shared.record(key(accountKey), now, since, cap);
                n = Math.max(byAddress, byAccount);
            } catch (StoreException e) {
                unreachable(e);
            }
        }
        if (n < 0) {
            if (failures.size() > MAX_TRACKED) prune();
            int byAddress = add(client);
            int byAccount = accountKey == null ? 0 : add(ACCOUNT + accountKey);
            n = Math.max(byAddress, byAccount);
        }
        long millis = Math.min(policy.maxDelay().toMillis(), n <= 1 ? 0 : 250L << Math.min(10, n - 2));
        return Duration.ofMillis(millis);
    }

    public void succeeded(InetAddress client) {
        failures.remove(client);
        if (shared == null) return;
        try {
            shared.clear(key(client));
        } catch (StoreException e) {
            unreachable(e);
        }
    }

    /** Forgets failures older than the window (the shared store's rows too); run now and then. */
    public void sweep() {
        prune();
        if (shared == null) return;
        try {
            shared.expire(clock.instant().minus(policy.window()));
        } catch (StoreException e) {
            unreachable(e);
        }
    }

    private int cap() {
        return policy.maxFailures() * 4;
    }

    private static String key(InetAddress client) {
        return client.getHostAddress();
    }

    private static String key(String accountKey) {
        String k = ACCOUNT + accountKey;
        return k.length() > AuthFailureStore.MAX_KEY ? k.substring(0, AuthFailureStore.MAX_KEY) : k;
    }

    private void unreachable(StoreException e) {
        // Once a minute: a guesser must not turn a database outage into a flood of log lines.
        long now = clock.millis();
        if (now - lastWarning < 60_000) return;
        lastWarning = now;
        LOG.log(System.Logger.Level.WARNING, "shared authentication failure counts unavailable, counting locally: {0}",
                e.getMessage());
    }

    private int add(Object key) {
        Instant now = clock.instant();
        Deque<Instant> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (d) {
            expire(d, now);
            if (d.size() < cap()) d.addLast(now);
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
