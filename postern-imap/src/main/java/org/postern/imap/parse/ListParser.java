// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * LIST in its basic (RFC 3501 §6.3.8) and extended form (RFC 5258 §6 grammar): selection options
 * before the reference, one pattern or a parenthesised list of them, and RETURN options (RFC 5258
 * §3.2, RFC 6154 §5.1, RFC 5819 STATUS). Unknown options are a syntax error (RFC 5258 §3.1).
 */
final class ListParser {
    private static final int MAX_PATTERNS = 20;

    private ListParser() {}

    static Command.ListMailboxes list(Tokens t) throws ParseException {
        t.sp();
        boolean extended = false;
        boolean subscribed = false;
        boolean remote = false;
        boolean recursive = false;
        boolean specialUse = false;
        if (t.accept('(')) {
            extended = true;
            while (!t.peekIs(')')) {
                if (subscribed || remote || recursive || specialUse) t.sp();
                String o = t.keyword();
                switch (o) {
                    case "SUBSCRIBED" -> subscribed = true;
                    case "REMOTE" -> remote = true;
                    case "RECURSIVEMATCH" -> recursive = true;
                    case "SPECIAL-USE" -> specialUse = true;
                    default -> throw new ParseException("Unknown LIST selection option " + o);
                }
            }
            t.expect(')');
            // RFC 5258 §3.1: RECURSIVEMATCH alone is an error; it only modifies another option.
            if (recursive && !subscribed && !specialUse) throw new ParseException("RECURSIVEMATCH needs another option");
            t.sp();
        }
        String ref = CommandParser.decodeName(t.astring(), false, t.utf8Names);
        t.sp();
        List<String> patterns = new ArrayList<>();
        if (t.accept('(')) {
            extended = true;
            do {
                patterns.add(CommandParser.decodeName(t.listMailbox(), false, t.utf8Names));
                if (patterns.size() > MAX_PATTERNS) throw new ParseException("Too many patterns");
            } while (t.accept(' '));
            t.expect(')');
        } else {
            patterns.add(CommandParser.decodeName(t.listMailbox(), false, t.utf8Names));
        }
        boolean retChildren = false;
        boolean retSubscribed = false;
        boolean retSpecialUse = false;
        List<String> status = List.of();
        if (t.accept(' ')) {
            if (!t.acceptWord("RETURN")) throw new ParseException("Expected RETURN");
            extended = true;
            t.sp();
            t.expect('(');
            boolean first = true;
            while (!t.peekIs(')')) {
                if (!first) t.sp();
                first = false;
                String o = t.keyword();
                switch (o) {
                    case "CHILDREN" -> retChildren = true;
                    case "SUBSCRIBED" -> retSubscribed = true;
                    case "SPECIAL-USE" -> retSpecialUse = true;
                    case "STATUS" -> {
                        t.sp();
                        status = CommandParser.statusItems(t);
                    }
                    default -> throw new ParseException("Unknown LIST return option " + o);
                }
            }
            t.expect(')');
        }
        Command.ListOptions options = extended
                ? new Command.ListOptions(subscribed, remote, recursive, specialUse, retChildren, retSubscribed,
                        retSpecialUse, status)
                : null;
        return new Command.ListMailboxes(ref, patterns, false, options);
    }
}
