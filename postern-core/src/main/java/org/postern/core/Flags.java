// SPDX-License-Identifier: Apache-2.0
package org.postern.core;

import java.util.Locale;
import java.util.Set;

/** System flags (RFC 9051 §2.3.2) and the rules for keywords. */
public final class Flags {
    public static final String SEEN = "\\Seen";
    public static final String ANSWERED = "\\Answered";
    public static final String FLAGGED = "\\Flagged";
    public static final String DELETED = "\\Deleted";
    public static final String DRAFT = "\\Draft";
    public static final String RECENT = "\\Recent";

    public static final Set<String> SYSTEM = Set.of(SEEN, ANSWERED, FLAGGED, DELETED, DRAFT);

    /** Keywords per message and mailbox are bounded: a client must not grow metadata without limit. */
    public static final int MAX_KEYWORD_LENGTH = 128;

    private Flags() {}

    /**
     * The canonical spelling of a flag: system flags are case-insensitive (RFC 9051 §2.3.2) and are
     * stored in their standard case; keywords keep the case they were first given.
     */
    public static String canonical(String flag) {
        if (flag.startsWith("\\")) {
            for (String s : SYSTEM) {
                if (s.equalsIgnoreCase(flag)) return s;
            }
            if (RECENT.equalsIgnoreCase(flag)) return RECENT;
        }
        return flag;
    }

    /** True for a keyword an IMAP client may set: an atom without list-wildcards or specials. */
    public static boolean isValidKeyword(String k) {
        if (k.isEmpty() || k.length() > MAX_KEYWORD_LENGTH || k.startsWith("\\")) return false;
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (c <= 32 || c >= 127 || "(){%*\"\\]".indexOf(c) >= 0) return false;
        }
        return true;
    }

    public static String lower(String flag) {
        return flag.toLowerCase(Locale.ROOT);
    }
}
