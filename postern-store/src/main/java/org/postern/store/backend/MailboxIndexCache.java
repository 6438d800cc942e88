// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;

/**
 * Recently used large mailboxes' {@link MailboxIndex}, kept up to date from the database: a cached
 * index as of HIGHESTMODSEQ {@code h} plus the rows with {@code modseq > h} (changed or new) and the
 * expunge log entries with {@code modseq > h} is the mailbox now. That holds as long as a backend's
 * read that shows HIGHESTMODSEQ {@code h} shows every change up to {@code h} (every change stamps the
 * account's MODSEQ counter, taken under the backend's write serialisation) and keeps the expunge log
 * as long as its mailbox. A UIDVALIDITY change (never, since ids are not reused, but cheap to check)
 * reloads. Bounded by the total messages held.
 */
public final class MailboxIndexCache {
    /** Total messages over all cached mailboxes: about 125 bytes each with its blob id, so ~125 MB. */
    public static final int MAX_MESSAGES = 1_000_000;
    /**
     * Mailboxes smaller than this are loaded in full each time. Low: a client that reconnects for
     * every check SELECTs the same few-hundred-message INBOX again and again, and catching a cached
     * index up (two indexed range reads) costs far less than reading every row; the total bound
     * above still caps the memory.
     */
    public static final int MIN_CACHED = 64;

    /** One message row as the backend stores it; flags in {@link FlagCodec}'s stored form. */
    @FunctionalInterface
    public interface Row {
        void add(long uid, long modSeq, String flags, long size, long internalDateMillis, String blobId,
                long savedDateMillis) throws SQLException;
    }

    /** The backend's reads, all inside one consistent read (a transaction or snapshot). */
    public interface Reader {
        /** The mailbox as this read sees it. @throws org.postern.store.StoreException.NotFound */
        Mailbox mailbox(long accountId, long mailboxId) throws SQLException;

        /** Every message row of {@code m}, in UID order. */
        void all(Mailbox m, Row row) throws SQLException;

        /** The rows of {@code m} with {@code modseq > since}, in UID order. */
        void changedSince(Mailbox m, long since, Row row) throws SQLException;

        /** The UIDs in {@code m}'s expunge log with {@code modseq > since}, in any order. */
        long[] expungedSince(Mailbox m, long since) throws SQLException;
    }

    private record Key(long accountId, long mailboxId) {}

    private final LinkedHashMap<Key, MailboxIndex> cache = new LinkedHashMap<>(64, 0.75f, true);
    /** Loads of cold mailboxes in progress, guarded by {@code this}. */
    private final Map<Key, CompletableFuture<MailboxIndex>> loading = new HashMap<>();
    private long held;

    /** The mailbox's index as of the read {@code reader} is in. */
    public MailboxIndex index(Reader reader, long accountId, long mailboxId) throws SQLException {
        Mailbox m = reader.mailbox(accountId, mailboxId);
        Key key = new Key(accountId, mailboxId);
        MailboxIndex cached;
        CompletableFuture<MailboxIndex> theirs = null;
        CompletableFuture<MailboxIndex> mine = null;
        synchronized (this) {
            cached = cache.get(key);
            if (cached == null && m.messages() >= MIN_CACHED) {
                theirs = loading.get(key);
                if (theirs == null) loading.put(key, mine = new CompletableFuture<>());
            }
        }
        if (theirs != null) cached = shared(theirs);
        if (mine != null) return loadShared(reader, m, key, mine);
        MailboxIndex fresh;
        if (cached == null || cached.mailbox().uidValidity() != m.uidValidity()
                || cached.mailbox().highestModSeq() > m.highestModSeq()) {
            fresh = load(reader, m);
        } else if (cached.mailbox().highestModSeq() == m.highestModSeq()) {
            return cached.withMailbox(m);
        } else {
            fresh = merge(reader, cached, m);
        }
        if (fresh.size() >= MIN_CACHED) put(key, fresh);
        return fresh;
    }

    /**
     * The first reader of a cold mailbox loads it; readers arriving meanwhile wait for that load
     * instead of reading the same rows again (on a fresh start the webmail's log-in warm-up and its
     * first list ask for the same 100,000-message Inbox within milliseconds). The load is of the
     * loader's snapshot: a waiter whose snapshot is newer merges the difference as from any cached index.
     */
    private MailboxIndex loadShared(Reader reader, Mailbox m, Key key, CompletableFuture<MailboxIndex> mine) throws SQLException {
        try {
            MailboxIndex fresh = load(reader, m);
            put(key, fresh);
            mine.complete(fresh);
            return fresh;
        } catch (SQLException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (this) {
                loading.remove(key, mine);
            }
        }
    }

    /** Another reader's load, or null when it failed (the caller then loads for itself). */
    private static MailboxIndex shared(CompletableFuture<MailboxIndex> load) {
        try {
            return load.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    private synchronized void put(Key key, MailboxIndex fresh) {
        MailboxIndex old = cache.get(key);
        // A slower reader must not replace what a faster one saw later.
        if (old != null && old.mailbox().highestModSeq() > fresh.mailbox().highestModSeq()) return;
        if (old != null) held -= old.size();
        cache.put(key, fresh);
        held += fresh.size();
        var it = cache.entrySet().iterator();
        while (held > MAX_MESSAGES && it.hasNext()) {
            var e = it.next();
            if (e.getKey().equals(key)) continue;
            held -= e.getValue().size();
            it.remove();
        }
    }

    /** Drops the mailbox (deleted); a later read reloads it. */
    public synchronized void forget(long accountId, long mailboxId) {
        MailboxIndex old = cache.remove(new Key(accountId, mailboxId));
        if (old != null) held -= old.size();
    }

    private static MailboxIndex load(Reader reader, Mailbox m) throws SQLException {
        MailboxIndex.Builder b = new MailboxIndex.Builder(m.messages());
        Map<String, Integer> flagIds = new HashMap<>();
        reader.all(m, (uid, modSeq, flags, size, internalDate, blobId, savedDate) -> {
            Integer id = flagIds.get(flags);
            if (id == null) {
                id = b.intern(FlagCodec.decode(flags));
                flagIds.put(flags, id);
            }
            b.add(uid, modSeq, id, size, internalDate, blobId, savedDate);
        });
        return b.build(m);
    }

    /** The cached index with the changes after its HIGHESTMODSEQ applied, merged in UID order. */
    private static MailboxIndex merge(Reader reader, MailboxIndex old, Mailbox m) throws SQLException {
        long since = old.mailbox().highestModSeq();
        List<long[]> changed = new ArrayList<>();
        List<String> changedFlags = new ArrayList<>();
        List<String> changedBlobs = new ArrayList<>();
        reader.changedSince(m, since, (uid, modSeq, flags, size, internalDate, blobId, savedDate) -> {
            changed.add(new long[] {uid, modSeq, size, internalDate, savedDate});
            changedFlags.add(flags);
            changedBlobs.add(blobId);
        });
        long[] gone = reader.expungedSince(m, since);
        Arrays.sort(gone);
        MailboxIndex.Builder b = new MailboxIndex.Builder(old.size() + changed.size());
        int[] remap = new int[old.flagSets().size()];
        Arrays.fill(remap, -1);
        int i = 0;
        int j = 0;
        while (i < old.size() || j < changed.size()) {
            long ou = i < old.size() ? old.uid(i) : Long.MAX_VALUE;
            long cu = j < changed.size() ? changed.get(j)[0] : Long.MAX_VALUE;
            if (ou < cu) {
                if (Arrays.binarySearch(gone, ou) < 0) {
                    int f = old.flagId(i);
                    if (remap[f] < 0) remap[f] = b.intern(old.flagSets().get(f));
                    b.add(ou, old.modSeq(i), remap[f], old.messageSize(i), old.internalDateMillis(i), old.blobId(i),
                            old.savedDateMillis(i));
                }
                i++;
            } else {
                long[] r = changed.get(j);
                // A row still present was not expunged, even if its UID is in the log (cannot happen: UIDs are not reused).
                b.add(r[0], r[1], b.intern(FlagCodec.decode(changedFlags.get(j))), r[2], r[3], changedBlobs.get(j), r[4]);
                if (ou == cu) i++;
                j++;
            }
        }
        return b.build(m);
    }
}
