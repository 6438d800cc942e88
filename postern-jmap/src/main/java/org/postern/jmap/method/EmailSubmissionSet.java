// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.core.MailAddress;
import org.postern.core.mime.MimeMessage;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.OutboundQueue;
import org.postern.store.IdentityStore.Identity;
import org.postern.store.SubmissionStore.Submission;

/**
 * EmailSubmission/set (RFC 8621 §7.5): each create checks the Email and identity, builds the
 * envelope, and hands the message (Bcc removed) to the {@link MailSubmitter}, whose refusals become
 * the §7.5 SetErrors. onSuccessUpdateEmail/onSuccessDestroyEmail then run as one implicit Email/set
 * answered after this response with the same call id.
 */
final class EmailSubmissionSet {
    private static final Set<String> CREATE_PROPERTIES = Set.of("identityId", "emailId", "envelope", "undoStatus");

    private final MailSubmitter submitter;

    EmailSubmissionSet(MailSubmitter submitter) {
        this.submitter = submitter;
    }

    ObjectNode set(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ifInState", "create", "update", "destroy", "onSuccessUpdateEmail",
                "onSuccessDestroyEmail"));
        ctx.checkAccount(args);
        String oldState = EmailSubmissionMethods.state(ctx);
        String ifInState = Args.string(args, "ifInState");
        if (ifInState != null && !ifInState.equals(oldState)) throw MethodError.stateMismatch();
        ObjectNode create = Args.object(args, "create");
        ObjectNode update = Args.object(args, "update");
        List<String> destroy = Args.ids(args, "destroy", ctx.limits().maxObjectsInSet());
        ObjectNode onUpdate = Args.object(args, "onSuccessUpdateEmail");
        List<String> onDestroy = Args.ids(args, "onSuccessDestroyEmail", ctx.limits().maxObjectsInSet());
        int count = (create == null ? 0 : create.size()) + (update == null ? 0 : update.size()) + (destroy == null ? 0 : destroy.size());
        if (count > ctx.limits().maxObjectsInSet()) throw MethodError.requestTooLarge("too many objects in one set");
        if (onUpdate != null) {
            for (Map.Entry<String, JsonNode> e : onUpdate.properties()) {
                if (!e.getValue().isObject()) throw MethodError.invalidArguments("onSuccessUpdateEmail values must be PatchObjects");
            }
        }
        SetResult r = new SetResult();
        // Submission id (or "#creationId") that succeeded in this call -> the Email it sent.
        Map<String, String> succeeded = new LinkedHashMap<>();
        if (create != null) {
            for (Map.Entry<String, JsonNode> e : create.properties()) {
                ObjectNode outcome = create(ctx, e.getKey(), e.getValue());
                if (outcome.has("type")) {
                    r.notCreated(e.getKey(), outcome);
                } else {
                    r.created(e.getKey(), outcome);
                    Submission s = EmailSubmissionMethods.find(ctx, outcome.get("id").asText()).orElseThrow();
                    succeeded.put("#" + e.getKey(), s.emailId());
                }
            }
        }
        if (update != null) {
            for (Map.Entry<String, JsonNode> e : update.properties()) {
                String id = e.getKey();
                Optional<Submission> found = EmailSubmissionMethods.find(ctx, id);
                if (found.isEmpty()) {
                    r.notUpdated(id, SetErrors.of("notFound", null));
                    continue;
                }
                ObjectNode error = update(ctx, found.get(), e.getValue());
                if (error != null) {
                    r.notUpdated(id, error);
                } else {
                    r.updated(id);
                    succeeded.put(id, found.get().emailId());
                }
            }
        }
        if (destroy != null) {
            for (String id : destroy) {
                Optional<Submission> found = EmailSubmissionMethods.find(ctx, id);
                // §7.5: destroying the record never touches the deliveries it describes.
                if (found.isPresent() && ctx.store().submissions().delete(ctx.account().id(), found.get().id())) {
                    r.destroyed(id);
                    succeeded.put(id, found.get().emailId());
                } else {
                    r.notDestroyed(id, SetErrors.of("notFound", null));
                }
            }
        }
        String newState = EmailSubmissionMethods.state(ctx);
        ObjectNode out = r.toJson(ctx.accountId(), oldState, newState);
        ObjectNode emailSet = implicitEmailSet(ctx, succeeded, onUpdate, onDestroy);
        if (emailSet != null) {
            try {
                JmapApi.addImplicitResponse(out, "Email/set", EmailMethods.set(emailSet, ctx));
            } catch (MethodError e) {
                // The submissions stand; only the implicit call failed, and it says so in its place.
                ObjectNode err = SetErrors.of(e.type(), e.getMessage());
                JmapApi.addImplicitResponse(out, "error", err);
            }
        }
        return out;
    }

    /**
     * The arguments of the implicit Email/set, or null when nothing is asked of it. Entries for
     * submissions that did not succeed here are skipped (§7.5: "if the create/update/destroy succeeds").
     */
    private static ObjectNode implicitEmailSet(CallContext ctx, Map<String, String> succeeded, ObjectNode onUpdate,
            List<String> onDestroy) {
        ObjectNode updates = Json.object();
        ArrayNode destroys = Json.array();
        if (onUpdate != null) {
            for (Map.Entry<String, JsonNode> e : onUpdate.properties()) {
                String emailId = succeeded.get(e.getKey());
                if (emailId != null) updates.set(emailId, e.getValue());
            }
        }
        if (onDestroy != null) {
            for (String id : onDestroy) {
                String emailId = succeeded.get(id);
                if (emailId != null) {
                    destroys.add(emailId);
                    updates.remove(emailId); // a message destroyed is not also moved
                }
            }
        }
        if (updates.isEmpty() && destroys.isEmpty()) return null;
        ObjectNode args = Json.object();
        args.put("accountId", ctx.accountId());
        if (!updates.isEmpty()) args.set("update", updates);
        if (!destroys.isEmpty()) args.set("destroy", destroys);
        return args;
    }

    /** The created object (id and server-set properties), or a SetError (it has "type"). */
    private ObjectNode create(CallContext ctx, String creationId, JsonNode value) {
        if (!value.isObject()) return SetErrors.invalidProperties("an EmailSubmission must be an object", List.of());
        ObjectNode o = (ObjectNode) value;
        for (String k : (Iterable<String>) o::fieldNames) {
            if (!CREATE_PROPERTIES.contains(k)) return SetErrors.invalidProperties(k + " is server-set or unknown", List.of(k));
        }
        // Sending starts at once: a client may not ask for "canceled" (or anything but the two states) on create.
        JsonNode undo = o.get("undoStatus");
        if (undo != null && !(undo.isTextual() && (undo.asText().equals("final") || undo.asText().equals("pending")))) {
            return SetErrors.invalidProperties("undoStatus can only be pending or final on create", List.of("undoStatus"));
        }
        JsonNode identityId = o.get("identityId");
        if (identityId == null || !identityId.isTextual()) return SetErrors.invalidProperties("identityId is required", List.of("identityId"));
        Optional<Identity> identity = IdentityMethods.find(ctx, identityId.asText());
        if (identity.isEmpty()) return SetErrors.invalidProperties("no such identity", List.of("identityId"));
        JsonNode emailId = o.get("emailId");
        if (emailId == null || !emailId.isTextual()) return SetErrors.invalidProperties("emailId is required", List.of("emailId"));
        String resolvedEmail = ctx.resolveId(emailId.asText());
        Optional<Messages.Entry> email = resolvedEmail == null ? Optional.empty() : Messages.find(ctx, resolvedEmail, 'e');
        if (email.isEmpty()) return SetErrors.invalidProperties("no such email", List.of("emailId"));
        if (email.get().record().size() > submitter.maxSize()) {
            ObjectNode e = SetErrors.of("tooLarge", "the message is larger than the server sends");
            e.put("maxSize", submitter.maxSize());
            return e;
        }
        MimeMessage m;
        try {
            m = ctx.messages().get(email.get().record().blobId());
        } catch (UncheckedIOException x) {
            return SetErrors.of("forbiddenToSend", "the message could not be read; try again");
        }
        SubmissionEnvelope.Envelope envelope;
        Instant now = Instant.now();
        try {
            JsonNode given = o.get("envelope");
            envelope = given == null || given.isNull() ? SubmissionEnvelope.derive(m, identity.get().email())
                    : SubmissionEnvelope.parse(given, now);
        } catch (SubmissionEnvelope.Invalid x) {
            return SetErrors.invalidProperties(x.getMessage(), List.of(x.property)).put("type", x.type);
        }
        Instant hold = envelope.options().holdUntil();
        ObjectNode badHold = checkHold(envelope.options(), o.get("envelope"), now);
        if (badHold != null) return badHold;
        if (hold != null) {
            // The intake delivers to local mailboxes at once; only the queue can hold, so a held message
            // must go to remote recipients only rather than reach local ones before its time.
            for (String r : envelope.rcptTo()) {
                int at = r.lastIndexOf('@');
                if (at > 0 && ctx.store().directory().isLocalDomain(r.substring(at + 1).toLowerCase(java.util.Locale.ROOT))) {
                    return SetErrors.invalidProperties("a held message (HOLDFOR/HOLDUNTIL) cannot go to this server's own"
                            + " domains yet: " + r, List.of("envelope/mailFrom"));
                }
            }
        }
        ObjectNode refused = checkRecipients(envelope.rcptTo());
        if (refused != null) return refused;
        MailSubmitter.Outcome outcome = submitter.submit(ctx.account(), envelope.mailFrom(), envelope.rcptTo(),
                SubmissionEnvelope.forSending(m), envelope.options(), envelope.rcptOptions());
        return switch (outcome) {
            case MailSubmitter.Refused no -> refusal(no);
            case MailSubmitter.Sent sent -> {
                // §7 sendAt: the release time of a held message, else the time of creation.
                Submission s = ctx.store().submissions().create(new Submission(0, ctx.account().id(), identity.get().id(),
                        email.get().id(), email.get().threadId(ctx), envelope.mailFrom(), envelope.rcptTo(),
                        sent.localRecipients(), sent.queueId(), hold != null ? hold : now,
                        // §7: "pending" while nothing is delivered that cannot be recalled (only a queue entry).
                        sent.localRecipients().isEmpty() && sent.queueId() >= 0 ? "pending" : "final"));
                String id = EmailSubmissionMethods.PREFIX + s.id();
                ctx.createdIds().put(creationId, id);
                ObjectNode created = Json.object();
                created.put("id", id);
                created.put("threadId", s.threadId());
                created.put("sendAt", EmailSubmissionMethods.utc(s.sendAt()));
                created.put("undoStatus", s.undoStatus());
                yield created;
            }
        };
    }

    /**
     * A FUTURERELEASE hold (RFC 4865, RFC 8621 §7.5) only when the submitter can hold, and no longer than
     * it allows (§1.3.2 maxDelayedSend); null when acceptable.
     */
    private ObjectNode checkHold(org.postern.store.Intake.Options options, JsonNode given, Instant now) {
        boolean asked = given != null && given.path("mailFrom").path("parameters").isObject()
                && given.path("mailFrom").path("parameters").properties().stream()
                        .anyMatch(p -> p.getKey().equalsIgnoreCase("HOLDFOR") || p.getKey().equalsIgnoreCase("HOLDUNTIL"));
        java.time.Duration max = submitter.maxDelayedSend();
        if (asked && !max.isPositive()) {
            return SetErrors.invalidProperties("unsupported MAIL FROM parameter: this server sends at once (maxDelayedSend 0)",
                    List.of("envelope/mailFrom"));
        }
        if (options.holdUntil() != null && options.holdUntil().isAfter(now.plus(max))) {
            return SetErrors.invalidProperties("the release time is beyond maxDelayedSend (" + max.toSeconds() + " seconds)",
                    List.of("envelope/mailFrom"));
        }
        return null;
    }

    /** §7.5 noRecipients, tooManyRecipients, invalidRecipients (syntax; the intake judges the rest). */
    private ObjectNode checkRecipients(List<String> rcptTo) {
        if (rcptTo.isEmpty()) return SetErrors.of("noRecipients", "the envelope has no recipients");
        if (rcptTo.size() > submitter.maxRecipients()) {
            ObjectNode e = SetErrors.of("tooManyRecipients", "at most " + submitter.maxRecipients() + " recipients");
            e.put("maxRecipients", submitter.maxRecipients());
            return e;
        }
        List<String> bad = new ArrayList<>();
        for (String r : rcptTo) if (MailAddress.parse(r).isEmpty()) bad.add(r);
        return bad.isEmpty() ? null : invalidRecipients(bad);
    }

    private static ObjectNode invalidRecipients(List<String> bad) {
        ObjectNode e = SetErrors.of("invalidRecipients", "these addresses cannot be sent to");
        ArrayNode a = e.putArray("invalidRecipients");
        bad.forEach(a::add);
        return e;
    }

    /** The SMTP refusal of the same submission on port 587, as the §7.5 SetError. */
    private ObjectNode refusal(MailSubmitter.Refused no) {
        String text = no.code() + " " + no.enhancedCode() + " " + no.text();
        // A temporary failure (4xx) is not the client's fault and may pass: "not right now".
        if (no.temporary()) return SetErrors.of("forbiddenToSend", text);
        return switch (no.stage()) {
            case SENDER -> SetErrors.of("forbiddenMailFrom", text);
            case RECIPIENT -> invalidRecipients(no.recipients()).put("description", text);
            case MESSAGE -> switch (no.enhancedCode()) {
                case "5.7.1" -> SetErrors.of("forbiddenFrom", text);
                case "5.6.0" -> SetErrors.invalidProperties(text, List.of("from")).put("type", "invalidEmail");
                case "5.3.4", "5.2.3" -> SetErrors.of("tooLarge", text).put("maxSize", submitter.maxSize());
                default -> SetErrors.of("forbiddenToSend", text);
            };
        };
    }

    /**
     * §7.5: only undoStatus may change, and only pending -> canceled. A submission is pending while it
     * went only to remote recipients and its queue entry still holds all of them: cancelling deletes
     * the entry. An entry whose attempt is due may be in a delivery right now, so it is not touched
     * (cannotUnsend); one waiting for a later retry is safe to delete.
     */
    private static ObjectNode update(CallContext ctx, Submission s, JsonNode patch) {
        if (!patch.isObject()) return SetErrors.invalidProperties("the patch must be an object", List.of());
        for (Map.Entry<String, JsonNode> p : patch.properties()) {
            if (!p.getKey().equals("undoStatus")) return SetErrors.invalidProperties(p.getKey() + " is immutable", List.of(p.getKey()));
            JsonNode v = p.getValue();
            if (v.isTextual() && v.asText().equals(s.undoStatus())) continue;
            if (!v.isTextual() || !v.asText().equals("canceled")) {
                return SetErrors.invalidProperties("undoStatus can only be set to canceled", List.of("undoStatus"));
            }
            if (!s.undoStatus().equals("pending")) {
                return SetErrors.of("cannotUnsend", "the message was relayed and cannot be recalled");
            }
            Optional<OutboundQueue.QueuedMessage> q = s.queueId() < 0 ? Optional.empty() : ctx.store().queue().get(s.queueId());
            boolean whole = q.isPresent() && q.get().recipients().size() == s.recipients().size()
                    && s.localRecipients().isEmpty();
            if (!whole || !q.get().nextAttempt().isAfter(Instant.now()) || !ctx.store().queue().delete(s.queueId())) {
                if (q.isEmpty() || !whole) ctx.store().submissions().setUndoStatus(ctx.account().id(), s.id(), "final");
                return SetErrors.of("cannotUnsend", q.isEmpty() || !whole ? "the message was relayed and cannot be recalled"
                        : "a delivery attempt is under way; try again");
            }
            ctx.store().submissions().setUndoStatus(ctx.account().id(), s.id(), "canceled");
        }
        return null;
    }
}
