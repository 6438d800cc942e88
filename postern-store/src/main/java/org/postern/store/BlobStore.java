// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Message bodies, byte-exact as received. A blob is written once, made durable, then referenced by
 * messages and queue entries (an {@link Intake} names it); the store deletes it by itself in the
 * transaction that drops its last reference (expunge, mailbox or account deletion, queue entry done).
 *
 * <p>Reference rule for {@link #delete}: only a blob nothing refers to may be deleted by a caller,
 * that is one whose bytes were written but whose intake never happened (a message refused after
 * DATA, an APPEND that failed). A {@link MailStore}'s blobs know the references and refuse to delete
 * a referenced blob; a bare byte store beneath a MailStore (an object store) does not, and only its
 * MailStore calls its {@code delete}.
 */
public interface BlobStore {
    /** Starts a new blob. Write the bytes, then {@link BlobWriter#commit()} or close to abandon. */
    BlobWriter create() throws IOException;

    /**
     * Starts a body this process stores at once, before closing the writer: an APPEND, a delivery. Its
     * {@link BlobWriter#commit()} may keep the bytes in memory; they are then made durable by the
     * transaction that first references the blob (the message or queue row), so storing a message takes
     * one commit instead of two. Until that transaction committed the id must not leave the process,
     * and a writer closed before it abandons the blob. The default is {@link #create()}.
     */
    default BlobWriter createForIntake() throws IOException {
        return create();
    }

    InputStream open(String blobId) throws IOException;

    long size(String blobId) throws IOException;

    /**
     * Deletes a blob no message or queue entry references. Idempotent: an unknown (or already deleted)
     * id is not an error.
     *
     * @throws IOException when the blob is still referenced (it is kept), the id is malformed, or the
     *     storage fails
     */
    void delete(String blobId) throws IOException;

    /** Writes bytes of a new blob. {@code commit} fsyncs it and returns its id. */
    interface BlobWriter extends AutoCloseable {
        OutputStream stream();

        long size();

        /**
         * Durable on return; for a writer from {@link BlobStore#createForIntake()}, durable with the
         * first transaction that references the id.
         */
        String commit() throws IOException;

        /** Abandons the blob unless committed. */
        @Override
        void close() throws IOException;
    }
}
