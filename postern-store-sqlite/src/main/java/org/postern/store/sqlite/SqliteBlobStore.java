// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.postern.store.BlobStore;
import org.postern.store.ExternalBlobStore;
import org.postern.store.StoreException;

/**
 * The embedded store's blobs as callers see them: the bytes of a small body (up to {@link #INLINE_MAX})
 * live in the database ({@code blob_data}), the others in a byte store (blob files, or an object store
 * given to {@link SqliteMailStore#open(java.nio.file.Path, ExternalBlobStore)}); the references are in
 * {@code blob_refs} for both. {@link #delete} checks the references in a write transaction, so it
 * cannot race a delivery that is about to reference the same blob.
 *
 * <p>Why small bodies go to the database: a blob file costs a create in a shared directory, an fsync,
 * a rename and a directory fsync to write, then an open, read and close per read and an unlink; a row
 * is one more write in the group commit whose single WAL fsync the message row needs anyway, one
 * SELECT to read, and goes in the transaction that drops its last reference. Only with blob files:
 * with an object store new bodies all go there as before (rows written before a switch to one are
 * still read and freed here).
 */
final class SqliteBlobStore implements BlobStore {
    private static final System.Logger LOG = System.getLogger(SqliteBlobStore.class.getName());

    /**
     * Bodies up to this size are kept in the database (with blob files); a larger one spills to the byte
     * store. A row costs two writes per 4 KiB page in the WAL and one more at the checkpoint; a file
     * about a dozen calls and two fsyncs whatever its size: past some tens of KiB the file is cheaper.
     */
    static final int INLINE_MAX = 32 * 1024;
    /** First buffer of a new body: grows by doubling to {@link #INLINE_MAX}. */
    private static final int INITIAL_BUFFER = 8 * 1024;

    private static final Duration ORPHAN_AGE = Duration.ofDays(1);

    private final BlobStore bytes;
    private final SqliteDatabase db;
    /** Whether new small bodies go to {@code blob_data}: only when the bytes are the local blob files. */
    private final boolean inline;
    private final SecureRandom random = new SecureRandom();
    /**
     * Small bodies just committed, for the reads that follow at once: the store parses the headers of
     * what it is about to deliver or append (ArrivalKeys), which would otherwise SELECT the bytes the
     * writer had in hand a moment before.
     */
    private final JustWritten justWritten;
    /** Small bodies committed for an intake that no transaction has referenced yet. */
    private final Held held;

    SqliteBlobStore(BlobStore bytes, SqliteDatabase db) {
        this.bytes = bytes;
        this.db = db;
        this.inline = bytes instanceof FileBlobStore;
        this.justWritten = db.justWritten();
        this.held = db.held();
    }

    @Override
    public BlobWriter create() throws IOException {
        return inline ? new InlineWriter(false) : bytes.create();
    }

    /**
     * A small body is held in memory at commit and written by the transaction that stores its message
     * ({@link SqliteTx#referenced}): one group commit per APPEND or delivery instead of two. A large one
     * goes to the byte store, durable at commit, as with {@link #create()}.
     */
    @Override
    public BlobWriter createForIntake() throws IOException {
        return inline ? new InlineWriter(true) : bytes.create();
    }

    /** The body in memory: held for its intake, or just written. */
    private byte[] inMemory(String blobId) {
        byte[] b = held.get(blobId);
        return b != null ? b : justWritten.get(blobId);
    }

    @Override
    public InputStream open(String blobId) throws IOException {
        byte[] just = inMemory(blobId);
        if (just != null) return new ByteArrayInputStream(just);
        byte[] row = inlineBytes(blobId);
        return row != null ? new ByteArrayInputStream(row) : bytes.open(blobId);
    }

    @Override
    public long size(String blobId) throws IOException {
        byte[] just = inMemory(blobId);
        if (just != null) return just.length;
        // length() of a BLOB comes from the record header: the overflow pages holding the bytes are not read.
        long n = readInline(c -> c.queryLong("SELECT length(bytes) FROM blob_data WHERE blob_id = ?", -1, blobId));
        return n >= 0 ? n : bytes.size(blobId);
    }

    /**
     * Whether committed bytes exist under this id (a missing or malformed id is simply absent). A
     * database failure is the store's error (the caller is about to write to it anyway), not "absent".
     */
    boolean exists(String blobId) {
        // Held for its intake, or just written and not freed since (a freed body leaves justWritten): no
        // query on the APPEND path.
        if (inMemory(blobId) != null) return true;
        // Answered by blob_data's index on blob_id alone.
        if (db.readAlone(c -> c.queryLong("SELECT 1 FROM blob_data WHERE blob_id = ?", 0, blobId) == 1)) return true;
        if (bytes instanceof FileBlobStore files) return files.exists(blobId);
        try {
            bytes.size(blobId);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private byte[] inlineBytes(String blobId) throws IOException {
        return readInline(c -> {
            try (ResultSet rs = c.query("SELECT bytes FROM blob_data WHERE blob_id = ?", blobId)) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        });
    }

    /** One statement on a pooled connection, its own snapshot; a database failure is a storage IOException. */
    private <T> T readInline(SqliteDatabase.ReadBody<T> body) throws IOException {
        try {
            return db.readAlone(body);
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void delete(String blobId) throws IOException {
        // Held and never referenced (its intake failed): it was never written.
        if (held.remove(blobId) != null) return;
        try {
            db.write(tx -> {
                if (tx.c.queryLong("SELECT refs FROM blob_refs WHERE blob_id = ?", 0, blobId) > 0) {
                    throw new StoreException.Refused("blob " + blobId + " is still referenced");
                }
                justWritten.remove(blobId);
                // A row is the whole blob: no file to unlink then (that would be a syscall for nothing).
                if (tx.c.update("DELETE FROM blob_data WHERE blob_id = ?", blobId) > 0) return null;
                try {
                    bytes.delete(blobId);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * The orphan sweep: the subquery finds the unreferenced ids from blob_data's index on blob_id (a
     * covering index, small) and blob_refs; only those rows are then read, for their age.
     */
    static final String SWEEP_INLINE = """
            DELETE FROM blob_data WHERE written < ? AND blob_id IN (
              SELECT d.blob_id FROM blob_data d
              WHERE NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.blob_id = d.blob_id AND r.refs > 0))""";

    /**
     * Deletes the rows of {@code blob_data} older than a day that nothing references: written by a
     * delivery that then failed without deleting its blob, or before a crash that came between the blob
     * and the message row (the age spares deliveries under way). Referenced bodies lose their row in
     * the transaction that drops their last reference ({@link SqliteDatabase}). One statement, once per
     * open ({@link #SWEEP_INLINE}): it goes over ids and references, never over the bodies.
     */
    void sweepInline() {
        try {
            int n = db.write(tx -> tx.c.update(SWEEP_INLINE, Instant.now().minus(ORPHAN_AGE).toEpochMilli()));
            if (n > 0) LOG.log(System.Logger.Level.INFO, "deleted " + n + " unreferenced message bodies from the database");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not sweep unreferenced message bodies: " + e);
        }
    }

    /**
     * Deletes objects older than a day that nothing references. {@code blob_refs} has a row exactly for
     * the referenced blobs (a freed one loses its row when its bytes are deleted), so an object without
     * one is either being delivered right now (hence the age) or was left by a crash.
     */
    void sweep(ExternalBlobStore objects) {
        try {
            objects.list(Instant.now().minus(ORPHAN_AGE), page -> {
                for (String id : page) {
                    boolean referenced = db.read(c -> c.queryLong("SELECT refs FROM blob_refs WHERE blob_id = ?", 0,
                            id) > 0);
                    if (!referenced) delete(id);
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not sweep the blob object store: " + e);
        }
    }

    /**
     * The bytes of a store switched to an object store: new bodies go to {@code objects}, bodies written
     * before the switch are still read from (and deleted in) the blob files.
     */
    static BlobStore layered(ExternalBlobStore objects, FileBlobStore files) {
        return new Layered(objects, files);
    }

    private record Layered(ExternalBlobStore objects, FileBlobStore files) implements ExternalBlobStore {
        @Override
        public BlobWriter create() throws IOException {
            return objects.create();
        }

        @Override
        public InputStream open(String blobId) throws IOException {
            return files.exists(blobId) ? files.open(blobId) : objects.open(blobId);
        }

        @Override
        public long size(String blobId) throws IOException {
            return files.exists(blobId) ? files.size(blobId) : objects.size(blobId);
        }

        @Override
        public void delete(String blobId) throws IOException {
            if (files.exists(blobId)) files.delete(blobId);
            objects.delete(blobId);
        }

        @Override
        public void list(Instant writtenBefore, PageConsumer page) throws IOException {
            objects.list(writtenBefore, page);
        }

        @Override
        public void close() {
            objects.close();
        }
    }

    /** Deletes bytes whose last reference is gone; a failure only leaves an orphan behind. */
    static void deleteQuietly(BlobStore bytes, Iterable<String> ids) {
        for (String id : ids) {
            try {
                bytes.delete(id);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not delete blob " + id + ": " + e);
            }
        }
    }

    /**
     * Same id format as the blob files' (32 hex digits), so a body may live in either: the first 12 digits
     * are the time in milliseconds, the other 20 random (80 bits). Bodies stored one after another are
     * then neighbours in every B-tree keyed by blob id ({@code blob_data}, {@code blob_refs},
     * {@code sort_keys}, {@code thread_ids} and the blob indexes of {@code messages}): a commit of new
     * messages dirties about one leaf page per tree, where wholly random ids dirtied one per message and
     * tree, each written to the WAL, fsynced and checkpointed.
     */
    static String newId(java.util.Random random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        long now = System.currentTimeMillis();
        for (int i = 5; i >= 0; i--, now >>>= 8) b[i] = (byte) now;
        return HexFormat.of().formatHex(b);
    }

    /**
     * Buffers a body in memory up to {@link #INLINE_MAX}; commit writes it as one row through the group
     * commit. A body that grows past the limit moves, with what was buffered, to the byte store's writer
     * and is written from then on exactly as without this class.
     */
    private final class InlineWriter implements BlobWriter {
        /** From createForIntake: commit holds the body for the transaction that references it. */
        private final boolean forIntake;
        private String heldId;
        private byte[] buf = new byte[INITIAL_BUFFER];
        private int count;
        private BlobWriter spilled;
        private boolean committed;
        private boolean closed;
        private final OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (committed || closed) throw new IOException("blob writer already finished");
                if (spilled == null && (long) count + len > INLINE_MAX) spill();
                if (spilled != null) {
                    spilled.stream().write(b, off, len);
                    return;
                }
                if (count + len > buf.length) {
                    buf = Arrays.copyOf(buf, Math.min(INLINE_MAX, Math.max(buf.length * 2, count + len)));
                }
                System.arraycopy(b, off, buf, count, len);
                count += len;
            }

            @Override
            public void flush() throws IOException {
                if (spilled != null) spilled.stream().flush();
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };

        InlineWriter(boolean forIntake) {
            this.forIntake = forIntake;
        }

        private void spill() throws IOException {
            spilled = bytes.create();
            spilled.stream().write(buf, 0, count);
            buf = null;
        }

        @Override
        public OutputStream stream() {
            return out;
        }

        @Override
        public long size() {
            return spilled != null ? spilled.size() : count;
        }

        @Override
        public String commit() throws IOException {
            if (committed || closed) throw new IllegalStateException("blob writer already finished");
            if (spilled != null) {
                String id = spilled.commit();
                committed = true;
                return id;
            }
            String id = newId(random);
            byte[] body = count == buf.length ? buf : Arrays.copyOf(buf, count);
            if (forIntake && held.hold(id, body)) {
                committed = true;
                buf = null;
                heldId = id;
                return id;
            }
            long now = System.currentTimeMillis();
            try {
                // Durable on return: the group commit's COMMIT has fsynced the WAL holding the row.
                db.write(tx -> tx.c.update("INSERT INTO blob_data(blob_id, written, bytes) VALUES (?, ?, ?)", id, now,
                        body));
            } catch (StoreException e) {
                throw new IOException("cannot store message body: " + e.getMessage(), e);
            }
            committed = true;
            buf = null;
            justWritten.put(id, body);
            return id;
        }

        /**
         * Abandons the body unless committed: nothing of it was written (or the spilled file is removed).
         * A held body no transaction referenced is abandoned too: it was never written.
         */
        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            buf = null;
            if (heldId != null) held.remove(heldId);
            if (spilled != null) spilled.close();
        }
    }

    /**
     * Small bodies committed by a writer from {@link #createForIntake()} and not yet written: the first
     * transaction that references one writes its row ({@link SqliteTx#referenced}); once that committed
     * the body moves to {@link JustWritten} ({@link #settle}). A writer closed before then drops its
     * body, as does {@link #delete}. At most {@link #MAX_BYTES} in all (many MULTIAPPENDs at once): past
     * that a commit writes its row at once, as for {@link #create()}.
     */
    static final class Held {
        static final long MAX_BYTES = 64L * 1024 * 1024;

        private final ConcurrentHashMap<String, byte[]> byId = new ConcurrentHashMap<>();
        private final AtomicLong bytes = new AtomicLong();

        boolean hold(String id, byte[] body) {
            if (bytes.addAndGet(body.length) > MAX_BYTES) {
                bytes.addAndGet(-body.length);
                return false;
            }
            byId.put(id, body);
            return true;
        }

        byte[] get(String id) {
            return byId.isEmpty() ? null : byId.get(id);
        }

        byte[] remove(String id) {
            byte[] b = byId.remove(id);
            if (b != null) bytes.addAndGet(-b.length);
            return b;
        }

        /** Its row committed: served from {@link JustWritten} from now on. */
        void settle(String id, JustWritten justWritten) {
            byte[] b = remove(id);
            if (b != null) justWritten.put(id, b);
        }
    }

    /**
     * The last few small bodies committed, for two seconds each, at most {@link #MAX_BYTES} in all (by
     * default), oldest out first. Bytes never change under an id; an entry leaves when its blob is freed
     * (SqliteDatabase#collectFreed, {@link SqliteBlobStore#delete}), so a freed body is never served.
     */
    static final class JustWritten {
        static final long MAX_BYTES = 4L * 1024 * 1024;
        static final long MAX_AGE_NANOS = 2_000_000_000L;

        private final long maxBytes;
        private final long maxAgeNanos;

        JustWritten() {
            this(MAX_BYTES, MAX_AGE_NANOS);
        }

        JustWritten(long maxBytes, long maxAgeNanos) {
            this.maxBytes = maxBytes;
            this.maxAgeNanos = maxAgeNanos;
        }

        private record Entry(String id, byte[] body, long at) {}

        private final ConcurrentHashMap<String, Entry> byId = new ConcurrentHashMap<>();
        private final ConcurrentLinkedQueue<Entry> order = new ConcurrentLinkedQueue<>();
        private final AtomicLong bytes = new AtomicLong();

        void put(String id, byte[] body) {
            Entry e = new Entry(id, body, System.nanoTime());
            byId.put(id, e);
            order.add(e);
            bytes.addAndGet(body.length);
            for (Entry old; bytes.get() > maxBytes && (old = order.poll()) != null; ) drop(old);
        }

        byte[] get(String id) {
            Entry e = byId.get(id);
            if (e == null) return null;
            if (System.nanoTime() - e.at() > maxAgeNanos) {
                // Expired entries leave from the front, oldest first, whoever notices.
                for (Entry old; (old = order.peek()) != null && System.nanoTime() - old.at() > maxAgeNanos; ) {
                    if (order.remove(old)) drop(old);
                }
                return null;
            }
            return e.body();
        }

        void remove(String id) {
            Entry e = byId.remove(id);
            if (e != null && order.remove(e)) bytes.addAndGet(-e.body().length);
        }

        private void drop(Entry e) {
            byId.remove(e.id(), e);
            bytes.addAndGet(-e.body().length);
        }

        int size() {
            return byId.size();
        }
    }
}
