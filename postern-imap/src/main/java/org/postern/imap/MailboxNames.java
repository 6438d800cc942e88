// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.charset.StandardCharsets;
import org.postern.store.Mailbox;

/**
 * Rules for mailbox names a client may create (HOSTILE A26; RFC 3501 §5.1): no control characters,
 * no empty, "." or ".." levels, no wildcards, bounded depth and length. Names are store names (UTF-8,
 * "/" separator) and are never used as file paths, but a strict rule set keeps every backend safe.
 */
final class MailboxNames {
    static final int MAX_DEPTH = 16;
    static final int MAX_LEVEL_OCTETS = 255;
    static final int MAX_OCTETS = 1000;

    private MailboxNames() {}

    static void checkCreatable(String name) throws ImapException {
        if (name.isEmpty()) throw ImapException.no("CANNOT", "Empty mailbox name");
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_OCTETS) throw ImapException.no("CANNOT", "Mailbox name too long");
        String[] levels = name.split(String.valueOf(Mailbox.SEPARATOR), -1);
        if (levels.length > MAX_DEPTH) throw ImapException.no("CANNOT", "Mailbox hierarchy too deep");
        for (String level : levels) {
            if (level.isEmpty() || level.equals(".") || level.equals("..")) {
                throw ImapException.no("CANNOT", "Invalid mailbox name");
            }
            if (level.getBytes(StandardCharsets.UTF_8).length > MAX_LEVEL_OCTETS) {
                throw ImapException.no("CANNOT", "Mailbox name too long");
            }
            for (int i = 0; i < level.length(); i++) {
                char c = level.charAt(i);
                if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '%' || c == '*' || c == '~' && i == 0) {
                    throw ImapException.no("CANNOT", "Invalid character in mailbox name");
                }
            }
        }
    }

    /**
     * LIST pattern matching (RFC 3501 §6.3.8): "*" matches anything, "%" anything but the separator.
     * Dynamic programming over the pattern, so no pattern can cause exponential backtracking.
     */
    static boolean matches(String pattern, String name) {
        int m = pattern.length();
        boolean[] cur = new boolean[m + 1];
        boolean[] next = new boolean[m + 1];
        cur[0] = true;
        closeOverWildcards(pattern, cur);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            java.util.Arrays.fill(next, false);
            boolean any = false;
            for (int j = 0; j < m; j++) {
                if (!cur[j]) continue;
                char p = pattern.charAt(j);
                if (p == '*' || (p == '%' && c != Mailbox.SEPARATOR)) {
                    next[j] = true;
                    any = true;
                } else if (p == c) {
                    next[j + 1] = true;
                    any = true;
                }
            }
            if (!any) return false;
            closeOverWildcards(pattern, next);
            boolean[] t = cur;
            cur = next;
            next = t;
        }
        return cur[m];
    }

    /** A wildcard may match nothing: whoever reaches it also reaches the position after it. */
    private static void closeOverWildcards(String pattern, boolean[] state) {
        for (int j = 0; j < pattern.length(); j++) {
            if (state[j] && (pattern.charAt(j) == '*' || pattern.charAt(j) == '%')) state[j + 1] = true;
        }
    }
}
