// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.codec;

import java.util.Optional;

/**
 * Mailbox names on the wire (RFC 3501 §5.1.3): printable US-ASCII stands for itself, "&" is "&-",
 * everything else is UTF-16 in base64 with "," for "/" between "&" and "-". Decoding is strict, so a
 * name has exactly one wire form: an encoded run that decodes to printable ASCII, two adjacent runs,
 * non-zero padding bits, unpaired surrogates or raw 8-bit/control bytes are all refused.
 */
public final class ModifiedUtf7 {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    private ModifiedUtf7() {}

    public static String encode(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        int i = 0;
        while (i < name.length()) {
            char c = name.charAt(i);
            if (c == '&') {
                out.append("&-");
                i++;
            } else if (c >= 0x20 && c <= 0x7e) {
                out.append(c);
                i++;
            } else {
                int j = i;
                while (j < name.length() && (name.charAt(j) < 0x20 || name.charAt(j) > 0x7e)) j++;
                out.append('&');
                int bits = 0;
                int nbits = 0;
                for (int k = i; k < j; k++) {
                    bits = (bits << 16) | name.charAt(k);
                    nbits += 16;
                    while (nbits >= 6) {
                        nbits -= 6;
                        out.append(ALPHABET.charAt((bits >>> nbits) & 0x3f));
                    }
                    bits &= (1 << nbits) - 1;
                }
                if (nbits > 0) out.append(ALPHABET.charAt((bits << (6 - nbits)) & 0x3f));
                out.append('-');
                i = j;
            }
        }
        return out.toString();
    }

    /** The UTF-8 name, or empty when {@code wire} is not valid modified UTF-7. */
    public static Optional<String> decode(String wire) {
        StringBuilder out = new StringBuilder(wire.length());
        int i = 0;
        boolean lastWasEncoded = false;
        while (i < wire.length()) {
            char c = wire.charAt(i);
            if (c < 0x20 || c > 0x7e) return Optional.empty();
            if (c != '&') {
                out.append(c);
                i++;
                lastWasEncoded = false;
                continue;
            }
            int end = wire.indexOf('-', i + 1);
            if (end < 0) return Optional.empty();
            if (end == i + 1) {
                out.append('&');
                i = end + 1;
                lastWasEncoded = false;
                continue;
            }
            if (lastWasEncoded) return Optional.empty();
            int bits = 0;
            int nbits = 0;
            int start = out.length();
            for (int k = i + 1; k < end; k++) {
                int v = ALPHABET.indexOf(wire.charAt(k));
                if (v < 0) return Optional.empty();
                bits = (bits << 6) | v;
                nbits += 6;
                if (nbits >= 16) {
                    nbits -= 16;
                    char u = (char) ((bits >>> nbits) & 0xffff);
                    bits &= (1 << nbits) - 1;
                    if (u >= 0x20 && u <= 0x7e) return Optional.empty();
                    out.append(u);
                }
            }
            // RFC 3501 §5.1.3 / RFC 2152: leftover bits are padding, fewer than 6 and zero.
            if (nbits >= 6 || bits != 0 || out.length() == start) return Optional.empty();
            if (!validSurrogates(out, start)) return Optional.empty();
            i = end + 1;
            lastWasEncoded = true;
        }
        return Optional.of(out.toString());
    }

    private static boolean validSurrogates(CharSequence s, int from) {
        for (int k = from; k < s.length(); k++) {
            char c = s.charAt(k);
            if (Character.isHighSurrogate(c)) {
                if (k + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(k + 1))) return false;
                k++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
