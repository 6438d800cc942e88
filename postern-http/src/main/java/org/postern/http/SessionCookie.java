// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The session cookie on the wire (RFC 6265). The {@code __Host-} prefix (RFC 6265bis §4.1.3.2) makes
 * browsers accept it only with Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or
 * overwrite it (cookie tossing, session fixation). SameSite=Strict keeps it off every cross-site
 * request, HttpOnly keeps it from script.
 */
public final class SessionCookie {
    public static final String NAME = "__Host-postern";
    private static final int MAX_HEADER = 8192;
    private static final int MAX_VALUES = 8;

    private SessionCookie() {}

    /** The Set-Cookie value that starts a session. No Max-Age: the browser drops it on exit; the server's timeouts rule. */
    public static String set(String value) {
        return NAME + "=" + value + "; Path=/; Secure; HttpOnly; SameSite=Strict";
    }

    /** The Set-Cookie value that removes it (logout). */
    public static String clear() {
        return NAME + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict";
    }

    /**
     * Every value of our cookie in a Cookie header (a browser may send more than one of the same name;
     * the caller tries each). Bounded: long headers and many values are cut off.
     */
    public static List<String> values(List<String> cookieHeaders) {
        List<String> out = new ArrayList<>();
        int seen = 0;
        for (String header : cookieHeaders) {
            if (header == null) continue;
            seen += header.length();
            if (seen > MAX_HEADER) break;
            for (String pair : header.split(";", 64)) {
                String p = pair.strip();
                if (p.startsWith(NAME + "=")) {
                    String v = p.substring(NAME.length() + 1);
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
                    out.add(v);
                    if (out.size() >= MAX_VALUES) return out;
                }
            }
        }
        return out;
    }
}
