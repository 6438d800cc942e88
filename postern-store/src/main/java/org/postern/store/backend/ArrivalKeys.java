// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import org.postern.core.mime.Headers;
import org.postern.store.BlobStore;
import org.postern.store.MessageSortKeys;
import org.postern.store.ThreadStore;

/**
 * What a backend stores with a new message besides its row: its thread links and its sort keys, both
 * from one reading of its header section, done before the write transaction (no lock is held while
 * the body is read).
 */
public record ArrivalKeys(ThreadStore.Links links, MessageSortKeys sortKeys) {
    /** The keys of a stored body; null when its header section cannot be read (then nothing is stored). */
    public static ArrivalKeys read(BlobStore blobs, String blobId) {
        Headers h = ThreadLinks.headers(blobs, blobId);
        return h == null ? null : new ArrivalKeys(ThreadLinks.of(blobId, h), SortKeyDerivation.of(blobId, h));
    }
}
