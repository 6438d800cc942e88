// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.Set;

/**
 * One message in one mailbox. {@code flags} holds system flags in canonical case and keywords;
 * \Recent is not stored (it is a session notion, RFC 3501 §2.3.2, gone in RFC 9051).
 */
public record MessageRecord(long uid, long modSeq, Set<String> flags, long size, Instant internalDate, String blobId,
        Instant savedDate) {
    public MessageRecord {
        flags = Set.copyOf(flags);
    }
}
