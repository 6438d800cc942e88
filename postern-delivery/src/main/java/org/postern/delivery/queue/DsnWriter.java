// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Writes a delivery status notification (RFC 3464) as a multipart/report (RFC 6522) with three
 * parts: a human explanation, the message/delivery-status fields, and the original message's header
 * as text/rfc822-headers. Pure: a {@link Report} in, bytes with CRLF line ends out.
 */
final class DsnWriter {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);
    /** RFC 5322 §2.1.1: no line longer than 998 octets. */
    private static final int MAX_FIELD = 900;

    private DsnWriter() {}

    /** RFC 3464 §2.3.3 actions; RELAYED and DELIVERED answer NOTIFY=SUCCESS (RFC 3461 §5.2.2). */
    enum Kind { FAILURE, DELAY, RELAYED, DELIVERED }

    /**
     * One recipient's fields (RFC 3464 §2.3).
     *
     * @param smtpDiagnostic the diagnostic is an SMTP reply (Diagnostic-Code "smtp;"), else our own text
     */
    record Recipient(String address, String status, String remoteMta, String diagnostic, boolean smtpDiagnostic,
            String originalRecipient) {
        Recipient(String address, String status, String remoteMta, String diagnostic, boolean smtpDiagnostic) {
            this(address, status, remoteMta, diagnostic, smtpDiagnostic, null);
        }
    }

    /**
     * @param hostname the Reporting-MTA
     * @param to the original envelope sender, who gets the report
     * @param originalHeaders the original header section, without Return-Path:, CRLF line ends
     * @param retryUntil for delays, when the message will be given up (Will-Retry-Until)
     * @param envId the ENVID the sender gave (RFC 3461 §4.4), or null
     * @param fullMessage the whole original message (RET=FULL, RFC 3461 §4.3), or null to return headers only
     */
    record Report(Kind kind, String hostname, String to, Instant arrival, Instant now, ZoneId zone, String messageId,
            String boundary, List<Recipient> recipients, byte[] originalHeaders, Instant retryUntil, String envId,
            byte[] fullMessage) {
        Report {
            recipients = List.copyOf(recipients);
        }

        Report(Kind kind, String hostname, String to, Instant arrival, Instant now, ZoneId zone, String messageId,
                String boundary, List<Recipient> recipients, byte[] originalHeaders, Instant retryUntil) {
            this(kind, hostname, to, arrival, now, zone, messageId, boundary, recipients, originalHeaders, retryUntil, null,
                    null);
        }
    }

    static byte[] write(Report r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096 + r.originalHeaders().length);
        String date = DATE.format(r.now().atZone(r.zone()));
        boolean failure = r.kind() == Kind.FAILURE;
        boolean success = r.kind() == Kind.RELAYED || r.kind() == Kind.DELIVERED;
        StringBuilder h = new StringBuilder(2048);
        h.append("From: Mail Delivery System <MAILER-DAEMON@").append(r.hostname()).append(">\r\n");
        h.append("To: <").append(r.to()).append(">\r\n");
        h.append("Subject: ").append(failure ? "Undelivered Mail Returned to Sender"
                : success ? "Successful Mail Delivery Report" : "Delayed Mail (still being retried)").append("\r\n");
        h.append("Date: ").append(date).append("\r\n");
        h.append("Message-ID: <").append(r.messageId()).append(">\r\n");
        h.append("Auto-Submitted: auto-replied\r\n"); // RFC 3834 §5
        h.append("MIME-Version: 1.0\r\n");
        h.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"")
                .append(r.boundary()).append("\"\r\n");
        h.append("\r\n");
        h.append("This is a MIME-encapsulated message.\r\n\r\n");

        h.append("--").append(r.boundary()).append("\r\n");
        h.append("Content-Type: text/plain; charset=utf-8\r\n");
        h.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        h.append("This is the mail system at host ").append(r.hostname()).append(".\r\n\r\n");
        if (failure) {
            h.append("I'm sorry to have to inform you that your message could not\r\n")
                    .append("be delivered to one or more recipients. It's attached below.\r\n\r\n");
        } else if (r.kind() == Kind.DELIVERED) {
            h.append("Your message was delivered to the following recipients, as you asked.\r\n\r\n");
        } else if (r.kind() == Kind.RELAYED) {
            h.append("Your message was passed on to the following recipients' mail servers, which will\r\n")
                    .append("not send further delivery notifications.\r\n\r\n");
        } else {
            h.append("Your message could not be delivered yet to one or more recipients.\r\n")
                    .append("It will be retried until ").append(DATE.format(r.retryUntil().atZone(r.zone())))
                    .append(";\r\nyou do not need to send it again.\r\n\r\n");
        }
        for (Recipient rc : r.recipients()) {
            h.append("<").append(clean(rc.address())).append(">: ").append(clean(rc.diagnostic())).append("\r\n");
        }
        h.append("\r\n");

        h.append("--").append(r.boundary()).append("\r\n");
        h.append("Content-Type: message/delivery-status\r\n\r\n");
        // RFC 3464 §2.2: per-message fields, then one block per recipient (§2.3), blank-line separated.
        h.append("Reporting-MTA: dns; ").append(r.hostname()).append("\r\n");
        // RFC 3464 §2.2.1: Original-Envelope-Id when the sender gave ENVID (RFC 3461 §4.4).
        if (r.envId() != null) h.append("Original-Envelope-Id: ").append(clean(r.envId())).append("\r\n");
        h.append("Arrival-Date: ").append(DATE.format(r.arrival().atZone(r.zone()))).append("\r\n");
        for (Recipient rc : r.recipients()) {
            h.append("\r\n");
            // RFC 3464 §2.3.1, RFC 3461 §4.2: the ORCPT the sender gave, as given.
            if (rc.originalRecipient() != null) {
                h.append("Original-Recipient: ").append(clean(rc.originalRecipient())).append("\r\n");
            }
            boolean ascii = rc.address().chars().allMatch(c -> c < 0x80);
            // RFC 6533 §3: a non-ASCII address is of type utf-8.
            h.append("Final-Recipient: ").append(ascii ? "rfc822; " : "utf-8; ").append(clean(rc.address())).append("\r\n");
            h.append("Action: ").append(switch (r.kind()) {
                case FAILURE -> "failed";
                case DELAY -> "delayed";
                case RELAYED -> "relayed";
                case DELIVERED -> "delivered";
            }).append("\r\n");
            h.append("Status: ").append(success ? successStatus(rc.status()) : status(rc.status(), failure)).append("\r\n");
            if (!rc.remoteMta().isEmpty()) h.append("Remote-MTA: dns; ").append(clean(rc.remoteMta())).append("\r\n");
            if (!rc.diagnostic().isEmpty()) {
                h.append("Diagnostic-Code: ").append(rc.smtpDiagnostic() ? "smtp; " : "X-Postern; ")
                        .append(clean(rc.diagnostic())).append("\r\n");
            }
            h.append("Last-Attempt-Date: ").append(date).append("\r\n");
            if (r.kind() == Kind.DELAY) h.append("Will-Retry-Until: ").append(DATE.format(r.retryUntil().atZone(r.zone()))).append("\r\n");
        }
        h.append("\r\n");

        h.append("--").append(r.boundary()).append("\r\n");
        // RFC 3461 §4.3: RET=FULL returns the whole message; otherwise (and by default) its header.
        boolean full = r.fullMessage() != null && failure;
        h.append(full ? "Content-Type: message/rfc822\r\n" : "Content-Type: text/rfc822-headers\r\n");
        h.append(full ? "Content-Description: Undelivered Message\r\n\r\n"
                : "Content-Description: Message Headers\r\n\r\n");
        out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
        byte[] original = full ? r.fullMessage() : r.originalHeaders();
        out.writeBytes(original);
        if (original.length > 0 && !endsWithCrlf(original)) out.writeBytes(new byte[] {'\r', '\n'});
        out.writeBytes(("\r\n--" + r.boundary() + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * RFC 3464 §2.3.4: the status must agree with the action; an expired temporary failure keeps
     * its detail but is reported as failed, so class 4 is allowed there (as Postfix does).
     */
    static String status(String s, boolean failure) {
        if (s == null || !s.matches("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}")) return failure ? "5.0.0" : "4.0.0";
        if (!failure && s.charAt(0) != '4') return "4" + s.substring(1);
        return s;
    }

    /** RFC 3464 §2.3.4: a success report's status is 2.x.x. */
    static String successStatus(String s) {
        if (s == null || !s.matches("2\\.[0-9]{1,3}\\.[0-9]{1,3}")) return "2.0.0";
        return s;
    }

    /** One header line: no CR, LF or other controls, bounded. */
    static String clean(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_FIELD));
        for (int i = 0; i < s.length() && sb.length() < MAX_FIELD; i++) {
            char c = s.charAt(i);
            sb.append(c < 32 || c == 127 ? ' ' : c);
        }
        return sb.toString();
    }

    private static boolean endsWithCrlf(byte[] b) {
        return b.length >= 2 && b[b.length - 2] == '\r' && b[b.length - 1] == '\n';
    }
}
