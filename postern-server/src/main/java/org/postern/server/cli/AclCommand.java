// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.util.Locale;
import java.util.Map;
import org.postern.store.Account;
import org.postern.store.AclStore;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Shares mailboxes between accounts: the access control lists IMAP clients set with SETACL
 * (RFC 4314), for administrators. The grantee sees the mailbox under "Other Users/OWNER/".
 */
@Command(name = "acl", description = "Share a mailbox with another account (IMAP ACL, RFC 4314).",
        mixinStandardHelpOptions = true)
public final class AclCommand implements Runnable {
    /** RFC 4314 §2.1 rights; "c" and "d" are the obsolete letters of RFC 4314 §2.1.1, expanded as IMAP does. */
    static final String RIGHTS = "lrswipkxtea";

    private final CliContext ctx;
    @Spec
    CommandSpec spec;

    public AclCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: acl list|set|delete");
    }

    @Command(name = "list", description = "Show who may do what in a mailbox.")
    int list(@Parameters(index = "0", paramLabel = "OWNER") String owner,
            @Parameters(index = "1", paramLabel = "MAILBOX") String mailbox) {
        try (MailStore store = ctx.openStore()) {
            Target t = target(store, owner, mailbox);
            ctx.out().println(t.owner.address() + " " + RIGHTS + " (owner)");
            for (Map.Entry<String, String> e : store.acl().acl(t.owner.id(), t.mailbox.id()).entrySet()) {
                ctx.out().println(e.getKey() + " " + e.getValue());
            }
        }
        return 0;
    }

    @Command(name = "set", description = "Give IDENTIFIER (an address, or anyone) exactly RIGHTS, letters of "
            + RIGHTS + " (l lookup, r read, s seen, w write flags, i insert, p post, k create, x delete mailbox,"
            + " t delete messages, e expunge, a administer).")
    int set(@Parameters(index = "0", paramLabel = "OWNER") String owner,
            @Parameters(index = "1", paramLabel = "MAILBOX") String mailbox,
            @Parameters(index = "2", paramLabel = "IDENTIFIER") String identifier,
            @Parameters(index = "3", paramLabel = "RIGHTS") String rights) {
        String r = rights(rights);
        try (MailStore store = ctx.openStore()) {
            Target t = target(store, owner, mailbox);
            String id = identifier(t, identifier);
            store.acl().setRights(t.owner.id(), t.mailbox.id(), id, r);
            ctx.out().println("set " + id + " " + (r.isEmpty() ? "(no rights)" : r) + " on " + t.mailbox.name() + " of " + t.owner.address());
        }
        return 0;
    }

    @Command(name = "delete", description = "Remove IDENTIFIER from a mailbox's access control list.")
    int delete(@Parameters(index = "0", paramLabel = "OWNER") String owner,
            @Parameters(index = "1", paramLabel = "MAILBOX") String mailbox,
            @Parameters(index = "2", paramLabel = "IDENTIFIER") String identifier) {
        try (MailStore store = ctx.openStore()) {
            Target t = target(store, owner, mailbox);
            String id = identifier(t, identifier);
            store.acl().setRights(t.owner.id(), t.mailbox.id(), id, "");
            ctx.out().println("deleted " + id + " from " + t.mailbox.name() + " of " + t.owner.address());
        }
        return 0;
    }

    private record Target(Account owner, Mailbox mailbox) {}

    private static Target target(MailStore store, String owner, String mailbox) {
        String address = AccountCommand.addressArgument(owner);
        Account a = store.directory().account(address).orElseThrow(() -> CliFailure.failed("no account " + address));
        String name = mailbox.equalsIgnoreCase(Mailbox.INBOX) ? Mailbox.INBOX : mailbox;
        Mailbox m = store.mailboxes().find(a.id(), name)
                .orElseThrow(() -> CliFailure.failed("no mailbox " + mailbox + " in " + address));
        return new Target(a, m);
    }

    private static String identifier(Target t, String given) {
        String id = given.strip().toLowerCase(Locale.ROOT);
        if (id.equals(AclStore.ANYONE)) return id;
        String address = AccountCommand.addressArgument(id);
        if (address.equals(t.owner.address().toLowerCase(Locale.ROOT))) {
            throw CliFailure.usage("the owner always has every right");
        }
        return address;
    }

    /** The rights in canonical order; c means k and d means x, t and e (RFC 4314 §2.1.1). */
    static String rights(String given) {
        String letters = given.strip().replace("c", "k").replace("d", "xte");
        for (char c : letters.toCharArray()) {
            if (RIGHTS.indexOf(c) < 0) {
                throw CliFailure.usage("unknown right '" + c + "' (known: " + RIGHTS + ")");
            }
        }
        StringBuilder sb = new StringBuilder();
        for (char c : RIGHTS.toCharArray()) if (letters.indexOf(c) >= 0) sb.append(c);
        return sb.toString();
    }
}
