// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

/**
 * The xtext encoding of DSN parameters (RFC 3461 §4): printable ASCII except "+" and "=" as is,
 * anything else as "+" and two upper-case hex digits.
 */
public final class Xtext {
    private Xtext() {}

    /** The decoded text, or null when {@code s} is not valid xtext. */
    public static String decode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length()) return null;
                int hi = hex(s.charAt(i + 1));
                int lo = hex(s.charAt(i + 2));
                if (hi < 0 || lo < 0) return null;
                out.append((char) (hi << 4 | lo));
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return null;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Encodes octets 0-255 of {@code s} (callers pass ASCII or UTF-8 bytes as chars). */
    public static String encode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                out.append(c);
            } else {
                out.append('+').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    // RFC 3461 §4: hexchar = ASCII "+" immediately followed by two upper case hexadecimal digits.
    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
