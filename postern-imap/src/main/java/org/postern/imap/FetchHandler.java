// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.postern.core.Flags;
import org.postern.imap.fetch.FetchEngine;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.FetchItem;
import org.postern.store.FlagOp;
import org.postern.store.MessageRecord;

/**
 * FETCH and UID FETCH. RFC 3501 §6.4.5 (BODY[] without .PEEK sets \Seen, and the changed FLAGS are
 * reported), §6.4.8 (UID FETCH always includes UID). Messages expunged by another session but not
 * yet reported stay addressable; if their content is gone the command ends with NO (RFC 9051 §7.5.1,
 * HOSTILE A27), never with another message's content.
 */
final class FetchHandler {
    String fetch(ImapSession s, Command.Fetch c) throws IOException, ImapException {
        SelectedMailbox m = s.selected;
        List<Integer> seqs = c.uid() ? m.resolveUid(c.set()) : m.resolveSeq(c.set());
        if (!c.uid() && seqs.isEmpty() && !c.set().usesStar()) throw ImapException.bad("Invalid message sequence number");
        boolean setsSeen = !m.readOnly && c.items().stream().anyMatch(FetchHandler::setsSeen);
        List<FetchItem> items = c.items();
        if (setsSeen) {
            List<Long> unseen = new ArrayList<>();
            for (int seq : seqs) {
                MessageRecord r = m.at(seq);
                if (!r.flags().contains(Flags.SEEN) && !m.isPendingExpunge(r.uid())) unseen.add(r.uid());
            }
            if (!unseen.isEmpty()) {
                for (MessageRecord r : s.store.mailboxes().storeFlags(s.accountId(), m.mailboxId, unseen, FlagOp.ADD,
                        Set.of(Flags.SEEN), -1)) {
                    m.updateFlags(r);
                }
                if (items.stream().noneMatch(i -> i instanceof FetchItem.Simple x && x.kind() == FetchItem.Kind.FLAGS)) {
                    items = new ArrayList<>(items);
                    items.add(new FetchItem.Simple(FetchItem.Kind.FLAGS));
                }
            }
        }
        FetchEngine engine = new FetchEngine(s.store.blobs(), s.cache);
        boolean vanished = false;
        for (int seq : seqs) {
            MessageRecord r = m.at(seq);
            try {
                engine.write(s.out(), seq, r, SelectedMailbox.flagList(r, m.isRecent(r)), items, c.uid());
            } catch (FetchEngine.MessageUnavailableException e) {
                vanished = true;
            }
        }
        if (vanished) throw ImapException.no("EXPUNGEISSUED", "Some messages were expunged meanwhile");
        return c.name() + " completed";
    }

    private static boolean setsSeen(FetchItem i) {
        return switch (i) {
            case FetchItem.BodySection b -> !b.peek();
            case FetchItem.Simple x -> x.kind() == FetchItem.Kind.RFC822 || x.kind() == FetchItem.Kind.RFC822_TEXT;
        };
    }
}
