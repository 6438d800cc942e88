// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postern.store.ChangeEvent;
import org.postern.store.ChangeFeed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mailboxes an indexer still has to look at, each queued once however many events name it. Change
 * listeners only {@link #onChange enqueue}: they run on the store's notifier thread and must return
 * quickly. A key stays {@link #pending} from its first event until the indexer calls {@link #done}, so
 * "nothing pending" means every event heard so far has been indexed.
 */
public final class IndexQueue {
    private static final Logger log = LoggerFactory.getLogger(IndexQueue.class);

    /** A mailbox to compare with its mark; mailbox 0 means every mailbox of the account, account 0 every account. */
    public record Key(long accountId, long mailboxId) {
        public static final Key EVERYTHING = new Key(0, 0);
    }

    private final BlockingQueue<Key> queue = new LinkedBlockingQueue<>();
    private final Set<Key> queued = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;
    private AutoCloseable subscription;

    /** Hears every account's changes from now on, until {@link #close}. */
    public void listenTo(ChangeFeed feed) {
        subscription = feed.subscribe(0, this::onChange);
    }

    void onChange(ChangeEvent e) {
        // Identities, submissions, settings and annotations never change searchable text.
        if (!e.kind().aboutMail() && e.kind() != ChangeEvent.Kind.ACCOUNT) return;
        if (e.kind() == ChangeEvent.Kind.MESSAGES && e.mailboxId() != 0) add(new Key(e.accountId(), e.mailboxId()));
        else add(new Key(e.accountId(), 0));
    }

    public void add(Key k) {
        if (closed) return;
        if (queued.add(k)) {
            pending.incrementAndGet();
            queue.add(k);
        }
    }

    /** The next key, or null after {@code millis}; the caller must call {@link #done} for a key it got. */
    public Key poll(long millis) throws InterruptedException {
        Key k = queue.poll(millis, TimeUnit.MILLISECONDS);
        // Before the work starts: an event arriving meanwhile queues the key again.
        if (k != null) queued.remove(k);
        return k;
    }

    public void done() {
        pending.decrementAndGet();
    }

    public int pending() {
        return pending.get();
    }

    /** Stops listening and refuses keys from now on (events still arriving while the indexer stops). */
    public void close() {
        closed = true;
        try {
            if (subscription != null) subscription.close();
        } catch (Exception e) {
            log.debug("unsubscribing the search indexer failed", e);
        }
    }
}
