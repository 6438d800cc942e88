// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.VacationStore.Vacation;

/**
 * VacationResponse/get and /set (RFC 8621 §8): one object per account, id "singleton", which can
 * be neither created nor destroyed. The replies themselves are sent by delivery (RFC 3834), not here.
 */
public final class VacationResponseMethods {
    static final String ID = "singleton";
    static final Set<String> PROPERTIES = Set.of("id", "isEnabled", "fromDate", "toDate", "subject", "textBody", "htmlBody");
    private static final int MAX_TEXT = 64 * 1024;

    private VacationResponseMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.VACATION, "VacationResponse/get", VacationResponseMethods::get);
        api.register(JmapApi.VACATION, "VacationResponse/set", VacationResponseMethods::set);
    }

    static String state(CallContext ctx) {
        return Long.toString(ctx.store().vacation().state(ctx.account().id()));
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ids", "properties"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "ids", ctx.limits().maxObjectsInGet());
        Set<String> props = Args.properties(args, "properties", PROPERTIES, PROPERTIES);
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("state", state(ctx));
        ArrayNode list = out.putArray("list");
        ArrayNode notFound = out.putArray("notFound");
        if (ids == null || ids.contains(ID)) list.add(view(ctx.store().vacation().get(ctx.account().id()), props));
        // RFC 8620 §5.1: an id asked for twice is answered once.
        if (ids != null) ids.stream().filter(i -> !i.equals(ID)).distinct().forEach(notFound::add);
        return out;
    }

    private static ObjectNode view(Vacation v, Set<String> props) {
        ObjectNode o = Json.object();
        o.put("id", ID);
        if (props.contains("isEnabled")) o.put("isEnabled", v.enabled());
        if (props.contains("fromDate")) putDate(o, "fromDate", v.fromDate());
        if (props.contains("toDate")) putDate(o, "toDate", v.toDate());
        if (props.contains("subject")) o.put("subject", v.subject());
        if (props.contains("textBody")) o.put("textBody", v.textBody());
        if (props.contains("htmlBody")) o.put("htmlBody", v.htmlBody());
        return o;
    }

    private static void putDate(ObjectNode o, String name, Instant t) {
        if (t == null) o.putNull(name);
        else o.put(name, EmailSubmissionMethods.utc(t));
    }

    static ObjectNode set(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ifInState", "create", "update", "destroy"));
        ctx.checkAccount(args);
        String oldState = state(ctx);
        String ifInState = Args.string(args, "ifInState");
        if (ifInState != null && !ifInState.equals(oldState)) throw MethodError.stateMismatch();
        ObjectNode create = Args.object(args, "create");
        ObjectNode update = Args.object(args, "update");
        List<String> destroy = Args.ids(args, "destroy", ctx.limits().maxObjectsInSet());
        SetResult r = new SetResult();
        SetErrors.refuseSingletonCreateAndDestroy(create, destroy, r, "VacationResponse");
        if (update != null) {
            if (update.size() > ctx.limits().maxObjectsInSet()) throw MethodError.requestTooLarge("too many objects in one set");
            for (Map.Entry<String, JsonNode> e : update.properties()) {
                if (!e.getKey().equals(ID)) {
                    r.notUpdated(e.getKey(), SetErrors.of("notFound", null));
                    continue;
                }
                if (!e.getValue().isObject()) {
                    r.notUpdated(ID, SetErrors.invalidProperties("the patch must be an object", List.of()));
                    continue;
                }
                try {
                    Vacation v = patch(ctx.store().vacation().get(ctx.account().id()), (ObjectNode) e.getValue());
                    ctx.store().vacation().put(ctx.account().id(), v);
                    r.updated(ID);
                } catch (IdentityMethods.Invalid x) {
                    r.notUpdated(ID, SetErrors.invalidProperties(x.getMessage(), List.of(x.property)));
                }
            }
        }
        return r.toJson(ctx.accountId(), oldState, state(ctx));
    }

    private static Vacation patch(Vacation v, ObjectNode patch) throws IdentityMethods.Invalid {
        boolean enabled = v.enabled();
        Instant from = v.fromDate();
        Instant to = v.toDate();
        String subject = v.subject();
        String text = v.textBody();
        String html = v.htmlBody();
        for (Map.Entry<String, JsonNode> p : patch.properties()) {
            String k = p.getKey();
            JsonNode n = p.getValue();
            switch (k) {
                case "isEnabled" -> {
                    if (!n.isBoolean()) throw new IdentityMethods.Invalid(k, "isEnabled must be a boolean");
                    enabled = n.asBoolean();
                }
                case "fromDate" -> from = date(k, n);
                case "toDate" -> to = date(k, n);
                case "subject" -> subject = text(k, n);
                case "textBody" -> text = text(k, n);
                case "htmlBody" -> html = text(k, n);
                case "id" -> {
                    if (!n.isTextual() || !n.asText().equals(ID)) throw new IdentityMethods.Invalid(k, "id is immutable");
                }
                default -> throw new IdentityMethods.Invalid(k, "unknown property");
            }
        }
        return new Vacation(enabled, from, to, subject, text, html);
    }

    /** A UTCDate (RFC 8620 §1.4) or null. */
    private static Instant date(String name, JsonNode n) throws IdentityMethods.Invalid {
        if (n.isNull()) return null;
        if (!n.isTextual()) throw new IdentityMethods.Invalid(name, name + " must be a UTCDate or null");
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            throw new IdentityMethods.Invalid(name, name + " must be a UTCDate or null");
        }
    }

    private static String text(String name, JsonNode n) throws IdentityMethods.Invalid {
        if (n.isNull()) return null;
        if (!n.isTextual() || n.asText().length() > MAX_TEXT) throw new IdentityMethods.Invalid(name, name + " must be a string");
        return n.asText();
    }
}
