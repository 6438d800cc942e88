// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import org.postern.store.ChangeEvent;
import org.postern.store.ChangeFeed;
import org.postern.store.ChangeFeed.Span;

/**
 * Publishes change events on one notifier thread. Writes of this process are queued by the committer
 * thread right after their COMMIT, before the next batch, so listeners see them in commit order.
 * Writes of other processes (the CLI) are found by polling the {@code changelog} table every
 * {@link #POLL_MS} ms; {@code PRAGMA data_version} makes an idle poll nearly free. Rows this process
 * wrote itself are recognised by their sequence number and not published twice.
 */
final class SqliteChangeFeed implements ChangeFeed, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SqliteChangeFeed.class.getName());
    static final long POLL_MS = 250;
    private static final ChangeEvent STOP = new ChangeEvent(-1, -1, -1, ChangeEvent.Kind.ACCOUNT);

    private record Subscriber(long accountId, Consumer<ChangeEvent> listener) {}

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    /** {@link #version}: per account (striped, a fixed 32 KiB whatever the number of accounts), and for all. */
    private static final int STRIPES = 4096;
    private final AtomicLongArray versions = new AtomicLongArray(STRIPES);
    private final AtomicLong everyone = new AtomicLong();
    /** {@link #mailboxListsVersion}. */
    private final AtomicLong mailboxLists = new AtomicLong();
    private final BlockingQueue<ChangeEvent> pending = new LinkedBlockingQueue<>();
    private final ConcurrentSkipListSet<Long> own = new ConcurrentSkipListSet<>();
    /** Each writing thread's latest write, by account ({@link #lastWrite}). */
    private final ThreadLocal<Map<Long, Span>> lastWrite = new ThreadLocal<>();
    private final SqliteConnection pollConnection;
    private final Thread notifier;
    private final Thread poller;
    private volatile boolean closed;
    private long lastSeq;
    private long dataVersion = -1;

    SqliteChangeFeed(Path db) throws SQLException {
        pollConnection = SqliteConnection.open(db, true);
        lastSeq = pollConnection.queryLong("SELECT coalesce(max(seq), 0) FROM changelog", 0);
        notifier = Thread.ofVirtual().name("postern-store-notifier").start(this::notifyLoop);
        poller = Thread.ofVirtual().name("postern-store-poller").start(this::pollLoop);
    }

    @Override
    public AutoCloseable subscribe(long accountId, Consumer<ChangeEvent> listener) {
        Subscriber s = new Subscriber(accountId, listener);
        subscribers.add(s);
        return () -> subscribers.remove(s);
    }

    /** Sequence numbers about to be committed by this process: the poller must skip them. */
    void expectOwn(Collection<Long> seqs) {
        own.addAll(seqs);
    }

    void forgetOwn(Collection<Long> seqs) {
        own.removeAll(seqs);
    }

    /**
     * Queues committed events; called by the committer right after the COMMIT that holds them, before
     * their writers are told, so {@link #version} has grown by the time a write returns. Returns the
     * write's span of each account's version ({@link #lastWrite}): one publisher at a time (the committer,
     * the poller), so nothing else grows a version between a span's ends.
     */
    synchronized Map<Long, Span> publish(List<ChangeEvent> events) {
        Map<Long, Long> before = new HashMap<>(4);
        for (ChangeEvent e : events) {
            if (e.accountId() != 0) before.putIfAbsent(e.accountId(), version(e.accountId()));
        }
        for (ChangeEvent e : events) {
            if (e.accountId() == 0) everyone.incrementAndGet();
            else versions.incrementAndGet(stripe(e.accountId()));
            if (e.kind() == ChangeEvent.Kind.MAILBOXES || e.kind() == ChangeEvent.Kind.ACCOUNT) mailboxLists.incrementAndGet();
        }
        if (!closed) pending.addAll(events);
        Map<Long, Span> spans = new HashMap<>(4);
        before.forEach((account, v) -> spans.put(account, new Span(v, version(account))));
        return spans;
    }

    /** On the writer's own thread, once its write returned: what {@link #lastWrite} answers (null: nothing). */
    void wrote(Map<Long, Span> spans) {
        lastWrite.set(spans == null || spans.isEmpty() ? null : spans);
    }

    @Override
    public Span lastWrite(long accountId) {
        Map<Long, Span> spans = lastWrite.get();
        return spans == null ? null : spans.get(accountId);
    }

    @Override
    public long version(long accountId) {
        // Two counters that only grow: their sum grows whenever either does.
        return everyone.get() + versions.get(stripe(accountId));
    }

    /**
     * Grows, like {@link #version}, with every published change to some account's mailboxes themselves
     * (created, renamed, deleted, subscribed, shared: an ACL change is announced to the owner only) or to
     * an account: what may change the grants any account holds.
     */
    long mailboxListsVersion() {
        return mailboxLists.get();
    }

    /** Accounts share counters by hash: a shared one only makes a reader ask the store once more. */
    private static int stripe(long accountId) {
        return (int) (Long.hashCode(accountId * 0x9E3779B97F4A7C15L) & (STRIPES - 1));
    }

    private void notifyLoop() {
        while (true) {
            ChangeEvent e;
            try {
                e = pending.take();
            } catch (InterruptedException ie) {
                return;
            }
            if (e == STOP) return;
            for (Subscriber s : subscribers) {
                if (s.accountId() != 0 && s.accountId() != e.accountId()) continue;
                try {
                    s.listener().accept(e);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "change listener failed", ex);
                }
            }
        }
    }

    private void pollLoop() {
        while (!closed) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException ie) {
                return;
            }
            if (closed) return;
            try {
                poll();
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "change log poll failed: " + e.getMessage());
            }
        }
    }

    private void poll() throws SQLException {
        long v = pollConnection.queryLong("PRAGMA data_version", 0);
        if (v == dataVersion) return;
        dataVersion = v;
        List<ChangeEvent> found = new ArrayList<>();
        try (ResultSet rs = pollConnection.query(
                "SELECT seq, account_id, mailbox_id, modseq, kind, entry FROM changelog WHERE seq > ? ORDER BY seq",
                lastSeq)) {
            while (rs.next()) {
                long seq = rs.getLong(1);
                lastSeq = seq;
                if (own.remove(seq)) continue;
                ChangeEvent.Kind kind;
                try {
                    kind = ChangeEvent.Kind.valueOf(rs.getString(5));
                } catch (IllegalArgumentException unknown) {
                    continue; // written by a newer release; nothing this code can tell listeners
                }
                ChangeEvent.Entry entry = kind == ChangeEvent.Kind.METADATA ? ChangeEvent.Entry.parse(rs.getLong(3), rs.getString(6)) : null;
                if (kind == ChangeEvent.Kind.METADATA && entry == null) continue;
                found.add(new ChangeEvent(rs.getLong(2), rs.getLong(3), rs.getLong(4), kind, entry));
            }
        }
        own.headSet(lastSeq, true).clear();
        publish(found);
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
        pending.add(STOP);
        try {
            poller.join(2_000);
            notifier.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pollConnection.close();
    }
}
