// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates {@code account set KEY=VALUE}. The store keeps settings as free-form text, so this is the
 * one gate that keeps a typo from becoming a setting nothing reads.
 */
final class AccountSettings {
    /** What POP3 does with messages a client has retrieved (DESIGN.md §1). */
    static final String POP3 = "pop3";
    static final int MAX_DAYS = 3650;
    /** Seconds a POP3 client must wait between logins (RFC 2449 §6.5 LOGIN-DELAY, advertised in CAPA). */
    static final String POP3_LOGIN_DELAY = "pop3-login-delay";
    static final int MAX_LOGIN_DELAY = 3600;
    private static final Pattern DELETE_AFTER = Pattern.compile("delete-after-days:(\\d{1,9})");

    private AccountSettings() {}

    record Setting(String key, String value) {}

    static Setting parse(String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) throw CliFailure.usage("expected KEY=VALUE such as pop3=keep, not '" + keyValue + "'");
        String key = keyValue.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        String value = keyValue.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
        return switch (key) {
            case POP3 -> new Setting(POP3, pop3(value));
            case POP3_LOGIN_DELAY -> new Setting(POP3_LOGIN_DELAY, seconds(POP3_LOGIN_DELAY, value, MAX_LOGIN_DELAY));
            default -> throw CliFailure.usage("unknown account setting '" + key + "' (known: pop3, pop3-login-delay)");
        };
    }

    private static String pop3(String value) {
        if (value.equals("keep") || value.equals("delete")) return value;
        Matcher m = DELETE_AFTER.matcher(value);
        if (m.matches()) {
            long days = Long.parseLong(m.group(1));
            if (days >= 1 && days <= MAX_DAYS) return "delete-after-days:" + days;
        }
        throw CliFailure.usage("pop3 must be keep, delete or delete-after-days:N with N from 1 to " + MAX_DAYS
                + ", not '" + value + "'");
    }

    private static String seconds(String key, String value, int max) {
        if (value.matches("\\d{1,9}") && Integer.parseInt(value) <= max) return Integer.toString(Integer.parseInt(value));
        throw CliFailure.usage(key + " must be a number of seconds from 0 to " + max + ", not '" + value + "'");
    }
}
