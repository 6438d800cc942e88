// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shared syntax of Content-Type and Content-Disposition: a value followed by
 * {@code ; name=value} parameters (RFC 2045 §5.1, RFC 2183 §2), with RFC 2231 continuations and
 * charsets folded in linear time and at most {@value #MAX_PARAMS} raw parameters (HOSTILE A71).
 */
final class ParameterParser {
    static final int MAX_PARAMS = 128;
    /** Continuation numbers beyond this are dropped; 128 sections cannot need more. */
    private static final int MAX_SECTION = 999;
    private static final String TSPECIALS = "()<>@,;:\\\"/[]?=";

    private final String s;
    private int i;

    private ParameterParser(String s) {
        this.s = s;
    }

    /** Parses "type/subtype *(; param)"; null when the type is syntactically invalid. */
    static ContentType contentType(String value) {
        if (value == null) return null;
        ParameterParser p = new ParameterParser(value);
        p.skipCfws();
        String type = p.token();
        p.skipCfws();
        if (type.isEmpty() || !p.eat('/')) return null;
        p.skipCfws();
        String subtype = p.token();
        if (subtype.isEmpty()) return null;
        return new ContentType(type, subtype, p.params());
    }

    /** Parses "type *(; param)" (RFC 2183 §2); null when there is no disposition type. */
    static ContentDisposition disposition(String value) {
        if (value == null) return null;
        ParameterParser p = new ParameterParser(value);
        p.skipCfws();
        String type = p.token();
        if (type.isEmpty()) return null;
        return new ContentDisposition(type, p.params());
    }

    private boolean eat(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private static boolean isTokenChar(char c) {
        return c > 32 && c < 127 && TSPECIALS.indexOf(c) < 0;
    }

    private String token() {
        int start = i;
        while (i < s.length() && isTokenChar(s.charAt(i))) i++;
        return s.substring(start, i);
    }

    /** Skips white space and comments (RFC 5322 §3.2.2 CFWS); nesting is counted, not recursed. */
    private void skipCfws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '(') {
                int depth = 0;
                while (i < s.length()) {
                    char d = s.charAt(i++);
                    if (d == '\\') i++;
                    else if (d == '(') depth++;
                    else if (d == ')' && --depth == 0) break;
                }
            } else {
                return;
            }
        }
    }

    private record Raw(String name, String value) {}

    private Map<String, String> params() {
        List<Raw> raw = new ArrayList<>();
        while (i < s.length() && raw.size() < MAX_PARAMS) {
            skipCfws();
            if (!eat(';')) {
                // Junk between parameters: resynchronise at the next ';' outside quotes.
                skipTo(';');
                if (!eat(';')) break;
            }
            skipCfws();
            int nameStart = i;
            while (i < s.length() && isTokenChar(s.charAt(i)) || i < s.length() && s.charAt(i) == '*') i++;
            String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
            skipCfws();
            if (name.isEmpty() || !eat('=')) continue;
            skipCfws();
            raw.add(new Raw(name, value()));
        }
        return fold(raw);
    }

    private void skipTo(char stop) {
        boolean quoted = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (quoted && c == '\\') i++;
            else if (c == '"') quoted = !quoted;
            else if (c == stop && !quoted) return;
            i++;
        }
    }

    /**
     * A quoted string (backslash escapes removed), or, tolerantly, everything up to ';' or a comment:
     * real mail writes unquoted boundaries such as {@code ----=_Part_1} and names with spaces.
     */
    private String value() {
        StringBuilder sb = new StringBuilder();
        if (eat('"')) {
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') break;
                if (c == '\\' && i < s.length()) c = s.charAt(i++);
                if (c != '\r' && c != '\n') sb.append(c);
            }
            return sb.toString();
        }
        int start = i;
        while (i < s.length() && s.charAt(i) != ';' && s.charAt(i) != '(') i++;
        return s.substring(start, i).strip();
    }

    /** RFC 2231 §3-4: {@code name*N[*]} sections joined in order, {@code *}-values percent-decoded. */
    private static Map<String, String> fold(List<Raw> raw) {
        LinkedHashMap<String, Object> byName = new LinkedHashMap<>();
        for (Raw r : raw) {
            String name = r.name();
            int star = name.indexOf('*');
            if (star < 0) {
                byName.putIfAbsent(name, r.value());
                continue;
            }
            String base = name.substring(0, star);
            String rest = name.substring(star + 1);
            if (base.isEmpty()) continue;
            if (rest.isEmpty()) {
                // name*=charset'lang'value: the extended form wins over a plain one.
                Sections one = new Sections();
                one.add(0, r.value(), true);
                byName.put(base, one);
                continue;
            }
            boolean ext = rest.endsWith("*");
            String digits = ext ? rest.substring(0, rest.length() - 1) : rest;
            int n = sectionNumber(digits);
            if (n < 0) continue;
            Object existing = byName.get(base);
            Sections sec = existing instanceof Sections x ? x : new Sections();
            if (existing != sec) byName.put(base, sec);
            sec.add(n, r.value(), ext);
        }
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : byName.entrySet()) {
            out.put(e.getKey(), e.getValue() instanceof Sections sec ? sec.join() : (String) e.getValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static int sectionNumber(String digits) {
        if (digits.isEmpty() || digits.length() > 3) return -1;
        int n = 0;
        for (int k = 0; k < digits.length(); k++) {
            char c = digits.charAt(k);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n <= MAX_SECTION ? n : -1;
    }

    private static final class Sections {
        private final HashMap<Integer, String[]> parts = new HashMap<>();

        void add(int n, String value, boolean ext) {
            parts.putIfAbsent(n, new String[] {value, ext ? "*" : ""});
        }

        String join() {
            List<Integer> order = new ArrayList<>(parts.keySet());
            Collections.sort(order);
            Charset cs = StandardCharsets.UTF_8;
            StringBuilder out = new StringBuilder();
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            boolean first = true;
            for (int n : order) {
                String[] p = parts.get(n);
                String v = p[0];
                boolean ext = !p[1].isEmpty();
                if (ext && first) {
                    // RFC 2231 §4: charset'language'value only in the first section.
                    int q1 = v.indexOf('\'');
                    int q2 = q1 < 0 ? -1 : v.indexOf('\'', q1 + 1);
                    if (q2 >= 0) {
                        Charset named = Charsets.lookup(v.substring(0, q1));
                        if (named != null) cs = named;
                        v = v.substring(q2 + 1);
                    }
                }
                first = false;
                if (ext) {
                    percentDecode(v, pending);
                } else {
                    flush(pending, cs, out);
                    out.append(v);
                }
            }
            flush(pending, cs, out);
            return out.toString();
        }

        private static void flush(ByteArrayOutputStream pending, Charset cs, StringBuilder out) {
            if (pending.size() == 0) return;
            out.append(new String(pending.toByteArray(), cs));
            pending.reset();
        }

        private static void percentDecode(String v, ByteArrayOutputStream out) {
            for (int k = 0; k < v.length(); k++) {
                char c = v.charAt(k);
                if (c == '%' && k + 2 < v.length() && hex(v.charAt(k + 1)) >= 0 && hex(v.charAt(k + 2)) >= 0) {
                    out.write(hex(v.charAt(k + 1)) * 16 + hex(v.charAt(k + 2)));
                    k += 2;
                } else if (c < 0x80) {
                    out.write(c);
                } else {
                    byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                    out.write(b, 0, b.length);
                }
            }
        }
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }
}
