// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which account uploaded which blob (RFC 8620 §6.1: an uploaded blob belongs to the account it was
 * uploaded to, and is kept at least an hour when unreferenced), and how many uploads each account has
 * running (maxConcurrentUpload). Kept in memory: after a restart unreferenced uploads are gone, which
 * §6.1 allows.
 */
public final class Uploads {
    static final Duration KEEP = Duration.ofHours(24);
    private static final int MAX_TRACKED = 100_000;

    private record Owner(long accountId, Instant expires) {}

    private final Map<String, Owner> owners = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Clock clock;

    public Uploads(Clock clock) {
        this.clock = clock;
    }

    public void record(long accountId, String blobId) {
        if (owners.size() >= MAX_TRACKED) purge();
        owners.put(blobId, new Owner(accountId, clock.instant().plus(KEEP)));
    }

    public boolean owns(long accountId, String blobId) {
        Owner o = owners.get(blobId);
        return o != null && o.accountId() == accountId && clock.instant().isBefore(o.expires());
    }

    /** Reserves an upload slot; false when the account already has {@code max} running. */
    public boolean begin(long accountId, int max) {
        AtomicInteger n = running.computeIfAbsent(accountId, k -> new AtomicInteger());
        if (n.incrementAndGet() > max) {
            n.decrementAndGet();
            return false;
        }
        return true;
    }

    public void end(long accountId) {
        AtomicInteger n = running.get(accountId);
        if (n != null) n.decrementAndGet();
    }

    private void purge() {
        Instant now = clock.instant();
        owners.values().removeIf(o -> !now.isBefore(o.expires()));
    }
}
