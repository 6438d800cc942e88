// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which account uploaded which blob, and how many uploads each account has running
 * (maxConcurrentUpload). RFC 8620 §6.1: an upload belongs to its uploader only; it stays available
 * at least an hour while unreferenced (here {@link Quota#keep}); unreferenced uploads have their own
 * quota, and an upload that would exceed it pushes out the oldest pending uploads first.
 *
 * <p>"Pushed out" and "expired" mean the upload is no longer reachable through this account as an
 * upload; a blob a message references stays readable through the message. Kept in memory: after a
 * restart unreferenced uploads are gone, which §6.1 allows.
 */
public final class Uploads {
    /**
     * @param bytesPerAccount pending upload octets per account; §6.1 wants at least the largest total
     *     a single object may reference (maxSizeUpload here)
     * @param uploadsPerAccount pending uploads per account, so many tiny uploads are bounded too
     * @param keep how long an unreferenced upload stays reachable (§6.1: at least one hour)
     */
    public record Quota(long bytesPerAccount, int uploadsPerAccount, Duration keep) {
        public static final Quota DEFAULT = new Quota(256L << 20, 1_000, Duration.ofHours(24));

        public Quota {
            if (bytesPerAccount <= 0 || uploadsPerAccount <= 0 || keep.isNegative() || keep.isZero()) {
                throw new IllegalArgumentException("quota and keep must be positive");
            }
        }
    }

    private record Pending(long size, Instant uploaded) {}

    /** One account's pending uploads, oldest first. */
    private static final class Account {
        final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
        long bytes;
    }

    private final Map<Long, Account> accounts = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Quota quota;

    public Uploads(Clock clock) {
        this(clock, Quota.DEFAULT);
    }

    public Uploads(Clock clock, Quota quota) {
        this.clock = clock;
        this.quota = quota;
    }

    /** Records a finished upload; re-uploading the same content resets its expiry (§6.1). */
    public void record(long accountId, String blobId, long size) {
        Account a = accounts.computeIfAbsent(accountId, k -> new Account());
        Instant now = clock.instant();
        synchronized (a) {
            Pending old = a.pending.remove(blobId);
            if (old != null) a.bytes -= old.size();
            expire(a, now);
            // §6.1: "delete unreferenced blobs in date order, oldest first, until there is room".
            Iterator<Map.Entry<String, Pending>> it = a.pending.entrySet().iterator();
            while (it.hasNext() && (a.bytes + size > quota.bytesPerAccount() || a.pending.size() + 1 > quota.uploadsPerAccount())) {
                a.bytes -= it.next().getValue().size();
                it.remove();
            }
            a.pending.put(blobId, new Pending(size, now));
            a.bytes += size;
        }
    }

    public boolean owns(long accountId, String blobId) {
        Account a = accounts.get(accountId);
        if (a == null) return false;
        synchronized (a) {
            Pending p = a.pending.get(blobId);
            return p != null && clock.instant().isBefore(p.uploaded().plus(quota.keep()));
        }
    }

    /** Octets of pending uploads an account holds (tests, metrics). */
    public long pendingBytes(long accountId) {
        Account a = accounts.get(accountId);
        if (a == null) return 0;
        synchronized (a) {
            expire(a, clock.instant());
            return a.bytes;
        }
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

    /** Uploads of an account in progress (tests, metrics). */
    public int running(long accountId) {
        AtomicInteger n = running.get(accountId);
        return n == null ? 0 : n.get();
    }

    public void end(long accountId) {
        AtomicInteger n = running.get(accountId);
        if (n != null) n.decrementAndGet();
    }

    private void expire(Account a, Instant now) {
        Iterator<Map.Entry<String, Pending>> it = a.pending.entrySet().iterator();
        while (it.hasNext()) {
            Pending p = it.next().getValue();
            if (now.isBefore(p.uploaded().plus(quota.keep()))) break; // oldest first: the rest are younger
            a.bytes -= p.size();
            it.remove();
        }
    }
}
