// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

/**
 * One header field as stored.
 *
 * @param name the field name as written (compare case-insensitively)
 * @param rawValue everything after the colon up to, not including, the final line end; folding kept
 * @param start offset of the field's first byte in the message
 * @param end offset just past the field's final line end (CRLF, or LF in tolerated stored mail)
 */
public record Header(String name, String rawValue, int start, int end) {

    /** The value unfolded (RFC 5322 §2.2.3: drop each line end that precedes white space), trimmed. */
    public String unfolded() {
        return unfold(rawValue);
    }

    static String unfold(String v) {
        if (v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v.strip();
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != '\r' && c != '\n') sb.append(c);
        }
        return sb.toString().strip();
    }
}
