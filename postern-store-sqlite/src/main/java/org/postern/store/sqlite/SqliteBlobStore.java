// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import org.postern.store.BlobStore;
import org.postern.store.ExternalBlobStore;
import org.postern.store.StoreException;

/**
 * The embedded store's blobs as callers see them: the bytes live in a byte store (blob files, or an
 * object store given to {@link SqliteMailStore#open(java.nio.file.Path, BlobStore)}), the references
 * in {@code blob_refs}. {@link #delete} checks the references in a write transaction, so it cannot
 * race a delivery that is about to reference the same blob.
 */
final class SqliteBlobStore implements BlobStore {
    private static final System.Logger LOG = System.getLogger(SqliteBlobStore.class.getName());

    private static final Duration ORPHAN_AGE = Duration.ofDays(1);

    private final BlobStore bytes;
    private final SqliteDatabase db;

    SqliteBlobStore(BlobStore bytes, SqliteDatabase db) {
        this.bytes = bytes;
        this.db = db;
    }

    @Override
    public BlobWriter create() throws IOException {
        return bytes.create();
    }

    @Override
    public InputStream open(String blobId) throws IOException {
        return bytes.open(blobId);
    }

    @Override
    public long size(String blobId) throws IOException {
        return bytes.size(blobId);
    }

    @Override
    public void delete(String blobId) throws IOException {
        try {
            db.write(tx -> {
                if (tx.c.queryLong("SELECT refs FROM blob_refs WHERE blob_id = ?", 0, blobId) > 0) {
                    throw new StoreException.Refused("blob " + blobId + " is still referenced");
                }
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

    /** Whether committed bytes exist under this id (a missing or malformed id is simply absent). */
    static boolean exists(BlobStore bytes, String blobId) {
        if (bytes instanceof FileBlobStore files) return files.exists(blobId);
        try {
            bytes.size(blobId);
            return true;
        } catch (IOException e) {
            return false;
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
}
