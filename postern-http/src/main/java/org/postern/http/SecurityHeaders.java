// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Puts the security headers on every response before any handler runs, so error pages and 404s
 * carry them too. Handlers may replace the CSP with a stricter one (a sandboxed message view).
 */
public final class SecurityHeaders extends Handler.Wrapper {
    // CSP Level 3: nothing from elsewhere, no inline script, and never framed (clickjacking).
    public static final String CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    private final String hsts;

    public SecurityHeaders(Handler next, java.time.Duration hstsMaxAge) {
        super(next);
        this.hsts = "max-age=" + hstsMaxAge.toSeconds();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        apply(request, response);
        return super.handle(request, response, callback);
    }

    /** Sets the headers; also used by the error handler, since Jetty resets headers before an error page. */
    void apply(Request request, Response response) {
        HttpFields.Mutable h = response.getHeaders();
        // RFC 6797 §7.2: HSTS only over a secure transport, where the browser will honour it.
        if (request.isSecure()) h.put("Strict-Transport-Security", hsts);
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        h.put("X-Frame-Options", "DENY");
        h.put("Cross-Origin-Opener-Policy", "same-origin");
    }
}
