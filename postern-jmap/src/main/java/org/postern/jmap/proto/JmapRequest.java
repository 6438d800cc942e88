// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.proto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JMAP Request object (RFC 8620 §3.3), checked for shape, capabilities and the call count.
 *
 * @param createdIds the client's creation id map, or null when the request had none (then the
 *     response has none either, §3.4)
 */
public record JmapRequest(List<String> using, List<Invocation> methodCalls, Map<String, String> createdIds) {
    /** One method call: name, arguments, call id (RFC 8620 §3.2). */
    public record Invocation(String name, ObjectNode arguments, String callId) {}

    /**
     * @param capabilities the capability URIs this server supports
     * @throws RequestError notRequest, unknownCapability or limit (maxCallsInRequest)
     */
    public static JmapRequest of(JsonNode root, Set<String> capabilities, JmapLimits limits) throws RequestError {
        if (!(root instanceof ObjectNode o)) throw RequestError.notRequest("the request must be a JSON object");
        JsonNode using = o.get("using");
        JsonNode calls = o.get("methodCalls");
        if (using == null || !using.isArray()) throw RequestError.notRequest("'using' must be an array of strings");
        if (calls == null || !calls.isArray()) throw RequestError.notRequest("'methodCalls' must be an array");
        List<String> u = new ArrayList<>();
        for (JsonNode n : using) {
            if (!n.isTextual()) throw RequestError.notRequest("'using' must be an array of strings");
            u.add(n.asText());
        }
        // RFC 8620 §3.6.1: the limit check comes before the calls are even looked at.
        if (calls.size() > limits.maxCallsInRequest()) {
            throw RequestError.limit("maxCallsInRequest", "at most " + limits.maxCallsInRequest() + " method calls per request");
        }
        List<Invocation> inv = new ArrayList<>();
        for (JsonNode c : calls) {
            if (!c.isArray() || c.size() != 3 || !c.get(0).isTextual() || !c.get(1).isObject() || !c.get(2).isTextual()) {
                throw RequestError.notRequest("each method call must be [name, arguments, callId]");
            }
            inv.add(new Invocation(c.get(0).asText(), (ObjectNode) c.get(1), c.get(2).asText()));
        }
        Map<String, String> created = null;
        JsonNode cid = o.get("createdIds");
        if (cid != null && !cid.isNull()) {
            if (!cid.isObject()) throw RequestError.notRequest("'createdIds' must be an object");
            created = new LinkedHashMap<>();
            for (var e : cid.properties()) {
                if (!e.getValue().isTextual()) throw RequestError.notRequest("'createdIds' values must be ids");
                created.put(e.getKey(), e.getValue().asText());
            }
        }
        for (String cap : u) {
            if (!capabilities.contains(cap)) throw RequestError.unknownCapability("unsupported capability " + cap);
        }
        return new JmapRequest(List.copyOf(u), List.copyOf(inv), created);
    }
}
