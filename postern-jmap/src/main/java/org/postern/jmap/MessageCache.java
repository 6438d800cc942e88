// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.store.BlobStore;

/**
 * Parsed messages by blob id, least recently used evicted, bounded by total bytes; and, apart, previews
 * (RFC 8621 §4.1.4), bounded by their total characters, which outlive the parsed
 * message because a message list asks for them again and again. Blobs never change once
 * written, so an entry never goes stale.
 */
public final class MessageCache {
    /** About 16 MB of previews: 256 characters each, some 30,000 messages' worth. */
    private static final long MAX_PREVIEW_CHARS = 8_000_000;

    private final BlobStore blobs;
    private final long maxBytes;
    private long bytes;
    private final LinkedHashMap<String, MimeMessage> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long previewChars;
    private final LinkedHashMap<String, String> previews = new LinkedHashMap<>(64, 0.75f, true);

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

    /** The blob's message preview, computed by {@code compute} once per blob while cached. */
    public String preview(String blobId, Function<MimeMessage, String> compute) {
        synchronized (this) {
            String v = previews.get(blobId);
            if (v != null) return v;
        }
        String v = compute.apply(get(blobId));
        synchronized (this) {
            String old = previews.put(blobId, v);
            if (old != null) previewChars -= blobId.length() + old.length();
            previewChars += blobId.length() + v.length();
            var it = previews.entrySet().iterator();
            while (previewChars > MAX_PREVIEW_CHARS && it.hasNext()) {
                Map.Entry<String, String> e = it.next();
                if (e.getKey().equals(blobId)) continue;
                previewChars -= e.getKey().length() + e.getValue().length();
                it.remove();
            }
        }
        return v;
    }
}
