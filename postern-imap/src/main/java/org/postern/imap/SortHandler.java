// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postern.core.mime.Address;
import org.postern.core.mime.AddressParser;
import org.postern.core.mime.DateParser;
import org.postern.core.mime.EncodedWords;
import org.postern.core.mime.Headers;
import org.postern.core.mime.MimeMessage;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.MessageRecord;
import org.postern.store.MessageSortKeys;

/**
 * SORT and UID SORT (RFC 5256 §3) with DISPLAYFROM/DISPLAYTO (RFC 5957) and ESORT's RETURN options
 * (RFC 5267 §3.2: ESEARCH with ALL in sort order, MIN and MAX the first and last in that order).
 * Strings compare with i;ascii-casemap (upper-casing ASCII letters only); ties and equal keys fall
 * back to the sequence number (RFC 5256 §3).
 *
 * <p>The header-derived keys (sent date, casemapped base subject, first mailboxes, display names) are
 * computed once per message body and kept in the store ({@link MessageSortKeys}, version
 * {@link #KEY_VERSION}); a SORT reads them for the whole mailbox in one query and parses only the
 * messages that have none yet, so sorting 100,000 messages does not read 100,000 bodies each time.
 */
final class SortHandler {
    /** Version of the key derivation below; bump it when any of it changes, so stored keys are redone. */
    static final int KEY_VERSION = 1;
    /** Newly derived keys are stored in transactions of at most this many. */
    private static final int STORE_CHUNK = 2_000;
    private static final System.Logger LOG = System.getLogger(SortHandler.class.getName());
    /** Below this many messages without known keys, parsing them is cheaper than asking the store. */
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
        List<Integer> seqs = SearchHandler.matching(s, m, c.key());
        boolean needsHeaders = c.criteria().stream()
                .anyMatch(cr -> cr.key() != Command.SortKey.ARRIVAL && cr.key() != Command.SortKey.SIZE);
        List<Keys> keyed = new ArrayList<>(seqs.size());
        List<MessageSortKeys> fresh = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        for (int seq : seqs) {
            MessageRecord r = m.at(seq);
            MessageSortKeys k = needsHeaders ? KNOWN.get(r.blobId()) : null;
            if (needsHeaders && k == null) missing.add(keyed.size());
            keyed.add(new Keys(seq, r.uid(), r.internalDate().toEpochMilli(), r.size(), k));
        }
        if (!missing.isEmpty()) {
            // Many unknown (a fresh process): one query for the mailbox's stored keys beats parsing.
            Map<Long, MessageSortKeys> stored = missing.size() >= ASK_STORE_FROM
                    ? s.store.mailboxes().sortKeys(s.accountId(), m.mailboxId, KEY_VERSION) : Map.of();
            for (int i : missing) {
                Keys k = keyed.get(i);
                MessageRecord r = m.at(k.seq());
                MessageSortKeys sk = stored.get(k.uid());
                if (sk != null && sk.blobId().equals(r.blobId())) {
                    know(sk);
                } else {
                    Headers h = headers(s, r);
                    sk = derive(r.blobId(), h);
                    // An unreadable message sorts as if it had no headers, but that is not kept.
                    if (h != null) {
                        fresh.add(sk);
                        know(sk);
                    }
                }
                keyed.set(i, new Keys(k.seq(), k.uid(), k.arrival(), k.size(), sk));
            }
        }
        remember(s, m.ownerId, fresh);
        Comparator<Keys> order = null;
        for (Command.SortCriterion cr : c.criteria()) {
            Comparator<Keys> one = comparator(cr.key());
            if (cr.reverse()) one = one.reversed();
            order = order == null ? one : order.thenComparing(one);
        }
        order = order.thenComparingInt(Keys::seq);
        keyed.sort(order);
        List<Long> ids = new ArrayList<>(keyed.size());
        for (Keys k : keyed) ids.add(c.uid() ? k.uid() : k.seq());
        if (c.returns() == null) {
            StringBuilder sb = new StringBuilder("* SORT");
            for (long id : ids) sb.append(' ').append(id);
            s.out().raw(sb.toString()).crlf();
            return c.name() + " completed";
        }
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

    /** {@code arrival} in epoch ms; {@code k} null when no criterion needs headers. */
    private record Keys(int seq, long uid, long arrival, long size, MessageSortKeys k) {}

    /** The header-derived keys of RFC 5256 §3 and RFC 5957 §3, strings already casemapped. */
    static MessageSortKeys derive(String blobId, Headers h) {
        long sent = MessageSortKeys.NO_DATE;
        String date = h == null ? null : h.first("Date");
        if (date != null) {
            var d = DateParser.parse(date);
            if (d.isPresent()) sent = d.get().toInstant().toEpochMilli();
        }
        return new MessageSortKeys(blobId, KEY_VERSION, sent,
                casemap(baseSubject(h == null ? null : h.first("Subject"))),
                casemap(mailbox(h, "From")), casemap(mailbox(h, "To")), casemap(mailbox(h, "Cc")),
                casemap(display(h, "From")), casemap(display(h, "To")));
    }

    private static Headers headers(ImapSession s, MessageRecord r) {
        try {
            MimeMessage msg = s.cache.get(s.store.blobs(), r.blobId(), r.size());
            return msg.headers();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Comparator<Keys> comparator(Command.SortKey key) {
        return switch (key) {
            case ARRIVAL -> Comparator.comparingLong(Keys::arrival);
            case SIZE -> Comparator.comparingLong(Keys::size);
            // RFC 5256 §2.2: the internal date when the Date header is missing or unreadable.
            case DATE -> Comparator.comparingLong(
                    (Keys k) -> k.k().sentDate() == MessageSortKeys.NO_DATE ? k.arrival() : k.k().sentDate());
            case SUBJECT -> Comparator.comparing((Keys k) -> k.k().subject());
            case FROM -> Comparator.comparing((Keys k) -> k.k().from());
            case TO -> Comparator.comparing((Keys k) -> k.k().to());
            case CC -> Comparator.comparing((Keys k) -> k.k().cc());
            case DISPLAYFROM -> Comparator.comparing((Keys k) -> k.k().displayFrom());
            case DISPLAYTO -> Comparator.comparing((Keys k) -> k.k().displayTo());
        };
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

    private static Address first(Headers h, String field) {
        String v = h == null ? null : h.first(field);
        if (v == null) return null;
        for (Address a : AddressParser.parseList(v)) {
            if (a.isMailbox()) return a;
        }
        return null;
    }

    /** RFC 5256 §3 FROM/TO/CC: the local part (addr-mailbox) of the first address, "" when none. */
    private static String mailbox(Headers h, String field) {
        Address a = first(h, field);
        return a == null || a.localPart() == null ? "" : a.localPart();
    }

    /** RFC 5957 §3: the decoded display name of the first address, or its addr-spec when it has none. */
    private static String display(Headers h, String field) {
        Address a = first(h, field);
        if (a == null) return "";
        String name = a.displayName() == null ? "" : EncodedWords.decode(a.displayName()).strip();
        return name.isEmpty() ? a.addrSpec() : name;
    }

    /** i;ascii-casemap (RFC 4790 §9.2): only a-z fold, so the order is the same for every locale. */
    static String casemap(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return sb.toString();
    }

    /**
     * The base subject of RFC 5256 §2.1: decoded, whitespace collapsed, trailing "(fwd)" and leading
     * "Re:"/"Fw:"/"Fwd:" (with optional "[blob]") and "[blob]" prefixes removed repeatedly, and a
     * "[fwd: ...]" wrapper unwrapped.
     */
    static String baseSubject(String subject) {
        return extract(subject).base();
    }

    /**
     * A base subject and whether extracting it removed a reply or forward marker (RFC 5256 §4 step
     * 5: such a message is a "reply or forward" for THREAD=REFERENCES).
     */
    record Subject(String base, boolean replyOrForward) {}

    static Subject extract(String subject) {
        if (subject == null) return new Subject("", false);
        String s = EncodedWords.decode(subject).replaceAll("[\\t\\r\\n ]+", " ").strip();
        boolean refwd = false;
        while (true) {
            String before = s;
            // (2) trailing subj-trailer "(fwd)" and whitespace
            while (s.toLowerCase(Locale.ROOT).endsWith("(fwd)")) {
                s = s.substring(0, s.length() - 5).strip();
                refwd = true;
            }
            // (3)-(5) leading subj-leaders and subj-blobs
            while (true) {
                String t = stripLeader(s);
                if (t.equals(s)) break;
                refwd |= !s.startsWith("[");
                s = t;
            }
            // (6) "[fwd:" ... "]"
            if (s.regionMatches(true, 0, "[fwd:", 0, 5) && s.endsWith("]")) {
                s = s.substring(5, s.length() - 1).strip();
                refwd = true;
            }
            if (s.equals(before)) return new Subject(s, refwd);
        }
    }

    /** One subj-leader ("Re", "Fw", "Fwd" with optional blob then ":") or one non-empty-remaining blob. */
    private static String stripLeader(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        for (String p : new String[] {"re", "fwd", "fw"}) {
            if (!lower.startsWith(p)) continue;
            String rest = s.substring(p.length()).stripLeading();
            if (rest.startsWith("[")) {
                int end = rest.indexOf(']');
                if (end < 0) continue;
                rest = rest.substring(end + 1).stripLeading();
            }
            if (rest.startsWith(":")) return rest.substring(1).strip();
        }
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            // RFC 5256 §2.1 (4): a blob is removed only if something remains after it.
            if (end > 0 && !s.substring(end + 1).isBlank()) return s.substring(end + 1).strip();
        }
        return s;
    }
}
