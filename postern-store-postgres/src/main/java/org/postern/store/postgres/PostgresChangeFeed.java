// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.postern.store.ChangeEvent;
import org.postern.store.ChangeFeed;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Change events through PostgreSQL LISTEN/NOTIFY, so they cross nodes. Every write transaction
 * NOTIFYs its events ({@link PostgresTx#finish}); the server delivers a notification only after its
 * transaction committed, and notifications of different transactions in commit order, to every
 * listening session of the database, this node's own included. So one path serves local and remote
 * changes alike, in commit order, and an own change is never announced twice.
 *
 * <p>One dedicated connection LISTENs; one thread reads it and calls the listeners (which must return
 * quickly). When the connection breaks it is re-opened with backoff, and changes committed while no
 * connection listened are made up for by a resync once LISTEN runs again (so nothing committed after
 * that point can be missed either): every subscribed account gets an account-wide event (sessions then
 * ask {@code changesSince}, as for any event), an account deleted meanwhile gets
 * {@link ChangeEvent.Kind#ACCOUNT}, and so does one whose credentials changed (compared with a
 * fingerprint taken while subscribed); subscribers to all accounts get one event for account 0, "look
 * at everything". Events are hints, so a resync may announce what a session already knows, never less.
 * The queue channel wakes queue runners on every node when an entry is committed elsewhere; a resync
 * wakes this node's runner too.
 *
 * <p>The connection's {@code application_name} carries the node id ({@link #LISTEN_APPLICATION}): while
 * it is in {@code pg_stat_activity} the node is alive, which is how other nodes tell a dead node's queue
 * claims from a live one's ({@link PostgresOutboundQueue#due}).
 */
final class PostgresChangeFeed implements ChangeFeed, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PostgresChangeFeed.class.getName());
    static final String CHANNEL = "postern_changes";
    static final String QUEUE_CHANNEL = "postern_queue";
    /** {@code application_name} of the LISTEN connection, followed by the node id. */
    static final String LISTEN_APPLICATION = "postern-listen ";
    private static final int WAIT_MS = 250;
    /** Accounts per resync query ({@code = ANY(array)}): bounds each statement's size. */
    static final int RESYNC_BATCH = 1_000;
    private static final String GONE = "-";

    private record Subscriber(long accountId, Consumer<ChangeEvent> listener) {}

    private final PostgresDatabase db;
    private final String nodeId;
    private final Runnable queueWake;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile Connection connection;
    private volatile boolean closed;
    /** A gap in notifications not yet made up for (feed thread only). */
    private boolean resyncPending;
    /**
     * Per subscribed account, a fingerprint of its credentials as last seen (feed thread only, apart
     * from the lock-free reads of its size by tests): a change found in a resync ends its sessions.
     */
    private final Map<Long, String> credentials = new ConcurrentHashMap<>();
    /** Someone subscribed since the last {@link #fingerprintNewAccounts}. */
    private volatile boolean newSubscribers;
    /** Test hook: runs on the feed thread after a broken connection was closed, before LISTEN again. */
    volatile Runnable beforeRelisten;

    /**
     * @param nodeId this store instance's id: queue notifications it sent itself are skipped (its own
     *     listeners were called directly)
     */
    PostgresChangeFeed(PostgresDatabase db, String nodeId, Runnable queueWake) throws SQLException {
        this.db = db;
        this.nodeId = nodeId;
        this.queueWake = queueWake;
        // Listening before open() returns: nothing committed after it can be missed.
        connection = listen();
        thread = Thread.ofPlatform().daemon().name("postern-store-listen").start(this::loop);
    }

    private Connection listen() throws SQLException {
        Connection c = db.dedicatedConnection(LISTEN_APPLICATION + nodeId);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
            s.execute("LISTEN " + QUEUE_CHANNEL);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    @Override
    public AutoCloseable subscribe(long accountId, Consumer<ChangeEvent> listener) {
        Subscriber s = new Subscriber(accountId, listener);
        subscribers.add(s);
        if (accountId != 0) newSubscribers = true;
        return () -> subscribers.remove(s);
    }

    /** Longest entry text a payload carries: NOTIFY refuses payloads of 8000 bytes and more. */
    static final int MAX_ENTRY_BYTES = 6_000;

    /**
     * "account mailbox modseq KIND", and for METADATA the entry's text after one more space. An
     * entry too long to carry goes as a MAILBOXES hint for the same place: NOTIFY sessions cannot
     * name it, JMAP push still re-reads its states.
     */
    static String encode(ChangeEvent e) {
        String head = e.accountId() + " " + e.mailboxId() + " " + e.modSeq() + " ";
        if (e.entry() == null) return head + e.kind().name();
        String entry = e.entry().text();
        if (entry.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_ENTRY_BYTES) {
            return head + ChangeEvent.Kind.MAILBOXES.name();
        }
        return head + e.kind().name() + " " + entry;
    }

    static ChangeEvent decode(String payload) {
        String[] f = payload.split(" ", 5);
        if (f.length < 4) return null;
        try {
            ChangeEvent.Kind kind = ChangeEvent.Kind.valueOf(f[3]);
            long mailbox = Long.parseLong(f[1]);
            ChangeEvent.Entry entry = null;
            if (kind == ChangeEvent.Kind.METADATA) {
                entry = f.length == 5 ? ChangeEvent.Entry.parse(mailbox, f[4]) : null;
                if (entry == null) return null;
            } else if (f.length != 4) {
                return null;
            }
            return new ChangeEvent(Long.parseLong(f[0]), mailbox, Long.parseLong(f[2]), kind, entry);
        } catch (IllegalArgumentException e) {
            return null; // sent by a newer release: nothing this code can tell listeners
        }
    }

    String nodeId() {
        return nodeId;
    }

    private void loop() {
        long backoff = 100;
        while (!closed) {
            try {
                Connection c = connection;
                if (c == null) {
                    Runnable hook = beforeRelisten;
                    if (hook != null) hook.run();
                    c = listen();
                    connection = c;
                    backoff = 100;
                    LOG.log(System.Logger.Level.INFO, "change feed reconnected");
                }
                // After LISTEN runs again: whatever committed before is read by the resync, whatever
                // commits after is notified.
                if (resyncPending) resync();
                PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(WAIT_MS);
                if (got != null) {
                    for (PGNotification n : got) dispatch(n);
                }
                fingerprintNewAccounts();
            } catch (SQLException | RuntimeException e) {
                if (closed) return;
                LOG.log(System.Logger.Level.WARNING, "change feed connection lost: " + e.getMessage());
                resyncPending = true;
                closeQuietly(connection);
                connection = null;
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private void dispatch(PGNotification n) {
        if (QUEUE_CHANNEL.equals(n.getName())) {
            if (!nodeId.equals(n.getParameter())) queueWake.run();
            return;
        }
        ChangeEvent e = decode(n.getParameter());
        if (e == null) return;
        // Its sessions end now; a fingerprint taken afresh keeps the next resync from ending new ones.
        if (e.kind() == ChangeEvent.Kind.ACCOUNT) credentials.remove(e.accountId());
        dispatch(e);
    }

    private void dispatch(ChangeEvent e) {
        for (Subscriber s : subscribers) {
            if (s.accountId() != 0 && s.accountId() != e.accountId()) continue;
            try {
                s.listener().accept(e);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "change listener failed", ex);
            }
        }
    }

    /** Accounts with a subscriber of their own, in subscription order. */
    private Set<Long> subscribedAccounts() {
        Set<Long> out = new LinkedHashSet<>();
        for (Subscriber s : subscribers) {
            if (s.accountId() != 0) out.add(s.accountId());
        }
        return out;
    }

    /**
     * Makes up for notifications lost while no connection listened. Throws (and stays pending) when
     * the database cannot be read; the loop then reconnects and tries again.
     */
    private void resync() {
        Set<Long> accounts = subscribedAccounts();
        credentials.keySet().retainAll(accounts);
        List<ChangeEvent> events = new ArrayList<>();
        List<Long> ids = new ArrayList<>(accounts);
        for (int from = 0; from < ids.size(); from += RESYNC_BATCH) {
            List<Long> batch = ids.subList(from, Math.min(ids.size(), from + RESYNC_BATCH));
            Map<Long, long[]> found = new HashMap<>();
            Map<Long, String> now = new HashMap<>();
            db.read(s -> {
                s.each("SELECT id, modseq, md5(pw_hash || ':' || pw_scram) FROM accounts WHERE id = ANY(?)", rs -> {
                    found.put(rs.getLong(1), new long[] {rs.getLong(2)});
                    now.put(rs.getLong(1), rs.getString(3));
                }, s.jdbc.createArrayOf("bigint", batch.toArray(Long[]::new)));
                return null;
            });
            for (long id : batch) {
                long[] row = found.get(id);
                String before = credentials.get(id);
                if (row == null) {
                    events.add(new ChangeEvent(id, 0, 0, ChangeEvent.Kind.ACCOUNT));
                    credentials.remove(id);
                } else if (before != null && !before.equals(now.get(id))) {
                    events.add(new ChangeEvent(id, 0, row[0], ChangeEvent.Kind.ACCOUNT));
                    credentials.put(id, now.get(id));
                } else {
                    events.add(new ChangeEvent(id, 0, row[0], ChangeEvent.Kind.MAILBOXES));
                    credentials.put(id, now.get(id));
                }
            }
        }
        resyncPending = false;
        LOG.log(System.Logger.Level.INFO, "change feed resynced " + accounts.size() + " subscribed accounts");
        for (ChangeEvent e : events) dispatch(e);
        ChangeEvent everything = new ChangeEvent(0, 0, 0, ChangeEvent.Kind.MAILBOXES);
        for (Subscriber s : subscribers) {
            if (s.accountId() != 0) continue;
            try {
                s.listener().accept(everything);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "change listener failed", ex);
            }
        }
        // Entries queued by other nodes during the gap did not wake this node's runner.
        queueWake.run();
    }

    /**
     * Takes the credentials fingerprint of accounts subscribed since the last look, on this thread
     * and in batches, so subscribing (an IMAP login) costs no query. An account subscribed in the last
     * quarter second before a gap has none yet, and a password change in that gap goes unnoticed.
     */
    private void fingerprintNewAccounts() {
        if (!newSubscribers) return;
        newSubscribers = false;
        Set<Long> accounts = subscribedAccounts();
        // Accounts nobody follows any more are forgotten here, so the map stays as large as the subscriptions.
        credentials.keySet().retainAll(accounts);
        List<Long> fresh = new ArrayList<>();
        for (long id : accounts) {
            if (!credentials.containsKey(id)) fresh.add(id);
            if (fresh.size() == RESYNC_BATCH) {
                newSubscribers = true; // the rest next time round
                break;
            }
        }
        if (fresh.isEmpty()) return;
        db.read(s -> {
            s.each("SELECT id, md5(pw_hash || ':' || pw_scram) FROM accounts WHERE id = ANY(?)",
                    rs -> credentials.put(rs.getLong(1), rs.getString(2)),
                    s.jdbc.createArrayOf("bigint", fresh.toArray(Long[]::new)));
            return null;
        });
        // Deleted already (its sessions are ending): not asked about again.
        for (long id : fresh) credentials.putIfAbsent(id, GONE);
    }

    /** Accounts whose credentials fingerprint is held (tests). */
    int fingerprinted() {
        return credentials.size();
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(2 * WAIT_MS + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(connection);
    }
}
