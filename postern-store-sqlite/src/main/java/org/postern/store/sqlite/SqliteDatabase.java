// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.postern.store.ChangeEvent;
import org.postern.store.StoreException;

/**
 * Connections and transactions. Writes are serialized by one lock over one connection and run as
 * {@code BEGIN IMMEDIATE} (taking SQLite's write lock up front, so another process cannot make us
 * fail half-way with SQLITE_BUSY). Reads borrow a pooled connection and run in a read transaction, so
 * a multi-statement read sees one snapshot.
 */
final class SqliteDatabase implements AutoCloseable {
    static final int READERS = 4;
    /** Rows of the change log older than this are pruned: pollers are at most seconds behind. */
    private static final long CHANGELOG_KEEP_MS = 3_600_000;

    @FunctionalInterface
    interface TxBody<T> {
        T run(SqliteTx tx) throws SQLException;
    }

    @FunctionalInterface
    interface ReadBody<T> {
        T run(SqliteConnection c) throws SQLException;
    }

    private final ReentrantLock writeLock = new ReentrantLock();
    private final SqliteConnection writer;
    private final BlockingQueue<SqliteConnection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<SqliteConnection> allReaders = new ArrayList<>();
    private final FileBlobStore blobs;
    private final SqliteChangeFeed feed;
    private final int schemaVersion;
    private volatile boolean closed;
    private long writes;

    SqliteDatabase(Path db, FileBlobStore blobs) throws SQLException {
        this.blobs = blobs;
        SqliteConnection w = SqliteConnection.open(db, false);
        List<AutoCloseable> opened = new ArrayList<>(List.of(w));
        try {
            try (ResultSet rs = w.query("PRAGMA journal_mode = WAL")) {
                if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
                    throw new StoreException.Unavailable("cannot switch " + db + " to WAL mode", null);
                }
            }
            schemaVersion = SqliteSchema.migrate(w);
            for (int i = 0; i < READERS; i++) {
                SqliteConnection r = SqliteConnection.open(db, true);
                opened.add(r);
                allReaders.add(r);
                readers.add(r);
            }
            feed = new SqliteChangeFeed(db);
        } catch (SQLException | RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            throw e;
        }
        writer = w;
    }

    int schemaVersion() {
        return schemaVersion;
    }

    SqliteChangeFeed feed() {
        return feed;
    }

    /**
     * Runs {@code body} in one write transaction, durable on return. Afterwards, still under the lock,
     * queues its change events (commit order); then deletes blob files whose last reference it removed.
     */
    <T> T write(TxBody<T> body) {
        List<String> freed = new ArrayList<>();
        T result;
        writeLock.lock();
        try {
            checkOpen();
            SqliteTx tx = new SqliteTx(writer);
            List<Long> seqs = new ArrayList<>();
            boolean begun = false;
            try {
                writer.exec("BEGIN IMMEDIATE");
                begun = true;
                result = body.run(tx);
                tx.finish();
                if (tx.releasedBlobs()) collectFreed(freed);
                List<ChangeEvent> events = tx.events();
                long now = System.currentTimeMillis();
                for (ChangeEvent e : events) {
                    writer.update("INSERT INTO changelog(account_id, mailbox_id, modseq, kind, at) VALUES (?, ?, ?, ?, ?)",
                            e.accountId(), e.mailboxId(), e.modSeq(), e.kind().name(), now);
                    seqs.add(writer.lastInsertId());
                }
                if (++writes % 1000 == 0) writer.update("DELETE FROM changelog WHERE at < ?", now - CHANGELOG_KEEP_MS);
                feed.expectOwn(seqs);
                writer.exec("COMMIT");
                begun = false;
                feed.publish(events);
            } catch (SQLException e) {
                rollback(begun, seqs);
                freed.clear();
                throw SqliteConnection.map(e);
            } catch (RuntimeException | Error e) {
                rollback(begun, seqs);
                freed.clear();
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
        blobs.deleteQuietly(freed);
        return result;
    }

    private void collectFreed(List<String> freed) throws SQLException {
        try (ResultSet rs = writer.query("SELECT blob_id FROM blob_refs WHERE refs <= 0")) {
            while (rs.next()) freed.add(rs.getString(1));
        }
        if (!freed.isEmpty()) writer.update("DELETE FROM blob_refs WHERE refs <= 0");
    }

    private void rollback(boolean begun, List<Long> seqs) {
        feed.forgetOwn(seqs);
        if (!begun) return;
        try {
            writer.exec("ROLLBACK");
        } catch (SQLException ignored) {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL)
        }
    }

    /** Runs {@code body} in a read transaction on a pooled connection. */
    <T> T read(ReadBody<T> body) {
        checkOpen();
        SqliteConnection c;
        try {
            c = readers.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException.Unavailable("interrupted waiting for a database connection", e);
        }
        if (c == null) throw new StoreException.Unavailable("no database connection free", null);
        try {
            c.exec("BEGIN");
            try {
                return body.run(c);
            } finally {
                c.exec("COMMIT");
            }
        } catch (SQLException e) {
            throw SqliteConnection.map(e);
        } finally {
            readers.add(c);
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("store is closed");
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) return;
            closed = true;
            feed.close();
            writer.close();
        } finally {
            writeLock.unlock();
        }
        for (SqliteConnection r : allReaders) r.close();
    }
}
