// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.util.List;
import org.postern.imap.parse.Command;
import org.postern.store.Mailbox;

/**
 * A session's last LIST or LSUB response, kept with what it was made from. Clients repeat the same LIST
 * on every poll; while the command, the session's naming (IMAP4rev2, UTF8=ACCEPT) and each mailbox's
 * name, special use and subscription stay the same, so does every byte of the response, and it is
 * written again rather than worked out anew (the name tree, the pattern matching, the modified UTF-7
 * encoding: all of a repeated LIST's own work once the store keeps the listing). Counters and MODSEQs do
 * not enter a LIST response without STATUS, which is never kept.
 */
record ListMemo(Command.ListMailboxes command, boolean rev2, boolean utf8, List<Mailbox> mailboxes, byte[] response) {
    /** Larger responses (thousands of mailboxes) are not kept: a session must stay small while it waits. */
    static final int MAX_BYTES = 16 * 1024;

    /** Whether this response answers {@code c} now, in a session in that naming mode, over {@code now}. */
    boolean answers(Command.ListMailboxes c, boolean rev2Now, boolean utf8Now, List<Mailbox> now) {
        if (rev2 != rev2Now || utf8 != utf8Now || !command.equals(c) || mailboxes.size() != now.size()) return false;
        for (int i = 0; i < now.size(); i++) {
            Mailbox was = mailboxes.get(i);
            Mailbox is = now.get(i);
            if (!was.name().equals(is.name()) || was.specialUse() != is.specialUse() || was.subscribed() != is.subscribed()) {
                return false;
            }
        }
        return true;
    }
}
