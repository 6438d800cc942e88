// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.util.Locale;
import java.util.Optional;

/**
 * What happens to downloaded mail: the account setting {@code pop3} (RFC 2449 §6.7 EXPIRE announces
 * it). "Retrieved" means RETR in this session, or \Seen from an earlier one: RETR sets \Seen, so a
 * download is remembered across sessions and shows as read in IMAP.
 */
public sealed interface Retention {
    String SETTING = "pop3";

    /** Mail stays until the client deletes it. EXPIRE NEVER. */
    record Keep() implements Retention {}

    /** Messages retrieved in the session are deleted at QUIT, DELE or not. EXPIRE 0 (an implicit DELE). */
    record DeleteAfterDownload() implements Retention {}

    /** At QUIT, retrieved messages whose internal date is older than {@code days} are deleted. EXPIRE days. */
    record DeleteAfterDays(int days) implements Retention {
        public DeleteAfterDays {
            if (days < 0) throw new IllegalArgumentException("days must not be negative");
        }
    }

    /** The value for the EXPIRE capability in TRANSACTION state. */
    default String expire() {
        return switch (this) {
            case Keep k -> "NEVER";
            case DeleteAfterDownload d -> "0";
            case DeleteAfterDays d -> Integer.toString(d.days());
        };
    }

    /** The setting's text form, as the CLI accepts it: keep, delete, delete-after-days:N. */
    default String setting() {
        return switch (this) {
            case Keep k -> "keep";
            case DeleteAfterDownload d -> "delete";
            case DeleteAfterDays d -> "delete-after-days:" + d.days();
        };
    }

    /** Parses a setting; empty for anything else, so the CLI can refuse it. */
    static Optional<Retention> parse(String value) {
        if (value == null) return Optional.empty();
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("keep")) return Optional.of(new Keep());
        if (v.equals("delete")) return Optional.of(new DeleteAfterDownload());
        String prefix = "delete-after-days:";
        if (v.startsWith(prefix)) {
            String n = v.substring(prefix.length());
            if (n.isEmpty() || n.length() > 5 || !n.chars().allMatch(c -> c >= '0' && c <= '9')) return Optional.empty();
            return Optional.of(new DeleteAfterDays(Integer.parseInt(n)));
        }
        return Optional.empty();
    }

    /** The account's policy; an unreadable setting keeps mail, the choice that loses nothing. */
    static Retention ofSetting(String value) {
        return parse(value).orElse(new Keep());
    }
}
