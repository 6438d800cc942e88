// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.mime.Headers;
import org.postern.core.mime.MessageParser;
import org.postern.store.MailStore;
import org.postern.store.StoreException;
import org.postern.store.ThreadStore;

/**
 * JMAP threadIds (RFC 8621 §3) from the store's {@link ThreadStore}: the same conversation ids IMAP
 * reports as THREADID (RFC 8474 §5.2), so both protocols group alike. A body without an id yet gets
 * one from its Message-ID, References and In-Reply-To (RFC 5322 §3.6.4), read from its header
 * section only. Ids of a body never change once assigned, so entries are cached without expiry,
 * bounded in total (other accounts make room for the one asking). A mailbox page looks up only its
 * own rows; Thread/get, thread counts and thread keyword filters look at every message of the
 * account, with cached lookups once its bodies are threaded.
 */
public final class ThreadCache {
    /** About 60 octets each (the blob id strings are shared with the mailbox indexes): some 30 MB. */
    static final int MAX_ENTRIES = 500_000;
    /** Bodies threaded per store transaction. */
    private static final int CHUNK = 500;
    private static final int MAX_HEADER = 256 * 1024;
    private static final int MAX_REFERENCES = 100;
    private static final Pattern MSG_ID = Pattern.compile("<([^<>\\s]{1,250})>");

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
        ThreadStore threads;
        Map<String, Long> found;
        try {
            threads = store.threads();
            found = new HashMap<>(threads.threadIds(accountId, missing));
        } catch (StoreException.Refused e) {
            return out;
        }
        Map<String, ThreadStore.Links> todo = new LinkedHashMap<>();
        for (String b : missing) {
            if (found.containsKey(b) || todo.containsKey(b)) continue;
            Headers h = headers(store, b);
            if (h == null) continue;
            List<String> refs = new ArrayList<>(ids(h, "References"));
            List<String> irt = ids(h, "In-Reply-To");
            if (!irt.isEmpty() && !refs.contains(irt.getFirst())) refs.add(irt.getFirst());
            List<String> mid = ids(h, "Message-ID");
            todo.put(b, new ThreadStore.Links(b, mid.isEmpty() ? null : mid.getFirst(), refs));
        }
        List<ThreadStore.Links> list = new ArrayList<>(todo.values());
        for (int i = 0; i < list.size(); i += CHUNK) {
            found.putAll(threads.assignThreads(accountId, list.subList(i, Math.min(list.size(), i + CHUNK))));
        }
        if (size.addAndGet(found.size()) > MAX_ENTRIES) {
            // Other accounts make room; the caller's own entries stay, since the caller counts on
            // what it was just told being cached (an account's messages bound its own map).
            byAccount.keySet().removeIf(k -> k != accountId);
            size.set(known.size() + found.size());
        }
        known.putAll(found);
        out.putAll(found);
        return out;
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

    /** msg-ids of a field (RFC 5322 §3.6.4), without angle brackets, as IMAP's THREAD reads them. */
    static List<String> ids(Headers h, String field) {
        List<String> out = new ArrayList<>();
        String v = h.first(field);
        if (v == null) return out;
        Matcher m = MSG_ID.matcher(v);
        while (m.find() && out.size() < MAX_REFERENCES) out.add(m.group(1));
        return out;
    }

    /** The header section only (up to the first empty line, bounded): threading needs nothing else. */
    private Headers headers(MailStore store, String blobId) {
        try (InputStream in = new java.io.BufferedInputStream(store.blobs().open(blobId), 8192)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(4096);
            int prev2 = -1;
            int prev = -1;
            int c;
            while (b.size() < MAX_HEADER && (c = in.read()) >= 0) {
                b.write(c);
                if (c == '\n' && (prev == '\n' || (prev == '\r' && prev2 == '\n'))) break;
                prev2 = prev;
                prev = c;
            }
            return MessageParser.parse(b.toByteArray()).headers();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
