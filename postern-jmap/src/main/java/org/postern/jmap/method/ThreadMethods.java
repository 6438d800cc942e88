// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.Ids;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.Mailbox;
import org.postern.store.MailboxChanges;
import org.postern.store.MessageRecord;

/**
 * Thread/get and Thread/changes (RFC 8621 §3.1, §3.2) over the store's conversation ids
 * ({@link Threads}). A thread exists while it has an email; its emailIds are sorted by receivedAt,
 * oldest first. The Thread state is the Email state: a thread changes only when its emails do.
 */
public final class ThreadMethods {
    private ThreadMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.MAIL, "Thread/get", ThreadMethods::get);
        api.register(JmapApi.MAIL, "Thread/changes", ThreadMethods::changes);
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ids", "properties"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "ids", ctx.limits().maxObjectsInGet());
        Set<String> props = Args.properties(args, "properties", Set.of("id", "emailIds"), Set.of("id", "emailIds"));
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        Messages.View view = Messages.view(ctx);
        out.put("state", view.state());
        ArrayNode list = out.putArray("list");
        ArrayNode notFound = out.putArray("notFound");
        Map<String, List<Messages.Entry>> members = null;
        if (ids == null) {
            // RFC 8620 §5.1: null means all, when there are no more than maxObjectsInGet.
            members = Threads.members(ctx, view);
            if (members.size() > ctx.limits().maxObjectsInGet()) throw MethodError.requestTooLarge("too many threads; ask by id");
            ids = List.copyOf(members.keySet());
        }
        Map<Long, List<Messages.Entry>> byStoreId = null;
        if (members == null) {
            java.util.Set<Long> wanted = new java.util.HashSet<>();
            for (String raw : ids) {
                Long n = Threads.storeId(ctx, ctx.resolveId(raw));
                if (n != null) wanted.add(n);
            }
            if (!wanted.isEmpty()) byStoreId = Threads.emailsOf(ctx, view, wanted);
        }
        for (String raw : new LinkedHashSet<>(ids)) {
            String id = ctx.resolveId(raw);
            List<Messages.Entry> emails = null;
            Long storeId = Threads.storeId(ctx, id);
            if (members != null && members.containsKey(id)) {
                emails = members.get(id);
            } else if (id != null && id.startsWith("t")) {
                // A body the store could not thread: the email is its own thread.
                emails = view.find("e" + id.substring(1), 'e').filter(e -> Threads.of(ctx, e).equals(id))
                        .map(List::of).orElse(null);
            } else if (storeId != null && byStoreId != null) {
                emails = byStoreId.get(storeId);
            }
            if (emails == null || emails.isEmpty()) {
                notFound.add(raw);
                continue;
            }
            ObjectNode t = list.addObject();
            t.put("id", id);
            if (props.contains("emailIds")) {
                ArrayNode a = t.putArray("emailIds");
                for (Messages.Entry e : emails) a.add(e.id());
            }
        }
        return out;
    }

    /**
     * RFC 8620 §5.2 over the email changes since the state: the threads of created or changed emails
     * are created (when all their emails are new) or updated; the thread of an expunged email is
     * updated, or destroyed when it has no email left. An expunged email whose thread was never seen
     * by this server process cannot be placed, so the client is told to start again
     * (cannotCalculateChanges), which §5.2 allows at any time.
     */
    static ObjectNode changes(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "sinceState", "maxChanges"));
        ctx.checkAccount(args);
        String sinceState = Args.string(args, "sinceState");
        if (sinceState == null) throw MethodError.invalidArguments("sinceState is required");
        long maxChanges = Args.integer(args, "maxChanges", Long.MAX_VALUE, 1);
        Messages.State old = Messages.parseState(sinceState);
        Messages.View view = Messages.view(ctx);
        String newState = view.state();
        long now = Messages.parseState(newState).modSeq();
        if (old == null || old.modSeq() > now) throw MethodError.cannotCalculateChanges();
        long since = old.modSeq();
        long acc = ctx.account().id();
        List<Messages.Entry> changed = new ArrayList<>();
        Set<String> newEmails = new java.util.HashSet<>();
        Set<String> touched = new LinkedHashSet<>();
        boolean expunged = false;
        for (Mailbox mb : view.mailboxes()) {
            if (mb.highestModSeq() <= since) continue;
            MailboxChanges ch = ctx.store().mailboxes().changesSince(acc, mb.id(), since);
            long oldNext = old.uidNext().getOrDefault(mb.id(), 0L);
            for (MessageRecord r : ch.changed()) {
                Messages.Entry e = new Messages.Entry(mb, r);
                changed.add(e);
                if (r.uid() >= oldNext) newEmails.add(e.id());
            }
            for (long uid : ch.expunged()) {
                expunged = true;
                String t = ctx.threads().recall(acc, Ids.email(mb.id(), uid));
                if (t == null) t = uid >= oldNext ? null : "?";
                if ("?".equals(t)) throw MethodError.cannotCalculateChanges();
                if (t != null) touched.add(t);
            }
        }
        touched.addAll(Threads.of(ctx, changed));
        if (touched.size() > maxChanges) throw MethodError.cannotCalculateChanges();
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> destroyed = new ArrayList<>();
        if (!touched.isEmpty()) {
            Map<String, List<Messages.Entry>> members = Threads.members(ctx, view);
            for (String t : touched) {
                List<Messages.Entry> emails = members.get(t);
                if (emails == null || emails.isEmpty()) {
                    destroyed.add(t);
                } else if (!expunged && emails.stream().allMatch(e -> newEmails.contains(e.id()))) {
                    created.add(t);
                } else {
                    updated.add(t);
                }
            }
        }
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("oldState", sinceState);
        out.put("newState", newState);
        out.put("hasMoreChanges", false);
        created.forEach(out.putArray("created")::add);
        updated.forEach(out.putArray("updated")::add);
        destroyed.forEach(out.putArray("destroyed")::add);
        return out;
    }
}
