// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/**
 * Keys to sort messages by, derived from a message's headers (IMAP SORT, RFC 5256 §2-3; RFC 5957) by
 * {@link org.postern.store.backend.SortKeyDerivation}: backends store them with each new message, and
 * IMAP SORT derives and stores them for messages stored before, so sorting a large mailbox does not
 * read every message. Kept per body ({@code blobId}: bodies never change) and per account; the store
 * never compares the strings. {@code version} names the deriving algorithm, so a caller ignores keys an
 * older algorithm wrote.
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
