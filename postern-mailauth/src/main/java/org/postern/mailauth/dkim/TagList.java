// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 6376 §3.2 tag=value lists, as used by DKIM-Signature fields and key records. Pure. */
final class TagList {
    static final int MAX_TAGS = 64;

    private TagList() {}

    static final class TagSyntaxException extends Exception {
        TagSyntaxException(String message) {
            super(message);
        }
    }

    /**
     * Tag names keep their case (§3.2: case-sensitive); values lose surrounding whitespace, and folding
     * inside them is unfolded. A duplicate tag is an error (§3.2). A trailing ";" is allowed.
     */
    static Map<String, String> parse(String text) throws TagSyntaxException {
        Map<String, String> tags = new LinkedHashMap<>();
        String[] specs = text.split(";", -1);
        for (int i = 0; i < specs.length; i++) {
            String spec = specs[i];
            if (spec.isBlank()) {
                if (i == specs.length - 1) break;
                throw new TagSyntaxException("empty tag-spec");
            }
            int eq = spec.indexOf('=');
            if (eq < 0) throw new TagSyntaxException("tag without '='");
            String name = fws(spec.substring(0, eq)).strip();
            if (name.isEmpty() || !Character.isLetter(name.charAt(0))) throw new TagSyntaxException("bad tag name");
            for (int k = 0; k < name.length(); k++) {
                char c = name.charAt(k);
                if (!(Character.isLetterOrDigit(c) || c == '_') || c > 0x7e) throw new TagSyntaxException("bad tag name");
            }
            String value = fws(spec.substring(eq + 1)).strip();
            if (tags.put(name, value) != null) throw new TagSyntaxException("duplicate tag " + name);
            if (tags.size() > MAX_TAGS) throw new TagSyntaxException("too many tags");
        }
        return tags;
    }

    /** Unfolds: CRLF (or LF) followed by WSP is whitespace. */
    private static String fws(String s) {
        return s.replace("\r\n", "").replace("\n", "");
    }

    /** Removes all whitespace, for base64 values (§3.5 b=, bh=; §3.6.1 p=). */
    static String compact(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') sb.append(c);
        }
        return sb.toString();
    }
}
