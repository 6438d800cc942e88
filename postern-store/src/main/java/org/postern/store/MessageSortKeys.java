// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/**
 * Keys to sort messages by, derived from a message's headers by the protocol that sorts (IMAP SORT,
 * RFC 5256 §2-3; RFC 5957), stored so that sorting a large mailbox does not read every message again.
 * The store keeps them per body ({@code blobId}: bodies never change) and per account, and treats the
 * strings as opaque: it neither computes nor compares them. {@code version} names the deriving
 * algorithm, so a caller ignores keys an older algorithm wrote.
 *
 * @param sentDate epoch milliseconds of the Date header, or {@link #NO_DATE} when it is missing or unreadable
 */
public record MessageSortKeys(String blobId, int version, long sentDate, String subject, String from, String to,
        String cc, String displayFrom, String displayTo) {
    public static final long NO_DATE = Long.MIN_VALUE;

    public MessageSortKeys {
        if (blobId == null || subject == null || from == null || to == null || cc == null || displayFrom == null
                || displayTo == null) {
            throw new IllegalArgumentException("sort keys must not be null");
        }
    }
}
