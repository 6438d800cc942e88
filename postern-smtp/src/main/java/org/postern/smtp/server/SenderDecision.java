// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import org.postern.smtp.wire.SmtpReply;

/** The intake's answer to MAIL FROM: accept, or the reply refusing it (553 5.7.1 not owned...). */
public sealed interface SenderDecision {
    record Accept() implements SenderDecision {}

    record Reject(SmtpReply reply) implements SenderDecision {}

    static SenderDecision accept() {
        return new Accept();
    }

    static SenderDecision reject(int code, String enhanced, String text) {
        return new Reject(SmtpReply.of(code, enhanced, text));
    }
}
