// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recently rendered message documents. The UI asks for a body twice when it opens a message (HEAD for
 * the remote-content header, then the frame's GET), and readers go back and forth between messages;
 * rendering is the expensive part. A stored blob never changes, so (account, blob, remote) names one
 * document for good. Entries are looked up only after the request was authorised for that message;
 * the account is part of the key all the same, so no path can hand one account's cached page to
 * another. Bounded by entry count and total bytes, least recently used out first.
 */
final class RenderCache {
    record Key(long accountId, String blobId, boolean remote) {}

    record Entry(byte[] html, boolean remoteFound) {}

    private final int maxEntries;
    private final long maxBytes;
    private long bytes;
    private final LinkedHashMap<Key, Entry> map = new LinkedHashMap<>(16, 0.75f, true);

    RenderCache(int maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    synchronized Entry get(Key key) {
        return map.get(key);
    }

    synchronized void put(Key key, Entry entry) {
        if (entry.html().length > maxBytes / 4) return;
        Entry old = map.put(key, entry);
        if (old != null) bytes -= old.html().length;
        bytes += entry.html().length;
        Iterator<Map.Entry<Key, Entry>> it = map.entrySet().iterator();
        while ((map.size() > maxEntries || bytes > maxBytes) && it.hasNext()) {
            Map.Entry<Key, Entry> e = it.next();
            bytes -= e.getValue().html().length;
            it.remove();
        }
    }

    synchronized int size() {
        return map.size();
    }
}
