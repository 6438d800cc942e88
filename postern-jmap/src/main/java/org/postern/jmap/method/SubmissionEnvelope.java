// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postern.core.MailAddress;
import org.postern.core.mime.Address;
import org.postern.core.mime.AddressParser;
import org.postern.core.mime.Header;
import org.postern.core.mime.MimeMessage;

/**
 * The SMTP envelope of an EmailSubmission (RFC 8621 §7 "envelope"): read from the client's object or
 * derived from the message's header fields, and the message as it is sent (no Bcc). Pure: no store,
 * no I/O.
 */
final class SubmissionEnvelope {
    private SubmissionEnvelope() {}

    /** @param mailFrom "" for the null reverse-path */
    record Envelope(String mailFrom, List<String> rcptTo) {}

    /** A property of the submission or the Email is unusable; {@code type} is the SetError type. */
    static final class Invalid extends Exception {
        final String type;
        final String property;

        Invalid(String type, String property, String message) {
            super(message);
            this.type = type;
            this.property = property;
        }
    }

    /**
     * The client's envelope. Parameters are refused: no SMTP extension is offered for them
     * (submissionExtensions is empty).
     */
    static Envelope parse(JsonNode n) throws Invalid {
        if (!n.isObject()) throw new Invalid("invalidProperties", "envelope", "envelope must be an object");
        for (String k : (Iterable<String>) n::fieldNames) {
            if (!k.equals("mailFrom") && !k.equals("rcptTo")) throw new Invalid("invalidProperties", "envelope", "unknown envelope property " + k);
        }
        String from = address(n.get("mailFrom"), "envelope/mailFrom");
        JsonNode rcpt = n.get("rcptTo");
        if (rcpt == null || !rcpt.isArray()) throw new Invalid("invalidProperties", "envelope/rcptTo", "rcptTo must be an array");
        List<String> to = new ArrayList<>();
        for (JsonNode r : rcpt) {
            to.add(address(r, "envelope/rcptTo"));
            if (to.size() > 10_000) throw new Invalid("invalidProperties", "envelope/rcptTo", "too many recipients");
        }
        return new Envelope(from, dedupe(to));
    }

    private static String address(JsonNode a, String property) throws Invalid {
        if (a == null || !a.isObject()) throw new Invalid("invalidProperties", property, property + " must be an Address object");
        JsonNode email = a.get("email");
        if (email == null || !email.isTextual() || email.asText().length() > 1000) {
            throw new Invalid("invalidProperties", property, "email is required");
        }
        JsonNode params = a.get("parameters");
        if (params != null && !params.isNull() && !(params.isObject() && params.isEmpty())) {
            throw new Invalid("invalidProperties", property, "SMTP parameters are not supported");
        }
        for (String k : (Iterable<String>) a::fieldNames) {
            if (!k.equals("email") && !k.equals("parameters")) throw new Invalid("invalidProperties", property, "unknown property " + k);
        }
        return email.asText();
    }

    /**
     * RFC 8621 §7: mailFrom from the last Sender field, else the last From field (one address each, or
     * invalid); rcptTo the de-duplicated addresses of To, Cc and Bcc. An address the identity does not
     * allow gives way to the identity's own.
     */
    static Envelope derive(MimeMessage m, String identityEmail) throws Invalid {
        String from = null;
        for (String field : List.of("Sender", "From")) {
            List<Header> fields = m.headers().fields(field);
            if (fields.isEmpty()) continue;
            String prop = field.toLowerCase(Locale.ROOT);
            if (fields.size() > 1) throw new Invalid("invalidEmail", prop, "more than one " + field + " field");
            List<MailAddress> a = mailboxes(fields.get(0).unfolded());
            if (a.size() != 1) throw new Invalid("invalidEmail", prop, field + " must name exactly one address");
            from = a.get(0).toString();
            break;
        }
        if (from == null || !from.equalsIgnoreCase(identityEmail)) from = identityEmail;
        List<String> to = new ArrayList<>();
        for (String field : List.of("To", "Cc", "Bcc")) {
            for (String v : m.headers().all(field)) {
                for (MailAddress a : mailboxes(v)) to.add(a.toString());
            }
        }
        return new Envelope(from, dedupe(to));
    }

    private static List<MailAddress> mailboxes(String value) {
        List<MailAddress> out = new ArrayList<>();
        try {
            for (Address a : AddressParser.parseList(value)) {
                if (a.isMailbox()) a.mailAddress().ifPresent(out::add);
            }
        } catch (RuntimeException e) {
            return List.of();
        }
        return out;
    }

    /** Case-insensitive on the address key, first spelling kept, order kept. */
    static List<String> dedupe(List<String> addresses) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (String a : addresses) {
            String key = MailAddress.parse(a).map(MailAddress::key).orElse(a);
            seen.putIfAbsent(key, a);
        }
        return List.copyOf(seen.values());
    }

    /**
     * The message without Bcc fields (RFC 8621 §7.5: "MUST remove any Bcc header field") and without a
     * stored Return-Path (RFC 5321 §4.4: only final delivery adds one).
     */
    static byte[] forSending(MimeMessage m) {
        byte[] raw = m.raw();
        List<Header> drop = new ArrayList<>(m.headers().fields("Bcc"));
        drop.addAll(m.headers().fields("Return-Path"));
        if (drop.isEmpty()) return raw;
        drop.sort((x, y) -> Integer.compare(x.start(), y.start()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        int at = 0;
        for (Header h : drop) {
            out.write(raw, at, h.start() - at);
            at = h.end();
        }
        out.write(raw, at, raw.length - at);
        return out.toByteArray();
    }
}
