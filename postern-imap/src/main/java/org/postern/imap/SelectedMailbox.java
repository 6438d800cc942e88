// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.postern.core.Flags;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.ChangeFeed;
import org.postern.store.MailboxChanges;
import org.postern.store.MailboxIndex;
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
    /**
     * The account that owns the mailbox and its id there: the session's own for a personal mailbox,
     * another account's for a shared one. Anything keyed by the owner's data (the full-text index,
     * stored sort keys, thread ids) must use these, never the session's account (RFC 4314 §4).
     */
    final long ownerId;
    final long ownerMailboxId;
    final String name;
    final boolean readOnly;
    final long uidValidity;
    /**
     * The messages as columns (see {@link MailboxIndex}). Shared with the store's index until this view
     * first changes or is {@linkplain #release() released}; then only the columns the view itself
     * changes (UID, MODSEQ, flag set) are copied into arrays only this session touches: about 20 bytes
     * a message, no object per message.
     */
    private MailboxIndex base;
    private int count;
    private long[] uids;
    private long[] modSeqs;
    private int[] flagIds;
    /**
     * What never changes for a UID (size, dates, blob id), looked up by UID when a command needs a
     * whole record. Held strongly while commands run; only weakly once released, since a backend's
     * cached index is shared and a small mailbox's is cheap to load again through {@link #reload}.
     */
    private MailboxIndex details;
    private WeakReference<MailboxIndex> weakDetails;
    /** Messages that arrived after {@link #details} was loaded (they are not in it); dropped on release. */
    private Map<Long, MessageRecord> arrived = new HashMap<>();
    /** Loads the mailbox's current index again; null keeps {@link #details} for good. */
    private final Supplier<MailboxIndex> reload;
    private final List<Set<String>> flagSets;
    private Map<Set<String>, Integer> flagIndex;
    /** Index size from which a backend probably caches and shares it (SQLite: 1,000). */
    private static final int SHARED_INDEX_SIZE = 1_000;
    private final long recentFromUid;
    private final Set<Long> pendingExpunges = new TreeSet<>(Collections.reverseOrder());
    /**
     * The change feed's version when this view was last brought up to date (ImapSession#syncSelected),
     * or ChangeFeed.UNKNOWN: not synced since it was opened, or a change is suspected.
     */
    long syncedVersion = ChangeFeed.UNKNOWN;
    /**
     * This session's own APPENDs to its account since the view was last synced, while their feed spans
     * chain from {@link #syncedVersion}: {@link #ownWritesEnd} is where the chain has reached, or UNKNOWN
     * once it broke (a write whose span the feed could not tell, or that did not start where the
     * chain ended). Those appended to this mailbox are kept, at most {@link #MAX_OWN} of them.
     */
    private final List<MessageRecord> ownAppends = new ArrayList<>();
    private long ownWritesEnd = ChangeFeed.UNKNOWN;
    private boolean ownWrites;
    private static final int MAX_OWN = 1_000;
    private final Set<String> keywords = new HashSet<>();
    private long highestModSeq;
    private long uidNext;
    private int reportedExists;
    private int reportedRecent;
    /** The session's enabled extensions; ENABLE may change them while this mailbox is selected. */
    private final Set<ImapSession.Extension> enabled;
    /** RFC 5465 §5.1: with NOTIFY, an unsolicited FETCH for a flag change always carries the UID. */
    boolean uidInFetch;
    /** UIDs of the last SEARCH ... RETURN (SAVE) (RFC 5182 §2.1), ascending; empty after selection. */
    private long[] saved = new long[0];

    SelectedMailbox(MailboxSnapshot snapshot, boolean readOnly) {
        this(MailboxIndex.of(snapshot), readOnly, java.util.EnumSet.noneOf(ImapSession.Extension.class));
    }

    SelectedMailbox(MailboxSnapshot snapshot, boolean readOnly, Set<ImapSession.Extension> enabled) {
        this(MailboxIndex.of(snapshot), readOnly, enabled);
    }

    SelectedMailbox(MailboxIndex index, boolean readOnly, Set<ImapSession.Extension> enabled) {
        this(index, readOnly, enabled, null);
    }

    SelectedMailbox(MailboxIndex index, boolean readOnly, Set<ImapSession.Extension> enabled,
            Supplier<MailboxIndex> reload) {
        this.reload = reload;
        this.details = index;
        this.enabled = enabled;
        this.mailboxId = index.mailbox().id();
        this.ownerId = SharedMailboxes.ownerOf(index.mailbox());
        this.ownerMailboxId = SharedMailboxes.realIdOf(index.mailbox());
        this.name = index.mailbox().name();
        this.readOnly = readOnly;
        this.uidValidity = index.mailbox().uidValidity();
        this.base = index;
        this.count = index.size();
        this.flagSets = new ArrayList<>(index.flagSets());
        this.highestModSeq = index.mailbox().highestModSeq();
        this.uidNext = index.mailbox().uidNext();
        this.recentFromUid = index.mailbox().uidNext();
        this.reportedExists = count;
        // Distinct flag sets only, not every message: they are few.
        for (Set<String> f : flagSets) addKeywords(f);
    }

    int size() {
        return count;
    }

    long uidNext() {
        return uidNext;
    }

    long highestModSeq() {
        return highestModSeq;
    }

    /** Sequence number 1..size. */
    MessageRecord at(int seq) {
        int i = checked(seq);
        if (base != null) return base.record(i);
        long uid = uids[i];
        Set<String> flags = flagSets.get(flagIds[i]);
        MailboxIndex d = details();
        int j = d == null ? -1 : d.indexOf(uid);
        if (j >= 0) {
            return new MessageRecord(uid, modSeqs[i], flags, d.messageSize(j),
                    Instant.ofEpochMilli(d.internalDateMillis(j)), d.blobId(j), Instant.ofEpochMilli(d.savedDateMillis(j)));
        }
        MessageRecord r = arrived.get(uid);
        if (r != null) {
            return new MessageRecord(uid, modSeqs[i], flags, r.size(), r.internalDate(), r.blobId(), r.savedDate());
        }
        // Expunged in the store after the view last lost its details, not yet reported: nothing of it is
        // left to read, which RFC 2180 §4.1.3 lets a server answer with no content.
        return new MessageRecord(uid, modSeqs[i], flags, 0, Instant.EPOCH, "", Instant.EPOCH);
    }

    /**
     * The details index, loaded again when it was let go. Everything in the view is then in it or in
     * {@link #arrived}, unless the store expunged it since; loading again would not bring that back.
     */
    private MailboxIndex details() {
        MailboxIndex d = details;
        if (d == null && weakDetails != null) d = details = weakDetails.get();
        if (d == null && reload != null) d = details = reload.get();
        weakDetails = null;
        return d;
    }

    /**
     * Lets go of what the view can load again: the per-message columns of a small mailbox's index
     * (which no one else holds) and the details. Called before a long wait such as IDLE, where a
     * connection should cost little. Does nothing without a way to reload.
     */
    void release() {
        if (reload == null) return;
        // A large index is most likely the backend's cached one, shared with other sessions: copying its
        // columns would cost this session more than it frees.
        if (base != null && base.size() < SHARED_INDEX_SIZE) own(0);
        MailboxIndex d = details != null ? details : weakDetails == null ? null : weakDetails.get();
        // Messages that arrived since are not in it: then load everything again when needed.
        weakDetails = d != null && arrived.isEmpty() ? new WeakReference<>(d) : null;
        details = null;
        arrived = new HashMap<>();
    }

    long uidAt(int seq) {
        int i = checked(seq);
        return base != null ? base.uid(i) : uids[i];
    }

    long modSeqAt(int seq) {
        int i = checked(seq);
        return base != null ? base.modSeq(i) : modSeqs[i];
    }

    Set<String> flagsAt(int seq) {
        int i = checked(seq);
        return flagSets.get(base != null ? base.flagId(i) : flagIds[i]);
    }

    /**
     * The message's flag set as an index into this view's distinct flag sets ({@link #flagSet}): equal
     * ids mean equal sets, so a command over many messages can render each set once.
     */
    int flagIdAt(int seq) {
        int i = checked(seq);
        return base != null ? base.flagId(i) : flagIds[i];
    }

    Set<String> flagSet(int flagId) {
        return flagSets.get(flagId);
    }

    /**
     * Size, internal date and blob id without a record per message (SORT, SEARCH over a whole mailbox):
     * straight from the shared columns while the view has not changed, else through {@link #at}.
     */
    long sizeAt(int seq) {
        int i = checked(seq);
        return base != null ? base.messageSize(i) : at(seq).size();
    }

    long internalDateMillisAt(int seq) {
        int i = checked(seq);
        return base != null ? base.internalDateMillis(i) : at(seq).internalDate().toEpochMilli();
    }

    String blobIdAt(int seq) {
        int i = checked(seq);
        return base != null ? base.blobId(i) : at(seq).blobId();
    }

    private int checked(int seq) {
        if (seq < 1 || seq > count) throw new IndexOutOfBoundsException("sequence number " + seq + " of " + count);
        return seq - 1;
    }

    /** The messages as records made on demand (the view holds no record per message). */
    List<MessageRecord> messages() {
        return new AbstractList<>() {
            @Override
            public MessageRecord get(int i) {
                return at(i + 1);
            }

            @Override
            public int size() {
                return count;
            }
        };
    }

    /** RFC 9051 §2.3.2: no \Recent once IMAP4rev2 is enabled. */
    boolean isRecent(MessageRecord m) {
        return isRecent(m.uid());
    }

    boolean isRecent(long uid) {
        return uid >= recentFromUid && !enabled.contains(ImapSession.Extension.IMAP4REV2);
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
        for (int seq = count; seq >= 1 && uidAt(seq) >= recentFromUid; seq--) n++;
        return n;
    }

    /**
     * The session appended {@code r} to mailbox {@code mailboxId} of the account whose version the view
     * follows; {@code span} is what that write did to the version (ChangeFeed#lastWrite), or null.
     */
    void appended(long mailboxId, MessageRecord r, ChangeFeed.Span span) {
        long end = ownWrites ? ownWritesEnd : syncedVersion;
        ownWrites = true;
        boolean chained = span != null && end != ChangeFeed.UNKNOWN && span.before() == end
                && ownAppends.size() < MAX_OWN;
        ownWritesEnd = chained ? span.after() : ChangeFeed.UNKNOWN;
        if (chained && mailboxId == this.mailboxId) ownAppends.add(r);
    }

    /**
     * What changed since the last sync, when only this session's own APPENDs did, {@code version} being
     * the feed's current version: the appended messages, as the store would report them (each took the
     * account's next MODSEQ and the mailbox's next UID). Null when anything else may have changed.
     */
    MailboxChanges ownChangesUpTo(long version) {
        if (!ownWrites || ownWritesEnd == ChangeFeed.UNKNOWN || ownWritesEnd != version) return null;
        if (ownAppends.isEmpty()) return new MailboxChanges(highestModSeq, uidNext, List.of(), List.of());
        // In write order, which is UID and MODSEQ order: the last one is the mailbox's latest.
        MessageRecord last = ownAppends.getLast();
        return new MailboxChanges(Math.max(highestModSeq, last.modSeq()), Math.max(uidNext, last.uid() + 1),
                List.copyOf(ownAppends), List.of());
    }

    /** The view was synced at {@code version} (ChangeFeed.UNKNOWN: the next command must ask the store). */
    void synced(long version) {
        syncedVersion = version;
        ownWrites = false;
        ownWritesEnd = ChangeFeed.UNKNOWN;
        ownAppends.clear();
    }

    /** Expunges seen but not reported yet (they must go out at the next command that allows them). */
    boolean hasPendingExpunges() {
        return !pendingExpunges.isEmpty();
    }

    boolean isPendingExpunge(long uid) {
        return pendingExpunges.contains(uid);
    }

    /** Sequence number of a UID, or -1. */
    int seqOf(long uid) {
        int i = base != null ? base.indexOf(uid) : Arrays.binarySearch(uids, 0, count, uid);
        return i >= 0 ? i + 1 : -1;
    }

    /** Sequence numbers a message set names, ascending, without expanding the set. */
    List<Integer> resolveSeq(SequenceSet set) {
        if (set.isSaved()) return resolveSaved();
        List<Integer> out = new ArrayList<>();
        int n = count;
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
        if (count == 0) return out;
        long star = uidAt(count);
        for (long[] r : set.resolve(star)) {
            int from = lowerBound(r[0]);
            for (int i = from; i < count && uidAt(i + 1) <= r[1]; i++) out.add(i + 1);
        }
        return out;
    }

    private int lowerBound(long uid) {
        int i = base != null ? base.indexOf(uid) : Arrays.binarySearch(uids, 0, count, uid);
        return i >= 0 ? i : -i - 1;
    }

    /** Records flags this session itself just stored, so the next sync does not repeat them. */
    void updateFlags(MessageRecord changed) {
        int seq = seqOf(changed.uid());
        if (seq > 0) set(seq - 1, changed);
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

    /** Takes the columns over from the shared index, with room for {@code extra} more messages. */
    private void own(int extra) {
        if (base == null) {
            if (count + extra > uids.length) resize(Math.max(count + extra, uids.length * 2));
            return;
        }
        int cap = count + Math.max(extra, 16);
        uids = base.uidsCopy(cap);
        modSeqs = base.modSeqsCopy(cap);
        flagIds = base.flagIdsCopy(cap);
        if (details == null && weakDetails == null) details = base;
        base = null;
    }

    private void resize(int cap) {
        uids = Arrays.copyOf(uids, cap);
        modSeqs = Arrays.copyOf(modSeqs, cap);
        flagIds = Arrays.copyOf(flagIds, cap);
    }

    private int intern(Set<String> flags) {
        if (flagIndex == null) {
            flagIndex = new HashMap<>();
            for (int i = 0; i < flagSets.size(); i++) flagIndex.put(flagSets.get(i), i);
        }
        Integer id = flagIndex.get(flags);
        if (id != null) return id;
        Set<String> copy = Set.copyOf(flags);
        flagSets.add(copy);
        flagIndex.put(copy, flagSets.size() - 1);
        return flagSets.size() - 1;
    }

    private void set(int i, MessageRecord r) {
        own(0);
        uids[i] = r.uid();
        modSeqs[i] = r.modSeq();
        flagIds[i] = intern(r.flags());
    }

    private void append(MessageRecord r) {
        own(1);
        count++;
        set(count - 1, r);
        MailboxIndex d = details != null ? details : weakDetails == null ? null : weakDetails.get();
        if (d == null || d.indexOf(r.uid()) < 0) {
            // Bounded: past this many, forget them all and load the index again when needed.
            if (arrived.size() >= 10_000 && reload != null) {
                arrived.clear();
                details = null;
                weakDetails = null;
            }
            arrived.put(r.uid(), r);
        }
    }

    /** Removes the messages at the given 0-based positions (ascending) in one pass. */
    private void removeAll(int[] positions) {
        if (positions.length == 0) return;
        own(0);
        int w = positions[0];
        int p = 0;
        for (int r = positions[0]; r < count; r++) {
            if (p < positions.length && positions[p] == r) {
                p++;
                continue;
            }
            uids[w] = uids[r];
            modSeqs[w] = modSeqs[r];
            flagIds[w] = flagIds[r];
            w++;
        }
        count = w;
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
            int[] positions = new int[pendingExpunges.size()];
            int k = 0;
            // Highest first, so each reported number is still valid when the client applies it: removing
            // a message never renumbers those below it.
            for (long uid : pendingExpunges) {
                int seq = seqOf(uid);
                if (seq < 0) continue;
                positions[k++] = seq - 1;
                if (vanished) gone.add(uid);
                else out.raw("* " + seq + " EXPUNGE").crlf();
            }
            positions = Arrays.copyOf(positions, k);
            Arrays.sort(positions);
            removeAll(positions);
            // RFC 7162 §3.2.10: after ENABLE QRESYNC expunges are reported as VANISHED.
            if (!gone.isEmpty()) out.raw("* VANISHED " + SequenceSet.compact(gone)).crlf();
            pendingExpunges.clear();
            reportedExists = count;
        }
        long lastUid = count == 0 ? 0 : uidAt(count);
        Map<Integer, MessageRecord> flagChanges = new HashMap<>();
        boolean newKeywords = false;
        for (MessageRecord m : changes.changed()) {
            if (m.uid() > lastUid) {
                append(m);
                lastUid = m.uid();
                newKeywords |= addKeywords(m.flags());
                continue;
            }
            int seq = seqOf(m.uid());
            if (seq < 0 || pendingExpunges.contains(m.uid())) continue;
            Set<String> old = flagsAt(seq);
            set(seq - 1, m);
            if (!old.equals(m.flags())) {
                flagChanges.put(seq, m);
                newKeywords |= addKeywords(m.flags());
            }
        }
        if (newKeywords) writeFlags(out);
        for (var e : new java.util.TreeMap<>(flagChanges).entrySet()) {
            out.raw(unsolicitedFetch(e.getKey(), e.getValue())).crlf();
        }
        if (count != reportedExists) {
            reportedExists = count;
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
        if (uidInFetch || enabled.contains(ImapSession.Extension.IMAP4REV2) || enabled.contains(ImapSession.Extension.CONDSTORE)) {
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
        return flagList(m.flags(), recent);
    }

    /** Rendered flag lists: a mailbox has few distinct flag sets, so FETCH 1:* FLAGS renders each once. */
    private static final Map<Set<String>, String> RENDERED = new java.util.concurrent.ConcurrentHashMap<>();

    static String flagList(Set<String> flags, boolean recent) {
        String plain = RENDERED.get(flags);
        if (plain == null) {
            plain = render(flags);
            if (RENDERED.size() >= 10_000) RENDERED.clear();
            RENDERED.put(Set.copyOf(flags), plain);
        }
        if (!recent) return plain;
        return plain.length() == 2 ? "(" + Flags.RECENT + ")"
                : plain.substring(0, plain.length() - 1) + " " + Flags.RECENT + ")";
    }

    private static String render(Set<String> flags) {
        StringBuilder sb = new StringBuilder("(");
        for (String f : new TreeSet<>(flags)) {
            // Only well-formed flags go out raw; anything else in the store must not reach the wire.
            if (!Flags.SYSTEM.contains(f) && !Flags.isValidKeyword(f)) continue;
            if (sb.length() > 1) sb.append(' ');
            sb.append(f);
        }
        return sb.append(')').toString();
    }
}
