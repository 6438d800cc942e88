// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.postern.imap.NotifyWatch.Event;
import org.postern.imap.NotifyWatch.Filter;
import org.postern.imap.NotifyWatch.Group;
import org.postern.imap.NotifyWatch.SelectedMode;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.FetchItem;
import org.postern.store.Mailbox;

/**
 * NOTIFY SET and NOTIFY NONE (RFC 5465 §3.1). Checks the event rules of §5 (MessageNew and
 * MessageExpunge together, FlagChange and AnnotationChange only with both: BAD), §6.1 (one
 * SELECTED or SELECTED-DELAYED, message events only there) and §8 (fetch attributes only for the
 * selected mailbox); unknown events are NO [BADEVENT (every supported event)]. With STATUS, a
 * STATUS response precedes the OK for each watched mailbox with message events (§3.1). The
 * command's implicit NOOP (§3.1) is the session's usual report of the selected mailbox.
 *
 * <p>AnnotationChange is accepted: it concerns message annotations (the ANNOTATE extension), which this server
 * does not keep, so the event never occurs.
 */
final class NotifyHandler {
    String notify(ImapSession s, Command.Notify c) throws IOException, ImapException {
        if (c.groups() == null) {
            s.stopNotify();
            return "NOTIFY completed";
        }
        SelectedMode mode = SelectedMode.NONE;
        Set<Event> selectedEvents = EnumSet.noneOf(Event.class);
        List<FetchItem> fetch = List.of();
        List<Group> groups = new ArrayList<>();
        for (Command.NotifyGroup g : c.groups()) {
            Set<Event> events = events(g.events());
            boolean selected = g.filter().startsWith("SELECTED");
            if (!g.fetch().isEmpty() && !selected) throw ImapException.bad("Fetch attributes only for the selected mailbox");
            if (selected) {
                if (mode != SelectedMode.NONE) throw ImapException.bad("Only one of SELECTED and SELECTED-DELAYED");
                if (!Event.MESSAGE.containsAll(events)) throw ImapException.bad("Only message events for the selected mailbox");
                mode = g.filter().equals("SELECTED") ? SelectedMode.IMMEDIATE : SelectedMode.DELAYED;
                selectedEvents = events;
                fetch = g.fetch();
                // SELECTED NONE is the same as leaving the selected mailbox out (§3.1).
                if (events.isEmpty()) mode = SelectedMode.NONE;
            } else {
                groups.add(new Group(Filter.valueOf(g.filter()), g.mailboxes(), events));
            }
        }
        NotifyWatch w = new NotifyWatch(s, mode, selectedEvents, fetch, groups);
        List<Mailbox> mailboxes = s.store.mailboxes().list(s.accountId());
        List<Mailbox> watched = new ArrayList<>();
        List<Mailbox> noAccess = new ArrayList<>();
        Map<Long, String> rights = new HashMap<>();
        for (Mailbox m : mailboxes) {
            boolean named = groups.stream().anyMatch(g -> g.matches(m) && !g.events().isEmpty());
            if (!named) continue;
            Set<Event> ev = w.events(m, rights);
            // §3.1: listable but without the right the events need ("r", §5): \NoAccess.
            if (ev.isEmpty()) noAccess.add(m);
            else if (ev.stream().anyMatch(Event.MESSAGE::contains)) watched.add(m);
        }
        if (watched.size() > s.config.notifyLimit()) {
            throw ImapException.no("NOTIFICATIONOVERFLOW", "Too many mailboxes to watch");
        }
        for (Mailbox m : noAccess) s.out().raw("* LIST (\\NoAccess) \"/\" ").astring(s.wireName(m.name())).crlf();
        if (c.status()) {
            long selectedId = s.selected == null ? 0 : s.selected.mailboxId;
            for (Mailbox m : watched) {
                if (m.id() == selectedId) continue;
                Set<Event> ev = w.events(m, rights);
                StringBuilder sb = new StringBuilder("MESSAGES ").append(m.messages()).append(" UIDNEXT ").append(m.uidNext())
                        .append(" UIDVALIDITY ").append(m.uidValidity());
                if (ev.contains(Event.FLAG_CHANGE) && s.condstore()) sb.append(" HIGHESTMODSEQ ").append(m.highestModSeq());
                s.out().raw("* STATUS ").astring(s.wireName(m.name())).raw(" (" + sb + ")").crlf();
            }
        }
        w.baseline(mailboxes);
        s.server.notifyFeed().start();
        s.startNotify(w, mailboxes);
        return "NOTIFY completed";
    }

    /** The events of one group, with §5's pairing rules. */
    private static Set<Event> events(List<String> names) throws ImapException {
        Set<Event> out = EnumSet.noneOf(Event.class);
        List<String> unknown = new ArrayList<>();
        for (String n : names) {
            Event e = byName(n);
            if (e == null) unknown.add(n);
            else out.add(e);
        }
        if (!unknown.isEmpty()) {
            StringJoiner all = new StringJoiner(" ", "BADEVENT (", ")");
            for (Event e : Event.values()) all.add(e.wire);
            throw ImapException.no(all.toString(), "Unsupported event");
        }
        if (out.contains(Event.MESSAGE_NEW) != out.contains(Event.MESSAGE_EXPUNGE)) {
            throw ImapException.bad("MessageNew and MessageExpunge go together");
        }
        if ((out.contains(Event.FLAG_CHANGE) || out.contains(Event.ANNOTATION_CHANGE)) && !out.contains(Event.MESSAGE_NEW)) {
            throw ImapException.bad("FlagChange and AnnotationChange need MessageNew and MessageExpunge");
        }
        return out;
    }

    private static Event byName(String upper) {
        for (Event e : Event.values()) if (e.wire.equalsIgnoreCase(upper)) return e;
        return null;
    }
}
