// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import org.postern.imap.parse.Command;
import org.postern.net.LineReader;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;

/**
 * APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3) and LITERAL+ (RFC 7888). The message is
 * streamed from the socket into a blob, never held in memory; it is checked against the size limit
 * before the continuation request, so an oversized synchronizing literal is never sent (NO [TOOBIG]).
 * A refused non-synchronizing literal is already on its way: up to the size limit it is read and
 * dropped, beyond it the session ends.
 */
final class AppendHandler {
    String append(ImapSession s, String tag, Command.Append c) throws IOException, ImapException {
        ImapException refusal = null;
        Mailbox mb = null;
        if (c.size() > s.config.maxMessageSize()) {
            refusal = ImapException.no("TOOBIG", "Message too large");
        } else if (c.size() == 0) {
            refusal = ImapException.no("Empty message");
        } else {
            mb = s.store.mailboxes().find(s.accountId(), c.mailbox()).orElse(null);
            // RFC 3501 §6.3.11: TRYCREATE tells the client the mailbox can be created.
            if (mb == null) refusal = ImapException.no("TRYCREATE", "Mailbox does not exist");
        }
        if (refusal != null) {
            if (!c.synchronizing()) {
                if (c.size() > s.config.maxMessageSize()) {
                    s.out().raw(tag + " " + refusal.reply()).crlf();
                    s.bye("Closing connection");
                    return null;
                }
                s.conn.in().transfer(null, c.size());
                finishLine(s);
            }
            throw refusal;
        }
        if (c.synchronizing()) {
            s.out().raw("+ Ready for literal data").crlf();
            s.out().flush();
        }
        String blobId;
        try (BlobStore.BlobWriter w = s.store.blobs().create()) {
            s.conn.in().transfer(w.stream(), c.size());
            finishLine(s);
            blobId = w.commit();
        }
        Set<String> flags = new LinkedHashSet<>(c.flags());
        Instant date = c.internalDate() == null ? Instant.now() : c.internalDate().toInstant();
        MessageRecord r = s.store.mailboxes().append(s.accountId(), mb.id(), blobId, c.size(), flags, date);
        return "[APPENDUID " + mb.uidValidity() + " " + r.uid() + "] APPEND completed";
    }

    /** The rest of the command line after the message: must be empty (no MULTIAPPEND, no CATENATE). */
    private static void finishLine(ImapSession s) throws IOException, ImapException {
        byte[] rest = s.conn.in().readLine(s.config.maxLine());
        if (rest == null) throw ImapException.bad("Connection closed");
        if (rest.length != 0 || s.conn.in().problem() != LineReader.Problem.NONE) {
            if (ImapSession.literalAt(rest) != null && ImapSession.literalAt(rest)[1] == 0) {
                s.bye("Unsupported APPEND syntax");
            }
            throw ImapException.bad("Unexpected data after the message");
        }
    }
}
