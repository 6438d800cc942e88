// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.postern.core.Flags;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.MailboxChanges;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;

/**
 * The session's view of its selected mailbox (RFC 3501 §2.3.1.2): messages in UID order, where a
 * message's sequence number is its position. The view changes only when the session tells the client
 * (EXISTS, EXPUNGE, FETCH FLAGS), so numbers the client holds stay valid between those points.
 *
 * <p>Expunges seen while they may not be reported (during FETCH, STORE, SEARCH) are kept pending: the
 * messages stay in the view until the next point where EXPUNGE is allowed (RFC 3501 §7.4.1).
 * \Recent is kept the simple way: messages that arrived after this session selected the mailbox.
 */
final class SelectedMailbox {
    final long mailboxId;
    final String name;
    final boolean readOnly;
    final long uidValidity;
    private final List<MessageRecord> messages;
    private final long recentFromUid;
    private final Set<Long> pendingExpunges = new TreeSet<>(Collections.reverseOrder());
    private final Set<String> keywords = new HashSet<>();
    private long highestModSeq;
    private long uidNext;
    private int reportedExists;
    private int reportedRecent;
    /** The session's enabled extensions; ENABLE may change them while this mailbox is selected. */
    private final Set<ImapSession.Extension> enabled;
    /** UIDs of the last SEARCH ... RETURN (SAVE) (RFC 5182 §2.1), ascending; empty after selection. */
    private long[] saved = new long[0];

    SelectedMailbox(MailboxSnapshot snapshot, boolean readOnly) {
        this(snapshot, readOnly, java.util.EnumSet.noneOf(ImapSession.Extension.class));
    }

    SelectedMailbox(MailboxSnapshot snapshot, boolean readOnly, Set<ImapSession.Extension> enabled) {
        this.enabled = enabled;
        this.mailboxId = snapshot.mailbox().id();
        this.name = snapshot.mailbox().name();
        this.readOnly = readOnly;
        this.uidValidity = snapshot.mailbox().uidValidity();
        this.messages = new ArrayList<>(snapshot.messages());
        this.highestModSeq = snapshot.mailbox().highestModSeq();
        this.uidNext = snapshot.mailbox().uidNext();
        this.recentFromUid = snapshot.mailbox().uidNext();
        this.reportedExists = messages.size();
        for (MessageRecord m : messages) addKeywords(m.flags());
    }

    int size() {
        return messages.size();
    }

    long uidNext() {
        return uidNext;
    }

    long highestModSeq() {
        return highestModSeq;
    }

    /** Sequence number 1..size. */
    MessageRecord at(int seq) {
        return messages.get(seq - 1);
    }

    List<MessageRecord> messages() {
        return Collections.unmodifiableList(messages);
    }

    /** RFC 9051 §2.3.2: no \Recent once IMAP4rev2 is enabled. */
    boolean isRecent(MessageRecord m) {
        return m.uid() >= recentFromUid && !enabled.contains(ImapSession.Extension.IMAP4REV2);
    }

    void save(List<Long> uids) {
        saved = uids.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Sequence numbers of the saved search result's messages that are still in the view. */
    private List<Integer> resolveSaved() {
        List<Integer> out = new ArrayList<>();
        for (long uid : saved) {
            int seq = seqOf(uid);
            if (seq > 0) out.add(seq);
        }
        return out;
    }

    boolean inSaved(long uid) {
        return java.util.Arrays.binarySearch(saved, uid) >= 0;
    }

    int recentCount() {
        int n = 0;
        if (enabled.contains(ImapSession.Extension.IMAP4REV2)) return 0;
        for (int i = messages.size() - 1; i >= 0 && messages.get(i).uid() >= recentFromUid; i--) n++;
        return n;
    }

    boolean isPendingExpunge(long uid) {
        return pendingExpunges.contains(uid);
    }

    /** Sequence number of a UID, or -1. */
    int seqOf(long uid) {
        int lo = 0;
        int hi = messages.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long u = messages.get(mid).uid();
            if (u < uid) lo = mid + 1;
            else if (u > uid) hi = mid - 1;
            else return mid + 1;
        }
        return -1;
    }

    /** Sequence numbers a message set names, ascending, without expanding the set. */
    List<Integer> resolveSeq(SequenceSet set) {
        if (set.isSaved()) return resolveSaved();
        List<Integer> out = new ArrayList<>();
        int n = messages.size();
        for (long[] r : set.resolve(n)) {
            if (r[0] > n) break;
            for (long s = r[0]; s <= Math.min(r[1], n); s++) out.add((int) s);
        }
        return out;
    }

    /**
     * Sequence numbers of the messages whose UIDs the set names. RFC 3501 §6.4.8: "*" is the largest
     * UID in use, and a range like "n:*" matches the last message even if n is larger than its UID.
     */
    List<Integer> resolveUid(SequenceSet set) {
        if (set.isSaved()) return resolveSaved();
        List<Integer> out = new ArrayList<>();
        if (messages.isEmpty()) return out;
        long star = messages.getLast().uid();
        for (long[] r : set.resolve(star)) {
            int from = lowerBound(r[0]);
            for (int i = from; i < messages.size() && messages.get(i).uid() <= r[1]; i++) out.add(i + 1);
        }
        return out;
    }

    private int lowerBound(long uid) {
        int lo = 0;
        int hi = messages.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (messages.get(mid).uid() < uid) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Records flags this session itself just stored, so the next sync does not repeat them. */
    void updateFlags(MessageRecord changed) {
        int seq = seqOf(changed.uid());
        if (seq > 0) messages.set(seq - 1, changed);
        addKeywords(changed.flags());
    }

    Set<String> keywords() {
        return keywords;
    }

    private boolean addKeywords(Set<String> flags) {
        boolean added = false;
        for (String f : flags) {
            if (Flags.isValidKeyword(f) && keywords.size() < 1000) added |= keywords.add(f);
        }
        return added;
    }

    /**
     * Brings the view up to date and writes what changed: EXPUNGE (only when {@code allowExpunge}),
     * FETCH FLAGS for changed messages, FLAGS when new keywords appear, EXISTS and RECENT.
     */
    void sync(MailboxChanges changes, boolean allowExpunge, ResponseWriter out) throws IOException {
        highestModSeq = Math.max(highestModSeq, changes.highestModSeq());
        uidNext = Math.max(uidNext, changes.uidNext());
        for (Long uid : changes.expunged()) {
            if (seqOf(uid) > 0) pendingExpunges.add(uid);
        }
        if (allowExpunge && !pendingExpunges.isEmpty()) {
            boolean vanished = enabled.contains(ImapSession.Extension.QRESYNC);
            List<Long> gone = new ArrayList<>();
            // Highest first, so each reported number is still valid when the client applies it.
            for (long uid : pendingExpunges) {
                int seq = seqOf(uid);
                if (seq < 0) continue;
                messages.remove(seq - 1);
                if (vanished) gone.add(uid);
                else out.raw("* " + seq + " EXPUNGE").crlf();
            }
            // RFC 7162 §3.2.10: after ENABLE QRESYNC expunges are reported as VANISHED.
            if (!gone.isEmpty()) out.raw("* VANISHED " + SequenceSet.compact(gone)).crlf();
            pendingExpunges.clear();
            reportedExists = messages.size();
        }
        long lastUid = messages.isEmpty() ? 0 : messages.getLast().uid();
        Map<Integer, MessageRecord> flagChanges = new HashMap<>();
        boolean newKeywords = false;
        for (MessageRecord m : changes.changed()) {
            if (m.uid() > lastUid) {
                messages.add(m);
                lastUid = m.uid();
                newKeywords |= addKeywords(m.flags());
                continue;
            }
            int seq = seqOf(m.uid());
            if (seq < 0 || pendingExpunges.contains(m.uid())) continue;
            MessageRecord old = messages.get(seq - 1);
            messages.set(seq - 1, m);
            if (!old.flags().equals(m.flags())) {
                flagChanges.put(seq, m);
                newKeywords |= addKeywords(m.flags());
            }
        }
        if (newKeywords) writeFlags(out);
        for (var e : new java.util.TreeMap<>(flagChanges).entrySet()) {
            out.raw(unsolicitedFetch(e.getKey(), e.getValue())).crlf();
        }
        if (messages.size() != reportedExists) {
            reportedExists = messages.size();
            out.raw("* " + reportedExists + " EXISTS").crlf();
            int recent = recentCount();
            if (recent != reportedRecent && !enabled.contains(ImapSession.Extension.IMAP4REV2)) {
                reportedRecent = recent;
                out.raw("* " + recent + " RECENT").crlf();
            }
        }
    }

    /**
     * A FETCH reporting new flags: with UID under IMAP4rev2 (RFC 9051 §7.5.2) and with UID and
     * MODSEQ once CONDSTORE is enabled (RFC 7162 §3.2.4, as a QRESYNC server).
     */
    String unsolicitedFetch(int seq, MessageRecord r) {
        StringBuilder sb = new StringBuilder("* ").append(seq).append(" FETCH (");
        if (enabled.contains(ImapSession.Extension.IMAP4REV2) || enabled.contains(ImapSession.Extension.CONDSTORE)) {
            sb.append("UID ").append(r.uid()).append(' ');
        }
        sb.append("FLAGS ").append(flagList(r, isRecent(r)));
        if (enabled.contains(ImapSession.Extension.CONDSTORE)) sb.append(" MODSEQ (").append(r.modSeq()).append(')');
        return sb.append(')').toString();
    }

    void writeFlags(ResponseWriter out) throws IOException {
        StringBuilder sb = new StringBuilder("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft");
        for (String k : new TreeSet<>(keywords)) sb.append(' ').append(k);
        out.raw(sb.append(')').toString()).crlf();
    }

    /** "(\Seen foo)" in a stable order; \Recent added for this session's recent messages. */
    static String flagList(MessageRecord m, boolean recent) {
        StringBuilder sb = new StringBuilder("(");
        for (String f : new TreeSet<>(m.flags())) {
            // Only well-formed flags go out raw; anything else in the store must not reach the wire.
            if (!Flags.SYSTEM.contains(f) && !Flags.isValidKeyword(f)) continue;
            if (sb.length() > 1) sb.append(' ');
            sb.append(f);
        }
        if (recent) {
            if (sb.length() > 1) sb.append(' ');
            sb.append(Flags.RECENT);
        }
        return sb.append(')').toString();
    }
}
