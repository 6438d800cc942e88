// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postern.core.InternetDateTime;
import org.postern.core.MailAddress;
import org.postern.core.mime.Address;
import org.postern.core.mime.AddressParser;
import org.postern.core.mime.Header;
import org.postern.core.mime.MimeMessage;
import org.postern.store.Intake;

/**
 * The SMTP envelope of an EmailSubmission (RFC 8621 §7 "envelope"): read from the client's object or
 * derived from the message's header fields, and the message as it is sent (no Bcc). Pure: no store,
 * no I/O.
 */
final class SubmissionEnvelope {
    private SubmissionEnvelope() {}

    /**
     * @param mailFrom "" for the null reverse-path
     * @param options the MAIL FROM DSN parameters (RET, ENVID; RFC 3461 §4.3, §4.4)
     * @param rcptOptions the RCPT TO DSN parameters (NOTIFY, ORCPT; RFC 3461 §4.1, §4.2), one per rcptTo
     */
    record Envelope(String mailFrom, List<String> rcptTo, Intake.Options options, List<Intake.RecipientOptions> rcptOptions) {
        Envelope {
            rcptTo = List.copyOf(rcptTo);
            if (options == null) options = Intake.Options.NONE;
            rcptOptions = rcptOptions == null || rcptOptions.isEmpty()
                    ? java.util.Collections.nCopies(rcptTo.size(), Intake.RecipientOptions.NONE) : List.copyOf(rcptOptions);
        }

        Envelope(String mailFrom, List<String> rcptTo) {
            this(mailFrom, rcptTo, Intake.Options.NONE, List.of());
        }
    }

    /**
     * The SMTP service extensions whose parameters an envelope may carry (RFC 8621 §1.3.2
     * submissionExtensions), besides FUTURERELEASE (RFC 4865), offered only when the submitter can hold.
     */
    static final List<String> EXTENSIONS = List.of("DSN");
    private static final java.util.regex.Pattern ADDR_TYPE = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,31}");

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

    static Envelope parse(JsonNode n) throws Invalid {
        return parse(n, java.time.Instant.now());
    }

    /**
     * The client's envelope. Parameters (RFC 8621 §7 Address "parameters") are those of DSN and
     * FUTURERELEASE (HOLDFOR counted from {@code now}); any other is refused rather than silently
     * dropped. Whether a hold is allowed, and how long, is the caller's to judge.
     */
    static Envelope parse(JsonNode n, java.time.Instant now) throws Invalid {
        if (!n.isObject()) throw new Invalid("invalidProperties", "envelope", "envelope must be an object");
        for (String k : (Iterable<String>) n::fieldNames) {
            if (!k.equals("mailFrom") && !k.equals("rcptTo")) throw new Invalid("invalidProperties", "envelope", "unknown envelope property " + k);
        }
        String from = address(n.get("mailFrom"), "envelope/mailFrom");
        Intake.Options options = mailParameters(n.get("mailFrom").get("parameters"), now);
        JsonNode rcpt = n.get("rcptTo");
        if (rcpt == null || !rcpt.isArray()) throw new Invalid("invalidProperties", "envelope/rcptTo", "rcptTo must be an array");
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String> to = new ArrayList<>();
        List<Intake.RecipientOptions> per = new ArrayList<>();
        for (JsonNode r : rcpt) {
            String a = address(r, "envelope/rcptTo");
            Intake.RecipientOptions o = rcptParameters(r.get("parameters"));
            if (to.size() >= 10_000) throw new Invalid("invalidProperties", "envelope/rcptTo", "too many recipients");
            // Case-insensitive on the address key; the first spelling and its parameters are kept.
            if (seen.putIfAbsent(MailAddress.parse(a).map(MailAddress::key).orElse(a), to.size()) != null) continue;
            to.add(a);
            per.add(o);
        }
        return new Envelope(from, to, options, per);
    }

    private static String address(JsonNode a, String property) throws Invalid {
        if (a == null || !a.isObject()) throw new Invalid("invalidProperties", property, property + " must be an Address object");
        JsonNode email = a.get("email");
        if (email == null || !email.isTextual() || email.asText().length() > 1000) {
            throw new Invalid("invalidProperties", property, "email is required");
        }
        JsonNode params = a.get("parameters");
        if (params != null && !params.isNull() && (!params.isObject() || params.size() > 16)) {
            throw new Invalid("invalidProperties", property, "parameters must be an object or null");
        }
        for (String k : (Iterable<String>) a::fieldNames) {
            if (!k.equals("email") && !k.equals("parameters")) throw new Invalid("invalidProperties", property, "unknown property " + k);
        }
        return email.asText();
    }

    /** RET (RFC 3461 §4.3), ENVID (§4.4), HOLDFOR and HOLDUNTIL (RFC 4865 §3) of MAIL FROM. */
    private static Intake.Options mailParameters(JsonNode params, java.time.Instant now) throws Invalid {
        if (params == null || params.isNull() || params.isEmpty()) return Intake.Options.NONE;
        String property = "envelope/mailFrom";
        String ret = null;
        String envId = null;
        java.time.Instant hold = null;
        boolean held = false;
        for (Map.Entry<String, JsonNode> p : params.properties()) {
            String v = p.getValue().isTextual() ? p.getValue().asText() : null;
            switch (p.getKey().toUpperCase(Locale.ROOT)) {
                case "RET" -> {
                    if (v == null || !(v.equalsIgnoreCase("FULL") || v.equalsIgnoreCase("HDRS"))) {
                        throw new Invalid("invalidProperties", property, "RET must be FULL or HDRS");
                    }
                    ret = v.toUpperCase(Locale.ROOT);
                }
                case "ENVID" -> {
                    String d = v == null ? null : xtext(v);
                    // §4.4: at most 100 characters, printable ASCII.
                    if (d == null || d.isEmpty() || d.length() > 100 || !d.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                        throw new Invalid("invalidProperties", property, "ENVID must be 1 to 100 printable ASCII characters");
                    }
                    envId = d;
                }
                case "HOLDFOR" -> {
                    // future-release-integer = 1*9DIGIT seconds; one hold-param only.
                    if (held || v == null || !v.matches("[0-9]{1,9}")) {
                        throw new Invalid("invalidProperties", property, "HOLDFOR must be 1 to 9 digits, without HOLDUNTIL");
                    }
                    held = true;
                    hold = now.plusSeconds(Long.parseLong(v));
                }
                case "HOLDUNTIL" -> {
                    java.time.Instant at = InternetDateTime.parse(v);
                    if (held || at == null) {
                        throw new Invalid("invalidProperties", property, "HOLDUNTIL must be an RFC 3339 date-time, without HOLDFOR");
                    }
                    held = true;
                    hold = at;
                }
                default -> throw new Invalid("invalidProperties", property, "unsupported MAIL FROM parameter " + p.getKey());
            }
        }
        // A release time not after now holds nothing (RFC 4865: released at once).
        return new Intake.Options(ret, envId, false, false, hold != null && hold.isAfter(now) ? hold : null);
    }

    /** NOTIFY (RFC 3461 §4.1) and ORCPT (§4.2) of RCPT TO. */
    private static Intake.RecipientOptions rcptParameters(JsonNode params) throws Invalid {
        if (params == null || params.isNull() || params.isEmpty()) return Intake.RecipientOptions.NONE;
        String property = "envelope/rcptTo";
        String notify = null;
        String orcptType = null;
        String orcpt = null;
        for (Map.Entry<String, JsonNode> p : params.properties()) {
            String v = p.getValue().isTextual() ? p.getValue().asText() : null;
            switch (p.getKey().toUpperCase(Locale.ROOT)) {
                case "NOTIFY" -> notify = notify(v);
                case "ORCPT" -> {
                    int semi = v == null ? -1 : v.indexOf(';');
                    String type = semi < 0 ? null : v.substring(0, semi);
                    String addr = semi < 0 ? null : xtext(v.substring(semi + 1));
                    if (type == null || !ADDR_TYPE.matcher(type).matches() || addr == null || addr.isEmpty() || addr.length() > 500) {
                        throw new Invalid("invalidProperties", property, "ORCPT must be addr-type;xtext");
                    }
                    orcptType = type.toLowerCase(Locale.ROOT);
                    orcpt = addr;
                }
                default -> throw new Invalid("invalidProperties", property, "unsupported RCPT TO parameter " + p.getKey());
            }
        }
        return new Intake.RecipientOptions(notify, orcptType, orcpt);
    }

    /** §4.1: NEVER alone, or any of SUCCESS, FAILURE, DELAY; returned in that canonical order. */
    private static String notify(String v) throws Invalid {
        String property = "envelope/rcptTo";
        if (v == null || v.isEmpty()) throw new Invalid("invalidProperties", property, "NOTIFY needs a value");
        java.util.Set<String> given = new java.util.HashSet<>();
        for (String part : v.toUpperCase(Locale.ROOT).split(",", -1)) {
            if (!List.of("NEVER", "SUCCESS", "FAILURE", "DELAY").contains(part) || !given.add(part)) {
                throw new Invalid("invalidProperties", property, "NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY");
            }
        }
        if (given.contains("NEVER") && given.size() > 1) {
            throw new Invalid("invalidProperties", property, "NOTIFY=NEVER cannot be combined");
        }
        StringBuilder b = new StringBuilder();
        for (String k : List.of("NEVER", "SUCCESS", "FAILURE", "DELAY")) {
            if (given.contains(k)) b.append(b.isEmpty() ? "" : ",").append(k);
        }
        return b.toString();
    }

    /** RFC 3461 §4: "+" and two upper-case hex digits stand for an octet; null when malformed. */
    static String xtext(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length()) return null;
                String hex = s.substring(i + 1, i + 3);
                if (!hex.matches("[0-9A-F]{2}")) return null;
                b.append((char) Integer.parseInt(hex, 16));
                i += 2;
            } else if (c < 0x21 || c > 0x7e || c == '=') {
                return null;
            } else {
                b.append(c);
            }
        }
        return b.toString();
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
