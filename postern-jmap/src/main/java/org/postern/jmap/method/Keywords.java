// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postern.core.Flags;

/**
 * JMAP keywords and IMAP flags (RFC 8621 §4.1.1): $seen, $flagged, $answered, $draft are the IMAP
 * system flags; other keywords are the same strings, compared case-insensitively (stored lower case).
 * \Deleted has no keyword and is kept as it was when keywords are replaced.
 */
public final class Keywords {
    private static final Map<String, String> TO_FLAG = Map.of("$seen", Flags.SEEN, "$flagged", Flags.FLAGGED,
            "$answered", Flags.ANSWERED, "$draft", Flags.DRAFT);
    private static final Map<String, String> TO_KEYWORD = Map.of(Flags.SEEN, "$seen", Flags.FLAGGED, "$flagged",
            Flags.ANSWERED, "$answered", Flags.DRAFT, "$draft");

    private Keywords() {}

    /** RFC 8621 §4.1.1: 1-255 of %x21-%x7e without ( ) { ] % * " \ — and our flag length cap. */
    public static boolean valid(String k) {
        if (k.isEmpty() || k.length() > Flags.MAX_KEYWORD_LENGTH) return false;
        for (char c : k.toCharArray()) {
            if (c < 0x21 || c > 0x7e || "(){]%*\"\\".indexOf(c) >= 0) return false;
        }
        return true;
    }

    public static Set<String> fromFlags(Set<String> flags) {
        Set<String> out = new LinkedHashSet<>();
        for (String f : flags) {
            String k = TO_KEYWORD.get(f);
            if (k != null) out.add(k);
            else if (!f.startsWith("\\")) out.add(f.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    public static String toFlag(String keyword) {
        String k = keyword.toLowerCase(Locale.ROOT);
        return TO_FLAG.getOrDefault(k, k);
    }

    /** IMAP flags for a keyword set, keeping \Deleted from {@code current}. */
    public static Set<String> toFlags(Set<String> keywords, Set<String> current) {
        Set<String> out = new LinkedHashSet<>();
        for (String k : keywords) out.add(toFlag(k));
        if (current.contains(Flags.DELETED)) out.add(Flags.DELETED);
        return out;
    }

    public static boolean has(Set<String> flags, String keyword) {
        String f = toFlag(keyword);
        for (String x : flags) if (x.equalsIgnoreCase(f)) return true;
        return false;
    }
}
