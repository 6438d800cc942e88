// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Rewrites a header section with raw UTF-8 (RFC 6532) into ASCII for a client that did not send the
 * UTF8 command (RFC 6856 §2), following the simplified downgrade of RFC 6858 §3: an address field
 * becomes an empty group whose display name is the original value as encoded-words; any other field
 * keeps its name and carries its value as encoded-words (RFC 2047 §2, §5). Fields that are ASCII
 * already pass unchanged, folds included.
 *
 * <p>Pure: bytes in, bytes out. The output has CRLF line ends throughout.
 */
public final class HeaderDowngrade {
    /** RFC 5322 §3.6.2, §3.6.3, §3.6.6: the fields whose values are address lists. */
    private static final Set<String> ADDRESS_FIELDS = Set.of("from", "sender", "reply-to", "to", "cc", "bcc",
            "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-bcc");

    /** RFC 2047 §2: an encoded-word is at most 75 characters; 12 are "=?UTF-8?B?" and "?=". */
    private static final int MAX_WORD_OCTETS = 45;

    private HeaderDowngrade() {}

    /** True when {@code header[0..len)} holds a non-ASCII octet, i.e. needs {@link #downgrade}. */
    public static boolean needsDowngrade(byte[] header, int len) {
        for (int i = 0; i < len; i++) if (header[i] < 0) return true;
        return false;
    }

    /**
     * The ASCII form of the header section {@code header[0..len)}: its fields, then the empty line
     * that ends it if the input had one.
     */
    public static byte[] downgrade(byte[] header, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 64);
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        int start = 0;
        while (start < len) {
            int lf = indexOf(header, start, len, (byte) '\n');
            int end = lf < 0 ? len : lf;
            int contentEnd = end > start && header[end - 1] == '\r' ? end - 1 : end;
            int next = lf < 0 ? len : lf + 1;
            if (contentEnd == start) {
                // The empty line: the header section ends here.
                flush(field, out);
                out.writeBytes(new byte[] {'\r', '\n'});
                return out.toByteArray();
            }
            byte first = header[start];
            if ((first == ' ' || first == '\t') && field.size() > 0) {
                field.writeBytes(new byte[] {'\r', '\n'});
            } else {
                flush(field, out);
            }
            field.write(header, start, contentEnd - start);
            start = next;
        }
        flush(field, out);
        return out.toByteArray();
    }

    private static void flush(ByteArrayOutputStream field, ByteArrayOutputStream out) {
        if (field.size() == 0) return;
        byte[] f = field.toByteArray();
        field.reset();
        out.writeBytes(needsDowngrade(f, f.length) ? downgradeField(f) : f);
        out.writeBytes(new byte[] {'\r', '\n'});
    }

    /** One field (folds as CRLF, no final CRLF) to its ASCII form, without the final CRLF. */
    static byte[] downgradeField(byte[] field) {
        int colon = indexOf(field, 0, field.length, (byte) ':');
        String name = colon <= 0 ? null : new String(field, 0, colon, StandardCharsets.ISO_8859_1);
        if (name == null || !isFieldName(name)) {
            // RFC 5322 §2.2: a field name is printable ASCII; this line is not a field. Keep its text
            // readable under a name of our own rather than drop it.
            name = "X-Invalid-Header";
            colon = -1;
        }
        String value = new String(field, colon + 1, field.length - colon - 1, StandardCharsets.UTF_8)
                .replace("\r\n", "").strip();
        StringBuilder b = new StringBuilder(name).append(':');
        // RFC 5322 §2.1.1: lines of at most 78 characters; the first one also holds the name.
        int firstOctets = Math.max(4, (78 - name.length() - 2 - 12) / 4 * 3);
        encodedWords(value, Math.min(firstOctets, MAX_WORD_OCTETS), b);
        // RFC 6858 §3: an address that cannot be expressed in ASCII becomes an empty group; the
        // original survives, readable, as the group's display name.
        if (ADDRESS_FIELDS.contains(name.toLowerCase(Locale.ROOT))) b.append(" :;");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Appends " =?UTF-8?B?...?=" words, each on its own folded line, never splitting a character. */
    private static void encodedWords(String value, int firstOctets, StringBuilder b) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        int i = 0;
        boolean first = true;
        if (utf8.length == 0) return;
        while (i < utf8.length) {
            int end = Math.min(utf8.length, i + (first ? firstOctets : MAX_WORD_OCTETS));
            // RFC 2047 §5: each encoded-word holds whole characters; step back off a continuation octet.
            while (end < utf8.length && end > i + 1 && (utf8[end] & 0xC0) == 0x80) end--;
            if (!first) b.append("\r\n");
            b.append(" =?UTF-8?B?");
            b.append(Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(utf8, i, end)));
            b.append("?=");
            first = false;
            i = end;
        }
    }

    private static boolean isFieldName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126) return false;
        }
        return true;
    }

    private static int indexOf(byte[] b, int from, int to, byte x) {
        for (int i = from; i < to; i++) if (b[i] == x) return i;
        return -1;
    }
}
