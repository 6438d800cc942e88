// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Optional;
import org.postern.core.mime.DateParser;
import org.postern.core.mime.EncodedWords;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.TextExtractor;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.SearchKey;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.MessageRecord;

/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4), evaluated over the session's view. Substring matches are
 * case-insensitive on decoded text (RFC 2047 words in headers, transfer and charset decoding in
 * bodies). Only UTF-8 and US-ASCII are accepted as CHARSET (NO [BADCHARSET], RFC 3501 §6.4.4). Keys
 * that need the message read it through the session's cache, and only when cheaper keys of an AND
 * have not already excluded the message.
 *
 * <p>Results: RFC 3501 §7.2.5 SEARCH, or ESEARCH (RFC 4731 §3.1) for RETURN options and always once
 * IMAP4rev2 is enabled (RFC 9051 §6.4.4), with the MODSEQ of RFC 7162 §3.1.5 when the criteria use
 * MODSEQ. SAVE (RFC 5182 §2.2) keeps the UIDs in the selected mailbox for "$"; a failing SEARCH
 * with SAVE empties it (§2.1). Also WITHIN (RFC 5032), SAVEDATE (RFC 8514 §4.2) and EMAILID /
 * THREADID (RFC 8474 §6).
 */
final class SearchHandler {
    /** Text searched per message (BODY/TEXT); bounds work on huge messages. */
    private static final int MAX_TEXT = 1 << 20;

    String search(ImapSession s, Command.Search c, String tag) throws IOException, ImapException {
        SelectedMailbox m = s.selected;
        boolean save = c.returns() != null && c.returns().contains(Command.SearchReturn.SAVE);
        // RFC 6855 §3: after ENABLE UTF8=ACCEPT a CHARSET label conflicts with UTF-8.
        if (c.charset() != null && s.enabled.contains(ImapSession.Extension.UTF8_ACCEPT)) {
            if (save) m.save(List.of());
            throw ImapException.bad("No CHARSET after ENABLE UTF8=ACCEPT");
        }
        if (c.charset() != null && !c.charset().equals("UTF-8") && !c.charset().equals("US-ASCII")) {
            if (save) m.save(List.of());
            throw ImapException.no("BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
        }
        boolean usesModSeq = usesModSeq(c.key(), 0);
        if (usesModSeq) s.enabled.add(ImapSession.Extension.CONDSTORE);
        List<Integer> seqs = matching(s, m, c.key());
        List<Long> uids = new ArrayList<>(seqs.size());
        long highest = 0;
        for (int seq : seqs) {
            MessageRecord r = m.at(seq);
            uids.add(r.uid());
            highest = Math.max(highest, r.modSeq());
        }
        List<Long> ids = new ArrayList<>(seqs.size());
        for (int i = 0; i < seqs.size(); i++) ids.add(c.uid() ? uids.get(i) : (long) seqs.get(i));
        Set<Command.SearchReturn> returns = c.returns();
        if (returns == null && s.rev2()) returns = EnumSet.of(Command.SearchReturn.ALL);
        if (returns == null) {
            StringBuilder sb = new StringBuilder("* SEARCH");
            for (long id : ids) sb.append(' ').append(id);
            // RFC 7162 §3.1.5: the highest MODSEQ of the messages found, when there are any.
            if (usesModSeq && !ids.isEmpty()) sb.append(" (MODSEQ ").append(highest).append(')');
            s.out().raw(sb.toString()).crlf();
            return c.name() + " completed";
        }
        if (save) {
            // RFC 5182 §2.4: with MIN and/or MAX only those are saved; otherwise the whole result.
            boolean min = returns.contains(Command.SearchReturn.MIN);
            boolean max = returns.contains(Command.SearchReturn.MAX);
            if ((min || max) && !returns.contains(Command.SearchReturn.ALL) && !returns.contains(Command.SearchReturn.COUNT)
                    && !uids.isEmpty()) {
                List<Long> kept = new ArrayList<>();
                if (min) kept.add(uids.getFirst());
                if (max) kept.add(uids.getLast());
                m.save(kept);
            } else {
                m.save(uids);
            }
            // RFC 5182 §2.4: SAVE alone produces no ESEARCH response.
            if (returns.size() == 1) return c.name() + " completed";
        }
        StringBuilder sb = new StringBuilder("* ESEARCH (TAG ");
        sb.append('"').append(tag.replace("\\", "\\\\").replace("\"", "\\\"")).append("\")");
        if (c.uid()) sb.append(" UID");
        if (!ids.isEmpty()) {
            if (returns.contains(Command.SearchReturn.MIN)) sb.append(" MIN ").append(ids.getFirst());
            if (returns.contains(Command.SearchReturn.MAX)) sb.append(" MAX ").append(ids.getLast());
            if (returns.contains(Command.SearchReturn.ALL)) sb.append(" ALL ").append(SequenceSet.compact(ids));
        }
        if (returns.contains(Command.SearchReturn.COUNT)) sb.append(" COUNT ").append(ids.size());
        if (usesModSeq && !ids.isEmpty()) sb.append(" MODSEQ ").append(highest);
        s.out().raw(sb.toString()).crlf();
        return c.name() + " completed";
    }

    /** Sequence numbers of the messages of the view that match {@code key}, ascending. */
    static List<Integer> matching(ImapSession s, SelectedMailbox m, SearchKey key) {
        long maxUid = m.size() == 0 ? 0 : m.at(m.size()).uid();
        java.util.Map<SequenceSet, long[][]> resolved = new java.util.IdentityHashMap<>();
        Instant now = Instant.now();
        List<Integer> seqs = new ArrayList<>();
        for (int seq = 1; seq <= m.size(); seq++) {
            if (matches(key, new Ctx(s, m, m.at(seq), seq, maxUid, resolved, now))) seqs.add(seq);
        }
        return seqs;
    }

    private static boolean usesModSeq(SearchKey k, int depth) {
        return switch (k) {
            case SearchKey.ModSeq x -> true;
            case SearchKey.And a -> a.keys().stream().anyMatch(x -> usesModSeq(x, depth + 1));
            case SearchKey.Or o -> usesModSeq(o.left(), depth + 1) || usesModSeq(o.right(), depth + 1);
            case SearchKey.Not n -> usesModSeq(n.key(), depth + 1);
            default -> false;
        };
    }

    /** Per message evaluation state; the message is parsed at most once, on demand. */
    private static final class Ctx {
        final ImapSession s;
        final SelectedMailbox m;
        final MessageRecord r;
        final int seq;
        final long maxUid;
        MimeMessage parsed;
        String text;
        boolean unavailable;
        final java.util.Map<SequenceSet, long[][]> resolved;
        final Instant now;

        Ctx(ImapSession s, SelectedMailbox m, MessageRecord r, int seq, long maxUid,
                java.util.Map<SequenceSet, long[][]> resolved, Instant now) {
            this.resolved = resolved;
            this.now = now;
            this.s = s;
            this.m = m;
            this.r = r;
            this.seq = seq;
            this.maxUid = maxUid;
        }

        MimeMessage message() {
            if (parsed == null && !unavailable) {
                try {
                    parsed = s.cache.get(s.store.blobs(), r.blobId(), r.size());
                } catch (IOException | RuntimeException e) {
                    unavailable = true;
                }
            }
            return parsed;
        }
    }

    private static boolean matches(SearchKey k, Ctx c) {
        return switch (k) {
            case SearchKey.All a -> true;
            case SearchKey.And a -> {
                for (SearchKey x : a.keys()) {
                    if (!matches(x, c)) yield false;
                }
                yield true;
            }
            case SearchKey.Or o -> matches(o.left(), c) || matches(o.right(), c);
            case SearchKey.Not n -> !matches(n.key(), c);
            case SearchKey.Flag f -> hasFlag(c.r, f.flag()) == f.set();
            case SearchKey.Recent rc -> c.m.isRecent(c.r) == rc.recent();
            case SearchKey.Size sz -> sz.larger() ? c.r.size() > sz.octets() : c.r.size() < sz.octets();
            case SearchKey.Sequence q -> q.set().isSaved() ? c.m.inSaved(c.r.uid())
                    : SequenceSet.contains(c.resolved.computeIfAbsent(q.set(), x -> x.resolve(c.m.size())), c.seq);
            case SearchKey.Uid u -> u.set().isSaved() ? c.m.inSaved(c.r.uid())
                    : SequenceSet.contains(c.resolved.computeIfAbsent(u.set(), x -> x.resolve(c.maxUid)), c.r.uid());
            case SearchKey.ModSeq ms -> c.r.modSeq() >= ms.modSeq();
            case SearchKey.Within w -> {
                // RFC 5032 §3: YOUNGER n is an internal date within the last n seconds.
                boolean within = !c.r.internalDate().isBefore(c.now.minusSeconds(w.seconds()));
                yield within == w.younger();
            }
            case SearchKey.SaveDate sd -> {
                if (c.r.savedDate() == null) yield false;
                LocalDate date = c.r.savedDate().atZone(ZoneOffset.UTC).toLocalDate();
                yield switch (sd.op()) {
                    case BEFORE -> date.isBefore(sd.date());
                    case ON -> date.isEqual(sd.date());
                    case SINCE -> !date.isBefore(sd.date());
                };
            }
            case SearchKey.ObjectId o -> !o.thread() && ObjectIds.emailId(c.r.blobId()).equals(o.id());
            case SearchKey.Date d -> {
                LocalDate date;
                if (d.sent()) {
                    MimeMessage msg = c.message();
                    String v = msg == null ? null : msg.headers().first("Date");
                    Optional<java.time.ZonedDateTime> z = v == null ? Optional.empty() : DateParser.parse(v);
                    if (z.isEmpty()) yield false;
                    // RFC 3501 §6.4.4: "disregarding time and timezone".
                    date = z.get().toLocalDate();
                } else {
                    date = c.r.internalDate().atZone(ZoneOffset.UTC).toLocalDate();
                }
                yield switch (d.op()) {
                    case BEFORE -> date.isBefore(d.date());
                    case ON -> date.isEqual(d.date());
                    case SINCE -> !date.isBefore(d.date());
                };
            }
            case SearchKey.Header h -> {
                MimeMessage msg = c.message();
                if (msg == null) yield false;
                String needle = fold(h.value());
                boolean found = false;
                for (String v : msg.headers().all(h.field())) {
                    if (needle.isEmpty() || fold(EncodedWords.decode(v)).contains(needle)) {
                        found = true;
                        break;
                    }
                }
                yield found;
            }
            case SearchKey.Body b -> {
                String t = text(c);
                yield t != null && t.contains(fold(b.value()));
            }
            case SearchKey.Text t -> {
                MimeMessage msg = c.message();
                if (msg == null) yield false;
                String needle = fold(t.value());
                String header = new String(msg.raw(), msg.root().headerStart(),
                        msg.root().headerEnd() - msg.root().headerStart(), StandardCharsets.UTF_8);
                String body = text(c);
                yield fold(EncodedWords.decode(header)).contains(needle) || (body != null && body.contains(needle));
            }
        };
    }

    private static String text(Ctx c) {
        if (c.text == null) {
            MimeMessage msg = c.message();
            if (msg == null) return null;
            c.text = fold(TextExtractor.text(msg, MAX_TEXT));
        }
        return c.text;
    }

    private static boolean hasFlag(MessageRecord r, String flag) {
        for (String f : r.flags()) {
            if (f.equalsIgnoreCase(flag)) return true;
        }
        return false;
    }

    /** Case folding for substring search (RFC 3501 §6.4.4: case-insensitive). */
    static String fold(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
