// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.postern.store.Mailbox;

/**
 * Object identifiers of RFC 8474 derived from store ids, so they are stable for the life of the
 * object and need no storage: MAILBOXID is "M" + the mailbox id (mailbox ids are never reused in an
 * account and survive RENAME, §4); EMAILID is "E" + a hash of the blob id (a copy or move shares
 * the blob, so the id follows the content, §5.1). THREADID is "T" + owner account + "-" + the
 * store's thread id ({@link org.postern.store.ThreadStore}): stored once assigned, so stable, and
 * with the owner in it so that threads of a shared mailbox never look like the user's own (§5.2).
 */
public final class ObjectIds {
    private ObjectIds() {}

    public static String mailboxId(Mailbox m) {
        return "M" + m.id();
    }

    public static String emailId(String blobId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(blobId.getBytes(StandardCharsets.UTF_8));
            // 96 bits: unique enough per account, and objectid allows at most 255 characters (§3).
            return "E" + HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String threadId(long ownerAccountId, long threadId) {
        return "T" + ownerAccountId + "-" + threadId;
    }
}
