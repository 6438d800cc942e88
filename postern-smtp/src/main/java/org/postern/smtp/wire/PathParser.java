// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import java.nio.charset.StandardCharsets;
import org.postern.core.MailAddress;

/**
 * RFC 5321 §4.1.2 paths: {@code "<" [ A-d-l ":" ] Mailbox ">"}. Source routes are stripped
 * (RFC 5321 App. C, §3.6.1: "MAY ignore the route information"); quoted local parts that need no
 * quoting are unquoted, so {@code "user"@d} and {@code user@d} are one mailbox (§4.1.2); address
 * literals are kept as the domain {@code [1.2.3.4]} for the caller to judge.
 */
public final class PathParser {
    /** RFC 5321 §4.5.3.1.3: 256 octets including the angle brackets. */
    public static final int MAX_PATH = 256;
    /** RFC 5321 §4.5.3.1.1. */
    public static final int MAX_LOCAL_PART = 64;
    /** RFC 5321 §4.5.3.1.2. */
    public static final int MAX_DOMAIN = 255;

    /** The outcome: an address, the null path, or the reply explaining the refusal. */
    public sealed interface Result {
        record Address(MailAddress address) implements Result {}

        record NullPath() implements Result {}

        /** The bare {@code <Postmaster>} form (RFC 5321 §4.1.1.3). */
        record Postmaster() implements Result {}

        record Error(SmtpReply reply) implements Result {}
    }

    private final String enhanced;

    private PathParser(String enhanced) {
        this.enhanced = enhanced;
    }

    /** Parses a reverse-path (MAIL FROM), where {@code <>} is allowed. Bad syntax: 501 5.1.7 (RFC 3463). */
    public static Result reversePath(String path) {
        return new PathParser("5.1.7").parse(path, true);
    }

    /** Parses a forward-path (RCPT TO). Bad syntax: 501 5.1.3 (RFC 3463). */
    public static Result forwardPath(String path) {
        return new PathParser("5.1.3").parse(path, false);
    }

    private Result parse(String path, boolean reverse) {
        if (utf8Length(path) > MAX_PATH) return error("Path too long");
        if (path.length() < 2 || path.charAt(0) != '<' || path.charAt(path.length() - 1) != '>') {
            return error("Path must be enclosed in angle brackets");
        }
        String inner = path.substring(1, path.length() - 1);
        if (inner.isEmpty()) return reverse ? new Result.NullPath() : error("Null path not allowed here");
        if (!reverse && inner.equalsIgnoreCase("postmaster")) return new Result.Postmaster();
        if (inner.charAt(0) == '@') {
            int colon = routeEnd(inner);
            if (colon < 0) return error("Bad source route");
            inner = inner.substring(colon + 1);
        }
        return mailbox(inner);
    }

    /** Index of the ':' ending a valid A-d-l, or -1. The route itself is ignored (App. C). */
    private static int routeEnd(String s) {
        int colon = s.indexOf(':');
        if (colon < 0) return -1;
        for (String hop : s.substring(0, colon).split(",", -1)) {
            if (hop.length() < 2 || hop.charAt(0) != '@' || !validDomainOrLiteral(hop.substring(1))) return -1;
        }
        return colon;
    }

    private Result mailbox(String s) {
        String local;
        int at;
        if (s.startsWith("\"")) {
            int end = quotedEnd(s);
            if (end < 0) return error("Bad quoted local part");
            at = end + 1;
            if (at >= s.length() || s.charAt(at) != '@') return error("Missing domain");
            local = canonicalLocal(unquote(s.substring(0, at)));
        } else {
            at = s.indexOf('@');
            if (at <= 0) return error(at == 0 ? "Missing local part" : "Missing domain");
            local = s.substring(0, at);
            if (!validDotString(local)) return error("Bad local part syntax");
        }
        String domain = s.substring(at + 1);
        if (utf8Length(local) > MAX_LOCAL_PART) return error("Local part too long");
        if (utf8Length(domain) > MAX_DOMAIN) return error("Domain too long");
        if (!validDomainOrLiteral(domain)) return error("Bad domain syntax");
        return new Result.Address(new MailAddress(local, domain));
    }

    /** Index of the closing quote of a leading quoted-string, or -1 (RFC 5321 §4.1.2 Quoted-string). */
    private static int quotedEnd(String s) {
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (++i >= s.length()) return -1;
                char e = s.charAt(i);
                if (e < 32 || e > 126) return -1; // quoted-pairSMTP = %d92 %d32-126
            } else if (c == '"') {
                return i;
            } else if (c < 32 || c == 127) {
                return -1;
            }
        }
        return -1;
    }

    private static String unquote(String quoted) {
        StringBuilder sb = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\') c = quoted.charAt(++i);
            sb.append(c);
        }
        return sb.toString();
    }

    /** The plain form when it is a valid Dot-string, else a minimally escaped quoted-string. */
    static String canonicalLocal(String content) {
        if (validDotString(content)) return content;
        StringBuilder sb = new StringBuilder(content.length() + 2).append('"');
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** RFC 5321 Dot-string = Atom *("." Atom), atext per RFC 5322 §3.2.3, UTF-8 per RFC 6531 §3.3. */
    static boolean validDotString(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') continue;
            boolean atext = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0
                    || c >= 0x80 && !Character.isISOControl(c) && !Character.isWhitespace(c);
            if (!atext) return false;
        }
        return true;
    }

    static boolean validDomainOrLiteral(String d) {
        if (d.startsWith("[")) return validAddressLiteral(d);
        return MailAddress.validDomain(d);
    }

    /** RFC 5321 §4.1.3: IPv4 dotted quad or "IPv6:" form; general literals are refused. */
    static boolean validAddressLiteral(String d) {
        if (d.length() < 3 || !d.endsWith("]")) return false;
        String inner = d.substring(1, d.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String v6 = inner.substring(5);
            if (v6.length() < 2 || v6.length() > 45 || !v6.contains(":")) return false;
            for (int i = 0; i < v6.length(); i++) {
                char c = v6.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                    return false;
                }
            }
            return true;
        }
        return validIpv4(inner);
    }

    static boolean validIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) return false;
            for (int i = 0; i < p.length(); i++) if (p.charAt(i) < '0' || p.charAt(i) > '9') return false;
            if (Integer.parseInt(p) > 255) return false;
        }
        return true;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private Result error(String text) {
        return new Result.Error(SmtpReply.of(501, enhanced, text));
    }
}
