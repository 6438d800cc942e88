// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.postern.core.InternetDateTime;

/**
 * Turns one command line (without its CRLF) into an {@link SmtpCommand}. Pure and total: any byte
 * sequence yields a command, malformed ones an {@link SmtpCommand.Invalid} with the RFC 5321 §4.2
 * reply.
 */
public final class SmtpCommandParser {
    /** RFC 5321 §4.5.3.1.4 allows 512; Postern takes 4096 octets including CRLF for ESMTP parameters. */
    public static final int MAX_LINE = 4096 - 2;
    /** RFC 4954 §4: an AUTH line with an initial response may be up to 12288 octets. */
    public static final int MAX_AUTH_LINE = 12288 - 2;

    private static final SmtpReply MAIL_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    private static final SmtpReply RCPT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: RCPT TO:<address>");
    private static final SmtpReply NOTIFY_SYNTAX =
            SmtpReply.of(501, "5.5.4", "Syntax: NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY");
    private static final SmtpReply PARAM_SYNTAX = SmtpReply.of(501, "5.5.4", "Invalid parameter syntax");

    private SmtpCommandParser() {}

    public static SmtpCommand parse(byte[] line) {
        for (byte b : line) {
            // RFC 5321 §2.3.8: only CRLF ends a line; a CR or LF inside is refused (HOSTILE A07).
            if (b == '\r' || b == '\n') return invalid(SmtpReply.BARE_CR_LF);
        }
        if (line.length > MAX_AUTH_LINE || line.length > MAX_LINE && !startsWithAuth(line)) {
            return invalid(SmtpReply.LINE_TOO_LONG);
        }
        for (byte b : line) {
            if (b == 0 || (b > 0 && b < 32 && b != '\t') || b == 127) {
                return invalid(SmtpReply.of(500, "5.5.2", "Invalid character in command"));
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line)).toString();
        } catch (CharacterCodingException e) {
            return invalid(SmtpReply.BAD_UTF8);
        }
        int sp = text.indexOf(' ');
        String verb = (sp < 0 ? text : text.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : text.substring(sp + 1).strip();
        return switch (verb) {
            case "EHLO" -> hello(arg, true);
            case "HELO" -> hello(arg, false);
            case "MAIL" -> mail(arg);
            case "RCPT" -> rcpt(arg);
            case "DATA" -> arg.isEmpty() ? new SmtpCommand.Data() : invalid(SmtpReply.NO_PARAMETERS);
            case "RSET" -> arg.isEmpty() ? new SmtpCommand.Rset() : invalid(SmtpReply.NO_PARAMETERS);
            case "QUIT" -> arg.isEmpty() ? new SmtpCommand.Quit() : invalid(SmtpReply.NO_PARAMETERS);
            case "STARTTLS" -> arg.isEmpty() ? new SmtpCommand.StartTls() : invalid(SmtpReply.NO_PARAMETERS);
            case "NOOP" -> new SmtpCommand.Noop(); // RFC 5321 §4.1.1.9: a string argument is ignored
            case "HELP" -> new SmtpCommand.Help(arg);
            case "VRFY" -> arg.isEmpty() ? invalid(SmtpReply.of(501, "5.5.4", "Syntax: VRFY string"))
                    : new SmtpCommand.Vrfy(arg);
            case "EXPN" -> arg.isEmpty() ? invalid(SmtpReply.of(501, "5.5.4", "Syntax: EXPN string"))
                    : new SmtpCommand.Expn(arg);
            case "AUTH" -> auth(arg);
            case "BDAT" -> bdat(arg);
            case "ETRN", "TURN", "ATRN", "SEND", "SOML", "SAML", "BURL" -> new SmtpCommand.NotImplemented(verb);
            default -> invalid(SmtpReply.UNRECOGNIZED);
        };
    }

    private static boolean startsWithAuth(byte[] line) {
        return line.length > 5 && (line[0] | 0x20) == 'a' && (line[1] | 0x20) == 'u' && (line[2] | 0x20) == 't'
                && (line[3] | 0x20) == 'h' && line[4] == ' ';
    }

    /** RFC 5321 §4.1.1.1. The argument is only recorded (Received:), so any printable token will do. */
    private static SmtpCommand hello(String arg, boolean ehlo) {
        String name = arg.split("[ \t]", 2)[0];
        if (name.isEmpty()) {
            return invalid(SmtpReply.of(501, "5.5.4", "Syntax: " + (ehlo ? "EHLO" : "HELO") + " hostname"));
        }
        if (name.length() > PathParser.MAX_DOMAIN + 2) return invalid(SmtpReply.of(501, "5.5.4", "Host name too long"));
        return ehlo ? new SmtpCommand.Ehlo(name) : new SmtpCommand.Helo(name);
    }

    private static SmtpCommand mail(String arg) {
        if (!arg.regionMatches(true, 0, "FROM:", 0, 5)) return invalid(MAIL_SYNTAX);
        String rest = arg.substring(5).stripLeading(); // tolerate "MAIL FROM: <a@b>", as most servers do
        int end = pathEnd(rest);
        if (end < 0) return invalid(MAIL_SYNTAX);
        PathParser.Result path = PathParser.reversePath(rest.substring(0, end + 1));
        if (path instanceof PathParser.Result.Error e) return invalid(e.reply());
        Object params = mailParameters(rest.substring(end + 1));
        if (params instanceof SmtpReply r) return invalid(r);
        return new SmtpCommand.Mail(path instanceof PathParser.Result.Address a ? a.address() : null,
                (MailParameters) params);
    }

    private static SmtpCommand rcpt(String arg) {
        if (!arg.regionMatches(true, 0, "TO:", 0, 3)) return invalid(RCPT_SYNTAX);
        String rest = arg.substring(3).stripLeading();
        int end = pathEnd(rest);
        if (end < 0) return invalid(RCPT_SYNTAX);
        Object params = rcptParameters(rest.substring(end + 1));
        if (params instanceof SmtpReply r) return invalid(r);
        RcptParameters rp = (RcptParameters) params;
        return switch (PathParser.forwardPath(rest.substring(0, end + 1))) {
            case PathParser.Result.Address a -> new SmtpCommand.Rcpt(a.address(), false, rp);
            case PathParser.Result.Postmaster p -> new SmtpCommand.Rcpt(null, true, rp);
            case PathParser.Result.NullPath n -> invalid(SmtpReply.of(501, "5.1.3", "Null path not allowed here"));
            case PathParser.Result.Error e -> invalid(e.reply());
        };
    }

    /**
     * Index of the '>' closing a path that starts at 0, skipping quoted strings (a quoted local part
     * may contain '>'), or -1. What follows must be end of line or a space before parameters.
     */
    static int pathEnd(String s) {
        if (s.isEmpty() || s.charAt(0) != '<') return -1;
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') i++;
                else if (c == '"') quoted = false;
            } else if (c == '"') {
                quoted = true;
            } else if (c == '>') {
                return i + 1 == s.length() || s.charAt(i + 1) == ' ' ? i : -1;
            } else if (c == '<' || c == ' ') {
                return -1;
            }
        }
        return -1;
    }

    /** RFC 5321 §4.1.2 Mail-parameters; RFC 1870, RFC 6152, RFC 6531. Returns MailParameters or an SmtpReply. */
    private static Object mailParameters(String s) {
        long size = -1;
        BodyType body = BodyType.SEVEN_BIT;
        boolean utf8 = false;
        MailParameters.Ret ret = null;
        String envId = null;
        boolean requireTls = false;
        Duration holdFor = null;
        Instant holdUntil = null;
        Set<String> seen = new HashSet<>();
        for (String p : s.strip().split(" +")) {
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? null : p.substring(eq + 1);
            if (!validKeyword(key) || value != null && !validValue(value)) return PARAM_SYNTAX;
            if (!seen.add(key)) return SmtpReply.of(501, "5.5.4", "Duplicate parameter " + key);
            switch (key) {
                case "SIZE" -> {
                    if (value == null || value.length() > 20 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        return SmtpReply.of(501, "5.5.4", "Syntax: SIZE=<number>");
                    }
                    // 1*20DIGIT (RFC 1870 §3) may exceed a long: any such value is "too large".
                    size = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
                }
                case "BODY" -> {
                    if (value == null) return SmtpReply.of(501, "5.5.4", "Syntax: BODY=7BIT|8BITMIME");
                    switch (value.toUpperCase(Locale.ROOT)) {
                        case "7BIT" -> body = BodyType.SEVEN_BIT;
                        case "8BITMIME" -> body = BodyType.EIGHT_BIT_MIME;
                        case "BINARYMIME" -> body = BodyType.BINARY_MIME;
                        default -> {
                            return SmtpReply.of(555, "5.5.4", "Unsupported BODY type");
                        }
                    }
                }
                case "SMTPUTF8" -> {
                    if (value != null) return SmtpReply.of(501, "5.5.4", "SMTPUTF8 takes no value");
                    utf8 = true;
                }
                case "RET" -> {
                    // RFC 3461 §4.3
                    if (value == null) return SmtpReply.of(501, "5.5.4", "Syntax: RET=FULL|HDRS");
                    switch (value.toUpperCase(Locale.ROOT)) {
                        case "FULL" -> ret = MailParameters.Ret.FULL;
                        case "HDRS" -> ret = MailParameters.Ret.HDRS;
                        default -> {
                            return SmtpReply.of(501, "5.5.4", "Syntax: RET=FULL|HDRS");
                        }
                    }
                }
                case "ENVID" -> {
                    // RFC 3461 §4.4: xtext, at most 100 characters, printable ASCII once decoded.
                    String decoded = value == null || value.length() > 100 ? null : Xtext.decode(value);
                    if (decoded == null || decoded.isEmpty() || !decoded.chars().allMatch(c -> c >= 32 && c < 127)) {
                        return SmtpReply.of(501, "5.5.4", "Syntax: ENVID=xtext (at most 100 characters)");
                    }
                    envId = decoded;
                }
                case "REQUIRETLS" -> {
                    if (value != null) return SmtpReply.of(501, "5.5.4", "REQUIRETLS takes no value"); // RFC 8689 §4
                    requireTls = true;
                }
                case "HOLDFOR" -> {
                    // RFC 4865 §3: future-release-integer = 1*9DIGIT seconds; only one of HOLDFOR and HOLDUNTIL.
                    if (holdUntil != null || value == null || value.isEmpty() || value.length() > 9
                            || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        return SmtpReply.of(501, "5.5.4", "Syntax: HOLDFOR=<seconds> or HOLDUNTIL=<date-time>, not both");
                    }
                    holdFor = Duration.ofSeconds(Long.parseLong(value));
                }
                case "HOLDUNTIL" -> {
                    // RFC 4865 §3 (erratum 2040): an RFC 3339 §5.6 date-time.
                    Instant at = holdFor != null ? null : InternetDateTime.parse(value);
                    if (at == null) {
                        return SmtpReply.of(501, "5.5.4", "Syntax: HOLDFOR=<seconds> or HOLDUNTIL=<date-time>, not both");
                    }
                    holdUntil = at;
                }
                default -> {
                    return SmtpReply.of(555, "5.5.4", "Unsupported parameter " + key);
                }
            }
        }
        return new MailParameters(size, body, utf8, ret, envId, requireTls, holdFor, holdUntil);
    }

    /** RFC 3461 §4.1 NOTIFY, §4.2 ORCPT; RFC 5321 §4.1.1.11: others get 555. Returns RcptParameters or an SmtpReply. */
    private static Object rcptParameters(String s) {
        Set<RcptParameters.Notify> notify = java.util.EnumSet.noneOf(RcptParameters.Notify.class);
        String orcptType = null;
        String orcpt = null;
        Set<String> seen = new HashSet<>();
        for (String p : s.strip().split(" +")) {
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? null : p.substring(eq + 1);
            if (!validKeyword(key) || value != null && !validValue(value)) return PARAM_SYNTAX;
            if (!seen.add(key)) return SmtpReply.of(501, "5.5.4", "Duplicate parameter " + key);
            switch (key) {
                case "NOTIFY" -> {
                    if (value == null) return NOTIFY_SYNTAX;
                    for (String v : value.split(",", -1)) {
                        RcptParameters.Notify n;
                        try {
                            n = RcptParameters.Notify.valueOf(v.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            return NOTIFY_SYNTAX;
                        }
                        if (!notify.add(n)) return NOTIFY_SYNTAX;
                    }
                    // RFC 3461 §4.1: NEVER stands alone.
                    if (notify.contains(RcptParameters.Notify.NEVER) && notify.size() > 1) return NOTIFY_SYNTAX;
                }
                case "ORCPT" -> {
                    // RFC 3461 §4.2: addr-type ";" xtext; RFC 3461 §4 bounds the address at 500 characters.
                    int semi = value == null ? -1 : value.indexOf(';');
                    String type = semi <= 0 ? null : value.substring(0, semi);
                    String addr = semi < 0 || value.length() > 500 ? null : Xtext.decode(value.substring(semi + 1));
                    if (type == null || !validKeyword(type.toUpperCase(Locale.ROOT)) || addr == null || addr.isEmpty()
                            || !addr.chars().allMatch(c -> c >= 32 && c != 127)) {
                        return SmtpReply.of(501, "5.5.4", "Syntax: ORCPT=addr-type;xtext");
                    }
                    orcptType = type.toLowerCase(Locale.ROOT);
                    orcpt = addr;
                }
                default -> {
                    return SmtpReply.of(555, "5.5.4", "Unsupported RCPT parameter " + key);
                }
            }
        }
        return notify.isEmpty() && orcpt == null ? RcptParameters.NONE : new RcptParameters(notify, orcptType, orcpt);
    }

    /** RFC 3030 §2: "BDAT" SP chunk-size [SP "LAST"]. */
    private static SmtpCommand bdat(String arg) {
        String[] parts = arg.split(" ", -1);
        if (parts.length < 1 || parts.length > 2 || parts[0].isEmpty()
                || !parts[0].chars().allMatch(c -> c >= '0' && c <= '9')
                || parts.length == 2 && !parts[1].equalsIgnoreCase("LAST")) {
            return new SmtpCommand.Bdat(-1, false);
        }
        // Any number of digits is syntactically fine; one beyond a long exceeds every limit.
        String digits = parts[0].replaceFirst("^0+(?=.)", "");
        long size = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
        return new SmtpCommand.Bdat(size, parts.length == 2);
    }

    /** esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
    private static boolean validKeyword(String k) {
        if (k.isEmpty() || k.charAt(0) == '-') return false;
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) return false;
        }
        return true;
    }

    /** esmtp-value = 1*(%d33-60 / %d62-126), UTF-8 allowed (RFC 6531 §3.3). */
    private static boolean validValue(String v) {
        if (v.isEmpty()) return false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '=' || c < 33 || c == 127) return false;
        }
        return true;
    }

    private static SmtpCommand auth(String arg) {
        String[] parts = arg.isEmpty() ? new String[0] : arg.split(" +");
        if (parts.length < 1 || parts.length > 2) {
            return invalid(SmtpReply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"));
        }
        String mech = parts[0].toUpperCase(Locale.ROOT);
        // RFC 4422 §3.1: 1*20 of upper-case letters, digits, '-' and '_'.
        if (mech.length() > 20 || !mech.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '_')) {
            return invalid(SmtpReply.of(501, "5.5.4", "Invalid mechanism name"));
        }
        return new SmtpCommand.Auth(mech, parts.length == 2 ? parts[1] : null);
    }

    private static SmtpCommand invalid(SmtpReply reply) {
        return new SmtpCommand.Invalid(reply);
    }
}
