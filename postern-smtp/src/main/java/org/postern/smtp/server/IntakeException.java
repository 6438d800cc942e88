// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import org.postern.smtp.wire.SmtpReply;

/**
 * A message is not accepted; {@link #reply()} says why (a 4xx for store trouble, RFC 5321 §6.1: never
 * claim success; a 5xx for content the policy refuses). Thrown by the intake and by the
 * {@link MessageSource} when the data itself is bad.
 */
public class IntakeException extends Exception {
    private final transient SmtpReply reply;

    public IntakeException(SmtpReply reply) {
        super(reply.toString());
        this.reply = reply;
    }

    public IntakeException(SmtpReply reply, Throwable cause) {
        super(reply.toString(), cause);
        this.reply = reply;
    }

    public SmtpReply reply() {
        return reply;
    }

    /** The store could not make the message durable: temporary, the client retries (RFC 5321 §4.2.5). */
    public static IntakeException temporary(Throwable cause) {
        return new IntakeException(SmtpReply.of(451, "4.3.0", "Temporary failure, please try again later"), cause);
    }
}
