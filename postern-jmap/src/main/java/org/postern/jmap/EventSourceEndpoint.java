// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.postern.jmap.method.States;
import org.postern.jmap.proto.Json;
import org.postern.store.ChangeEvent;
import org.postern.store.MailStore;

/**
 * Push over EventSource (RFC 8620 §7.3): a "state" event carrying a StateChange object (§7.1) each
 * time a state of the account moves (every type of {@link States}), and "ping" events at the
 * interval the client asked for (clamped). The store's change feed announces every type whoever
 * changed it (this server's JMAP or IMAP, the CLI, the queue, another node), within a second, so the
 * feed alone drives the stream; events of kinds no pushed type follows are not even looked at. The
 * stream runs on its own virtual thread; the feed listener only wakes it (ChangeFeed listeners must
 * never write to a socket).
 * Streams are capped per account and in total (HOSTILE.md A60).
 */
final class EventSourceEndpoint {
    static final int MAX_PER_ACCOUNT = 16;
    static final int MAX_TOTAL = 10_000;
    static final int MIN_PING = 5;
    static final int MAX_PING = 300;
    /** Without pings, a comment line this often finds dead connections, so their slots are freed. */
    static final long KEEPALIVE_NANOS = 30_000_000_000L;
    static final Set<String> TYPES = States.TYPES;

    private final Json json;
    private final MailStore store;
    private final Semaphore total = new Semaphore(MAX_TOTAL);
    private final Map<Long, AtomicInteger> perAccount = new ConcurrentHashMap<>();
    private volatile boolean closing;

    EventSourceEndpoint(Json json, MailStore store) {
        this.json = json;
        this.store = store;
    }

    /**
     * Whether an event can move a state of {@code types}: annotations only for Settings (the webmail's
     * preferences are a /private server entry); every other kind maps to its type. Messages and
     * mailboxes move Email, Thread, Mailbox and EmailDelivery alike; an account-wide event (a feed
     * resync) may have moved anything.
     */
    static boolean concerns(ChangeEvent e, Set<String> types) {
        return switch (e.kind()) {
            case MESSAGES, MAILBOXES -> e.mailboxId() == 0 || types.contains("Email") || types.contains("Thread")
                    || types.contains("Mailbox") || types.contains("EmailDelivery");
            case ACCOUNT -> true;
            case IDENTITIES -> types.contains("Identity");
            case SUBMISSIONS -> types.contains("EmailSubmission");
            case VACATION -> types.contains("VacationResponse");
            case SETTINGS -> types.contains("Settings");
            case METADATA -> types.contains("Settings") && e.entry().scope().mailboxId() == 0
                    && e.entry().name().startsWith("/private/");
        };
    }

    void shutdown() {
        closing = true;
    }

    @SuppressWarnings("try") // the subscription is held open for the stream's lifetime, not used
    void serve(Request request, Response response, Callback callback, CallContext ctx) throws Exception {
        Fields q = Request.extractQueryParameters(request);
        Set<String> types = new LinkedHashSet<>();
        String t = q.getValue("types");
        if (t == null || t.equals("*")) types.addAll(TYPES);
        else for (String s : t.split(",", 20)) if (TYPES.contains(s.strip())) types.add(s.strip());
        boolean closeAfterState = "state".equals(q.getValue("closeafter"));
        int ping;
        try {
            ping = Integer.parseInt(q.getValue("ping") == null ? "0" : q.getValue("ping"));
        } catch (NumberFormatException e) {
            HttpReplies.problem(response, callback, json, 400, "about:blank", "ping must be a number", null);
            return;
        }
        // §7.3: a server MAY raise a too-small interval; 0 means no pings.
        if (ping > 0) ping = Math.max(MIN_PING, Math.min(MAX_PING, ping));
        long acc = ctx.account().id();
        AtomicInteger mine = perAccount.computeIfAbsent(acc, k -> new AtomicInteger());
        if (mine.incrementAndGet() > MAX_PER_ACCOUNT || !total.tryAcquire()) {
            mine.decrementAndGet();
            HttpReplies.problem(response, callback, json, 429, "about:blank", "too many event streams", null);
            return;
        }
        Semaphore wake = new Semaphore(0);
        try (AutoCloseable sub = store.changes().subscribe(acc, (ChangeEvent e) -> {
            if (concerns(e, types)) wake.release();
        })) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
            Map<String, String> last = states(ctx, types);
            write(response, ": postern\n\n");
            long pingNanos = ping * 1_000_000_000L;
            long nextPing = System.nanoTime() + pingNanos;
            long nextKeepalive = System.nanoTime() + KEEPALIVE_NANOS;
            while (!closing) {
                long waitMs = ping > 0 ? Math.max(1, (nextPing - System.nanoTime()) / 1_000_000) : 1000;
                if (wake.tryAcquire(Math.min(waitMs, 1000), TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                    Map<String, String> now = states(ctx, types);
                    Map<String, String> changed = new HashMap<>();
                    now.forEach((k, v) -> {
                        if (!v.equals(last.get(k))) changed.put(k, v);
                    });
                    if (!changed.isEmpty()) {
                        last.putAll(now);
                        ObjectNode sc = Json.object();
                        sc.put("@type", "StateChange");
                        ObjectNode perType = sc.putObject("changed").putObject(ctx.accountId());
                        changed.forEach(perType::put);
                        write(response, "event: state\ndata: " + new String(json.write(sc), StandardCharsets.UTF_8) + "\n\n");
                        if (closeAfterState) break;
                    }
                }
                if (ping > 0 && System.nanoTime() - nextPing >= 0) {
                    write(response, "event: ping\ndata: {\"interval\":" + ping + "}\n\n");
                    nextPing = System.nanoTime() + pingNanos;
                } else if (ping == 0 && System.nanoTime() - nextKeepalive >= 0) {
                    write(response, ":\n\n"); // a comment: not an event (HTML Living Standard §9.2.6)
                    nextKeepalive = System.nanoTime() + KEEPALIVE_NANOS;
                }
            }
            response.write(true, null, callback);
        } catch (Exception e) {
            callback.failed(e);
        } finally {
            mine.decrementAndGet();
            total.release();
        }
    }

    private Map<String, String> states(CallContext ctx, Set<String> types) {
        return new HashMap<>(States.of(ctx, types));
    }

    private static void write(Response response, String s) throws java.io.IOException {
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(false, ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), cb);
            cb.block();
        }
    }
}
