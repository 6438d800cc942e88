// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.OutboundQueue;
import org.postern.store.SubmissionStore;
import org.postern.store.SubmissionStore.Submission;

/**
 * EmailSubmission/get, /changes, /query, /queryChanges (RFC 8621 §7.1-7.4); /set is
 * {@link EmailSubmissionSet}. A submission whose copies all wait in the queue is "pending" (it can be
 * canceled) until the queue relays one or none is left; a held one (RFC 4865 FUTURERELEASE, up to the
 * submitter's maxDelayedSend) waits for its sendAt. deliveryStatus: local mailboxes are final ("yes");
 * remote recipients carry what the queue last learned (recorded by the queue runner: "queued" with the
 * 4xx reply, "no" with the 5xx reply, "unknown" with the 250 reply once relayed, since §7 says relaying
 * is not final delivery), and "queued" before the first attempt.
 */
public final class EmailSubmissionMethods {
    static final String PREFIX = "S";
    /** EHLO keywords whose parameters an envelope may carry (RFC 8621 §1.3.2), each with no arguments. */
    public static final java.util.List<String> EXTENSIONS = SubmissionEnvelope.EXTENSIONS;
    static final Set<String> PROPERTIES = Set.of("id", "identityId", "emailId", "threadId", "envelope", "sendAt", "undoStatus",
            "deliveryStatus", "dsnBlobIds", "mdnBlobIds");
    private static final Set<String> SORTS = Set.of("emailId", "threadId", "sentAt", "sendAt");

    private EmailSubmissionMethods() {}

    /**
     * What the last registered submitter allows (RFC 8621 §1.3.2 maxDelayedSend), for the session
     * resource; a server has one submitter.
     */
    private static volatile java.time.Duration maxDelayedSend = java.time.Duration.ZERO;

    public static void register(JmapApi api, MailSubmitter submitter) {
        maxDelayedSend = submitter.maxDelayedSend();
        EmailSubmissionSet set = new EmailSubmissionSet(submitter);
        api.register(JmapApi.SUBMISSION, "EmailSubmission/get", EmailSubmissionMethods::get);
        api.register(JmapApi.SUBMISSION, "EmailSubmission/changes", (a, c) -> StoreChanges.changes(a, c,
                c.store().submissions()::changes, PREFIX));
        api.register(JmapApi.SUBMISSION, "EmailSubmission/query", EmailSubmissionMethods::query);
        api.register(JmapApi.SUBMISSION, "EmailSubmission/queryChanges", EmailSubmissionMethods::queryChanges);
        api.register(JmapApi.SUBMISSION, "EmailSubmission/set", set::set);
    }

    /**
     * Fills the account's urn:ietf:params:jmap:submission capability (RFC 8621 §1.3.2): maxDelayedSend in
     * seconds, and submissionExtensions with FUTURERELEASE and its EHLO arguments (RFC 4865 §3: the
     * longest interval and the latest date-time) when holding is possible.
     */
    public static void describe(ObjectNode capability, Instant now) {
        java.time.Duration max = maxDelayedSend;
        capability.put("maxDelayedSend", max.toSeconds());
        ObjectNode ext = capability.putObject("submissionExtensions");
        for (String e : EXTENSIONS) ext.putArray(e);
        if (max.isPositive()) {
            ext.putArray("FUTURERELEASE").add(Long.toString(max.toSeconds()))
                    .add(utc(now.plus(max)));
        }
    }

    static String state(CallContext ctx) {
        return Long.toString(ctx.store().submissions().state(ctx.account().id()));
    }

    static Optional<Submission> find(CallContext ctx, String id) {
        long n = StoreChanges.idOf(ctx.resolveId(id), PREFIX);
        return n < 0 ? Optional.empty() : ctx.store().submissions().get(ctx.account().id(), n);
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
        if (ids == null) {
            List<Submission> all = ctx.store().submissions().list(ctx.account().id());
            if (all.size() > ctx.limits().maxObjectsInGet()) throw MethodError.requestTooLarge("too many submissions; ask for ids");
            for (Submission s : all) list.add(view(ctx, s, props));
        } else {
            for (String id : ids) {
                Optional<Submission> s = find(ctx, id);
                if (s.isPresent()) list.add(view(ctx, s.get(), props));
                else notFound.add(id);
            }
        }
        return out;
    }

    static ObjectNode view(CallContext ctx, Submission s, Set<String> props) {
        ObjectNode o = Json.object();
        o.put("id", PREFIX + s.id());
        if (props.contains("identityId")) o.put("identityId", IdentityMethods.PREFIX + s.identityId());
        if (props.contains("emailId")) o.put("emailId", s.emailId());
        if (props.contains("threadId")) o.put("threadId", s.threadId());
        if (props.contains("envelope")) {
            ObjectNode env = o.putObject("envelope");
            ObjectNode from = env.putObject("mailFrom");
            from.put("email", s.mailFrom());
            from.putNull("parameters");
            ArrayNode to = env.putArray("rcptTo");
            for (String r : s.recipients()) to.addObject().put("email", r).putNull("parameters");
        }
        if (props.contains("sendAt")) o.put("sendAt", utc(s.sendAt()));
        if (props.contains("undoStatus")) o.put("undoStatus", s.undoStatus());
        if (props.contains("deliveryStatus")) o.set("deliveryStatus", deliveryStatus(ctx, s));
        if (props.contains("dsnBlobIds")) o.putArray("dsnBlobIds");
        if (props.contains("mdnBlobIds")) o.putArray("mdnBlobIds");
        return o;
    }

    private static ObjectNode deliveryStatus(CallContext ctx, Submission s) {
        List<SubmissionStore.Delivery> learned = ctx.store().submissions().deliveries(ctx.account().id(), s.id());
        Optional<OutboundQueue.QueuedMessage> queued = s.queueId() < 0 ? Optional.empty() : ctx.store().queue().get(s.queueId());
        ObjectNode out = Json.object();
        for (String r : s.recipients()) {
            ObjectNode st = out.putObject(r);
            Optional<SubmissionStore.Delivery> d = learned.stream().filter(x -> x.recipient().equalsIgnoreCase(r)).findFirst();
            if (s.localRecipients().stream().anyMatch(r::equalsIgnoreCase)) {
                // §7 synthetic reply form: code, enhanced code, text.
                st.put("smtpReply", "250 2.1.5 Delivered to the recipient's mailbox");
                st.put("delivered", "yes");
            } else if (d.isPresent()) {
                st.put("smtpReply", oneLine(d.get().smtpReply()));
                st.put("delivered", d.get().delivered());
            } else if (s.undoStatus().equals("canceled")) {
                st.put("smtpReply", "550 5.0.0 The submission was canceled");
                st.put("delivered", "no");
            } else if (queued.isPresent() && queued.get().recipients().stream().anyMatch(r::equalsIgnoreCase)) {
                st.put("smtpReply", s.sendAt().isAfter(Instant.now()) ? "250 2.0.0 Held until " + utc(s.sendAt())
                        : "250 2.0.0 Queued for delivery");
                st.put("delivered", "queued");
            } else {
                // Relayed before the queue recorded results (or an alias expanded it away): nothing known.
                st.put("smtpReply", "250 2.0.0 Left the queue");
                st.put("delivered", "unknown");
            }
            st.put("displayed", "unknown");
        }
        return out;
    }

    /** §7 deliveryStatus: multi-line replies joined by spaces. */
    private static String oneLine(String reply) {
        return reply.replaceAll("[\r\n]+", " ").strip();
    }

    static String utc(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static ObjectNode query(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "filter", "sort", "position", "anchor", "anchorOffset", "limit", "calculateTotal"));
        ctx.checkAccount(args);
        JsonNode filter = args.get("filter");
        List<Submission> rows = new ArrayList<>();
        for (Submission s : ctx.store().submissions().list(ctx.account().id())) {
            if (filter == null || filter.isNull() || matches(filter, s, 0)) rows.add(s);
        }
        rows.sort(comparator(args.get("sort")));
        List<String> ids = rows.stream().map(s -> PREFIX + s.id()).toList();
        return Queries.window(args, ctx, ids, state(ctx), false);
    }

    /** RFC 8620 §5.5 FilterOperator or RFC 8621 §7.3 FilterCondition. */
    private static boolean matches(JsonNode f, Submission s, int depth) throws MethodError {
        if (!f.isObject() || depth > 10) throw MethodError.unsupportedFilter("a filter must be an object, nested at most 10 deep");
        if (f.has("operator")) {
            String op = f.get("operator").asText();
            JsonNode conds = f.get("conditions");
            if (conds == null || !conds.isArray()) throw MethodError.unsupportedFilter("conditions must be an array");
            int hits = 0;
            for (JsonNode c : conds) if (matches(c, s, depth + 1)) hits++;
            return switch (op) {
                case "AND" -> hits == conds.size();
                case "OR" -> hits > 0;
                case "NOT" -> hits == 0;
                default -> throw MethodError.unsupportedFilter("unknown operator " + op);
            };
        }
        for (String k : (Iterable<String>) f::fieldNames) {
            JsonNode v = f.get(k);
            boolean ok = switch (k) {
                case "identityIds" -> in(v, IdentityMethods.PREFIX + s.identityId());
                case "emailIds" -> in(v, s.emailId());
                case "threadIds" -> in(v, s.threadId());
                case "undoStatus" -> {
                    if (!v.isTextual()) throw MethodError.unsupportedFilter("undoStatus must be a string");
                    yield v.asText().equals(s.undoStatus());
                }
                case "before" -> s.sendAt().isBefore(date(v));
                case "after" -> !s.sendAt().isBefore(date(v));
                default -> throw MethodError.unsupportedFilter("unknown filter property " + k);
            };
            if (!ok) return false;
        }
        return true;
    }

    private static boolean in(JsonNode list, String value) throws MethodError {
        if (!list.isArray()) throw MethodError.unsupportedFilter("an id list must be an array");
        for (JsonNode i : list) if (i.asText().equals(value)) return true;
        return false;
    }

    private static Instant date(JsonNode v) throws MethodError {
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw MethodError.unsupportedFilter("not a UTCDate: " + v.asText());
        }
    }

    private static Comparator<Submission> comparator(JsonNode sort) throws MethodError {
        Comparator<Submission> byId = Comparator.comparingLong(Submission::id);
        if (sort == null || sort.isNull()) return byId;
        if (!sort.isArray()) throw MethodError.invalidArguments("sort must be an array");
        Comparator<Submission> c = null;
        for (JsonNode s : sort) {
            String p = s.path("property").asText();
            if (!SORTS.contains(p)) throw MethodError.unsupportedSort("cannot sort by " + p);
            // RFC 8621 §7.3 lists "sentAt" for sorting while the property is sendAt: both are accepted.
            Comparator<Submission> one = switch (p) {
                case "emailId" -> Comparator.comparing(Submission::emailId);
                case "threadId" -> Comparator.comparing(Submission::threadId);
                default -> Comparator.comparing(Submission::sendAt);
            };
            if (!s.path("isAscending").asBoolean(true)) one = one.reversed();
            c = c == null ? one : c.thenComparing(one);
        }
        return c == null ? byId : c.thenComparing(byId);
    }

    static ObjectNode queryChanges(ObjectNode args, CallContext ctx) throws MethodError {
        ctx.checkAccount(args);
        // §5.6: a server that cannot says so; /query reports canCalculateChanges false.
        throw MethodError.cannotCalculateChanges();
    }
}
