// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.RequestError;

/** Writes JSON and RFC 7807 problem replies. */
final class HttpReplies {
    private HttpReplies() {}

    static void json(Response response, Callback callback, Json json, int status, JsonNode body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-store, must-revalidate");
        response.write(true, ByteBuffer.wrap(json.write(body)), callback);
    }

    /** RFC 8620 §3.6.1: request-level errors are problem details (RFC 7807) with the JMAP type URI. */
    static void problem(Response response, Callback callback, Json json, RequestError e) {
        problem(response, callback, json, e.status(), e.type(), e.getMessage(), e.limitName());
    }

    static void problem(Response response, Callback callback, Json json, int status, String type, String detail,
            String limit) {
        ObjectNode o = Json.object();
        o.put("type", type);
        o.put("status", status);
        if (detail != null) o.put("detail", detail);
        if (limit != null) o.put("limit", limit);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
        response.write(true, ByteBuffer.wrap(json.write(o)), callback);
    }

    static void unauthorized(Response response, Callback callback, Json json) {
        // RFC 7617 §2: the challenge, with the charset the credentials are decoded in.
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"Postern\", charset=\"UTF-8\"");
        problem(response, callback, json, 401, "about:blank", "authentication required", null);
    }
}
