// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import java.util.List;

/**
 * One SMTP reply: a three-digit code, an RFC 3463 enhanced status code (null for the greeting and
 * the EHLO/HELO answer, RFC 2034 §3) and one or more text lines.
 */
public record SmtpReply(int code, String enhanced, List<String> lines) {
    public SmtpReply {
        if (code < 200 || code > 599) throw new IllegalArgumentException("reply code " + code);
        lines = List.copyOf(lines);
        if (lines.isEmpty()) throw new IllegalArgumentException("a reply has at least one line");
    }

    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, enhanced, List.of(text));
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTemporary() {
        return code >= 400 && code < 500;
    }

    /** The wire form: "250-..." for every line but the last, each with the enhanced code (RFC 2034 §3). */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (enhanced != null) sb.append(enhanced).append(' ');
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return render().strip();
    }

    // The replies RFC 5321 §4.2/§4.3 prescribe for syntax problems, shared by parser and session.
    public static final SmtpReply LINE_TOO_LONG = of(500, "5.5.2", "Line too long");
    public static final SmtpReply BARE_CR_LF = of(500, "5.5.2", "Bare CR or LF not allowed");
    public static final SmtpReply UNRECOGNIZED = of(500, "5.5.1", "Command unrecognized");
    public static final SmtpReply BAD_UTF8 = of(500, "5.5.2", "Invalid UTF-8 in command");
    public static final SmtpReply NOT_IMPLEMENTED = of(502, "5.5.1", "Command not implemented");
    public static final SmtpReply NO_PARAMETERS = of(501, "5.5.4", "Syntax error, no parameters allowed");
    public static final SmtpReply BAD_SEQUENCE = of(503, "5.5.1", "Bad sequence of commands");
}
