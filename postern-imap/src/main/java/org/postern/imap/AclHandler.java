// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.postern.imap.parse.Command;
import org.postern.store.AclStore;
import org.postern.store.Mailbox;

/**
 * SETACL, DELETEACL, GETACL, LISTRIGHTS and MYRIGHTS (RFC 4314 §3) with RIGHTS=texk. Identifiers are
 * account addresses (compared lower-case) and "anyone"; negative rights (§2) are not supported. The
 * owner has every right, implicitly and unchangeably. GETACL, SETACL, DELETEACL and LISTRIGHTS need
 * "a"; MYRIGHTS any of "lrikxa" (§4). A mailbox on which the user has no right is answered exactly
 * like one that does not exist.
 */
final class AclHandler {
    /** Identifiers are at most an address long (RFC 5321 §4.5.3.1.3: 254 octets). */
    private static final int MAX_IDENTIFIER = 254;

    String setAcl(ImapSession s, Command.SetAcl c) throws ImapException {
        Mailbox m = mailbox(s, c.mailbox());
        String given = c.rights();
        char mode = given.isEmpty() ? '=' : given.charAt(0);
        String letters = Rights.parse(mode == '+' || mode == '-' ? given.substring(1) : given);
        require(s, m, 'a');
        String id = identifier(s, m, c.identifier());
        long owner = SharedMailboxes.ownerOf(m);
        long real = SharedMailboxes.realIdOf(m);
        String old = s.store.acl().acl(owner, real).getOrDefault(id, "");
        String next = switch (mode) {
            case '+' -> Rights.union(old, letters);
            case '-' -> Rights.minus(old, letters);
            default -> letters;
        };
        s.store.acl().setRights(owner, real, id, next);
        return "SETACL completed";
    }

    String deleteAcl(ImapSession s, Command.DeleteAcl c) throws ImapException {
        Mailbox m = mailbox(s, c.mailbox());
        require(s, m, 'a');
        String id = identifier(s, m, c.identifier());
        s.store.acl().setRights(SharedMailboxes.ownerOf(m), SharedMailboxes.realIdOf(m), id, "");
        return "DELETEACL completed";
    }

    String getAcl(ImapSession s, Command.GetAcl c) throws IOException, ImapException {
        Mailbox m = mailbox(s, c.mailbox());
        require(s, m, 'a');
        long owner = SharedMailboxes.ownerOf(m);
        var out = s.out().raw("* ACL ").astring(s.wireName(m.name()));
        out.raw(' ').astring(ownerAddress(s, owner)).raw(' ').raw(Rights.wire(Rights.ALL));
        for (Map.Entry<String, String> e : s.store.acl().acl(owner, SharedMailboxes.realIdOf(m)).entrySet()) {
            out.raw(' ').astring(e.getKey()).raw(' ').raw(Rights.wire(e.getValue()));
        }
        out.crlf();
        return "GETACL completed";
    }

    /** RFC 4314 §3.7: the owner always has everything; anyone else may get each right alone. */
    String listRights(ImapSession s, Command.ListRights c) throws IOException, ImapException {
        Mailbox m = mailbox(s, c.mailbox());
        require(s, m, 'a');
        boolean owner = c.identifier().equalsIgnoreCase(ownerAddress(s, SharedMailboxes.ownerOf(m)));
        var out = s.out().raw("* LISTRIGHTS ").astring(s.wireName(m.name())).raw(' ').astring(c.identifier());
        if (owner) {
            out.raw(' ').raw(Rights.wire(Rights.ALL));
        } else {
            out.raw(" \"\"");
            for (char r : (Rights.ALL + "cd").toCharArray()) out.raw(' ').raw(r);
        }
        out.crlf();
        return "LISTRIGHTS completed";
    }

    String myRights(ImapSession s, Command.MyRights c) throws IOException, ImapException {
        Mailbox m = mailbox(s, c.mailbox());
        String rights = rights(s, m);
        if (Rights.canonical(rights).chars().noneMatch(r -> "lrikxa".indexOf(r) >= 0)) throw nonexistent();
        s.out().raw("* MYRIGHTS ").astring(s.wireName(m.name())).raw(' ').raw(Rights.wire(rights)).crlf();
        return "MYRIGHTS completed";
    }

    private static Mailbox mailbox(ImapSession s, String name) throws ImapException {
        return s.store.mailboxes().find(s.accountId(), name).orElseThrow(AclHandler::nonexistent);
    }

    static String rights(ImapSession s, Mailbox m) {
        long owner = SharedMailboxes.ownerOf(m);
        if (owner == s.accountId()) return Rights.ALL;
        Map<String, String> acl = s.store.acl().acl(owner, SharedMailboxes.realIdOf(m));
        return Rights.union(acl.getOrDefault(s.account.address().toLowerCase(Locale.ROOT), ""),
                acl.getOrDefault(AclStore.ANYONE, ""));
    }

    /** NO [NOPERM] for a missing right; the caller already knows the mailbox exists for this user. */
    static void require(ImapSession s, Mailbox m, char right) throws ImapException {
        if (!Rights.has(rights(s, m), right)) throw ImapException.no("NOPERM", "Permission denied");
    }

    private static ImapException nonexistent() {
        return ImapException.no("NONEXISTENT", "Mailbox does not exist");
    }

    private static String ownerAddress(ImapSession s, long owner) {
        return s.store.directory().account(owner).map(a -> a.address().toLowerCase(Locale.ROOT)).orElse("");
    }

    /**
     * RFC 4314 §3: an empty or unusable identifier is BAD; "-name" (negative rights) and the owner
     * (whose rights are fixed) cannot be set.
     */
    private static String identifier(ImapSession s, Mailbox m, String given) throws ImapException {
        String id = given.toLowerCase(Locale.ROOT);
        if (id.isEmpty() || id.length() > MAX_IDENTIFIER || id.chars().anyMatch(ch -> ch < 0x21 || ch == 0x7f)) {
            throw ImapException.bad("Invalid identifier");
        }
        if (id.startsWith("-")) throw ImapException.no("CANNOT", "Negative rights are not supported");
        if (id.equals(ownerAddress(s, SharedMailboxes.ownerOf(m)))) {
            throw ImapException.no("CANNOT", "The owner's rights cannot be changed");
        }
        return id;
    }
}
