// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/**
 * A mailbox's identity and counters. {@code name} uses "/" as hierarchy separator and is full UTF-8
 * (IMAP's modified UTF-7 is a wire encoding, converted in postern-imap).
 */
public record Mailbox(long id, long accountId, String name, SpecialUse specialUse, long uidValidity, long uidNext,
        long highestModSeq, boolean subscribed, int messages, int unseen) {
    public static final String INBOX = "INBOX";
    public static final char SEPARATOR = '/';
}
