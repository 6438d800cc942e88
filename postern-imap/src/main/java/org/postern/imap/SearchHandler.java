// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.postern.core.mime.DateParser;
import org.postern.core.mime.MimeMessage;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.SearchKey;
import org.postern.imap.parse.SequenceSet;
import org.postern.search.SearchText;
import org.postern.store.MessageRecord;

/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4), evaluated over the session's view. Substring matches are
 * case-insensitive on decoded text (RFC 2047 words in headers, transfer and charset decoding in
 * bodies), as {@link SearchText} defines it. Only UTF-8 and US-ASCII are accepted as CHARSET
 * (NO [BADCHARSET], RFC 3501 §6.4.4). Text keys are answered from the full-text index when the
 * server has one ({@link TextKeys}); other keys that need the message (SENTBEFORE ..., and text keys
 * for messages the index does not hold yet) read it through the session's cache, and only when
 * cheaper keys of an AND have not already excluded the message.
 *
 * <p>Results: RFC 3501 §7.2.5 SEARCH, or ESEARCH (RFC 4731 §3.1) for RETURN options and always once
 * IMAP4rev2 is enabled (RFC 9051 §6.4.4), with the MODSEQ of RFC 7162 §3.1.5 when the criteria use
 * MODSEQ. SAVE (RFC 5182 §2.2) keeps the UIDs in the selected mailbox for "$"; a failing SEARCH
 * with SAVE empties it (§2.1). Also WITHIN (RFC 5032), SAVEDATE (RFC 8514 §4.2) and EMAILID /
 * THREADID (RFC 8474 §6).
 */
final class SearchHandler {
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
        int[] seqs = matching(s, m, c.key());
        long highest = 0;
        long[] ids = new long[seqs.length];
        for (int i = 0; i < seqs.length; i++) {
            ids[i] = c.uid() ? m.uidAt(seqs[i]) : seqs[i];
            if (usesModSeq) highest = Math.max(highest, m.modSeqAt(seqs[i]));
        }
        Set<Command.SearchReturn> returns = c.returns();
        if (returns == null && s.rev2()) returns = EnumSet.of(Command.SearchReturn.ALL);
        if (returns == null) {
            ResponseWriter out = s.out().raw("* SEARCH");
            for (long id : ids) out.raw(' ').number(id);
            // RFC 7162 §3.1.5: the highest MODSEQ of the messages found, when there are any.
            if (usesModSeq && ids.length > 0) out.raw(" (MODSEQ ").number(highest).raw(')');
            out.crlf();
            return c.name() + " completed";
        }
        if (save) {
            List<Long> uids = new ArrayList<>(seqs.length);
            for (int seq : seqs) uids.add(m.uidAt(seq));
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
        if (ids.length > 0) {
            if (returns.contains(Command.SearchReturn.MIN)) sb.append(" MIN ").append(ids[0]);
            if (returns.contains(Command.SearchReturn.MAX)) sb.append(" MAX ").append(ids[ids.length - 1]);
            if (returns.contains(Command.SearchReturn.ALL)) {
                List<Long> all = new ArrayList<>(ids.length);
                for (long id : ids) all.add(id);
                sb.append(" ALL ").append(SequenceSet.compact(all));
            }
        }
        if (returns.contains(Command.SearchReturn.COUNT)) sb.append(" COUNT ").append(ids.length);
        if (usesModSeq && ids.length > 0) sb.append(" MODSEQ ").append(highest);
        s.out().raw(sb.toString()).crlf();
        return c.name() + " completed";
    }

    /** Sequence numbers of the messages of the view that match {@code key}, ascending. */
    static int[] matching(ImapSession s, SelectedMailbox m, SearchKey key) throws ImapException {
        if (!SearchLimit.expensive(key)) return evaluate(s, m, key);
        try (AutoCloseable turn = s.server.searchLimit().acquire(s.accountId())) {
            return evaluate(s, m, key);
        } catch (ImapException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] evaluate(ImapSession s, SelectedMailbox m, SearchKey key) throws ImapException {
        int n = m.size();
        if (isAll(key)) {
            // SORT/THREAD ... ALL over a large mailbox: nothing to evaluate per message.
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i + 1;
            return all;
        }
        long maxUid = n == 0 ? 0 : m.uidAt(n);
        java.util.Map<SequenceSet, long[][]> resolved = new java.util.IdentityHashMap<>();
        Instant now = Instant.now();
        TextKeys texts = TextKeys.of(s.server.searchIndex(), m.ownerId, m.ownerMailboxId, key);
        SearchKey single = key instanceof SearchKey.And a && a.keys().size() == 1 ? a.keys().getFirst() : key;
        boolean textOnly = texts.query(single) != null;
        // RFC 8474 §6: SEARCH THREADID needs the thread of every message considered.
        java.util.Map<String, Long> threads = usesThreadId(key) ? ThreadIds.of(s, m.ownerId, m.messages()) : null;
        int[] seqs = new int[Math.min(n, 1024)];
        int found = 0;
        Ctx ctx = new Ctx(s, m, maxUid, resolved, now, texts);
        ctx.threads = threads;
        // The common SEARCH BODY x: the index answers what it holds without per-message work, walking
        // its ascending UIDs alongside the view's.
        org.postern.search.SearchIndex.Hits hits = textOnly ? texts.hits(single) : null;
        long[] hitUids = hits == null ? null : hits.uids();
        int h = 0;
        for (int seq = 1; seq <= n; seq++) {
            boolean hit;
            long uid = hits == null ? 0 : m.uidAt(seq);
            if (hits != null && uid <= hits.indexedUid()) {
                while (h < hitUids.length && hitUids[h] < uid) h++;
                hit = h < hitUids.length && hitUids[h] == uid;
            } else {
                ctx.at(seq);
                hit = matches(key, ctx);
            }
            if (!hit) continue;
            if (found == seqs.length) seqs = java.util.Arrays.copyOf(seqs, Math.max(16, found * 2));
            seqs[found++] = seq;
        }
        return found == seqs.length ? seqs : java.util.Arrays.copyOf(seqs, found);
    }

    private static boolean isAll(SearchKey k) {
        return switch (k) {
            case SearchKey.All a -> true;
            case SearchKey.And a -> a.keys().stream().allMatch(SearchHandler::isAll);
            default -> false;
        };
    }

    private static boolean usesThreadId(SearchKey k) {
        return switch (k) {
            case SearchKey.ObjectId o -> o.thread();
            case SearchKey.And a -> a.keys().stream().anyMatch(SearchHandler::usesThreadId);
            case SearchKey.Or o -> usesThreadId(o.left()) || usesThreadId(o.right());
            case SearchKey.Not n -> usesThreadId(n.key());
            default -> false;
        };
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

    /**
     * Evaluation state, moved from message to message ({@link #at}); the message's record is made and
     * the message parsed at most once per message, and only when a key needs them.
     */
    private static final class Ctx {
        final ImapSession s;
        final SelectedMailbox m;
        final long maxUid;
        int seq;
        private MessageRecord record;
        MimeMessage parsed;
        SearchText text;
        boolean unavailable;
        final java.util.Map<SequenceSet, long[][]> resolved;
        final Instant now;
        final TextKeys texts;
        /** THREADIDs by blob id, read once per SEARCH and only when a THREADID key is present. */
        java.util.Map<String, Long> threads;

        Ctx(ImapSession s, SelectedMailbox m, long maxUid, java.util.Map<SequenceSet, long[][]> resolved, Instant now,
                TextKeys texts) {
            this.resolved = resolved;
            this.now = now;
            this.texts = texts;
            this.s = s;
            this.m = m;
            this.maxUid = maxUid;
        }

        void at(int seq) {
            this.seq = seq;
            record = null;
            parsed = null;
            text = null;
            unavailable = false;
        }

        MessageRecord r() {
            if (record == null) record = m.at(seq);
            return record;
        }

        long uid() {
            return m.uidAt(seq);
        }

        String threadId() {
            Long t = threads == null ? null : threads.get(r().blobId());
            return t == null ? null : ObjectIds.threadId(m.ownerId, t);
        }

        MimeMessage message() {
            if (parsed == null && !unavailable) {
                try {
                    parsed = s.cache.get(s.store.blobs(), r().blobId(), r().size());
                } catch (IOException | RuntimeException e) {
                    unavailable = true;
                }
            }
            return parsed;
        }

        SearchText text() {
            if (text == null) {
                MimeMessage msg = message();
                text = msg == null ? SearchText.UNREADABLE : SearchText.of(msg);
            }
            return text;
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
            case SearchKey.Flag f -> hasFlag(c.m.flagsAt(c.seq), f.flag()) == f.set();
            case SearchKey.Recent rc -> c.m.isRecent(c.uid()) == rc.recent();
            case SearchKey.Size sz -> sz.larger() ? c.m.sizeAt(c.seq) > sz.octets() : c.m.sizeAt(c.seq) < sz.octets();
            case SearchKey.Sequence q -> q.set().isSaved() ? c.m.inSaved(c.uid())
                    : SequenceSet.contains(c.resolved.computeIfAbsent(q.set(), x -> x.resolve(c.m.size())), c.seq);
            case SearchKey.Uid u -> u.set().isSaved() ? c.m.inSaved(c.uid())
                    : SequenceSet.contains(c.resolved.computeIfAbsent(u.set(), x -> x.resolve(c.maxUid)), c.uid());
            case SearchKey.ModSeq ms -> c.m.modSeqAt(c.seq) >= ms.modSeq();
            case SearchKey.Within w -> {
                // RFC 5032 §3: YOUNGER n is an internal date within the last n seconds.
                boolean within = !Instant.ofEpochMilli(c.m.internalDateMillisAt(c.seq)).isBefore(c.now.minusSeconds(w.seconds()));
                yield within == w.younger();
            }
            case SearchKey.SaveDate sd -> {
                if (c.r().savedDate() == null) yield false;
                LocalDate date = c.r().savedDate().atZone(ZoneOffset.UTC).toLocalDate();
                yield switch (sd.op()) {
                    case BEFORE -> date.isBefore(sd.date());
                    case ON -> date.isEqual(sd.date());
                    case SINCE -> !date.isBefore(sd.date());
                };
            }
            case SearchKey.ObjectId o -> o.thread() ? o.id().equals(c.threadId())
                    : ObjectIds.emailId(c.m.blobIdAt(c.seq)).equals(o.id());
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
                    date = Instant.ofEpochMilli(c.m.internalDateMillisAt(c.seq)).atZone(ZoneOffset.UTC).toLocalDate();
                }
                yield switch (d.op()) {
                    case BEFORE -> date.isBefore(d.date());
                    case ON -> date.isEqual(d.date());
                    case SINCE -> !date.isBefore(d.date());
                };
            }
            case SearchKey.Header h -> text(h, c);
            case SearchKey.Body b -> text(b, c);
            case SearchKey.Text t -> text(t, c);
        };
    }

    /** From the index when it holds the message, else from the message's own text: both agree. */
    private static boolean text(SearchKey k, Ctx c) {
        Boolean indexed = c.texts.indexed(k, c.uid());
        return indexed != null ? indexed : c.text().matches(c.texts.query(k));
    }

    private static boolean hasFlag(Set<String> flags, String flag) {
        for (String f : flags) {
            if (f.equalsIgnoreCase(flag)) return true;
        }
        return false;
    }
}
