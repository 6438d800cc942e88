// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import org.postern.smtp.wire.SmtpReply;

/** The intake's answer to RCPT: accept, or the reply refusing it (550 5.1.1, 554 5.7.1, 451 4.3.0...). */
public sealed interface RecipientDecision {
    record Accept() implements RecipientDecision {}

    record Reject(SmtpReply reply) implements RecipientDecision {}

    static RecipientDecision accept() {
        return new Accept();
    }

    static RecipientDecision reject(int code, String enhanced, String text) {
        return new Reject(SmtpReply.of(code, enhanced, text));
    }
}
