// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.postern.core.Flags;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.Command;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.SpecialUse;

/**
 * CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS and NAMESPACE.
 * RFC 3501 §6.3.3-6.3.10; RFC 3348/RFC 9051 §7.3.1 (\HasChildren, \HasNoChildren); RFC 6154 §2
 * (special-use attributes in LIST), §3 (CREATE USE); RFC 5258 (LIST-EXTENDED); RFC 5819
 * (LIST-STATUS); RFC 2342 (NAMESPACE). Names leave as modified UTF-7, or UTF-8 once enabled.
 */
final class MailboxHandler {
    private static final int MAX_PATTERN = 1000;

    String create(ImapSession s, Command.Create c) throws ImapException {
        String name = c.mailbox();
        // RFC 3501 §6.3.3: a trailing separator only says the client means to create children.
        if (name.endsWith("/")) name = name.substring(0, name.length() - 1);
        if (name.equalsIgnoreCase(Mailbox.INBOX)) throw ImapException.no("ALREADYEXISTS", "INBOX always exists");
        MailboxNames.checkCreatable(name);
        // RFC 6154 §3: one special use per mailbox here; an unknown one is USEATTR.
        SpecialUse use = SpecialUse.NONE;
        if (c.uses().size() > 1) throw ImapException.no("USEATTR", "Only one special use per mailbox");
        for (String u : c.uses()) {
            use = SpecialUse.ofAttribute(u).orElseThrow(() -> ImapException.no("USEATTR", "Unsupported special use"));
        }
        Mailbox created = s.store.mailboxes().create(s.accountId(), name, use);
        return "[MAILBOXID (" + ObjectIds.mailboxId(created) + ")] CREATE completed";
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

    /**
     * LIST and LSUB, basic and extended. Names that do not exist but have children (the store keeps
     * children of a deleted parent) appear as \\Noselect, or \\NonExistent under IMAP4rev2 and in
     * extended LIST (RFC 5258 §3.4, RFC 9051 §7.3.1). LSUB returns a non-subscribed parent of a
     * subscribed mailbox as \\Noselect when "%" ends the pattern (RFC 3501 §6.3.9).
     */
    String list(ImapSession s, Command.ListMailboxes c) throws IOException, ImapException {
        String verb = c.lsub() ? "LSUB" : "LIST";
        Command.ListOptions o = c.options();
        if (c.patterns().size() == 1 && c.patterns().getFirst().isEmpty() && o == null) {
            // RFC 3501 §6.3.8: an empty pattern asks for the hierarchy delimiter and root.
            s.out().raw("* " + verb + " (\\Noselect) \"/\" \"\"").crlf();
            return verb + " completed";
        }
        List<String> patterns = new ArrayList<>();
        for (String p : c.patterns()) {
            if (p.isEmpty()) continue;
            String pattern = c.reference() + p;
            if (pattern.length() > MAX_PATTERN) throw ImapException.bad("Pattern too long");
            // INBOX is case-insensitive, also as the first level of a pattern (RFC 3501 §5.1).
            if (pattern.length() >= 5 && pattern.substring(0, 5).equalsIgnoreCase(Mailbox.INBOX)
                    && (pattern.length() == 5 || "/*%".indexOf(pattern.charAt(5)) >= 0)) {
                pattern = Mailbox.INBOX + pattern.substring(5);
            }
            patterns.add(pattern);
        }
        boolean extended = o != null;
        boolean subscribedOnly = c.lsub() || (o != null && o.subscribed());
        boolean specialOnly = o != null && o.specialUse();
        boolean recursive = o != null && o.recursiveMatch();
        boolean showSubscribed = o != null && (o.subscribed() || o.returnSubscribed());
        String nonExistent = extended || s.rev2() ? "\\NonExistent" : "\\Noselect";
        List<Mailbox> mailboxes = s.store.mailboxes().list(s.accountId());
        boolean keep = o == null || o.status().isEmpty();
        ListMemo memo = s.listMemo;
        if (keep && memo != null && memo.answers(c, s.rev2(), s.utf8Names(), mailboxes)) {
            s.out().raw(memo.response());
            return verb + " completed";
        }
        // Worked out into a buffer when it may be kept for the next LIST, else straight out.
        ByteArrayOutputStream kept = keep ? new ByteArrayOutputStream(256) : null;
        ResponseWriter out = keep ? new ResponseWriter(kept) : s.out();
        Map<String, Mailbox> byName = new TreeMap<>(NAME_ORDER);
        for (Mailbox m : mailboxes) byName.put(m.name(), m);
        // Every name that exists or is the parent of one that does.
        TreeSet<String> names = new TreeSet<>(NAME_ORDER);
        for (String n : byName.keySet()) {
            names.add(n);
            for (int i = n.indexOf(Mailbox.SEPARATOR); i > 0; i = n.indexOf(Mailbox.SEPARATOR, i + 1)) {
                names.add(n.substring(0, i));
            }
        }
        for (String name : names) {
            boolean matched = false;
            boolean percentEnd = false;
            for (String p : patterns) {
                if (MailboxNames.matches(p, name)) {
                    matched = true;
                    percentEnd |= p.endsWith("%");
                }
            }
            if (!matched) continue;
            Mailbox m = byName.get(name);
            boolean selected = m != null && (!subscribedOnly || m.subscribed())
                    && (!specialOnly || m.specialUse() != SpecialUse.NONE);
            String childInfo = null;
            List<String> attrs = new ArrayList<>();
            if (!selected) {
                if (c.lsub()) {
                    // RFC 3501 §6.3.9: the % rule for a parent of subscribed mailboxes.
                    if (!percentEnd || !hasChild(names, byName, name, true, false)) continue;
                    attrs.add("\\Noselect");
                } else if (recursive && hasChild(names, byName, name, subscribedOnly, specialOnly)) {
                    // RFC 5258 §3.5 / RFC 6154 §5.1: a parent returned for its matching children.
                    childInfo = subscribedOnly ? "SUBSCRIBED" : "SPECIAL-USE";
                } else if (m == null && !subscribedOnly && !specialOnly) {
                    attrs.add(nonExistent);
                } else {
                    continue;
                }
            }
            if (m == null && childInfo != null) attrs.add(nonExistent);
            if (!c.lsub() || selected) {
                attrs.add(hasChild(names, byName, name, false, false) ? "\\HasChildren" : "\\HasNoChildren");
            }
            if (m != null && showSubscribed && m.subscribed()) attrs.add("\\Subscribed");
            if (m != null && m.specialUse() != SpecialUse.NONE) attrs.add(m.specialUse().attribute());
            out.raw("* " + verb + " (" + String.join(" ", attrs) + ") \"/\" ").string(s.wireName(name));
            if (childInfo != null) out.raw(" (\"CHILDINFO\" (\"" + childInfo + "\"))");
            out.crlf();
            // RFC 5819 §2: STATUS follows the LIST response of each selectable mailbox.
            if (o != null && !o.status().isEmpty() && m != null && (selected || childInfo != null)) {
                writeStatus(s, m, o.status());
            }
        }
        if (keep) {
            byte[] response = kept.toByteArray();
            s.out().raw(response);
            s.listMemo = response.length <= ListMemo.MAX_BYTES
                    ? new ListMemo(c, s.rev2(), s.utf8Names(), mailboxes, response) : null;
        }
        return verb + " completed";
    }

    /**
     * INBOX first, then by name, so parents precede their children. Written out rather than composed
     * from Comparator.comparing: LIST sorts on every call and the composed form boxes per comparison.
     */
    private static final Comparator<String> NAME_ORDER = (a, b) -> {
        boolean ia = a.equals(Mailbox.INBOX);
        boolean ib = b.equals(Mailbox.INBOX);
        if (ia != ib) return ia ? -1 : 1;
        return a.compareTo(b);
    };

    /** Whether {@code name} has an existing descendant (that is subscribed / special-use when asked). */
    private static boolean hasChild(TreeSet<String> names, Map<String, Mailbox> byName, String name,
            boolean subscribed, boolean special) {
        String prefix = name + Mailbox.SEPARATOR;
        for (String n : names.tailSet(prefix, false)) {
            if (!n.startsWith(prefix)) {
                if (n.equals(Mailbox.INBOX)) continue;
                break;
            }
            Mailbox m = byName.get(n);
            if (m == null) continue;
            if (subscribed && !m.subscribed()) continue;
            if (special && m.specialUse() == SpecialUse.NONE) continue;
            return true;
        }
        return false;
    }

    /** The attributes of an existing mailbox as SELECT's LIST response gives them (RFC 9051 §6.3.2). */
    static String selectableAttributes(ImapSession s, Mailbox mb) {
        boolean children = false;
        String prefix = mb.name() + Mailbox.SEPARATOR;
        for (Mailbox m : s.store.mailboxes().list(s.accountId())) {
            if (m.name().startsWith(prefix)) {
                children = true;
                break;
            }
        }
        String a = children ? "\\HasChildren" : "\\HasNoChildren";
        if (mb.specialUse() != SpecialUse.NONE) a += " " + mb.specialUse().attribute();
        return a;
    }

    String status(ImapSession s, Command.Status c) throws IOException, ImapException {
        Mailbox m = s.store.mailboxes().find(s.accountId(), c.mailbox())
                .orElseThrow(() -> ImapException.no("NONEXISTENT", "Mailbox does not exist"));
        // RFC 4314 §4: STATUS needs "r".
        if (SharedMailboxes.isShared(m.id())) AclHandler.require(s, m, 'r');
        if (c.items().contains("HIGHESTMODSEQ")) s.enabled.add(ImapSession.Extension.CONDSTORE);
        writeStatus(s, m, c.items());
        return "STATUS completed";
    }

    /**
     * RFC 9051 §6.3.11 (DELETED, SIZE), RFC 7162 §3.1.7 HIGHESTMODSEQ, RFC 7889 §4 APPENDLIMIT,
     * RFC 8474 §4.2 MAILBOXID, RFC 9208 §7 DELETED-STORAGE. DELETED and SIZE need the messages, so only they read the snapshot.
     */
    private static void writeStatus(ImapSession s, Mailbox m, List<String> items) throws IOException {
        long deleted = 0;
        long deletedSize = 0;
        long size = 0;
        if (items.contains("DELETED") || items.contains("SIZE") || items.contains("DELETED-STORAGE")) {
            for (MessageRecord r : s.store.mailboxes().snapshot(s.accountId(), m.id()).messages()) {
                if (r.flags().contains(Flags.DELETED)) {
                    deleted++;
                    deletedSize += r.size();
                }
                size += r.size();
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String item : items) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(item).append(' ');
            switch (item) {
                case "MESSAGES" -> sb.append(m.messages());
                case "RECENT" -> sb.append(s.selected != null && s.selected.mailboxId == m.id() ? s.selected.recentCount() : 0);
                case "UIDNEXT" -> sb.append(m.uidNext());
                case "UIDVALIDITY" -> sb.append(m.uidValidity());
                case "UNSEEN" -> sb.append(m.unseen());
                case "DELETED" -> sb.append(deleted);
                case "SIZE" -> sb.append(size);
                // RFC 9208 §4.1.4: the sum of RFC822.SIZE of the \\Deleted messages, as Dovecot does.
                case "DELETED-STORAGE" -> sb.append(deletedSize);
                case "HIGHESTMODSEQ" -> sb.append(m.highestModSeq());
                case "APPENDLIMIT" -> sb.append(s.config.maxMessageSize());
                case "MAILBOXID" -> sb.append('(').append(ObjectIds.mailboxId(m)).append(')');
                default -> throw new IllegalStateException("STATUS item the parser accepted: " + item);
            }
        }
        s.out().raw("* STATUS ").astring(s.wireName(m.name())).raw(" (" + sb + ")").crlf();
    }

    String namespace(ImapSession s) throws IOException {
        // RFC 2342 §5: the personal namespace without prefix; other users' mailboxes shared through
        // ACLs (RFC 4314) under "Other Users/"; no public shared namespace.
        s.out().raw("* NAMESPACE ((\"\" \"/\")) ((\"" + SharedMailboxes.PREFIX + "\" \"/\")) NIL").crlf();
        return "NAMESPACE completed";
    }
}
