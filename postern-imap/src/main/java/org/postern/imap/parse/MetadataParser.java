// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** GETMETADATA and SETMETADATA (RFC 5464 §5). Invalid entry names are BAD (§3.2). */
final class MetadataParser {
    /** Entry names longer than this are refused (the RFC sets no bound; a line does). */
    static final int MAX_ENTRY_NAME = 1024;
    /** Entries per command. */
    static final int MAX_ENTRIES = 100;

    private MetadataParser() {}

    /** getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries */
    static Command getMetadata(Tokens t) throws ParseException {
        t.sp();
        long[] options = {-1, 0};
        if (t.peekIs('(')) {
            options(t, options);
            t.sp();
        }
        String mailbox = CommandParser.mailbox(t);
        t.sp();
        // RFC 5464's examples put the options after the mailbox, its ABNF before: both are accepted.
        if (t.lookingAt("(M") || t.lookingAt("(D")) {
            options(t, options);
            t.sp();
        }
        List<String> entries = new ArrayList<>();
        if (t.accept('(')) {
            do {
                add(entries, entry(t));
            } while (t.accept(' '));
            t.expect(')');
        } else {
            // The grammar says one entry or a list; RFC 5464 §4.4.1's example sends several bare ones.
            do {
                add(entries, entry(t));
            } while (t.accept(' '));
        }
        return new Command.GetMetadata(mailbox, entries, options[0], (int) options[1]);
    }

    /** getmetadata-options: MAXSIZE number / DEPTH ("0" / "1" / "infinity"), each at most once. */
    private static void options(Tokens t, long[] options) throws ParseException {
        t.expect('(');
        boolean sawMax = false;
        boolean sawDepth = false;
        do {
            String option = t.keyword();
            t.sp();
            switch (option) {
                case "MAXSIZE" -> {
                    if (sawMax) throw new ParseException("MAXSIZE given twice");
                    sawMax = true;
                    options[0] = t.number();
                }
                case "DEPTH" -> {
                    if (sawDepth) throw new ParseException("DEPTH given twice");
                    sawDepth = true;
                    options[1] = switch (t.atom().toLowerCase(Locale.ROOT)) {
                        case "0" -> 0;
                        case "1" -> 1;
                        case "infinity" -> -1;
                        default -> throw new ParseException("DEPTH must be 0, 1 or infinity");
                    };
                }
                default -> throw new ParseException("Unknown GETMETADATA option");
            }
        } while (t.accept(' '));
        t.expect(')');
    }

    private static void add(List<String> entries, String entry) throws ParseException {
        if (entries.size() >= MAX_ENTRIES) throw new ParseException("Too many entries");
        if (!entries.contains(entry)) entries.add(entry);
    }

    /** setmetadata = "SETMETADATA" SP mailbox SP entry-values; value = nstring / literal8 */
    static Command setMetadata(Tokens t) throws ParseException {
        t.sp();
        String mailbox = CommandParser.mailbox(t);
        t.sp();
        t.expect('(');
        Map<String, byte[]> values = new LinkedHashMap<>();
        do {
            String entry = entry(t);
            t.sp();
            byte[] value;
            if (t.peekIs('~')) {
                value = t.literal8();
            } else if (t.peekIs('{')) {
                value = t.literal();
            } else {
                String v = t.nstring();
                value = v == null ? null : v.getBytes(StandardCharsets.UTF_8);
            }
            if (values.containsKey(entry)) throw new ParseException("Entry given twice");
            values.put(entry, value);
            if (values.size() > MAX_ENTRIES) throw new ParseException("Too many entries");
        } while (t.accept(' '));
        t.expect(')');
        return new Command.SetMetadata(mailbox, values);
    }

    /**
     * RFC 5464 §3.2: starts with /private/ or /shared/, at least two components, no "//", no
     * trailing "/", no "*" or "%", ASCII without controls. Returned lower-case.
     */
    static String entry(Tokens t) throws ParseException {
        String e = t.astring();
        if (e.length() > MAX_ENTRY_NAME) throw new ParseException("Entry name too long");
        String lower = e.toLowerCase(Locale.ROOT);
        boolean scoped = (lower.startsWith("/private/") && lower.length() > 9) || (lower.startsWith("/shared/") && lower.length() > 8);
        if (!scoped || lower.contains("//") || lower.endsWith("/")) throw new ParseException("Invalid entry name");
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '*' || c == '%') throw new ParseException("Invalid entry name");
        }
        return lower;
    }
}
