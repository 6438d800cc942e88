// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
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
 */
final class SearchHandler {
    /** Text searched per message (BODY/TEXT); bounds work on huge messages. */
    private static final int MAX_TEXT = 1 << 20;

    String search(ImapSession s, Command.Search c) throws IOException, ImapException {
        if (c.charset() != null && !c.charset().equals("UTF-8") && !c.charset().equals("US-ASCII")) {
            throw ImapException.no("BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
        }
        SelectedMailbox m = s.selected;
        StringBuilder sb = new StringBuilder("* SEARCH");
        long maxUid = m.size() == 0 ? 0 : m.at(m.size()).uid();
        java.util.Map<SequenceSet, long[][]> resolved = new java.util.IdentityHashMap<>();
        for (int seq = 1; seq <= m.size(); seq++) {
            MessageRecord r = m.at(seq);
            Ctx ctx = new Ctx(s, m, r, seq, maxUid, resolved);
            if (matches(c.key(), ctx)) sb.append(' ').append(c.uid() ? r.uid() : seq);
        }
        s.out().raw(sb.toString()).crlf();
        return c.name() + " completed";
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

        Ctx(ImapSession s, SelectedMailbox m, MessageRecord r, int seq, long maxUid,
                java.util.Map<SequenceSet, long[][]> resolved) {
            this.resolved = resolved;
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
            case SearchKey.Sequence q -> SequenceSet.contains(c.resolved.computeIfAbsent(q.set(), x -> x.resolve(c.m.size())), c.seq);
            case SearchKey.Uid u -> SequenceSet.contains(c.resolved.computeIfAbsent(u.set(), x -> x.resolve(c.maxUid)), c.r.uid());
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
