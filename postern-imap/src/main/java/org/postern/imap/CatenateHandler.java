// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.postern.core.mime.MimeMessage;
import org.postern.imap.fetch.SectionReader;
import org.postern.imap.parse.CatenateParser;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.ParseException;
import org.postern.imap.parse.SequenceSet;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;

/**
 * APPEND with CATENATE (RFC 4469): each message is assembled from TEXT parts and from messages or
 * parts of messages named by IMAP URLs in the user's own mailboxes, straight into a blob. A URL that
 * does not resolve gives NO [BADURL url] (§5); the assembled size is checked against the message
 * limit as it grows (NO [TOOBIG]). Several messages (MULTIAPPEND) are all or nothing, as in
 * {@link AppendHandler}.
 */
final class CatenateHandler {
    String append(ImapSession s, Command.Catenate c) throws IOException, ImapException {
        Mailbox mb = s.store.mailboxes().find(s.accountId(), c.mailbox())
                .orElseThrow(() -> ImapException.no("TRYCREATE", "Mailbox does not exist"));
        List<Long> uids = new ArrayList<>();
        org.postern.store.Quota quota = org.postern.store.Quota.of(s.store, SharedMailboxes.ownerOf(mb));
        long added = 0;
        try {
            for (Command.CatenateMessage msg : c.messages()) {
                long size = 0;
                MessageRecord r;
                // For an intake: the body is written with the message, in one commit, before the writer closes.
                try (BlobStore.BlobWriter w = s.store.blobs().createForIntake()) {
                    for (Command.CatPart p : msg.parts()) {
                        byte[] data = switch (p) {
                            case Command.CatPart.Text t -> t.data();
                            case Command.CatPart.Url u -> resolve(s, u.url());
                        };
                        size += data.length;
                        if (size > s.config.maxMessageSize()) throw ImapException.no("TOOBIG", "Message too large");
                        w.stream().write(data);
                    }
                    if (size == 0) throw ImapException.no("Empty message");
                    if (!quota.admits(added + size, uids.size() + 1)) throw QuotaHandler.overQuota();
                    String blobId = w.commit();
                    Instant date = msg.internalDate() == null ? Instant.now() : msg.internalDate().toInstant();
                    r = s.store.mailboxes().append(s.accountId(), mb.id(), blobId, size, new LinkedHashSet<>(msg.flags()),
                            date);
                }
                uids.add(r.uid());
                s.appended(mb, r);
                added += size;
            }
        } catch (ImapException | IOException | RuntimeException e) {
            if (!uids.isEmpty()) s.store.mailboxes().expunge(s.accountId(), mb.id(), uids);
            throw e;
        }
        return "[APPENDUID " + mb.uidValidity() + " " + SequenceSet.compact(uids) + "] APPEND completed";
    }

    /** The octets an IMAP URL names, from one of this user's mailboxes. */
    private static byte[] resolve(ImapSession s, String url) throws ImapException {
        ImapException bad = ImapException.no("BADURL " + url.replaceAll("[\\p{Cntrl}\\]]", ""), "Cannot resolve URL");
        CatenateParser.ImapUrl u;
        try {
            u = CatenateParser.url(url);
        } catch (ParseException e) {
            throw bad;
        }
        long mailboxId;
        long uidValidity;
        if (u.mailbox() == null) {
            if (s.selected == null) throw bad;
            mailboxId = s.selected.mailboxId;
            uidValidity = s.selected.uidValidity;
        } else {
            Mailbox m = s.store.mailboxes().find(s.accountId(), u.mailbox()).orElseThrow(() -> bad);
            mailboxId = m.id();
            uidValidity = m.uidValidity();
        }
        if (u.uidValidity() >= 0 && u.uidValidity() != uidValidity) throw bad;
        MessageRecord r = s.store.mailboxes().message(s.accountId(), mailboxId, u.uid()).orElseThrow(() -> bad);
        byte[] data;
        try {
            MimeMessage msg = s.cache.get(s.store.blobs(), r.blobId(), r.size());
            data = u.section() == null ? msg.raw() : SectionReader.read(msg, u.section());
        } catch (IOException | RuntimeException e) {
            throw bad;
        }
        if (data == null) throw bad;
        if (u.partialStart() >= 0) {
            int from = (int) Math.min(u.partialStart(), data.length);
            int to = u.partialLength() < 0 ? data.length : (int) Math.min((long) from + u.partialLength(), data.length);
            data = Arrays.copyOfRange(data, from, to);
        }
        return data;
    }
}
