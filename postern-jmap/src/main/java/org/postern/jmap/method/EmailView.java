// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.postern.core.mime.Header;
import org.postern.core.mime.Headers;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.MimePart;
import org.postern.core.mime.TextExtractor;
import org.postern.jmap.Ids;
import org.postern.jmap.MessageCache;
import org.postern.jmap.proto.Json;

/** Builds Email objects (RFC 8621 §4.1) from a message record and its parsed body. */
final class EmailView {
    static final Set<String> PROPERTIES = new LinkedHashSet<>(List.of("id", "blobId", "threadId", "mailboxIds", "keywords",
            "size", "receivedAt", "messageId", "inReplyTo", "references", "sender", "from", "to", "cc", "bcc", "replyTo",
            "subject", "sentAt", "hasAttachment", "preview", "bodyValues", "textBody", "htmlBody", "attachments", "headers",
            "bodyStructure", "header:*"));
    static final Set<String> DEFAULT = new LinkedHashSet<>(List.of("id", "blobId", "threadId", "mailboxIds", "keywords",
            "size", "receivedAt", "messageId", "inReplyTo", "references", "sender", "from", "to", "cc", "bcc", "replyTo",
            "subject", "sentAt", "hasAttachment", "preview", "bodyValues", "textBody", "htmlBody", "attachments"));
    /** Properties answered from the record alone, without reading the message. */
    static final Set<String> METADATA = Set.of("id", "blobId", "threadId", "mailboxIds", "keywords", "size", "receivedAt");

    /** The properties that need {@link BodyParts}. */
    private static final Set<String> PART_PROPERTIES = Set.of("hasAttachment", "bodyStructure", "textBody", "htmlBody",
            "attachments", "bodyValues");

    record BodyOptions(Set<String> bodyProperties, boolean text, boolean html, boolean all, long maxBytes) {}

    private EmailView() {}

    static String utc(java.time.Instant i) {
        return DateTimeFormatter.ISO_INSTANT.format(i.truncatedTo(ChronoUnit.SECONDS));
    }

    /** {@code e} is null for a message that is not stored (Email/parse); then only header and body properties apply. */
    static ObjectNode build(Messages.Entry e, MimeMessage m, Set<String> props, BodyOptions body, String blobId) {
        return build(e, m, props, body, blobId, null, null);
    }

    /** With {@code previews} (may be null), a stored message's preview is computed once per blob. */
    static ObjectNode build(Messages.Entry e, MimeMessage m, Set<String> props, BodyOptions body, String blobId,
            MessageCache previews, String threadId) {
        ObjectNode o = Json.object();
        var r = e == null ? null : e.record();
        // The part lists cost a walk of the MIME tree: only for the properties that show them.
        BodyParts parts = m == null || java.util.Collections.disjoint(props, PART_PROPERTIES) ? null : new BodyParts(m, blobId);
        Headers h = m == null ? null : m.headers();
        for (String p : props) {
            switch (p) {
                case "id" -> o.put("id", e.id());
                case "blobId" -> o.put("blobId", r.blobId());
                case "threadId" -> o.put("threadId", threadId);
                case "mailboxIds" -> o.putObject("mailboxIds").put(Ids.mailbox(e.mailbox().id()), true);
                case "keywords" -> {
                    ObjectNode k = o.putObject("keywords");
                    for (String kw : Keywords.fromFlags(r.flags())) k.put(kw, true);
                }
                case "size" -> o.put("size", r.size());
                case "receivedAt" -> o.put("receivedAt", utc(r.internalDate()));
                case "messageId" -> o.set(p, HeaderForms.last(h, "Message-ID", "MessageIds"));
                case "inReplyTo" -> o.set(p, HeaderForms.last(h, "In-Reply-To", "MessageIds"));
                case "references" -> o.set(p, HeaderForms.last(h, "References", "MessageIds"));
                case "sender" -> o.set(p, addressesOrNull(h, "Sender"));
                case "from" -> o.set(p, addressesOrNull(h, "From"));
                case "to" -> o.set(p, addressesOrNull(h, "To"));
                case "cc" -> o.set(p, addressesOrNull(h, "Cc"));
                case "bcc" -> o.set(p, addressesOrNull(h, "Bcc"));
                case "replyTo" -> o.set(p, addressesOrNull(h, "Reply-To"));
                case "subject" -> o.set(p, HeaderForms.last(h, "Subject", "Text"));
                case "sentAt" -> o.set(p, HeaderForms.last(h, "Date", "Date"));
                case "hasAttachment" -> o.put(p, !parts.attachments.isEmpty());
                case "preview" -> o.put(p, previews == null || e == null ? preview(m) : previews.preview(r.blobId(), EmailView::preview));
                case "headers" -> {
                    ArrayNode a = o.putArray("headers");
                    for (Header x : h.all()) a.addObject().put("name", x.name()).put("value", x.rawValue());
                }
                case "bodyStructure" -> o.set(p, parts.part(m.root(), withSubParts(body.bodyProperties())));
                case "textBody" -> o.set(p, parts.list(parts.textBody, body.bodyProperties()));
                case "htmlBody" -> o.set(p, parts.list(parts.htmlBody, body.bodyProperties()));
                case "attachments" -> o.set(p, parts.list(parts.attachments, body.bodyProperties()));
                case "bodyValues" -> {
                    ObjectNode v = o.putObject("bodyValues");
                    List<MimePart> want = new ArrayList<>();
                    if (body.all()) {
                        collectText(m.root(), want);
                    } else {
                        if (body.text()) want.addAll(parts.textBody);
                        if (body.html()) want.addAll(parts.htmlBody);
                    }
                    for (MimePart x : want) {
                        if (!x.contentType().type().equals("text")) continue;
                        String id = parts.partId(x);
                        if (id != null && !v.has(id)) v.set(id, parts.value(x, body.maxBytes()));
                    }
                }
                default -> {
                    if (p.startsWith("header:")) HeaderForms.put(o, p, h);
                }
            }
        }
        return o;
    }

    private static Set<String> withSubParts(Set<String> props) {
        Set<String> s = new LinkedHashSet<>(props);
        s.add("subParts");
        return s;
    }

    private static void collectText(MimePart p, List<MimePart> out) {
        if (p.isMultipart()) {
            for (MimePart c : p.children()) collectText(c, out);
        } else if (p.contentType().type().equals("text")) {
            out.add(p);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode addressesOrNull(Headers h, String name) {
        return HeaderForms.last(h, name, "Addresses");
    }

    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    /** RFC 8621 §4.1.4 preview: up to 256 characters of plain text, whitespace collapsed. */
    static String preview(MimeMessage m) {
        String t = WHITESPACE.matcher(TextExtractor.text(m, 1024)).replaceAll(" ").strip();
        return t.length() <= 256 ? t : t.substring(0, t.offsetByCodePoints(0, Math.min(256, t.codePointCount(0, t.length()))));
    }
}
