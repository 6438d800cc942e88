// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;

class MailboxIndexCacheTest {
    private static final int ROWS = MailboxIndexCache.MIN_CACHED * 4;
    private static final Mailbox INBOX = new Mailbox(2, 1, Mailbox.INBOX, null, 7, ROWS + 1, ROWS, true, ROWS, 0);

    /** A backend whose full reads can be held at the start, counting them. */
    private static final class Reader implements MailboxIndexCache.Reader {
        final AtomicInteger fullReads = new AtomicInteger();
        final AtomicInteger opened = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        /** The next full read fails (once). */
        final java.util.concurrent.atomic.AtomicBoolean failNext = new java.util.concurrent.atomic.AtomicBoolean();

        @Override
        public Mailbox mailbox(long accountId, long mailboxId) {
            opened.incrementAndGet();
            return INBOX;
        }

        @Override
        public void all(Mailbox m, MailboxIndexCache.Row row) throws SQLException {
            fullReads.incrementAndGet();
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new SQLException(e);
            }
            if (failNext.getAndSet(false)) throw new SQLException("disk I/O error");
            for (int uid = 1; uid <= ROWS; uid++) row.add(uid, uid, "", 100, 0, "b" + uid, 0);
        }

        @Override
        public void changedSince(Mailbox m, long since, MailboxIndexCache.Row row) {}

        @Override
        public long[] expungedSince(Mailbox m, long since) {
            return new long[0];
        }
    }

    @Test
    void readersOfAColdMailboxShareOneLoad() throws Exception {
        MailboxIndexCache cache = new MailboxIndexCache();
        Reader reader = new Reader();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            Future<MailboxIndex> first = pool.submit(() -> cache.index(reader, 1, 2));
            assertThat(reader.started.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<MailboxIndex>> others = List.of(pool.submit(() -> cache.index(reader, 1, 2)),
                    pool.submit(() -> cache.index(reader, 1, 2)));
            // Once all three have begun, the first load is still held: the others cannot find the
            // index cached, only in loading (or read it again themselves, which the count would show).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reader.opened.get() < 3 && System.nanoTime() < deadline) Thread.sleep(1);
            reader.release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).size()).isEqualTo(ROWS);
            for (Future<MailboxIndex> f : others) assertThat(f.get(10, TimeUnit.SECONDS).size()).isEqualTo(ROWS);
        }
        assertThat(reader.fullReads).hasValue(1);
    }

    @Test
    void whenTheSharedLoadFailsAWaiterLoadsForItself() throws Exception {
        MailboxIndexCache cache = new MailboxIndexCache();
        Reader reader = new Reader();
        reader.failNext.set(true);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            Future<MailboxIndex> first = pool.submit(() -> cache.index(reader, 1, 2));
            assertThat(reader.started.await(10, TimeUnit.SECONDS)).isTrue();
            Future<MailboxIndex> second = pool.submit(() -> cache.index(reader, 1, 2));
            reader.release.countDown();
            assertThat(first).failsWithin(10, TimeUnit.SECONDS);
            assertThat(second.get(10, TimeUnit.SECONDS).size()).isEqualTo(ROWS);
        }
        assertThat(reader.fullReads).hasValue(2);
    }
}
