// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.postern.imap.parse.Command;
import org.postern.store.FlagOp;
import org.postern.store.MessageRecord;

/**
 * STORE and UID STORE (RFC 3501 §6.4.6): FLAGS, +FLAGS, -FLAGS, each optionally .SILENT. Without
 * .SILENT the new flags of every addressed message are reported; UID STORE includes the UID
 * (RFC 3501 §6.4.8).
 */
final class StoreHandler {
    String store(ImapSession s, Command.Store c) throws IOException, ImapException {
        SelectedMailbox m = s.selected;
        if (m.readOnly) throw ImapException.no("READ-ONLY", "Mailbox is read-only");
        List<Integer> seqs = c.uid() ? m.resolveUid(c.set()) : m.resolveSeq(c.set());
        if (!c.uid() && seqs.isEmpty() && !c.set().usesStar()) throw ImapException.bad("Invalid message sequence number");
        List<Long> uids = new ArrayList<>(seqs.size());
        for (int seq : seqs) {
            long uid = m.at(seq).uid();
            if (!m.isPendingExpunge(uid)) uids.add(uid);
        }
        if (!uids.isEmpty()) {
            FlagOp op = switch (c.mode()) {
                case REPLACE -> FlagOp.REPLACE;
                case ADD -> FlagOp.ADD;
                case REMOVE -> FlagOp.REMOVE;
            };
            for (MessageRecord r : s.store.mailboxes().storeFlags(s.accountId(), m.mailboxId, uids, op,
                    new LinkedHashSet<>(c.flags()), -1)) {
                m.updateFlags(r);
            }
        }
        if (!c.silent()) {
            for (int seq : seqs) {
                MessageRecord r = m.at(seq);
                String flags = SelectedMailbox.flagList(r, m.isRecent(r));
                s.out().raw("* " + seq + " FETCH (" + (c.uid() ? "UID " + r.uid() + " " : "") + "FLAGS " + flags + ")").crlf();
            }
        }
        return c.name() + " completed";
    }
}
