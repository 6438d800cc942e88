// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.ThreadCache;
import org.postern.jmap.Ids;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.Mailbox;
import org.postern.store.SpecialUse;
import org.postern.store.StoreException;

/**
 * Mailbox/get, /changes, /query, /set (RFC 8621 §2). Store names are full paths with "/"; JMAP names
 * are the last segment and the hierarchy is parentId. The state is a digest of the account's mailbox
 * list, so any change (counts included) moves it; /changes from an older state answers
 * cannotCalculateChanges (RFC 8620 §5.2) and the client refetches the (short) list.
 */
public final class MailboxMethods {
    static final Set<String> PROPERTIES = new LinkedHashSet<>(List.of("id", "name", "parentId", "role", "sortOrder",
            "totalEmails", "unreadEmails", "totalThreads", "unreadThreads", "myRights", "isSubscribed"));

    private MailboxMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.MAIL, "Mailbox/get", MailboxMethods::get);
        api.register(JmapApi.MAIL, "Mailbox/changes", MailboxMethods::changes);
        api.register(JmapApi.MAIL, "Mailbox/query", MailboxMethods::query);
        api.register(JmapApi.MAIL, "Mailbox/set", MailboxMethods::set);
        api.register(JmapApi.MAIL, "Mailbox/queryChanges", (a, c) -> {
            c.checkAccount(a);
            throw MethodError.cannotCalculateChanges();
        });
    }

    static String state(List<Mailbox> list) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Mailbox m : list) {
                d.update((m.id() + "\0" + m.name() + "\0" + m.specialUse() + "\0" + m.subscribed() + "\0" + m.messages() + "\0"
                        + m.unseen() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "b" + HexFormat.of().formatHex(d.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String state(CallContext ctx) {
        return state(ctx.store().mailboxes().list(ctx.account().id()));
    }

    static String role(Mailbox m) {
        if (m.name().equals(Mailbox.INBOX)) return "inbox";
        return m.specialUse() == SpecialUse.NONE ? null : m.specialUse().name().toLowerCase(Locale.ROOT);
    }

    static String leaf(String name) {
        int i = name.lastIndexOf(Mailbox.SEPARATOR);
        return i < 0 ? name : name.substring(i + 1);
    }

    static Optional<Mailbox> parent(Mailbox m, List<Mailbox> all) {
        int i = m.name().lastIndexOf(Mailbox.SEPARATOR);
        if (i < 0) return Optional.empty();
        String p = m.name().substring(0, i);
        return all.stream().filter(x -> x.name().equals(p)).findFirst();
    }

    static ObjectNode toJson(Mailbox m, List<Mailbox> all, Set<String> props) {
        return toJson(m, all, props, null);
    }

    /** {@code threads} null: thread counts as email counts (a mailbox just created has neither). */
    static ObjectNode toJson(Mailbox m, List<Mailbox> all, Set<String> props, ThreadCache.Counts threads) {
        ObjectNode o = Json.object();
        boolean inbox = m.name().equals(Mailbox.INBOX);
        for (String p : props) {
            switch (p) {
                case "id" -> o.put("id", Ids.mailbox(m.id()));
                case "name" -> o.put("name", leaf(m.name()));
                case "parentId" -> o.put("parentId", parent(m, all).map(x -> Ids.mailbox(x.id())).orElse(null));
                case "role" -> o.put("role", role(m));
                case "sortOrder" -> o.put("sortOrder", inbox ? 0 : 10);
                case "totalEmails" -> o.put(p, m.messages());
                case "unreadEmails" -> o.put(p, m.unseen());
                case "totalThreads" -> o.put(p, threads == null ? m.messages() : threads.total());
                case "unreadThreads" -> o.put(p, threads == null ? m.unseen() : threads.unread());
                case "isSubscribed" -> o.put("isSubscribed", m.subscribed());
                case "myRights" -> {
                    ObjectNode r = o.putObject("myRights");
                    for (String right : List.of("mayReadItems", "mayAddItems", "mayRemoveItems", "maySetSeen",
                            "maySetKeywords", "mayCreateChild", "maySubmit")) {
                        r.put(right, true);
                    }
                    r.put("mayRename", !inbox);
                    r.put("mayDelete", !inbox);
                }
                default -> { }
            }
        }
        return o;
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ids", "properties"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "ids", ctx.limits().maxObjectsInGet());
        Set<String> props = new LinkedHashSet<>(Args.properties(args, "properties", PROPERTIES, PROPERTIES));
        props.add("id");
        List<Mailbox> all = ctx.store().mailboxes().list(ctx.account().id());
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("state", state(all));
        ArrayNode list = out.putArray("list");
        ArrayNode notFound = out.putArray("notFound");
        // Thread counts cost a look at every message of the mailbox: only when asked for.
        boolean counts = props.contains("totalThreads") || props.contains("unreadThreads");
        Messages.View view = counts ? Messages.view(ctx) : null;
        if (ids == null) {
            for (Mailbox m : all) list.add(toJson(m, all, props, counts ? Threads.counts(ctx, view, m) : null));
        } else {
            for (String raw : new LinkedHashSet<>(ids)) {
                String id = ctx.resolveId(raw);
                long n = Ids.mailboxOf(id);
                Optional<Mailbox> m = all.stream().filter(x -> x.id() == n).findFirst();
                if (m.isPresent()) list.add(toJson(m.get(), all, props, counts ? Threads.counts(ctx, view, m.get()) : null));
                else notFound.add(raw);
            }
        }
        return out;
    }

    static ObjectNode changes(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "sinceState", "maxChanges"));
        ctx.checkAccount(args);
        String since = Args.string(args, "sinceState");
        if (since == null) throw MethodError.invalidArguments("sinceState is required");
        Args.integer(args, "maxChanges", 0, 1);
        String now = state(ctx);
        if (!since.equals(now)) throw MethodError.cannotCalculateChanges();
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("oldState", since);
        out.put("newState", now);
        out.put("hasMoreChanges", false);
        out.putArray("created");
        out.putArray("updated");
        out.putArray("destroyed");
        out.putNull("updatedProperties");
        return out;
    }

    static ObjectNode query(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "filter", "sort", "position", "anchor", "anchorOffset", "limit", "calculateTotal",
                "sortAsTree", "filterAsTree"));
        ctx.checkAccount(args);
        List<Mailbox> all = ctx.store().mailboxes().list(ctx.account().id());
        Predicate<Mailbox> filter = filter(Args.object(args, "filter"), all, 0);
        List<Mailbox> hits = new ArrayList<>(all.stream().filter(filter).toList());
        Comparator<Mailbox> order = Comparator.comparingLong(Mailbox::id);
        JsonNode sort = args.get("sort");
        if (sort != null && !sort.isNull()) {
            if (!sort.isArray()) throw MethodError.invalidArguments("sort must be an array");
            Comparator<Mailbox> c = null;
            for (JsonNode s : sort) {
                String prop = s.path("property").asText("");
                Comparator<Mailbox> one = switch (prop) {
                    case "name" -> Comparator.comparing((Mailbox m) -> leaf(m.name()));
                    case "sortOrder" -> Comparator.comparingInt((Mailbox m) -> m.name().equals(Mailbox.INBOX) ? 0 : 10);
                    default -> throw MethodError.unsupportedSort("cannot sort by " + prop);
                };
                if (!s.path("isAscending").asBoolean(true)) one = one.reversed();
                c = c == null ? one : c.thenComparing(one);
            }
            if (c != null) order = c.thenComparing(order);
        }
        hits.sort(order);
        List<String> ids = hits.stream().map(m -> Ids.mailbox(m.id())).toList();
        return Queries.window(args, ctx, ids, state(all), false);
    }

    private static Predicate<Mailbox> filter(ObjectNode f, List<Mailbox> all, int depth) throws MethodError {
        if (f == null) return m -> true;
        if (depth > 16) throw MethodError.unsupportedFilter("filter nested too deep");
        if (f.has("operator")) {
            String op = f.path("operator").asText("");
            List<Predicate<Mailbox>> subs = new ArrayList<>();
            for (JsonNode c : f.path("conditions")) {
                if (!c.isObject()) throw MethodError.invalidArguments("conditions must be objects");
                subs.add(filter((ObjectNode) c, all, depth + 1));
            }
            return switch (op) {
                case "AND" -> m -> subs.stream().allMatch(p -> p.test(m));
                case "OR" -> m -> subs.stream().anyMatch(p -> p.test(m));
                case "NOT" -> m -> subs.stream().noneMatch(p -> p.test(m));
                default -> throw MethodError.unsupportedFilter("unknown operator " + op);
            };
        }
        Predicate<Mailbox> p = m -> true;
        for (var e : f.properties()) {
            JsonNode v = e.getValue();
            Predicate<Mailbox> one = switch (e.getKey()) {
                case "parentId" -> m -> {
                    String pid = parent(m, all).map(x -> Ids.mailbox(x.id())).orElse(null);
                    return v.isNull() ? pid == null : v.asText().equals(pid);
                };
                case "name" -> m -> leaf(m.name()).toLowerCase(Locale.ROOT).contains(v.asText().toLowerCase(Locale.ROOT));
                case "role" -> m -> v.isNull() ? role(m) == null : v.asText().equals(role(m));
                case "hasAnyRole" -> m -> (role(m) != null) == v.asBoolean();
                case "isSubscribed" -> m -> m.subscribed() == v.asBoolean();
                default -> throw MethodError.unsupportedFilter("unknown filter property " + e.getKey());
            };
            p = p.and(one);
        }
        return p;
    }

    static ObjectNode set(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ifInState", "create", "update", "destroy", "onDestroyRemoveEmails"));
        ctx.checkAccount(args);
        long acc = ctx.account().id();
        var store = ctx.store().mailboxes();
        String oldState = state(ctx);
        String ifInState = Args.string(args, "ifInState");
        if (ifInState != null && !ifInState.equals(oldState)) throw MethodError.stateMismatch();
        ObjectNode create = Args.object(args, "create");
        ObjectNode update = Args.object(args, "update");
        List<String> destroy = Args.ids(args, "destroy", ctx.limits().maxObjectsInSet());
        boolean removeEmails = Args.bool(args, "onDestroyRemoveEmails", false);
        int count = (create == null ? 0 : create.size()) + (update == null ? 0 : update.size()) + (destroy == null ? 0 : destroy.size());
        if (count > ctx.limits().maxObjectsInSet()) throw MethodError.requestTooLarge("too many objects in one set");
        SetResult r = new SetResult();
        if (create != null) {
            for (var e : create.properties()) {
                String cid = e.getKey();
                try {
                    if (!e.getValue().isObject()) throw new SetFailure(SetErrors.of("invalidProperties", "not an object"));
                    ObjectNode o = (ObjectNode) e.getValue();
                    for (String k : (Iterable<String>) o::fieldNames) {
                        if (!Set.of("name", "parentId", "role", "sortOrder", "isSubscribed").contains(k)) {
                            throw new SetFailure(SetErrors.invalidProperties("cannot set " + k, List.of(k)));
                        }
                    }
                    String name = validName(o.get("name"));
                    String parentPath = parentPath(ctx, o.get("parentId"));
                    String full = parentPath == null ? name : parentPath + Mailbox.SEPARATOR + name;
                    SpecialUse use = roleToUse(o.get("role"));
                    Mailbox m = store.create(acc, full, use);
                    if (o.path("isSubscribed").asBoolean(false)) store.setSubscribed(acc, full, true);
                    String id = Ids.mailbox(m.id());
                    ctx.createdIds().put(cid, id);
                    ObjectNode created = Json.object();
                    created.put("id", id);
                    created.put("totalEmails", 0).put("unreadEmails", 0).put("totalThreads", 0).put("unreadThreads", 0);
                    created.set("myRights", toJson(m, List.of(m), Set.of("myRights")).get("myRights"));
                    created.put("sortOrder", 10);
                    r.created(cid, created);
                } catch (SetFailure f) {
                    r.notCreated(cid, f.error);
                } catch (StoreException.Conflict c) {
                    r.notCreated(cid, SetErrors.invalidProperties("a mailbox with this name exists", List.of("name")));
                } catch (StoreException.NotFound | StoreException.Refused x) {
                    r.notCreated(cid, SetErrors.of("invalidProperties", x.getMessage()));
                }
            }
        }
        if (update != null) {
            for (var e : update.properties()) {
                String id = e.getKey();
                try {
                    Mailbox m = byId(ctx, ctx.resolveId(id));
                    if (!e.getValue().isObject()) throw new SetFailure(SetErrors.of("invalidProperties", "not an object"));
                    ObjectNode o = (ObjectNode) e.getValue();
                    List<Mailbox> all = store.list(acc);
                    String name = m.name();
                    if (o.has("name") || o.has("parentId")) {
                        if (m.name().equals(Mailbox.INBOX)) throw new SetFailure(SetErrors.of("forbidden", "INBOX cannot be renamed"));
                        String leaf = o.has("name") ? validName(o.get("name")) : leaf(m.name());
                        String parentPath = o.has("parentId") ? parentPath(ctx, o.get("parentId"))
                                : parent(m, all).map(Mailbox::name).orElse(m.name().contains("/")
                                        ? m.name().substring(0, m.name().lastIndexOf('/')) : null);
                        String full = parentPath == null ? leaf : parentPath + Mailbox.SEPARATOR + leaf;
                        if (!full.equals(m.name())) store.rename(acc, m.name(), full);
                        name = full;
                    }
                    for (String k : (Iterable<String>) o::fieldNames) {
                        switch (k) {
                            case "name", "parentId", "sortOrder" -> { }
                            case "isSubscribed" -> store.setSubscribed(acc, name, o.get(k).asBoolean());
                            case "role" -> {
                                if (!java.util.Objects.equals(o.get(k).isNull() ? null : o.get(k).asText(), role(m))) {
                                    throw new SetFailure(SetErrors.invalidProperties("role cannot be changed", List.of("role")));
                                }
                            }
                            default -> throw new SetFailure(SetErrors.invalidProperties("cannot set " + k, List.of(k)));
                        }
                    }
                    r.updated(id);
                } catch (SetFailure f) {
                    r.notUpdated(id, f.error);
                } catch (StoreException.Conflict c) {
                    r.notUpdated(id, SetErrors.invalidProperties("a mailbox with this name exists", List.of("name")));
                } catch (StoreException.NotFound | StoreException.Refused x) {
                    r.notUpdated(id, SetErrors.of("invalidProperties", x.getMessage()));
                }
            }
        }
        if (destroy != null) {
            for (String id : destroy) {
                try {
                    Mailbox m = byId(ctx, ctx.resolveId(id));
                    if (m.name().equals(Mailbox.INBOX)) throw new SetFailure(SetErrors.of("forbidden", "INBOX cannot be destroyed"));
                    List<Mailbox> all = store.list(acc);
                    if (all.stream().anyMatch(x -> x.name().startsWith(m.name() + Mailbox.SEPARATOR))) {
                        throw new SetFailure(SetErrors.of("mailboxHasChild", "the mailbox has child mailboxes"));
                    }
                    if (m.messages() > 0 && !removeEmails) {
                        throw new SetFailure(SetErrors.of("mailboxHasEmail", "the mailbox is not empty"));
                    }
                    store.delete(acc, m.name());
                    r.destroyed(id);
                } catch (SetFailure f) {
                    r.notDestroyed(id, f.error);
                } catch (StoreException.NotFound x) {
                    r.notDestroyed(id, SetErrors.of("notFound", null));
                }
            }
        }
        return r.toJson(ctx.accountId(), oldState, state(ctx));
    }

    private static Mailbox byId(CallContext ctx, String id) throws SetFailure {
        long n = Ids.mailboxOf(id);
        return ctx.store().mailboxes().byId(ctx.account().id(), n).orElseThrow(() -> new SetFailure(SetErrors.of("notFound", null)));
    }

    private static String validName(JsonNode n) throws SetFailure {
        if (n == null || !n.isTextual() || n.asText().isBlank() || n.asText().length() > 255
                || n.asText().indexOf(Mailbox.SEPARATOR) >= 0 || n.asText().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new SetFailure(SetErrors.invalidProperties("name must be 1-255 characters without '/' or controls",
                    List.of("name")));
        }
        return n.asText();
    }

    private static String parentPath(CallContext ctx, JsonNode parentId) throws SetFailure {
        if (parentId == null || parentId.isNull()) return null;
        if (!parentId.isTextual()) throw new SetFailure(SetErrors.invalidProperties("bad parentId", List.of("parentId")));
        long n = Ids.mailboxOf(ctx.resolveId(parentId.asText()));
        return ctx.store().mailboxes().byId(ctx.account().id(), n).map(Mailbox::name)
                .orElseThrow(() -> new SetFailure(SetErrors.invalidProperties("no such parent", List.of("parentId"))));
    }

    private static SpecialUse roleToUse(JsonNode role) throws SetFailure {
        if (role == null || role.isNull()) return SpecialUse.NONE;
        for (SpecialUse u : SpecialUse.values()) {
            if (u != SpecialUse.NONE && u.name().toLowerCase(Locale.ROOT).equals(role.asText())) return u;
        }
        throw new SetFailure(SetErrors.invalidProperties("unsupported role", List.of("role")));
    }

    /** A per-object failure inside /set. */
    static final class SetFailure extends Exception {
        final ObjectNode error;

        SetFailure(ObjectNode error) {
            super(null, null, false, false);
            this.error = error;
        }
    }
}
