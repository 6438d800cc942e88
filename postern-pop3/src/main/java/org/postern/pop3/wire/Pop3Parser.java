// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Parses one POP3 command line (without its CRLF). Pure: no state, no I/O.
 *
 * <p>RFC 1939 §3: a keyword of three or four characters, case-insensitive, then arguments separated
 * by single spaces. RFC 2449 §4: at most 255 octets including CRLF. Command names are ASCII; the
 * arguments of USER and PASS may be UTF-8 (RFC 6856 §2, "UTF8 USER").
 */
public final class Pop3Parser {
    /** RFC 2449 §4: 255 octets including CRLF. */
    public static final int MAX_LINE = 253;

    /**
     * A SASL response line (RFC 5034 §4) may be longer than a command: the client must send long
     * initial responses this way. Bounded still, so memory stays bounded.
     */
    public static final int MAX_SASL_LINE = 16 * 1024;

    /** Message numbers are positions in a maildrop, so they fit an int; TOP's line count a long. */
    private static final int MAX_MSG_DIGITS = 10;
    private static final int MAX_LINES_DIGITS = 18;

    private Pop3Parser() {}

    public static Pop3Command parse(byte[] line) {
        if (line.length > MAX_LINE) return new Pop3Command.Invalid("Command line too long");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line)).toString();
        } catch (CharacterCodingException e) {
            return new Pop3Command.Invalid("Invalid UTF-8 in command");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) return new Pop3Command.Invalid("Invalid characters in command");
        }
        int sp = text.indexOf(' ');
        String keyword = (sp < 0 ? text : text.substring(0, sp)).toUpperCase(Locale.ROOT);
        String rest = sp < 0 ? null : text.substring(sp + 1);
        if (keyword.equals("PASS")) {
            // RFC 1939 §7: PASS has exactly one argument, so spaces belong to the password.
            if (rest == null || rest.isEmpty()) return new Pop3Command.Invalid("PASS needs a password");
            return new Pop3Command.Pass(rest);
        }
        String[] args = arguments(rest);
        if (args == null) return new Pop3Command.Invalid("Syntax error: arguments are separated by one space");
        return switch (keyword) {
            case "USER" -> args.length == 1 ? new Pop3Command.User(args[0]) : invalid("USER needs one argument");
            case "AUTH" -> switch (args.length) {
                case 0 -> new Pop3Command.AuthList();
                case 1 -> auth(args[0], null);
                case 2 -> auth(args[0], args[1]);
                default -> invalid("AUTH takes a mechanism and an optional initial response");
            };
            case "STLS" -> noArgs(args, new Pop3Command.Stls());
            case "CAPA" -> noArgs(args, new Pop3Command.Capa());
            case "UTF8" -> noArgs(args, new Pop3Command.Utf8());
            case "STAT" -> noArgs(args, new Pop3Command.Stat());
            case "NOOP" -> noArgs(args, new Pop3Command.Noop());
            case "RSET" -> noArgs(args, new Pop3Command.Rset());
            case "QUIT" -> noArgs(args, new Pop3Command.Quit());
            case "LIST" -> optionalMsg(args, Pop3Command.List::new, new Pop3Command.List(0));
            case "UIDL" -> optionalMsg(args, Pop3Command.Uidl::new, new Pop3Command.Uidl(0));
            case "RETR" -> oneMsg(args, Pop3Command.Retr::new);
            case "DELE" -> oneMsg(args, Pop3Command.Dele::new);
            case "TOP" -> top(args);
            // RFC 1939 §7: optional; not offered, since it needs the password stored in clear.
            case "APOP" -> invalid("APOP is not supported; use USER/PASS or AUTH over TLS");
            default -> invalid("Unknown command");
        };
    }

    /** A client's answer to an AUTH challenge (RFC 5034 §4). */
    public sealed interface SaslResponse {
        record Data(byte[] bytes) implements SaslResponse {}

        /** "*": the client gives up; the server must answer -ERR. */
        record Cancel() implements SaslResponse {}

        record Malformed() implements SaslResponse {}
    }

    public static SaslResponse parseSaslResponse(byte[] line) {
        if (line.length == 1 && line[0] == '*') return new SaslResponse.Cancel();
        return decodeBase64(new String(line, StandardCharsets.ISO_8859_1));
    }

    /** The initial response of AUTH: "=" stands for an empty one (RFC 5034 §4). */
    public static SaslResponse decodeInitialResponse(String text) {
        if (text.equals("=")) return new SaslResponse.Data(new byte[0]);
        return decodeBase64(text);
    }

    private static SaslResponse decodeBase64(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                    || c == '/' || c == '=';
            if (!ok) return new SaslResponse.Malformed();
        }
        if (text.length() % 4 != 0) return new SaslResponse.Malformed();
        try {
            return new SaslResponse.Data(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            return new SaslResponse.Malformed();
        }
    }

    private static Pop3Command auth(String mechanism, String initial) {
        for (int i = 0; i < mechanism.length(); i++) {
            char c = mechanism.charAt(i);
            // RFC 4422 §3.1: mechanism names are upper-case letters, digits, '-' and '_' (case-folded here).
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok || mechanism.length() > 20) return invalid("Invalid mechanism name");
        }
        return new Pop3Command.Auth(mechanism.toUpperCase(Locale.ROOT), initial);
    }

    private static Pop3Command top(String[] args) {
        if (args.length != 2) return invalid("TOP needs a message number and a line count");
        Pop3Command.Invalid bad = checkMsg(args[0]);
        if (bad != null) return bad;
        String n = args[1];
        if (n.isEmpty() || n.length() > MAX_LINES_DIGITS || !digits(n)) return invalid("Invalid line count");
        return new Pop3Command.Top(Integer.parseInt(args[0]), Long.parseLong(n));
    }

    private static Pop3Command oneMsg(String[] args, java.util.function.IntFunction<Pop3Command> make) {
        if (args.length != 1) return invalid("A message number is required");
        Pop3Command.Invalid bad = checkMsg(args[0]);
        return bad != null ? bad : make.apply(Integer.parseInt(args[0]));
    }

    private static Pop3Command optionalMsg(String[] args, java.util.function.IntFunction<Pop3Command> make,
            Pop3Command all) {
        if (args.length == 0) return all;
        return oneMsg(args, make);
    }

    /** Null when {@code s} is a message number 1..2^31-1. */
    private static Pop3Command.Invalid checkMsg(String s) {
        if (s.isEmpty() || !digits(s)) return new Pop3Command.Invalid("Invalid message number");
        if (s.length() > MAX_MSG_DIGITS || Long.parseLong(s) > Integer.MAX_VALUE || Long.parseLong(s) == 0) {
            return new Pop3Command.Invalid("No such message");
        }
        return null;
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static Pop3Command noArgs(String[] args, Pop3Command command) {
        return args.length == 0 ? command : invalid("This command takes no arguments");
    }

    private static Pop3Command.Invalid invalid(String reply) {
        return new Pop3Command.Invalid(reply);
    }

    /**
     * Splits arguments on single spaces. Trailing spaces are forgiven (some clients send them); empty
     * arguments in between are not. Null on bad syntax.
     */
    private static String[] arguments(String rest) {
        if (rest == null) return new String[0];
        int end = rest.length();
        while (end > 0 && rest.charAt(end - 1) == ' ') end--;
        if (end == 0) return new String[0];
        String[] parts = rest.substring(0, end).split(" ", -1);
        for (String p : parts) {
            if (p.isEmpty()) return null;
        }
        return parts;
    }
}
