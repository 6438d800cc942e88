// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.postern.jmap.method.States;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.RequestError;
import org.postern.store.ChangeEvent;

/**
 * JMAP over WebSocket (RFC 8887): Request objects in, Response or RequestError objects out (§4.3),
 * and StateChange pushes after WebSocketPushEnable (§4.3.5). Messages are handled one at a time, in
 * order, on a virtual thread, never on Jetty's I/O thread; the change feed listener only wakes the
 * pusher. At most {@link #MAX_QUEUED} messages wait to be handled; a client that sends faster than
 * its requests are answered is closed with 1008 (policy violation, RFC 6455 §7.4.1), so queued
 * requests cannot pile up in memory.
 */
public final class JmapWebSocket implements Session.Listener.AutoDemanding {
    interface Processor {
        ObjectNode process(JsonNode request, CallContext ctx) throws RequestError;
    }

    static final int MAX_QUEUED = 8;

    private final CallContext ctx;
    private final Processor processor;
    private final Runnable onEnd;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final Json json;
    private final Semaphore wake = new Semaphore(0);
    private volatile Session session;
    private volatile Set<String> pushTypes;
    private volatile AutoCloseable subscription;
    private volatile Thread pusher;
    private final Object sendLock = new Object();
    /** Messages are handled in arrival order (a push enable before a request takes effect first). */
    private final java.util.concurrent.ExecutorService inbox =
            java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofVirtual().name("jmap-ws").factory());

    JmapWebSocket(CallContext ctx, Processor processor, Json json, Runnable onEnd) {
        this.ctx = ctx;
        this.processor = processor;
        this.json = json;
        this.onEnd = onEnd;
    }

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
    }

    @Override
    public void onWebSocketText(String text) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            Session s = session;
            if (s != null) s.close(1008, "too many requests in flight", Callback.NOOP);
            return;
        }
        try {
            inbox.execute(() -> {
                try {
                    handle(text);
                } finally {
                    queued.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the socket is closing
        }
    }

    private void handle(String text) {
        JsonNode msg;
        try {
            msg = json.parse(text.getBytes(StandardCharsets.UTF_8));
        } catch (RequestError e) {
            send(error(e, null));
            return;
        }
        String type = msg.path("@type").asText("");
        String id = msg.path("id").isTextual() ? msg.get("id").asText() : null;
        switch (type) {
            case "Request" -> {
                try {
                    ObjectNode r = processor.process(msg, ctx);
                    ObjectNode out = Json.object();
                    out.put("@type", "Response");
                    if (id != null) out.put("requestId", id);
                    out.setAll(r);
                    send(out);
                } catch (RequestError e) {
                    send(error(e, id));
                }
            }
            case "WebSocketPushEnable" -> enablePush(msg.get("dataTypes"), msg.path("pushState").asText(null));
            case "WebSocketPushDisable" -> disablePush();
            default -> send(error(RequestError.notRequest("unknown @type"), id));
        }
    }

    /**
     * RFC 8887 §4.3.5: with the pushState of an earlier StateChange, every type whose state moved since
     * is pushed at once, so a client that reconnects misses nothing.
     */
    private void enablePush(JsonNode dataTypes, String pushState) {
        Set<String> types = new LinkedHashSet<>();
        if (dataTypes == null || dataTypes.isNull()) types.addAll(EventSourceEndpoint.TYPES);
        else for (JsonNode t : dataTypes) if (EventSourceEndpoint.TYPES.contains(t.asText())) types.add(t.asText());
        pushTypes = types;
        if (pusher != null) return;
        Map<String, String> since = PushStates.decode(pushState);
        // The feed announces every pushed type whoever changed it (RFC 8620 §7); the types are read at
        // each event, so a later enable with other dataTypes takes effect without subscribing again.
        subscription = ctx.store().changes().subscribe(ctx.account().id(), (ChangeEvent e) -> {
            Set<String> t = pushTypes;
            if (t != null && EventSourceEndpoint.concerns(e, t)) wake.release();
        });
        // The baseline is taken before the next message is handled: a change made after the client saw
        // its enable take effect must be pushed, whenever the pusher thread gets to run.
        Map<String, String> baseline = states();
        if (since != null) {
            // Types the client's pushState does not name are taken as they are now.
            Map<String, String> merged = new HashMap<>(baseline);
            since.forEach((k, v) -> {
                if (merged.containsKey(k)) merged.put(k, v);
            });
            baseline = merged;
            wake.release();
        }
        Map<String, String> start = baseline;
        // Assigned before it starts: the loop runs only while it is the current pusher.
        Thread t = Thread.ofVirtual().name("jmap-ws-push").unstarted(() -> pushLoop(start));
        pusher = t;
        t.start();
    }

    private void disablePush() {
        Thread p = pusher;
        pusher = null;
        closeSubscription();
        if (p != null) p.interrupt();
    }

    private void pushLoop(Map<String, String> last) {
        try {
            while (pusher == Thread.currentThread() && session != null && session.isOpen()) {
                if (!wake.tryAcquire(1, TimeUnit.SECONDS)) continue;
                wake.drainPermits();
                Map<String, String> now = states();
                ObjectNode changed = Json.object();
                now.forEach((k, v) -> {
                    if (!v.equals(last.get(k))) changed.put(k, v);
                });
                if (changed.isEmpty()) continue;
                last.putAll(now);
                ObjectNode sc = Json.object();
                sc.put("@type", "StateChange");
                sc.putObject("changed").set(ctx.accountId(), changed);
                sc.put("pushState", PushStates.encode(last));
                send(sc);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, String> states() {
        Set<String> types = pushTypes == null ? Set.of() : pushTypes;
        return new HashMap<>(States.of(ctx, types));
    }

    private ObjectNode error(RequestError e, String requestId) {
        ObjectNode o = Json.object();
        o.put("@type", "RequestError");
        if (requestId != null) o.put("requestId", requestId);
        o.put("type", e.type());
        o.put("status", e.status());
        if (e.getMessage() != null) o.put("detail", e.getMessage());
        if (e.limitName() != null) o.put("limit", e.limitName());
        return o;
    }

    private void send(ObjectNode o) {
        Session s = session;
        if (s == null || !s.isOpen()) return;
        String text = new String(json.write(o), StandardCharsets.UTF_8);
        synchronized (sendLock) {
            Callback.Completable done = new Callback.Completable();
            s.sendText(text, done);
            try {
                done.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                s.disconnect();
            }
        }
    }

    @Override
    public void onWebSocketClose(int status, String reason, Callback callback) {
        end();
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        end();
    }

    private void end() {
        session = null;
        inbox.shutdownNow();
        disablePush();
        if (ended.compareAndSet(false, true)) onEnd.run();
    }

    private void closeSubscription() {
        AutoCloseable s = subscription;
        subscription = null;
        if (s != null) {
            try {
                s.close();
            } catch (Exception ignored) {
                // the feed is going away anyway
            }
        }
    }
}
