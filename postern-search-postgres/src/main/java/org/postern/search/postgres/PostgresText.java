// SPDX-License-Identifier: Apache-2.0
package org.postern.search.postgres;

import java.util.ArrayList;
import java.util.List;
import org.postern.search.SearchText;

/**
 * How {@link SearchText} is held in PostgreSQL text columns, and how a needle becomes a pattern that
 * matches there exactly where {@link SearchText#matches} does. Pure: strings in, strings out.
 *
 * <p>PostgreSQL text cannot hold U+0000 nor lone surrogates, and {@code fields} uses U+FFFF (before each
 * name) and U+FFFE (between name and value) as delimiters; these five kinds of character are stored as
 * U+FFFD ({@link #clean}). That mapping works character by character, so a needle without them and
 * without U+FFFD matches a cleaned text exactly where it matches the original; a needle with any of them
 * ({@link #exotic}) matches a superset there, which the index confirms against the message itself.
 */
final class PostgresText {
    static final char NAME_MARK = '\uFFFF';
    static final char VALUE_MARK = '\uFFFE';
    static final char REPLACEMENT = '\uFFFD';

    private PostgresText() {}

    /** The cleaned columns of one message, and whether cleaning changed anything. */
    record Row(String head, String body, String fields, boolean replaced) {
        static Row of(SearchText t) {
            boolean replaced = false;
            StringBuilder f = new StringBuilder();
            for (SearchText.Field field : t.fields()) {
                String name = clean(field.name());
                String value = clean(field.value());
                // clean returns its argument when nothing needed replacing
                replaced |= name != field.name() || value != field.value();
                f.append(NAME_MARK).append(name).append(VALUE_MARK).append(value);
            }
            String head = clean(t.head());
            String body = clean(t.body());
            replaced |= head != t.head() || body != t.body();
            return new Row(head, body, f.toString(), replaced);
        }

        /** The text back; characters {@link #clean} replaced stay replaced. */
        SearchText text() {
            List<SearchText.Field> out = new ArrayList<>();
            int i = fields.indexOf(NAME_MARK);
            while (i >= 0) {
                int next = fields.indexOf(NAME_MARK, i + 1);
                String entry = fields.substring(i + 1, next < 0 ? fields.length() : next);
                int v = entry.indexOf(VALUE_MARK);
                if (v >= 0) out.add(new SearchText.Field(entry.substring(0, v), entry.substring(v + 1)));
                i = next;
            }
            return new SearchText(true, head, out, body);
        }
    }

    /** {@code s} with U+0000, U+FFFE, U+FFFF and lone surrogates as U+FFFD; the same string when none occurs. */
    static String clean(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad;
            if (Character.isHighSurrogate(c)) {
                bad = i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
                if (!bad) {
                    if (b != null) b.append(c).append(s.charAt(i + 1));
                    i++;
                    continue;
                }
            } else {
                bad = c == 0 || c == NAME_MARK || c == VALUE_MARK || Character.isLowSurrogate(c);
            }
            if (bad && b == null) b = new StringBuilder(s.length()).append(s, 0, i);
            if (b != null) b.append(bad ? REPLACEMENT : c);
        }
        return b == null ? s : b.toString();
    }

    /** True when the needle holds a character {@link #clean} changes, or U+FFFD: matches must be confirmed. */
    static boolean exotic(String needle) {
        return needle.indexOf(REPLACEMENT) >= 0 || !clean(needle).equals(needle);
    }

    /** A LIKE pattern (with {@code ESCAPE '\'}) matching texts that contain {@code needle}. */
    static String like(String needle) {
        StringBuilder b = new StringBuilder(needle.length() + 8).append('%');
        for (int i = 0; i < needle.length(); i++) {
            char c = needle.charAt(i);
            if (c == '%' || c == '_' || c == '\\') b.append('\\');
            b.append(c);
        }
        return b.append('%').toString();
    }

    /**
     * A PostgreSQL regular expression (ARE, for {@code ~}) matching a {@code fields} column in which some
     * field named {@code name} has a value containing {@code needle}: the name sits between the two marks
     * and the value runs to the next name mark, which no value contains.
     */
    static String fieldPattern(String name, String needle) {
        return NAME_MARK + literal(name) + VALUE_MARK + "[^" + NAME_MARK + "]*" + literal(needle);
    }

    /** {@code s} as a literal inside an ARE: ASCII punctuation escaped (a backslash before a letter or digit would be an escape). */
    static String literal(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80 && !Character.isLetterOrDigit(c)) b.append('\\');
            b.append(c);
        }
        return b.toString();
    }
}
