// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.postern.auth.AuthResult;
import org.postern.auth.Authenticator;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.postern.http.Router;
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
 * upload and download (§6) and the EventSource push endpoint (§7.3) under /jmap/. Every endpoint
 * needs HTTP Basic credentials (RFC 7617), checked by the shared {@link Authenticator} with its
 * throttling; HTTPS is guaranteed by the server in front (plain HTTP only redirects).
 */
public final class JmapHandler extends Handler.Abstract {
    public static final String WELL_KNOWN = "/.well-known/jmap";
    public static final String PREFIX = "/jmap/";
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}\\](:[0-9]{1,5})?");

    private final MailStore store;
    private final Authenticator auth;
    private final JmapLimits limits;
    private final Json json;
    private final JmapApi api = new JmapApi();
    private final Uploads uploads;
    private final MessageCache messages;
    private final SnapshotCache snapshots = new SnapshotCache(2_000_000);
    private final BlobEndpoints blobs;
    private final EventSourceEndpoint events;
    private final Map<Long, AtomicInteger> running = new ConcurrentHashMap<>();
    private final String fallbackHost;

    public JmapHandler(MailStore store, Authenticator auth, JmapLimits limits, String hostname) {
        this.store = store;
        this.auth = auth;
        this.limits = limits;
        this.json = new Json(limits);
        this.fallbackHost = hostname;
        this.uploads = new Uploads(Clock.systemUTC());
        this.messages = new MessageCache(store.blobs(), 64L << 20);
        CoreMethods.register(api);
        MailboxMethods.register(api);
        EmailMethods.register(api);
        ThreadMethods.register(api);
        IdentityMethods.register(api);
        SearchSnippetMethods.register(api);
        this.blobs = new BlobEndpoints(json, limits, uploads);
        this.events = new EventSourceEndpoint(json, store);
    }

    /** Registers the JMAP endpoints with the HTTP server's router. */
    public void register(Router router) {
        router.add(WELL_KNOWN, this);
        router.add(PREFIX, this);
    }

    /** Ends open EventSource streams (server shutdown). */
    public void shutdown() {
        events.shutdown();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        Optional<Account> account = authenticate(request);
        if (account.isEmpty()) {
            HttpReplies.unauthorized(response, callback, json);
            return true;
        }
        CallContext ctx = new CallContext(account.get(), store, limits, new java.util.HashMap<>(), uploads, messages,
                snapshots);
        String method = request.getMethod();
        if (path.equals(WELL_KNOWN) || path.equals(WELL_KNOWN + "/")) {
            if (!method.equals("GET") && !method.equals("HEAD")) return methodNotAllowed(response, callback);
            HttpReplies.json(response, callback, json, 200, SessionResource.of(account.get(), limits, base(request)));
            return true;
        }
        String rest = path.substring(PREFIX.length());
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
        if (rest.equals("ws") || rest.equals("ws/")) {
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

    /** RFC 8887 §4.2: the upgrade needs the "jmap" subprotocol; the connection is already authenticated. */
    private void webSocket(Request request, Response response, Callback callback, CallContext ctx) {
        ServerWebSocketContainer container = ServerWebSocketContainer.get(request.getContext());
        boolean upgraded = container != null && container.upgrade((req, resp, cb) -> {
            if (!req.getSubProtocols().contains("jmap")) {
                resp.setStatus(400);
                cb.succeeded();
                return null;
            }
            resp.setAcceptedSubProtocol("jmap");
            return new JmapWebSocket(ctx, this::processRequest, json);
        }, request, response, callback);
        if (!upgraded) {
            HttpReplies.problem(response, callback, json, 400, "about:blank", "a WebSocket upgrade with subprotocol jmap is required",
                    null);
        }
    }

    /** One JMAP Request object (HTTP body or WebSocket message) to its Response object. */
    private com.fasterxml.jackson.databind.node.ObjectNode processRequest(JsonNode root, CallContext base) throws RequestError {
        JmapRequest req = JmapRequest.of(root, JmapApi.CAPABILITIES, limits);
        CallContext ctx = new CallContext(base.account(), store, limits, JmapApi.newCreatedIds(req), uploads, messages, snapshots);
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

    private Optional<Account> authenticate(Request request) {
        var creds = BasicAuth.parse(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (creds.isEmpty()) return Optional.empty();
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        InetAddress client = remote instanceof InetSocketAddress isa ? isa.getAddress() : InetAddress.getLoopbackAddress();
        AuthResult r = auth.authenticate(creds.get().user(), creds.get().password(), client);
        return r instanceof AuthResult.Success s ? Optional.of(s.account()) : Optional.empty();
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
