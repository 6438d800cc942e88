// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.postern.auth.Authenticator;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.postern.http.Router;
import org.postern.http.WebSessions;
import org.postern.jmap.method.CoreMethods;
import org.postern.jmap.method.EmailMethods;
import org.postern.jmap.method.IdentityMethods;
import org.postern.jmap.method.MailboxMethods;
import org.postern.jmap.method.SearchSnippetMethods;
import org.postern.jmap.method.ThreadMethods;
import org.postern.jmap.proto.JmapLimits;
import org.postern.jmap.proto.JmapRequest;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.RequestError;
import org.postern.store.Account;
import org.postern.store.MailStore;

/**
 * JMAP over HTTP (RFC 8620): the session resource at /.well-known/jmap (§2.2), the API endpoint (§3),
 * upload and download (§6) and the EventSource push endpoint (§7.3) under /jmap/, plus the browser
 * login at /login and /logout ({@link LoginEndpoint}). Every endpoint needs HTTP Basic credentials
 * (RFC 7617), checked by the shared {@link Authenticator} with its throttling, or a browser session
 * cookie; with a cookie, every state change (API POST, upload) needs the session's CSRF token and the
 * WebSocket upgrade our own Origin (HOSTILE.md A54). HTTPS is guaranteed by the server in front
 * (plain HTTP only redirects).
 */
public final class JmapHandler extends Handler.Abstract {
    public static final String WELL_KNOWN = "/.well-known/jmap";
    public static final String PREFIX = "/jmap/";
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}\\](:[0-9]{1,5})?");

    private final MailStore store;
    private final JmapLimits limits;
    private final Json json;
    private final JmapApi api = new JmapApi();
    private final Uploads uploads;
    private final MessageCache messages;
    private final BlobEndpoints blobs;
    private final EventSourceEndpoint events;
    private final Map<Long, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> sockets = new ConcurrentHashMap<>();
    static final int MAX_SOCKETS_PER_ACCOUNT = 16;
    private final String fallbackHost;
    private final RequestAuth requestAuth;
    private final ThreadCache threads = new ThreadCache();
    /** Expires idle accounts' uploads (RFC 8620 §6.1), so their blobs are deleted without a new upload. */
    private final java.util.concurrent.ScheduledExecutorService sweeper =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("jmap-uploads").factory());
    private volatile org.postern.auth.Passwords passwords =
            new org.postern.auth.Passwords(org.postern.auth.PasswordHasher.Cost.DEFAULT);

    public JmapHandler(MailStore store, Authenticator auth, JmapLimits limits, String hostname) {
        this(store, auth, limits, hostname, new WebSessions(WebSessions.Config.DEFAULT, Clock.systemUTC()),
                Uploads.Quota.DEFAULT);
    }

    public JmapHandler(MailStore store, Authenticator auth, JmapLimits limits, String hostname, WebSessions sessions,
            Uploads.Quota uploadQuota) {
        this.store = store;
        this.requestAuth = new RequestAuth(auth, store.directory(), sessions);
        this.limits = limits;
        this.json = new Json(limits);
        this.fallbackHost = hostname;
        this.uploads = new Uploads(Clock.systemUTC(), uploadQuota).deletingWith(store.blobs()::delete);
        this.messages = new MessageCache(store.blobs(), 64L << 20);
        CoreMethods.register(api);
        MailboxMethods.register(api);
        EmailMethods.register(api);
        ThreadMethods.register(api);
        IdentityMethods.register(api);
        org.postern.jmap.method.EmailSubmissionMethods.register(api, org.postern.jmap.method.MailSubmitter.UNAVAILABLE);
        org.postern.jmap.method.VacationResponseMethods.register(api);
        SearchSnippetMethods.register(api);
        PushSubscriptions.register(api);
        org.postern.jmap.method.SettingsMethods.register(api);
        this.blobs = new BlobEndpoints(json, limits, uploads);
        this.events = new EventSourceEndpoint(json, store);
        sweeper.scheduleWithFixedDelay(uploads::sweep, 10, 10, java.util.concurrent.TimeUnit.MINUTES);
    }

    /**
     * Lets EmailSubmission send through {@code submitter} (the SMTP submission intake, RFC 8621 §7);
     * without it every submission is refused. Call before serving.
     */
    public JmapHandler sendingWith(org.postern.jmap.method.MailSubmitter submitter) {
        IdentityMethods.register(api, submitter);
        org.postern.jmap.method.EmailSubmissionMethods.register(api, submitter);
        return this;
    }

    /**
     * Answers Email/query's text conditions from the full-text index, as IMAP SEARCH does; without
     * it (null, or never called) every message is read. Call before serving.
     */
    public JmapHandler searchingWith(org.postern.search.SearchIndex index) {
        org.postern.jmap.method.EmailQuery.register(api, index);
        // RFC 8621 §5: snippets cut from the index's case-preserved text, not by reading each message.
        org.postern.jmap.method.SearchSnippetMethods.register(api, index);
        return this;
    }

    /** How Password/change hashes a new password (the CLI's cost by default; tests make it cheap). */
    public JmapHandler hashingWith(org.postern.auth.PasswordHasher.Cost cost) {
        this.passwords = new org.postern.auth.Passwords(cost);
        return this;
    }

    /** Registers the JMAP endpoints and the browser login (with its bare HTML form) with the HTTP server's router. */
    public void register(Router router) {
        register(router, true);
    }

    /** As {@link #register(Router)}; {@code loginForm} false when a webmail serves GET /login itself. */
    public void register(Router router, boolean loginForm) {
        router.add(WELL_KNOWN, this);
        router.add(PREFIX, this);
        LoginEndpoint login = new LoginEndpoint(requestAuth, json, loginForm);
        router.add(LoginEndpoint.LOGIN, login);
        router.add(LoginEndpoint.LOGOUT, login);
    }

    /** Pending uploads (tests, metrics). */
    Uploads uploads() {
        return uploads;
    }

    /**
     * The account of a request's live browser session (cookie), for the webmail's own pages; Basic
     * credentials are not accepted there, so a page cannot be fetched by anything but the logged-in browser.
     */
    public java.util.Optional<org.postern.store.Account> browserAccount(Request request) {
        return requestAuth.session(request).map(Caller.Browser::account);
    }

    /** The browser sessions (the webmail's login shares them). */
    public WebSessions sessions() {
        return requestAuth.sessions();
    }

    /** Ends open EventSource streams and deletes pending uploads (server shutdown). */
    public void shutdown() {
        sweeper.shutdownNow();
        events.shutdown();
        uploads.dropAll();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        Caller caller = requestAuth.identify(request);
        Account account;
        switch (caller) {
            case Caller.Basic b -> account = b.account();
            case Caller.Browser b -> account = b.account();
            case Caller.Throttled t -> {
                // RFC 6585 §4; the same for every user name, so it tells nothing about accounts.
                RequestAuth.retryAfter(response);
                HttpReplies.problem(response, callback, json, 429, "about:blank", "too many failed logins", null);
                return true;
            }
            case Caller.Anonymous a -> {
                HttpReplies.unauthorized(response, callback, json);
                return true;
            }
        }
        String method = request.getMethod();
        boolean wellKnown = path.equals(WELL_KNOWN) || path.equals(WELL_KNOWN + "/");
        String rest = wellKnown ? "" : path.substring(PREFIX.length());
        boolean webSocket = rest.equals("ws") || rest.equals("ws/");
        Credentials credentials = new SessionCredentials(requestAuth, passwords, account, RequestAuth.client(request),
                caller instanceof Caller.Browser, webSocket ? null : response);
        CallContext ctx = new CallContext(account, store, limits, new java.util.HashMap<>(), uploads, messages, threads,
                credentials);
        if (caller instanceof Caller.Browser b) {
            if (webSocket ? !RequestAuth.webSocketOriginOk(request)
                    : !isSafe(method) && !RequestAuth.csrfOk(request, b.session(), null)) {
                HttpReplies.problem(response, callback, json, 403, "about:blank",
                        webSocket ? "WebSocket upgrade from a foreign origin" : "CSRF token missing or wrong", null);
                return true;
            }
            if (wellKnown) response.getHeaders().put(RequestAuth.CSRF_HEADER, b.session().csrfToken());
        }
        if (wellKnown) {
            if (!method.equals("GET") && !method.equals("HEAD")) return methodNotAllowed(response, callback);
            HttpReplies.json(response, callback, json, 200, SessionResource.of(account, limits, base(request)));
            return true;
        }
        if (rest.equals("api") || rest.equals("api/")) {
            if (!method.equals("POST")) return methodNotAllowed(response, callback);
            api(request, response, callback, ctx);
            return true;
        }
        if (rest.startsWith("upload/")) {
            if (!method.equals("POST")) return methodNotAllowed(response, callback);
            blobs.upload(rest.substring("upload/".length()), request, response, callback, ctx);
            return true;
        }
        if (rest.startsWith("download/")) {
            if (!method.equals("GET") && !method.equals("HEAD")) return methodNotAllowed(response, callback);
            blobs.download(rest.substring("download/".length()), request, response, callback, ctx);
            return true;
        }
        if (webSocket) {
            webSocket(request, response, callback, ctx);
            return true;
        }
        if (rest.equals("eventsource") || rest.equals("eventsource/")) {
            if (!method.equals("GET")) return methodNotAllowed(response, callback);
            events.serve(request, response, callback, ctx);
            return true;
        }
        return false;
    }

    private static boolean isSafe(String method) {
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    private boolean methodNotAllowed(Response response, Callback callback) {
        HttpReplies.problem(response, callback, json, 405, "about:blank", "method not allowed", null);
        return true;
    }

    private void api(Request request, Response response, Callback callback, CallContext ctx) throws IOException {
        AtomicInteger n = running.computeIfAbsent(ctx.account().id(), k -> new AtomicInteger());
        if (n.incrementAndGet() > limits.maxConcurrentRequests()) {
            n.decrementAndGet();
            HttpReplies.problem(response, callback, json, RequestError.limit("maxConcurrentRequests",
                    "too many concurrent requests"));
            return;
        }
        try {
            long declared = request.getLength();
            if (declared > limits.maxSizeRequest()) {
                throw RequestError.limit("maxSizeRequest", "the request is larger than " + limits.maxSizeRequest() + " octets");
            }
            byte[] body = readBounded(Content.Source.asInputStream(request), limits.maxSizeRequest());
            if (body == null) {
                throw RequestError.limit("maxSizeRequest", "the request is larger than " + limits.maxSizeRequest() + " octets");
            }
            HttpReplies.json(response, callback, json, 200, processRequest(json.parse(body), ctx));
        } catch (RequestError e) {
            HttpReplies.problem(response, callback, json, e);
        } finally {
            n.decrementAndGet();
        }
    }

    /**
     * RFC 8887 §4.2: the upgrade needs the "jmap" subprotocol; the connection is already authenticated.
     * Sockets per account are capped like event streams (HOSTILE.md A60).
     */
    private void webSocket(Request request, Response response, Callback callback, CallContext ctx) {
        ServerWebSocketContainer container = ServerWebSocketContainer.get(request.getContext());
        AtomicInteger open = sockets.computeIfAbsent(ctx.account().id(), k -> new AtomicInteger());
        boolean upgraded = container != null && container.upgrade((req, resp, cb) -> {
            if (!req.getSubProtocols().contains("jmap")) {
                resp.setStatus(400);
                cb.succeeded();
                return null;
            }
            if (open.incrementAndGet() > MAX_SOCKETS_PER_ACCOUNT) {
                open.decrementAndGet();
                resp.setStatus(429);
                cb.succeeded();
                return null;
            }
            resp.setAcceptedSubProtocol("jmap");
            return new JmapWebSocket(ctx, this::processRequest, json, open::decrementAndGet);
        }, request, response, callback);
        if (!upgraded) {
            HttpReplies.problem(response, callback, json, 400, "about:blank", "a WebSocket upgrade with subprotocol jmap is required",
                    null);
        }
    }

    /** One JMAP Request object (HTTP body or WebSocket message) to its Response object. */
    private com.fasterxml.jackson.databind.node.ObjectNode processRequest(JsonNode root, CallContext base) throws RequestError {
        JmapRequest req = JmapRequest.of(root, JmapApi.CAPABILITIES, limits);
        CallContext ctx = new CallContext(base.account(), store, limits, JmapApi.newCreatedIds(req), uploads, messages,
                threads, base.credentials());
        return api.process(req, ctx, SessionResource.state(ctx.account()));
    }

    @Override
    public void setServer(org.eclipse.jetty.server.Server server) {
        super.setServer(server);
        ServerWebSocketContainer ws = ServerWebSocketContainer.ensure(server);
        ws.setMaxTextMessageSize(limits.maxSizeRequest());
        ws.setMaxBinaryMessageSize(1024);
        ws.setIdleTimeout(java.time.Duration.ofMinutes(30));
    }

    /** The body, or null when it is longer than max. */
    static byte[] readBounded(InputStream in, long max) throws IOException {
        byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
        return b.length > max ? null : b;
    }

    /** The origin clients reach us at, for the URLs in the session object. */
    private String base(Request request) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (host == null || !HOST.matcher(host).matches()) {
            host = request.getHttpURI().getAuthority();
            if (host == null || !HOST.matcher(host).matches()) host = fallbackHost;
        }
        return "https://" + host;
    }
}
