// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.time.DateTimeException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses an RFC 5322 §3.3 date-time, tolerating the obsolete forms of §4.3 (two- and three-digit
 * years, alphabetic and military zones, comments and white space anywhere) and what real mail writes:
 * missing seconds, missing day of week, full month names, dashes between date fields, asctime order,
 * a missing zone (taken as UTC). The day of week is not checked. Empty when no date can be read.
 */
public final class DateParser {
    /** Longer values are cut: a date needs a few dozen characters, comments included. */
    static final int MAX_LENGTH = 256;
    private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";

    private DateParser() {}

    public static Optional<ZonedDateTime> parse(String rfc5322Date) {
        if (rfc5322Date == null) return Optional.empty();
        String s = rfc5322Date.length() > MAX_LENGTH ? rfc5322Date.substring(0, MAX_LENGTH) : rfc5322Date;
        int day = -1;
        int month = -1;
        int year = -1;
        int hour = -1;
        int minute = -1;
        int second = 0;
        int offsetMinutes = Integer.MIN_VALUE;
        for (String tok : tokens(s)) {
            char c0 = tok.charAt(0);
            if (tok.indexOf(':') > 0) {
                if (hour >= 0) continue;
                String[] hms = tok.split(":", -1);
                if (hms.length < 2 || hms.length > 3) return Optional.empty();
                hour = number(hms[0], 2);
                minute = number(hms[1], 2);
                if (hms.length == 3) second = number(hms[2], 2);
                if (hour < 0 || minute < 0 || second < 0) return Optional.empty();
            } else if ((c0 == '+' || c0 == '-') && tok.length() == 5 && number(tok.substring(1), 4) >= 0) {
                int v = number(tok.substring(1), 4);
                int m = v / 100 * 60 + v % 100;
                if (v % 100 > 59) return Optional.empty();
                offsetMinutes = c0 == '-' ? -m : m;
            } else if (c0 >= '0' && c0 <= '9') {
                int v = number(tok, 4);
                if (v < 0) return Optional.empty();
                if (tok.length() >= 3 || v > 31) {
                    if (year < 0) year = fullYear(v, tok.length());
                } else if (day < 0) {
                    day = v;
                } else if (year < 0) {
                    year = fullYear(v, tok.length());
                }
            } else {
                String w = tok.toLowerCase(Locale.ROOT);
                int m = w.length() >= 3 ? MONTHS.indexOf(w.substring(0, 3)) : -1;
                if (month < 0 && m >= 0 && m % 3 == 0 && monthName(w, m / 3)) {
                    month = m / 3 + 1;
                } else if (offsetMinutes == Integer.MIN_VALUE) {
                    Integer z = zone(w);
                    if (z != null) offsetMinutes = z;
                }
            }
        }
        if (day < 0 || month < 0 || year < 0 || hour < 0) return Optional.empty();
        // A leap second cannot be represented; the second before it is close enough for sorting.
        if (second == 60) second = 59;
        if (offsetMinutes == Integer.MIN_VALUE || Math.abs(offsetMinutes) > 18 * 60) offsetMinutes = 0;
        try {
            return Optional.of(ZonedDateTime.of(year, month, day, hour, minute, second, 0,
                    ZoneOffset.ofTotalSeconds(offsetMinutes * 60)));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    private static boolean monthName(String w, int index) {
        // "mar", "march", "mar." but not "marmalade".
        String[] full = {"january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december"};
        String t = w.endsWith(".") ? w.substring(0, w.length() - 1) : w;
        return t.length() == 3 || full[index].equals(t) || (index == 8 && t.equals("sept"));
    }

    /** RFC 5322 §4.3: two-digit years below 50 are 20xx, other two- and three-digit years add 1900. */
    private static int fullYear(int v, int digits) {
        if (digits <= 2) return v < 50 ? 2000 + v : 1900 + v;
        if (digits == 3) return 1900 + v;
        return v;
    }

    private static int number(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits) return -1;
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Zone names of RFC 5322 §4.3; military letters count as -0000 since their sign was botched. */
    private static Integer zone(String w) {
        return switch (w) {
            case "ut", "utc", "gmt", "z" -> 0;
            case "edt" -> -4 * 60;
            case "est", "cdt" -> -5 * 60;
            case "cst", "mdt" -> -6 * 60;
            case "mst", "pdt" -> -7 * 60;
            case "pst" -> -8 * 60;
            default -> w.length() == 1 && w.charAt(0) >= 'a' && w.charAt(0) <= 'z' && w.charAt(0) != 'j' ? 0 : null;
        };
    }

    /** Splits on white space, commas and date dashes; drops comments (nesting counted). */
    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < s.length() && out.size() < 32; i++) {
            char c = s.charAt(i);
            if (depth > 0) {
                if (c == '\\') i++;
                else if (c == '(') depth++;
                else if (c == ')') depth--;
                continue;
            }
            boolean dateDash = c == '-' && cur.length() > 0 && cur.indexOf(":") < 0;
            if (c == '(' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || dateDash) {
                if (cur.length() > 0) out.add(cur.toString());
                cur.setLength(0);
                if (c == '(') depth = 1;
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0 && depth == 0) out.add(cur.toString());
        return out;
    }
}
