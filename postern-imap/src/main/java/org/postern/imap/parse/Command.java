// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * One parsed IMAP command (RFC 3501 §6 and the extensions of package-info). Mailbox names are already
 * decoded from modified UTF-7 to UTF-8 with "/" as separator.
 */
public sealed interface Command {
    /** The command's name as the command table knows it (UID variants are "UID FETCH" etc.). */
    String name();

    record Capability() implements Command {
        public String name() { return "CAPABILITY"; }
    }

    record Noop() implements Command {
        public String name() { return "NOOP"; }
    }

    record Logout() implements Command {
        public String name() { return "LOGOUT"; }
    }

    record StartTls() implements Command {
        public String name() { return "STARTTLS"; }
    }

    /** {@code initialResponse}: null when absent, empty for "=" (RFC 4959 §3). Still base64. */
    record Authenticate(String mechanism, String initialResponse) implements Command {
        public String name() { return "AUTHENTICATE"; }
    }

    record Login(String user, String password) implements Command {
        public String name() { return "LOGIN"; }
        @Override
        public String toString() {
            return "Login[user=" + user + "]";
        }
    }

    /**
     * SELECT, or EXAMINE when {@code readOnly}; {@code condstore} for the CONDSTORE parameter and
     * {@code qresync} (null when absent) for QRESYNC's (RFC 7162 §3.1.8, §3.2.5).
     */
    record Select(String mailbox, boolean readOnly, boolean condstore, Qresync qresync) implements Command {
        public Select(String mailbox, boolean readOnly) {
            this(mailbox, readOnly, false, null);
        }
        public String name() { return readOnly ? "EXAMINE" : "SELECT"; }
    }

    /** RFC 7162 §3.2.5: {@code knownUids} null when not given; the seq-match data is parsed and ignored. */
    record Qresync(long uidValidity, long modSeq, SequenceSet knownUids) {}

    /** {@code uses}: special-use attributes requested with USE (RFC 6154 §3), e.g. "\\Sent". */
    record Create(String mailbox, List<String> uses) implements Command {
        public Create {
            uses = List.copyOf(uses);
        }
        public Create(String mailbox) {
            this(mailbox, List.of());
        }
        public String name() { return "CREATE"; }
    }

    record Delete(String mailbox) implements Command {
        public String name() { return "DELETE"; }
    }

    record Rename(String from, String to) implements Command {
        public String name() { return "RENAME"; }
    }

    record Subscribe(String mailbox, boolean subscribe) implements Command {
        public String name() { return subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE"; }
    }

    /**
     * LIST, or LSUB when {@code lsub}. {@code options} is null for the basic forms and set for
     * extended LIST (RFC 5258 §3: selection options, several patterns or RETURN options).
     */
    record ListMailboxes(String reference, List<String> patterns, boolean lsub, ListOptions options) implements Command {
        public ListMailboxes {
            patterns = List.copyOf(patterns);
        }
        public ListMailboxes(String reference, String pattern, boolean lsub) {
            this(reference, List.of(pattern), lsub, null);
        }
        public String name() { return lsub ? "LSUB" : "LIST"; }
    }

    /**
     * RFC 5258 §3.1-3.2, RFC 6154 §5.1, RFC 5819: selection options (subscribed, remote,
     * recursiveMatch, specialUse) and return options; {@code status} holds STATUS items, empty for none.
     */
    record ListOptions(boolean subscribed, boolean remote, boolean recursiveMatch, boolean specialUse,
            boolean returnChildren, boolean returnSubscribed, boolean returnSpecialUse, List<String> status) {
        public ListOptions {
            status = List.copyOf(status);
        }
    }

    record Status(String mailbox, List<String> items) implements Command {
        public Status {
            items = List.copyOf(items);
        }
        public String name() { return "STATUS"; }
    }

    /**
     * APPEND up to the message literal; the session streams the {@code size} octets that follow.
     * {@code internalDate} is null when not given. {@code utf8} when the literal is wrapped as
     * {@code UTF8 (~{n})} (RFC 6855 §4), so a ")" follows the message.
     */
    record Append(String mailbox, List<String> flags, OffsetDateTime internalDate, long size, boolean synchronizing,
            boolean utf8) implements Command {
        public Append {
            flags = List.copyOf(flags);
        }
        public Append(String mailbox, List<String> flags, OffsetDateTime internalDate, long size, boolean synchronizing) {
            this(mailbox, flags, internalDate, size, synchronizing, false);
        }
        public String name() { return "APPEND"; }
    }

    /**
     * REPLACE or UID REPLACE (RFC 8508 §3.3): {@code message} is the APPEND part; {@code number} a
     * sequence number or UID ({@link SequenceSet#STAR} for "*").
     */
    record Replace(boolean uid, long number, Append message) implements Command {
        public String name() { return uid ? "UID REPLACE" : "REPLACE"; }
    }

    /** An APPEND read whole because it uses CATENATE (RFC 4469); plain literals are single TEXT parts. */
    record Catenate(String mailbox, List<CatenateMessage> messages) implements Command {
        public Catenate {
            messages = List.copyOf(messages);
        }
        public String name() { return "APPEND"; }
    }

    record CatenateMessage(List<String> flags, OffsetDateTime internalDate, List<CatPart> parts) {
        public CatenateMessage {
            flags = List.copyOf(flags);
            parts = List.copyOf(parts);
        }
    }

    sealed interface CatPart {
        record Text(byte[] data) implements CatPart {}

        record Url(String url) implements CatPart {}
    }

    record Check() implements Command {
        public String name() { return "CHECK"; }
    }

    record Close() implements Command {
        public String name() { return "CLOSE"; }
    }

    record Unselect() implements Command {
        public String name() { return "UNSELECT"; }
    }

    /** EXPUNGE, or UID EXPUNGE (RFC 4315 §2.1) when {@code uids} is not null. */
    record Expunge(SequenceSet uids) implements Command {
        public String name() { return uids == null ? "EXPUNGE" : "UID EXPUNGE"; }
    }

    /** ESEARCH return options (RFC 4731 §3.1) and SAVE (RFC 5182 §2.2). */
    enum SearchReturn { MIN, MAX, ALL, COUNT, SAVE }

    /**
     * {@code charset} is null when not given; {@code returns} is null for a plain SEARCH and the
     * RETURN options otherwise (empty RETURN () means ALL, RFC 4731 §3.1).
     */
    record Search(boolean uid, String charset, SearchKey key, java.util.Set<SearchReturn> returns) implements Command {
        public Search {
            returns = returns == null ? null : java.util.Set.copyOf(returns);
        }
        public Search(boolean uid, String charset, SearchKey key) {
            this(uid, charset, key, null);
        }
        public String name() { return uid ? "UID SEARCH" : "SEARCH"; }
    }

    /** {@code changedSince} -1 when absent; {@code vanished} for the VANISHED modifier (RFC 7162 §3.1.4.1, §3.2.6). */
    record Fetch(boolean uid, SequenceSet set, List<FetchItem> items, long changedSince, boolean vanished)
            implements Command {
        public Fetch {
            items = List.copyOf(items);
        }
        public Fetch(boolean uid, SequenceSet set, List<FetchItem> items) {
            this(uid, set, items, -1, false);
        }
        public String name() { return uid ? "UID FETCH" : "FETCH"; }
    }

    enum StoreMode { REPLACE, ADD, REMOVE }

    /** RFC 5256 §3 sort keys, with DISPLAYFROM and DISPLAYTO of RFC 5957. */
    enum SortKey { ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM, DISPLAYTO }

    record SortCriterion(SortKey key, boolean reverse) {}

    /**
     * SORT and UID SORT (RFC 5256 §3); {@code returns} null for a plain SORT, the ESORT RETURN
     * options otherwise (RFC 5267 §3.2).
     */
    record Sort(boolean uid, List<SortCriterion> criteria, String charset, SearchKey key,
            java.util.Set<SearchReturn> returns) implements Command {
        public Sort {
            criteria = List.copyOf(criteria);
            returns = returns == null ? null : java.util.Set.copyOf(returns);
        }
        public String name() { return uid ? "UID SORT" : "SORT"; }
    }

    enum ThreadAlgorithm { ORDEREDSUBJECT, REFERENCES }

    /** THREAD and UID THREAD (RFC 5256 §3). */
    record Thread(boolean uid, ThreadAlgorithm algorithm, String charset, SearchKey key) implements Command {
        public String name() { return uid ? "UID THREAD" : "THREAD"; }
    }

    /** {@code unchangedSince} -1 when absent (RFC 7162 §3.1.3). */
    record Store(boolean uid, SequenceSet set, StoreMode mode, boolean silent, List<String> flags, long unchangedSince)
            implements Command {
        public Store {
            flags = List.copyOf(flags);
        }
        public Store(boolean uid, SequenceSet set, StoreMode mode, boolean silent, List<String> flags) {
            this(uid, set, mode, silent, flags, -1);
        }
        public String name() { return uid ? "UID STORE" : "STORE"; }
    }

    /** COPY, or MOVE (RFC 6851) when {@code move}. */
    record Copy(boolean uid, SequenceSet set, String mailbox, boolean move) implements Command {
        public String name() { return (uid ? "UID " : "") + (move ? "MOVE" : "COPY"); }
    }

    record Idle() implements Command {
        public String name() { return "IDLE"; }
    }

    record Namespace() implements Command {
        public String name() { return "NAMESPACE"; }
    }

    record Enable(List<String> capabilities) implements Command {
        public Enable {
            capabilities = List.copyOf(capabilities);
        }
        public String name() { return "ENABLE"; }
    }

    /** RFC 2971; {@code params} null for NIL. */
    record Id(Map<String, String> params) implements Command {
        public String name() { return "ID"; }
    }

    /** RFC 4978 §3: COMPRESS mechanism. */
    record Compress(String mechanism) implements Command {
        public String name() { return "COMPRESS"; }
    }

    /** RFC 9208 §4.1.1. */
    record GetQuota(String root) implements Command {
        public String name() { return "GETQUOTA"; }
    }

    /** RFC 9208 §4.1.2. */
    record GetQuotaRoot(String mailbox) implements Command {
        public String name() { return "GETQUOTAROOT"; }
    }

    /** RFC 9208 §4.1.3: resource name (upper case) to limit, in the order given; empty clears all. */
    record SetQuota(String root, Map<String, Long> limits) implements Command {
        public SetQuota {
            limits = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(limits));
        }
        public String name() { return "SETQUOTA"; }
    }

    /**
     * RFC 5464 §4.2: {@code mailbox} "" for server entries; {@code maxSize} -1 when not given;
     * {@code depth} 0, 1 or -1 for infinity. Entry names are lower-case.
     */
    record GetMetadata(String mailbox, List<String> entries, long maxSize, int depth) implements Command {
        public GetMetadata {
            entries = List.copyOf(entries);
        }
        public String name() { return "GETMETADATA"; }
    }

    /** RFC 5464 §4.3: lower-case entry name to value octets, null to remove; in the order given. */
    record SetMetadata(String mailbox, Map<String, byte[]> values) implements Command {
        public SetMetadata {
            values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        }
        public String name() { return "SETMETADATA"; }
    }

    /** RFC 4314 §3.1: {@code rights} as given, with its optional "+" or "-". */
    record SetAcl(String mailbox, String identifier, String rights) implements Command {
        public String name() { return "SETACL"; }
    }

    /** RFC 4314 §3.2. */
    record DeleteAcl(String mailbox, String identifier) implements Command {
        public String name() { return "DELETEACL"; }
    }

    /** RFC 4314 §3.3. */
    record GetAcl(String mailbox) implements Command {
        public String name() { return "GETACL"; }
    }

    /** RFC 4314 §3.4. */
    record ListRights(String mailbox, String identifier) implements Command {
        public String name() { return "LISTRIGHTS"; }
    }

    /** RFC 4314 §3.5. */
    record MyRights(String mailbox) implements Command {
        public String name() { return "MYRIGHTS"; }
    }

    /**
     * NOTIFY (RFC 5465 §3.1): {@code groups} null for NOTIFY NONE. Event names are kept as sent
     * (upper-cased) so that unknown ones can be refused with NO [BADEVENT], not BAD (§3.1).
     */
    record Notify(boolean status, List<NotifyGroup> groups) implements Command {
        public String name() { return "NOTIFY"; }
    }

    /**
     * One event group: {@code filter} is SELECTED, SELECTED-DELAYED, INBOXES, PERSONAL, SUBSCRIBED,
     * SUBTREE or MAILBOXES (the last two with {@code mailboxes}); {@code events} empty for NONE;
     * {@code fetch} the attributes given after MessageNew, empty when none were.
     */
    record NotifyGroup(String filter, List<String> mailboxes, List<String> events, List<FetchItem> fetch) {
        public NotifyGroup {
            mailboxes = List.copyOf(mailboxes);
            events = List.copyOf(events);
            fetch = List.copyOf(fetch);
        }
    }
}
