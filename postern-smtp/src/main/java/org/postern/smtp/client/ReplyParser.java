// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reply syntax (RFC 5321 §4.2): {@code Reply-code [ SP / "-" ] textstring}, the last line with SP.
 * Pure: lines in, a {@link ClientReply} or a {@link Malformed} out.
 */
final class ReplyParser {
    /** RFC 5321 §4.5.3.1.5 allows 512 octets; servers send longer EHLO lines, so allow more. */
    static final int MAX_LINE = 4096;
    static final int MAX_LINES = 200;

    /** RFC 3463 §2: class "." subject "." detail; class 2, 4 or 5. */
    private static final Pattern ENHANCED = Pattern.compile("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}");

    private ReplyParser() {}

    /** One reply line: its code, whether more lines follow, its text. */
    record Line(int code, boolean more, String text) {}

    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    static Line line(byte[] raw) throws Malformed {
        String s = new String(raw, StandardCharsets.UTF_8);
        if (s.length() < 3) throw new Malformed("short reply line");
        int code = 0;
        for (int i = 0; i < 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') throw new Malformed("reply without a code: " + RecipientResult.oneLine(s));
            code = code * 10 + (c - '0');
        }
        if (code < 200 || code > 599) throw new Malformed("reply code " + code);
        if (s.length() == 3) return new Line(code, false, "");
        char sep = s.charAt(3);
        if (sep != ' ' && sep != '-') throw new Malformed("bad separator in reply: " + RecipientResult.oneLine(s));
        return new Line(code, sep == '-', s.substring(4));
    }

    /** Builds the reply from its lines (all with the same code, RFC 5321 §4.2.1). */
    static ClientReply reply(List<Line> lines) throws Malformed {
        if (lines.isEmpty()) throw new Malformed("empty reply");
        int code = lines.get(0).code();
        List<String> texts = new ArrayList<>(lines.size());
        for (Line l : lines) {
            if (l.code() != code) throw new Malformed("reply lines with different codes");
            texts.add(l.text());
        }
        String enhanced = null;
        String first = texts.get(0);
        int sp = first.indexOf(' ');
        String candidate = sp < 0 ? first : first.substring(0, sp);
        // RFC 2034 §3: the enhanced code's class must agree with the reply code's.
        if (ENHANCED.matcher(candidate).matches() && candidate.charAt(0) - '0' == code / 100) {
            enhanced = candidate;
            for (int i = 0; i < texts.size(); i++) {
                String t = texts.get(i);
                if (t.startsWith(candidate)) texts.set(i, t.substring(candidate.length()).stripLeading());
            }
        }
        return new ClientReply(code, enhanced, texts);
    }

    /** EHLO keywords (RFC 5321 §4.1.1.1): every line but the first, upper-cased keyword then params. */
    static List<String> extensions(ClientReply ehlo) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < ehlo.lines().size(); i++) out.add(ehlo.lines().get(i).strip());
        return out;
    }
}
