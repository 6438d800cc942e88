// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 * upload, and its blob is deleted from the store unless a message references it (then it stays
 * readable through the message). Kept in memory: pending uploads are deleted on shutdown, which
 * §6.1 allows.
 */
public final class Uploads {
    private static final System.Logger log = System.getLogger(Uploads.class.getName());
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

    /** Removes a blob nothing references ({@link org.postern.store.BlobStore#delete}). */
    @FunctionalInterface
    public interface Deleter {
        void delete(String blobId) throws java.io.IOException;
    }

    /** One account's pending uploads, oldest first. */
    private static final class Account {
        final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
        long bytes;
    }

    private final Map<Long, Account> accounts = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Quota quota;
    private volatile Deleter deleter = id -> {};
    private volatile boolean closed;

    public Uploads(Clock clock) {
        this(clock, Quota.DEFAULT);
    }

    public Uploads(Clock clock, Quota quota) {
        this.clock = clock;
        this.quota = quota;
    }

    /**
     * Expired and pushed-out uploads are deleted from the blob store through {@code deleter}, unless
     * another account holds the same blob pending; the store itself refuses to delete a blob a message
     * references (an upload that became an email stays).
     */
    public Uploads deletingWith(Deleter deleter) {
        this.deleter = deleter;
        return this;
    }

    /** Records a finished upload; re-uploading the same content resets its expiry (§6.1). */
    public void record(long accountId, String blobId, long size) {
        Account a = accounts.computeIfAbsent(accountId, k -> new Account());
        Instant now = clock.instant();
        List<String> dropped = new ArrayList<>();
        synchronized (a) {
            Pending old = a.pending.remove(blobId);
            if (old != null) a.bytes -= old.size();
            expire(a, now, dropped);
            // §6.1: "delete unreferenced blobs in date order, oldest first, until there is room".
            Iterator<Map.Entry<String, Pending>> it = a.pending.entrySet().iterator();
            while (it.hasNext() && (a.bytes + size > quota.bytesPerAccount() || a.pending.size() + 1 > quota.uploadsPerAccount())) {
                Map.Entry<String, Pending> e = it.next();
                a.bytes -= e.getValue().size();
                dropped.add(e.getKey());
                it.remove();
            }
            a.pending.put(blobId, new Pending(size, now));
            a.bytes += size;
        }
        dropped.remove(blobId);
        delete(dropped);
    }

    /** Expires every account's old uploads (run now and then, so idle accounts free their blobs too). */
    public void sweep() {
        Instant now = clock.instant();
        List<String> dropped = new ArrayList<>();
        for (Account a : accounts.values()) {
            synchronized (a) {
                expire(a, now, dropped);
            }
        }
        delete(dropped);
    }

    /**
     * Forgets every pending upload and deletes its blob: on shutdown, since pending uploads are kept
     * in memory only and would be unreachable, and never deleted, after a restart.
     */
    public void dropAll() {
        closed = true; // no request may start using an upload that is about to go
        List<String> dropped = new ArrayList<>();
        for (Account a : accounts.values()) {
            synchronized (a) {
                dropped.addAll(a.pending.keySet());
                a.pending.clear();
                a.bytes = 0;
            }
        }
        delete(dropped);
    }

    private void delete(List<String> blobIds) {
        for (String id : blobIds) {
            if (heldByAnyone(id)) continue;
            try {
                deleter.delete(id);
            } catch (java.io.IOException | RuntimeException e) {
                // Referenced meanwhile (an import) or storage trouble: the blob stays, which is safe.
                log.log(System.Logger.Level.DEBUG, "upload blob " + id + " kept: " + e.getMessage());
            }
        }
    }

    private boolean heldByAnyone(String blobId) {
        for (Account a : accounts.values()) {
            synchronized (a) {
                if (a.pending.containsKey(blobId)) return true;
            }
        }
        return false;
    }

    public boolean owns(long accountId, String blobId) {
        if (closed) return false;
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
        List<String> dropped = new ArrayList<>();
        long bytes;
        synchronized (a) {
            expire(a, clock.instant(), dropped);
            bytes = a.bytes;
        }
        delete(dropped);
        return bytes;
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

    private void expire(Account a, Instant now, List<String> dropped) {
        Iterator<Map.Entry<String, Pending>> it = a.pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Pending> e = it.next();
            Pending p = e.getValue();
            if (now.isBefore(p.uploaded().plus(quota.keep()))) break; // oldest first: the rest are younger
            a.bytes -= p.size();
            dropped.add(e.getKey());
            it.remove();
        }
    }
}
