// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.postern.core.mime.MimeMessage;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.Ids;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.BlobStore;
import org.postern.store.FlagOp;
import org.postern.store.Mailbox;
import org.postern.store.MailboxChanges;
import org.postern.store.MessageRecord;
import org.postern.store.StoreException;

/** Email/get, /changes, /query, /set (RFC 8621 §4.2, §4.3, §4.4, §4.6). */
public final class EmailMethods {
    private EmailMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.MAIL, "Email/get", EmailMethods::get);
        api.register(JmapApi.MAIL, "Email/changes", (a, c) -> changes(a, c, 'e'));
        api.register(JmapApi.MAIL, "Email/query", EmailQuery::query);
        api.register(JmapApi.MAIL, "Email/set", EmailMethods::set);
        api.register(JmapApi.MAIL, "Email/import", EmailMethods::importEmails);
        api.register(JmapApi.MAIL, "Email/parse", EmailMethods::parse);
        // RFC 8621 §4.7: copying is between accounts, and a login has exactly one.
        api.register(JmapApi.MAIL, "Email/copy", (a, c) -> {
            c.checkAccount(a);
            String from = Args.string(a, "fromAccountId");
            if (from == null || from.equals(c.accountId())) {
                throw MethodError.invalidArguments("fromAccountId must name another account");
            }
            throw new MethodError("fromAccountNotFound", "no such account");
        });
        // RFC 8620 §5.6, from the change log; cannotCalculateChanges where it cannot tell (see there).
        api.register(JmapApi.MAIL, "Email/queryChanges", EmailQueryChanges::queryChanges);
    }

    /** Email/parse (RFC 8621 §4.9): an Email object for a message blob (e.g. an attached message/rfc822). */
    static ObjectNode parse(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "blobIds", "properties", "bodyProperties", "fetchTextBodyValues",
                "fetchHTMLBodyValues", "fetchAllBodyValues", "maxBodyValueBytes"));
        ctx.checkAccount(args);
        List<String> blobIds = Args.ids(args, "blobIds", ctx.limits().maxObjectsInGet());
        if (blobIds == null) throw MethodError.invalidArguments("blobIds is required");
        Set<String> defaults = new LinkedHashSet<>(List.of("messageId", "inReplyTo", "references", "sender", "from", "to",
                "cc", "bcc", "replyTo", "subject", "sentAt", "hasAttachment", "preview", "bodyValues", "textBody", "htmlBody",
                "attachments"));
        Set<String> props = Args.properties(args, "properties", EmailView.PROPERTIES, defaults);
        Set<String> bodyProps = Args.properties(args, "bodyProperties", BodyParts.PROPERTIES, BodyParts.DEFAULT_PROPERTIES);
        EmailView.BodyOptions body = new EmailView.BodyOptions(bodyProps, Args.bool(args, "fetchTextBodyValues", false),
                Args.bool(args, "fetchHTMLBodyValues", false), Args.bool(args, "fetchAllBodyValues", false),
                Args.integer(args, "maxBodyValueBytes", 0, 0));
        ObjectNode parsed = Json.object();
        ArrayNode notParsable = Json.array();
        ArrayNode notFound = Json.array();
        for (String blobId : blobIds) {
            Optional<Blobs.Content> content;
            try {
                content = Blobs.read(ctx, blobId);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (content.isEmpty()) {
                notFound.add(blobId);
                continue;
            }
            MimeMessage m = org.postern.core.mime.MessageParser.parse(content.get().bytes());
            if (m.headers().size() == 0) {
                notParsable.add(blobId);
                continue;
            }
            Set<String> own = new LinkedHashSet<>(props);
            own.removeAll(EmailView.METADATA);
            ObjectNode o = EmailView.build(null, m, own, body, blobId);
            // §4.9: properties that only a stored email has are null.
            for (String p : props) {
                if (!EmailView.METADATA.contains(p)) continue;
                if (p.equals("blobId")) o.put("blobId", blobId);
                else if (p.equals("size")) o.put("size", content.get().bytes().length);
                else o.putNull(p);
            }
            parsed.set(blobId, o);
        }
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.set("parsed", parsed.isEmpty() ? null : parsed);
        out.set("notParsable", notParsable.isEmpty() ? null : notParsable);
        out.set("notFound", notFound.isEmpty() ? null : notFound);
        return out;
    }

    /** Email/import (RFC 8621 §4.8): uploaded RFC 5322 blobs become emails. */
    static ObjectNode importEmails(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ifInState", "emails"));
        ctx.checkAccount(args);
        String oldState = Messages.emailState(ctx);
        String ifInState = Args.string(args, "ifInState");
        if (ifInState != null && !ifInState.equals(oldState)) throw MethodError.stateMismatch();
        ObjectNode emails = Args.object(args, "emails");
        if (emails == null) throw MethodError.invalidArguments("emails is required");
        if (emails.size() > ctx.limits().maxObjectsInSet()) throw MethodError.requestTooLarge("too many emails");
        ObjectNode created = Json.object();
        ObjectNode notCreated = Json.object();
        long acc = ctx.account().id();
        for (var e : emails.properties()) {
            try {
                JsonNode o = e.getValue();
                String blobId = o.path("blobId").asText(null);
                if (blobId == null || blobId.indexOf('_') >= 0 || !Blobs.readable(ctx, blobId)) {
                    notCreated.set(e.getKey(), SetErrors.of("blobNotFound", "no such blob"));
                    continue;
                }
                List<Long> mailboxes = mailboxIds(ctx, o.get("mailboxIds"));
                Set<String> kw = keywords(o.get("keywords"));
                Instant received = Instant.now();
                if (o.hasNonNull("receivedAt")) {
                    try {
                        received = Instant.parse(o.get("receivedAt").asText());
                    } catch (DateTimeParseException x) {
                        throw new EmailWriter.Invalid("receivedAt", "receivedAt must be a UTCDate");
                    }
                }
                long size;
                try {
                    size = ctx.store().blobs().size(blobId);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
                MessageRecord rec = ctx.store().mailboxes().append(acc, mailboxes.get(0), blobId, size,
                        Keywords.toFlags(kw, Set.of()), received);
                for (int i = 1; i < mailboxes.size(); i++) {
                    ctx.store().mailboxes().copy(acc, mailboxes.get(0), List.of(rec.uid()), mailboxes.get(i));
                }
                String id = Ids.email(mailboxes.get(0), rec.uid());
                ctx.createdIds().put(e.getKey(), id);
                ObjectNode c = created.putObject(e.getKey());
                c.put("id", id);
                c.put("blobId", blobId);
                c.put("threadId", Threads.of(ctx, blobId, mailboxes.get(0), rec.uid()));
                c.put("size", size);
            } catch (EmailWriter.Invalid x) {
                notCreated.set(e.getKey(), SetErrors.invalidProperties(x.getMessage(), List.of(x.property)));
            }
        }
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("oldState", oldState);
        out.put("newState", Messages.emailState(ctx));
        out.set("created", created.isEmpty() ? null : created);
        out.set("notCreated", notCreated.isEmpty() ? null : notCreated);
        return out;
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ids", "properties", "bodyProperties", "fetchTextBodyValues",
                "fetchHTMLBodyValues", "fetchAllBodyValues", "maxBodyValueBytes"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "ids", ctx.limits().maxObjectsInGet());
        Set<String> props = new LinkedHashSet<>(Args.properties(args, "properties", EmailView.PROPERTIES, EmailView.DEFAULT));
        for (String p : props) {
            if (p.startsWith("header:") && !HeaderForms.valid(p)) throw MethodError.invalidArguments("invalid property " + p);
        }
        props.add("id");
        Set<String> bodyProps = Args.properties(args, "bodyProperties", BodyParts.PROPERTIES, BodyParts.DEFAULT_PROPERTIES);
        for (String p : bodyProps) {
            if (p.startsWith("header:") && !HeaderForms.valid(p)) throw MethodError.invalidArguments("invalid property " + p);
        }
        EmailView.BodyOptions body = new EmailView.BodyOptions(bodyProps, Args.bool(args, "fetchTextBodyValues", false),
                Args.bool(args, "fetchHTMLBodyValues", false), Args.bool(args, "fetchAllBodyValues", false),
                Args.integer(args, "maxBodyValueBytes", 0, 0));
        boolean needBody = !EmailView.METADATA.containsAll(props);
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        Messages.View view = Messages.view(ctx);
        out.put("state", view.state());
        ArrayNode list = out.putArray("list");
        ArrayNode notFound = out.putArray("notFound");
        if (ids == null) {
            // RFC 8620 §5.1: ids null means all; refuse rather than build an unbounded answer.
            List<Messages.Entry> all = view.all();
            if (all.size() > ctx.limits().maxObjectsInGet()) throw MethodError.requestTooLarge("too many emails; ask by id");
            List<String> threads = props.contains("threadId") ? Threads.of(ctx, all) : null;
            for (int i = 0; i < all.size(); i++) {
                list.add(view(all.get(i), ctx, props, body, needBody, threads == null ? null : threads.get(i)));
            }
            return out;
        }
        List<Messages.Entry> found = new ArrayList<>();
        for (String raw : new LinkedHashSet<>(ids)) {
            Optional<Messages.Entry> e = view.find(ctx.resolveId(raw), 'e');
            if (e.isPresent()) found.add(e.get());
            else notFound.add(raw);
        }
        // One store round trip for the thread ids of the whole page.
        List<String> threads = props.contains("threadId") ? Threads.of(ctx, found) : null;
        for (int i = 0; i < found.size(); i++) {
            list.add(view(found.get(i), ctx, props, body, needBody, threads == null ? null : threads.get(i)));
        }
        return out;
    }

    private static ObjectNode view(Messages.Entry e, CallContext ctx, Set<String> props, EmailView.BodyOptions body,
            boolean needBody, String threadId) {
        MimeMessage m = needBody ? ctx.messages().get(e.record().blobId()) : null;
        return EmailView.build(e, m, props, body, e.record().blobId(), ctx.messages(), threadId);
    }

    /** Email/changes and Thread/changes: both follow the account MODSEQ ({@code kind} 'e' or 't'). */
    static ObjectNode changes(ObjectNode args, CallContext ctx, char kind) throws MethodError {
        Args.only(args, Set.of("accountId", "sinceState", "maxChanges"));
        ctx.checkAccount(args);
        String sinceState = Args.string(args, "sinceState");
        if (sinceState == null) throw MethodError.invalidArguments("sinceState is required");
        long maxChanges = Args.integer(args, "maxChanges", Long.MAX_VALUE, 1);
        Messages.State old = Messages.parseState(sinceState);
        // Taken first: changes racing with this call may be reported twice, never missed.
        String newState = Messages.emailState(ctx);
        long now = Messages.parseState(newState).modSeq();
        if (old == null || old.modSeq() > now) throw MethodError.cannotCalculateChanges();
        long since = old.modSeq();
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> destroyed = new ArrayList<>();
        long acc = ctx.account().id();
        for (Mailbox mb : ctx.store().mailboxes().list(acc)) {
            if (mb.highestModSeq() <= since) continue;
            MailboxChanges ch = ctx.store().mailboxes().changesSince(acc, mb.id(), since);
            // RFC 8620 §5.2: new since the old state when its UID is at or above the old UIDNEXT
            // (a mailbox unknown to the old state is new altogether).
            long oldNext = old.uidNext().getOrDefault(mb.id(), 0L);
            for (MessageRecord r : ch.changed()) {
                String id = kind == 'e' ? Ids.email(mb.id(), r.uid()) : Ids.thread(mb.id(), r.uid());
                (r.uid() >= oldNext ? created : updated).add(id);
            }
            for (long uid : ch.expunged()) destroyed.add(kind == 'e' ? Ids.email(mb.id(), uid) : Ids.thread(mb.id(), uid));
        }
        if (created.size() + updated.size() + destroyed.size() > maxChanges) throw MethodError.cannotCalculateChanges();
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

    static ObjectNode set(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ifInState", "create", "update", "destroy"));
        ctx.checkAccount(args);
        String oldState = Messages.emailState(ctx);
        String ifInState = Args.string(args, "ifInState");
        if (ifInState != null && !ifInState.equals(oldState)) throw MethodError.stateMismatch();
        ObjectNode create = Args.object(args, "create");
        ObjectNode update = Args.object(args, "update");
        List<String> destroy = Args.ids(args, "destroy", ctx.limits().maxObjectsInSet());
        int count = (create == null ? 0 : create.size()) + (update == null ? 0 : update.size()) + (destroy == null ? 0 : destroy.size());
        if (count > ctx.limits().maxObjectsInSet()) throw MethodError.requestTooLarge("too many objects in one set");
        SetResult r = new SetResult();
        long acc = ctx.account().id();
        if (create != null) {
            for (var e : create.properties()) {
                try {
                    r.created(e.getKey(), create(ctx, e.getKey(), e.getValue()));
                } catch (EmailWriter.Invalid x) {
                    r.notCreated(e.getKey(), SetErrors.invalidProperties(x.getMessage(), List.of(x.property)));
                }
            }
        }
        if (update != null) {
            for (var e : update.properties()) {
                String id = e.getKey();
                Optional<Messages.Entry> found = Messages.find(ctx, ctx.resolveId(id), 'e');
                if (found.isEmpty()) {
                    r.notUpdated(id, SetErrors.of("notFound", null));
                    continue;
                }
                try {
                    if (!e.getValue().isObject()) throw new EmailWriter.Invalid("", "the patch must be an object");
                    update(ctx, found.get(), (ObjectNode) e.getValue());
                    r.updated(id);
                } catch (EmailWriter.Invalid x) {
                    r.notUpdated(id, SetErrors.invalidProperties(x.getMessage(), List.of(x.property)));
                } catch (StoreException.NotFound x) {
                    r.notUpdated(id, SetErrors.of("notFound", null));
                }
            }
        }
        if (destroy != null) {
            for (String id : destroy) {
                Optional<Messages.Entry> found = Messages.find(ctx, ctx.resolveId(id), 'e');
                if (found.isEmpty()) {
                    r.notDestroyed(id, SetErrors.of("notFound", null));
                    continue;
                }
                Messages.Entry en = found.get();
                ctx.store().mailboxes().expunge(acc, en.mailbox().id(), List.of(en.record().uid()));
                r.destroyed(id);
            }
        }
        return r.toJson(ctx.accountId(), oldState, Messages.emailState(ctx));
    }

    private static List<Long> mailboxIds(CallContext ctx, JsonNode n) throws EmailWriter.Invalid {
        if (n == null || !n.isObject() || n.isEmpty()) throw new EmailWriter.Invalid("mailboxIds", "at least one mailbox is required");
        List<Long> out = new ArrayList<>();
        for (var e : n.properties()) {
            if (!e.getValue().isBoolean() || !e.getValue().asBoolean()) throw new EmailWriter.Invalid("mailboxIds", "values must be true");
            long id = Ids.mailboxOf(ctx.resolveId(e.getKey()));
            if (ctx.store().mailboxes().byId(ctx.account().id(), id).isEmpty()) {
                throw new EmailWriter.Invalid("mailboxIds", "no mailbox " + e.getKey());
            }
            out.add(id);
        }
        return out;
    }

    private static Set<String> keywords(JsonNode n) throws EmailWriter.Invalid {
        Set<String> out = new LinkedHashSet<>();
        if (n == null || n.isNull()) return out;
        if (!n.isObject()) throw new EmailWriter.Invalid("keywords", "keywords must be an object");
        for (var e : n.properties()) {
            if (!Keywords.valid(e.getKey()) || !e.getValue().isBoolean() || !e.getValue().asBoolean()) {
                throw new EmailWriter.Invalid("keywords", "invalid keyword " + e.getKey());
            }
            out.add(e.getKey());
        }
        return out;
    }

    private static ObjectNode create(CallContext ctx, String creationId, JsonNode value) throws EmailWriter.Invalid {
        if (!value.isObject()) throw new EmailWriter.Invalid("", "not an object");
        ObjectNode email = (ObjectNode) value;
        for (String k : (Iterable<String>) email::fieldNames) {
            if (Set.of("id", "blobId", "threadId", "size", "hasAttachment", "preview", "headers").contains(k)) {
                throw new EmailWriter.Invalid(k, k + " is set by the server");
            }
        }
        List<Long> mailboxes = mailboxIds(ctx, email.get("mailboxIds"));
        Set<String> kw = keywords(email.get("keywords"));
        Instant received = Instant.now();
        if (email.hasNonNull("receivedAt")) {
            try {
                received = Instant.parse(email.get("receivedAt").asText());
            } catch (DateTimeParseException e) {
                throw new EmailWriter.Invalid("receivedAt", "receivedAt must be a UTCDate");
            }
        }
        String domain = ctx.account().address().substring(ctx.account().address().indexOf('@') + 1);
        byte[] bytes = new EmailWriter(ctx, email, domain).write();
        String blobId;
        try (BlobStore.BlobWriter w = ctx.store().blobs().create()) {
            w.stream().write(bytes);
            blobId = w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long acc = ctx.account().id();
        MessageRecord rec = ctx.store().mailboxes().append(acc, mailboxes.get(0), blobId, bytes.length,
                Keywords.toFlags(kw, Set.of()), received);
        for (int i = 1; i < mailboxes.size(); i++) {
            ctx.store().mailboxes().copy(acc, mailboxes.get(0), List.of(rec.uid()), mailboxes.get(i));
        }
        String id = Ids.email(mailboxes.get(0), rec.uid());
        ctx.createdIds().put(creationId, id);
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("blobId", blobId);
        o.put("threadId", Threads.of(ctx, blobId, mailboxes.get(0), rec.uid()));
        o.put("size", bytes.length);
        return o;
    }

    /**
     * Applies a PatchObject (RFC 8620 §5.3) of keywords and mailboxIds. The email is one store message,
     * so a changed mailbox set becomes a move to the first new mailbox plus copies to the others.
     */
    private static void update(CallContext ctx, Messages.Entry e, ObjectNode patch) throws EmailWriter.Invalid {
        Set<String> kw = Keywords.fromFlags(e.record().flags());
        Map<Long, Boolean> boxes = new LinkedHashMap<>();
        boxes.put(e.mailbox().id(), true);
        boolean kwChanged = false;
        boolean boxChanged = false;
        for (var p : patch.properties()) {
            String k = p.getKey();
            JsonNode v = p.getValue();
            if (k.equals("keywords")) {
                kw = keywords(v);
                kwChanged = true;
            } else if (k.startsWith("keywords/")) {
                String word = k.substring("keywords/".length()).replace("~1", "/").replace("~0", "~");
                if (!Keywords.valid(word)) throw new EmailWriter.Invalid(k, "invalid keyword");
                if (v.isNull()) kw.remove(word.toLowerCase(java.util.Locale.ROOT));
                else if (v.isBoolean() && v.asBoolean()) kw.add(word.toLowerCase(java.util.Locale.ROOT));
                else throw new EmailWriter.Invalid(k, "must be true or null");
                kwChanged = true;
            } else if (k.equals("mailboxIds")) {
                boxes.clear();
                for (long id : mailboxIds(ctx, v)) boxes.put(id, true);
                boxChanged = true;
            } else if (k.startsWith("mailboxIds/")) {
                String mid = ctx.resolveId(k.substring("mailboxIds/".length()));
                long id = Ids.mailboxOf(mid);
                if (ctx.store().mailboxes().byId(ctx.account().id(), id).isEmpty()) {
                    throw new EmailWriter.Invalid("mailboxIds", "no mailbox " + mid);
                }
                if (v.isNull()) boxes.remove(id);
                else if (v.isBoolean() && v.asBoolean()) boxes.put(id, true);
                else throw new EmailWriter.Invalid(k, "must be true or null");
                boxChanged = true;
            } else {
                throw new EmailWriter.Invalid(k, "cannot update " + k);
            }
        }
        if (boxChanged && boxes.isEmpty()) throw new EmailWriter.Invalid("mailboxIds", "an email must be in a mailbox");
        long acc = ctx.account().id();
        long mb = e.mailbox().id();
        long uid = e.record().uid();
        if (kwChanged) {
            Set<String> flags = Keywords.toFlags(kw, e.record().flags());
            if (!flags.equals(e.record().flags())) {
                ctx.store().mailboxes().storeFlags(acc, mb, List.of(uid), FlagOp.REPLACE, flags, -1);
            }
        }
        if (boxChanged) {
            List<Long> targets = new ArrayList<>(boxes.keySet());
            targets.remove(mb);
            for (long t : targets.subList(boxes.containsKey(mb) ? 0 : 1, targets.size())) {
                ctx.store().mailboxes().copy(acc, mb, List.of(uid), t);
            }
            if (!boxes.containsKey(mb)) ctx.store().mailboxes().move(acc, mb, List.of(uid), targets.get(0));
        }
    }
}
