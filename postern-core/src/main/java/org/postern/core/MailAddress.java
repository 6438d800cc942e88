// SPDX-License-Identifier: Apache-2.0
package org.postern.core;

import java.util.Locale;
import java.util.Optional;

/**
 * A mailbox address as SMTP carries it in a path: local-part "@" domain.
 *
 * <p>The domain is kept lower-case (RFC 5321 §2.4: domains are case-insensitive). The local part keeps
 * its case, but Postern treats local parts of its own domains case-insensitively, as every mainstream
 * server does; {@link #key()} is the form used for look-ups.
 */
public record MailAddress(String localPart, String domain) {

    /** RFC 5321 §4.5.3.1.1. */
    public static final int MAX_LOCAL_PART = 64;
    /** RFC 5321 §4.5.3.1.2. */
    public static final int MAX_DOMAIN = 255;
    /** RFC 5321 §4.5.3.1.3, without the angle brackets. */
    public static final int MAX_PATH = 254;

    public MailAddress {
        domain = domain.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses "local@domain" strictly (RFC 5321 §4.1.2 Mailbox, with an RFC 6531 UTF-8 local part and
     * domain allowed). Quoted local parts are accepted; source routes, '%' and '!' routing and IP
     * literals are not addresses here and are refused by returning empty (HOSTILE A15).
     */
    public static Optional<MailAddress> parse(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_PATH) return Optional.empty();
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) return Optional.empty();
        String local = s.substring(0, at);
        String domain = s.substring(at + 1);
        if (!validLocalPart(local) || !validDomain(domain)) return Optional.empty();
        return Optional.of(new MailAddress(local, domain));
    }

    static boolean validLocalPart(String local) {
        if (local.length() > MAX_LOCAL_PART) return false;
        if (local.startsWith("\"")) return validQuotedString(local);
        // Dot-string: atoms separated by single dots, no leading/trailing dot.
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) return false;
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (c == '.') continue;
            if (!isAtext(c)) return false;
        }
        return true;
    }

    private static boolean validQuotedString(String q) {
        if (q.length() < 2 || !q.endsWith("\"")) return false;
        for (int i = 1; i < q.length() - 1; i++) {
            char c = q.charAt(i);
            if (c == '\\') {
                i++;
                if (i >= q.length() - 1) return false;
                char e = q.charAt(i);
                if (e < 32 || e > 126) return false;
            } else if (c == '"' || c < 32 || c == 127) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5322 §3.2.3 atext, plus UTF-8 (RFC 6531 §3.3). */
    static boolean isAtext(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') return true;
        if (c >= 0x80) return !Character.isISOControl(c) && !Character.isWhitespace(c);
        return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    /** A dotted host name: labels of letters, digits and hyphens (or UTF-8 for IDN), 1..63 each. */
    public static boolean validDomain(String d) {
        if (d.isEmpty() || d.length() > MAX_DOMAIN) return false;
        if (d.startsWith(".") || d.endsWith(".") || d.contains("..")) return false;
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) return false;
            if (label.startsWith("-") || label.endsWith("-")) return false;
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
                        || (c >= 0x80 && Character.isLetterOrDigit(c));
                if (!ok) return false;
            }
        }
        return true;
    }

    /** The case-folded form used to look an address up. */
    public String key() {
        return localPart.toLowerCase(Locale.ROOT) + "@" + domain;
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
