// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.postern.core.Flags;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.fetch.FetchEngine;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.FetchItem;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.FlagOp;
import org.postern.store.MessageRecord;

/**
 * FETCH and UID FETCH. RFC 3501 §6.4.5 (BODY[] without .PEEK sets \Seen, and the changed FLAGS are
 * reported), §6.4.8 (UID FETCH always includes UID); RFC 7162 §3.1.4 (MODSEQ, CHANGEDSINCE; once
 * CONDSTORE is enabled FLAGS comes with MODSEQ), §3.2.6 (VANISHED (EARLIER) for UID FETCH with
 * QRESYNC); RFC 3516 (BINARY); RFC 8514 (SAVEDATE); RFC 8474 (EMAILID, THREADID). Messages expunged by another session but not
 * yet reported stay addressable; if their content is gone the command ends with NO (RFC 9051 §7.5.1,
 * HOSTILE A27), never with another message's content.
 */
final class FetchHandler {
    String fetch(ImapSession s, Command.Fetch c) throws IOException, ImapException {
        SelectedMailbox m = s.selected;
        if (c.vanished() && !(c.uid() && s.qresync())) throw ImapException.bad("VANISHED needs UID FETCH and QRESYNC");
        List<Integer> seqs = c.uid() ? m.resolveUid(c.set()) : m.resolveSeq(c.set());
        if (!c.uid() && seqs.isEmpty() && !c.set().usesStar() && !c.set().isSaved()) {
            throw ImapException.bad("Invalid message sequence number");
        }
        List<FetchItem> items = c.items();
        boolean wantsModSeq = has(items, FetchItem.Kind.MODSEQ) || c.changedSince() >= 0;
        if (wantsModSeq) s.enabled.add(ImapSession.Extension.CONDSTORE);
        if (s.condstore() && has(items, FetchItem.Kind.FLAGS) && !has(items, FetchItem.Kind.MODSEQ)) {
            items = new ArrayList<>(items);
            items.add(new FetchItem.Simple(FetchItem.Kind.MODSEQ));
        }
        if (c.changedSince() >= 0) {
            if (c.vanished()) {
                // RFC 7162 §3.2.6: expunged UIDs of the set with a MODSEQ above CHANGEDSINCE.
                // "*" reaches past the last UID left, up to the last one ever used.
                long star = Math.max(m.uidNext() - 1, m.size() == 0 ? 0 : m.at(m.size()).uid());
                long[][] set = c.set().isSaved() ? null : c.set().resolve(star);
                List<Long> gone = new ArrayList<>();
                for (long uid : s.store.mailboxes().changesSince(s.accountId(), m.mailboxId, c.changedSince()).expunged()) {
                    if (set == null ? m.inSaved(uid) : SequenceSet.contains(set, uid)) gone.add(uid);
                }
                if (!gone.isEmpty()) s.out().raw("* VANISHED (EARLIER) " + SequenceSet.compact(gone)).crlf();
            }
            List<Integer> changed = new ArrayList<>();
            for (int seq : seqs) {
                if (m.at(seq).modSeq() > c.changedSince()) changed.add(seq);
            }
            seqs = changed;
        }
        final List<FetchItem> wanted = items;
        boolean setsSeen = !m.readOnly && wanted.stream().anyMatch(FetchHandler::setsSeen);
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
                if (!has(items, FetchItem.Kind.FLAGS)) {
                    items = new ArrayList<>(items);
                    items.add(new FetchItem.Simple(FetchItem.Kind.FLAGS));
                    // RFC 7162 §3.2.4: an implicit \Seen is reported with UID and MODSEQ.
                    if (s.condstore() && !has(items, FetchItem.Kind.MODSEQ)) items.add(new FetchItem.Simple(FetchItem.Kind.MODSEQ));
                    if (s.condstore() && !has(items, FetchItem.Kind.UID) && !c.uid()) items.add(new FetchItem.Simple(FetchItem.Kind.UID));
                }
            }
        }
        java.util.Map<String, Long> threads = java.util.Map.of();
        if (has(items, FetchItem.Kind.THREADID)) {
            List<MessageRecord> records = new ArrayList<>(seqs.size());
            for (int seq : seqs) records.add(m.at(seq));
            threads = ThreadIds.of(s, m.ownerId, records);
        }
        if (columnsOnly(items)) {
            writeColumns(s.out(), m, seqs, items, c.uid());
            return c.name() + " completed";
        }
        FetchEngine engine = new FetchEngine(s.store.blobs(), s.cache, s.server.structures(), threads, m.ownerId);
        boolean vanished = false;
        boolean unknownCte = false;
        for (int seq : seqs) {
            MessageRecord r = m.at(seq);
            try {
                engine.write(s.out(), seq, r, SelectedMailbox.flagList(r, m.isRecent(r)), items, c.uid());
            } catch (FetchEngine.MessageUnavailableException e) {
                vanished = true;
            } catch (FetchEngine.UnknownCteException e) {
                unknownCte = true;
            }
        }
        if (vanished) throw ImapException.no("EXPUNGEISSUED", "Some messages were expunged meanwhile");
        if (unknownCte) throw ImapException.no("UNKNOWN-CTE", "Cannot decode a part's transfer encoding");
        return c.name() + " completed";
    }

    /** Items answered from the view's columns alone: no message is read, so nothing can vanish. */
    private static boolean columnsOnly(List<FetchItem> items) {
        for (FetchItem i : items) {
            if (!(i instanceof FetchItem.Simple x)) return false;
            switch (x.kind()) {
                case UID, FLAGS, MODSEQ, RFC822_SIZE -> { }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    private static final byte[] STAR = "* ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FETCH_OPEN = " FETCH (".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UID = "UID ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FLAGS = "FLAGS ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MODSEQ = "MODSEQ (".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIZE = "RFC822.SIZE ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = ")\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * The same bytes {@link FetchEngine} writes for these items, without a record, a String or a flag
     * set lookup per message: {@code UID FETCH 1:* (UID FLAGS)} on 100,000 messages, the first thing
     * many clients send, is dominated by those otherwise. Each distinct flag set is rendered once.
     */
    private static void writeColumns(ResponseWriter out, SelectedMailbox m, List<Integer> seqs, List<FetchItem> items,
            boolean withUid) throws IOException {
        boolean addUid = withUid && !has(items, FetchItem.Kind.UID);
        FetchItem.Kind[] kinds = new FetchItem.Kind[items.size()];
        for (int i = 0; i < kinds.length; i++) kinds[i] = ((FetchItem.Simple) items.get(i)).kind();
        // Rendered flag lists by flag set id, without and with \Recent.
        byte[][][] rendered = {new byte[16][], new byte[16][]};
        for (int seq : seqs) {
            long uid = m.uidAt(seq);
            out.raw(STAR).number(seq).raw(FETCH_OPEN);
            boolean first = true;
            if (addUid) {
                out.raw(UID).number(uid);
                first = false;
            }
            for (FetchItem.Kind k : kinds) {
                if (!first) out.raw(' ');
                first = false;
                switch (k) {
                    case UID -> out.raw(UID).number(uid);
                    case FLAGS -> {
                        boolean r = m.isRecent(uid);
                        int id = m.flagIdAt(seq);
                        byte[][] byId = rendered[r ? 1 : 0];
                        if (id >= byId.length) byId = rendered[r ? 1 : 0] = java.util.Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
                        byte[] f = byId[id];
                        if (f == null) f = byId[id] = SelectedMailbox.flagList(m.flagSet(id), r).getBytes(StandardCharsets.US_ASCII);
                        out.raw(FLAGS).raw(f);
                    }
                    case MODSEQ -> out.raw(MODSEQ).number(m.modSeqAt(seq)).raw(')');
                    case RFC822_SIZE -> out.raw(SIZE).number(m.sizeAt(seq));
                    default -> throw new IllegalStateException("not a column: " + k);
                }
            }
            out.raw(END);
        }
    }

    private static boolean has(List<FetchItem> items, FetchItem.Kind kind) {
        return items.stream().anyMatch(i -> i instanceof FetchItem.Simple x && x.kind() == kind);
    }

    private static boolean setsSeen(FetchItem i) {
        return switch (i) {
            case FetchItem.BodySection b -> !b.peek();
            case FetchItem.Binary b -> !b.peek() && !b.sizeOnly();
            case FetchItem.Simple x -> x.kind() == FetchItem.Kind.RFC822 || x.kind() == FetchItem.Kind.RFC822_TEXT;
        };
    }
}
