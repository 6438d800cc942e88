// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.postern.core.Flags;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.Command;
import org.postern.store.Mailbox;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.MailboxChanges;
import org.postern.store.MailboxIndex;
import org.postern.store.MessageRecord;

/**
 * SELECT, EXAMINE, CLOSE, UNSELECT and EXPUNGE. RFC 3501 §6.3.1-2 (the untagged data of SELECT),
 * §6.4.2 (CLOSE expunges silently), §6.4.3; RFC 3691 (UNSELECT); RFC 4315 §2.1 (UID EXPUNGE);
 * RFC 9051 §6.3.2 (CLOSED, the LIST response, no RECENT/UNSEEN under IMAP4rev2); RFC 7162 §3.1.2.1
 * (HIGHESTMODSEQ on every SELECT), §3.1.8 (CONDSTORE parameter), §3.2.5 (QRESYNC parameter),
 * §3.2.10 (HIGHESTMODSEQ after EXPUNGE); RFC 8474 §4.1 (MAILBOXID).
 */
final class SelectHandler {
    String select(ImapSession s, Command.Select c) throws IOException, ImapException {
        ResponseWriter out = s.out();
        // RFC 7162 §3.2.5: QRESYNC without ENABLE QRESYNC is a client error.
        if (c.qresync() != null && !s.qresync()) throw ImapException.bad("ENABLE QRESYNC first");
        // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected; RFC 9051 §6.3.2: say so.
        if (s.selected != null) {
            s.select(null);
            out.raw("* OK [CLOSED] Previous mailbox is now closed").crlf();
        }
        if (c.condstore()) s.enabled.add(ImapSession.Extension.CONDSTORE);
        Mailbox mb = s.store.mailboxes().find(s.accountId(), c.mailbox())
                .orElseThrow(() -> ImapException.no("NONEXISTENT", "Mailbox does not exist"));
        // The compact index, not a snapshot: a 100,000-message mailbox must not cost 100,000 objects.
        MailboxIndex snap = s.store.mailboxes().index(s.accountId(), mb.id());
        String rights = SharedMailboxes.isShared(mb.id()) ? AclHandler.rights(s, mb) : Rights.ALL;
        boolean readOnly = c.readOnly() || !writable(rights);
        long mailboxId = mb.id();
        SelectedMailbox view = new SelectedMailbox(snap, readOnly, s.enabled,
                () -> s.store.mailboxes().index(s.accountId(), mailboxId));
        view.writeFlags(out);
        out.raw(readOnly ? "* OK [PERMANENTFLAGS ()] Read-only mailbox"
                : "* OK [PERMANENTFLAGS (" + permanentFlags(rights) + ")] Flags permitted").crlf();
        out.raw("* " + view.size() + " EXISTS").crlf();
        if (s.rev2()) {
            out.raw("* LIST (" + MailboxHandler.selectableAttributes(s, snap.mailbox()) + ") \"/\" ")
                    .string(s.wireName(snap.mailbox().name())).crlf();
        } else {
            out.raw("* 0 RECENT").crlf();
            for (int i = 1; i <= view.size(); i++) {
                if (!view.flagsAt(i).contains(Flags.SEEN)) {
                    out.raw("* OK [UNSEEN " + i + "] First unseen").crlf();
                    break;
                }
            }
        }
        out.raw("* OK [UIDVALIDITY " + view.uidValidity + "] UIDs valid").crlf();
        out.raw("* OK [UIDNEXT " + snap.mailbox().uidNext() + "] Predicted next UID").crlf();
        out.raw("* OK [HIGHESTMODSEQ " + view.highestModSeq() + "] Highest").crlf();
        out.raw("* OK [MAILBOXID (" + ObjectIds.mailboxId(mb) + ")] Ok").crlf();
        s.select(view);
        if (c.qresync() != null && c.qresync().uidValidity() == view.uidValidity) resync(s, view, c.qresync());
        return (readOnly ? "[READ-ONLY] " : "[READ-WRITE] ") + c.name() + " completed";
    }

    /**
     * RFC 4314 §5.2: READ-ONLY unless the user holds "i", "e" or a flag right. \Seen is per user here,
     * so "s" is not a shared flag right; it still counts (as in Dovecot), since with it the user can
     * change their own \Seen, which needs a read-write selection.
     */
    static boolean writable(String rights) {
        for (char r : "iestw".toCharArray()) if (Rights.has(rights, r)) return true;
        return false;
    }

    /** RFC 4314 §4 STORE: only the flags the rights let the user change are permanent for them. */
    static String permanentFlags(String rights) {
        StringBuilder sb = new StringBuilder();
        boolean w = Rights.has(rights, 'w');
        if (w) sb.append("\\Answered \\Flagged ");
        if (Rights.has(rights, 't')) sb.append("\\Deleted ");
        if (Rights.has(rights, 's')) sb.append("\\Seen ");
        if (w) sb.append("\\Draft \\* ");
        return sb.toString().strip();
    }

    /**
     * RFC 7162 §3.2.5.1: what changed since the client's MODSEQ, restricted to the UIDs it knows
     * (default 1:UIDNEXT-1): VANISHED (EARLIER) for expunges, FETCH with UID and MODSEQ for changes.
     */
    private static void resync(ImapSession s, SelectedMailbox view, Command.Qresync q) throws IOException {
        MailboxChanges ch = s.store.mailboxes().changesSince(s.accountId(), view.mailboxId, q.modSeq());
        long[][] known = q.knownUids() == null ? new long[][] {{1, Math.max(0, view.uidNext() - 1)}}
                : q.knownUids().resolve(0);
        List<Long> gone = new ArrayList<>();
        for (long uid : ch.expunged()) {
            if (SequenceSet.contains(known, uid)) gone.add(uid);
        }
        if (!gone.isEmpty()) s.out().raw("* VANISHED (EARLIER) " + SequenceSet.compact(gone)).crlf();
        for (MessageRecord r : ch.changed()) {
            int seq = view.seqOf(r.uid());
            if (seq < 0 || !SequenceSet.contains(known, r.uid())) continue;
            MessageRecord current = view.at(seq);
            s.out().raw("* " + seq + " FETCH (UID " + current.uid() + " FLAGS "
                    + SelectedMailbox.flagList(current, view.isRecent(current)) + " MODSEQ (" + current.modSeq() + "))").crlf();
        }
    }

    String close(ImapSession s) throws ImapException {
        SelectedMailbox m = s.selected;
        if (!m.readOnly) {
            // RFC 3501 §6.4.2: remove \Deleted messages, without untagged EXPUNGE responses; catch up
            // silently first so the flags are current.
            try {
                m.sync(s.store.mailboxes().changesSince(s.accountId(), m.mailboxId, m.highestModSeq()), false,
                        new ResponseWriter(java.io.OutputStream.nullOutputStream()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            List<Long> uids = deletedUids(s, m, null);
            if (!uids.isEmpty()) s.store.mailboxes().expunge(s.accountId(), m.mailboxId, uids);
        }
        s.select(null);
        return "CLOSE completed";
    }

    String unselect(ImapSession s) {
        s.select(null);
        return "UNSELECT completed";
    }

    String expunge(ImapSession s, Command.Expunge c) throws IOException, ImapException {
        SelectedMailbox m = s.selected;
        if (m.readOnly) throw ImapException.no("READ-ONLY", "Mailbox is read-only");
        // Catch up first so the decision uses the flags as they are now, not as last reported.
        s.syncSelected(true);
        List<Long> uids = deletedUids(s, m, c);
        if (uids.isEmpty()) return c.name() + " completed";
        s.store.mailboxes().expunge(s.accountId(), m.mailboxId, uids);
        s.syncSelected(true);
        // RFC 7162 §3.2.10: with QRESYNC the tagged OK carries the new HIGHESTMODSEQ.
        return (s.qresync() ? "[HIGHESTMODSEQ " + m.highestModSeq() + "] " : "") + c.name() + " completed";
    }

    private static List<Long> deletedUids(ImapSession s, SelectedMailbox m, Command.Expunge c) {
        List<Long> out = new ArrayList<>();
        if (c != null && c.uids() != null) {
            for (int seq : m.resolveUid(c.uids())) {
                if (m.flagsAt(seq).contains(Flags.DELETED)) out.add(m.uidAt(seq));
            }
            return out;
        }
        for (int seq = 1; seq <= m.size(); seq++) {
            if (m.flagsAt(seq).contains(Flags.DELETED)) out.add(m.uidAt(seq));
        }
        return out;
    }
}
