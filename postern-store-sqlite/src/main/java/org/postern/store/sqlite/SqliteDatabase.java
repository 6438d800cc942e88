// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.postern.store.BlobStore;
import org.postern.store.ChangeEvent;
import org.postern.store.ChangeFeed;
import org.postern.store.StoreException;

/**
 * Connections and transactions. Writes are serialized on one connection, run by one platform thread
 * (the committer), as {@code BEGIN IMMEDIATE} (taking SQLite's write lock up front, so another process
 * cannot make us fail half-way with SQLITE_BUSY); concurrent writes share one transaction and one fsync
 * (group commit). The committer is a platform thread because SQLite's fsync is native code: on a
 * virtual thread it would pin one of the few carrier threads for the whole disk flush, stalling every
 * session scheduled on it; callers instead park (unmounted) until their batch committed. Reads borrow
 * a pooled connection and run in a read transaction, so a multi-statement read sees one snapshot.
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

    /** Bodies per group commit: bounds the time one caller may wait behind others' bodies. */
    static final int MAX_BATCH = 256;

    private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
    private final SqliteConnection writer;
    private final Thread committer;
    /** Set by the committer when it has stopped taking batches; guarded by {@link #queue}'s drain. */
    private volatile boolean stopped;
    private final BlockingQueue<SqliteConnection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<SqliteConnection> allReaders = new ArrayList<>();
    private final BlobStore blobs;
    private final SqliteChangeFeed feed;
    /** Told of each write right after its COMMIT, on the committer thread (the mailbox cache); must not throw. */
    private volatile Consumer<SqliteTx> committed = tx -> {};
    private final int schemaVersion;
    private volatile boolean closed;
    private long writes;
    /** The writer connection's {@code synchronous} setting (committer only): FULL unless a batch held only flag changes. */
    private boolean syncFull = true;
    private volatile long commits;
    /** Small bodies just written, read back at once by the store (SqliteBlobStore); freed ones leave it here. */
    private final SqliteBlobStore.JustWritten justWritten = new SqliteBlobStore.JustWritten();
    /** Small bodies committed for an intake and not yet written: their first referencing transaction writes them. */
    private final SqliteBlobStore.Held held = new SqliteBlobStore.Held();

    SqliteDatabase(Path db, BlobStore blobs) throws SQLException {
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
        committer = Thread.ofPlatform().name("sqlite-committer").daemon(true).unstarted(this::commitLoop);
        committer.start();
    }

    SqliteBlobStore.JustWritten justWritten() {
        return justWritten;
    }

    SqliteBlobStore.Held held() {
        return held;
    }

    int schemaVersion() {
        return schemaVersion;
    }

    /** Sets what is told of each committed write's transaction ({@link SqliteMailboxCache#committed}). */
    void afterCommit(Consumer<SqliteTx> listener) {
        committed = listener;
    }

    SqliteChangeFeed feed() {
        return feed;
    }

    /**
     * Runs {@code body} in a write transaction, durable on return (group commit): callers that arrive
     * while a commit is running queue up, and the committer then runs every queued body in one
     * {@code BEGIN IMMEDIATE} transaction (flag changes among them in one of their own first, see
     * {@link #writeFlags}), each under its own SAVEPOINT (none for a body alone), then
     * commits once, so one WAL fsync covers the whole batch. A body that throws is rolled back to its
     * savepoint (alone: the transaction is rolled back) and fails alone; when the COMMIT (or a rollback to a savepoint) fails, every caller of the batch fails and
     * none is told its data was written. Each body gets its own {@link SqliteTx}, hence its own MODSEQ
     * per account (RFC 7162 §3.1). Events are queued by the committer right after COMMIT (commit order);
     * bodies kept in the database whose last reference a body removed are deleted in its transaction,
     * blob files (or objects) by its caller once the batch committed.
     */
    <T> T write(TxBody<T> body) {
        return write(body, true);
    }

    /**
     * A write that changes only flags (STORE, \Seen by FETCH): committed without its own fsync, like
     * Dovecot's default for flag changes. Such writes commit in a transaction of their own with
     * {@code synchronous = NORMAL} ({@link #runBatch}): in WAL mode the database stays consistent after a
     * power loss, which may lose the last flag changes (never a message: a durable write's WAL fsync makes
     * every earlier frame durable too, so a later durable write never survives an earlier lost one). See
     * the package documentation.
     */
    <T> T writeFlags(TxBody<T> body) {
        return write(body, false);
    }

    private <T> T write(TxBody<T> body, boolean durable) {
        // A body that wrote again would wait for a batch that cannot start before it returns.
        if (Thread.currentThread() == committer) throw new IllegalStateException("nested write transaction");
        checkOpen();
        Pending<T> p = new Pending<>(body, durable);
        queue.add(p);
        LockSupport.unpark(committer);
        boolean interrupted = false;
        // The batch cannot be abandoned once queued (it may commit): wait for its outcome. An untimed
        // park: a timed one on a virtual thread arms and cancels a timer per write, two futex calls
        // more on the scheduler's timer thread. No wake-up is lost: the committer sets stopped before
        // its last drain of the queue, so either that drain finds p (and finishes it, unparking us)
        // or this read of stopped, after p was queued, sees true.
        while (!p.done) {
            if (stopped && queue.remove(p)) {
                p.fail(new IllegalStateException("store is closed"));
                break;
            }
            LockSupport.park(p);
            if (Thread.interrupted()) interrupted = true;
        }
        if (interrupted) Thread.currentThread().interrupt();
        feed.wrote(p.spans);
        return p.outcome(blobs);
    }

    /** The committer: runs queued bodies in batches until closed, then stops. */
    private void commitLoop() {
        while (true) {
            while (queue.isEmpty() && !closed) LockSupport.park(this);
            if (queue.isEmpty()) break;
            try {
                runBatch();
            } catch (Throwable t) {
                // runBatch fails its callers itself; nothing may end this loop while the store is open.
            }
        }
        stopped = true;
        for (Pending<?> p; (p = queue.poll()) != null; ) {
            p.fail(new IllegalStateException("store is closed"));
            p.finish();
        }
    }

    /**
     * One queued write: its body, then its outcome, written by the committer before {@link #done} (a
     * volatile write the caller reads before the outcome, so the outcome is visible to it).
     */
    private static final class Pending<T> {
        final TxBody<T> body;
        final boolean durable;
        final Thread caller = Thread.currentThread();
        T result;
        RuntimeException failure;
        Error error;
        List<String> freed = List.of();
        List<ChangeEvent> events = List.of();
        List<String> settled = List.of();
        SqliteTx tx;
        /** What publishing the events did to the feed's versions (ChangeFeed#lastWrite). */
        Map<Long, ChangeFeed.Span> spans = Map.of();
        volatile boolean done;

        Pending(TxBody<T> body, boolean durable) {
            this.body = body;
            this.durable = durable;
        }

        void finish() {
            done = true;
            LockSupport.unpark(caller);
        }

        boolean ok() {
            return failure == null && error == null;
        }

        void fail(Throwable t) {
            result = null;
            freed = List.of();
            events = List.of();
            settled = List.of();
            tx = null;
            spans = Map.of();
            if (t instanceof Error e) {
                error = e;
            } else if (t instanceof SQLException e) {
                failure = SqliteConnection.map(e);
            } else {
                failure = (RuntimeException) t;
            }
        }

        T outcome(BlobStore blobs) {
            if (error != null) throw error;
            if (failure != null) throw failure;
            SqliteBlobStore.deleteQuietly(blobs, freed);
            return result;
        }
    }

    /**
     * Runs the queued bodies; called by the committer only. Flag changes queued with durable writes
     * commit first, as a transaction of their own without fsync: a STORE then waits for no disk flush
     * (before, it waited for the fsync of whatever APPEND or EXPUNGE shared its batch), and the durable
     * transaction's fsync right after makes their frames durable too (the WAL is written in order).
     */
    private void runBatch() {
        List<Pending<?>> batch = new ArrayList<>();
        for (Pending<?> q; batch.size() < MAX_BATCH && (q = queue.poll()) != null; ) batch.add(q);
        List<Pending<?>> durable = new ArrayList<>(batch.size());
        List<Pending<?>> flags = new ArrayList<>(batch.size());
        for (Pending<?> p : batch) (p.durable ? durable : flags).add(p);
        if (!flags.isEmpty()) commitBatch(flags, false);
        if (!durable.isEmpty()) commitBatch(durable, true);
    }

    /** Runs bodies as one transaction, committed with an fsync when {@code durable}. */
    private void commitBatch(List<Pending<?>> batch, boolean durable) {
        List<Long> seqs = new ArrayList<>();
        boolean begun = false;
        try {
            checkOpen();
            if (durable != syncFull) {
                // Outside a transaction: the setting applies to the next COMMIT.
                writer.update(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
                syncFull = durable;
            }
            // Cached statements (SqliteConnection.update): parsed once, not once per batch; every
            // APPEND, STORE and EXPUNGE passes here (with a savepoint when it shares the batch).
            writer.update("BEGIN IMMEDIATE");
            begun = true;
            long now = System.currentTimeMillis();
            // A body alone needs no savepoint: if it fails, the whole transaction is its own to roll back.
            boolean alone = batch.size() == 1;
            for (Pending<?> p : batch) runOne(p, now, seqs, !alone);
            if (alone && !batch.get(0).ok()) {
                begun = false;
                writer.exec("ROLLBACK");
                return;
            }
            if (++writes % 1000 == 0) {
                // By sequence (the table's own order), not by an index on the time: one index less to
                // write on every commit. Rows are appended in time order, so the scan stops at the first
                // row to keep, having read only those it deletes. The newest row always stays: without
                // AUTOINCREMENT (schema 14) it is what keeps sequence numbers from being handed out again.
                writer.update("""
                        DELETE FROM changelog WHERE seq < min(
                          coalesce((SELECT seq FROM changelog WHERE at >= ? ORDER BY seq LIMIT 1), 9223372036854775807),
                          (SELECT max(seq) FROM changelog))""",
                        now - CHANGELOG_KEEP_MS);
            }
            feed.expectOwn(seqs);
            writer.update("COMMIT");
            begun = false;
            commits++;
            for (Pending<?> p : batch) {
                if (!p.ok()) continue;
                p.spans = feed.publish(p.events);
                committed.accept(p.tx);
                // Written and committed: read from memory a little longer, but no longer held.
                for (String id : p.settled) held.settle(id, justWritten);
            }
        } catch (SQLException | RuntimeException | Error e) {
            // Nothing of this batch is durable: no caller may be told otherwise.
            feed.forgetOwn(seqs);
            rollback(begun);
            for (Pending<?> p : batch) {
                if (p.ok()) p.fail(e);
            }
        } finally {
            for (Pending<?> p : batch) p.finish();
        }
    }

    /**
     * One body inside the batch transaction, under a savepoint when it shares the batch. A failure of the
     * body itself rolls back to the savepoint and fails only this caller (a body alone: the caller rolls
     * the transaction back); a failure to roll back propagates and fails the batch.
     */
    private <T> void runOne(Pending<T> p, long now, List<Long> seqs, boolean savepoint) throws SQLException {
        if (savepoint) writer.update("SAVEPOINT w");
        SqliteTx tx = new SqliteTx(writer, held);
        List<Long> mine = new ArrayList<>();
        try {
            T result = p.body.run(tx);
            tx.finish();
            List<String> freed = new ArrayList<>();
            if (tx.releasedBlobs()) collectFreed(freed);
            List<ChangeEvent> events = tx.events();
            for (ChangeEvent e : events) {
                mine.add(writer.queryLong("""
                        INSERT INTO changelog(account_id, mailbox_id, modseq, kind, at, entry) VALUES (?, ?, ?, ?, ?, ?)
                        RETURNING seq""", -1, e.accountId(), e.mailboxId(), e.modSeq(), e.kind().name(), now,
                        e.entry() == null ? null : e.entry().text()));
            }
            if (savepoint) writer.update("RELEASE w");
            p.result = result;
            p.freed = freed;
            p.events = events;
            p.settled = tx.settled();
            p.tx = tx;
            seqs.addAll(mine);
        } catch (SQLException | RuntimeException | Error e) {
            // SQLite rolls the whole transaction back by itself after some errors (disk full, I/O):
            // then ROLLBACK TO fails, and so does the batch.
            if (savepoint) {
                writer.exec("ROLLBACK TO w");
                writer.exec("RELEASE w");
            }
            p.fail(e);
            if (e instanceof SQLException s && SqliteConnection.map(s) instanceof StoreException.Unavailable u) throw u;
        }
    }

    /**
     * Drops the references that reached zero. Bodies kept in the database go in this transaction too;
     * {@code freed} gets the others, whose bytes (files, objects) the caller deletes once committed.
     */
    private void collectFreed(List<String> freed) throws SQLException {
        List<String> gone = new ArrayList<>();
        try (ResultSet rs = writer.query("DELETE FROM blob_refs WHERE refs <= 0 RETURNING blob_id")) {
            while (rs.next()) gone.add(rs.getString(1));
        }
        for (String id : gone) {
            if (writer.update("DELETE FROM blob_data WHERE blob_id = ?", id) > 0) justWritten.remove(id);
            else freed.add(id);
        }
    }

    private void rollback(boolean begun) {
        if (!begun) return;
        try {
            writer.exec("ROLLBACK");
        } catch (SQLException ignored) {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL)
        }
    }

    /** Runs {@code body} in a read transaction on a pooled connection. */
    <T> T read(ReadBody<T> body) {
        SqliteConnection c = borrow();
        try {
            // Cached statements: every read passes here, several times per IMAP command.
            c.update("BEGIN");
            try {
                return body.run(c);
            } finally {
                c.update("COMMIT");
            }
        } catch (SQLException e) {
            throw SqliteConnection.map(e);
        } finally {
            readers.add(c);
        }
    }

    /**
     * Runs {@code body} on a pooled connection outside a transaction: for a body that reads with one
     * statement (its own snapshot) or opens a read transaction itself when it needs more. Saves the
     * BEGIN and COMMIT that LIST, STATUS and every check after an IMAP command would otherwise run.
     * The body must close every result set it opens: an open one would keep its snapshot.
     */
    <T> T readAlone(ReadBody<T> body) {
        SqliteConnection c = borrow();
        try {
            return body.run(c);
        } catch (SQLException e) {
            throw SqliteConnection.map(e);
        } finally {
            readers.add(c);
        }
    }

    private SqliteConnection borrow() {
        checkOpen();
        SqliteConnection c;
        try {
            c = readers.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException.Unavailable("interrupted waiting for a database connection", e);
        }
        if (c == null) throw new StoreException.Unavailable("no database connection free", null);
        return c;
    }

    /** Writes waiting for the next batch (tests). */
    int queued() {
        return queue.size();
    }

    /** Batches committed so far (tests). */
    long commits() {
        return commits;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("store is closed");
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        // A running batch finishes; what is still queued then fails (checkOpen) and the committer stops.
        LockSupport.unpark(committer);
        boolean interrupted = false;
        while (committer.isAlive()) {
            try {
                committer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        feed.close();
        writer.close();
        for (SqliteConnection r : allReaders) r.close();
        if (interrupted) Thread.currentThread().interrupt();
    }
}
