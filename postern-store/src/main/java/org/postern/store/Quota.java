// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/**
 * An account's quota (RFC 9208 resources STORAGE and MESSAGE) with its current usage. Limits live in
 * the account settings {@value #STORAGE_SETTING} (octets) and {@value #MESSAGES_SETTING} (messages);
 * absent means unlimited, the default. One quota root per account covers all its mailboxes.
 *
 * <p>Protocol-neutral: IMAP answers APPEND/COPY over quota with NO [OVERQUOTA] (RFC 9208 §4.3.1),
 * SMTP delivery a 452 4.2.2 (RFC 3463 §3.3) through {@link #admits(MailStore, long, long)}.
 *
 * @param storageLimit octets, or {@link #UNLIMITED}
 * @param messageLimit messages, or {@link #UNLIMITED}
 */
public record Quota(long storageLimit, long messageLimit, long storageUsed, long messagesUsed) {
    public static final long UNLIMITED = -1;
    public static final String STORAGE_SETTING = "quota-storage";
    public static final String MESSAGES_SETTING = "quota-messages";

    /**
     * The account's limits (read fresh, so a change made elsewhere applies at once) and the usage of
     * each limited resource; an unlimited resource's usage is not computed and reads 0.
     */
    public static Quota of(MailStore store, long accountId) {
        Account a = store.directory().account(accountId)
                .orElseThrow(() -> new StoreException.NotFound("no account " + accountId));
        long storage = limit(a, STORAGE_SETTING);
        long messages = limit(a, MESSAGES_SETTING);
        return new Quota(storage, messages, storage == UNLIMITED ? 0 : store.mailboxes().usedBytes(accountId),
                messages == UNLIMITED ? 0 : messageCount(store, accountId));
    }

    /**
     * Whether {@code bytes} more octets in {@code messages} more messages fit the account's quota;
     * true at once for unlimited accounts (no usage is computed then). For the delivery path: call
     * it per local recipient before accepting RCPT/DATA.
     */
    public static boolean admits(MailStore store, long accountId, long bytes, long messages) {
        if (store.directory().account(accountId).isEmpty()) return true;
        return of(store, accountId).admits(bytes, messages);
    }

    public static boolean admits(MailStore store, long accountId, long bytes) {
        return admits(store, accountId, bytes, 1);
    }

    public boolean admits(long bytes, long messages) {
        return (storageLimit == UNLIMITED || storageUsed + bytes <= storageLimit)
                && (messageLimit == UNLIMITED || messagesUsed + messages <= messageLimit);
    }

    public boolean limited() {
        return storageLimit != UNLIMITED || messageLimit != UNLIMITED;
    }

    private static long limit(Account a, String key) {
        String v = a.settings().get(key);
        if (v == null || v.isEmpty()) return UNLIMITED;
        try {
            long n = Long.parseLong(v);
            return n < 0 ? UNLIMITED : n;
        } catch (NumberFormatException e) {
            // Settings are validated when written; anything else is treated as no limit rather than a lockout.
            return UNLIMITED;
        }
    }

    private static long messageCount(MailStore store, long accountId) {
        long n = 0;
        for (Mailbox m : store.mailboxes().list(accountId)) n += m.messages();
        return n;
    }
}
