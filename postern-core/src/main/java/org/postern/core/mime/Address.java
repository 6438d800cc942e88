// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.util.Optional;
import org.postern.core.MailAddress;

/**
 * One entry of a parsed address list, shaped for IMAP ENVELOPE (RFC 9051 §7.5.2).
 *
 * <p>A mailbox has {@code group == null}; {@code localPart} is the unquoted local part, {@code domain}
 * is null when the address had none (ENVELOPE must then not write NIL as host, which would mean a
 * group marker). A group (RFC 5322 §3.4) is bracketed by two markers with every other component null:
 * the start marker carries the group's display name in {@code group}, the end marker the empty
 * string. Members in between are ordinary mailboxes.
 *
 * @param displayName the phrase (RFC 2047 decoded), or a trailing comment when there is no phrase;
 *     null when absent
 */
public record Address(String displayName, String localPart, String domain, String group) {

    public static Address mailbox(String displayName, String localPart, String domain) {
        return new Address(displayName, localPart, domain, null);
    }

    public static Address groupStart(String name) {
        return new Address(null, null, null, name);
    }

    public static Address groupEnd() {
        return new Address(null, null, null, "");
    }

    public boolean isGroupStart() {
        return group != null && !group.isEmpty();
    }

    public boolean isGroupEnd() {
        return group != null && group.isEmpty();
    }

    public boolean isMailbox() {
        return group == null;
    }

    /** local@domain, the local part quoted when it is not a dot-atom (RFC 5322 §3.4.1). */
    public String addrSpec() {
        if (group != null) return null;
        String local = localPart == null ? "" : localPart;
        if (!isDotAtom(local)) local = quote(local);
        return domain == null ? local : local + "@" + domain;
    }

    /** The address as SMTP would carry it, for checks such as From: against the login (HOSTILE A16). */
    public Optional<MailAddress> mailAddress() {
        if (group != null || domain == null || localPart == null) return Optional.empty();
        return MailAddress.parse(addrSpec());
    }

    static boolean isDotAtom(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !AddressParser.isAtext(c)) return false;
        }
        return true;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
