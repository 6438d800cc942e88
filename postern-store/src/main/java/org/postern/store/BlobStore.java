// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Message bodies, byte-exact as received. A blob is written once, made durable, then referenced by
 * messages; it is deleted when its last message is expunged.
 */
public interface BlobStore {
    /** Starts a new blob. Write the bytes, then {@link BlobWriter#commit()} or close to abandon. */
    BlobWriter create() throws IOException;

    InputStream open(String blobId) throws IOException;

    long size(String blobId) throws IOException;

    /** Writes bytes of a new blob. {@code commit} fsyncs it and returns its id. */
    interface BlobWriter extends AutoCloseable {
        OutputStream stream();

        long size();

        /** Durable on return. */
        String commit() throws IOException;

        /** Abandons the blob unless committed. */
        @Override
        void close() throws IOException;
    }
}
