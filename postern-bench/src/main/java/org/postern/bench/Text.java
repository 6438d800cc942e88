// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

/** Pure string pieces of the IMAP syntax the client writes and reads. */
final class Text {
    private Text() {}

    /**
     * IMAP quoted string (RFC 9051 §4.3): backslash and double quote escaped. CR, LF and NUL cannot
     * be quoted at all, so they are refused rather than sent.
     */
    static String quoted(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) throw new IllegalArgumentException("CR, LF or NUL in a quoted string");
            if (c == '"' || c == '\\') b.append('\\');
            b.append(c);
        }
        return b.append('"').toString();
    }

    /**
     * The length of the literal announced at the end of a response line ({@code {123}}, RFC 9051 §4.3,
     * or {@code ~{123}} for BINARY, RFC 3516), or -1 when the line does not end in one.
     */
    static long trailingLiteral(String line) {
        int end = line.length() - 1;
        if (end < 2 || line.charAt(end) != '}') return -1;
        int i = end - 1;
        while (i >= 0 && Character.isDigit(line.charAt(i))) i--;
        if (i < 0 || i == end - 1 || line.charAt(i) != '{' || end - 1 - i > 18) return -1;
        return Long.parseLong(line.substring(i + 1, end));
    }

    static String shorten(String s) {
        return s.length() <= 160 ? s : s.substring(0, 160) + "...";
    }

    /** A JSON string literal (for the result lines). */
    static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
