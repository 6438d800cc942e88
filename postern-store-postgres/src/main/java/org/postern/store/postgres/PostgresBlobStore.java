// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.postern.store.BlobStore;
import org.postern.store.ExternalBlobStore;
import org.postern.store.StoreException;

/**
 * Message bodies in PostgreSQL: a {@code blobs} row per body and its bytes in {@code blob_chunks} of
 * {@link #CHUNK} bytes, so writing and reading a body of any size holds one chunk in memory and no
 * connection between chunks (a slow SMTP client does not pin a pooled connection). Ids are random, not
 * content addressed, so deleting one message's body can never affect another's.
 *
 * <p>A body is invisible until {@link BlobWriter#commit()} marks it committed; a small one is written
 * in that single transaction. Bodies are deleted by the transaction that drops their last reference
 * (schema triggers). Bodies never committed, or committed but never referenced (a crash between the
 * two), are removed after {@link #ORPHAN_AGE} when a store opens.
 *
 * <p>With an {@link ExternalBlobStore} (S3) the bytes of new bodies go there and the row only counts
 * references: the row is inserted, committed, after the object store acknowledged the object, so a
 * body with a row always has its bytes. The schema's triggers drop rows without telling this class, so
 * objects without a row and older than {@link #ORPHAN_AGE} are swept in the background after open and
 * every {@link #SWEEP_EVERY}, by one node at a time (a session advisory lock; the others skip that round). Bodies written before the switch to an object store stay in {@code blob_chunks}
 * and are still read from there.
 */
final class PostgresBlobStore implements BlobStore {
    static final int CHUNK = 256 * 1024;
    static final Duration ORPHAN_AGE = Duration.ofDays(1);
    static final Duration SWEEP_EVERY = Duration.ofHours(6);
    private static final System.Logger LOG = System.getLogger(PostgresBlobStore.class.getName());
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    /** pg_try_advisory_lock key of the object sweep; held by the sweeping node's own session. */
    static final long SWEEP_LOCK = 0x7073776565704cL;

    private final PostgresDatabase db;
    /** Where new bodies' bytes go; null keeps them in {@code blob_chunks}. */
    private final ExternalBlobStore external;
    private final SecureRandom random = new SecureRandom();
    private volatile Thread sweeper;

    PostgresBlobStore(PostgresDatabase db) {
        this(db, null);
    }

    PostgresBlobStore(PostgresDatabase db, ExternalBlobStore external) {
        this.db = db;
        this.external = external;
    }

    static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Removes leftovers of crashed writers and intakes. */
    void removeOrphans() {
        long limit = System.currentTimeMillis() - ORPHAN_AGE.toMillis();
        db.autocommit(s -> s.update("DELETE FROM blobs WHERE refs <= 0 AND created_at < ?", limit));
    }

    /** Deletes objects older than {@link #ORPHAN_AGE} that have no row (any more). */
    boolean sweepObjects() {
        long limit = System.currentTimeMillis() - ORPHAN_AGE.toMillis();
        // A session lock on a connection of its own: it lasts the whole listing without holding a
        // transaction open, and dies with the connection if this node does, so there is no unlock to miss.
        try (java.sql.Connection c = db.dedicatedConnection("postern-blob-sweep");
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + SWEEP_LOCK + ")")) {
            if (!rs.next() || !rs.getBoolean(1)) return false;
            external.list(java.time.Instant.ofEpochMilli(limit), this::deleteUnknown);
            return true;
        } catch (java.sql.SQLException | IOException e) {
            // Only storage is wasted until the next sweep.
            LOG.log(System.Logger.Level.WARNING, "could not sweep the blob object store: " + e);
            return false;
        }
    }

    /** Deletes the objects of a page that have no row: no message or queue entry can reach them. */
    private void deleteUnknown(java.util.List<String> page) throws IOException {
        java.util.List<String> ids = page.stream().filter(PostgresBlobStore::validId).toList();
        if (ids.isEmpty()) return;
        String in = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        java.util.Set<String> known = new java.util.HashSet<>(io(() -> db.autocommit(s -> s.list(
                "SELECT blob_id FROM blobs WHERE blob_id IN (" + in + ")", rs -> rs.getString(1), ids.toArray()))));
        for (String id : ids) {
            if (!known.contains(id)) external.delete(id);
        }
    }

    /**
     * Sweeps the object store now and every {@link #SWEEP_EVERY} until {@link #close()}, in the
     * background: listing a big bucket must not delay a node's start.
     */
    void startSweeper() {
        if (external == null) return;
        sweeper = Thread.ofVirtual().name("blob-sweeper").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    sweepObjects();
                    Thread.sleep(SWEEP_EVERY);
                    removeOrphans();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "blob sweep failed: " + e);
                }
            }
        });
    }

    void close() {
        Thread t = sweeper;
        if (t != null) t.interrupt();
        if (external != null) external.close();
    }

    @Override
    public BlobWriter create() throws IOException {
        if (external != null) return new ExternalWriter(external.create());
        byte[] b = new byte[16];
        random.nextBytes(b);
        return new ChunkedWriter(HexFormat.of().formatHex(b));
    }

    @Override
    public InputStream open(String blobId) throws IOException {
        long size = size(blobId);
        if (external != null && !io(() -> db.autocommit(s -> s.exists(
                "SELECT 1 FROM blob_chunks WHERE blob_id = ? AND seq = 0", blobId)))) {
            return external.open(blobId);
        }
        return new ChunkedReader(blobId, size);
    }

    @Override
    public long size(String blobId) throws IOException {
        if (!validId(blobId)) throw new NoSuchFileException("blob " + blobId);
        long size = io(() -> db.autocommit(s -> s.queryLong("SELECT size FROM blobs WHERE blob_id = ? AND committed", -1,
                blobId)));
        if (size < 0) throw new NoSuchFileException("blob " + blobId);
        return size;
    }

    /**
     * One statement, so it cannot race a delivery: requireBlob's FOR KEY SHARE and the reference
     * triggers' UPDATE wait for the row lock, and a DELETE that waited re-checks {@code refs}.
     */
    @Override
    public void delete(String blobId) throws IOException {
        if (!validId(blobId)) throw new NoSuchFileException("blob " + blobId);
        boolean referenced = io(() -> db.autocommit(s -> s.update("DELETE FROM blobs WHERE blob_id = ? AND refs <= 0",
                blobId) == 0 && s.exists("SELECT 1 FROM blobs WHERE blob_id = ? AND refs > 0", blobId)));
        if (referenced) throw new IOException("blob " + blobId + " is still referenced");
        // Also when there was no row any more: the triggers drop rows, never objects.
        if (external != null) external.delete(blobId);
    }

    @FunctionalInterface
    private interface IoBody<T> {
        T run();
    }

    /** The blob API speaks IOException: a store failure while streaming is an I/O failure to callers. */
    private static <T> T io(IoBody<T> body) throws IOException {
        try {
            return body.run();
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private final class ChunkedWriter implements BlobWriter {
        private final String id;
        private final byte[] buffer = new byte[CHUNK];
        private int filled;
        private int nextSeq;
        private long size;
        private boolean rowWritten;
        private boolean committed;
        private boolean closed;

        ChunkedWriter(String id) {
            this.id = id;
        }

        /** Closing the stream only ends writing; the blob is kept or abandoned by the writer. */
        private final OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                ChunkedWriter.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ChunkedWriter.this.write(b, off, len);
            }
        };

        @Override
        public OutputStream stream() {
            return out;
        }

        @Override
        public long size() {
            return size;
        }

        private void write(byte[] b, int off, int len) throws IOException {
            if (committed || closed) throw new IOException("blob writer already finished");
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                int n = Math.min(len, CHUNK - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                size += n;
                if (filled == CHUNK) flushChunk();
            }
        }

        /** A full chunk goes out in its own short transaction, with the (still uncommitted) blob row. */
        private void flushChunk() throws IOException {
            byte[] data = Arrays.copyOf(buffer, filled);
            int seq = nextSeq;
            boolean needRow = !rowWritten;
            io(() -> db.write(tx -> {
                if (needRow) insertRow(tx.s);
                tx.s.update("INSERT INTO blob_chunks(blob_id, seq, data) VALUES (?, ?, ?)", id, seq, data);
                return null;
            }));
            rowWritten = true;
            nextSeq++;
            filled = 0;
        }

        private void insertRow(PostgresSession s) throws SQLException {
            s.update("INSERT INTO blobs(blob_id, size, committed, refs, created_at) VALUES (?, 0, false, 0, ?)", id,
                    System.currentTimeMillis());
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            if (!committed && rowWritten) {
                io(() -> db.autocommit(s -> s.update("DELETE FROM blobs WHERE blob_id = ? AND NOT committed", id)));
            }
        }

        @Override
        public String commit() throws IOException {
            if (committed || closed) throw new IllegalStateException("blob writer already finished");
            byte[] data = Arrays.copyOf(buffer, filled);
            int seq = nextSeq;
            boolean needRow = !rowWritten;
            long total = size;
            io(() -> db.write(tx -> {
                if (needRow) insertRow(tx.s);
                if (data.length > 0 || seq == 0) {
                    tx.s.update("INSERT INTO blob_chunks(blob_id, seq, data) VALUES (?, ?, ?)", id, seq, data);
                }
                tx.s.update("UPDATE blobs SET committed = true, size = ? WHERE blob_id = ?", total, id);
                return null;
            }));
            committed = true;
            filled = 0;
            return id;
        }
    }

    /** The object is complete in the object store before its row exists, so a row always has bytes. */
    private final class ExternalWriter implements BlobWriter {
        private final BlobWriter bytes;

        ExternalWriter(BlobWriter bytes) {
            this.bytes = bytes;
        }

        @Override
        public OutputStream stream() {
            return bytes.stream();
        }

        @Override
        public long size() {
            return bytes.size();
        }

        @Override
        public String commit() throws IOException {
            long total = bytes.size();
            String id = bytes.commit();
            if (!validId(id)) throw new IOException("object store returned a malformed blob id " + id);
            try {
                io(() -> db.autocommit(s -> s.update(
                        "INSERT INTO blobs(blob_id, size, committed, refs, created_at) VALUES (?, ?, true, 0, ?)", id,
                        total, System.currentTimeMillis())));
            } catch (IOException | RuntimeException e) {
                try {
                    external.delete(id);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed); // the sweep removes it later
                }
                throw e;
            }
            return id;
        }

        @Override
        public void close() throws IOException {
            bytes.close();
        }
    }

    /** Reads one chunk at a time; a body deleted while being read ends in an IOException, not short data. */
    private final class ChunkedReader extends InputStream {
        private final String id;
        private final long size;
        private byte[] chunk = new byte[0];
        private int pos;
        private int nextSeq;
        private long delivered;

        ChunkedReader(String id, long size) {
            this.id = id;
            this.size = size;
        }

        private boolean fill() throws IOException {
            if (pos < chunk.length) return true;
            if (delivered >= size) return false;
            int seq = nextSeq;
            byte[] data = io(() -> db.autocommit(s -> s.one("SELECT data FROM blob_chunks WHERE blob_id = ? AND seq = ?",
                    rs -> rs.getBytes(1), id, seq).orElse(null)));
            if (data == null) throw new IOException("blob " + id + " was deleted while being read");
            chunk = data;
            pos = 0;
            nextSeq++;
            return chunk.length > 0 || fill();
        }

        @Override
        public int read() throws IOException {
            if (!fill()) return -1;
            delivered++;
            return chunk[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            if (!fill()) return -1;
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            delivered += n;
            return n;
        }

        @Override
        public int available() {
            return chunk.length - pos;
        }
    }
}
