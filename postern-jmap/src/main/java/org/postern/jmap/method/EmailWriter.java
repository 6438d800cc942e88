// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.postern.jmap.CallContext;

/**
 * Serialises an Email given as JMAP properties into an RFC 5322 message (RFC 8621 §4.6 create):
 * header fields from the convenience properties, a body from textBody/htmlBody/attachments or from
 * bodyStructure, with body values and uploaded blobs as part contents. Header values never carry CR
 * or LF (no header injection); non-ASCII text is RFC 2047 encoded; bodies are base64 unless 7bit
 * safe.
 */
final class EmailWriter {
    /** A problem with one property, reported as invalidProperties. */
    static final class Invalid extends Exception {
        final String property;

        Invalid(String property, String message) {
            super(message, null, false, false);
            this.property = property;
        }
    }

    private static final Pattern ADDR = Pattern.compile("[^\\s<>\"(),;:\\\\\\[\\]@]{1,64}@[A-Za-z0-9.\\[\\]:-]{1,255}");
    private static final Pattern TYPE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,63}/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CallContext ctx;
    private final ObjectNode email;
    private final String hostname;
    private final StringBuilder out = new StringBuilder();

    EmailWriter(CallContext ctx, ObjectNode email, String hostname) {
        this.ctx = ctx;
        this.email = email;
        this.hostname = hostname;
    }

    byte[] write() throws Invalid {
        addresses("From", "from");
        addresses("Sender", "sender");
        addresses("To", "to");
        addresses("Cc", "cc");
        addresses("Bcc", "bcc");
        addresses("Reply-To", "replyTo");
        JsonNode subject = email.get("subject");
        if (subject != null && !subject.isNull()) header("Subject", encodeText(text(subject, "subject")));
        JsonNode sentAt = email.get("sentAt");
        ZonedDateTime date = ZonedDateTime.now();
        if (sentAt != null && !sentAt.isNull()) {
            try {
                date = ZonedDateTime.parse(text(sentAt, "sentAt"));
            } catch (RuntimeException e) {
                throw new Invalid("sentAt", "sentAt must be a Date");
            }
        }
        header("Date", date.format(DateTimeFormatter.RFC_1123_DATE_TIME));
        List<String> mid = ids("messageId");
        header("Message-ID", mid.isEmpty() ? "<" + HexFormat.of().formatHex(randomBytes()) + "@" + hostname + ">"
                : "<" + mid.get(0) + ">");
        List<String> irt = ids("inReplyTo");
        if (!irt.isEmpty()) header("In-Reply-To", angle(irt));
        List<String> refs = ids("references");
        if (!refs.isEmpty()) header("References", angle(refs));
        for (var e : email.properties()) {
            String k = e.getKey();
            if (!k.startsWith("header:")) continue;
            String[] p = k.split(":");
            if (p.length < 2 || p.length > 3 || !p[1].matches("[\\x21-\\x39\\x3b-\\x7e]{1,76}")) throw new Invalid(k, "bad header property");
            if (p.length == 3 && !p[2].equals("asText") && !p[2].equals("asRaw")) throw new Invalid(k, "only asRaw and asText can be set");
            String v = text(e.getValue(), k);
            header(p[1], p.length == 3 && p[2].equals("asText") ? encodeText(v) : v);
        }
        header("MIME-Version", "1.0");
        if (email.has("bodyStructure")) {
            part(email.get("bodyStructure"), 0);
        } else {
            List<JsonNode> text = list("textBody");
            List<JsonNode> html = list("htmlBody");
            List<JsonNode> attachments = list("attachments");
            if (text.size() > 1 || html.size() > 1) throw new Invalid("textBody", "at most one textBody and one htmlBody part");
            writeBody(text.isEmpty() ? null : text.get(0), html.isEmpty() ? null : html.get(0), attachments);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void writeBody(JsonNode text, JsonNode html, List<JsonNode> attachments) throws Invalid {
        if (attachments.isEmpty()) {
            alternative(text, html);
            return;
        }
        String b = boundary();
        out.append("Content-Type: multipart/mixed; boundary=\"").append(b).append("\"\r\n\r\n");
        out.append("--").append(b).append("\r\n");
        alternative(text, html);
        for (JsonNode a : attachments) {
            out.append("\r\n--").append(b).append("\r\n");
            part(a, 1);
        }
        out.append("\r\n--").append(b).append("--\r\n");
    }

    private void alternative(JsonNode text, JsonNode html) throws Invalid {
        if (text != null && html != null) {
            String b = boundary();
            out.append("Content-Type: multipart/alternative; boundary=\"").append(b).append("\"\r\n\r\n");
            out.append("--").append(b).append("\r\n");
            part(text, 1);
            out.append("\r\n--").append(b).append("\r\n");
            part(html, 1);
            out.append("\r\n--").append(b).append("--\r\n");
        } else if (text != null || html != null) {
            part(text != null ? text : html, 1);
        } else {
            out.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        }
    }

    private void part(JsonNode p, int depth) throws Invalid {
        if (!p.isObject()) throw new Invalid("bodyStructure", "a body part must be an object");
        if (depth > 10) throw new Invalid("bodyStructure", "too deeply nested");
        String type = p.path("type").asText(null);
        JsonNode sub = p.get("subParts");
        if (sub != null && sub.isArray()) {
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/") || !TYPE.matcher(type).matches()) {
                throw new Invalid("bodyStructure", "subParts need a multipart type");
            }
            String b = boundary();
            out.append("Content-Type: ").append(type).append("; boundary=\"").append(b).append("\"\r\n\r\n");
            for (JsonNode c : sub) {
                out.append("--").append(b).append("\r\n");
                part(c, depth + 1);
                out.append("\r\n");
            }
            out.append("--").append(b).append("--\r\n");
            return;
        }
        byte[] content;
        String partId = p.path("partId").asText(null);
        if (partId != null) {
            JsonNode v = email.path("bodyValues").get(partId);
            if (v == null || !v.path("value").isTextual()) throw new Invalid("bodyValues", "no body value for part " + partId);
            if (v.path("isTruncated").asBoolean(false) || v.path("isEncodingProblem").asBoolean(false)) {
                throw new Invalid("bodyValues", "isTruncated and isEncodingProblem must be false");
            }
            content = v.get("value").asText().replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
            if (type == null) type = "text/plain";
            if (!type.toLowerCase(Locale.ROOT).startsWith("text/")) throw new Invalid("textBody", "a body value part must be text");
        } else {
            String blobId = p.path("blobId").asText(null);
            if (blobId == null) throw new Invalid("bodyStructure", "a part needs a partId or a blobId");
            try {
                content = Blobs.read(ctx, blobId).orElseThrow(() -> new Invalid("blobId", "no such blob " + blobId)).bytes();
            } catch (IOException e) {
                throw new Invalid("blobId", "blob unreadable");
            }
            if (type == null) type = "application/octet-stream";
        }
        if (!TYPE.matcher(type).matches()) throw new Invalid("type", "bad media type");
        StringBuilder ct = new StringBuilder(type);
        if (partId != null) ct.append("; charset=utf-8");
        String name = p.path("name").asText(null);
        if (name != null) ct.append("; name=\"").append(quoted(name)).append('"');
        header("Content-Type", ct.toString());
        String disposition = p.path("disposition").asText(null);
        if (disposition == null && p.has("blobId") && partId == null) disposition = "attachment";
        if (disposition != null) {
            if (!disposition.matches("[a-zA-Z-]{1,32}")) throw new Invalid("disposition", "bad disposition");
            header("Content-Disposition", disposition + (name == null ? "" : "; filename=\"" + quoted(name) + "\""));
        }
        String cid = p.path("cid").asText(null);
        if (cid != null) header("Content-ID", "<" + clean(cid) + ">");
        boolean sevenBit = isSevenBitSafe(content);
        header("Content-Transfer-Encoding", sevenBit ? "7bit" : "base64");
        out.append("\r\n");
        if (sevenBit) {
            out.append(new String(content, StandardCharsets.US_ASCII));
        } else {
            String b64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(content);
            out.append(b64);
        }
    }

    private static boolean isSevenBitSafe(byte[] b) {
        int line = 0;
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x80 || c == 0) return false;
            if (c == '\n') {
                if (i == 0 || b[i - 1] != '\r') return false;
                line = 0;
            } else if (c == '\r') {
                if (i + 1 >= b.length || b[i + 1] != '\n') return false;
            } else if (++line > 998) {
                return false;
            }
        }
        return true;
    }

    private List<JsonNode> list(String prop) throws Invalid {
        JsonNode n = email.get(prop);
        List<JsonNode> out = new ArrayList<>();
        if (n == null || n.isNull()) return out;
        if (!n.isArray()) throw new Invalid(prop, prop + " must be an array");
        n.forEach(out::add);
        return out;
    }

    private void addresses(String header, String prop) throws Invalid {
        JsonNode n = email.get(prop);
        if (n == null || n.isNull()) return;
        if (!n.isArray()) throw new Invalid(prop, prop + " must be an array of EmailAddress");
        List<String> parts = new ArrayList<>();
        for (JsonNode a : n) {
            String addr = a.path("email").asText("");
            if (!ADDR.matcher(addr).matches()) throw new Invalid(prop, "invalid email address");
            String name = a.path("name").asText(null);
            parts.add(name == null || name.isBlank() ? addr : phrase(name) + " <" + addr + ">");
        }
        if (!parts.isEmpty()) header(header, String.join(", ", parts));
    }

    private List<String> ids(String prop) throws Invalid {
        JsonNode n = email.get(prop);
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) return out;
        if (!n.isArray()) throw new Invalid(prop, prop + " must be an array of message ids");
        for (JsonNode i : n) {
            String s = i.asText("");
            if (!s.matches("[\\x21-\\x3b\\x3d\\x3f-\\x7e]{1,250}@[\\x21-\\x3b\\x3d\\x3f-\\x7e]{1,250}")) {
                throw new Invalid(prop, "invalid message id");
            }
            out.add(s);
        }
        return out;
    }

    private static String angle(List<String> ids) {
        StringBuilder b = new StringBuilder();
        for (String i : ids) b.append(b.isEmpty() ? "" : " ").append('<').append(i).append('>');
        return b.toString();
    }

    private static String text(JsonNode n, String prop) throws Invalid {
        if (!n.isTextual()) throw new Invalid(prop, prop + " must be a string");
        return n.asText();
    }

    private void header(String name, String value) {
        out.append(name).append(": ").append(clean(value)).append("\r\n");
    }

    /** No CR, LF or NUL in a header value: a value cannot start a new field (header injection). */
    private static String clean(String v) {
        return v.replaceAll("[\\r\\n\\x00]+", " ");
    }

    private static String quoted(String s) {
        return clean(s).replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String phrase(String name) {
        if (!isAscii(name)) return encodeText(name);
        return "\"" + quoted(name) + "\"";
    }

    /** RFC 2047 §4.1 B-encoding for non-ASCII text, in chunks short enough for 76-character words. */
    static String encodeText(String s) {
        s = clean(s);
        if (isAscii(s)) return s;
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int end = i;
            int bytes = 0;
            while (end < s.length()) {
                int cp = s.codePointAt(end);
                int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + len > 45) break;
                bytes += len;
                end += Character.charCount(cp);
            }
            if (!b.isEmpty()) b.append(' ');
            b.append("=?UTF-8?B?").append(Base64.getEncoder().encodeToString(s.substring(i, end).getBytes(StandardCharsets.UTF_8)))
                    .append("?=");
            i = end;
        }
        return b.toString();
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static String boundary() {
        return "=_" + HexFormat.of().formatHex(randomBytes());
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return b;
    }
}
