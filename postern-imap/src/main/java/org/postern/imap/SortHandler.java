// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
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
import org.postern.store.SortKeyColumns;
import org.postern.store.SortKeyColumns.Field;
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
 * one query as columns of primitives (kept for later SORTs in {@link SortKeyCache}) and derives (and
 * stores) only those of messages stored before that, so sorting 100,000 messages does not read
 * 100,000 bodies.
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
     * Derived keys by body (messages not in the stored columns), shared by all sessions: bodies never
     * change, so an entry never goes stale. Bounded (about 200 bytes each); emptied when full.
     */
    private static final int KNOWN_MAX = 50_000;
    private static final Map<String, MessageSortKeys> KNOWN = new java.util.concurrent.ConcurrentHashMap<>();

    /** Empties the shared keys (tests: the next SORT must rely on the store or parse). */
    static void forgetKnownKeys() {
        KNOWN.clear();
        SortKeyCache.clear();
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
        EnumSet<Field> fields = EnumSet.noneOf(Field.class);
        for (Command.SortCriterion cr : c.criteria()) {
            Field f = field(cr.key());
            if (f != null) fields.add(f);
        }
        PositionKeys keys = fields.isEmpty() ? null : keysOf(s, m, seqs, fields);
        // Every criterion as int ranks, then primitive sorts (SortRanks). Positions start in sequence
        // order and each pass is stable, so equal keys keep that order (RFC 5256 §3: ties are broken by
        // sequence number), also under REVERSE.
        List<SortRanks.Key> chain = new ArrayList<>(c.criteria().size());
        for (Command.SortCriterion cr : c.criteria()) chain.add(rank(cr, m, seqs, keys));
        int n = seqs.length;
        int[] positions = SortRanks.order(n, chain);
        if (c.returns() == null) {
            ResponseWriter out = s.out();
            out.raw("* SORT");
            writeNumbers(out, positions, m, seqs, c.uid());
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

    /**
     * " n1 n2 ..." (UIDs or sequence numbers in sort order) formatted into one buffer and written in
     * chunks: one write per 64 KiB rather than two per number through the connection's streams.
     */
    private static void writeNumbers(ResponseWriter out, int[] positions, SelectedMailbox m, int[] seqs, boolean uid)
            throws IOException {
        byte[] buf = new byte[64 * 1024];
        int len = 0;
        for (int p : positions) {
            if (len > buf.length - 24) {
                out.bytes(buf, 0, len);
                len = 0;
            }
            long v = uid ? m.uidAt(seqs[p]) : seqs[p];
            buf[len++] = ' ';
            int start = len;
            do {
                buf[len++] = (byte) ('0' + v % 10);
                v /= 10;
            } while (v > 0);
            for (int i = start, j = len - 1; i < j; i++, j--) {
                byte t = buf[i];
                buf[i] = buf[j];
                buf[j] = t;
            }
        }
        out.bytes(buf, 0, len);
    }

    /** The stored column a criterion needs; null for ARRIVAL and SIZE, which the view holds. */
    private static Field field(Command.SortKey key) {
        return switch (key) {
            case ARRIVAL, SIZE -> null;
            case DATE -> Field.SENT_DATE;
            case SUBJECT -> Field.SUBJECT;
            case FROM -> Field.FROM;
            case TO -> Field.TO;
            case CC -> Field.CC;
            case DISPLAYFROM -> Field.DISPLAY_FROM;
            case DISPLAYTO -> Field.DISPLAY_TO;
        };
    }

    private static SortRanks.Key rank(Command.SortCriterion cr, SelectedMailbox m, int[] seqs, PositionKeys k) {
        int n = seqs.length;
        return switch (cr.key()) {
            case ARRIVAL -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = m.internalDateMillisAt(seqs[i]);
                yield SortRanks.of(v, cr.reverse());
            }
            case SIZE -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = m.sizeAt(seqs[i]);
                yield SortRanks.of(v, cr.reverse());
            }
            case DATE -> {
                long[] v = new long[n];
                // RFC 5256 §2.2: the internal date when the Date header is missing or unreadable.
                for (int i = 0; i < n; i++) {
                    long sent = k.sent()[i];
                    v[i] = sent == MessageSortKeys.NO_DATE ? m.internalDateMillisAt(seqs[i]) : sent;
                }
                yield SortRanks.of(v, cr.reverse());
            }
            default -> {
                Field f = field(cr.key());
                yield new SortRanks.Key(k.ranks().get(f), k.distinct().get(f), cr.reverse());
            }
        };
    }

    /**
     * Per position of the sorted messages: the sent date ({@link MessageSortKeys#NO_DATE} when
     * unknown) and, per string field, the rank of its value and the number of distinct values.
     */
    private record PositionKeys(long[] sent, Map<Field, int[]> ranks, Map<Field, Integer> distinct) {}

    /**
     * The header-derived keys of the messages at {@code seqs}: from the shared columns of the
     * mailbox, loaded from the store in one query when missing or when many messages arrived since,
     * else (a few new messages, or mail stored before keys were) derived from the message itself.
     */
    private static PositionKeys keysOf(ImapSession s, SelectedMailbox m, int[] seqs, EnumSet<Field> fields) {
        // Keyed by the server's store, not the session's view of it (one per session): every session
        // that can select the mailbox shares its columns, read through its own view (and rights).
        SortKeyCache.Key key = new SortKeyCache.Key(s.server.store(), m.ownerId, m.ownerMailboxId, m.uidValidity);
        SortKeyCache.Entry e = SortKeyCache.get(key);
        boolean loaded = false;
        if (e == null || !e.columns.fields().containsAll(fields)) {
            e = load(s, m, key, e, fields);
            loaded = true;
        }
        int n = seqs.length;
        int[] row = new int[n];
        int nMissing = rows(e.columns, m, seqs, row);
        // Many unknown (a mailbox filled since it was loaded): one query beats parsing each.
        if (!loaded && nMissing > 0 && (nMissing >= ASK_STORE_FROM || 2 * nMissing >= n)) {
            e = load(s, m, key, e, fields);
            nMissing = rows(e.columns, m, seqs, row);
        }
        MessageSortKeys[] derived = nMissing == 0 ? null : derive(s, m, seqs, row);
        SortKeyColumns cols = e.columns;
        long[] sent = null;
        if (fields.contains(Field.SENT_DATE)) {
            sent = new long[n];
            for (int i = 0; i < n; i++) sent[i] = row[i] >= 0 ? cols.sentDates()[row[i]] : derived[i].sentDate();
        }
        Map<Field, int[]> ranks = new EnumMap<>(Field.class);
        Map<Field, Integer> distinct = new EnumMap<>(Field.class);
        for (Field f : fields) {
            if (f == Field.SENT_DATE) continue;
            SortKeyColumns.Strings st = cols.strings().get(f);
            int[] ids = st.ids();
            int[] r = new int[n];
            if (derived == null) {
                int[] valueRank = e.ranks(f);
                for (int i = 0; i < n; i++) r[i] = valueRank[ids[row[i]]];
                distinct.put(f, st.values().size());
            } else {
                // Strings of derived keys join the column's distinct values, ranked together.
                List<String> values = new ArrayList<>(st.values());
                Map<String, Integer> idOf = new HashMap<>();
                for (int v = 0; v < values.size(); v++) idOf.put(values.get(v), v);
                int[] id = new int[n];
                for (int i = 0; i < n; i++) {
                    if (row[i] >= 0) {
                        id[i] = ids[row[i]];
                    } else {
                        id[i] = idOf.computeIfAbsent(f.of(derived[i]), x -> {
                            values.add(x);
                            return values.size() - 1;
                        });
                    }
                }
                int[] valueRank = SortRanks.ofDistinct(values);
                for (int i = 0; i < n; i++) r[i] = valueRank[id[i]];
                distinct.put(f, values.size());
            }
            ranks.put(f, r);
        }
        return new PositionKeys(sent, ranks, distinct);
    }

    /** The mailbox's stored columns for {@code fields} and those already held, now shared. */
    private static SortKeyCache.Entry load(ImapSession s, SelectedMailbox m, SortKeyCache.Key key,
            SortKeyCache.Entry held, EnumSet<Field> fields) {
        EnumSet<Field> all = EnumSet.copyOf(fields);
        if (held != null) all.addAll(held.columns.fields());
        SortKeyCache.Entry e = new SortKeyCache.Entry(
                s.store.mailboxes().sortKeyColumns(m.ownerId, m.ownerMailboxId, KEY_VERSION, all));
        SortKeyCache.put(key, e);
        return e;
    }

    /** Fills {@code row} with each position's row in {@code cols} (-1 when absent); returns how many are absent. */
    private static int rows(SortKeyColumns cols, SelectedMailbox m, int[] seqs, int[] row) {
        long[] uids = cols.uids();
        int missing = 0;
        for (int i = 0; i < seqs.length; i++) {
            int r = java.util.Arrays.binarySearch(uids, m.uidAt(seqs[i]));
            row[i] = r < 0 ? -1 : r;
            if (r < 0) missing++;
        }
        return missing;
    }

    /**
     * Keys of the positions without a row, from the shared map or derived from the message's header
     * section (and then stored, so this happens once per message stored before keys were kept).
     */
    private static MessageSortKeys[] derive(ImapSession s, SelectedMailbox m, int[] seqs, int[] row) {
        MessageSortKeys[] keys = new MessageSortKeys[seqs.length];
        List<MessageSortKeys> fresh = new ArrayList<>();
        for (int i = 0; i < seqs.length; i++) {
            if (row[i] >= 0) continue;
            MessageRecord r = m.at(seqs[i]);
            MessageSortKeys sk = KNOWN.get(r.blobId());
            if (sk == null) {
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
