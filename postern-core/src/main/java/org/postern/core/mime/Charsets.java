// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/** Charset names as mail writes them, mapped to Java charsets; unknown names give null. */
final class Charsets {
    private static final ConcurrentHashMap<String, Charset> CACHE = new ConcurrentHashMap<>();

    private Charsets() {}

    static Charset lookup(String name) {
        if (name == null) return null;
        String n = name.strip().toLowerCase(Locale.ROOT);
        // RFC 2231 §5: a language may follow the charset in an encoded word ("utf-8*en").
        int star = n.indexOf('*');
        if (star >= 0) n = n.substring(0, star);
        if (n.isEmpty() || n.length() > 64) return null;
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            // Charset names as IANA registers them; anything else would only make Java throw.
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':' || c == '+')) {
                return null;
            }
        }
        Charset cached = CACHE.get(n);
        if (cached != null) return cached;
        switch (n) {
            case "utf-8", "utf8" -> { return StandardCharsets.UTF_8; }
            case "us-ascii", "ascii", "ansi_x3.4-1968" -> { return StandardCharsets.US_ASCII; }
            case "iso-8859-1", "latin1" -> { return StandardCharsets.ISO_8859_1; }
            // Mail labelled GB2312 is routinely written with GBK/GB18030 characters.
            case "gb2312", "gbk" -> n = "gb18030";
            // Widely mislabelled; windows-1252 is its superset for display (WHATWG encoding spec).
            case "iso8859-1" -> { return StandardCharsets.ISO_8859_1; }
            default -> { }
        }
        Charset cs;
        try {
            cs = Charset.isSupported(n) ? Charset.forName(n) : null;
        } catch (IllegalArgumentException e) {
            cs = null;
        }
        // Only known charsets are cached, so hostile names cannot grow the map.
        if (cs != null && CACHE.size() < 256) CACHE.put(n, cs);
        return cs;
    }

    /** Header bytes: UTF-8 when they are valid UTF-8 (RFC 6532), else ISO-8859-1 so nothing is lost. */
    static String headerText(byte[] b, int off, int len) {
        boolean ascii = true;
        for (int i = off; i < off + len; i++) {
            if (b[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return new String(b, off, len, StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }
    }
}
