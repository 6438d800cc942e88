// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.store.BlobStore;

/**
 * Parsed messages by blob id, least recently used evicted, bounded by total bytes. Blobs never change
 * once written, so an entry never goes stale.
 */
public final class MessageCache {
    private final BlobStore blobs;
    private final long maxBytes;
    private long bytes;
    private final LinkedHashMap<String, MimeMessage> cache = new LinkedHashMap<>(64, 0.75f, true);

    public MessageCache(BlobStore blobs, long maxBytes) {
        this.blobs = blobs;
        this.maxBytes = maxBytes;
    }

    public MimeMessage get(String blobId) {
        synchronized (this) {
            MimeMessage m = cache.get(blobId);
            if (m != null) return m;
        }
        byte[] raw;
        try (InputStream in = blobs.open(blobId)) {
            raw = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MimeMessage m = MessageParser.parse(raw);
        synchronized (this) {
            if (cache.put(blobId, m) == null) bytes += raw.length;
            var it = cache.entrySet().iterator();
            while (bytes > maxBytes && it.hasNext()) {
                Map.Entry<String, MimeMessage> e = it.next();
                if (e.getKey().equals(blobId)) continue;
                bytes -= e.getValue().raw().length;
                it.remove();
            }
        }
        return m;
    }
}
