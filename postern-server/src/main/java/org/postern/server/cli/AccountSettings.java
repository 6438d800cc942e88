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
    /** Whether POP3 downloads set IMAP's \Seen (yes, the default, or no). */
    static final String POP3_MARK_SEEN = "pop3-mark-seen";
    /** RFC 9208 STORAGE and MESSAGE limits; see {@link org.postern.store.Quota}. "unlimited" clears them. */
    static final String QUOTA_STORAGE = org.postern.store.Quota.STORAGE_SETTING;
    static final String QUOTA_MESSAGES = org.postern.store.Quota.MESSAGES_SETTING;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([kmgt]?)");
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
            case POP3_MARK_SEEN -> new Setting(POP3_MARK_SEEN, yesNo(POP3_MARK_SEEN, value));
            case QUOTA_STORAGE -> new Setting(QUOTA_STORAGE, size(value));
            case QUOTA_MESSAGES -> new Setting(QUOTA_MESSAGES, count(value));
            default -> throw CliFailure.usage("unknown account setting '" + key
                    + "' (known: pop3, pop3-login-delay, pop3-mark-seen, quota-storage, quota-messages)");
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

    /** Octets, with K/M/G/T meaning powers of 1024 (2G = 2147483648); "unlimited" is stored as empty. */
    private static String size(String value) {
        if (value.equals("unlimited")) return "";
        Matcher m = SIZE.matcher(value);
        if (m.matches()) {
            int shift = switch (m.group(2)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                default -> 0;
            };
            long n = Long.parseLong(m.group(1));
            if (n <= (Long.MAX_VALUE >> shift)) return Long.toString(n << shift);
        }
        throw CliFailure.usage(QUOTA_STORAGE + " must be a size such as 500M or 2G, or unlimited, not '" + value + "'");
    }

    private static String count(String value) {
        if (value.equals("unlimited")) return "";
        if (value.matches("\\d{1,15}")) return Long.toString(Long.parseLong(value));
        throw CliFailure.usage(QUOTA_MESSAGES + " must be a number of messages or unlimited, not '" + value + "'");
    }

    private static String yesNo(String key, String value) {
        if (value.equals("yes") || value.equals("no")) return value;
        throw CliFailure.usage(key + " must be yes or no, not '" + value + "'");
    }

    private static String seconds(String key, String value, int max) {
        if (value.matches("\\d{1,9}") && Integer.parseInt(value) <= max) return Integer.toString(Integer.parseInt(value));
        throw CliFailure.usage(key + " must be a number of seconds from 0 to " + max + ", not '" + value + "'");
    }
}
