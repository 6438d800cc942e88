// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;

/**
 * Email/queryChanges (RFC 8620 §5.6, RFC 8621 §4.5) from the account's change log (Email/changes)
 * and the query as it stands now ({@link EmailQuery}).
 *
 * <p>An Email id names one message in one mailbox and is never reused, so its mailbox, dates, size
 * and headers never change: a query filtering and sorting on those alone changes only by emails
 * created (added where they now sort) and destroyed (removed). Conditions on an email's own keywords
 * also change with its updates, so updated emails are removed and, where they now match, added again.
 * Where the email's thread matters (collapseThreads, the *InThreadHaveKeyword conditions and sorts),
 * every email of a thread touched by a change is treated so too; the thread of a destroyed email is
 * only known while the thread cache remembers it.
 *
 * <p>cannotCalculateChanges is the answer only where the log cannot tell: text conditions (text,
 * from, to, cc, bcc, subject, body) are answered from the full-text index, which is updated after a
 * message arrives, so a message may start to match with no change logged; a destroyed email whose
 * thread is no longer known under a thread-dependent query; an unknown old state; and more changes
 * far from the top of a large result than {@link #MAX_LOOKUPS} anchored look-ups can place.
 *
 * <p>removed may name emails that were not in the old results, which §5.6 allows; every email in
 * removed that is in the new results is in added with its index.
 */
final class EmailQueryChanges {
    /** Changes not on the first page are placed one anchored query each (a full sort): at most this many. */
    static final int MAX_LOOKUPS = 32;

    /** What a query's result depends on besides the emails' existence. */
    private enum Depends { NOTHING_MUTABLE, OWN_KEYWORDS, THREAD }

    private EmailQueryChanges() {}

    static ObjectNode queryChanges(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "filter", "sort", "sinceQueryState", "maxChanges", "upToId", "calculateTotal",
                "collapseThreads"));
        ctx.checkAccount(args);
        String since = Args.string(args, "sinceQueryState");
        if (since == null) throw MethodError.invalidArguments("sinceQueryState is required");
        long maxChanges = Args.integer(args, "maxChanges", Long.MAX_VALUE, 0);
        String upToId = Args.string(args, "upToId");
        boolean calculateTotal = Args.bool(args, "calculateTotal", false);
        boolean collapse = Args.bool(args, "collapseThreads", false);
        Depends depends = max(filterDepends(args.get("filter"), 0), sortDepends(args.get("sort")));
        if (collapse) depends = Depends.THREAD;

        // The query now (which also checks filter and sort as Email/query does), then the log from the old
        // state to at least as late: a change logged after the query state is reported again next time.
        ObjectNode first = EmailQuery.query(window(args, 0, Queries.MAX_LIMIT, calculateTotal), ctx);
        String newState = first.path("queryState").asText();
        List<String> page = new ArrayList<>();
        first.path("ids").forEach(n -> page.add(n.asText()));
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("oldQueryState", since);
        out.put("newQueryState", newState);
        if (calculateTotal) out.put("total", first.path("total").asLong());
        ArrayNode removedOut = out.putArray("removed");
        ArrayNode addedOut = out.putArray("added");
        if (since.equals(newState)) return out;

        ObjectNode changes = EmailMethods.changes(changeArgs(ctx, since), ctx, 'e');
        Set<String> created = strings(changes.path("created"));
        Set<String> updated = strings(changes.path("updated"));
        Set<String> destroyed = strings(changes.path("destroyed"));

        Set<String> removed = new LinkedHashSet<>(destroyed);
        if (depends != Depends.NOTHING_MUTABLE) removed.addAll(updated);
        // Email id -> store thread id, for the emails of the threads touched (thread-dependent queries only).
        Map<String, Long> threadOf = new HashMap<>();
        if (depends == Depends.THREAD) {
            Set<String> touched = new LinkedHashSet<>(created);
            touched.addAll(updated);
            touched.addAll(destroyed);
            threadOf = threadMates(ctx, touched, destroyed);
            removed.addAll(threadOf.keySet());
        }
        Set<String> candidates = new LinkedHashSet<>(created);
        candidates.addAll(removed);

        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < page.size(); i++) index.put(page.get(i), i);
        // §5.6 upToId: with only immutable filter and sort, nothing after it needs reporting.
        int upTo = upToId != null && depends == Depends.NOTHING_MUTABLE && index.containsKey(upToId) ? index.get(upToId)
                : Integer.MAX_VALUE;
        boolean wholeResult = page.size() < Queries.MAX_LIMIT;
        List<long[]> added = new ArrayList<>(); // {index, position in order} pairs, sorted later
        List<String> addedIds = new ArrayList<>();
        // collapseThreads: a thread has one email in the results, so once it is placed its others need no look-up.
        Set<Long> placed = new HashSet<>();
        if (collapse) {
            for (String id : candidates) if (index.containsKey(id) && threadOf.containsKey(id)) placed.add(threadOf.get(id));
        }
        int lookups = 0;
        for (String id : candidates) {
            Integer at = index.get(id);
            if (at == null && !wholeResult && upTo == Integer.MAX_VALUE && !destroyed.contains(id)
                    && !(collapse && placed.contains(threadOf.get(id))) && Messages.find(ctx, id, 'e').isPresent()) {
                if (++lookups > MAX_LOOKUPS) {
                    throw new MethodError("cannotCalculateChanges", "too many changes beyond the first "
                            + Queries.MAX_LIMIT + " results; query again");
                }
                at = positionOf(args, ctx, id, newState);
            }
            if (at != null && at <= upTo) {
                added.add(new long[] {at, addedIds.size()});
                addedIds.add(id);
            }
        }
        if (removed.size() + added.size() > maxChanges) {
            throw new MethodError("tooManyChanges", "more than maxChanges (" + maxChanges + ") changes");
        }
        removed.forEach(removedOut::add);
        added.sort((a, b) -> Long.compare(a[0], b[0]));
        for (long[] a : added) addedOut.addObject().put("id", addedIds.get((int) a[1])).put("index", a[0]);
        return out;
    }

    /** The email's index in the query now (an anchored query), null when it is not in the results. */
    private static Integer positionOf(ObjectNode args, CallContext ctx, String id, String state) throws MethodError {
        ObjectNode a = window(args, 0, 0, false);
        a.put("anchor", id);
        ObjectNode r;
        try {
            r = EmailQuery.query(a, ctx);
        } catch (MethodError e) {
            if (e.type().equals("anchorNotFound")) return null;
            throw e;
        }
        if (!r.path("queryState").asText().equals(state)) {
            throw new MethodError("cannotCalculateChanges", "the mailbox changed while the changes were computed; try again");
        }
        return r.path("position").asInt();
    }

    /**
     * Every current email of the threads of {@code emails}, with its store thread id; the destroyed
     * ones' threads as remembered. A destroyed email whose thread is forgotten leaves the old results
     * unknowable. An email the store could not thread is a thread of its own, with no mates.
     */
    private static Map<String, Long> threadMates(CallContext ctx, Set<String> emails, Set<String> destroyed)
            throws MethodError {
        Set<Long> threads = new HashSet<>();
        long acc = ctx.account().id();
        for (String id : emails) {
            String tid;
            if (destroyed.contains(id)) {
                tid = ctx.threads().recall(acc, id);
                if (tid == null) {
                    throw new MethodError("cannotCalculateChanges",
                            "the thread of a destroyed email is no longer known; query again");
                }
            } else {
                Optional<Messages.Entry> e = Messages.find(ctx, id, 'e');
                if (e.isEmpty()) continue; // destroyed after the log was read: reported next time
                tid = Threads.of(ctx, e.get());
            }
            Long n = Threads.storeId(ctx, tid);
            if (n != null) threads.add(n); // else a thread of one email: no mates
        }
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (threads.isEmpty()) return out;
        for (Map.Entry<Long, List<Messages.Entry>> t : Threads.emailsOf(ctx, Messages.view(ctx), threads).entrySet()) {
            for (Messages.Entry e : t.getValue()) out.put(e.id(), t.getKey());
        }
        return out;
    }

    /** The filter's dependence; throws cannotCalculateChanges for text conditions (see the class comment). */
    private static Depends filterDepends(JsonNode f, int depth) throws MethodError {
        if (f == null || f.isNull() || !f.isObject() || depth > 50) return Depends.NOTHING_MUTABLE; // EmailQuery judges the form
        Depends d = Depends.NOTHING_MUTABLE;
        if (f.has("operator")) {
            for (JsonNode c : f.path("conditions")) d = max(d, filterDepends(c, depth + 1));
            return d;
        }
        for (String k : (Iterable<String>) f::fieldNames) {
            if (TextConditions.isText(k)) {
                throw new MethodError("cannotCalculateChanges",
                        "text conditions are answered from the full-text index, which the change log does not follow");
            }
            d = max(d, switch (k) {
                case "hasKeyword", "notKeyword" -> Depends.OWN_KEYWORDS;
                case "allInThreadHaveKeyword", "someInThreadHaveKeyword", "noneInThreadHaveKeyword" -> Depends.THREAD;
                default -> Depends.NOTHING_MUTABLE; // mailbox, dates, size, attachments, headers; EmailQuery refuses unknowns
            });
        }
        return d;
    }

    private static Depends sortDepends(JsonNode sort) {
        Depends d = Depends.NOTHING_MUTABLE;
        if (sort == null || !sort.isArray()) return d;
        for (JsonNode s : sort) {
            d = max(d, switch (s.path("property").asText()) {
                case "hasKeyword" -> Depends.OWN_KEYWORDS;
                case "allInThreadHaveKeyword", "someInThreadHaveKeyword" -> Depends.THREAD;
                default -> Depends.NOTHING_MUTABLE;
            });
        }
        return d;
    }

    /**
     * Whether Email/queryChanges can follow a query with this filter and sort (Email/query's
     * canCalculateChanges, RFC 8620 §5.5): anything without text conditions.
     */
    static boolean canCalculate(JsonNode filter, JsonNode sort) {
        try {
            filterDepends(filter, 0);
            return true;
        } catch (MethodError e) {
            return false;
        }
    }

    private static Depends max(Depends a, Depends b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static ObjectNode window(ObjectNode args, long position, long limit, boolean total) {
        ObjectNode a = Json.object();
        a.put("accountId", args.path("accountId").asText(""));
        if (args.has("filter")) a.set("filter", args.get("filter"));
        if (args.has("sort")) a.set("sort", args.get("sort"));
        if (args.has("collapseThreads")) a.set("collapseThreads", args.get("collapseThreads"));
        a.put("position", position);
        a.put("limit", limit);
        a.put("calculateTotal", total);
        return a;
    }

    private static ObjectNode changeArgs(CallContext ctx, String since) {
        ObjectNode a = Json.object();
        a.put("accountId", ctx.accountId());
        a.put("sinceState", since);
        return a;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
