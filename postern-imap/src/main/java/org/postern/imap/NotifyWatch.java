// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.fetch.FetchEngine;
import org.postern.imap.parse.FetchItem;
import org.postern.store.ChangeEvent;
import org.postern.store.Mailbox;
import org.postern.store.MailboxChanges;
import org.postern.store.MessageRecord;
import org.postern.store.MetadataStore;
import org.postern.store.StoreException;

/**
 * What one session asked for with NOTIFY SET (RFC 5465) and the state that turns store changes into
 * its notifications. Changes are found by comparing the user's mailbox list (names, subscription,
 * counters, MODSEQ: one store call) with the list as last reported; the change feed only says when
 * to look. Between commands a short-lived task per wake-up of the session (change feed, or a
 * shared poll) delivers, so a watching connection keeps no thread of its own; the session delivers
 * at the end of each command. Both hold the session's output lock ({@link ImapSession#outLock}), so the view and the
 * socket are never used by two threads at once.
 *
 * <p>Annotation changes (§5.9-5.10) come from the change feed through {@link NotifyFeed}, one entry
 * per event, whoever made them (another session or node, JMAP, the CLI), and are reported one
 * entry per unsolicited METADATA response (RFC 5464 §4.4.2).
 *
 * <p>Rules: events this session caused itself are not reported back (§5 SHOULD): mailboxes a
 * command named are re-read silently after it, and entries its own SETMETADATA wrote are expected
 * ({@link #expectOwn}) and dropped when the feed announces them. Shared mailboxes need "r" as well as "l" (§5); one
 * listable without "r" is reported once as \NoAccess and not watched. More than
 * {@link ImapConfig#notifyLimit()} notifications at once (or METADATA changes queued) end NOTIFY with
 * NOTIFICATIONOVERFLOW (§5.8): a client that far behind is better served by resynchronising.
 */
final class NotifyWatch {
    /** Fallback poll for changes no feed announced (shared mailboxes of other accounts, other processes). */
    private static final long POLL_SECONDS = 10;

    enum Event {
        MESSAGE_NEW("MessageNew"), MESSAGE_EXPUNGE("MessageExpunge"), FLAG_CHANGE("FlagChange"),
        ANNOTATION_CHANGE("AnnotationChange"), MAILBOX_NAME("MailboxName"), SUBSCRIPTION_CHANGE("SubscriptionChange"),
        MAILBOX_METADATA_CHANGE("MailboxMetadataChange"), SERVER_METADATA_CHANGE("ServerMetadataChange");

        static final Set<Event> MESSAGE = EnumSet.of(MESSAGE_NEW, MESSAGE_EXPUNGE, FLAG_CHANGE, ANNOTATION_CHANGE);
        final String wire;

        Event(String wire) {
            this.wire = wire;
        }
    }

    enum Filter { INBOXES, PERSONAL, SUBSCRIBED, SUBTREE, MAILBOXES }

    /** One event group for mailboxes other than the selected one. */
    record Group(Filter filter, List<String> names, Set<Event> events) {
        boolean matches(Mailbox m) {
            return switch (filter) {
                // §6.3: where an MDA delivers. Here that is INBOX, and the \Junk mailbox where a
                // DMARC quarantine goes (postern-delivery's MailAuthStep); nothing else files mail.
                case INBOXES -> !SharedMailboxes.isShared(m.id())
                        && (m.name().equals(Mailbox.INBOX) || m.specialUse() == org.postern.store.SpecialUse.JUNK);
                case PERSONAL -> !SharedMailboxes.isShared(m.id());
                case SUBSCRIBED -> m.subscribed();
                case SUBTREE -> names.stream().anyMatch(n -> m.name().equals(n) || m.name().startsWith(n + Mailbox.SEPARATOR));
                case MAILBOXES -> names.contains(m.name());
            };
        }
    }

    enum SelectedMode { NONE, IMMEDIATE, DELAYED }

    /** Own writes expected back from the feed before this many are forgotten (a missed event must not pile up). */
    private static final int MAX_OWN = 1_000;

    final SelectedMode selectedMode;
    final Set<Event> selectedEvents;
    final List<FetchItem> fetch;
    final List<Group> groups;
    private final ImapSession s;
    /** The mailboxes as last reported, by id; guarded by the output lock. */
    private Map<Long, Mailbox> known = new HashMap<>();
    private final ConcurrentLinkedQueue<ChangeEvent.Entry> metadata = new ConcurrentLinkedQueue<>();
    /** Entries this session's SETMETADATA wrote whose events have not come back yet, with their counts. */
    private final Map<ChangeEvent.Entry, Integer> own = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean overflowed;
    private volatile boolean stopped;
    /** A delivery task is started and has not yet begun: wake-ups until then need no other. */
    private final java.util.concurrent.atomic.AtomicBoolean pending = new java.util.concurrent.atomic.AtomicBoolean();
    private java.util.concurrent.ScheduledFuture<?> poll;
    private final Runnable waker = this::wake;
    /** Change feeds of the accounts owning watched shared mailboxes, so their changes wake us too. */
    private final List<AutoCloseable> owners = new ArrayList<>();
    /** A client watching more accounts than this waits for the poll for the rest. */
    private static final int MAX_OWNERS = 32;

    NotifyWatch(ImapSession s, SelectedMode mode, Set<Event> selectedEvents, List<FetchItem> fetch, List<Group> groups) {
        this.s = s;
        this.selectedMode = mode;
        this.selectedEvents = selectedEvents;
        this.fetch = fetch;
        this.groups = groups;
    }

    /** The events watched on {@code m} when it is not the selected mailbox; none without "r" on a shared one. */
    Set<Event> events(Mailbox m, Map<Long, String> rights) {
        Set<Event> e = EnumSet.noneOf(Event.class);
        for (Group g : groups) if (g.matches(m)) e.addAll(g.events());
        if (!e.isEmpty() && SharedMailboxes.isShared(m.id())
                && !Rights.has(rights.computeIfAbsent(m.id(), id -> AclHandler.rights(s, m)), 'r')) {
            return EnumSet.noneOf(Event.class);
        }
        return e;
    }

    boolean wantsServerMetadata() {
        return groups.stream().anyMatch(g -> g.events().contains(Event.SERVER_METADATA_CHANGE));
    }

    /** Takes the current mailbox list as reported, writing nothing. */
    void baseline(List<Mailbox> mailboxes) {
        Map<Long, Mailbox> next = new HashMap<>();
        for (Mailbox m : mailboxes) next.put(m.id(), m);
        known = next;
    }

    void start(List<Mailbox> mailboxes) {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        Map<Long, String> rights = new HashMap<>();
        for (Mailbox m : mailboxes) {
            long owner = SharedMailboxes.ownerOf(m);
            if (!SharedMailboxes.isShared(m.id()) || seen.size() >= MAX_OWNERS || events(m, rights).isEmpty()) continue;
            if (seen.add(owner)) owners.add(s.store.changes().subscribe(owner, e -> {
                if (e.kind().aboutMail()) s.wake.release();
            }));
        }
        s.wake.listener(waker);
        poll = IdleHandler.poll(s.wake::release, POLL_SECONDS);
        // Changes since the session last drained its wake-ups are reported at once, as a waiting loop would.
        if (s.wake.availablePermits() > 0) wake();
    }

    void stop() {
        stopped = true;
        s.wake.clearListener(waker);
        if (poll != null) poll.cancel(false);
        for (AutoCloseable c : owners) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing to release
            }
        }
        s.wake.release();
    }

    /** Before this session's SETMETADATA writes: the feed's events of these entries are its own. */
    void expectOwn(Map<MetadataStore.Scope, Map<String, byte[]>> changes) {
        if (own.size() > MAX_OWN) own.clear();
        changes.forEach((scope, entries) -> entries.keySet()
                .forEach(name -> own.merge(new ChangeEvent.Entry(scope, name), 1, Integer::sum)));
    }

    /** The write failed: nothing of it will be announced. */
    void forgetOwn(Map<MetadataStore.Scope, Map<String, byte[]>> changes) {
        changes.forEach((scope, entries) -> entries.keySet()
                .forEach(name -> own.computeIfPresent(new ChangeEvent.Entry(scope, name), (k, n) -> n > 1 ? n - 1 : null)));
    }

    /** From the change feed's thread: queue it and wake the notifier. */
    void metadataChanged(ChangeEvent.Entry note) {
        if (stopped) return;
        boolean[] mine = {false};
        own.computeIfPresent(note, (k, n) -> {
            mine[0] = true;
            return n > 1 ? n - 1 : null;
        });
        if (mine[0]) return;
        if (queued.incrementAndGet() > s.config.notifyLimit()) {
            overflowed = true;
        } else {
            metadata.add(note);
        }
        s.wake.release();
    }

    /** From whichever thread released the session's wake-up: never blocks. */
    private void wake() {
        if (!stopped && pending.compareAndSet(false, true)) Thread.ofVirtual().name("imap-notify").start(this::deliverOnce);
    }

    private void deliverOnce() {
        // A wake-up from here on starts another run, which waits for this one at the lock.
        pending.set(false);
        if (stopped) return;
        s.outLock.lock();
        try {
            if (stopped || s.notify != this) return;
            // Before looking at the store: a change after this point wakes us again.
            s.wake.drainPermits();
            if (s.accountGone || s.shutdownRequested) {
                stopped = true;
                s.bye(s.accountGone ? "Account no longer available" : "Server shutting down");
                s.conn.close();
                return;
            }
            // RFC 5465 §6.1.2: SELECTED-DELAYED keeps EXPUNGE for commands that allow it, and
            // IDLE is one (§4: during IDLE exactly the NOTIFY events are sent).
            deliverSelected(selectedMode == SelectedMode.IMMEDIATE || s.idling);
            deliver(Set.of());
            s.out().flush();
        } catch (IOException e) {
            s.conn.close();
        } finally {
            s.outLock.unlock();
        }
    }

    /**
     * RFC 5465 §5.1-5.3 for the selected mailbox: EXISTS then FETCH of the requested attributes for new
     * messages, EXPUNGE or VANISHED, FETCH (UID FLAGS) for flag changes, each only when requested.
     */
    void deliverSelected(boolean allowExpunge) throws IOException {
        SelectedMailbox m = s.selected;
        if (m == null || selectedMode == SelectedMode.NONE) return;
        int before = m.size();
        long lastUid = before == 0 ? 0 : m.uidAt(before);
        MailboxChanges ch;
        try {
            ch = s.store.mailboxes().changesSince(s.accountId(), m.mailboxId, m.highestModSeq());
        } catch (StoreException e) {
            return; // the next command reports it
        }
        boolean added = ch.changed().stream().anyMatch(r -> r.uid() > lastUid);
        boolean flags = selectedEvents.contains(Event.FLAG_CHANGE) && !ch.changed().isEmpty();
        if (!added && !flags && ch.expunged().isEmpty()) return;
        m.sync(ch, allowExpunge, s.out());
        if (!added || fetch.isEmpty()) return;
        int first = m.size() + 1;
        while (first > 1 && m.uidAt(first - 1) > lastUid) first--;
        FetchEngine engine = new FetchEngine(s.store.blobs(), s.cache, s.server.structures());
        for (int seq = first; seq <= m.size(); seq++) {
            MessageRecord r = m.at(seq);
            try {
                engine.write(s.out(), seq, r, SelectedMailbox.flagList(r, m.isRecent(r)), fetch, false);
            } catch (FetchEngine.MessageUnavailableException | FetchEngine.UnknownCteException e) {
                // Expunged meanwhile or undecodable: the EXISTS said enough; a FETCH will tell the rest.
            }
        }
    }

    private sealed interface Note {
        record Status(Mailbox m, String items) implements Note {}

        record ListNote(String attributes, String name, String oldName) implements Note {}

        record Metadata(String mailbox, List<String> entries) implements Note {}
    }

    /**
     * Reports what changed in mailboxes other than the selected one since the last round (§5.1-5.7).
     * Mailboxes whose names are in {@code quiet} (or under them) changed by this session's own
     * command: their new state is taken without a word.
     */
    void deliver(Set<String> quiet) throws IOException {
        List<Mailbox> list;
        try {
            list = s.store.mailboxes().list(s.accountId());
        } catch (StoreException e) {
            return;
        }
        Map<Long, Mailbox> next = new LinkedHashMap<>();
        for (Mailbox m : list) next.put(m.id(), m);
        long selectedId = s.selected == null ? 0 : s.selected.mailboxId;
        Map<Long, String> rights = new HashMap<>();
        List<Note> notes = new ArrayList<>();
        List<String[]> renames = new ArrayList<>();
        // Mailboxes created or deleted by others: §5.4 counts their direct parents as affected too.
        List<Mailbox> parents = new ArrayList<>();
        for (Mailbox m : list) {
            Mailbox old = known.get(m.id());
            if (old != null && !old.name().equals(m.name())) renames.add(new String[] {old.name(), m.name()});
        }
        for (Mailbox m : list) {
            Mailbox old = known.get(m.id());
            boolean silent = quiet(quiet, m.name()) || (old != null && quiet(quiet, old.name()));
            Set<Event> ev = events(m, rights);
            if (old == null) {
                if (!silent && ev.contains(Event.MAILBOX_NAME)) notes.add(new Note.ListNote(attributes(m, list), m.name(), null));
                if (!silent) parents.add(m);
                continue;
            }
            // §5.4: a rename reports the renamed mailbox only, not its children.
            if (!old.name().equals(m.name()) && !silent && ev.contains(Event.MAILBOX_NAME) && !childOfRename(renames, old.name(), m.name())) {
                notes.add(new Note.ListNote(attributes(m, list), m.name(), old.name()));
            }
            if (old.subscribed() != m.subscribed() && !silent && ev.contains(Event.SUBSCRIPTION_CHANGE)) {
                notes.add(new Note.ListNote(attributes(m, list), m.name(), null));
            }
            if (m.id() != selectedId && !silent) {
                String items = statusItems(old, m, ev);
                if (items != null) notes.add(new Note.Status(m, items));
            }
        }
        for (Mailbox old : known.values()) {
            if (next.containsKey(old.id()) || quiet(quiet, old.name())) continue;
            // §5.4: deletion, or (RFC 4314) the "l" right taken away.
            if (groups.stream().anyMatch(g -> g.events().contains(Event.MAILBOX_NAME) && g.matches(old))) {
                notes.add(new Note.ListNote("\\NonExistent", old.name(), null));
            }
            parents.add(old);
        }
        parentNotes(parents, next, list, rights, notes);
        known = next;
        queued.set(0);
        Set<Note> reported = new java.util.HashSet<>();
        for (ChangeEvent.Entry n; (n = metadata.poll()) != null; ) metadataNote(n, list, rights, notes, reported);
        if (overflowed || notes.size() > s.config.notifyLimit()) {
            overflow();
            return;
        }
        ResponseWriter out = s.out();
        for (Note n : notes) {
            switch (n) {
                case Note.Status st -> out.raw("* STATUS ").astring(s.wireName(st.m().name())).raw(" (" + st.items() + ")").crlf();
                case Note.ListNote l -> {
                    out.raw("* LIST (" + l.attributes() + ") \"/\" ").astring(s.wireName(l.name()));
                    if (l.oldName() != null) out.raw(" (\"OLDNAME\" (").astring(s.wireName(l.oldName())).raw("))");
                    out.crlf();
                }
                case Note.Metadata md -> {
                    out.raw("* METADATA ").astring(s.wireName(md.mailbox()));
                    for (String e : md.entries()) out.raw(' ').astring(e);
                    out.crlf();
                }
            }
        }
    }

    /** §5.8: say so once and behave as after NOTIFY NONE. */
    private void overflow() throws IOException {
        s.out().raw("* OK [NOTIFICATIONOVERFLOW] Too many changes at once; notifications are off").crlf();
        s.notify = null;
        stop();
    }

    /** One entry's response, once per round however often it changed. */
    private void metadataNote(ChangeEvent.Entry n, List<Mailbox> list, Map<Long, String> rights, List<Note> notes,
            Set<Note> reported) {
        MetadataStore.Scope scope = n.scope();
        if (scope.mailboxId() == 0) {
            Note note = new Note.Metadata("", List.of(n.name()));
            if (wantsServerMetadata() && reported.add(note)) notes.add(note);
            return;
        }
        for (Mailbox m : list) {
            if (SharedMailboxes.ownerOf(m) == scope.ownerAccountId() && SharedMailboxes.realIdOf(m) == scope.mailboxId()) {
                Note note = new Note.Metadata(m.name(), List.of(n.name()));
                if (events(m, rights).contains(Event.MAILBOX_METADATA_CHANGE) && reported.add(note)) notes.add(note);
                return;
            }
        }
    }

    /**
     * STATUS items for a non-selected mailbox (§5.1-5.3), or null: MESSAGES and UIDNEXT when messages
     * came or went, UIDVALIDITY when it changed, HIGHESTMODSEQ under CONDSTORE; for flag changes
     * HIGHESTMODSEQ and UIDVALIDITY under CONDSTORE, and UNSEEN when the unseen count moved.
     */
    String statusItems(Mailbox old, Mailbox m, Set<Event> ev) {
        boolean condstore = s.condstore();
        if (ev.contains(Event.MESSAGE_NEW) || ev.contains(Event.MESSAGE_EXPUNGE)) {
            boolean uv = old.uidValidity() != m.uidValidity();
            if (uv || old.messages() != m.messages() || old.uidNext() != m.uidNext()) {
                StringBuilder sb = new StringBuilder("MESSAGES ").append(m.messages()).append(" UIDNEXT ").append(m.uidNext());
                if (uv) sb.append(" UIDVALIDITY ").append(m.uidValidity());
                if (condstore) sb.append(" HIGHESTMODSEQ ").append(m.highestModSeq());
                return sb.toString();
            }
        }
        if (ev.contains(Event.FLAG_CHANGE) && old.highestModSeq() != m.highestModSeq()) {
            StringBuilder sb = new StringBuilder();
            if (condstore) sb.append("HIGHESTMODSEQ ").append(m.highestModSeq()).append(" UIDVALIDITY ").append(m.uidValidity());
            if (old.unseen() != m.unseen()) sb.append(sb.isEmpty() ? "" : " ").append("UNSEEN ").append(m.unseen());
            return sb.isEmpty() ? null : sb.toString();
        }
        return null;
    }

    /**
     * RFC 5465 §5.4: "If a mailbox is created or deleted, the mailbox itself and its direct parent
     * (whether it is an existing mailbox or not) are considered to be affected": one LIST per parent
     * (its \HasChildren may have changed), \NonExistent when there is no such mailbox. A parent that
     * was itself created, deleted or renamed in this round is reported once, by that event.
     */
    private void parentNotes(List<Mailbox> changed, Map<Long, Mailbox> next, List<Mailbox> list,
            Map<Long, String> rights, List<Note> notes) {
        Set<String> done = new java.util.HashSet<>();
        for (Note n : notes) if (n instanceof Note.ListNote l) done.add(l.name());
        Map<String, Mailbox> byName = new HashMap<>();
        for (Mailbox m : next.values()) byName.put(m.name(), m);
        for (Mailbox child : changed) {
            int cut = child.name().lastIndexOf(Mailbox.SEPARATOR);
            if (cut <= 0) continue;
            String name = child.name().substring(0, cut);
            if (!done.add(name)) continue;
            Mailbox parent = byName.get(name);
            if (parent != null) {
                if (events(parent, rights).contains(Event.MAILBOX_NAME)) {
                    notes.add(new Note.ListNote(attributes(parent, list), name, null));
                }
                continue;
            }
            // No such mailbox: the filters that go by name (or by the child's kind) decide.
            boolean wanted = groups.stream().anyMatch(g -> g.events().contains(Event.MAILBOX_NAME) && switch (g.filter()) {
                case PERSONAL -> !SharedMailboxes.isShared(child.id());
                case SUBTREE -> g.names().stream().anyMatch(x -> name.equals(x) || name.startsWith(x + Mailbox.SEPARATOR));
                case MAILBOXES -> g.names().contains(name);
                case INBOXES, SUBSCRIBED -> false;
            });
            if (wanted) {
                String prefix = name + Mailbox.SEPARATOR;
                boolean children = list.stream().anyMatch(x -> x.name().startsWith(prefix));
                notes.add(new Note.ListNote(children ? "\\NonExistent \\HasChildren" : "\\NonExistent", name, null));
            }
        }
    }

    /** Attributes of an unsolicited LIST (§5.4-5.5): \Subscribed exactly when subscribed, and children. */
    static String attributes(Mailbox m, List<Mailbox> all) {
        String prefix = m.name() + Mailbox.SEPARATOR;
        boolean children = all.stream().anyMatch(x -> x.name().startsWith(prefix));
        return (children ? "\\HasChildren" : "\\HasNoChildren") + (m.subscribed() ? " \\Subscribed" : "");
    }

    private static boolean quiet(Set<String> quiet, String name) {
        for (String q : quiet) if (name.equals(q) || name.startsWith(q + Mailbox.SEPARATOR)) return true;
        return false;
    }

    private static boolean childOfRename(List<String[]> renames, String oldName, String newName) {
        for (String[] r : renames) {
            if (oldName.startsWith(r[0] + Mailbox.SEPARATOR) && newName.equals(r[1] + oldName.substring(r[0].length()))) return true;
        }
        return false;
    }
}
