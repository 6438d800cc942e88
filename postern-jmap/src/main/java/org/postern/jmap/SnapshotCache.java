// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.util.LinkedHashMap;
import java.util.Map;
import org.postern.store.Mailbox;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MailboxStore;

/**
 * Mailbox snapshots kept between requests and reused while the mailbox's HIGHESTMODSEQ and UIDNEXT
 * are unchanged (every message change moves HIGHESTMODSEQ, RFC 7162 §3.1.2), so Email/query on a big
 * mailbox reads the store once per change instead of once per request. Bounded by the number of
 * message records held, least recently used mailboxes evicted first.
 *
 * <p>No method reads it any more: they use the store's own cached {@code MailboxIndex}, which follows
 * the change log instead of reloading a changed mailbox. It stays only while {@link CallContext}
 * carries it.
 */
public final class SnapshotCache {
    private record Key(long accountId, long mailboxId) {}

    private final long maxRecords;
    private long records;
    private final LinkedHashMap<Key, MailboxSnapshot> cache = new LinkedHashMap<>(64, 0.75f, true);

    public SnapshotCache(long maxRecords) {
        this.maxRecords = maxRecords;
    }

    /** The snapshot of {@code current}, from the cache when it is still exact. */
    public MailboxSnapshot get(MailboxStore store, Mailbox current) {
        Key k = new Key(current.accountId(), current.id());
        synchronized (this) {
            MailboxSnapshot s = cache.get(k);
            if (s != null && s.mailbox().highestModSeq() == current.highestModSeq() && s.mailbox().uidNext() == current.uidNext()
                    && s.mailbox().messages() == current.messages()) {
                return s;
            }
        }
        MailboxSnapshot fresh = store.snapshot(current.accountId(), current.id());
        synchronized (this) {
            MailboxSnapshot old = cache.put(k, fresh);
            if (old != null) records -= old.messages().size();
            records += fresh.messages().size();
            var it = cache.entrySet().iterator();
            while (records > maxRecords && it.hasNext()) {
                Map.Entry<Key, MailboxSnapshot> e = it.next();
                if (e.getKey().equals(k)) continue;
                records -= e.getValue().messages().size();
                it.remove();
            }
        }
        return fresh;
    }
}
