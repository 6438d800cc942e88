// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** RFC 7208 §4.6.1 and §12: the text of an SPF record to a {@link SpfRecord}. Pure. */
public final class SpfRecordParser {
    /** Longer records are refused outright (a TXT answer can be 64 KB; no real policy is). */
    public static final int MAX_RECORD_LENGTH = 4096;
    static final int MAX_TERMS = 256;

    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9._-]*)=(.*)", Pattern.DOTALL);
    private static final Pattern DUAL_CIDR = Pattern.compile("(?:/(\\d{1,2}))?(?://(\\d{1,3}))?$");
    private static final Pattern IP4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IP6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private SpfRecordParser() {}

    /** Thrown for a record that is not valid SPF: check_host() then returns permerror (§4.6). */
    public static final class SpfSyntaxException extends Exception {
        public SpfSyntaxException(String message) {
            super(message);
        }
    }

    /** §4.5: a TXT record is an SPF record when it is "v=spf1" alone or followed by a space. */
    public static boolean isSpfRecord(String txt) {
        return txt.length() >= 6 && txt.regionMatches(true, 0, "v=spf1", 0, 6) && (txt.length() == 6 || txt.charAt(6) == ' ');
    }

    public static SpfRecord parse(String text) throws SpfSyntaxException {
        if (!isSpfRecord(text)) throw new SpfSyntaxException("not an SPF record");
        if (text.length() > MAX_RECORD_LENGTH) throw new SpfSyntaxException("record longer than " + MAX_RECORD_LENGTH);
        List<SpfRecord.Directive> directives = new ArrayList<>();
        String redirect = null;
        String exp = null;
        String[] terms = text.substring(6).split(" ");
        int count = 0;
        for (String term : terms) {
            if (term.isEmpty()) continue;
            if (++count > MAX_TERMS) throw new SpfSyntaxException("more than " + MAX_TERMS + " terms");
            for (int i = 0; i < term.length(); i++) {
                char c = term.charAt(i);
                if (c < 0x21 || c > 0x7e) throw new SpfSyntaxException("invalid character in term");
            }
            Matcher m = MODIFIER.matcher(term);
            if (m.matches()) {
                String name = m.group(1).toLowerCase(Locale.ROOT);
                String value = m.group(2);
                checkMacroString(value);
                switch (name) {
                    case "redirect" -> {
                        // §6: each modifier at most once
                        if (redirect != null) throw new SpfSyntaxException("redirect= twice");
                        if (value.isEmpty()) throw new SpfSyntaxException("empty redirect=");
                        redirect = value;
                    }
                    case "exp" -> {
                        if (exp != null) throw new SpfSyntaxException("exp= twice");
                        if (value.isEmpty()) throw new SpfSyntaxException("empty exp=");
                        exp = value;
                    }
                    default -> { } // §6: unknown modifiers are ignored
                }
                continue;
            }
            directives.add(directive(term));
        }
        return new SpfRecord(directives, redirect, exp);
    }

    private static SpfRecord.Directive directive(String term) throws SpfSyntaxException {
        char q = '+';
        String t = term;
        if ("+-~?".indexOf(t.charAt(0)) >= 0) {
            q = t.charAt(0);
            t = t.substring(1);
        }
        int end = 0;
        while (end < t.length() && Character.isLetterOrDigit(t.charAt(end))) end++;
        String name = t.substring(0, end).toLowerCase(Locale.ROOT);
        String rest = t.substring(end);
        SpfRecord.Mechanism mech = switch (name) {
            case "all" -> {
                if (!rest.isEmpty()) throw new SpfSyntaxException("bad all: " + term);
                yield new SpfRecord.All();
            }
            case "include" -> new SpfRecord.Include(requiredDomain(rest, term));
            case "exists" -> new SpfRecord.Exists(requiredDomain(rest, term));
            case "ptr" -> new SpfRecord.Ptr(optionalDomain(rest, term));
            case "a", "mx" -> {
                Matcher m = DUAL_CIDR.matcher(rest);
                int cidr4 = 32;
                int cidr6 = 128;
                String domainPart = rest;
                if (m.find() && m.end() - m.start() > 0) {
                    domainPart = rest.substring(0, m.start());
                    if (m.group(1) != null) cidr4 = cidr(m.group(1), 32, term);
                    if (m.group(2) != null) cidr6 = cidr(m.group(2), 128, term);
                }
                String domain = optionalDomain(domainPart, term);
                yield name.equals("a") ? new SpfRecord.A(domain, cidr4, cidr6) : new SpfRecord.Mx(domain, cidr4, cidr6);
            }
            case "ip4" -> {
                if (!rest.startsWith(":")) throw new SpfSyntaxException("bad ip4: " + term);
                String[] p = split(rest.substring(1));
                yield new SpfRecord.Ip4(ip4(p[0], term), p[1] == null ? 32 : cidr(p[1], 32, term));
            }
            case "ip6" -> {
                if (!rest.startsWith(":")) throw new SpfSyntaxException("bad ip6: " + term);
                String[] p = split(rest.substring(1));
                yield new SpfRecord.Ip6(ip6(p[0], term), p[1] == null ? 128 : cidr(p[1], 128, term));
            }
            default -> throw new SpfSyntaxException("unknown mechanism: " + term);
        };
        return new SpfRecord.Directive(q, mech);
    }

    private static String[] split(String s) {
        int slash = s.indexOf('/');
        return slash < 0 ? new String[] {s, null} : new String[] {s.substring(0, slash), s.substring(slash + 1)};
    }

    private static String requiredDomain(String rest, String term) throws SpfSyntaxException {
        if (!rest.startsWith(":") || rest.length() == 1) throw new SpfSyntaxException("missing domain: " + term);
        String d = rest.substring(1);
        checkMacroString(d);
        return d;
    }

    private static String optionalDomain(String rest, String term) throws SpfSyntaxException {
        if (rest.isEmpty()) return null;
        return requiredDomain(rest, term);
    }

    private static int cidr(String digits, int max, String term) throws SpfSyntaxException {
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)
                || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw new SpfSyntaxException("bad prefix length: " + term);
        }
        int v = Integer.parseInt(digits);
        if (v > max) throw new SpfSyntaxException("prefix length out of range: " + term);
        return v;
    }

    private static InetAddress ip4(String s, String term) throws SpfSyntaxException {
        Matcher m = IP4.matcher(s);
        if (!m.matches()) throw new SpfSyntaxException("bad ip4 address: " + term);
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(m.group(i + 1));
            if (v > 255) throw new SpfSyntaxException("bad ip4 address: " + term);
            b[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new SpfSyntaxException("bad ip4 address: " + term);
        }
    }

    private static InetAddress ip6(String s, String term) throws SpfSyntaxException {
        // Only hex digits, colons and dots reach InetAddress, so it parses a literal and never looks up a name.
        if (!IP6_CHARS.matcher(s).matches() || s.indexOf(':') < 0 || s.length() > 45) {
            throw new SpfSyntaxException("bad ip6 address: " + term);
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            byte[] raw = a.getAddress();
            if (raw.length == 4) { // ::ffff:a.b.c.d came back as IPv4; keep it as the 16-octet form
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(raw, 0, mapped, 12, 4);
                return InetAddress.getByAddress(mapped);
            }
            return a;
        } catch (UnknownHostException e) {
            throw new SpfSyntaxException("bad ip6 address: " + term);
        }
    }

    /** §7.1: "%" only as %%, %_, %- or a %{...} macro with a known letter. */
    static void checkMacroString(String s) throws SpfSyntaxException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') continue;
            if (i + 1 >= s.length()) throw new SpfSyntaxException("dangling % in " + s);
            char n = s.charAt(i + 1);
            if (n == '%' || n == '_' || n == '-') {
                i++;
                continue;
            }
            if (n != '{') throw new SpfSyntaxException("bad macro in " + s);
            int close = s.indexOf('}', i);
            if (close < 0) throw new SpfSyntaxException("unclosed macro in " + s);
            String body = s.substring(i + 2, close);
            if (!SpfMacro.validBody(body)) throw new SpfSyntaxException("bad macro %{" + body + "}");
            i = close;
        }
    }
}
