// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.postern.core.Flags;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.Command;
import org.postern.store.Mailbox;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;

/**
 * SELECT, EXAMINE, CLOSE, UNSELECT and EXPUNGE. RFC 3501 §6.3.1-2 (the untagged data of SELECT),
 * §6.4.2 (CLOSE expunges silently), §6.4.3; RFC 3691 (UNSELECT); RFC 4315 §2.1 (UID EXPUNGE).
 */
final class SelectHandler {
    String select(ImapSession s, Command.Select c) throws IOException, ImapException {
        // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected.
        s.select(null);
        Mailbox mb = s.store.mailboxes().find(s.accountId(), c.mailbox())
                .orElseThrow(() -> ImapException.no("NONEXISTENT", "Mailbox does not exist"));
        MailboxSnapshot snap = s.store.mailboxes().snapshot(s.accountId(), mb.id());
        SelectedMailbox view = new SelectedMailbox(snap, c.readOnly());
        ResponseWriter out = s.out();
        view.writeFlags(out);
        out.raw(c.readOnly() ? "* OK [PERMANENTFLAGS ()] Read-only mailbox"
                : "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted").crlf();
        out.raw("* " + view.size() + " EXISTS").crlf();
        out.raw("* 0 RECENT").crlf();
        for (int i = 1; i <= view.size(); i++) {
            if (!view.at(i).flags().contains(Flags.SEEN)) {
                out.raw("* OK [UNSEEN " + i + "] First unseen").crlf();
                break;
            }
        }
        out.raw("* OK [UIDVALIDITY " + view.uidValidity + "] UIDs valid").crlf();
        out.raw("* OK [UIDNEXT " + snap.mailbox().uidNext() + "] Predicted next UID").crlf();
        s.select(view);
        return (c.readOnly() ? "[READ-ONLY] " : "[READ-WRITE] ") + c.name() + " completed";
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
        if (!uids.isEmpty()) s.store.mailboxes().expunge(s.accountId(), m.mailboxId, uids);
        // The EXPUNGE responses come from the sync the session runs before the tagged OK.
        return c.name() + " completed";
    }

    private static List<Long> deletedUids(ImapSession s, SelectedMailbox m, Command.Expunge c) {
        List<Long> out = new ArrayList<>();
        if (c != null && c.uids() != null) {
            for (int seq : m.resolveUid(c.uids())) {
                MessageRecord r = m.at(seq);
                if (r.flags().contains(Flags.DELETED)) out.add(r.uid());
            }
            return out;
        }
        for (MessageRecord r : m.messages()) {
            if (r.flags().contains(Flags.DELETED)) out.add(r.uid());
        }
        return out;
    }
}
