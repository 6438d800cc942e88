// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * The readable text of a message for SEARCH BODY/TEXT and previews: every text/* leaf, transfer- and
 * charset-decoded, HTML reduced to its text crudely (tags dropped, script and style skipped, common
 * entities decoded). Of a multipart/alternative only the text/plain alternative is used when there
 * is one. Work is bounded by {@code maxChars}: each part is read only as far as needed, allowing for
 * the worst-case expansion of its encodings and of HTML markup (HOSTILE A37).
 */
public final class TextExtractor {
    private TextExtractor() {}

    public static String text(MimeMessage m, int maxChars) {
        if (maxChars <= 0) return "";
        StringBuilder out = new StringBuilder();
        Deque<MimePart> todo = new ArrayDeque<>();
        todo.push(m.root());
        while (!todo.isEmpty() && out.length() < maxChars) {
            MimePart p = todo.pop();
            if (p.isMessage()) {
                todo.push(p.encapsulated());
            } else if (p.isMultipart()) {
                List<MimePart> kids = p.children();
                if (p.contentType().is("multipart", "alternative")) {
                    todo.push(kids.stream().filter(k -> k.contentType().is("text", "plain")).findFirst()
                            .orElse(kids.get(kids.size() - 1)));
                } else {
                    for (int k = kids.size() - 1; k >= 0; k--) todo.push(kids.get(k));
                }
            } else if (p.contentType().type().equals("text")) {
                boolean html = p.contentType().subtype().equals("html");
                long budget = (long) maxChars * 12 * (html ? 16 : 1) + 1024;
                int len = (int) Math.min(p.bodySize(), budget);
                byte[] bytes = ContentDecoder.decode(m.raw(), p.bodyStart(), len, p.contentTransferEncoding());
                String text = charsetDecode(bytes, p.contentType().charset());
                if (html) text = stripHtml(text);
                if (out.length() > 0) out.append('\n');
                out.append(text.strip());
            }
        }
        return out.length() > maxChars ? out.substring(0, maxChars) : out.toString();
    }

    static String charsetDecode(byte[] bytes, String charset) {
        Charset cs = Charsets.lookup(charset);
        // Undeclared or us-ascii text with 8-bit bytes is most often UTF-8 (RFC 6532 era mail).
        if (cs == null || cs == StandardCharsets.US_ASCII) return Charsets.headerText(bytes, 0, bytes.length);
        return new String(bytes, cs);
    }

    static String stripHtml(String h) {
        StringBuilder out = new StringBuilder(Math.min(h.length(), 1 << 16));
        String lower = h.toLowerCase(Locale.ROOT);
        int i = 0;
        int n = h.length();
        while (i < n) {
            char c = h.charAt(i);
            if (c == '<') {
                if (lower.startsWith("<!--", i)) {
                    int e = lower.indexOf("-->", i + 4);
                    i = e < 0 ? n : e + 3;
                    continue;
                }
                String skipTo = lower.startsWith("<script", i) ? "</script" : lower.startsWith("<style", i) ? "</style" : null;
                if (skipTo != null) {
                    int e = lower.indexOf(skipTo, i);
                    i = e < 0 ? n : e;
                }
                int e = h.indexOf('>', i);
                boolean block = lower.startsWith("<br", i) || lower.startsWith("<p", i) || lower.startsWith("</p", i)
                        || lower.startsWith("<div", i) || lower.startsWith("</div", i) || lower.startsWith("<tr", i)
                        || lower.startsWith("<li", i);
                out.append(block ? '\n' : ' ');
                i = e < 0 ? n : e + 1;
            } else if (c == '&') {
                int e = -1;
                for (int k = i + 1; k < Math.min(n, i + 12); k++) {
                    if (h.charAt(k) == ';') {
                        e = k;
                        break;
                    }
                }
                String ent = e > i && e - i <= 10 ? entity(h.substring(i + 1, e)) : null;
                if (ent != null) {
                    out.append(ent);
                    i = e + 1;
                } else {
                    out.append(c);
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString().replaceAll("[ \\t\\x0B\\f\\r]+", " ").replaceAll(" ?\\n[\\s]*", "\n");
    }

    private static String entity(String e) {
        switch (e.toLowerCase(Locale.ROOT)) {
            case "amp": return "&";
            case "lt": return "<";
            case "gt": return ">";
            case "quot": return "\"";
            case "apos": return "'";
            case "nbsp": return " ";
            default: break;
        }
        if (e.startsWith("#")) {
            try {
                int cp = e.length() > 1 && (e.charAt(1) == 'x' || e.charAt(1) == 'X')
                        ? Integer.parseInt(e.substring(2), 16) : Integer.parseInt(e.substring(1));
                if (Character.isValidCodePoint(cp) && cp != 0) return new String(Character.toChars(cp));
            } catch (NumberFormatException ignored) {
                return null;
            }
        }
        return null;
    }
}
