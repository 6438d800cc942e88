// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.jmap.proto.JmapRequest;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.jmap.proto.ResultReferences;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the method calls of one request in order (RFC 8620 §3.4, §3.5): resolves result references
 * against the responses so far, checks the method's capability is in "using", and turns every failure
 * into a method-level error so one bad call never fails the request.
 */
public final class JmapApi {
    private static final Logger log = LoggerFactory.getLogger(JmapApi.class);
    public static final String CORE = "urn:ietf:params:jmap:core";
    public static final String MAIL = "urn:ietf:params:jmap:mail";
    public static final String SUBMISSION = "urn:ietf:params:jmap:submission";
    public static final String WEBSOCKET = "urn:ietf:params:jmap:websocket";
    public static final String VACATION = "urn:ietf:params:jmap:vacationresponse";
    /** Postern's own: account settings and password change for the webmail (a vendor URI, RFC 8620 §2). */
    public static final String SETTINGS = "urn:postern:params:jmap:settings";
    public static final Set<String> CAPABILITIES = Set.of(CORE, MAIL, SUBMISSION, WEBSOCKET, VACATION, SETTINGS);
    /** Key under which a method leaves an implicit follow-up response. */
    private static final String IMPLICIT = "\u0000implicit";

    /** Only this class marks a follow-up: client JSON echoed back (Core/echo) can never be one. */
    private static final class Implicit extends ObjectNode {
        Implicit() {
            super(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance);
        }
    }

    /**
     * Attaches a response that must follow {@code result} with the same call id: RFC 8621 §7.5's
     * implicit Email/set after EmailSubmission/set.
     */
    public static void addImplicitResponse(ObjectNode result, String name, ObjectNode arguments) {
        Implicit implicit = new Implicit();
        implicit.put("name", name);
        implicit.set("arguments", arguments);
        result.set(IMPLICIT, implicit);
    }

    private record Registered(String capability, JmapMethod method) {}

    private final Map<String, Registered> methods = new HashMap<>();

    public JmapApi register(String capability, String name, JmapMethod method) {
        methods.put(name, new Registered(capability, method));
        return this;
    }

    /** The Response object (§3.4) for a checked request. */
    public ObjectNode process(JmapRequest request, CallContext ctx, String sessionState) {
        List<ResultReferences.Response> done = new ArrayList<>();
        ArrayNode out = Json.array();
        for (JmapRequest.Invocation inv : request.methodCalls()) {
            String name = inv.name();
            ObjectNode result;
            try {
                Registered r = methods.get(name);
                // §3.6.2: a method of a capability the client did not ask for is unknown too.
                if (r == null || !request.using().contains(r.capability())) throw MethodError.unknownMethod(name);
                ObjectNode args = ResultReferences.resolve(inv.arguments(), done);
                result = r.method().call(args, ctx);
            } catch (MethodError e) {
                name = "error";
                result = error(e);
            } catch (StoreException.Unavailable e) {
                name = "error";
                result = error(new MethodError("serverUnavailable", "the store is temporarily unavailable"));
            } catch (RuntimeException e) {
                log.warn("JMAP method {} failed", inv.name(), e);
                name = "error";
                result = error(new MethodError("serverFail", "internal error"));
            }
            com.fasterxml.jackson.databind.JsonNode implicit = result.get(IMPLICIT) instanceof Implicit i ? i : null;
            if (implicit != null) result.remove(IMPLICIT);
            done.add(new ResultReferences.Response(name, result, inv.callId()));
            ArrayNode triple = out.addArray();
            triple.add(name).add(result).add(inv.callId());
            if (implicit != null) {
                String n = implicit.get("name").asText();
                ObjectNode a = (ObjectNode) implicit.get("arguments");
                done.add(new ResultReferences.Response(n, a, inv.callId()));
                out.addArray().add(n).add(a).add(inv.callId());
            }
        }
        ObjectNode response = Json.object();
        response.set("methodResponses", out);
        if (request.createdIds() != null) {
            ObjectNode c = response.putObject("createdIds");
            ctx.createdIds().forEach(c::put);
        }
        response.put("sessionState", sessionState);
        return response;
    }

    private static ObjectNode error(MethodError e) {
        ObjectNode o = Json.object();
        o.put("type", e.type());
        if (e.getMessage() != null) o.put("description", e.getMessage());
        e.extra().forEach((k, v) -> {
            if (v instanceof Iterable<?> items) {
                ArrayNode a = o.putArray(k);
                for (Object i : items) a.add(String.valueOf(i));
            } else {
                o.put(k, String.valueOf(v));
            }
        });
        return o;
    }

    public static Map<String, String> newCreatedIds(JmapRequest r) {
        return r.createdIds() == null ? new HashMap<>() : new HashMap<>(r.createdIds());
    }
}
