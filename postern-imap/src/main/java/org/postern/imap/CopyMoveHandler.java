// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.CopyResult;
import org.postern.store.Mailbox;

/**
 * COPY, MOVE and their UID forms. RFC 3501 §6.4.7 (TRYCREATE), RFC 4315 §3 (COPYUID), RFC 6851 §3.3
 * (MOVE sends COPYUID in an untagged OK before the EXPUNGE responses, which the session's sync writes
 * before the tagged OK).
 */
final class CopyMoveHandler {
    String copy(ImapSession s, Command.Copy c) throws IOException, ImapException {
        SelectedMailbox m = s.selected;
        if (c.move() && m.readOnly) throw ImapException.no("READ-ONLY", "Mailbox is read-only");
        List<Integer> seqs = c.uid() ? m.resolveUid(c.set()) : m.resolveSeq(c.set());
        if (!c.uid() && seqs.isEmpty() && !c.set().usesStar()) throw ImapException.bad("Invalid message sequence number");
        Mailbox dest = s.store.mailboxes().find(s.accountId(), c.mailbox())
                .orElseThrow(() -> ImapException.no("TRYCREATE", "Mailbox does not exist"));
        List<Long> uids = new ArrayList<>(seqs.size());
        for (int seq : seqs) {
            long uid = m.at(seq).uid();
            if (m.isPendingExpunge(uid)) throw ImapException.no("EXPUNGEISSUED", "Some messages were expunged meanwhile");
            uids.add(uid);
        }
        if (uids.isEmpty()) return c.name() + " completed (no messages)";
        long destOwner = SharedMailboxes.ownerOf(dest);
        if (!c.move() || destOwner != SharedMailboxes.ownerOf(s.store.mailboxes().byId(s.accountId(), m.mailboxId).orElse(dest))) {
            // RFC 9208 §4.3.1. A MOVE within one account frees what it adds, so only COPY can exceed.
            org.postern.store.Quota q = org.postern.store.Quota.of(s.store, destOwner);
            if (q.limited()) {
                long bytes = 0;
                for (int seq : seqs) bytes += m.at(seq).size();
                if (!q.admits(bytes, uids.size())) throw QuotaHandler.overQuota();
            }
        }
        CopyResult r = c.move()
                ? s.store.mailboxes().move(s.accountId(), m.mailboxId, uids, dest.id())
                : s.store.mailboxes().copy(s.accountId(), m.mailboxId, uids, dest.id());
        String code = r.destUids().isEmpty() ? ""
                : "[COPYUID " + r.destUidValidity() + " " + SequenceSet.ordered(r.sourceUids()) + " "
                        + SequenceSet.ordered(r.destUids()) + "] ";
        if (c.move()) {
            if (!code.isEmpty()) s.out().raw("* OK " + code + "Moved").crlf();
            return c.name() + " completed";
        }
        return code + c.name() + " completed";
    }
}
