// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.util.List;

/** A FETCH data item (RFC 3501 §6.4.5). Macros ALL, FAST and FULL are expanded by the parser. */
public sealed interface FetchItem {
    enum Kind {
        FLAGS, INTERNALDATE, RFC822_SIZE, ENVELOPE, BODY, BODYSTRUCTURE, UID, RFC822, RFC822_HEADER, RFC822_TEXT,
        /** RFC 7162 §3.1.4. */
        MODSEQ,
        /** RFC 8514 §4.1. */
        SAVEDATE,
        /** RFC 8474 §5. */
        EMAILID, THREADID,
        /** RFC 8970 §3; PREVIEW (LAZY) is the same here, the preview is always computed. */
        PREVIEW
    }

    record Simple(Kind kind) implements FetchItem {}

    /**
     * BODY[section]&lt;partial&gt; or BODY.PEEK[...]; {@code partialStart} is -1 when there is no
     * partial, and {@code partialLength} is then ignored.
     */
    record BodySection(Section section, boolean peek, long partialStart, long partialLength) implements FetchItem {}

    /**
     * BINARY[part]&lt;partial&gt;, BINARY.PEEK[...] or BINARY.SIZE[part] ({@code sizeOnly}) of RFC 3516
     * / RFC 9051 §6.4.5: the part's content with its transfer encoding removed.
     */
    record Binary(List<Integer> part, boolean peek, boolean sizeOnly, long partialStart, long partialLength)
            implements FetchItem {
        public Binary {
            part = List.copyOf(part);
        }

        public String wire() {
            StringBuilder sb = new StringBuilder();
            for (int p : part) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(p);
            }
            return sb.toString();
        }
    }

    /** The section-spec (RFC 3501 §6.4.5): part numbers, then an optional text part. */
    record Section(List<Integer> part, Spec spec, List<String> fields) {
        public enum Spec { NONE, HEADER, HEADER_FIELDS, HEADER_FIELDS_NOT, TEXT, MIME }

        public Section {
            part = List.copyOf(part);
            fields = List.copyOf(fields);
        }

        public static final Section WHOLE = new Section(List.of(), Spec.NONE, List.of());

        /** The section as it is echoed in the FETCH response, e.g. "1.2.HEADER.FIELDS (FROM TO)". */
        public String wire() {
            StringBuilder sb = new StringBuilder();
            for (int p : part) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(p);
            }
            if (spec != Spec.NONE) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(switch (spec) {
                    case HEADER -> "HEADER";
                    case HEADER_FIELDS -> "HEADER.FIELDS";
                    case HEADER_FIELDS_NOT -> "HEADER.FIELDS.NOT";
                    case TEXT -> "TEXT";
                    case MIME -> "MIME";
                    case NONE -> "";
                });
                if (spec == Spec.HEADER_FIELDS || spec == Spec.HEADER_FIELDS_NOT) {
                    sb.append(" (").append(String.join(" ", fields)).append(')');
                }
            }
            return sb.toString();
        }
    }
}
