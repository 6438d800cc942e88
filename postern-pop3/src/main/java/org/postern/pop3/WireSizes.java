// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.pop3.wire.MessageWriter;
import org.postern.store.BlobStore;

/**
 * The exact transfer size of stored messages (RFC 1939 §5 LIST, §11), by blob id. Blobs never change,
 * so an entry never goes stale; like Dovecot's cached "virtual size", it saves reading a message
 * again on the next login. Bounded: when full, the cache starts over.
 *
 * <p>Measured once per blob with {@link MessageWriter#scan}, a single pass that copies nothing. For
 * a message whose header has raw UTF-8, the size for a client without UTF8 (RFC 6856 §2 downgrade)
 * is measured on first need and kept too.
 */
final class WireSizes {
    private static final int MAX_ENTRIES = 200_000;

    /** {@code downgraded} is -1 until measured; equal to {@code utf8} when the header is ASCII. */
    private record Sizes(long utf8, long downgraded) {}

    private final Map<String, Sizes> cache = new ConcurrentHashMap<>();

    /** Shared by every POP3 listener of the process. */
    static final WireSizes SHARED = new WireSizes();

    long size(BlobStore blobs, String blobId, boolean utf8) throws IOException {
        Sizes s = cache.get(blobId);
        if (s == null) {
            MessageWriter.Shape shape;
            try (InputStream in = blobs.open(blobId)) {
                shape = MessageWriter.scan(in);
            }
            s = new Sizes(shape.octets(), shape.eightBitHeader() ? -1 : shape.octets());
            put(blobId, s);
        }
        if (utf8 || s.downgraded() >= 0) return utf8 ? s.utf8() : s.downgraded();
        long downgraded;
        try (InputStream in = blobs.open(blobId)) {
            downgraded = MessageWriter.size(in, true);
        }
        put(blobId, new Sizes(s.utf8(), downgraded));
        return downgraded;
    }

    private void put(String blobId, Sizes s) {
        if (cache.size() >= MAX_ENTRIES) cache.clear();
        cache.put(blobId, s);
    }
}
