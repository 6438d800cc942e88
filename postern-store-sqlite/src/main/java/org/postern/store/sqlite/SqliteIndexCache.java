// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import org.postern.store.backend.FlagCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;
import org.postern.store.StoreException;

/**
 * Recently used mailboxes' {@link MailboxIndex}, kept up to date from the database: a cached index as
 * of HIGHESTMODSEQ {@code h} plus the rows with {@code modseq > h} (changed or new) and the expunge
 * log entries with {@code modseq > h} is the mailbox now. That holds because every change stamps the
 * account's MODSEQ counter, which only grows and is taken under SQLite's write lock, so a read
 * transaction that sees HIGHESTMODSEQ {@code h} sees every change up to {@code h}, also of other
 * processes. The expunge log is never pruned while its mailbox exists; a UIDVALIDITY change (never,
 * since ids are not reused, but cheap to check) reloads. Bounded by the total messages held.
 */
final class SqliteIndexCache {
    /** Total messages over all cached mailboxes: about 125 bytes each with its blob id, so ~125 MB. */
    static final int MAX_MESSAGES = 1_000_000;
    /** Mailboxes smaller than this are loaded in full each time: cheap, and not worth the memory. */
    static final int MIN_CACHED = 1_000;

    private record Key(long accountId, long mailboxId) {}

    private final LinkedHashMap<Key, MailboxIndex> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long held;

    /** The mailbox's index as of the read transaction {@code c} is in. */
    MailboxIndex index(SqliteConnection c, long accountId, long mailboxId) throws SQLException {
        Mailbox m = SqliteMailboxStore.findById(c, accountId, mailboxId)
                .orElseThrow(() -> new StoreException.NotFound("no mailbox " + mailboxId));
        Key key = new Key(accountId, mailboxId);
        MailboxIndex cached;
        synchronized (this) {
            cached = cache.get(key);
        }
        MailboxIndex fresh;
        if (cached == null || cached.mailbox().uidValidity() != m.uidValidity()
                || cached.mailbox().highestModSeq() > m.highestModSeq()) {
            fresh = load(c, m);
        } else if (cached.mailbox().highestModSeq() == m.highestModSeq()) {
            return cached.withMailbox(m);
        } else {
            fresh = merge(c, cached, m);
        }
        if (fresh.size() >= MIN_CACHED) put(key, fresh);
        return fresh;
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
    synchronized void forget(long accountId, long mailboxId) {
        MailboxIndex old = cache.remove(new Key(accountId, mailboxId));
        if (old != null) held -= old.size();
    }

    private static MailboxIndex load(SqliteConnection c, Mailbox m) throws SQLException {
        MailboxIndex.Builder b = new MailboxIndex.Builder(m.messages());
        Map<String, Integer> flagIds = new HashMap<>();
        try (ResultSet rs = c.query("SELECT uid, modseq, flags, size, internal_date, blob_id, saved_date"
                + " FROM messages WHERE account_id = ? AND mailbox_id = ? ORDER BY uid", m.accountId(), m.id())) {
            while (rs.next()) {
                String flags = rs.getString(3);
                Integer id = flagIds.get(flags);
                if (id == null) {
                    id = b.intern(FlagCodec.decode(flags));
                    flagIds.put(flags, id);
                }
                b.add(rs.getLong(1), rs.getLong(2), id, rs.getLong(4), rs.getLong(5), rs.getString(6), rs.getLong(7));
            }
        }
        return b.build(m);
    }

    /** The cached index with the changes after its HIGHESTMODSEQ applied, merged in UID order. */
    private static MailboxIndex merge(SqliteConnection c, MailboxIndex old, Mailbox m) throws SQLException {
        long since = old.mailbox().highestModSeq();
        List<long[]> changed = new ArrayList<>();
        List<String> changedFlags = new ArrayList<>();
        List<String> changedBlobs = new ArrayList<>();
        try (ResultSet rs = c.query("SELECT uid, modseq, flags, size, internal_date, blob_id, saved_date"
                + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND modseq > ? ORDER BY uid",
                m.accountId(), m.id(), since)) {
            while (rs.next()) {
                changed.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(4), rs.getLong(5), rs.getLong(7)});
                changedFlags.add(rs.getString(3));
                changedBlobs.add(rs.getString(6));
            }
        }
        long[] gone;
        try (ResultSet rs = c.query("SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ?",
                m.accountId(), m.id(), since)) {
            List<Long> g = new ArrayList<>();
            while (rs.next()) g.add(rs.getLong(1));
            gone = g.stream().mapToLong(Long::longValue).sorted().toArray();
        }
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
