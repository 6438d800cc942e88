// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.Account;
import org.postern.store.MetadataStore;

/**
 * Settings/get and Settings/set of the vendor capability {@value JmapApi#SETTINGS} (RFC 8620 §5.1,
 * §5.3 semantics; a singleton like VacationResponse, RFC 8621 §8): the POP3 behaviour the CLI's
 * {@code account set pop3=... pop3-mark-seen=...} keeps in the account's settings, and the webmail's
 * preferences, a free JSON object kept as a private server annotation (RFC 5464 §3.2) so that it
 * lives and dies with the account.
 */
public final class SettingsMethods {
    static final String ID = "singleton";
    static final Set<String> PROPERTIES = Set.of("id", "pop3Mode", "pop3DeleteAfterDays", "pop3MarkSeen", "webmail");
    /** Same keys and values as the CLI's AccountSettings. */
    static final String POP3 = "pop3";
    static final String POP3_MARK_SEEN = "pop3-mark-seen";
    static final int MAX_DAYS = 3650;
    public static final String WEBMAIL_ENTRY = "/private/vendor/postern/webmail";
    public static final int MAX_WEBMAIL = 16 * 1024;
    private static final int MAX_DEPTH = 16;
    private static final Pattern DELETE_AFTER = Pattern.compile("delete-after-days:(\\d{1,9})");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SettingsMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.SETTINGS, "Settings/get", SettingsMethods::get);
        api.register(JmapApi.SETTINGS, "Settings/set", SettingsMethods::set);
        api.register(JmapApi.SETTINGS, "Password/change", PasswordChange::change);
    }

    /** The settings as stored. */
    record Settings(String pop3Mode, Integer pop3DeleteAfterDays, boolean pop3MarkSeen, ObjectNode webmail) {}

    static Settings read(CallContext ctx) {
        Account a = ctx.store().directory().account(ctx.account().id()).orElse(ctx.account());
        String pop3 = a.setting(POP3, "keep");
        String mode = "keep";
        Integer days = null;
        Matcher m = DELETE_AFTER.matcher(pop3);
        if (pop3.equals("delete")) {
            mode = "delete";
        } else if (m.matches()) {
            mode = "delete";
            days = (int) Math.min(MAX_DAYS, Long.parseLong(m.group(1)));
        }
        boolean markSeen = !a.setting(POP3_MARK_SEEN, "yes").equals("no");
        return new Settings(mode, days, markSeen, webmail(ctx));
    }

    private static ObjectNode webmail(CallContext ctx) {
        byte[] raw = ctx.store().metadata().entries(MetadataStore.Scope.serverPrivate(ctx.account().id())).get(WEBMAIL_ENTRY);
        if (raw == null) return Json.object();
        try {
            JsonNode n = MAPPER.readTree(raw);
            return n instanceof ObjectNode o ? o : Json.object();
        } catch (java.io.IOException e) {
            return Json.object(); // written by an IMAP client as something else: start afresh
        }
    }

    /** Moves whenever any setting does; equal settings give an equal state. */
    static String state(CallContext ctx) {
        return state(read(ctx));
    }

    private static String state(Settings s) {
        try {
            String canonical = s.pop3Mode() + "\0" + s.pop3DeleteAfterDays() + "\0" + s.pop3MarkSeen() + "\0"
                    + MAPPER.writeValueAsString(s.webmail());
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ids", "properties"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "ids", ctx.limits().maxObjectsInGet());
        Set<String> props = Args.properties(args, "properties", PROPERTIES, PROPERTIES);
        Settings s = read(ctx);
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("state", state(s));
        ArrayNode list = out.putArray("list");
        ArrayNode notFound = out.putArray("notFound");
        if (ids == null || ids.contains(ID)) {
            ObjectNode o = list.addObject();
            o.put("id", ID);
            if (props.contains("pop3Mode")) o.put("pop3Mode", s.pop3Mode());
            if (props.contains("pop3DeleteAfterDays")) {
                if (s.pop3DeleteAfterDays() == null) o.putNull("pop3DeleteAfterDays");
                else o.put("pop3DeleteAfterDays", s.pop3DeleteAfterDays());
            }
            if (props.contains("pop3MarkSeen")) o.put("pop3MarkSeen", s.pop3MarkSeen());
            if (props.contains("webmail")) o.set("webmail", s.webmail());
        }
        if (ids != null) ids.stream().filter(i -> !i.equals(ID)).distinct().forEach(notFound::add);
        return out;
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
        SetErrors.refuseSingletonCreateAndDestroy(create, destroy, r, "Settings object");
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
                    Settings before = read(ctx);
                    Settings after = patch(before, (ObjectNode) e.getValue());
                    write(ctx, before, after);
                    r.updated(ID);
                } catch (IdentityMethods.Invalid x) {
                    r.notUpdated(ID, SetErrors.invalidProperties(x.getMessage(), List.of(x.property)));
                }
            }
        }
        return r.toJson(ctx.accountId(), oldState, state(ctx));
    }

    /**
     * Applies a PatchObject (RFC 8620 §5.3): whole properties, or "webmail/KEY" for one key of the
     * webmail object (a null value removes the key).
     */
    static Settings patch(Settings s, ObjectNode patch) throws IdentityMethods.Invalid {
        String mode = s.pop3Mode();
        Integer days = s.pop3DeleteAfterDays();
        boolean markSeen = s.pop3MarkSeen();
        ObjectNode webmail = s.webmail().deepCopy();
        boolean daysGiven = false;
        for (Map.Entry<String, JsonNode> p : patch.properties()) {
            String k = p.getKey();
            JsonNode n = p.getValue();
            switch (k) {
                case "id" -> {
                    if (!n.isTextual() || !n.asText().equals(ID)) throw new IdentityMethods.Invalid(k, "id is immutable");
                }
                case "pop3Mode" -> {
                    if (!n.isTextual() || !(n.asText().equals("keep") || n.asText().equals("delete"))) {
                        throw new IdentityMethods.Invalid(k, "pop3Mode must be \"keep\" or \"delete\"");
                    }
                    mode = n.asText();
                }
                case "pop3DeleteAfterDays" -> {
                    daysGiven = true;
                    if (n.isNull()) {
                        days = null;
                    } else if (n.isIntegralNumber() && n.canConvertToInt() && n.asInt() >= 1 && n.asInt() <= MAX_DAYS) {
                        days = n.asInt();
                    } else {
                        throw new IdentityMethods.Invalid(k, "pop3DeleteAfterDays must be null or a number of days from 1 to " + MAX_DAYS);
                    }
                }
                case "pop3MarkSeen" -> {
                    if (!n.isBoolean()) throw new IdentityMethods.Invalid(k, "pop3MarkSeen must be a boolean");
                    markSeen = n.asBoolean();
                }
                case "webmail" -> {
                    if (!n.isObject()) throw new IdentityMethods.Invalid(k, "webmail must be an object");
                    webmail = ((ObjectNode) n).deepCopy();
                }
                default -> {
                    if (!k.startsWith("webmail/") || k.length() == "webmail/".length() || k.indexOf('/', 8) >= 0) {
                        throw new IdentityMethods.Invalid(k, "unknown property");
                    }
                    // RFC 6901 escapes in a pointer token.
                    String key = k.substring(8).replace("~1", "/").replace("~0", "~");
                    if (n.isNull()) webmail.remove(key);
                    else webmail.set(key, n.deepCopy());
                }
            }
        }
        if (mode.equals("keep")) {
            if (daysGiven && days != null) {
                throw new IdentityMethods.Invalid("pop3DeleteAfterDays", "pop3DeleteAfterDays needs pop3Mode \"delete\"");
            }
            days = null;
        }
        if (depth(webmail, 0) > MAX_DEPTH) throw new IdentityMethods.Invalid("webmail", "webmail is nested too deeply");
        try {
            if (MAPPER.writeValueAsBytes(webmail).length > MAX_WEBMAIL) {
                throw new IdentityMethods.Invalid("webmail", "webmail must be at most " + MAX_WEBMAIL + " octets of JSON");
            }
        } catch (JsonProcessingException e) {
            throw new IdentityMethods.Invalid("webmail", "webmail is not JSON");
        }
        return new Settings(mode, days, markSeen, webmail);
    }

    private static int depth(JsonNode n, int d) {
        if (d > MAX_DEPTH) return d;
        int max = d;
        if (n.isContainerNode()) for (JsonNode c : n) max = Math.max(max, depth(c, d + 1));
        return max;
    }

    private static void write(CallContext ctx, Settings before, Settings after) {
        String address = ctx.account().address();
        String pop3 = after.pop3Mode().equals("keep") ? "keep"
                : after.pop3DeleteAfterDays() == null ? "delete" : "delete-after-days:" + after.pop3DeleteAfterDays();
        String beforePop3 = before.pop3Mode().equals("keep") ? "keep"
                : before.pop3DeleteAfterDays() == null ? "delete" : "delete-after-days:" + before.pop3DeleteAfterDays();
        if (!pop3.equals(beforePop3)) ctx.store().directory().setSetting(address, POP3, pop3);
        if (after.pop3MarkSeen() != before.pop3MarkSeen()) {
            ctx.store().directory().setSetting(address, POP3_MARK_SEEN, after.pop3MarkSeen() ? "yes" : "no");
        }
        if (!after.webmail().equals(before.webmail())) {
            byte[] v;
            try {
                v = MAPPER.writeValueAsBytes(after.webmail());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            Map<String, byte[]> entry = new LinkedHashMap<>();
            entry.put(WEBMAIL_ENTRY, after.webmail().isEmpty() ? null : v);
            ctx.store().metadata().apply(Map.of(MetadataStore.Scope.serverPrivate(ctx.account().id()), entry));
        }
    }
}
