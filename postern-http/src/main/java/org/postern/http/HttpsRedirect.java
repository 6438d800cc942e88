// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers every request that did not arrive over TLS with a redirect to the same path over HTTPS, and
 * passes secure requests on. The body of a plain request is never read.
 */
final class HttpsRedirect extends Handler.Wrapper {
    /** A host name or IP literal; anything else in Host is replaced, so the redirect cannot be steered. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");
    private static final Pattern SAFE_PATH = Pattern.compile("/[\\x21-\\x7e]{0,2000}");

    private final IntSupplier httpsPort;
    private final String fallbackHost;

    HttpsRedirect(Handler next, IntSupplier httpsPort, String fallbackHost) {
        super(next);
        this.httpsPort = httpsPort;
        this.fallbackHost = fallbackHost;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (request.isSecure()) return super.handle(request, response, callback);
        String host = Request.getServerName(request);
        if (host == null || !HOST.matcher(host).matches()) host = fallbackHost;
        String path = request.getHttpURI().getPathQuery();
        if (path == null || !SAFE_PATH.matcher(path).matches()) path = "/";
        int port = httpsPort.getAsInt();
        String location = "https://" + host + (port == 443 ? "" : ":" + port) + path;
        // 308 keeps the method (RFC 9110 §15.4.9); browsers follow it like 301.
        response.setStatus(HttpStatus.PERMANENT_REDIRECT_308);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, null, callback);
        return true;
    }
}
