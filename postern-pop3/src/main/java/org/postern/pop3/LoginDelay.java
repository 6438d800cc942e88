// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.store.Account;
import org.postern.store.MailStore;

/**
 * RFC 2449 §6.5 LOGIN-DELAY: the account setting {@code pop3-login-delay} (seconds, default 0) is the
 * least time between two POP3 logins of the account; a login that comes sooner gets
 * {@code -ERR [LOGIN-DELAY]} (§8.1.1). It protects a server from clients that poll every few seconds.
 * Remembered in this process only, like {@link MaildropLocks}.
 */
final class LoginDelay {
    static final String SETTING = "pop3-login-delay";
    /** The largest delay an account may have; announced before login (RFC 2449 §6.5). */
    static final int MAX_SECONDS = 3_600;

    private record Key(MailStore store, long accountId) {}

    private static final Map<Key, Instant> LAST_LOGIN = new ConcurrentHashMap<>();

    private LoginDelay() {}

    /** The account's delay in seconds; an unreadable setting means none. */
    static int seconds(Account account) {
        String v = account.setting(SETTING, "0").trim();
        if (v.isEmpty() || v.length() > 6 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) return 0;
        return Math.min(Integer.parseInt(v), MAX_SECONDS);
    }

    /** Records a login at {@code now}; false (nothing recorded) when the previous one was too recent. */
    static boolean tryLogin(MailStore store, Account account, Instant now) {
        int delay = seconds(account);
        if (delay == 0) return true;
        boolean[] allowed = {true};
        LAST_LOGIN.compute(new Key(store, account.id()), (k, last) -> {
            if (last != null && now.isBefore(last.plus(Duration.ofSeconds(delay)))) {
                allowed[0] = false;
                return last;
            }
            return now;
        });
        return allowed[0];
    }
}
