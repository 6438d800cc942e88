// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.net.URI;
import java.util.Locale;
import org.eclipse.jetty.server.Request;

/**
 * Where a browser request came from (RFC 6454 §7 Origin; Fetch Metadata's Sec-Fetch-Site). Browsers
 * send Origin on every cross-site POST and WebSocket upgrade, so a cookie-authenticated request
 * whose Origin is not our own is a forged one (CSRF, cross-site WebSocket hijacking).
 */
public final class Origins {
    public enum Verdict { ABSENT, SAME, CROSS }

    private Origins() {}

    public static Verdict of(Request request) {
        String site = request.getHeaders().get("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) return Verdict.CROSS;
        String origin = request.getHeaders().get("Origin");
        if (origin == null) return Verdict.ABSENT;
        return sameOrigin(origin, Request.getServerName(request), Request.getServerPort(request)) ? Verdict.SAME : Verdict.CROSS;
    }

    /** True when an Origin value names https://host:port exactly ("null" and other schemes never match). */
    static boolean sameOrigin(String origin, String host, int port) {
        if (origin.length() > 300 || host == null) return false;
        URI u;
        try {
            u = new URI(origin);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getRawPath() != null && !u.getRawPath().isEmpty()
                || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            return false;
        }
        int p = u.getPort() == -1 ? 443 : u.getPort();
        String h = host.startsWith("[") ? host : host.toLowerCase(Locale.ROOT);
        return u.getHost().toLowerCase(Locale.ROOT).equals(h.toLowerCase(Locale.ROOT)) && p == (port <= 0 ? 443 : port);
    }
}
