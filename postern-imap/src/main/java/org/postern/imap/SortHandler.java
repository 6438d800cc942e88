// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.mime.DateParser;
import org.postern.core.mime.Headers;
import org.postern.core.mime.MimeMessage;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.MessageRecord;
import org.postern.store.MessageSortKeys;
import org.postern.store.backend.SortKeyDerivation;

/**
 * SORT and UID SORT (RFC 5256 §3) with DISPLAYFROM/DISPLAYTO (RFC 5957) and ESORT's RETURN options
 * (RFC 5267 §3.2: ESEARCH with ALL in sort order, MIN and MAX the first and last in that order).
 * Strings compare with i;ascii-casemap (upper-casing ASCII letters only); ties and equal keys fall
 * back to the sequence number (RFC 5256 §3).
 *
 * <p>The header-derived keys (sent date, casemapped base subject, first mailboxes, display names) are
 * derived by {@link SortKeyDerivation} and stored by the store backends with each new message
 * ({@link MessageSortKeys}, version {@link #KEY_VERSION}); a SORT reads them for the whole mailbox in
 * one query and derives (and stores) only those of messages stored before that, so sorting 100,000
 * messages does not read 100,000 bodies.
 */
final class SortHandler {
    static final int KEY_VERSION = SortKeyDerivation.VERSION;
    /** Newly derived keys are stored in transactions of at most this many. */
    private static final int STORE_CHUNK = 2_000;
    private static final System.Logger LOG = System.getLogger(SortHandler.class.getName());
    /**
     * Below this many messages without known keys, parsing them is cheaper than asking the store for
     * the whole mailbox's keys, unless they are most of the mailbox (then the one query is the cheaper).
     */
    private static final int ASK_STORE_FROM = 500;
    /**
     * Keys by body, shared by all sessions: bodies never change, so an entry never goes stale. Bounded
     * (about 200 bytes each); emptied when full, after which the store supplies them again.
     */
    private static final int KNOWN_MAX = 250_000;
    private static final Map<String, MessageSortKeys> KNOWN = new java.util.concurrent.ConcurrentHashMap<>();

    /** Empties the shared keys (tests: the next SORT must rely on the store or parse). */
    static void forgetKnownKeys() {
        KNOWN.clear();
    }

    private static void know(MessageSortKeys k) {
        if (KNOWN.size() >= KNOWN_MAX) KNOWN.clear();
        KNOWN.put(k.blobId(), k);
    }

    String sort(ImapSession s, Command.Sort c, String tag) throws IOException, ImapException {
        if (!c.charset().equals("UTF-8") && !c.charset().equals("US-ASCII")) {
            throw ImapException.no("BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
        }
        SelectedMailbox m = s.selected;
        int[] seqs = SearchHandler.matching(s, m, c.key());
        boolean needsHeaders = c.criteria().stream()
                .anyMatch(cr -> cr.key() != Command.SortKey.ARRIVAL && cr.key() != Command.SortKey.SIZE);
        MessageSortKeys[] keys = needsHeaders ? keysOf(s, m, seqs) : null;
        // Columns of primitives and one stable merge sort over positions: with 100,000 messages a
        // comparator chain over boxed records spent most of its time in allocation and indirection.
        // Positions start in sequence order and the sort is stable, so equal keys keep that order
        // (RFC 5256 §3: ties are broken by sequence number), also under REVERSE.
        int n = seqs.length;
        PositionOrder[] chain = new PositionOrder[c.criteria().size()];
        for (int i = 0; i < chain.length; i++) {
            Command.SortCriterion cr = c.criteria().get(i);
            PositionOrder one = order(cr.key(), m, seqs, keys);
            chain[i] = cr.reverse() ? (a, b) -> one.compare(b, a) : one;
        }
        PositionOrder order = chain.length == 1 ? chain[0] : (a, b) -> {
            for (PositionOrder o : chain) {
                int r = o.compare(a, b);
                if (r != 0) return r;
            }
            return 0;
        };
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = i;
        sortStable(positions, order);
        if (c.returns() == null) {
            ResponseWriter out = s.out();
            out.raw("* SORT");
            for (int p : positions) out.raw(' ').number(c.uid() ? m.uidAt(seqs[p]) : seqs[p]);
            out.crlf();
            return c.name() + " completed";
        }
        List<Long> ids = new ArrayList<>(n);
        for (int p : positions) ids.add(c.uid() ? m.uidAt(seqs[p]) : (long) seqs[p]);
        Set<Command.SearchReturn> r = c.returns();
        StringBuilder sb = new StringBuilder("* ESEARCH (TAG \"").append(tag).append("\")");
        if (c.uid()) sb.append(" UID");
        if (!ids.isEmpty()) {
            if (r.contains(Command.SearchReturn.MIN)) sb.append(" MIN ").append(ids.getFirst());
            if (r.contains(Command.SearchReturn.MAX)) sb.append(" MAX ").append(ids.getLast());
            if (r.contains(Command.SearchReturn.ALL)) sb.append(" ALL ").append(SequenceSet.ordered(ids));
        }
        if (r.contains(Command.SearchReturn.COUNT)) sb.append(" COUNT ").append(ids.size());
        s.out().raw(sb.toString()).crlf();
        return c.name() + " completed";
    }

    /** Compares two positions of the sorted messages; never boxes. */
    @FunctionalInterface
    interface PositionOrder {
        int compare(int a, int b);
    }

    private static PositionOrder order(Command.SortKey key, SelectedMailbox m, int[] seqs, MessageSortKeys[] k) {
        int n = seqs.length;
        return switch (key) {
            case ARRIVAL -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = m.internalDateMillisAt(seqs[i]);
                yield (a, b) -> Long.compare(v[a], v[b]);
            }
            case SIZE -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = m.sizeAt(seqs[i]);
                yield (a, b) -> Long.compare(v[a], v[b]);
            }
            case DATE -> {
                long[] v = new long[n];
                // RFC 5256 §2.2: the internal date when the Date header is missing or unreadable.
                for (int i = 0; i < n; i++) {
                    long sent = k[i].sentDate();
                    v[i] = sent == MessageSortKeys.NO_DATE ? m.internalDateMillisAt(seqs[i]) : sent;
                }
                yield (a, b) -> Long.compare(v[a], v[b]);
            }
            case SUBJECT -> strings(k, MessageSortKeys::subject);
            case FROM -> strings(k, MessageSortKeys::from);
            case TO -> strings(k, MessageSortKeys::to);
            case CC -> strings(k, MessageSortKeys::cc);
            case DISPLAYFROM -> strings(k, MessageSortKeys::displayFrom);
            case DISPLAYTO -> strings(k, MessageSortKeys::displayTo);
        };
    }

    /**
     * The keys are casemapped already, so plain String order is i;ascii-casemap order. A mailbox has
     * far fewer distinct subjects or senders than messages: each distinct string is compared while
     * ranking them, and the messages are then sorted by rank (ints side by side, not strings scattered
     * over the heap).
     */
    private static PositionOrder strings(MessageSortKeys[] k, java.util.function.Function<MessageSortKeys, String> f) {
        Map<String, Integer> ids = new java.util.HashMap<>();
        List<String> distinct = new ArrayList<>();
        int[] v = new int[k.length];
        for (int i = 0; i < k.length; i++) {
            String key = f.apply(k[i]);
            Integer id = ids.get(key);
            if (id == null) {
                id = distinct.size();
                ids.put(key, id);
                distinct.add(key);
            }
            v[i] = id;
        }
        Integer[] byValue = new Integer[distinct.size()];
        for (int i = 0; i < byValue.length; i++) byValue[i] = i;
        java.util.Arrays.sort(byValue, (a, b) -> distinct.get(a).compareTo(distinct.get(b)));
        int[] rank = new int[byValue.length];
        for (int r = 0; r < byValue.length; r++) rank[byValue[r]] = r;
        for (int i = 0; i < v.length; i++) v[i] = rank[v[i]];
        return (a, b) -> Integer.compare(v[a], v[b]);
    }

    /** A stable merge sort of {@code a} (insertion sort below 32 elements). */
    static void sortStable(int[] a, PositionOrder o) {
        if (a.length < 2) return;
        int[] tmp = new int[a.length];
        int run = 32;
        for (int lo = 0; lo < a.length; lo += run) insertion(a, lo, Math.min(a.length, lo + run), o);
        int[] src = a;
        int[] dst = tmp;
        for (int width = run; width < a.length; width *= 2) {
            for (int lo = 0; lo < a.length; lo += 2 * width) {
                int mid = Math.min(a.length, lo + width);
                int hi = Math.min(a.length, lo + 2 * width);
                merge(src, dst, lo, mid, hi, o);
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != a) System.arraycopy(src, 0, a, 0, a.length);
    }

    private static void insertion(int[] a, int lo, int hi, PositionOrder o) {
        for (int i = lo + 1; i < hi; i++) {
            int x = a[i];
            int j = i - 1;
            while (j >= lo && o.compare(a[j], x) > 0) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }

    private static void merge(int[] src, int[] dst, int lo, int mid, int hi, PositionOrder o) {
        // Already in order (common: a mailbox appended in date order): copy without comparing each.
        if (mid >= hi || o.compare(src[mid - 1], src[mid]) <= 0) {
            System.arraycopy(src, lo, dst, lo, hi - lo);
            return;
        }
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            // "<= 0" takes the left one on ties: that is what keeps the sort stable.
            if (j >= hi || (i < mid && o.compare(src[i], src[j]) <= 0)) dst[k] = src[i++];
            else dst[k] = src[j++];
        }
    }

    /**
     * The header-derived keys of the messages at {@code seqs}: from the shared map, else from the
     * store (one query for the mailbox when many are unknown), else derived from the message itself.
     */
    private static MessageSortKeys[] keysOf(ImapSession s, SelectedMailbox m, int[] seqs) {
        MessageSortKeys[] keys = new MessageSortKeys[seqs.length];
        int[] missing = new int[0];
        int nMissing = 0;
        for (int i = 0; i < seqs.length; i++) {
            keys[i] = KNOWN.get(m.blobIdAt(seqs[i]));
            if (keys[i] == null) {
                if (nMissing == missing.length) missing = java.util.Arrays.copyOf(missing, Math.max(16, nMissing * 2));
                missing[nMissing++] = i;
            }
        }
        if (nMissing == 0) return keys;
        List<MessageSortKeys> fresh = new ArrayList<>();
        // Many unknown (a fresh process): one query for the mailbox's stored keys beats parsing; the
        // backends store them with every new message, so they are there but for messages stored before.
        Map<Long, MessageSortKeys> stored = nMissing >= ASK_STORE_FROM || 2 * nMissing >= m.size()
                ? s.store.mailboxes().sortKeys(m.ownerId, m.ownerMailboxId, KEY_VERSION) : Map.of();
        for (int x = 0; x < nMissing; x++) {
            int i = missing[x];
            MessageRecord r = m.at(seqs[i]);
            MessageSortKeys sk = stored.get(r.uid());
            if (sk != null && sk.blobId().equals(r.blobId())) {
                know(sk);
            } else {
                Headers h = headerBlock(s, r);
                sk = derive(r.blobId(), h);
                // An unreadable message sorts as if it had no headers, but that is not kept.
                if (h != null) {
                    fresh.add(sk);
                    know(sk);
                }
            }
            keys[i] = sk;
        }
        remember(s, m.ownerId, fresh);
        return keys;
    }

    /** Stores newly derived keys; a failure costs only the next SORT's time, so it does not fail this one. */
    private static void remember(ImapSession s, long ownerId, List<MessageSortKeys> fresh) {
        for (int i = 0; i < fresh.size(); i += STORE_CHUNK) {
            try {
                // The owner's account: a shared mailbox's keys are read back from there.
                s.store.mailboxes().putSortKeys(ownerId, fresh.subList(i, Math.min(fresh.size(), i + STORE_CHUNK)));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not store sort keys: " + e);
                return;
            }
        }
    }

    /** The header-derived keys of RFC 5256 §3 and RFC 5957 §3, strings already casemapped. */
    static MessageSortKeys derive(String blobId, Headers h) {
        return SortKeyDerivation.of(blobId, h);
    }

    /** Header blocks longer than this are read with the whole message instead. */
    private static final int MAX_HEADER_BLOCK = 256 * 1024;

    /**
     * The headers of a message read from the top of its blob up to the blank line that ends them:
     * deriving the keys of a mailbox nobody sorted before needs no bodies, which are most of its bytes
     * (a first SORT of 100,000 messages read and parsed 3.3 GB before). Null when unreadable.
     */
    private static Headers headerBlock(ImapSession s, MessageRecord r) {
        byte[] head;
        try (java.io.InputStream in = s.store.blobs().open(r.blobId())) {
            head = untilBlankLine(in);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (head == null) return headers(s, r);
        try {
            return org.postern.core.mime.MessageParser.parse(head).headers();
        } catch (RuntimeException e) {
            return headers(s, r);
        }
    }

    /** The bytes up to and including the first empty line (RFC 5322 §2.1), or null past the cap. */
    static byte[] untilBlankLine(java.io.InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        int len = 0;
        int scanned = 0;
        while (true) {
            if (len == buf.length) {
                if (buf.length >= MAX_HEADER_BLOCK) return null;
                buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) return java.util.Arrays.copyOf(buf, len);
            len += n;
            for (int i = scanned; i < len; i++) {
                if (buf[i] != '\n') continue;
                // An empty line: right at the start (no header fields at all), or after a line break.
                boolean empty = i == 0 || (i == 1 && buf[0] == '\r') || buf[i - 1] == '\n'
                        || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n');
                if (empty) return java.util.Arrays.copyOf(buf, i + 1);
            }
            scanned = len;
        }
    }

    private static Headers headers(ImapSession s, MessageRecord r) {
        try {
            MimeMessage msg = s.cache.get(s.store.blobs(), r.blobId(), r.size());
            return msg.headers();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** RFC 5256 §2.2: the Date header in UTC; the internal date when it is missing or unreadable. */
    static Instant sentDate(Headers h, MessageRecord r) {
        String v = h == null ? null : h.first("Date");
        if (v != null) {
            var d = DateParser.parse(v);
            if (d.isPresent()) return d.get().toInstant();
        }
        return r.internalDate();
    }

    /** Headers of a message through the session's cache; null when it cannot be read. */
    static Headers headersOf(ImapSession s, MessageRecord r) {
        return headers(s, r);
    }

    /** i;ascii-casemap (RFC 4790 §9.2). */
    static String casemap(String s) {
        return SortKeyDerivation.casemap(s);
    }

    /** The base subject of RFC 5256 §2.1. */
    static String baseSubject(String subject) {
        return SortKeyDerivation.baseSubject(subject);
    }

    /**
     * A base subject and whether extracting it removed a reply or forward marker (RFC 5256 §4 step
     * 5: such a message is a "reply or forward" for THREAD=REFERENCES).
     */
    record Subject(String base, boolean replyOrForward) {}

    static Subject extract(String subject) {
        SortKeyDerivation.BaseSubject b = SortKeyDerivation.extract(subject);
        return new Subject(b.base(), b.replyOrForward());
    }
}
