// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses an address-list header value (From, To, Cc, Reply-To, ...) per RFC 5322 §3.4, tolerating
 * the obsolete forms of §4.4 (CFWS inside local parts, source routes in angle brackets, empty list
 * elements) and common breakage (unterminated quotes and brackets, missing domain, stray specials).
 *
 * <p>Two linear passes: a tokenizer and a loop over the tokens; comments nest by counting. At most
 * {@value #MAX_ADDRESSES} entries are returned (HOSTILE A33, Dovecot CVE-2024-23184). Display names
 * are RFC 2047 decoded, quoted or not (many mailers quote encoded words).
 */
public final class AddressParser {
    public static final int MAX_ADDRESSES = 10_000;

    private static final byte WORD = 0;
    private static final byte QUOTED = 1;
    private static final byte COMMENT = 2;
    private static final byte LITERAL = 3;
    private static final byte SPECIAL = 4;

    private AddressParser() {}

    /** RFC 5322 §3.2.3 atext, with RFC 6532 UTF-8 allowed. */
    static boolean isAtext(char c) {
        return c >= 0x80 || (c > 32 && c < 127 && "()<>[]:;@\\,.\"".indexOf(c) < 0);
    }

    private record Tok(byte kind, String text, boolean spaceBefore) {
        boolean is(char c) {
            return kind == SPECIAL && text.charAt(0) == c;
        }
    }

    public static List<Address> parseList(String headerValue) {
        if (headerValue == null) return List.of();
        List<Tok> toks = tokenize(headerValue);
        List<Address> out = new ArrayList<>();
        String group = null;
        int i = 0;
        int n = toks.size();
        while (i < n && out.size() < MAX_ADDRESSES) {
            List<Tok> bare = new ArrayList<>();
            List<Tok> angle = new ArrayList<>();
            boolean sawAngle = false;
            boolean sawAt = false;
            boolean endsGroup = false;
            String comment = null;
            while (i < n) {
                Tok t = toks.get(i++);
                if (t.kind() == COMMENT) {
                    comment = t.text();
                    continue;
                }
                if (t.is(',')) break;
                if (t.is(';')) {
                    endsGroup = group != null;
                    break;
                }
                if (t.is('<') && !sawAngle) {
                    sawAngle = true;
                    // Inside angle brackets ',' and ':' belong to an obsolete route (RFC 5322 §4.4).
                    while (i < n && !toks.get(i).is('>')) {
                        Tok a = toks.get(i++);
                        if (a.kind() != COMMENT) angle.add(a);
                    }
                    i++;
                    continue;
                }
                if (t.is(':') && !sawAngle && !sawAt && group == null) {
                    String name = phrase(bare);
                    if (!name.isEmpty()) {
                        group = name;
                        out.add(Address.groupStart(name));
                        bare.clear();
                        comment = null;
                    }
                    continue;
                }
                if (t.is('@')) sawAt = true;
                if (!sawAngle) bare.add(t);
            }
            Address a = sawAngle ? mailbox(angle, phrase(bare), comment) : mailbox(bare, "", comment);
            if (a != null && out.size() < MAX_ADDRESSES) out.add(a);
            if (endsGroup) {
                if (out.size() < MAX_ADDRESSES) out.add(Address.groupEnd());
                group = null;
            }
        }
        if (group != null && out.size() < MAX_ADDRESSES) out.add(Address.groupEnd());
        return List.copyOf(out);
    }

    /** An addr-spec from tokens; a source route before the last ':' is dropped (RFC 5322 §4.4). */
    private static Address mailbox(List<Tok> spec, String displayName, String comment) {
        int from = 0;
        for (int k = spec.size() - 1; k >= 0; k--) {
            if (spec.get(k).is(':')) {
                from = k + 1;
                break;
            }
        }
        int at = -1;
        for (int k = from; k < spec.size(); k++) {
            if (spec.get(k).is('@')) {
                at = k;
                break;
            }
        }
        String local = join(spec, from, at < 0 ? spec.size() : at);
        String domain = at < 0 ? null : join(spec, at + 1, spec.size());
        if (domain != null && domain.isEmpty()) domain = null;
        if (local.isEmpty() && domain == null) return null;
        String name = displayName.isEmpty() && comment != null ? EncodedWords.decode(comment).strip() : displayName;
        return Address.mailbox(name.isEmpty() ? null : name, local, domain);
    }

    private static String join(List<Tok> toks, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int k = from; k < to; k++) sb.append(toks.get(k).text());
        return sb.toString();
    }

    /** Words joined as written (one space where there was white space), then RFC 2047 decoded. */
    private static String phrase(List<Tok> words) {
        StringBuilder sb = new StringBuilder();
        for (Tok t : words) {
            if (sb.length() > 0 && t.spaceBefore()) sb.append(' ');
            sb.append(t.text());
        }
        return EncodedWords.decode(sb.toString()).strip();
    }

    private static List<Tok> tokenize(String s) {
        List<Tok> toks = new ArrayList<>();
        boolean space = false;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                space = true;
                i++;
                continue;
            }
            StringBuilder sb = new StringBuilder();
            byte kind;
            if (c == '"') {
                kind = QUOTED;
                i++;
                while (i < n) {
                    char d = s.charAt(i++);
                    if (d == '"') break;
                    if (d == '\\' && i < n) d = s.charAt(i++);
                    if (d != '\r' && d != '\n') sb.append(d);
                }
            } else if (c == '(') {
                kind = COMMENT;
                int depth = 0;
                while (i < n) {
                    char d = s.charAt(i++);
                    if (d == '\\' && i < n) {
                        sb.append(s.charAt(i++));
                        continue;
                    }
                    if (d == '(' && depth++ == 0) continue;
                    if (d == ')' && --depth == 0) break;
                    if (d != '\r' && d != '\n') sb.append(d);
                }
            } else if (c == '[') {
                kind = LITERAL;
                while (i < n) {
                    char d = s.charAt(i++);
                    if (d != '\r' && d != '\n' && d != ' ' && d != '\t') sb.append(d);
                    if (d == ']') break;
                }
            } else if ("<>@,:;".indexOf(c) >= 0) {
                kind = SPECIAL;
                sb.append(c);
                i++;
            } else if (c == ')') {
                i++;
                continue;
            } else {
                kind = WORD;
                while (i < n) {
                    char d = s.charAt(i);
                    if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || "\"(<>@,:;[)".indexOf(d) >= 0) break;
                    sb.append(d);
                    i++;
                }
            }
            toks.add(new Tok(kind, sb.toString(), space));
            space = false;
        }
        return toks;
    }
}
