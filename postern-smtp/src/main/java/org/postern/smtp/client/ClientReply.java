// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.util.List;

/**
 * One reply as a server sent it (RFC 5321 §4.2): the code, the enhanced status code when the first
 * line carries one (RFC 2034 §3), and the text lines without code.
 */
record ClientReply(int code, String enhanced, List<String> lines) {
    ClientReply {
        lines = List.copyOf(lines);
    }

    boolean positive() {
        return code >= 200 && code < 400;
    }

    boolean temporary() {
        return code >= 400 && code < 500;
    }

    /** The RFC 3463 status: the server's own, else class.0.0 from the reply code (RFC 3463 §3.1). */
    String status() {
        if (enhanced != null) return enhanced;
        return (code / 100) + ".0.0";
    }

    /** "550 5.1.1 text" on one line, for logs and Diagnostic-Code. */
    String summary() {
        StringBuilder sb = new StringBuilder().append(code);
        if (enhanced != null) sb.append(' ').append(enhanced);
        for (String l : lines) {
            if (!l.isEmpty()) sb.append(' ').append(l);
        }
        return RecipientResult.oneLine(sb.toString());
    }
}
