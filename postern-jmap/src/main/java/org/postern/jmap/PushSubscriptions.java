// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;

/**
 * PushSubscription/get and /set (RFC 8620 §7.2) answered without ever contacting a URL: no
 * subscription exists and creating one is refused with a "forbidden" SetError (§5.3).
 *
 * <p>Why: a push subscription makes this server POST to any URL a client names, which is a request
 * forgery tool (SSRF into the server's own network: http://169.254.169.254/, 127.0.0.1:25, HOSTILE.md
 * A60) and a flooding tool against third parties (§7.2, §8.7). Doing it safely needs an outbound
 * HTTP client pinned to the address it checked (against DNS rebinding), private-range refusal at
 * send time, no redirects, the verification flow and per-user caps; clients of this server get the
 * same push over EventSource (§7.3) and WebSocket (RFC 8887), which need none of that. Clients must
 * cope with refusal (§7.2.2 lets a server refuse any subscription).
 */
final class PushSubscriptions {
    static final String REFUSAL = "push to client-supplied URLs is disabled on this server; use the EventSource or "
            + "WebSocket push instead";
    /** Bounds the echoed maps, like maxObjectsInSet. */
    private static final int MAX_ENTRIES = 500;

    private PushSubscriptions() {}

    static void register(JmapApi api) {
        api.register(JmapApi.CORE, "PushSubscription/get", PushSubscriptions::get);
        api.register(JmapApi.CORE, "PushSubscription/set", PushSubscriptions::set);
    }

    /** §7.2.1: no accountId and no state; every requested id is notFound. */
    private static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        JsonNode ids = args.get("ids");
        if (ids != null && !ids.isNull() && !ids.isArray()) throw MethodError.invalidArguments("ids must be an array or null");
        if (ids != null && ids.size() > ctx.limits().maxObjectsInGet()) throw new MethodError("requestTooLarge", "too many ids");
        ObjectNode r = Json.object();
        r.putArray("list");
        var notFound = r.putArray("notFound");
        if (ids != null && ids.isArray()) for (JsonNode id : ids) notFound.add(id.asText());
        return r;
    }

    /** §7.2.2: no accountId, ifInState, oldState or newState in the response. */
    private static ObjectNode set(ObjectNode args, CallContext ctx) throws MethodError {
        ObjectNode r = Json.object();
        r.putNull("created");
        r.putNull("updated");
        r.putNull("destroyed");
        int n = size(args.get("create")) + size(args.get("update")) + size(args.get("destroy"));
        if (n > Math.min(MAX_ENTRIES, ctx.limits().maxObjectsInSet())) throw new MethodError("requestTooLarge", "too many objects");
        ObjectNode notCreated = objectArg(args, "create") ? r.putObject("notCreated") : null;
        if (notCreated != null) {
            for (Iterator<String> it = args.get("create").fieldNames(); it.hasNext();) {
                notCreated.set(it.next(), setError("forbidden", REFUSAL));
            }
        } else {
            r.putNull("notCreated");
        }
        ObjectNode notUpdated = objectArg(args, "update") ? r.putObject("notUpdated") : null;
        if (notUpdated != null) {
            for (Iterator<String> it = args.get("update").fieldNames(); it.hasNext();) {
                notUpdated.set(it.next(), setError("notFound", null));
            }
        } else {
            r.putNull("notUpdated");
        }
        JsonNode destroy = args.get("destroy");
        if (destroy != null && !destroy.isNull() && !destroy.isArray()) throw MethodError.invalidArguments("destroy must be an array");
        if (destroy != null && destroy.isArray() && !destroy.isEmpty()) {
            ObjectNode notDestroyed = r.putObject("notDestroyed");
            for (JsonNode id : destroy) notDestroyed.set(id.asText(), setError("notFound", null));
        } else {
            r.putNull("notDestroyed");
        }
        return r;
    }

    private static boolean objectArg(ObjectNode args, String name) throws MethodError {
        JsonNode v = args.get(name);
        if (v == null || v.isNull()) return false;
        if (!v.isObject()) throw MethodError.invalidArguments(name + " must be an object");
        return !v.isEmpty();
    }

    private static int size(JsonNode n) {
        return n == null ? 0 : n.size();
    }

    private static ObjectNode setError(String type, String description) {
        ObjectNode e = Json.object();
        e.put("type", type);
        if (description != null) e.put("description", description);
        return e;
    }
}
