// SPDX-License-Identifier: Apache-2.0
package org.postern.core;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * RFC 3339 §5.6 date-time (T or t, Z or a numeric offset, optional fraction), the form of RFC 4865's
 * HOLDUNTIL (as erratum 2040 reads it) and of JMAP's envelope parameters.
 */
public final class InternetDateTime {
    /** Longer than any valid date-time with nine fraction digits: refused before the pattern runs. */
    public static final int MAX_LENGTH = 40;
    private static final Pattern SYNTAX = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})");

    private InternetDateTime() {}

    /** The instant, or null when {@code s} is not an RFC 3339 date-time or names no real time. */
    public static Instant parse(String s) {
        if (s == null || s.length() > MAX_LENGTH || !SYNTAX.matcher(s).matches()) return null;
        try {
            return OffsetDateTime.parse(s.toUpperCase(Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
