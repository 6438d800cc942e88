// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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
 * quickly). When the connection breaks it is re-opened with backoff; changes committed meanwhile are
 * not announced, and sessions catch up at their next command through {@code changesSince}.
 * The queue channel wakes queue runners on every node when an entry is committed elsewhere.
 */
final class PostgresChangeFeed implements ChangeFeed, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PostgresChangeFeed.class.getName());
    static final String CHANNEL = "postern_changes";
    static final String QUEUE_CHANNEL = "postern_queue";
    private static final int WAIT_MS = 250;

    private record Subscriber(long accountId, Consumer<ChangeEvent> listener) {}

    private final PostgresDatabase db;
    private final String nodeId;
    private final Runnable queueWake;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile Connection connection;
    private volatile boolean closed;

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
        Connection c = db.dedicatedConnection();
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
        return () -> subscribers.remove(s);
    }

    /** "account mailbox modseq KIND": small, far below NOTIFY's 8000-byte payload limit. */
    static String encode(ChangeEvent e) {
        return e.accountId() + " " + e.mailboxId() + " " + e.modSeq() + " " + e.kind().name();
    }

    static ChangeEvent decode(String payload) {
        String[] f = payload.split(" ");
        if (f.length != 4) return null;
        try {
            return new ChangeEvent(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    ChangeEvent.Kind.valueOf(f[3]));
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
                    c = listen();
                    connection = c;
                    backoff = 100;
                    LOG.log(System.Logger.Level.INFO, "change feed reconnected");
                }
                PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(WAIT_MS);
                if (got == null) continue;
                for (PGNotification n : got) dispatch(n);
            } catch (SQLException e) {
                if (closed) return;
                LOG.log(System.Logger.Level.WARNING, "change feed connection lost: " + e.getMessage());
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
        for (Subscriber s : subscribers) {
            if (s.accountId() != 0 && s.accountId() != e.accountId()) continue;
            try {
                s.listener().accept(e);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "change listener failed", ex);
            }
        }
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
