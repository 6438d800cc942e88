// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.postern.imap.codec.ModifiedUtf7;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.Command;
import org.postern.store.Mailbox;
import org.postern.store.SpecialUse;

/**
 * CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS and NAMESPACE.
 * RFC 3501 §6.3.3-6.3.10; RFC 3348/RFC 9051 §7.3.1 (\HasChildren, \HasNoChildren); RFC 6154 §2
 * (special-use attributes in LIST); RFC 2342 (NAMESPACE). Names leave as modified UTF-7.
 */
final class MailboxHandler {
    private static final int MAX_PATTERN = 1000;

    String create(ImapSession s, Command.Create c) throws ImapException {
        String name = c.mailbox();
        // RFC 3501 §6.3.3: a trailing separator only says the client means to create children.
        if (name.endsWith("/")) name = name.substring(0, name.length() - 1);
        if (name.equalsIgnoreCase(Mailbox.INBOX)) throw ImapException.no("ALREADYEXISTS", "INBOX always exists");
        MailboxNames.checkCreatable(name);
        s.store.mailboxes().create(s.accountId(), name, SpecialUse.NONE);
        return "CREATE completed";
    }

    String delete(ImapSession s, Command.Delete c) throws ImapException {
        if (c.mailbox().equals(Mailbox.INBOX)) throw ImapException.no("CANNOT", "INBOX cannot be deleted");
        if (s.store.mailboxes().find(s.accountId(), c.mailbox()).isEmpty()) {
            throw ImapException.no("NONEXISTENT", "Mailbox does not exist");
        }
        if (s.selected != null && s.selected.name.equals(c.mailbox())) s.select(null);
        s.store.mailboxes().delete(s.accountId(), c.mailbox());
        return "DELETE completed";
    }

    String rename(ImapSession s, Command.Rename c) throws ImapException {
        if (s.store.mailboxes().find(s.accountId(), c.from()).isEmpty()) {
            throw ImapException.no("NONEXISTENT", "Mailbox does not exist");
        }
        if (c.to().equalsIgnoreCase(Mailbox.INBOX)) throw ImapException.no("ALREADYEXISTS", "INBOX already exists");
        MailboxNames.checkCreatable(c.to());
        if (s.store.mailboxes().find(s.accountId(), c.to()).isPresent()) {
            throw ImapException.no("ALREADYEXISTS", "Target mailbox exists");
        }
        s.store.mailboxes().rename(s.accountId(), c.from(), c.to());
        return "RENAME completed";
    }

    String subscribe(ImapSession s, Command.Subscribe c) throws ImapException {
        if (s.store.mailboxes().find(s.accountId(), c.mailbox()).isEmpty()) {
            if (!c.subscribe()) return c.name() + " completed";
            throw ImapException.no("NONEXISTENT", "Mailbox does not exist");
        }
        s.store.mailboxes().setSubscribed(s.accountId(), c.mailbox(), c.subscribe());
        return c.name() + " completed";
    }

    String list(ImapSession s, Command.ListMailboxes c) throws IOException, ImapException {
        ResponseWriter out = s.out();
        String verb = c.lsub() ? "LSUB" : "LIST";
        if (c.pattern().isEmpty()) {
            // RFC 3501 §6.3.8: an empty pattern asks for the hierarchy delimiter and root.
            out.raw("* " + verb + " (\\Noselect) \"/\" \"\"").crlf();
            return verb + " completed";
        }
        String pattern = c.reference() + c.pattern();
        if (pattern.length() > MAX_PATTERN) throw ImapException.bad("Pattern too long");
        // INBOX is case-insensitive, also as the first level of a pattern (RFC 3501 §5.1).
        if (pattern.length() >= 5 && pattern.substring(0, 5).equalsIgnoreCase(Mailbox.INBOX)
                && (pattern.length() == 5 || pattern.charAt(5) == '/' || pattern.charAt(5) == '*' || pattern.charAt(5) == '%')) {
            pattern = Mailbox.INBOX + pattern.substring(5);
        }
        List<Mailbox> all = new ArrayList<>(s.store.mailboxes().list(s.accountId()));
        all.sort(Comparator.comparing((Mailbox m) -> !m.name().equals(Mailbox.INBOX)).thenComparing(Mailbox::name));
        for (Mailbox m : all) {
            if (c.lsub() && !m.subscribed()) continue;
            if (!MailboxNames.matches(pattern, m.name())) continue;
            StringBuilder attrs = new StringBuilder();
            attrs.append(hasChildren(all, m.name()) ? "\\HasChildren" : "\\HasNoChildren");
            if (m.specialUse() != SpecialUse.NONE) attrs.append(' ').append(m.specialUse().attribute());
            out.raw("* " + verb + " (" + attrs + ") \"/\" ").string(ModifiedUtf7.encode(m.name())).crlf();
        }
        return verb + " completed";
    }

    private static boolean hasChildren(List<Mailbox> all, String name) {
        String prefix = name + Mailbox.SEPARATOR;
        for (Mailbox m : all) {
            if (m.name().startsWith(prefix)) return true;
        }
        return false;
    }

    String status(ImapSession s, Command.Status c) throws IOException, ImapException {
        Mailbox m = s.store.mailboxes().find(s.accountId(), c.mailbox())
                .orElseThrow(() -> ImapException.no("NONEXISTENT", "Mailbox does not exist"));
        StringBuilder sb = new StringBuilder();
        for (String item : c.items()) {
            if (!sb.isEmpty()) sb.append(' ');
            long v = switch (item.toUpperCase(Locale.ROOT)) {
                case "MESSAGES" -> m.messages();
                case "RECENT" -> s.selected != null && s.selected.mailboxId == m.id() ? s.selected.recentCount() : 0;
                case "UIDNEXT" -> m.uidNext();
                case "UIDVALIDITY" -> m.uidValidity();
                case "UNSEEN" -> m.unseen();
                default -> throw ImapException.bad("Unknown STATUS item");
            };
            sb.append(item).append(' ').append(v);
        }
        s.out().raw("* STATUS ").astring(ModifiedUtf7.encode(m.name())).raw(" (" + sb + ")").crlf();
        return "STATUS completed";
    }

    String namespace(ImapSession s) throws IOException {
        // RFC 2342 §5: one personal namespace with no prefix; no other users', no shared.
        s.out().raw("* NAMESPACE ((\"\" \"/\")) NIL NIL").crlf();
        return "NAMESPACE completed";
    }
}
