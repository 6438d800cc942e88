// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

/**
 * RFC 4314 §2.1 rights as strings of letters in canonical order, with the obsolete virtual rights
 * of §2.1.1: "c" stands for "k" and "d" for "x", "t" and "e" (the second reading the RFC allows,
 * Dovecot's too), and both are added when answering whenever one of their members is present.
 */
final class Rights {
    static final String ALL = "lrswipkxtea";
    static final String NONE = "";

    private Rights() {}

    /** The letters of {@code rights} that are real rights, in canonical order, once each. */
    static String canonical(CharSequence rights) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ALL.length(); i++) {
            char r = ALL.charAt(i);
            if (rights.chars().anyMatch(c -> c == r)) sb.append(r);
        }
        return sb.toString();
    }

    /** A client's rights string: lower-case known letters only (RFC 4314 §3.1: anything else is BAD). */
    static String parse(String letters) throws ImapException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            switch (c) {
                case 'c' -> sb.append('k');
                case 'd' -> sb.append("xte");
                default -> {
                    if (ALL.indexOf(c) < 0) throw ImapException.bad("Unsupported right " + (c < 0x21 || c > 0x7e ? "?" : c));
                    sb.append(c);
                }
            }
        }
        return canonical(sb);
    }

    /** For ACL and MYRIGHTS responses: with "c" and "d" added as RFC 4314 §2.1.1 requires. */
    static String wire(String rights) {
        String r = canonical(rights);
        if (r.indexOf('k') >= 0) r += "c";
        if (r.indexOf('x') >= 0 || r.indexOf('t') >= 0 || r.indexOf('e') >= 0) r += "d";
        return r;
    }

    static boolean has(String rights, char right) {
        return rights.indexOf(right) >= 0;
    }

    static String union(String a, String b) {
        return canonical(a + b);
    }

    static String minus(String a, String b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length(); i++) if (b.indexOf(a.charAt(i)) < 0) sb.append(a.charAt(i));
        return sb.toString();
    }
}
