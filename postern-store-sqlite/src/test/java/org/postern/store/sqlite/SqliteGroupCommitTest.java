// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.StoreException;

/** Group commit: concurrent writers share one transaction, yet each fails or succeeds on its own. */
class SqliteGroupCommitTest {
    private static final int WRITERS = 16;

    @TempDir
    Path dir;
    private SqliteDatabase db;
    private ExecutorService pool;

    @BeforeEach
    void open() throws Exception {
        db = new SqliteDatabase(dir.resolve("t.db"), new FileBlobStore(dir.resolve("blobs")));
        db.write(tx -> {
            tx.c.exec("CREATE TABLE t (x INTEGER PRIMARY KEY)");
            return null;
        });
        pool = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        db.close();
    }

    /** Holds the write lock until the other writers are queued, so they all land in the next batch. */
    private CompletableFuture<Object> gate() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Object> g = CompletableFuture.supplyAsync(() -> db.write(tx -> {
            running.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (db.queued() < WRITERS && System.nanoTime() < deadline) Thread.onSpinWait();
            return null;
        }), pool);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        return g;
    }

    private CompletableFuture<Object> insert(int x, boolean fail) {
        return CompletableFuture.supplyAsync(() -> db.write(tx -> {
            tx.c.update("INSERT INTO t(x) VALUES (?)", x);
            if (fail) throw new StoreException.Refused("writer " + x + " refuses");
            return x;
        }), pool);
    }

    private TreeSet<Long> rows() {
        return db.read(c -> {
            TreeSet<Long> out = new TreeSet<>();
            try (ResultSet rs = c.query("SELECT x FROM t")) {
                while (rs.next()) out.add(rs.getLong(1));
            }
            return out;
        });
    }

    @Test
    void oneBatchOneCommitAndAFailingBodyFailsAlone() throws Exception {
        long before = db.commits();
        CompletableFuture<Object> gate = gate();
        List<CompletableFuture<Object>> writes = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) writes.add(insert(i, i % 4 == 3));
        gate.get(20, TimeUnit.SECONDS);
        TreeSet<Long> expected = new TreeSet<>();
        for (int i = 0; i < WRITERS; i++) {
            CompletableFuture<Object> w = writes.get(i);
            if (i % 4 == 3) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> w.get(20, TimeUnit.SECONDS));
                assertThat(e.getCause()).isInstanceOf(StoreException.Refused.class);
            } else {
                assertThat(w.get(20, TimeUnit.SECONDS)).isEqualTo(i);
                expected.add((long) i);
            }
        }
        assertThat(rows()).isEqualTo(expected);
        // The gate's batch and one more: 16 writers, one fsync.
        assertThat(db.commits() - before).isEqualTo(2);
    }

    @Test
    void aTransactionLostUnderTheBatchFailsEveryCallerOfIt() throws Exception {
        CompletableFuture<Object> gate = gate();
        List<CompletableFuture<Object>> writes = new ArrayList<>();
        for (int i = 0; i < WRITERS - 1; i++) writes.add(insert(i, false));
        // As SQLite does after disk full or an I/O error: the whole transaction is rolled back.
        writes.add(CompletableFuture.supplyAsync(() -> db.write(tx -> {
            tx.c.exec("ROLLBACK");
            return -1;
        }), pool));
        gate.get(20, TimeUnit.SECONDS);
        for (CompletableFuture<Object> w : writes) {
            org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> w.get(20, TimeUnit.SECONDS));
        }
        assertThat(rows()).isEmpty();
        assertThat(insert(100, false).get(20, TimeUnit.SECONDS)).isEqualTo(100);
        assertThat(rows()).containsExactly(100L);
    }

    @Test
    void pruningTheChangeLogKeepsItsNewestRowSoSequenceNumbersOnlyGrow() {
        String insert = "INSERT INTO changelog(account_id, mailbox_id, modseq, kind, at) VALUES (1, 1, 1, 'MESSAGES', 0) RETURNING seq";
        long last = db.write(tx -> {
            long seq = -1;
            for (int i = 0; i < 5; i++) seq = tx.c.queryLong(insert, -1);
            return seq;
        });
        // Every thousandth write prunes rows older than an hour: these (at = 0) all are.
        for (int i = 0; i < 1000; i++) db.writeFlags(tx -> null);
        long rows = db.read(c -> c.queryLong("SELECT count(*) FROM changelog", -1));
        long max = db.read(c -> c.queryLong("SELECT max(seq) FROM changelog", -1));
        long next = db.write(tx -> tx.c.queryLong(insert, -1));
        assertThat(rows).isEqualTo(1);
        assertThat(max).isEqualTo(last);
        assertThat(next).isEqualTo(last + 1);
    }

    @Test
    void aLoneFailingBodyRollsBackWhatItWroteAndTheNextWriteCommits() throws Exception {
        // Alone in its batch a body runs without a savepoint: its failure rolls back the transaction.
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> insert(7, true).get(20, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(StoreException.Refused.class);
        assertThat(rows()).isEmpty();
        assertThat(insert(8, false).get(20, TimeUnit.SECONDS)).isEqualTo(8);
        assertThat(insert(9, false).get(20, TimeUnit.SECONDS)).isEqualTo(9);
        assertThat(rows()).containsExactly(8L, 9L);
    }

    @Test
    void bodiesRunOnThePlatformCommitterNotOnTheCallersVirtualThread() throws Exception {
        // SQLite's fsync is native: run on a virtual thread it would pin a carrier for the whole flush.
        Object onVirtual = CompletableFuture.supplyAsync(() -> db.write(tx -> Thread.currentThread().isVirtual()), pool)
                .get(20, TimeUnit.SECONDS);
        assertThat(onVirtual).isEqualTo(false);
        assertThat(CompletableFuture.supplyAsync(() -> Thread.currentThread().isVirtual(), pool).get(20, TimeUnit.SECONDS))
                .isTrue();
    }

    @Test
    void aWriteInsideABodyIsRefusedNotDeadlocked() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> db.write(tx -> db.write(inner -> null)));
        assertThat(insert(1, false).join()).isEqualTo(1);
    }

    @Test
    void onlyBatchesOfFlagChangesCommitWithoutFsync() {
        // PRAGMA synchronous: 1 = NORMAL (no fsync at COMMIT in WAL mode), 2 = FULL.
        assertThat(synchronous(true)).isEqualTo(1L);
        assertThat(synchronous(false)).isEqualTo(2L);
        assertThat(synchronous(true)).isEqualTo(1L);
    }

    /** The writer's synchronous setting as a flag change or a durable write sees it. */
    private long synchronous(boolean flagsOnly) {
        SqliteDatabase.TxBody<Long> read = tx -> tx.c.queryLong("PRAGMA synchronous", -1);
        return flagsOnly ? db.writeFlags(read) : db.write(read);
    }

    @Test
    void flagChangesQueuedWithDurableWritesCommitFirstWithoutFsync() throws Exception {
        CompletableFuture<Object> gate = gate();
        long before = db.commits();
        List<CompletableFuture<Long>> flags = new ArrayList<>();
        List<CompletableFuture<Long>> durable = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            SqliteDatabase.TxBody<Long> sync = tx -> tx.c.queryLong("PRAGMA synchronous", -1);
            if (i % 2 == 0) flags.add(CompletableFuture.supplyAsync(() -> db.writeFlags(sync), pool));
            else durable.add(CompletableFuture.supplyAsync(() -> db.write(sync), pool));
        }
        // All queued behind the gate's batch (it waits for them), then taken together: two transactions.
        gate.get(20, TimeUnit.SECONDS);
        for (CompletableFuture<Long> w : flags) assertThat(w.get(20, TimeUnit.SECONDS)).isEqualTo(1L);
        for (CompletableFuture<Long> w : durable) assertThat(w.get(20, TimeUnit.SECONDS)).isEqualTo(2L);
        assertThat(db.commits() - before).isEqualTo(3); // the gate's, the flags', the durable writes'
    }

    @Test
    void aWriteAfterCloseFails() {
        db.close();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> db.write(tx -> null));
    }
}
