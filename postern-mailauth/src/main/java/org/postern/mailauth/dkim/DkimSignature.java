// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One parsed DKIM-Signature field (RFC 6376 §3.5).
 *
 * @param signedHeaders h=, lower-cased, in order (may repeat names)
 * @param bodyLength l=, or -1 when absent
 * @param timestamp t=, or -1; {@code expiration} x=, or -1
 */
public record DkimSignature(String algorithm, byte[] signature, byte[] bodyHash, boolean relaxedHeader, boolean relaxedBody,
        String domain, String selector, List<String> signedHeaders, String identity, long bodyLength, long timestamp,
        long expiration) {
    public static final int MAX_SIGNED_HEADERS = 128;

    public static final String RSA_SHA256 = "rsa-sha256";
    public static final String ED25519_SHA256 = "ed25519-sha256";

    public DkimSignature {
        signedHeaders = List.copyOf(signedHeaders);
    }

    /** The key type a= names (RFC 6376 §3.3, RFC 8463 §3). */
    public String keyType() {
        return algorithm.equals(ED25519_SHA256) ? "ed25519" : "rsa";
    }

    /** A signature that cannot be evaluated: permerror (RFC 6376 §6.1.1). */
    public static final class DkimSyntaxException extends Exception {
        public DkimSyntaxException(String message) {
            super(message);
        }
    }

    /** Parses the field's value (after "DKIM-Signature:"). Pure. */
    public static DkimSignature parse(String value) throws DkimSyntaxException {
        Map<String, String> t;
        try {
            t = TagList.parse(value);
        } catch (TagList.TagSyntaxException e) {
            throw new DkimSyntaxException(e.getMessage());
        }
        for (String required : List.of("v", "a", "b", "bh", "d", "h", "s")) {
            if (!t.containsKey(required)) throw new DkimSyntaxException("missing " + required + "= tag");
        }
        if (!t.get("v").equals("1")) throw new DkimSyntaxException("unsupported version v=" + t.get("v"));
        String a = t.get("a").toLowerCase(Locale.ROOT);
        // RFC 8301 §3.1: rsa-sha1 must not be considered valid
        if (!a.equals(RSA_SHA256) && !a.equals(ED25519_SHA256)) throw new DkimSyntaxException("unsupported algorithm " + a);
        byte[] b = base64(t.get("b"), "b");
        byte[] bh = base64(t.get("bh"), "bh");
        if (bh.length != 32) throw new DkimSyntaxException("bh= is not a SHA-256 hash");
        if (b.length == 0) throw new DkimSyntaxException("empty b=");
        boolean relaxedHeader = false;
        boolean relaxedBody = false;
        String c = t.getOrDefault("c", "simple/simple").toLowerCase(Locale.ROOT);
        String[] parts = c.split("/", -1);
        if (parts.length > 2) throw new DkimSyntaxException("bad c=");
        relaxedHeader = canon(parts[0]);
        relaxedBody = parts.length == 2 && canon(parts[1]);
        String d = t.get("d").toLowerCase(Locale.ROOT);
        if (d.isEmpty() || d.length() > 253 || d.startsWith(".") || d.endsWith(".") || d.contains("..")) {
            throw new DkimSyntaxException("bad d=");
        }
        String s = t.get("s").toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.length() > 253 || !s.matches("[a-z0-9_.-]+")) throw new DkimSyntaxException("bad s=");
        List<String> h = new ArrayList<>();
        for (String name : t.get("h").split(":", -1)) {
            String n = TagList.compact(name).toLowerCase(Locale.ROOT);
            if (n.isEmpty()) throw new DkimSyntaxException("empty name in h=");
            h.add(n);
            if (h.size() > MAX_SIGNED_HEADERS) throw new DkimSyntaxException("h= lists too many fields");
        }
        if (!h.contains("from")) throw new DkimSyntaxException("From field not signed"); // §5.4
        String i = t.getOrDefault("i", "@" + d);
        int at = i.lastIndexOf('@');
        if (at < 0) throw new DkimSyntaxException("bad i=");
        String iDomain = i.substring(at + 1).toLowerCase(Locale.ROOT);
        // §3.5: the i= domain must be d= or a subdomain of it
        if (!iDomain.equals(d) && !iDomain.endsWith("." + d)) throw new DkimSyntaxException("i= not within d=");
        long l = number(t.get("l"), "l");
        long ts = number(t.get("t"), "t");
        long x = number(t.get("x"), "x");
        if (x >= 0 && ts >= 0 && x < ts) throw new DkimSyntaxException("x= before t="); // §3.5
        String q = t.getOrDefault("q", "dns/txt");
        if (!q.toLowerCase(Locale.ROOT).contains("dns/txt")) throw new DkimSyntaxException("unsupported q=");
        return new DkimSignature(a, b, bh, relaxedHeader, relaxedBody, d, s, h, i, l, ts, x);
    }

    private static boolean canon(String c) throws DkimSyntaxException {
        return switch (c) {
            case "simple" -> false;
            case "relaxed" -> true;
            default -> throw new DkimSyntaxException("unknown canonicalization " + c);
        };
    }

    private static byte[] base64(String v, String tag) throws DkimSyntaxException {
        try {
            return Base64.getDecoder().decode(TagList.compact(v));
        } catch (IllegalArgumentException e) {
            throw new DkimSyntaxException("bad base64 in " + tag + "=");
        }
    }

    private static long number(String v, String tag) throws DkimSyntaxException {
        if (v == null) return -1;
        // §3.5: at most 76 digits for l=; more than 18 cannot be a real length or time
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new DkimSyntaxException("bad " + tag + "=");
        }
        return Long.parseLong(v);
    }
}
