// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.core.mime.Headers;
import org.postern.store.MessageRecord;
import org.postern.store.StoreException;
import org.postern.store.ThreadStore;

/**
 * THREADID (RFC 8474 §5.2) for messages of the selected mailbox: the owner's stored thread ids
 * ({@link ThreadStore}), and for bodies without one, links read from Message-ID, References and
 * In-Reply-To exactly as THREAD=REFERENCES reads them (RFC 5256 §4 step 1), stored so they never
 * change. THREAD=REFERENCES also joins threads by subject; thread ids do not (a stable id cannot
 * follow a later merge), so a THREADID group is a REFERENCES thread or a part of one.
 */
final class ThreadIds {
    /** Bodies threaded per store transaction: bounds one write while a big mailbox is threaded. */
    private static final int CHUNK = 500;

    private ThreadIds() {}

    /** Thread ids by blob id; empty when the store keeps none (THREADID is then NIL). */
    static Map<String, Long> of(ImapSession s, long ownerId, Collection<MessageRecord> records) {
        ThreadStore threads;
        Map<String, Long> known;
        try {
            threads = s.store.threads();
            List<String> blobs = new ArrayList<>(records.size());
            for (MessageRecord r : records) blobs.add(r.blobId());
            known = new HashMap<>(threads.threadIds(ownerId, blobs));
        } catch (StoreException.Refused e) {
            return Map.of();
        }
        Map<String, ThreadStore.Links> missing = new LinkedHashMap<>();
        for (MessageRecord r : records) {
            if (known.containsKey(r.blobId()) || missing.containsKey(r.blobId())) continue;
            Headers h = headers(s, r);
            if (h == null) continue; // unreadable now: NIL, and another try next time
            // Stored before the store threaded bodies on arrival: the store's own reading of the links.
            missing.put(r.blobId(), org.postern.store.backend.ThreadLinks.of(r.blobId(), h));
        }
        List<ThreadStore.Links> todo = new ArrayList<>(missing.values());
        for (int i = 0; i < todo.size(); i += CHUNK) {
            known.putAll(threads.assignThreads(ownerId, todo.subList(i, Math.min(todo.size(), i + CHUNK))));
        }
        return known;
    }

    private static Headers headers(ImapSession s, MessageRecord r) {
        try {
            return s.cache.get(s.store.blobs(), r.blobId(), r.size()).headers();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
