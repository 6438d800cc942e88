// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A message's header section split into fields (RFC 5322 §2.2), each kept exactly as received so
 * DKIM's "simple" canonicalization can hash the original octets. Text is held as ISO-8859-1, one
 * char per octet, so nothing is lost or re-encoded. Pure.
 *
 * @param truncated more fields than {@link #MAX_FIELDS} were present; the rest are not in {@code fields}
 */
public record HeaderSection(List<Field> fields, boolean truncated) {
    public static final int MAX_FIELDS = 1000;

    public HeaderSection {
        fields = List.copyOf(fields);
    }

    /**
     * One field: {@code raw} is "Name: value" with its folding and final CRLF, octet for octet.
     */
    public record Field(String name, String raw) {
        /** The part after the colon, unfolded (CRLF removed, RFC 5322 §2.2.3). */
        public String value() {
            int colon = raw.indexOf(':');
            return raw.substring(colon + 1).replace("\r\n", "").replace("\n", "");
        }

        public boolean is(String fieldName) {
            return name.equalsIgnoreCase(fieldName);
        }

        public byte[] bytes() {
            return raw.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** Splits the header block (up to, not including, the empty line). Lines without a colon are dropped. */
    public static HeaderSection parse(byte[] block) {
        String text = new String(block, StandardCharsets.ISO_8859_1);
        List<Field> out = new ArrayList<>();
        int pos = 0;
        boolean truncated = false;
        while (pos < text.length()) {
            if (text.startsWith("\r\n", pos) || text.charAt(pos) == '\n') break; // the empty line ends the section
            int end = lineEnd(text, pos);
            // continuation lines start with WSP (RFC 5322 §2.2.3)
            int fieldEnd = end;
            while (fieldEnd < text.length() && (text.charAt(fieldEnd) == ' ' || text.charAt(fieldEnd) == '\t')) {
                fieldEnd = lineEnd(text, fieldEnd);
            }
            String raw = text.substring(pos, fieldEnd);
            int colon = raw.indexOf(':');
            if (colon > 0) {
                if (out.size() >= MAX_FIELDS) {
                    truncated = true;
                    break;
                }
                out.add(new Field(raw.substring(0, colon).strip(), raw));
            }
            pos = fieldEnd;
        }
        return new HeaderSection(out, truncated);
    }

    /** Position after the line starting at {@code from} (after its LF), or the text's end. */
    private static int lineEnd(String text, int from) {
        int lf = text.indexOf('\n', from);
        return lf < 0 ? text.length() : lf + 1;
    }

    public List<Field> all(String name) {
        return fields.stream().filter(f -> f.is(name)).toList();
    }

    /** The fields again as one block, with the CRLF that ends every field. */
    public byte[] toBytes() {
        StringBuilder sb = new StringBuilder();
        for (Field f : fields) sb.append(f.raw());
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A copy without the fields {@code drop} rejects. */
    public HeaderSection without(java.util.function.Predicate<Field> drop) {
        return new HeaderSection(fields.stream().filter(drop.negate()).toList(), truncated);
    }
}
