// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * NOTIFY's arguments (RFC 5465 §8): {@code "NONE"} or {@code "SET" [SP "STATUS"] SP event-groups}.
 * Syntax only; which events are supported and the pairing rules of §5 are the handler's, because an
 * unknown event is NO [BADEVENT], not BAD.
 */
final class NotifyParser {
    /** Event groups and mailboxes per group: a client watching more than this asks for trouble (§9). */
    static final int MAX_GROUPS = 32;
    static final int MAX_MAILBOXES = 256;
    static final int MAX_EVENTS = 16;

    private NotifyParser() {}

    static Command notify(Tokens t) throws ParseException {
        t.sp();
        if (t.acceptWord("NONE")) return new Command.Notify(false, null);
        if (!t.acceptWord("SET")) throw new ParseException("Expected NOTIFY SET or NOTIFY NONE");
        t.sp();
        boolean status = false;
        if (t.acceptWord("STATUS")) {
            status = true;
            t.sp();
        }
        List<Command.NotifyGroup> groups = new ArrayList<>();
        do {
            if (groups.size() >= MAX_GROUPS) throw new ParseException("Too many event groups");
            groups.add(group(t));
        } while (t.accept(' '));
        return new Command.Notify(status, groups);
    }

    private static Command.NotifyGroup group(Tokens t) throws ParseException {
        t.expect('(');
        String filter = t.keyword();
        List<String> mailboxes = new ArrayList<>();
        switch (filter) {
            case "SELECTED", "SELECTED-DELAYED", "INBOXES", "PERSONAL", "SUBSCRIBED" -> { }
            case "SUBTREE", "MAILBOXES" -> {
                t.sp();
                // one-or-more-mailbox = mailbox / "(" mailbox *(SP mailbox) ")"; no wildcards (§6.6).
                if (t.accept('(')) {
                    do {
                        if (mailboxes.size() >= MAX_MAILBOXES) throw new ParseException("Too many mailboxes");
                        mailboxes.add(CommandParser.mailbox(t));
                    } while (t.accept(' '));
                    t.expect(')');
                } else {
                    mailboxes.add(CommandParser.mailbox(t));
                }
            }
            default -> throw new ParseException("Unknown mailbox filter " + filter);
        }
        t.sp();
        List<String> events = new ArrayList<>();
        List<FetchItem> fetch = new ArrayList<>();
        if (t.acceptWord("NONE")) {
            t.expect(')');
            return new Command.NotifyGroup(filter, mailboxes, events, fetch);
        }
        // events = "(" event *(SP event) ")"; §3.1's own example sends one event bare, so take that too.
        boolean list = t.accept('(');
        do {
            if (events.size() >= MAX_EVENTS) throw new ParseException("Too many events");
            String event = t.keyword();
            events.add(event);
            if (event.equals("MESSAGENEW") && t.lookingAt(" (")) {
                t.sp();
                t.expect('(');
                do {
                    CommandParser.fetchAtt(t, fetch);
                    if (fetch.size() > 100) throw new ParseException("Too many FETCH items");
                } while (t.accept(' '));
                t.expect(')');
            }
        } while (list && t.accept(' '));
        if (list) t.expect(')');
        t.expect(')');
        return new Command.NotifyGroup(filter, mailboxes, events, fetch);
    }
}
