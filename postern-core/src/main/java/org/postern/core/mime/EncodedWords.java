// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;

/**
 * Decodes RFC 2047 encoded words ({@code =?charset?B|Q?text?=}) in header text for display and
 * search.
 *
 * <p>Tolerant where mail is commonly wrong, strict where guessing would corrupt: words are decoded
 * even inside quoted strings or glued to other text; white space between two adjacent encoded words
 * is dropped (RFC 2047 §6.2), and their bytes are joined before charset decoding so a character split
 * across two words survives. A word with an unknown charset or bad base64 is left as written; bytes
 * invalid in their charset become U+FFFD. Decoded CR and LF become spaces and NUL becomes U+FFFD, so a
 * decoded value can never inject a header line when it is written out again (HOSTILE A35). The output
 * is never longer than the input.
 */
public final class EncodedWords {
    private EncodedWords() {}

    private record Word(Charset charset, byte[] bytes, int end) {}

    public static String decode(String headerText) {
        if (headerText == null) return null;
        String s = unfold(headerText);
        if (!s.contains("=?")) return s;
        StringBuilder out = new StringBuilder(s.length());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        Charset pendingCharset = null;
        int plainStart = 0;
        int lastWordEnd = -1;
        int i = 0;
        while (true) {
            int at = s.indexOf("=?", i);
            if (at < 0) break;
            Word w = word(s, at);
            if (w == null) {
                i = at + 1;
                continue;
            }
            boolean adjacent = lastWordEnd == plainStart && isBlank(s, plainStart, at);
            if (!adjacent || pendingCharset != w.charset()) {
                flush(pending, pendingCharset, out);
                pendingCharset = null;
            }
            if (!adjacent) out.append(s, plainStart, at);
            pending.writeBytes(w.bytes());
            pendingCharset = w.charset();
            plainStart = i = lastWordEnd = w.end();
        }
        flush(pending, pendingCharset, out);
        out.append(s, plainStart, s.length());
        return out.toString();
    }

    private static String unfold(String s) {
        if (s.indexOf('\r') < 0 && s.indexOf('\n') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\r' && c != '\n') sb.append(c);
        }
        return sb.toString();
    }

    private static boolean isBlank(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t') return false;
        }
        return true;
    }

    private static void flush(ByteArrayOutputStream pending, Charset cs, StringBuilder out) {
        if (pending.size() == 0 || cs == null) return;
        String text = new String(pending.toByteArray(), cs);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c == '\r' || c == '\n' ? ' ' : c == 0 ? '\uFFFD' : c);
        }
        pending.reset();
    }

    /** Parses the encoded word starting at {@code at} ("=?"), or null when there is none. */
    private static Word word(String s, int at) {
        int q1 = at + 2;
        int k = q1;
        while (k < s.length() && s.charAt(k) != '?' && s.charAt(k) > ' ' && s.charAt(k) < 127) k++;
        if (k >= s.length() - 3 || s.charAt(k) != '?' || k == q1) return null;
        Charset cs = Charsets.lookup(s.substring(q1, k));
        char enc = Character.toUpperCase(s.charAt(k + 1));
        if (cs == null || (enc != 'B' && enc != 'Q') || s.charAt(k + 2) != '?') return null;
        int textStart = k + 3;
        int e = textStart;
        while (e < s.length() && s.charAt(e) != '?' && s.charAt(e) != ' ' && s.charAt(e) != '\t') e++;
        if (e + 1 >= s.length() || s.charAt(e) != '?' || s.charAt(e + 1) != '=') return null;
        byte[] bytes = enc == 'B' ? base64(s, textStart, e) : q(s, textStart, e);
        return bytes == null ? null : new Word(cs, bytes, e + 2);
    }

    private static byte[] base64(String s, int from, int to) {
        byte[] ascii = new byte[to - from];
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '+' || c == '/' || c == '=';
            if (!ok) return null;
            ascii[i - from] = (byte) c;
        }
        return ContentDecoder.base64(ascii, 0, ascii.length);
    }

    /** RFC 2047 §4.2: "_" is a space, "=XX" a byte; a malformed "=" stays literal. */
    private static byte[] q(String s, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < to && ParameterParser.hex(s.charAt(i + 1)) >= 0
                    && ParameterParser.hex(s.charAt(i + 2)) >= 0) {
                out.write(ParameterParser.hex(s.charAt(i + 1)) * 16 + ParameterParser.hex(s.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c < 256 ? c : '?');
            }
        }
        return out.toByteArray();
    }
}
