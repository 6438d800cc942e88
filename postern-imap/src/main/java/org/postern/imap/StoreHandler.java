// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.FlagOp;
import org.postern.store.MessageRecord;

/**
 * STORE and UID STORE (RFC 3501 §6.4.6): FLAGS, +FLAGS, -FLAGS, each optionally .SILENT. Without
 * .SILENT the new flags of every addressed message are reported; UID STORE includes the UID
 * (RFC 3501 §6.4.8). RFC 7162 §3.1.3: UNCHANGEDSINCE leaves messages modified after it alone and
 * names them in [MODIFIED ...] (sequence numbers for STORE, UIDs for UID STORE); with CONDSTORE
 * every FETCH it sends carries MODSEQ, and messages actually changed are reported even with .SILENT.
 */
final class StoreHandler {
    String store(ImapSession s, Command.Store c) throws IOException, ImapException {
        SelectedMailbox m = s.selected;
        if (m.readOnly) throw ImapException.no("READ-ONLY", "Mailbox is read-only");
        if (c.unchangedSince() >= 0) s.enabled.add(ImapSession.Extension.CONDSTORE);
        List<Integer> seqs = c.uid() ? m.resolveUid(c.set()) : m.resolveSeq(c.set());
        if (!c.uid() && seqs.isEmpty() && !c.set().usesStar() && !c.set().isSaved()) {
            throw ImapException.bad("Invalid message sequence number");
        }
        List<Long> uids = new ArrayList<>(seqs.size());
        for (int seq : seqs) {
            long uid = m.at(seq).uid();
            if (!m.isPendingExpunge(uid)) uids.add(uid);
        }
        Set<Long> changedUids = new HashSet<>();
        Set<Long> modified = new HashSet<>();
        if (!uids.isEmpty()) {
            FlagOp op = switch (c.mode()) {
                case REPLACE -> FlagOp.REPLACE;
                case ADD -> FlagOp.ADD;
                case REMOVE -> FlagOp.REMOVE;
            };
            for (MessageRecord r : s.store.mailboxes().storeFlags(s.accountId(), m.mailboxId, uids, op,
                    new LinkedHashSet<>(c.flags()), c.unchangedSince())) {
                m.updateFlags(r);
                changedUids.add(r.uid());
            }
            if (c.unchangedSince() >= 0) {
                // The store skips messages whose MODSEQ is above the bound without saying which: they
                // are those changed since the bound (one query) that this STORE did not change.
                Set<Long> asked = new HashSet<>(uids);
                for (MessageRecord r : s.store.mailboxes().changesSince(s.accountId(), m.mailboxId, c.unchangedSince())
                        .changed()) {
                    if (asked.contains(r.uid()) && !changedUids.contains(r.uid())) modified.add(r.uid());
                }
            }
        }
        for (int seq : seqs) {
            MessageRecord r = m.at(seq);
            if (modified.contains(r.uid())) continue;
            if (c.silent() && !(s.condstore() && changedUids.contains(r.uid()))) continue;
            StringBuilder sb = new StringBuilder("* ").append(seq).append(" FETCH (");
            // RFC 7162 §3.2.4: UID and MODSEQ once CONDSTORE is on.
            if (c.uid() || s.rev2() || s.condstore()) sb.append("UID ").append(r.uid()).append(' ');
            if (!c.silent()) sb.append("FLAGS ").append(SelectedMailbox.flagList(r, m.isRecent(r)));
            if (s.condstore()) sb.append(c.silent() ? "" : " ").append("MODSEQ (").append(r.modSeq()).append(')');
            s.out().raw(sb.append(')').toString()).crlf();
        }
        if (!modified.isEmpty()) {
            List<Long> ids = new ArrayList<>();
            for (long uid : modified) ids.add(c.uid() ? uid : m.seqOf(uid));
            return "[MODIFIED " + SequenceSet.compact(ids) + "] Conditional " + c.name() + " failed";
        }
        return c.name() + " completed";
    }
}
