// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.store.BlobStore;

/**
 * A session's few most recently parsed messages, so that FETCH 1:* (ENVELOPE BODYSTRUCTURE) followed
 * by BODY[1] and SEARCH over the same messages read each blob once. Small on purpose: a session must
 * stay cheap (HOSTILE C4, 50 KiB per idle session), so large messages are not kept.
 */
public final class MessageCache {
    /** Messages above this size are parsed for the command at hand and then dropped. */
    static final long MAX_CACHED_SIZE = 1L << 20;

    private final int capacity;
    private final LinkedHashMap<String, MimeMessage> entries;

    public MessageCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, MimeMessage> eldest) {
                return size() > MessageCache.this.capacity;
            }
        };
    }

    /** The parsed message of a blob; throws when the blob is gone (e.g. expunged by another session). */
    public MimeMessage get(BlobStore blobs, String blobId, long size) throws IOException {
        MimeMessage m = entries.get(blobId);
        if (m != null) return m;
        m = MessageParser.parse(read(blobs, blobId, size));
        if (size <= MAX_CACHED_SIZE) entries.put(blobId, m);
        return m;
    }

    /** The parsed message if this session holds it, without reading anything. */
    public MimeMessage peek(String blobId) {
        return entries.get(blobId);
    }

    public void clear() {
        entries.clear();
    }

    static byte[] read(BlobStore blobs, String blobId, long size) throws IOException {
        try (InputStream in = blobs.open(blobId)) {
            if (size > Integer.MAX_VALUE - 16) throw new IOException("message too large to parse");
            return in.readAllBytes();
        }
    }
}
