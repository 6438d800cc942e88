// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.store.MailStore;
import org.postern.store.StoreException;
import org.postern.store.ThreadStore;
import org.postern.store.backend.ThreadLinks;

/**
 * JMAP threadIds (RFC 8621 §3) from the store's {@link ThreadStore}: the same conversation ids IMAP
 * reports as THREADID (RFC 8474 §5.2), so both protocols group alike. The store threads a message
 * as it is stored; a body stored before that gets its id here, from the links {@link ThreadLinks}
 * reads (Message-ID, References, In-Reply-To, RFC 5322 §3.6.4; header section only). Ids of a body never change once assigned, so entries are cached without expiry,
 * bounded in total (other accounts make room for the one asking). A mailbox page looks up only its
 * own rows; Thread/get, thread counts and thread keyword filters look at every message of the
 * account, with cached lookups once its bodies are threaded.
 */
public final class ThreadCache {
    /** About 60 octets each (the blob id strings are shared with the mailbox indexes): some 30 MB. */
    static final int MAX_ENTRIES = 500_000;
    /** Bodies threaded per store transaction. */
    private static final int CHUNK = 500;

    private final Map<Long, Map<String, Long>> byAccount = new ConcurrentHashMap<>();
    private final Map<Long, Map<String, String>> emails = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong size = new java.util.concurrent.atomic.AtomicLong();

    public ThreadCache() {}

    /**
     * Thread ids by blob id for {@code blobIds}; bodies the store cannot thread (unreadable, or a store
     * without thread ids) map to nothing, and callers then treat the email as its own thread.
     */
    public Map<String, Long> of(MailStore store, long accountId, Collection<String> blobIds) {
        Map<String, Long> known = byAccount.computeIfAbsent(accountId, k -> new ConcurrentHashMap<>());
        Map<String, Long> out = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String b : blobIds) {
            Long t = known.get(b);
            if (t != null) out.put(b, t);
            else if (!out.containsKey(b)) missing.add(b);
        }
        if (missing.isEmpty()) return out;
        Map<String, Long> found = fetch(store, accountId, known, missing);
        // A cold mailbox asks for all of its bodies at once: the store's answer is the whole answer.
        if (out.isEmpty()) return java.util.Collections.unmodifiableMap(found);
        out.putAll(found);
        return out;
    }

    /** Looks up (and assigns, for bodies stored before threading) the ids of {@code missing}, and caches them. */
    private Map<String, Long> fetch(MailStore store, long accountId, Map<String, Long> known, List<String> missing) {
        ThreadStore threads;
        Map<String, Long> found;
        try {
            threads = store.threads();
            found = threads.threadIds(accountId, missing);
        } catch (StoreException.Refused e) {
            return Map.of();
        }
        Map<String, ThreadStore.Links> todo = new LinkedHashMap<>();
        for (String b : missing) {
            if (found.containsKey(b) || todo.containsKey(b)) continue;
            // Stored before bodies were threaded on arrival: read the links now, once.
            ThreadStore.Links l = ThreadLinks.read(store.blobs(), b);
            if (l != null) todo.put(b, l);
        }
        if (!todo.isEmpty()) {
            found = new HashMap<>(found);
            List<ThreadStore.Links> list = new ArrayList<>(todo.values());
            for (int i = 0; i < list.size(); i += CHUNK) {
                found.putAll(threads.assignThreads(accountId, list.subList(i, Math.min(list.size(), i + CHUNK))));
            }
        }
        if (size.addAndGet(found.size()) > MAX_ENTRIES) {
            // Other accounts make room; the caller's own entries stay, since the caller counts on
            // what it was just told being cached (an account's messages bound its own map).
            byAccount.keySet().removeIf(k -> k != accountId);
            size.set(known.size() + found.size());
        }
        known.putAll(found);
        return found;
    }

    /**
     * Caches the thread ids of {@code blobIds} (for {@link #cached} lookups after), without building
     * an answer: a mailbox's thread counts need every body's id once, not a map of them.
     */
    public void load(MailStore store, long accountId, Collection<String> blobIds) {
        Map<String, Long> known = byAccount.computeIfAbsent(accountId, k -> new ConcurrentHashMap<>());
        List<String> missing = new ArrayList<>();
        for (String b : blobIds) if (!known.containsKey(b)) missing.add(b);
        if (!missing.isEmpty()) fetch(store, accountId, known, missing);
    }

    /** The cached thread id of a body, or null when it was not looked up yet (or has none). */
    public Long cached(long accountId, String blobId) {
        Map<String, Long> m = byAccount.get(accountId);
        return m == null ? null : m.get(blobId);
    }

    /**
     * Remembers the thread of an email id (ids are never reused), so Thread/changes can name the
     * thread of an email after it is expunged and its body is gone from the index.
     */
    public void remember(long accountId, String emailId, String threadId) {
        Map<String, String> m = emails.computeIfAbsent(accountId, k -> new ConcurrentHashMap<>());
        if (m.size() >= MAX_ENTRIES / 4) m.clear();
        m.put(emailId, threadId);
    }

    /** The thread an email id was last seen in, or null. */
    public String recall(long accountId, String emailId) {
        Map<String, String> m = emails.get(accountId);
        return m == null ? null : m.get(emailId);
    }

    /** Thread counts of one mailbox as of a mailbox state (RFC 8621 §2 totalThreads, unreadThreads). */
    public record Counts(long modSeq, long uidNext, int messages, int total, int unread) {}

    private final Map<Long, Counts> counts = new ConcurrentHashMap<>();

    /** The counts last computed for the mailbox, or null. */
    public Counts counts(long mailboxId) {
        return counts.get(mailboxId);
    }

    public void counts(long mailboxId, Counts c) {
        if (counts.size() > 100_000) counts.clear();
        counts.put(mailboxId, c);
    }
}
