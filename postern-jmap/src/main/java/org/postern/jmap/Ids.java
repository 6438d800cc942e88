// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JMAP ids (RFC 8620 §1.2: 1-255 characters of base64url) for store keys. The store keys messages by
 * (mailbox, UID), so an Email's id names both; a move gives the message a new id.
 */
public final class Ids {
    private static final Pattern EMAIL = Pattern.compile("[et]([1-9][0-9]{0,17})-([1-9][0-9]{0,17})");
    private static final Pattern MAILBOX = Pattern.compile("m([1-9][0-9]{0,17})");
    private static final Pattern ACCOUNT = Pattern.compile("a([1-9][0-9]{0,17})");
    /** RFC 8620 §1.2. */
    public static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,255}");

    private Ids() {}

    public record MessageKey(long mailboxId, long uid) {}

    public static String account(long id) {
        return "a" + id;
    }

    public static String mailbox(long id) {
        return "m" + id;
    }

    public static String email(long mailboxId, long uid) {
        return "e" + mailboxId + "-" + uid;
    }

    public static String thread(long mailboxId, long uid) {
        return "t" + mailboxId + "-" + uid;
    }

    /** The mailbox id, or -1 when the id is not one of ours. */
    public static long mailboxOf(String id) {
        if (id == null) return -1;
        Matcher m = MAILBOX.matcher(id);
        return m.matches() ? parse(m.group(1)) : -1;
    }

    public static long accountOf(String id) {
        if (id == null) return -1;
        Matcher m = ACCOUNT.matcher(id);
        return m.matches() ? parse(m.group(1)) : -1;
    }

    /** The message an email or thread id names, or null. */
    public static MessageKey messageOf(String id, char kind) {
        if (id == null || id.isEmpty() || id.charAt(0) != kind) return null;
        Matcher m = EMAIL.matcher(id);
        if (!m.matches()) return null;
        long mb = parse(m.group(1));
        long uid = parse(m.group(2));
        return mb < 0 || uid < 0 ? null : new MessageKey(mb, uid);
    }

    private static long parse(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
