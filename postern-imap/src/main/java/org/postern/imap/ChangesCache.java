// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.postern.store.MailboxChanges;
import org.postern.store.MailboxStore;

/**
 * One {@code changesSince} answer shared by the IDLE sessions that watch the same mailbox from the same
 * MODSEQ (RFC 2177): a delivery to a mailbox that many connections idle on wakes them all at once, and
 * each asking the store the same question made the fan-out cost one store query per connection
 * instead of one per mailbox. Concurrent askers wait for the first one's answer.
 *
 * <p>Invariant: an answer is handed to a session only if its query started after the last change
 * event that session received ({@link #tick} orders both on one clock). A change is committed before
 * its event is published, so such an answer includes every change the session was woken for;
 * anything later wakes the session again. Commands (whose own changes may not have been published
 * yet) ask the store directly.
 */
final class ChangesCache {
    /** Answers with more than this many entries are not kept: rare, and large. */
    private static final int MAX_CHANGES = 512;
    private static final int MAX_ENTRIES = 4_096;
    private static final AtomicLong CLOCK = new AtomicLong();

    private record Key(long accountId, long mailboxId, long since) {}

    private record Entry(long startedAt, CompletableFuture<MailboxChanges> answer) {}

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    /** A point on the clock: taken when a session receives a change event, and when a query starts. */
    static long tick() {
        return CLOCK.incrementAndGet();
    }

    /**
     * Changes of the mailbox after {@code since}, from a query that started after {@code lastEvent}
     * (the session's last {@link #tick} on a change event).
     */
    MailboxChanges changesSince(MailboxStore mailboxes, long accountId, long mailboxId, long since, long lastEvent) {
        Key key = new Key(accountId, mailboxId, since);
        for (int attempt = 0; attempt < 4; attempt++) {
            Entry e = entries.get(key);
            if (e != null && e.startedAt() > lastEvent) {
                try {
                    return e.answer().join();
                } catch (CompletionException failed) {
                    // The first asker got the failure; this one asks again below.
                }
            }
            if (entries.size() >= MAX_ENTRIES) entries.clear();
            Entry mine = new Entry(tick(), new CompletableFuture<>());
            boolean placed = e == null ? entries.putIfAbsent(key, mine) == null : entries.replace(key, e, mine);
            if (!placed) continue;
            try {
                MailboxChanges c = mailboxes.changesSince(accountId, mailboxId, since);
                mine.answer().complete(c);
                if (c.changed().size() + c.expunged().size() > MAX_CHANGES) entries.remove(key, mine);
                return c;
            } catch (RuntimeException failure) {
                mine.answer().completeExceptionally(failure);
                entries.remove(key, mine);
                throw failure;
            }
        }
        return mailboxes.changesSince(accountId, mailboxId, since);
    }
}
