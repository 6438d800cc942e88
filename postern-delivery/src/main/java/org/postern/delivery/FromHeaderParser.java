// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postern.core.MailAddress;
import org.postern.core.mime.Address;
import org.postern.core.mime.AddressParser;

/**
 * Finds the addresses of the From: field(s) in a raw header block (RFC 5322 §3.6.2). Uses
 * postern-core's AddressParser, and a small extraction of its own when that yields nothing, so a
 * From: the full parser cannot read still has to name owned addresses.
 */
final class FromHeaderParser {
    static final int MAX_ADDRESSES = 100;

    private FromHeaderParser() {}

    /** The unfolded values of every From: field, in order. */
    static List<String> fromFields(byte[] headerBlock) {
        String text = new String(headerBlock, StandardCharsets.UTF_8);
        List<String> values = new ArrayList<>();
        StringBuilder current = null;
        for (String line : text.split("\r\n", -1)) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (current != null) current.append(line); // RFC 5322 §2.2.3 unfolding
                continue;
            }
            if (current != null) {
                values.add(current.toString());
                current = null;
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("from")) {
                current = new StringBuilder(line.substring(colon + 1));
            }
        }
        if (current != null) values.add(current.toString());
        return values;
    }

    /** The mailbox addresses of one From: value; unparseable entries are returned as null. */
    static List<MailAddress> addresses(String value) {
        List<MailAddress> out = new ArrayList<>();
        List<Address> parsed;
        try {
            parsed = AddressParser.parseList(value);
        } catch (RuntimeException e) {
            parsed = List.of();
        }
        for (Address a : parsed) {
            if (!a.isMailbox()) continue;
            out.add(a.mailAddress().orElse(null));
            if (out.size() >= MAX_ADDRESSES) return out;
        }
        if (!out.isEmpty()) return out;
        return minimal(value);
    }

    /** addr-specs in angle brackets, else comma-separated bare addresses, comments removed. */
    static List<MailAddress> minimal(String value) {
        String v = stripComments(value);
        List<MailAddress> out = new ArrayList<>();
        if (v.indexOf('<') >= 0) {
            int i = 0;
            while ((i = v.indexOf('<', i)) >= 0 && out.size() < MAX_ADDRESSES) {
                int end = v.indexOf('>', i);
                if (end < 0) {
                    out.add(null);
                    break;
                }
                out.add(parse(v.substring(i + 1, end)));
                i = end + 1;
            }
            return out;
        }
        for (String part : v.split(",")) {
            if (part.isBlank()) continue;
            out.add(parse(part));
            if (out.size() >= MAX_ADDRESSES) break;
        }
        return out;
    }

    private static MailAddress parse(String s) {
        Optional<MailAddress> a = MailAddress.parse(s.strip());
        return a.orElse(null);
    }

    private static String stripComments(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                if (depth == 0) sb.append(c).append(s.charAt(i + 1));
                i++;
                continue;
            }
            if (!quoted && c == '(') {
                depth++;
                continue;
            }
            if (!quoted && c == ')' && depth > 0) {
                depth--;
                continue;
            }
            if (depth > 0) continue;
            if (c == '"') quoted = !quoted;
            sb.append(c);
        }
        return sb.toString();
    }
}
