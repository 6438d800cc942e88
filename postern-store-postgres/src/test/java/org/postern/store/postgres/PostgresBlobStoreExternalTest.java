// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.postern.store.BlobStoreContract;
import org.postern.store.ExternalBlobStore;
import org.postern.store.MailStore;
import org.postern.store.MessageRecord;

/** The blob contract with the bytes in an object store (here in memory): the database keeps the references. */
class PostgresBlobStoreExternalTest extends BlobStoreContract {
    private static final Map<Path, MemoryObjects> OBJECTS = new ConcurrentHashMap<>();

    @Override
    protected MailStore open(Path dataDir) {
        return PostgresMailStore.open(TestPostgres.forDataDir(dataDir),
                OBJECTS.computeIfAbsent(dataDir, d -> new MemoryObjects()));
    }

    @Test
    void bytesLiveInTheObjectStoreAndOrphansAreSwept() throws IOException, InterruptedException {
        MemoryObjects objects = OBJECTS.get(dataDir);
        long acc = account("alice@example.org").id();
        MessageRecord m = append(acc, inbox(acc).id(), "external");
        assertThat(objects.objects).containsKey(m.blobId());
        store.mailboxes().expunge(acc, inbox(acc).id(), List.of(m.uid()));
        // The row went with its last reference; the object waits for the sweep, which spares young ones.
        assertThat(objects.objects).containsKey(m.blobId());
        reopen();
        assertThat(objects.objects).containsKey(m.blobId());
        objects.written.put(m.blobId(), Instant.now().minus(PostgresBlobStore.ORPHAN_AGE).minusSeconds(60));
        String live = append(acc, inbox(acc).id(), "live").blobId();
        objects.written.put(live, Instant.now().minus(PostgresBlobStore.ORPHAN_AGE).minusSeconds(60));
        reopen(); // the sweep runs in the background after open
        Instant deadline = Instant.now().plusSeconds(10);
        while (objects.objects.containsKey(m.blobId()) && Instant.now().isBefore(deadline)) {
            Thread.sleep(10);
        }
        assertThat(objects.objects).doesNotContainKey(m.blobId()).containsKey(live);
    }

    @Test
    void oneNodeSweepsAtATime() throws Exception {
        MemoryObjects objects = OBJECTS.get(dataDir);
        long acc = account("alice@example.org").id();
        MessageRecord m = append(acc, inbox(acc).id(), "orphan");
        store.mailboxes().expunge(acc, inbox(acc).id(), List.of(m.uid()));
        PostgresBlobStore blobs = (PostgresBlobStore) store.blobs();
        PostgresConfig db = TestPostgres.forDataDir(dataDir);
        // Another node sweeping holds the lock in its own session: this node skips the round.
        try (var other = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
                var st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + PostgresBlobStore.SWEEP_LOCK + ")");
            // Aged only now, so the sweep the store started at open cannot be the one that removes it.
            objects.written.put(m.blobId(), Instant.now().minus(PostgresBlobStore.ORPHAN_AGE).minusSeconds(60));
            assertThat(blobs.sweepObjects()).isFalse();
            assertThat(objects.objects).containsKey(m.blobId());
        }
        // The other node's session ended, and with it the lock.
        Instant deadline = Instant.now().plusSeconds(10);
        while (!blobs.sweepObjects() && Instant.now().isBefore(deadline)) Thread.sleep(20);
        assertThat(objects.objects).doesNotContainKey(m.blobId());
    }

    /** An object store in memory, keeping its objects across re-opens of the same data directory. */
    static final class MemoryObjects implements ExternalBlobStore {
        final Map<String, byte[]> objects = new ConcurrentHashMap<>();
        final Map<String, Instant> written = new ConcurrentHashMap<>();
        private final SecureRandom random = new SecureRandom();

        @Override
        public BlobWriter create() {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            return new BlobWriter() {
                @Override
                public OutputStream stream() {
                    return buffer;
                }

                @Override
                public long size() {
                    return buffer.size();
                }

                @Override
                public String commit() {
                    byte[] b = new byte[16];
                    random.nextBytes(b);
                    String id = HexFormat.of().formatHex(b);
                    objects.put(id, buffer.toByteArray());
                    written.put(id, Instant.now());
                    return id;
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public InputStream open(String blobId) throws IOException {
            byte[] b = objects.get(blobId);
            if (b == null) throw new NoSuchFileException(blobId);
            return new ByteArrayInputStream(b);
        }

        @Override
        public long size(String blobId) throws IOException {
            byte[] b = objects.get(blobId);
            if (b == null) throw new NoSuchFileException(blobId);
            return b.length;
        }

        @Override
        public void delete(String blobId) {
            objects.remove(blobId);
            written.remove(blobId);
        }

        @Override
        public void list(Instant writtenBefore, PageConsumer page) throws IOException {
            List<String> old = new ArrayList<>();
            written.forEach((id, at) -> {
                if (at.isBefore(writtenBefore)) old.add(id);
            });
            page.accept(old);
        }

        @Override
        public void close() {}
    }
}
