// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.CommandParser;
import org.postern.imap.parse.ParseException;
import org.postern.imap.parse.SequenceSet;
import org.postern.net.LineReader;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;

/**
 * APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3), LITERAL+ (RFC 7888), MULTIAPPEND (RFC 3502),
 * literal8 (RFC 3516 §4.4) and the UTF8 data item (RFC 6855 §4). Each message is streamed from the
 * socket into a blob, never held in memory; it is checked against the size limit before the
 * continuation request, so an oversized synchronizing literal is never sent (NO [TOOBIG]). A refused
 * non-synchronizing literal is already on its way: up to the size limit it is read and dropped,
 * beyond it the session ends.
 *
 * <p>MULTIAPPEND is all or nothing (RFC 3502 §3): the store has no multi-message transaction, so
 * messages already added are expunged again when a later one fails. Other sessions may see them
 * for that moment.
 */
final class AppendHandler {
    /** Messages in one MULTIAPPEND; the per-message size limit bounds the rest. */
    static final int MAX_MESSAGES = 1000;

    /** What an APPEND stored: the mailbox and the new UIDs, in order. */
    record Appended(Mailbox mailbox, List<Long> uids) {}

    String append(ImapSession s, String tag, Command.Append first) throws IOException, ImapException {
        Appended a = receive(s, tag, first, null, false);
        if (a == null) return null;
        return "[APPENDUID " + a.mailbox().uidValidity() + " " + SequenceSet.compact(a.uids()) + "] APPEND completed";
    }

    /**
     * Reads and stores the message(s) of an APPEND (or REPLACE, {@code single}); {@code refusal},
     * when not null, refuses the first message for a reason the caller found. Returns null when the
     * session had to end (the tagged reply is then written).
     */
    Appended receive(ImapSession s, String tag, Command.Append first, ImapException precondition, boolean single)
            throws IOException, ImapException {
        Mailbox mb = s.store.mailboxes().find(s.accountId(), first.mailbox()).orElse(null);
        List<Long> uids = new ArrayList<>();
        Command.Append c = first;
        // The owner's quota: a shared mailbox fills its owner's account.
        org.postern.store.Quota quota = org.postern.store.Quota.of(s.store, mb == null ? s.accountId() : SharedMailboxes.ownerOf(mb));
        long added = 0;
        try {
            while (true) {
                ImapException refusal = uids.isEmpty() && precondition != null ? precondition : check(s, c, mb, uids.size());
                // RFC 9208 §4.3.1: refused before the octets are accepted, like TOOBIG.
                if (refusal == null && !quota.admits(added + c.size(), uids.size() + 1)) refusal = QuotaHandler.overQuota();
                if (refusal != null) {
                    if (!c.synchronizing()) {
                        if (c.size() > s.config.maxMessageSize()) {
                            undo(s, mb, uids);
                            s.out().raw(tag + " " + refusal.reply()).crlf();
                            s.bye("Closing connection");
                            return null;
                        }
                        s.allowInput(c.size() + s.config.maxLine());
                        s.in().transfer(null, c.size());
                        skipRest(s, c);
                    }
                    throw refusal;
                }
                if (c.synchronizing()) {
                    s.out().raw("+ Ready for literal data").crlf();
                    s.out().flush();
                }
                byte[] rest;
                MessageRecord r;
                s.allowInput(c.size() + s.config.maxLine());
                // For an intake: the body is written with the message, in one commit, before the writer closes.
                try (BlobStore.BlobWriter w = s.store.blobs().createForIntake()) {
                    s.in().transfer(w.stream(), c.size());
                    rest = restOfLine(s, c);
                    String blobId = w.commit();
                    Instant date = c.internalDate() == null ? Instant.now() : c.internalDate().toInstant();
                    r = s.store.mailboxes().append(s.accountId(), mb.id(), blobId, c.size(), new LinkedHashSet<>(c.flags()),
                            date);
                }
                uids.add(r.uid());
                s.appended(mb, r);
                added += c.size();
                if (rest.length == 0) break;
                if (single) throw ImapException.bad("Unexpected data after the message");
                try {
                    c = CommandParser.appendNext(rest, first.mailbox());
                } catch (ParseException e) {
                    if (ImapSession.literalAt(rest) != null && ImapSession.literalAt(rest)[1] == 0) {
                        s.bye("Unsupported APPEND syntax");
                    }
                    throw ImapException.bad(e.getMessage());
                }
            }
        } catch (ImapException | IOException | RuntimeException e) {
            undo(s, mb, uids);
            throw e;
        }
        return new Appended(mb, List.copyOf(uids));
    }

    /** Why this message cannot be stored, or null. */
    private static ImapException check(ImapSession s, Command.Append c, Mailbox mb, int stored) {
        if (c.size() > s.config.maxMessageSize()) return ImapException.no("TOOBIG", "Message too large");
        if (c.size() == 0) return ImapException.no("Empty message");
        // RFC 3501 §6.3.11: TRYCREATE tells the client the mailbox can be created.
        if (mb == null) return ImapException.no("TRYCREATE", "Mailbox does not exist");
        if (stored >= MAX_MESSAGES) return ImapException.no("LIMIT", "Too many messages in one APPEND");
        return null;
    }

    private static void undo(ImapSession s, Mailbox mb, List<Long> uids) {
        if (mb != null && !uids.isEmpty()) s.store.mailboxes().expunge(s.accountId(), mb.id(), uids);
        uids.clear();
    }

    /**
     * What follows a message on its line: nothing, or the next message of a MULTIAPPEND; after a
     * UTF8 (~{n}) message the ")" first (RFC 6855 §4).
     */
    private static byte[] restOfLine(ImapSession s, Command.Append c) throws IOException, ImapException {
        byte[] rest = s.in().readLine(s.config.maxLine());
        if (rest == null) throw ImapException.bad("Connection closed");
        if (s.in().problem() != LineReader.Problem.NONE) throw ImapException.bad("Unexpected data after the message");
        if (c.utf8()) {
            if (rest.length == 0 || rest[0] != ')') throw ImapException.bad("Unexpected data after the message");
            rest = Arrays.copyOfRange(rest, 1, rest.length);
        }
        return rest;
    }

    /** After a refused non-synchronizing message: the line ends here, or the session cannot go on. */
    private static void skipRest(ImapSession s, Command.Append c) throws IOException, ImapException {
        byte[] rest = restOfLine(s, c);
        long[] lit = ImapSession.literalAt(rest);
        // More messages are announced (possibly as LITERAL+ already in flight): give up the session.
        if (lit != null) s.bye("Closing connection");
    }
}
