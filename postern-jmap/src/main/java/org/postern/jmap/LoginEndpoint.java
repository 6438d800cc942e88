// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.postern.auth.AuthResult;
import org.postern.http.Origins;
import org.postern.http.SessionCookie;
import org.postern.http.WebSessions;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.RequestError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browser login and logout (HOSTILE.md A54, A55). {@code POST /login} takes username and password as
 * JSON or as a form, checks them through the same throttled {@link org.postern.auth.Authenticator} as
 * every mail port, and starts a server-side session: the cookie carries only a random id, the JSON
 * answer the session's CSRF token. {@code POST /logout} ends the session on the server. {@code GET /login}
 * is a bare HTML form for as long as no webmail serves its own; with a webmail it sends the browser to
 * the webmail's login at "/", and so do the form posts' redirects.
 *
 * <p>A failed login says the same words, with the same status and after the same work, whether the
 * user exists or not (no enumeration). A login POST from a foreign Origin is refused (login CSRF).
 */
final class LoginEndpoint extends Handler.Abstract {
    static final String LOGIN = "/login";
    static final String LOGOUT = "/logout";
    private static final Logger log = LoggerFactory.getLogger(LoginEndpoint.class);
    private static final int MAX_BODY = 8192;
    private static final String FORM = "application/x-www-form-urlencoded";

    private final RequestAuth auth;
    private final Json json;
    private final boolean serveForm;

    LoginEndpoint(RequestAuth auth, Json json, boolean serveForm) {
        this.auth = auth;
        this.json = json;
        this.serveForm = serveForm;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (path.equals(LOGIN)) {
            boolean read = method.equals("GET") || method.equals("HEAD");
            if (method.equals("POST")) login(request, response, callback);
            else if (read && serveForm) page(request, response, callback, 200, null);
            else if (read) seeOther(response, callback, home());
            else return methodNotAllowed(response, callback);
            return true;
        }
        if (path.equals(LOGOUT)) {
            if (!method.equals("POST")) return methodNotAllowed(response, callback);
            logout(request, response, callback);
            return true;
        }
        return false;
    }

    private void login(Request request, Response response, Callback callback) throws IOException {
        boolean form = isForm(request);
        if (Origins.of(request) == Origins.Verdict.CROSS) {
            HttpReplies.problem(response, callback, json, 403, "about:blank", "cross-origin login refused", null);
            return;
        }
        Map<String, String> fields;
        try {
            fields = fields(request, form);
        } catch (Refused e) {
            HttpReplies.problem(response, callback, json, e.status, "about:blank", e.getMessage(), null);
            return;
        }
        String user = fields.get("username");
        String password = fields.get("password");
        if (user == null || password == null) {
            HttpReplies.problem(response, callback, json, 400, "about:blank", "username and password are required", null);
            return;
        }
        AuthResult r = auth.authenticator().authenticate(user, password, RequestAuth.client(request));
        switch (r) {
            case AuthResult.Success s -> {
                // A new id on every login, and the session the browser had (if any) ends: no fixation.
                auth.session(request).ifPresent(old -> auth.sessions().destroy(old.session()));
                WebSessions.Issued issued = auth.sessions().create(s.account().id(), RequestAuth.stamp(s.account()));
                response.getHeaders().add(HttpHeader.SET_COOKIE, SessionCookie.set(issued.cookieValue()));
                response.getHeaders().put(RequestAuth.CSRF_HEADER, issued.session().csrfToken());
                if (form) {
                    seeOther(response, callback, home());
                } else {
                    ObjectNode o = Json.object();
                    o.put("username", s.account().address());
                    o.put("csrfToken", issued.session().csrfToken());
                    o.put("session", JmapHandler.WELL_KNOWN);
                    HttpReplies.json(response, callback, json, 200, o);
                }
            }
            case AuthResult.Throttled t -> {
                log.info("login throttled for {}", RequestAuth.client(request).getHostAddress());
                RequestAuth.retryAfter(response);
                if (form) page(request, response, callback, 429, "Too many failed attempts. Try again later.");
                else HttpReplies.problem(response, callback, json, 429, "about:blank", "too many failed attempts", null);
            }
            case AuthResult.Failure f -> {
                // RFC 9110 §15.5.2 wants a challenge with 401; a scheme browsers do not know raises no dialog.
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Form realm=\"Postern\"");
                if (form) page(request, response, callback, 401, "Wrong username or password.");
                else HttpReplies.problem(response, callback, json, 401, "about:blank", "wrong username or password", null);
            }
        }
    }

    private void logout(Request request, Response response, Callback callback) throws IOException {
        boolean form = isForm(request);
        Optional<Caller.Browser> b = auth.session(request);
        if (b.isPresent()) {
            String formToken = null;
            if (form) {
                try {
                    formToken = fields(request, true).get("csrf");
                } catch (Refused e) {
                    HttpReplies.problem(response, callback, json, e.status, "about:blank", e.getMessage(), null);
                    return;
                }
            }
            if (!RequestAuth.csrfOk(request, b.get().session(), formToken)) {
                HttpReplies.problem(response, callback, json, 403, "about:blank", "CSRF token missing or wrong", null);
                return;
            }
            auth.sessions().destroy(b.get().session());
        }
        response.getHeaders().add(HttpHeader.SET_COOKIE, SessionCookie.clear());
        if (form) {
            seeOther(response, callback, home());
        } else {
            response.setStatus(204);
            response.write(true, null, callback);
        }
    }

    private static boolean isForm(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        return type != null && type.toLowerCase(Locale.ROOT).startsWith(FORM);
    }

    /** A body this endpoint will not read. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status, String detail) {
            super(detail, null, false, false);
            this.status = status;
        }
    }

    /** The fields of a small JSON or form body. @throws Refused for anything else */
    private Map<String, String> fields(Request request, boolean form) throws Refused, IOException {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!form && (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json"))) {
            throw new Refused(415, "send application/json or " + FORM);
        }
        byte[] body = JmapHandler.readBounded(Content.Source.asInputStream(request), MAX_BODY);
        if (body == null) throw new Refused(413, "request too large");
        Map<String, String> out = new HashMap<>();
        if (form) {
            for (String pair : new String(body, StandardCharsets.UTF_8).split("&", 16)) {
                int eq = pair.indexOf('=');
                if (eq <= 0) continue;
                try {
                    out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new Refused(400, "malformed form");
                }
            }
            return out;
        }
        JsonNode n;
        try {
            n = json.parse(body);
        } catch (RequestError e) {
            throw new Refused(400, "malformed JSON");
        }
        for (String k : new String[] {"username", "password"}) {
            if (n.path(k).isTextual()) out.put(k, n.get(k).asText());
        }
        return out;
    }

    /** Where a browser goes after a form login or logout: the bare form, or the webmail that replaces it. */
    private String home() {
        return serveForm ? LOGIN : "/";
    }

    private static void seeOther(Response response, Callback callback, String location) {
        // RFC 9110 §15.4.4: 303 turns the POST into a GET; the target is fixed, never taken from the request (A56).
        response.setStatus(303);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.write(true, null, callback);
    }

    private boolean methodNotAllowed(Response response, Callback callback) {
        HttpReplies.problem(response, callback, json, 405, "about:blank", "method not allowed", null);
        return true;
    }

    /** The bare form; signed in, a logout button carrying the CSRF token. No script, no style. */
    private void page(Request request, Response response, Callback callback, int status, String message) {
        Optional<Caller.Browser> b = status == 200 ? auth.session(request) : Optional.empty();
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Postern</title></head><body>\n");
        if (message != null) h.append("<p role=\"alert\">").append(escape(message)).append("</p>\n");
        if (b.isPresent()) {
            h.append("<p>Signed in as ").append(escape(b.get().account().address())).append(".</p>\n")
                    .append("<form method=\"post\" action=\"").append(LOGOUT).append("\">")
                    .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(escape(b.get().session().csrfToken()))
                    .append("\"><button>Sign out</button></form>\n");
        } else {
            h.append("<form method=\"post\" action=\"").append(LOGIN).append("\">\n")
                    .append("<label>Address <input name=\"username\" autocomplete=\"username\" required></label>\n")
                    .append("<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required>"
                            + "</label>\n<button>Sign in</button></form>\n");
        }
        h.append("</body></html>\n");
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        byte[] bytes = h.toString().getBytes(StandardCharsets.UTF_8);
        response.write(true, request.getMethod().equals("HEAD") ? null : ByteBuffer.wrap(bytes), callback);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
