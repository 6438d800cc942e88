// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.util.Locale;

/**
 * One text criterion of a search, with its needle already case-folded (RFC 9051 §6.4.4: "case-insensitive
 * substring"). BODY, TEXT and HEADER (FROM, TO, CC, BCC, SUBJECT are HEADER of that field).
 */
public sealed interface TextQuery {
    String needle();

    record Body(String needle) implements TextQuery {
        public Body {
            needle = SearchText.fold(needle);
        }
    }

    /** Header block or body (RFC 9051 §6.4.4 TEXT). */
    record Text(String needle) implements TextQuery {
        public Text {
            needle = SearchText.fold(needle);
        }
    }

    /** A field's decoded value contains the needle; an empty needle matches any message with the field. */
    record Header(String field, String needle) implements TextQuery {
        public Header {
            field = field.toLowerCase(Locale.ROOT);
            needle = SearchText.fold(needle);
        }
    }
}
