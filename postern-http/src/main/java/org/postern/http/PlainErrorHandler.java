// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Error pages with the status line and nothing else: no exception text, class names or stack traces
 * reach a client (Jetty's default page prints the exception message). The cause is logged by Jetty.
 */
final class PlainErrorHandler extends ErrorHandler {
    private final SecurityHeaders headers;

    PlainErrorHandler(SecurityHeaders headers) {
        this.headers = headers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        headers.apply(request, response);
        int status = response.getStatus();
        String reason = HttpStatus.getMessage(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, status + " " + (reason == null ? "" : reason) + "\n", callback);
        return true;
    }
}
