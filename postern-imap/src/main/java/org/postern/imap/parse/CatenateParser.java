// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.postern.imap.codec.ModifiedUtf7;

/**
 * An APPEND read whole because it uses CATENATE (RFC 4469 §5): messages of plain literals or of
 * CATENATE parts (TEXT literals and URLs), several of them with MULTIAPPEND (RFC 3502); and the IMAP
 * URLs those parts name (RFC 5092 §6, only what addresses a message or part of the user's own
 * mailboxes: [imap://authority] "/" mailbox [";UIDVALIDITY=" n] "/;UID=" n ["/;SECTION=" s]
 * ["/;PARTIAL=" a ["." b]], or "/;UID=..." relative to the selected mailbox).
 */
public final class CatenateParser {
    static final int MAX_PARTS = 100;
    static final int MAX_MESSAGES = 100;

    private CatenateParser() {}

    static Command.Catenate append(Tokens t) throws ParseException {
        t.sp();
        String mailbox = CommandParser.mailbox(t);
        List<Command.CatenateMessage> messages = new ArrayList<>();
        do {
            t.sp();
            List<String> flags = List.of();
            if (t.peekIs('(')) {
                flags = CommandParser.flagList(t);
                t.sp();
            }
            OffsetDateTime date = null;
            if (t.peekIs('"')) {
                date = CommandParser.dateTime(t);
                t.sp();
            }
            List<Command.CatPart> parts = new ArrayList<>();
            if (t.acceptWord("CATENATE")) {
                t.sp();
                t.expect('(');
                do {
                    if (t.acceptWord("TEXT")) {
                        t.sp();
                        t.accept('~');
                        parts.add(new Command.CatPart.Text(t.literal()));
                    } else if (t.acceptWord("URL")) {
                        t.sp();
                        parts.add(new Command.CatPart.Url(t.astring()));
                    } else {
                        throw new ParseException("Expected TEXT or URL");
                    }
                    if (parts.size() > MAX_PARTS) throw new ParseException("Too many CATENATE parts");
                } while (t.accept(' '));
                t.expect(')');
            } else {
                t.accept('~');
                parts.add(new Command.CatPart.Text(t.literal()));
            }
            messages.add(new Command.CatenateMessage(flags, date, parts));
            if (messages.size() > MAX_MESSAGES) throw new ParseException("Too many messages");
        } while (t.peekIs(' '));
        return new Command.Catenate(mailbox, messages);
    }

    /** An IMAP URL naming a message or a part of one; {@code mailbox} null means the selected one. */
    public record ImapUrl(String mailbox, long uidValidity, long uid, FetchItem.Section section, long partialStart,
            long partialLength) {}

    public static ImapUrl url(String url) throws ParseException {
        String s = url;
        if (s.regionMatches(true, 0, "imap://", 0, 7)) {
            int slash = s.indexOf('/', 7);
            if (slash < 0) throw new ParseException("URL names no message");
            s = s.substring(slash);
        }
        if (!s.startsWith("/")) throw new ParseException("Not an IMAP URL");
        String mailbox = null;
        long uidValidity = -1;
        int uidAt = s.indexOf("/;UID=");
        if (uidAt < 0) uidAt = indexOfIgnoreCase(s, "/;UID=");
        if (uidAt < 0) throw new ParseException("URL names no message");
        if (uidAt > 0) {
            String box = s.substring(1, uidAt);
            int v = indexOfIgnoreCase(box, ";UIDVALIDITY=");
            if (v >= 0) {
                uidValidity = number(box.substring(v + 13));
                box = box.substring(0, v);
            }
            mailbox = box.equalsIgnoreCase("INBOX") ? "INBOX"
                    : ModifiedUtf7.decode(percentDecode(box)).orElseThrow(() -> new ParseException("Bad mailbox in URL"));
        }
        String rest = s.substring(uidAt + 6);
        String[] fields = rest.split("/;", -1);
        long uid = number(fields[0]);
        if (uid == 0) throw new ParseException("UID 0");
        FetchItem.Section section = null;
        long start = -1;
        long length = -1;
        for (int i = 1; i < fields.length; i++) {
            String f = fields[i];
            if (f.regionMatches(true, 0, "SECTION=", 0, 8)) {
                section = CommandParser.section(percentDecode(f.substring(8)));
            } else if (f.regionMatches(true, 0, "PARTIAL=", 0, 8)) {
                String p = f.substring(8);
                int dot = p.indexOf('.');
                start = number(dot < 0 ? p : p.substring(0, dot));
                if (dot >= 0) length = number(p.substring(dot + 1));
            } else {
                throw new ParseException("Unsupported URL part");
            }
        }
        return new ImapUrl(mailbox, uidValidity, uid, section, start, length);
    }

    private static int indexOfIgnoreCase(String s, String needle) {
        for (int i = 0; i + needle.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, needle, 0, needle.length())) return i;
        }
        return -1;
    }

    private static long number(String s) throws ParseException {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) throw new ParseException("Bad number in URL");
        long n = Long.parseLong(s);
        if (n > SequenceSet.MAX) throw new ParseException("Bad number in URL");
        return n;
    }

    /** RFC 5092 §6: %XX escapes in URL components. */
    static String percentDecode(String s) throws ParseException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new ParseException("Bad % escape in URL");
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw new ParseException("Bad % escape in URL");
                out.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                throw new ParseException("Non-ASCII in URL");
            }
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }
}
