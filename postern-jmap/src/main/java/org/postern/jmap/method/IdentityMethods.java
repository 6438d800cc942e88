// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.IdentityStore.Identity;

/**
 * Identity/get, /changes and /set (RFC 8621 §6). Every account has a default identity with its own
 * address that cannot be deleted; more may be created for addresses the account may send as (the
 * same ownership rule as SMTP submission, asked of the {@link MailSubmitter}).
 */
public final class IdentityMethods {
    static final String PREFIX = "i";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_TEXT = 64 * 1024;
    private static final int MAX_ADDRESSES = 100;
    static final Set<String> PROPERTIES = Set.of("id", "name", "email", "replyTo", "bcc", "textSignature", "htmlSignature",
            "mayDelete");
    private static final Set<String> WRITABLE = Set.of("name", "email", "replyTo", "bcc", "textSignature", "htmlSignature");

    private final MailSubmitter submitter;

    private IdentityMethods(MailSubmitter submitter) {
        this.submitter = submitter;
    }

    public static void register(JmapApi api) {
        register(api, MailSubmitter.UNAVAILABLE);
    }

    public static void register(JmapApi api, MailSubmitter submitter) {
        IdentityMethods m = new IdentityMethods(submitter);
        api.register(JmapApi.SUBMISSION, "Identity/get", m::get);
        api.register(JmapApi.SUBMISSION, "Identity/changes", (a, c) -> StoreChanges.changes(a, c,
                c.store().identities()::changes, PREFIX));
        api.register(JmapApi.SUBMISSION, "Identity/set", m::set);
    }

    static List<Identity> all(CallContext ctx) {
        return ctx.store().identities().list(ctx.account().id(), ctx.account().address());
    }

    static Optional<Identity> find(CallContext ctx, String id) {
        long n = StoreChanges.idOf(ctx.resolveId(id), PREFIX);
        if (n < 0) return Optional.empty();
        all(ctx); // the default identity exists before anything refers to it
        return ctx.store().identities().get(ctx.account().id(), n);
    }

    static String state(CallContext ctx) {
        return Long.toString(ctx.store().identities().state(ctx.account().id()));
    }

    ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ids", "properties"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "ids", ctx.limits().maxObjectsInGet());
        Set<String> props = Args.properties(args, "properties", PROPERTIES, PROPERTIES);
        List<Identity> list = all(ctx);
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("state", state(ctx));
        ArrayNode found = out.putArray("list");
        ArrayNode notFound = out.putArray("notFound");
        if (ids == null) {
            for (Identity i : list) found.add(view(i, props));
        } else {
            for (String id : ids) {
                long n = StoreChanges.idOf(ctx.resolveId(id), PREFIX);
                Optional<Identity> i = list.stream().filter(x -> x.id() == n).findFirst();
                if (i.isPresent()) found.add(view(i.get(), props));
                else notFound.add(id);
            }
        }
        return out;
    }

    static ObjectNode view(Identity i, Set<String> props) {
        ObjectNode o = Json.object();
        o.put("id", PREFIX + i.id()); // §5.1: id is always returned
        if (props.contains("name")) o.put("name", i.name());
        if (props.contains("email")) o.put("email", i.email());
        if (props.contains("replyTo")) o.set("replyTo", addresses(i.replyTo()));
        if (props.contains("bcc")) o.set("bcc", addresses(i.bcc()));
        if (props.contains("textSignature")) o.put("textSignature", i.textSignature());
        if (props.contains("htmlSignature")) o.put("htmlSignature", i.htmlSignature());
        if (props.contains("mayDelete")) o.put("mayDelete", i.mayDelete());
        return o;
    }

    private static JsonNode addresses(String stored) {
        if (stored == null) return NullNode.instance;
        try {
            return MAPPER.readTree(stored);
        } catch (JsonProcessingException e) {
            return NullNode.instance;
        }
    }

    ObjectNode set(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ifInState", "create", "update", "destroy"));
        ctx.checkAccount(args);
        all(ctx);
        String oldState = state(ctx);
        String ifInState = Args.string(args, "ifInState");
        if (ifInState != null && !ifInState.equals(oldState)) throw MethodError.stateMismatch();
        ObjectNode create = Args.object(args, "create");
        ObjectNode update = Args.object(args, "update");
        List<String> destroy = Args.ids(args, "destroy", ctx.limits().maxObjectsInSet());
        int count = (create == null ? 0 : create.size()) + (update == null ? 0 : update.size()) + (destroy == null ? 0 : destroy.size());
        if (count > ctx.limits().maxObjectsInSet()) throw MethodError.requestTooLarge("too many objects in one set");
        long acc = ctx.account().id();
        SetResult r = new SetResult();
        if (create != null) {
            for (Map.Entry<String, JsonNode> e : create.properties()) {
                try {
                    if (!e.getValue().isObject()) throw new Invalid("", "an Identity must be an object");
                    ObjectNode o = (ObjectNode) e.getValue();
                    for (String k : (Iterable<String>) o::fieldNames) {
                        if (!WRITABLE.contains(k)) throw new Invalid(k, "not a settable property");
                    }
                    String email = text(o, "email", null);
                    if (email == null) throw new Invalid("email", "email is required");
                    // RFC 8621 §6.3: the server may refuse addresses the user may not send as.
                    if (!submitter.owns(ctx.account(), email)) {
                        r.notCreated(e.getKey(), SetErrors.of("forbiddenFrom", "you may not send as " + email));
                        continue;
                    }
                    Identity made = ctx.store().identities().create(new Identity(0, acc, text(o, "name", ""), email,
                            addressList(o, "replyTo"), addressList(o, "bcc"), text(o, "textSignature", ""),
                            text(o, "htmlSignature", ""), true));
                    ctx.createdIds().put(e.getKey(), PREFIX + made.id());
                    ObjectNode created = Json.object();
                    created.put("id", PREFIX + made.id());
                    created.put("mayDelete", true);
                    r.created(e.getKey(), created);
                } catch (Invalid x) {
                    r.notCreated(e.getKey(), SetErrors.invalidProperties(x.getMessage(), List.of(x.property)));
                }
            }
        }
        if (update != null) {
            for (Map.Entry<String, JsonNode> e : update.properties()) {
                String id = e.getKey();
                Optional<Identity> found = find(ctx, id);
                if (found.isEmpty()) {
                    r.notUpdated(id, SetErrors.of("notFound", null));
                    continue;
                }
                try {
                    if (!e.getValue().isObject()) throw new Invalid("", "the patch must be an object");
                    Identity i = patch(found.get(), (ObjectNode) e.getValue());
                    ctx.store().identities().update(i);
                    r.updated(id);
                } catch (Invalid x) {
                    r.notUpdated(id, SetErrors.invalidProperties(x.getMessage(), List.of(x.property)));
                }
            }
        }
        if (destroy != null) {
            for (String id : destroy) {
                Optional<Identity> found = find(ctx, id);
                if (found.isEmpty()) {
                    r.notDestroyed(id, SetErrors.of("notFound", null));
                } else if (!found.get().mayDelete()) {
                    r.notDestroyed(id, SetErrors.of("forbidden", "the account's default identity cannot be deleted"));
                } else if (ctx.store().identities().delete(acc, found.get().id())) {
                    r.destroyed(id);
                } else {
                    r.notDestroyed(id, SetErrors.of("notFound", null));
                }
            }
        }
        return r.toJson(ctx.accountId(), oldState, state(ctx));
    }

    private static Identity patch(Identity i, ObjectNode patch) throws Invalid {
        String name = i.name();
        String replyTo = i.replyTo();
        String bcc = i.bcc();
        String text = i.textSignature();
        String html = i.htmlSignature();
        for (String k : (Iterable<String>) patch::fieldNames) {
            switch (k) {
                case "name" -> name = text(patch, k, "");
                case "replyTo" -> replyTo = addressList(patch, k);
                case "bcc" -> bcc = addressList(patch, k);
                case "textSignature" -> text = text(patch, k, "");
                case "htmlSignature" -> html = text(patch, k, "");
                // RFC 8621 §6: email is immutable; naming the same value is not a change.
                case "email" -> {
                    if (!patch.get(k).isTextual() || !patch.get(k).asText().equals(i.email())) {
                        throw new Invalid(k, "email cannot be changed");
                    }
                }
                default -> throw new Invalid(k, "not a settable property");
            }
        }
        return new Identity(i.id(), i.accountId(), name, i.email(), replyTo, bcc, text, html, i.mayDelete());
    }

    private static String text(ObjectNode o, String name, String fallback) throws Invalid {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return fallback;
        if (!n.isTextual()) throw new Invalid(name, name + " must be a string");
        if (n.asText().length() > MAX_TEXT) throw new Invalid(name, name + " is too long");
        return n.asText();
    }

    /** An EmailAddress[] (RFC 8621 §4.1.2.3) checked and kept as compact JSON; null stays null. */
    private static String addressList(ObjectNode o, String name) throws Invalid {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isArray() || n.size() > MAX_ADDRESSES) throw new Invalid(name, name + " must be an array of EmailAddress");
        ArrayNode clean = Json.array();
        for (JsonNode a : n) {
            if (!a.isObject()) throw new Invalid(name, name + " must be an array of EmailAddress");
            JsonNode email = a.get("email");
            JsonNode display = a.get("name");
            if (email == null || !email.isTextual() || email.asText().length() > 1000) throw new Invalid(name, "email is required");
            if (display != null && !display.isNull() && (!display.isTextual() || display.asText().length() > 1000)) {
                throw new Invalid(name, "name must be a string");
            }
            for (String k : (Iterable<String>) a::fieldNames) {
                if (!k.equals("email") && !k.equals("name")) throw new Invalid(name, "unknown EmailAddress property " + k);
            }
            ObjectNode c = clean.addObject();
            if (display == null || display.isNull()) c.putNull("name");
            else c.put("name", display.asText());
            c.put("email", email.asText());
        }
        return clean.toString();
    }

    static final class Invalid extends Exception {
        final String property;

        Invalid(String property, String message) {
            super(message);
            this.property = property;
        }
    }
}
