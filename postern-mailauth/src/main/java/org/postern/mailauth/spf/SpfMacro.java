// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.mailauth.spf.SpfRecordParser.SpfSyntaxException;

/** RFC 7208 §7: macro expansion of domain-specs and explanation strings. Pure. */
final class SpfMacro {
    private static final Pattern BODY = Pattern.compile("([slodipvhcrtSLODIPVHCRT])(\\d*)([rR]?)([-.+,/_=]*)");
    static final int MAX_EXPANSION = 4096;

    /**
     * What the macros refer to.
     *
     * @param sender the whole checked identity, local@domain (§4.3: postmaster@ when the local part is empty)
     * @param receiver our host name, for %{r} in explanations
     */
    record Context(InetAddress ip, String sender, String domain, String helo, String receiver, long now,
            java.util.function.Function<String, String> validatedName) {
        Context(InetAddress ip, String sender, String domain, String helo, String receiver, long now) {
            this(ip, sender, domain, helo, receiver, now, d -> "unknown");
        }

        Context withDomain(String d) {
            return new Context(ip, sender, d, helo, receiver, now, validatedName);
        }
    }

    private SpfMacro() {}

    static boolean validBody(String body) {
        Matcher m = BODY.matcher(body);
        if (!m.matches()) return false;
        String digits = m.group(2);
        // §7.1: a digit transformer of 0 is not allowed; more than 128 parts cannot occur in a name.
        return digits.isEmpty() || (digits.length() <= 3 && Integer.parseInt(digits) > 0 && Integer.parseInt(digits) <= 128);
    }

    /** Expands a domain-spec and shortens it to 253 octets by dropping labels from the left (§7.3). */
    static String expandDomain(String spec, Context ctx) throws SpfSyntaxException {
        String out = expand(spec, ctx, false);
        while (out.length() > 253) {
            int dot = out.indexOf('.');
            if (dot < 0) throw new SpfSyntaxException("expanded name too long");
            out = out.substring(dot + 1);
        }
        if (out.endsWith(".")) out = out.substring(0, out.length() - 1);
        return out;
    }

    static String expand(String s, Context ctx, boolean explanation) throws SpfSyntaxException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                out.append(c);
            } else {
                if (i + 1 >= s.length()) throw new SpfSyntaxException("dangling %");
                char n = s.charAt(++i);
                switch (n) {
                    case '%' -> out.append('%');
                    case '_' -> out.append(' ');
                    case '-' -> out.append("%20");
                    case '{' -> {
                        int close = s.indexOf('}', i);
                        if (close < 0) throw new SpfSyntaxException("unclosed macro");
                        out.append(macro(s.substring(i + 1, close), ctx, explanation));
                        i = close;
                    }
                    default -> throw new SpfSyntaxException("bad macro");
                }
            }
            if (out.length() > MAX_EXPANSION) throw new SpfSyntaxException("macro expansion too long");
        }
        return out.toString();
    }

    private static String macro(String body, Context ctx, boolean explanation) throws SpfSyntaxException {
        Matcher m = BODY.matcher(body);
        if (!m.matches() || !validBody(body)) throw new SpfSyntaxException("bad macro %{" + body + "}");
        char letter = m.group(1).charAt(0);
        char lower = Character.toLowerCase(letter);
        if (!explanation && (lower == 'c' || lower == 'r' || lower == 't')) {
            throw new SpfSyntaxException("%{" + letter + "} is only allowed in explanations"); // §7.2
        }
        String value = switch (lower) {
            case 's' -> ctx.sender();
            case 'l' -> ctx.sender().substring(0, ctx.sender().lastIndexOf('@'));
            case 'o' -> ctx.sender().substring(ctx.sender().lastIndexOf('@') + 1);
            case 'd' -> ctx.domain();
            case 'i' -> dotted(ctx.ip());
            case 'p' -> ctx.validatedName().apply(ctx.domain()); // §7.3, "unknown" when there is none
            case 'v' -> ctx.ip() instanceof Inet4Address ? "in-addr" : "ip6";
            case 'h' -> ctx.helo() == null ? "unknown" : ctx.helo();
            case 'c' -> ctx.ip().getHostAddress();
            case 'r' -> ctx.receiver();
            case 't' -> Long.toString(ctx.now());
            default -> throw new SpfSyntaxException("bad macro letter " + letter);
        };
        String delimiters = m.group(4).isEmpty() ? "." : m.group(4);
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            if (delimiters.indexOf(value.charAt(i)) >= 0) {
                parts.add(value.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(value.substring(start));
        if (!m.group(3).isEmpty()) Collections.reverse(parts);
        if (!m.group(2).isEmpty()) {
            int keep = Integer.parseInt(m.group(2));
            if (keep < parts.size()) parts = parts.subList(parts.size() - keep, parts.size());
        }
        String joined = String.join(".", parts);
        return Character.isUpperCase(letter) ? urlEscape(joined) : joined;
    }

    /** §7.3: IPv4 as dotted quad, IPv6 as dot-separated nibbles. */
    static String dotted(InetAddress ip) {
        if (ip instanceof Inet4Address) return ip.getHostAddress();
        StringBuilder sb = new StringBuilder();
        for (byte b : ip.getAddress()) {
            if (!sb.isEmpty()) sb.append('.');
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append('.').append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    private static String urlEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return sb.toString();
    }
}
