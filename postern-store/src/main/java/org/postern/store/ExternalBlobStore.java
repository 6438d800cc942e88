// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Blob bytes kept outside a {@link MailStore}'s database, in an object store. It knows nothing of
 * references: the MailStore opened over it keeps them and is its only caller of {@link #delete}.
 *
 * <p>Ids are 32 lowercase hex digits (random, never content addressed: two messages with the same bytes
 * get two blobs, so deleting one can never touch the other). {@link BlobWriter#commit()} returns only
 * after the object store acknowledged the whole object, so a "250 OK" that follows still means the
 * bytes are durable.
 */
public interface ExternalBlobStore extends BlobStore, AutoCloseable {

    /**
     * Passes the ids of the blobs written before {@code writtenBefore}, in pages, to {@code page}: the
     * MailStore deletes those it has no row for (a crash between writing the bytes and the intake, or a
     * blob whose last reference the database dropped without telling it).
     */
    void list(Instant writtenBefore, PageConsumer page) throws IOException;

    @FunctionalInterface
    interface PageConsumer {
        void accept(List<String> ids) throws IOException;
    }

    @Override
    void close();
}
