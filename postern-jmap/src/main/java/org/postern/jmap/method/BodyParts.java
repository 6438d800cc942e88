// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.mime.ContentDisposition;
import org.postern.core.mime.EncodedWords;
import org.postern.core.mime.Header;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.MimePart;
import org.postern.jmap.proto.Json;

/**
 * EmailBodyPart objects (RFC 8621 §4.1.4): part ids, the bodyStructure tree, the textBody/htmlBody/
 * attachments lists by the RFC's parseStructure algorithm, and decoded body values. Part ids number
 * the non-multipart parts depth-first from 1; message/rfc822 parts are leaves (§4.1.4: not expanded).
 */
public final class BodyParts {
    public static final Set<String> PROPERTIES = Set.of("partId", "blobId", "size", "headers", "name", "type", "charset",
            "disposition", "cid", "language", "location", "subParts", "header:*");
    public static final Set<String> DEFAULT_PROPERTIES = new java.util.LinkedHashSet<>(List.of("partId", "blobId", "size",
            "name", "type", "charset", "disposition", "cid", "language", "location"));

    private final MimeMessage message;
    private final String blobId;
    private final Map<MimePart, String> ids = new IdentityHashMap<>();
    final List<MimePart> textBody = new ArrayList<>();
    final List<MimePart> htmlBody = new ArrayList<>();
    final List<MimePart> attachments = new ArrayList<>();

    public BodyParts(MimeMessage message, String blobId) {
        this.message = message;
        this.blobId = blobId;
        number(message.root(), new int[] {0});
        parseStructure(List.of(message.root()), "mixed", false, htmlBody, textBody, attachments);
    }

    /**
     * The htmlBody parts (RFC 8621 §4.1.4), in order: what the webmail's message view renders, so the
     * view and Email/get never disagree about which parts make up the body.
     */
    public List<MimePart> htmlBody() {
        return java.util.Collections.unmodifiableList(htmlBody);
    }

    private void number(MimePart p, int[] next) {
        if (p.isMultipart()) {
            for (MimePart c : p.children()) number(c, next);
        } else {
            ids.put(p, Integer.toString(++next[0]));
        }
    }

    /** The part with a part id, or null. */
    public static MimePart byPartId(MimeMessage m, String partId) {
        BodyParts b = new BodyParts(m, "");
        for (var e : b.ids.entrySet()) {
            if (e.getValue().equals(partId)) return e.getKey();
        }
        return null;
    }

    public String partId(MimePart p) {
        return ids.get(p);
    }

    private static boolean isInlineMediaType(String type) {
        return type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/");
    }

    private static String type(MimePart p) {
        return p.contentType().mimeType();
    }

    private static boolean hasName(MimePart p) {
        return name(p) != null;
    }

    /** RFC 8621 §4.1.4 parseStructure, transcribed; null lists stand for the RFC's "null". */
    private static void parseStructure(List<MimePart> parts, String multipartType, boolean inAlternative,
            List<MimePart> htmlBody, List<MimePart> textBody, List<MimePart> attachments) {
        int textLength = textBody == null ? -1 : textBody.size();
        int htmlLength = htmlBody == null ? -1 : htmlBody.size();
        for (int i = 0; i < parts.size(); i++) {
            MimePart part = parts.get(i);
            String type = type(part);
            boolean isMultipart = part.isMultipart();
            ContentDisposition d = part.disposition();
            boolean isInline = (d == null || !d.isAttachment())
                    && (type.equals("text/plain") || type.equals("text/html") || isInlineMediaType(type))
                    && (i == 0 || (!multipartType.equals("related") && (isInlineMediaType(type) || !hasName(part))));
            if (isMultipart) {
                String sub = part.contentType().subtype();
                parseStructure(part.children(), sub, inAlternative || sub.equals("alternative"), htmlBody, textBody,
                        attachments);
            } else if (isInline) {
                if (multipartType.equals("alternative")) {
                    switch (type) {
                        case "text/plain" -> textBody.add(part);
                        case "text/html" -> htmlBody.add(part);
                        default -> attachments.add(part);
                    }
                    continue;
                } else if (inAlternative) {
                    if (type.equals("text/plain")) htmlBody = null;
                    if (type.equals("text/html")) textBody = null;
                }
                if (textBody != null) textBody.add(part);
                if (htmlBody != null) htmlBody.add(part);
                if ((textBody == null || htmlBody == null) && isInlineMediaType(type)) attachments.add(part);
            } else {
                attachments.add(part);
            }
        }
        if (multipartType.equals("alternative") && textBody != null && htmlBody != null) {
            if (textLength == textBody.size() && htmlLength != htmlBody.size()) {
                for (int i = htmlLength; i < htmlBody.size(); i++) textBody.add(htmlBody.get(i));
            }
            if (htmlLength == htmlBody.size() && textLength != textBody.size()) {
                for (int i = textLength; i < textBody.size(); i++) htmlBody.add(textBody.get(i));
            }
        }
    }

    /** The part's file name: disposition filename, else Content-Type name, decoded. */
    static String name(MimePart p) {
        ContentDisposition d = p.disposition();
        String n = d == null ? null : d.filename();
        if (n == null) n = p.contentType().param("name");
        return n == null ? null : EncodedWords.decode(n);
    }

    public ObjectNode part(MimePart p, Set<String> props) {
        ObjectNode o = Json.object();
        String id = ids.get(p);
        for (String prop : props) {
            switch (prop) {
                case "partId" -> o.put("partId", id);
                case "blobId" -> o.put("blobId", id == null ? null : Blobs.partBlobId(blobId, id));
                case "size" -> o.put("size", p.isMultipart() ? 0 : p.isMessage() ? p.bodySize() : message.decodedBody(p).length);
                case "headers" -> {
                    ArrayNode a = o.putArray("headers");
                    for (Header h : p.headers().all()) a.addObject().put("name", h.name()).put("value", h.rawValue());
                }
                case "name" -> o.put("name", name(p));
                case "type" -> o.put("type", type(p));
                case "charset" -> o.put("charset", p.contentType().type().equals("text") ? p.contentType().charset() : null);
                case "disposition" -> o.put("disposition", p.disposition() == null ? null : p.disposition().type());
                case "cid" -> o.put("cid", stripAngles(p.contentId()));
                case "language" -> {
                    List<String> l = p.contentLanguage();
                    if (l == null || l.isEmpty()) o.putNull("language");
                    else l.forEach(o.putArray("language")::add);
                }
                case "location" -> o.put("location", p.contentLocation());
                case "subParts" -> {
                    if (!p.isMultipart()) o.putNull("subParts");
                    else {
                        ArrayNode a = o.putArray("subParts");
                        for (MimePart c : p.children()) a.add(part(c, props));
                    }
                }
                default -> {
                    if (prop.startsWith("header:")) HeaderForms.put(o, prop, p.headers());
                }
            }
        }
        return o;
    }

    public ArrayNode list(List<MimePart> parts, Set<String> props) {
        ArrayNode a = Json.array();
        for (MimePart p : parts) a.add(part(p, props));
        return a;
    }

    /** EmailBodyValue (§4.1.4): decoded text, truncated to maxBytes of UTF-8 without splitting a character. */
    public ObjectNode value(MimePart p, long maxBytes) {
        byte[] raw = message.decodedBody(p);
        boolean problem = false;
        String text;
        Charset cs = charset(p.contentType().charset());
        if (cs == null) {
            problem = true;
            cs = StandardCharsets.UTF_8;
        }
        try {
            text = cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            problem = true;
            text = new String(raw, cs);
        }
        text = text.replace("\r\n", "\n");
        boolean truncated = false;
        if (maxBytes > 0) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > maxBytes) {
                int end = (int) maxBytes;
                while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--;
                text = new String(utf8, 0, end, StandardCharsets.UTF_8);
                truncated = true;
            }
        }
        ObjectNode o = Json.object();
        o.put("value", text);
        o.put("isEncodingProblem", problem);
        o.put("isTruncated", truncated);
        return o;
    }

    private static Charset charset(String name) {
        if (name == null) return StandardCharsets.US_ASCII;
        try {
            return Charset.forName(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String stripAngles(String s) {
        if (s == null) return null;
        s = s.strip();
        if (s.startsWith("<") && s.endsWith(">") && s.length() >= 2) s = s.substring(1, s.length() - 1);
        return s;
    }

    public MimeMessage message() {
        return message;
    }
}
