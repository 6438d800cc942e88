// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.postern.imap.parse.Command;
import org.postern.store.Account;
import org.postern.store.Quota;

/**
 * GETQUOTA, GETQUOTAROOT and SETQUOTA (RFC 9208 §4.1) with the resources STORAGE (§5.1, units of
 * 1024 octets) and MESSAGE (§5.2). Each account has one quota root covering all its mailboxes: ""
 * for the logged-in user's own account, and {@code #user/ADDRESS} for another account, which only
 * administrators can name, and users holding "i" on one of that account's mailboxes shared with
 * them (to anyone else it does not exist, so the name reveals no account).
 * Limits are the account settings of {@link Quota}; SETQUOTA (QUOTASET) is for administrators only.
 * A resource without a limit is left out of the QUOTA response (§4.2.1: "not limited").
 */
final class QuotaHandler {
    static final String OTHER_ROOT_PREFIX = "#user/";

    String getQuota(ImapSession s, Command.GetQuota c) throws IOException, ImapException {
        Account a = rootAccount(s, c.root()).orElseThrow(QuotaHandler::noSuchRoot);
        writeQuota(s, c.root(), Quota.of(s.store, a.id()));
        return "GETQUOTA completed";
    }

    String getQuotaRoot(ImapSession s, Command.GetQuotaRoot c) throws IOException, ImapException {
        var m = s.store.mailboxes().find(s.accountId(), c.mailbox())
                .orElseThrow(() -> ImapException.no("NONEXISTENT", "Mailbox does not exist"));
        if (SharedMailboxes.isShared(m.id())) {
            // A shared mailbox lives in its owner's root: what the user appends counts there, so with
            // "i" they see that root (as Dovecot reports the owner's quota); without it, no roots
            // (RFC 9208 §4.2.2 allows none), so the owner's usage is not disclosed to mere readers.
            var out = s.out().raw("* QUOTAROOT ").astring(s.wireName(c.mailbox()));
            long owner = SharedMailboxes.ownerOf(m);
            Optional<Account> a = Rights.has(AclHandler.rights(s, m), 'i') ? s.store.directory().account(owner) : Optional.empty();
            if (a.isEmpty()) {
                out.crlf();
                return "GETQUOTAROOT completed";
            }
            String root = OTHER_ROOT_PREFIX + a.get().address();
            out.raw(' ').string(root).crlf();
            writeQuota(s, root, Quota.of(s.store, owner));
            return "GETQUOTAROOT completed";
        }
        s.out().raw("* QUOTAROOT ").astring(s.wireName(c.mailbox())).raw(" \"\"").crlf();
        writeQuota(s, "", Quota.of(s.store, s.accountId()));
        return "GETQUOTAROOT completed";
    }

    /** RFC 9208 §4.1.3: limits not listed are removed; an unknown resource cannot be set. */
    String setQuota(ImapSession s, Command.SetQuota c) throws IOException, ImapException {
        if (!s.account.admin()) {
            // Ordinary users learn nothing about other roots, and cannot raise their own.
            if (rootAccount(s, c.root()).isEmpty()) throw noSuchRoot();
            throw ImapException.no("NOPERM", "Only administrators can set quotas");
        }
        Account a = rootAccount(s, c.root()).orElseThrow(QuotaHandler::noSuchRoot);
        String storage = null;
        String messages = null;
        for (Map.Entry<String, Long> e : c.limits().entrySet()) {
            switch (e.getKey()) {
                case "STORAGE" -> {
                    if (e.getValue() > Long.MAX_VALUE / 1024) throw ImapException.no("LIMIT", "STORAGE limit too large");
                    storage = Long.toString(e.getValue() * 1024);
                }
                case "MESSAGE" -> messages = Long.toString(e.getValue());
                default -> throw ImapException.no("CANNOT", "Resource " + e.getKey() + " cannot be limited here");
            }
        }
        s.store.directory().setSetting(a.address(), Quota.STORAGE_SETTING, storage);
        s.store.directory().setSetting(a.address(), Quota.MESSAGES_SETTING, messages);
        writeQuota(s, c.root(), Quota.of(s.store, a.id()));
        return "SETQUOTA completed";
    }

    private static Optional<Account> rootAccount(ImapSession s, String root) {
        if (root.isEmpty()) return s.store.directory().account(s.accountId());
        if (!root.startsWith(OTHER_ROOT_PREFIX)) return Optional.empty();
        Optional<Account> a = s.store.directory().account(root.substring(OTHER_ROOT_PREFIX.length()));
        if (s.account.admin() || a.isEmpty()) return s.account.admin() ? a : Optional.empty();
        // Anyone else may read the root of an account that lets them add to one of its mailboxes.
        for (var m : s.store.mailboxes().list(s.accountId())) {
            if (SharedMailboxes.isShared(m.id()) && SharedMailboxes.ownerOf(m) == a.get().id()
                    && Rights.has(AclHandler.rights(s, m), 'i')) {
                return a;
            }
        }
        return Optional.empty();
    }

    private static ImapException noSuchRoot() {
        return ImapException.no("NONEXISTENT", "No such quota root");
    }

    private static void writeQuota(ImapSession s, String root, Quota q) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (q.storageLimit() != Quota.UNLIMITED) {
            sb.append("STORAGE ").append(kib(q.storageUsed())).append(' ').append(q.storageLimit() / 1024);
        }
        if (q.messageLimit() != Quota.UNLIMITED) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append("MESSAGE ").append(q.messagesUsed()).append(' ').append(q.messageLimit());
        }
        s.out().raw("* QUOTA ").string(root).raw(" (" + sb + ")").crlf();
    }

    /** Octets in STORAGE units, rounded up so that one stored octet shows as used. */
    static long kib(long octets) {
        return (octets + 1023) / 1024;
    }

    /** RFC 9208 §4.3.1: the refusal of a command that would exceed a limit. */
    static ImapException overQuota() {
        return ImapException.no("OVERQUOTA", "Quota exceeded");
    }
}
