// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.util.regex.Pattern;
import org.postern.smtp.client.RecipientResult;
import org.postern.store.SubmissionStore.Delivery;

/**
 * One attempt's result for a recipient as the JMAP DeliveryStatus of its submission (RFC 8621 §7).
 * Pure.
 */
final class SubmissionStatus {
    /** An SMTP reply as the client summarises it: code, then the enhanced code and text. */
    private static final Pattern REPLY = Pattern.compile("[2-5][0-9][0-9]( .*)?");

    private SubmissionStatus() {}

    /**
     * @param stillQueued the recipient stays in the queue (a temporary failure, or a failure whose DSN
     *     could not be stored yet)
     */
    static Delivery of(RecipientResult r, boolean stillQueued) {
        // §7: a copy another server accepted is "unknown" ("successful relaying to an external SMTP server
        // SHOULD NOT be taken as an indication that the message has successfully reached the final mail
        // store"); "yes" is kept for local delivery and a later "delivered" DSN.
        String delivered = stillQueued ? "queued" : switch (r.outcome()) {
            case DELIVERED -> "unknown";
            case PERMANENT -> "no";
            case TEMPORARY -> "queued";
        };
        return new Delivery(r.recipient(), delivered, reply(r));
    }

    /**
     * The remote server's reply when there was one (§7: the RCPT TO reply, or the DATA reply when the
     * message as a whole was refused: the client's result is exactly that); otherwise the §7 synthetic
     * form "code enhanced-code text" describing what happened here (no answer, DNS failure, expiry).
     */
    static String reply(RecipientResult r) {
        String d = r.diagnostic();
        if (r.remoteReply() && REPLY.matcher(d).matches() && d.charAt(0) == classOf(r)) return d;
        String code = switch (r.outcome()) {
            case DELIVERED -> "250";
            case TEMPORARY -> "451";
            case PERMANENT -> "550";
        };
        String status = r.status() == null || !r.status().matches("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}") ? code.charAt(0) + ".0.0"
                // The class agrees with the reply code: an expired 4.4.7 is reported as the failure 5.4.7.
                : code.charAt(0) + r.status().substring(1);
        return code + " " + status + " " + (d.isEmpty() ? "no details" : d);
    }

    private static char classOf(RecipientResult r) {
        return switch (r.outcome()) {
            case DELIVERED -> '2';
            case TEMPORARY -> '4';
            case PERMANENT -> '5';
        };
    }
}
