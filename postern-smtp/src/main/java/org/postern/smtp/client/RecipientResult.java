// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

/**
 * What happened to one recipient in one delivery attempt.
 *
 * @param status the RFC 3463 status code (from the server's enhanced code, or derived from the reply)
 * @param diagnostic the server's reply ("550 5.1.1 User unknown") or a local explanation, one line
 * @param remoteMta the host that answered, or empty when none did
 * @param remoteReply true when {@code diagnostic} is an SMTP reply (RFC 3464 Diagnostic-Code "smtp;")
 * @param nextHopDsn the next hop took the DSN parameters (RFC 3461 §5.2.2: it reports success, not we)
 */
public record RecipientResult(String recipient, Outcome outcome, String status, String diagnostic, String remoteMta,
        boolean remoteReply, boolean nextHopDsn) {
    public RecipientResult(String recipient, Outcome outcome, String status, String diagnostic, String remoteMta,
            boolean remoteReply) {
        this(recipient, outcome, status, diagnostic, remoteMta, remoteReply, false);
    }

    public enum Outcome {
        /** 2xx after the final "." (RFC 5321 §4.2.1). */
        DELIVERED,
        /** 4xx, connection trouble, DNS trouble: try again later. */
        TEMPORARY,
        /** 5xx, null MX, no such domain: bounce. */
        PERMANENT
    }

    public RecipientResult {
        diagnostic = oneLine(diagnostic);
        if (remoteMta == null) remoteMta = "";
    }

    static String oneLine(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 500));
        for (int i = 0; i < s.length() && sb.length() < 500; i++) {
            char c = s.charAt(i);
            sb.append(c < 32 || c == 127 ? ' ' : c);
        }
        return sb.toString().strip();
    }
}
